package exportgen_test

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite/exportgen"
)

var end = time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)

func generate(t *testing.T, n int, seed int64, accepted float64) (inv, conn []byte) {
	t.Helper()
	var a, b bytes.Buffer
	require.NoError(t, exportgen.WriteInvitations(&a, n, seed, end))
	require.NoError(t, exportgen.WriteConnections(&b, n, seed, end, accepted))
	return a.Bytes(), b.Bytes()
}

func TestDeterministic(t *testing.T) {
	a1, c1 := generate(t, 2000, 1, 0.5)
	a2, c2 := generate(t, 2000, 1, 0.5)
	a3, _ := generate(t, 2000, 2, 0.5)
	require.Equal(t, a1, a2)
	require.Equal(t, c1, c2)
	require.NotEqual(t, a1, a3)
}

func TestInvitationsFormat(t *testing.T) {
	const n = 20000
	data, _ := generate(t, n, 3, 0.5)
	require.True(t, bytes.HasPrefix(data, []byte(exportgen.InvitationsHeader+"\n")))
	require.NotContains(t, string(data), "\r", "LF line ends, as LinkedIn writes")
	require.False(t, bytes.HasPrefix(data, []byte("\xef\xbb\xbf")), "no BOM")

	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, n+1)
	sum := exportgen.Summarize(n, 3, end, 0.5)
	var out, withMsg, multiline, quoted int
	prev := end
	seen := map[string]bool{}
	for _, r := range recs[1:] {
		at, err := time.Parse("1/2/06, 3:04 PM", r[2])
		require.NoError(t, err)
		require.False(t, at.After(prev), "newest first")
		prev = at
		switch r[4] {
		case "OUTGOING":
			out++
			require.Equal(t, exportgen.AccountName, r[0])
			require.Equal(t, exportgen.AccountURL, r[5])
			require.False(t, seen[r[6]], "one invitation per invitee")
			seen[r[6]] = true
			if r[3] != "" {
				withMsg++
			}
		case "INCOMING":
			require.Equal(t, exportgen.AccountName, r[1])
			require.Equal(t, exportgen.AccountURL, r[6])
		default:
			t.Fatalf("direction %q", r[4])
		}
		require.LessOrEqual(t, len([]rune(r[3])), 300)
		if strings.Contains(r[3], "\n") {
			multiline++
		}
		if strings.Contains(r[3], `"`) {
			quoted++
		}
	}
	require.Equal(t, sum.Outgoing, out)
	require.Equal(t, sum.Rows-sum.Outgoing, sum.Incoming)
	require.Equal(t, sum.WithMessage, withMsg)
	require.InDelta(t, 0.97, float64(out)/n, 0.01)
	require.Positive(t, multiline)
	require.Positive(t, quoted)
}

func TestConnectionsFormat(t *testing.T) {
	const n = 20000
	inv, data := generate(t, n, 4, 0.45)
	lines := strings.SplitN(string(data), "\n", 5)
	require.Equal(t, "Notes:", lines[0])
	require.Equal(t, "", lines[2])
	require.Equal(t, exportgen.ConnectionsHeader, lines[3])

	// Against the real format, where the fixtures are at hand.
	if fx, err := os.ReadFile(filepath.Join("..", "..", "shared", "fixtures", "export-2026", "Connections.csv")); err == nil {
		require.Equal(t, strings.SplitN(string(fx), "\n", 5)[:4], lines[:4], "preamble and header as LinkedIn writes them")
	}

	r := csv.NewReader(strings.NewReader(lines[4]))
	recs, err := r.ReadAll()
	require.NoError(t, err)
	sum := exportgen.Summarize(n, 4, end, 0.45)
	require.Len(t, recs, sum.Connections)
	// Invitees whose connection would fall after end are not connections yet.
	rate := float64(sum.Accepted) / float64(sum.Outgoing)
	require.True(t, rate > 0.38 && rate <= 0.46, "acceptance %.3f", rate)

	invitees := map[string]bool{}
	ir, err := csv.NewReader(bytes.NewReader(inv)).ReadAll()
	require.NoError(t, err)
	for _, r := range ir[1:] {
		invitees[r[6]] = true
		invitees[r[5]] = true
	}
	for _, r := range recs {
		require.True(t, invitees[r[2]], "every connection is someone from the invitations")
		on, err := time.Parse("02 Jan 2006", r[6])
		require.NoError(t, err)
		require.False(t, on.After(end))
	}
}
