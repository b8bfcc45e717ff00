package web_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/password"
	"github.com/unvite/unvite/sqlite"
	"github.com/unvite/unvite/web"
)

// now is the tests' clock: the server's and the store's.
var now = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

const adminPassword = "correct horse battery staple"

// bundle is one running server on a real SQLite file, over loopback.
type bundle struct {
	store *sqlite.DB
	srv   *web.Server
	url   string
	acct  *unvite.Account
	// seeded is every invitation seed made, as stored.
	seeded []*unvite.Invitation
}

type option func(*web.Config)

// setup starts a server with an admin user and one account of n sent
// invitations (0: no account).
func setup(t testing.TB, n int, opts ...option) *bundle {
	t.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "unvite.db"))
	require.NoError(t, err)
	store.Now = func() time.Time { return now }
	t.Cleanup(func() { store.Close() })

	hash, err := password.Hash(adminPassword)
	require.NoError(t, err)
	require.NoError(t, store.CreateUser(ctx, &unvite.User{Name: web.AdminName, PasswordHash: hash}))

	b := &bundle{store: store}
	if n > 0 {
		b.acct, b.seeded = seed(t, store, "Maya Lindqvist", "maya-lindqvist", n)
	}
	cfg := web.Config{Store: store, Now: func() time.Time { return now }}
	for _, o := range opts {
		o(&cfg)
	}
	b.srv, err = web.New(cfg)
	require.NoError(t, err)
	require.NoError(t, b.srv.Listen("127.0.0.1:0"))
	b.url = b.srv.URL()
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- b.srv.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
	return b
}

var (
	firstNames = []string{"Ada", "Bruno", "Chiara", "Dev", "Elif", "Farah", "Goran", "Hana", "Ivo", "Jun", "Kofi", "Lena", "Mateo", "Nia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tariq", "Uma", "Viktor", "Wen", "Yara", "Zane"}
	lastNames  = []string{"Andersson", "Bianchi", "Costa", "Dubois", "Eriksen", "Fischer", "García", "Horvat", "Ivanova", "Jensen", "Kowalski", "Larsen", "Müller", "Novak", "O'Brien", "Petrov", "Rossi", "Silva", "Tanaka", "Weber"}
	companies  = []string{"Northwind", "Acme Robotics", "Globex", "Initech", "Umbrella Health", "Stark Logistics", "Wayne Analytics", "Hooli", "Vandelay Imports", "Pied Piper"}
	roles      = []string{"Head of Talent", "Staff Engineer", "Product Manager", "CTO", "Recruiter", "Data Scientist", "Designer", "Sales Director"}
)

// seed makes an account with n sent invitations over eight months before
// now: about a third accepted, a tenth gone, some with notes and tags, and a
// few withdrawn long enough ago that they may be re-invited.
func seed(t testing.TB, s unvite.Store, name, slug string, n int) (*unvite.Account, []*unvite.Invitation) {
	t.Helper()
	ctx := context.Background()
	acct := &unvite.Account{Name: name, Slug: slug, Plan: unvite.PlanPremium, TimeZone: "Europe/Stockholm"}
	require.NoError(t, s.CreateAccount(ctx, acct))
	r := rand.New(rand.NewPCG(uint64(n), 7))
	b, err := s.BeginImport(ctx, acct.ID, unvite.ImportMeta{File: "seed.zip", AsOf: now, ExpectedRows: n})
	require.NoError(t, err)
	span := 240 * 24 * time.Hour
	for i := range n {
		p := unvite.Person{
			Name:     firstNames[i%len(firstNames)] + " " + lastNames[(i/len(firstNames))%len(lastNames)],
			Slug:     fmt.Sprintf("person-%05d", i),
			Company:  companies[r.IntN(len(companies))],
			Headline: roles[r.IntN(len(roles))],
		}
		p.Headline += " at " + p.Company
		inv := &unvite.Invitation{Direction: unvite.Sent, Invitee: p, SentAt: now.Add(-time.Duration(r.Int64N(int64(span)))).Truncate(time.Second)}
		if r.IntN(4) == 0 {
			inv.Note = fmt.Sprintf("Hi %s, I enjoyed your post on hiring at %s. Would be glad to connect.", firstNames[i%len(firstNames)], p.Company)
			inv.HadNote = true
		}
		require.NoError(t, b.PutInvitation(ctx, inv))
		if r.IntN(3) == 0 && inv.SentAt.Before(now.Add(-48*time.Hour)) {
			require.NoError(t, b.PutConnection(ctx, unvite.Connection{Person: p, ConnectedOn: inv.SentAt.Add(48 * time.Hour)}))
		}
	}
	_, err = b.Commit(ctx)
	require.NoError(t, err)

	list, err := s.Invitations(ctx, unvite.InvitationFilter{AccountID: acct.ID, Sort: "sent"})
	require.NoError(t, err)
	var tagIDs, protectIDs []int64
	for i, inv := range list {
		if inv.Status != unvite.StatusPending {
			continue
		}
		switch {
		case i%10 == 3:
			_, err := s.Transition(ctx, inv.ID, unvite.StatusGone, unvite.Change{At: now.Add(-24 * time.Hour), Reason: "no longer listed", Actor: "sync"})
			require.NoError(t, err)
		case i%37 == 5 && inv.SentAt.Before(now.Add(-60*24*time.Hour)):
			_, err := s.Transition(ctx, inv.ID, unvite.StatusWithdrawn, unvite.Change{At: now.Add(-30 * 24 * time.Hour), Reason: "withdrawn on LinkedIn", Actor: "user"})
			require.NoError(t, err)
		case i%11 == 0:
			tagIDs = append(tagIDs, inv.ID)
		case i%29 == 0:
			protectIDs = append(protectIDs, inv.ID)
		}
	}
	if len(tagIDs) > 0 {
		require.NoError(t, s.Tag(ctx, tagIDs, []string{"recruiter"}, false, unvite.Change{Actor: "user"}))
	}
	if len(protectIDs) > 0 {
		require.NoError(t, s.SetProtected(ctx, protectIDs, true, unvite.Change{Actor: "user", Reason: "keep"}))
	}
	list, err = s.Invitations(ctx, unvite.InvitationFilter{AccountID: acct.ID, Sort: "sent"})
	require.NoError(t, err)
	return acct, list
}

// client is a browser-like HTTP client with its own cookies that does not
// follow redirects, so tests see them.
func (b *bundle) client(t testing.TB) *http.Client {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// login signs a new client in as the admin.
func (b *bundle) login(t testing.TB) *http.Client {
	t.Helper()
	c := b.client(t)
	res, err := c.PostForm(b.url+"/login", url.Values{"username": {web.AdminName}, "password": {adminPassword}})
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	return c
}

// get fetches a path and returns the status and body.
func get(t testing.TB, c *http.Client, u string, header ...string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	require.NoError(t, err)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := c.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, string(body), res.Header
}

// serverTime reads the server's own time from an answer's Server-Timing.
func serverTime(h http.Header) (time.Duration, error) {
	v, ok := strings.CutPrefix(h.Get("Server-Timing"), "app;dur=")
	if !ok {
		return 0, fmt.Errorf("no app time in Server-Timing %q", h.Get("Server-Timing"))
	}
	ms, err := strconv.ParseFloat(v, 64)
	return time.Duration(ms * float64(time.Millisecond)), err
}

// post sends a form or JSON body with extra headers.
func post(t testing.TB, c *http.Client, u, contentType, body string, header ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", contentType)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := c.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, string(b)
}

const form = "application/x-www-form-urlencoded"
