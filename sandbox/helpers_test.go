package sandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// bundle is one sandbox behind a real loopback server, with one account.
type bundle struct {
	sb     *Sandbox
	srv    *httptest.Server
	acct   *Account
	client *http.Client
}

func setup(t testing.TB, cfg AccountConfig, opts ...Options) *bundle {
	t.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	if o.Seed == 0 {
		o.Seed = 42
	}
	sb := New(o)
	acct := sb.AddAccount(cfg)
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	// No keep-alive: a dropped connection must surface as an error rather
	// than as the transport's silent retry of an idempotent request.
	tr := &http.Transport{DisableKeepAlives: true}
	t.Cleanup(tr.CloseIdleConnections)
	client := &http.Client{
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return &bundle{sb: sb, srv: srv, acct: acct, client: client}
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.body, &m), "body: %s", r.body)
	return m
}

// code is data.code of an invitation error body.
func (r resp) code(t *testing.T) string {
	t.Helper()
	data, _ := r.json(t)["data"].(map[string]any)
	c, _ := data["code"].(string)
	return c
}

// send makes a request as a working client does, then lets mods change it.
// It fails no test itself, so goroutines may call it.
func (b *bundle) send(t testing.TB, method, path, body string, mods ...func(*http.Request)) (resp, error) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, b.srv.URL+path, rd)
	if err != nil {
		return resp{}, err
	}
	req.Header.Set("Cookie", b.acct.CookieHeader())
	req.Header.Set("csrf-token", b.acct.CSRFToken())
	req.Header.Set("accept", normalizedType)
	req.Header.Set("x-restli-protocol-version", "2.0.0")
	req.Header.Set("x-li-lang", "en_US")
	if body != "" {
		req.Header.Set("content-type", "application/json")
	}
	for _, m := range mods {
		m(req)
	}
	res, err := b.client.Do(req)
	if err != nil {
		return resp{}, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return resp{}, err
	}
	return resp{status: res.StatusCode, header: res.Header, body: data}, nil
}

func (b *bundle) do(t testing.TB, method, path, body string, mods ...func(*http.Request)) resp {
	t.Helper()
	r, err := b.send(t, method, path, body, mods...)
	require.NoError(t, err)
	return r
}

func (b *bundle) get(t testing.TB, path string, mods ...func(*http.Request)) resp {
	t.Helper()
	return b.do(t, http.MethodGet, path, "", mods...)
}

func (b *bundle) post(t testing.TB, path, body string, mods ...func(*http.Request)) resp {
	t.Helper()
	return b.do(t, http.MethodPost, path, body, mods...)
}

func header(k, v string) func(*http.Request) {
	return func(r *http.Request) { r.Header.Set(k, v) }
}

// Calls as LINKEDIN.md writes them.
const (
	pathMe          = "/voyager/api/me"
	pathSummary     = "/voyager/api/relationships/invitationsSummaryV2?types=List(SENT_INVITATION_COUNT)"
	pathClose       = "/voyager/api/relationships/invitations?action=closeInvitations"
	pathSendDash    = "/voyager/api/voyagerRelationshipsDashMemberRelationships?action=verifyQuotaAndCreateV2&decorationId=com.linkedin.voyager.dash.deco.relationships.InvitationCreationResultWithInvitee-2"
	pathSendLegacy  = "/voyager/api/growth/normInvitations"
	pathConnections = "/voyager/api/relationships/dash/connections?decorationId=com.linkedin.voyager.dash.deco.web.mynetwork.ConnectionListWithProfile-15&count=40&q=search&sortType=RECENTLY_ADDED&start=0"
)

func pathLegacy(start, count int) string {
	return "/voyager/api/relationships/sentInvitationViewsV2?count=" + strconv.Itoa(count) + "&invitationType=CONNECTION&q=invitationType&start=" + strconv.Itoa(start)
}

func pathDash(start, count int) string {
	return "/voyager/api/voyagerRelationshipsDashSentInvitationViews?count=" + strconv.Itoa(count) + "&invitationType=CONNECTION&q=invitationType&start=" + strconv.Itoa(start)
}

func pathGraphQL(start, count int) string {
	return "/voyager/api/graphql?variables=(start:" + strconv.Itoa(start) + ",count:" + strconv.Itoa(count) +
		",invitationType:CONNECTION)&queryId=voyagerRelationshipsDashSentInvitationViews.b0928897b71bd00a5a7291755dcd64f0"
}

func pathWithdrawAction(id string) string {
	return "/voyager/api/relationships/invitations/" + id + "?action=withdraw"
}

func pathWithdrawDash(id string) string {
	return "/voyager/api/voyagerRelationshipsDashInvitations/urn%3Ali%3Afsd_invitation%3A" + id + "?action=withdraw"
}

func closeBody(id string) string {
	return `{"inviteActionType":"ACTOR_WITHDRAW","inviteActionData":[{"entityUrn":"urn:li:fs_relInvitation:` +
		id + `","genericInvitation":false,"genericInvitationType":"CONNECTION"}]}`
}

func sendBody(profileID, note string) string {
	m := map[string]any{"invitee": map[string]any{"inviteeUnion": map[string]any{"memberProfile": "urn:li:fsd_profile:" + profileID}}}
	if note != "" {
		m["customMessage"] = note
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// goldenDir finds ../shared/linkedin-golden beside the module root (the
// recorded LinkedIn replies the sandbox must look like); tests skip
// without it, saying so (CI fails on any skip).
func goldenDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("..", "..", "shared", "linkedin-golden")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("recorded LinkedIn replies not found at %s: these tests need the team's ../shared folder beside the checkout (see README)", dir)
	}
	return dir
}

func readGolden(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(goldenDir(t), name))
	require.NoError(t, err)
	return b
}

// pendingWith returns the newest pending invitation matching f.
func pendingWith(t *testing.T, b *bundle, f func(InvitationInfo) bool) InvitationInfo {
	t.Helper()
	for _, inv := range b.sb.PendingSent(b.acct.Key()) {
		if f(inv) {
			return inv
		}
	}
	t.Fatal("no pending invitation matches")
	return InvitationInfo{}
}

func anyInv(InvitationInfo) bool { return true }
