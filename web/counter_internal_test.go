package web

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/unvite/unvite"
)

// Without JavaScript, Reconnect's counter already says how many characters
// (code points, as LinkedIn and the engine count) each old note holds, not
// how many bytes, and marks one over the account's limit.
func TestReconnectCounterCountsCharacters(t *testing.T) {
	v, err := loadViews()
	require.NoError(t, err)
	fits := &unvite.Invitation{ID: 7, Note: "Bonjour Renée, ravi·e de vous lire 👋", Invitee: unvite.Person{Name: "Renée"}}
	long := &unvite.Invitation{ID: 8, Note: strings.Repeat("é", 201), Invitee: unvite.Person{Name: "Zoë"}}
	p := &page{Account: &unvite.Account{ID: 1, Name: "A", Plan: unvite.PlanFree}, Data: struct {
		List  []*unvite.Invitation
		Limit int
	}{[]*unvite.Invitation{fits, long}, 200}}
	var buf bytes.Buffer
	require.NoError(t, v.pages["reconnect"].Execute(&buf, p))
	body := buf.String()
	require.Contains(t, body, `<p class="counter" id="count-7" aria-live="polite"><span data-count>36</span> / 200 characters</p>`)
	require.Contains(t, body, `<p class="counter over" id="count-8" aria-live="polite"><span data-count>201</span> / 200 characters</p>`)
}
