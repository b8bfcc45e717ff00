package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// shapeLines describes a JSON value's shape as sorted "path: kind" lines:
// objects by key set, $type by value, array elements by their shape (an
// element with a $type gets it in its path, so heterogeneous included[]
// lists compare type by type), scalars by JSON kind. Keys that are urns
// (statusCodeMap) read as <urn>. Values are ignored.
func shapeLines(v any) []string {
	set := map[string]bool{}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			set[path+": object"] = true
			for k, e := range x {
				if k == "$type" {
					set[fmt.Sprintf("%s.$type = %v", path, e)] = true
					continue
				}
				if strings.HasPrefix(k, "urn:li:") {
					k = "<urn>"
				}
				walk(path+"."+k, e)
			}
		case []any:
			set[path+": array"] = true
			for _, e := range x {
				seg := "[]"
				if m, ok := e.(map[string]any); ok && m["$type"] != nil {
					seg = fmt.Sprintf("[%v]", m["$type"])
				}
				walk(path+seg, e)
			}
		case string:
			set[path+": string"] = true
		case float64:
			set[path+": number"] = true
		case bool:
			set[path+": bool"] = true
		case nil:
			set[path+": null"] = true
		}
	}
	walk("$", v)
	lines := make([]string, 0, len(set))
	for l := range set {
		lines = append(lines, l)
	}
	sort.Strings(lines)
	return lines
}

func parseJSON(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal(b, &v), "body: %s", b)
	return v
}

func requireSameShape(t *testing.T, golden, got []byte) {
	t.Helper()
	want, have := shapeLines(parseJSON(t, golden)), shapeLines(parseJSON(t, got))
	require.Equal(t, strings.Join(want, "\n"), strings.Join(have, "\n"), "reply: %s", got)
}

func TestShapeLines(t *testing.T) {
	a := `{"data":{"x":1,"urn:li:a:1":200,"$type":"T"},"l":[{"$type":"A","k":"v"},{"$type":"B","n":true}]}`
	b := `{"l":[{"n":false,"$type":"B"}, {"$type":"A","k":"w"}],"data":{"$type":"T","urn:li:a:2":400,"x":2.5}}`
	require.Equal(t, shapeLines(parseJSON(t, []byte(a))), shapeLines(parseJSON(t, []byte(b))))
	for _, c := range []string{
		`{"data":{"x":"1","urn:li:a:1":200,"$type":"T"},"l":[]}`,                    // kind and empty array
		`{"data":{"x":1,"urn:li:a:1":200,"$type":"U"},"l":[{"$type":"A","k":"v"}]}`, // $type value
		`{"data":{"x":1,"y":1,"$type":"T"},"l":[{"$type":"A","k":"v"}]}`,            // key set
	} {
		require.NotEqual(t, shapeLines(parseJSON(t, []byte(a))), shapeLines(parseJSON(t, []byte(c))), c)
	}
}

// withdrawAndWait withdraws n pending invitations and moves the clock past
// the cool-down, returning the invitees' profile ids (free to re-invite).
func withdrawAndWait(t *testing.T, b *bundle, n int) []string {
	t.Helper()
	var ids []string
	for _, inv := range b.sb.PendingSent(b.acct.Key())[:n] {
		r := b.post(t, pathWithdrawAction(inv.ID), `{}`)
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		ids = append(ids, inv.ProfileID)
	}
	b.sb.Advance(DefaultCoolDown + time.Hour)
	return ids
}

func TestGoldenShapes(t *testing.T) {
	t.Parallel()
	goldenDir(t)
	cases := []struct {
		golden string
		status int
		cfg    AccountConfig
		call   func(t *testing.T, b *bundle) resp
	}{
		{"me.normalized.json", 200, AccountConfig{Premium: true}, func(t *testing.T, b *bundle) resp {
			return b.get(t, pathMe)
		}},
		{"me.plain.json", 200, AccountConfig{}, func(t *testing.T, b *bundle) resp {
			return b.get(t, pathMe, header("accept", "application/json"))
		}},
		{"sent-legacy.page.json", 200, AccountConfig{SentInvitations: 60}, func(t *testing.T, b *bundle) resp {
			return b.get(t, pathLegacy(0, 100))
		}},
		{"sent-legacy.empty.json", 200, AccountConfig{SentInvitations: 60}, func(t *testing.T, b *bundle) resp {
			return b.get(t, pathLegacy(200, 100))
		}},
		{"sent-summary.json", 200, AccountConfig{SentInvitations: 60}, func(t *testing.T, b *bundle) resp {
			return b.get(t, pathSummary)
		}},
		{"sent-dash.page.json", 200, AccountConfig{SentInvitations: 60}, func(t *testing.T, b *bundle) resp {
			return b.get(t, pathDash(0, 100))
		}},
		{"withdraw-close.response.json", 200, AccountConfig{SentInvitations: 20}, func(t *testing.T, b *bundle) resp {
			req := strings.ReplaceAll(string(readGolden(t, "withdraw-close.request.json")),
				"7397990000000000000", pendingWith(t, b, anyInv).ID)
			return b.post(t, pathClose, req)
		}},
		{"withdraw-close.not-pending.response.json", 200, AccountConfig{SentInvitations: 20}, func(t *testing.T, b *bundle) resp {
			id := pendingWith(t, b, anyInv).ID
			require.Equal(t, 200, b.post(t, pathClose, closeBody(id)).status)
			return b.post(t, pathClose, closeBody(id))
		}},
		{"withdraw-action.response.json", 200, AccountConfig{SentInvitations: 20}, func(t *testing.T, b *bundle) resp {
			return b.post(t, pathWithdrawAction(pendingWith(t, b, anyInv).ID), `{}`)
		}},
		{"send-dash.response.json", 200, AccountConfig{SentInvitations: 20}, func(t *testing.T, b *bundle) resp {
			profile := withdrawAndWait(t, b, 1)[0]
			req := strings.ReplaceAll(string(readGolden(t, "send-dash.request.json")), "ACoAAD2p7Qr", profile)
			return b.post(t, pathSendDash, req)
		}},
		{"error.cant-resend-yet.json", 400, AccountConfig{SentInvitations: 20}, func(t *testing.T, b *bundle) resp {
			inv := pendingWith(t, b, anyInv)
			require.Equal(t, 200, b.post(t, pathWithdrawAction(inv.ID), `{}`).status)
			return b.post(t, pathSendDash, sendBody(inv.ProfileID, ""))
		}},
		{"error.custom-invite-limit.json", 429, AccountConfig{SentInvitations: 20, NotesPerMonth: 1}, func(t *testing.T, b *bundle) resp {
			ids := withdrawAndWait(t, b, 2)
			require.Equal(t, 200, b.post(t, pathSendDash, sendBody(ids[0], "Hello again")).status)
			return b.post(t, pathSendDash, sendBody(ids[1], "Hello again"))
		}},
		{"error.weekly-limit.json", 429, AccountConfig{SentInvitations: 20, WeeklyLimit: 1}, func(t *testing.T, b *bundle) resp {
			ids := withdrawAndWait(t, b, 2)
			require.Equal(t, 200, b.post(t, pathSendDash, sendBody(ids[0], "")).status)
			return b.post(t, pathSendDash, sendBody(ids[1], ""))
		}},
		{"error.rate-limited.json", 429, AccountConfig{}, func(t *testing.T, b *bundle) resp {
			b.acct.SetFaults(Faults{RateLimit: 1})
			require.Equal(t, 200, b.get(t, pathMe).status)
			r := b.get(t, pathMe)
			secs, err := strconv.Atoi(r.header.Get("Retry-After"))
			require.NoError(t, err)
			require.Positive(t, secs)
			return r
		}},
	}
	for _, c := range cases {
		t.Run(c.golden, func(t *testing.T) {
			t.Parallel()
			b := setup(t, c.cfg)
			r := c.call(t, b)
			require.Equal(t, c.status, r.status, "%s", r.body)
			requireSameShape(t, readGolden(t, c.golden), r.body)
		})
	}
}

// The GraphQL listing carries the Dash elements under
// data.relationshipsDashSentInvitationViewsByInvitationType.
func TestGoldenShapeGraphQL(t *testing.T) {
	t.Parallel()
	b := setup(t, AccountConfig{SentInvitations: 60})
	r := b.get(t, pathGraphQL(0, 100))
	require.Equal(t, 200, r.status, "%s", r.body)
	got := r.json(t)["data"].(map[string]any)["relationshipsDashSentInvitationViewsByInvitationType"]
	want := parseJSON(t, readGolden(t, "sent-dash.page.json")).(map[string]any)["data"]
	require.Equal(t, shapeLines(want), shapeLines(got))
}

func TestGoldenTextBodies(t *testing.T) {
	t.Parallel()
	b := setup(t, AccountConfig{})

	r := b.get(t, pathMe, header("csrf-token", "ajax:0000000000000000000"))
	require.Equal(t, http.StatusForbidden, r.status)
	require.Equal(t, string(readGolden(t, "error.csrf.txt")), string(r.body))

	b.acct.SetFaults(Faults{SoftBlock: true})
	r = b.get(t, pathMe)
	require.Equal(t, 999, r.status)
	require.Contains(t, r.header.Get("Content-Type"), "text/html")
	require.Equal(t, strings.TrimSpace(string(readGolden(t, "error.999.html"))), strings.TrimSpace(string(r.body)))
}

// Every sent-listing page of the golden shape: the three ids of an
// invitation carry one number, and included[] refers only to what it holds.
func TestLegacyPageConsistency(t *testing.T) {
	t.Parallel()
	b := setup(t, AccountConfig{SentInvitations: 120})
	r := b.get(t, pathLegacy(0, 100))
	var page struct {
		Data struct {
			Elements []string `json:"*elements"`
		} `json:"data"`
		Included []map[string]any `json:"included"`
	}
	require.NoError(t, json.Unmarshal(r.body, &page))
	byURN := map[string]map[string]any{}
	for _, e := range page.Included {
		byURN[e["entityUrn"].(string)] = e
	}
	pending := b.sb.PendingSent(b.acct.Key())
	require.Len(t, page.Data.Elements, min(100, len(pending)))
	for i, urn := range page.Data.Elements {
		n := strings.TrimPrefix(urn, urnSentView)
		require.Equal(t, pending[i].ID, n, "newest first")
		view := byURN[urn]
		inv := byURN[view["*invitation"].(string)]
		require.Equal(t, urnMailboxInvitation+n, inv["mailboxItemId"])
		require.Equal(t, float64(pending[i].SentAt.UnixMilli()), inv["sentTime"])
		require.Equal(t, pending[i].HadNote, inv["customMessage"])
		mp := byURN[inv["invitee"].(map[string]any)["*miniProfile"].(string)]
		require.Equal(t, pending[i].Slug, mp["publicIdentifier"])
		require.Equal(t, inv["*toMember"], mp["entityUrn"])
	}
	require.True(t, slices.ContainsFunc(pending, func(i InvitationInfo) bool { return i.HadNote }))
	require.True(t, slices.ContainsFunc(pending, func(i InvitationInfo) bool { return !i.HadNote }))
}
