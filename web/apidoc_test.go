package web_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite/engine"
	"github.com/unvite/unvite/policy"
	"github.com/unvite/unvite/web"
)

var shBlock = regexp.MustCompile("(?s)```sh\n(.*?)```")

// Every curl example in docs/api.md runs against a real server and answers
// with success (curl -f fails on an error status) and JSON.
func TestAPIDocExamples(t *testing.T) {
	t.Parallel()
	_, err := exec.LookPath("curl")
	need(t, err == nil, "no curl on PATH to run docs/api.md's examples")
	doc, err := os.ReadFile("../docs/api.md")
	require.NoError(t, err)
	blocks := shBlock.FindAllStringSubmatch(string(doc), -1)
	require.GreaterOrEqual(t, len(blocks), 10)

	// An engine that queues but runs nothing: the examples that act only
	// queue, as a dashboard beside a separate worker (serve --no-worker).
	b := setup(t, 120, func(c *web.Config) {
		eng, err := engine.New(engine.Config{Store: c.Store, Now: c.Now,
			Policy: policy.DefaultFile().ForAccount}, false)
		require.NoError(t, err)
		t.Cleanup(func() { eng.Close() })
		c.Engine = eng
	})
	token := createToken(t, b, b.login(t), "docs", true)
	for _, m := range blocks {
		cmd := exec.Command("bash", "-euo", "pipefail", "-c", m[1])
		cmd.Env = append(os.Environ(), "UNVITE_URL="+b.url, "UNVITE_TOKEN="+token)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s\n%s", m[1], out)
		if strings.Contains(m[1], "/api/") {
			require.True(t, json.Valid(out), "%s answered %s", m[1], out)
		}
	}
}
