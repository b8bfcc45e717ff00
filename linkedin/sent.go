package linkedin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/unvite/unvite"
)

// PageSize is the page size of every listing: LinkedIn's maximum.
const PageSize = 100

// maxPages stops a listing that never ends (a server ignoring start).
// LinkedIn's collections reportedly stop at 1,000; 100 pages is 10,000.
const maxPages = 100

// ListStats describes one listing.
type ListStats struct {
	Variant     string // the variant that answered: "legacy", "dash" or "graphql"
	Pages       int    // pages read and parsed
	Invitations int    // distinct invitations handed to the callback
	Requests    int    // requests made, probes of unavailable variants included
}

// listVariant is one known way to list sent invitations.
type listVariant struct {
	name  string
	path  func(c *Client, start int) string
	parse func(body []byte, now time.Time) ([]unvite.SyncedInvitation, error)
}

// listVariants, in the order they are tried.
var listVariants = []listVariant{
	{
		name: "legacy",
		path: func(_ *Client, start int) string {
			return "/relationships/sentInvitationViewsV2?count=" + strconv.Itoa(PageSize) +
				"&invitationType=CONNECTION&q=invitationType&start=" + strconv.Itoa(start)
		},
		parse: func(body []byte, _ time.Time) ([]unvite.SyncedInvitation, error) { return parseLegacySent(body) },
	},
	{
		name: "dash",
		path: func(_ *Client, start int) string {
			return "/voyagerRelationshipsDashSentInvitationViews?count=" + strconv.Itoa(PageSize) +
				"&invitationType=CONNECTION&q=invitationType&start=" + strconv.Itoa(start)
		},
		parse: parseDashSent,
	},
	{
		name: "graphql",
		path: func(c *Client, start int) string {
			// Rest.li tuple syntax: ( ) , : stay unescaped.
			return "/graphql?variables=(start:" + strconv.Itoa(start) + ",count:" + strconv.Itoa(PageSize) +
				",invitationType:CONNECTION)&queryId=" + c.queryID
		},
		parse: parseGraphQLSent,
	},
}

// SentInvitations lists every pending sent invitation, newest first, in
// pages of 100, calling fn once per non-empty page. It stops at a page that
// comes back short or empty, so N invitations cost ⌊N/100⌋+1 requests.
//
// Variants are tried in a fixed order (legacy, Dash, GraphQL), starting with
// the one that worked last. It moves on only when a variant is not served
// (404, 405, 410) or its first page has a shape it cannot read; never on
// session trouble, limits or blocks, and never once a page was read.
// An invitation already seen on an earlier page (the list shifted while
// paging) is not handed to fn again.
func (c *Client) SentInvitations(ctx context.Context, fn func(page []unvite.SyncedInvitation) error) (ListStats, error) {
	var stats ListStats
	var firstErr error
	for _, i := range order(int(c.listVariant.Load()), len(listVariants)) {
		v := listVariants[i]
		stats.Variant = v.name
		err := c.listWith(ctx, v, &stats, fn)
		if err == nil || stats.Pages > 0 {
			c.listVariant.Store(int32(i))
			return stats, err
		}
		if !unavailable(err) && !unknownShape(err) {
			return stats, err
		}
		if firstErr == nil {
			firstErr = err
		}
		c.logVariant(ctx, "list sent invitations", v.name, err)
	}
	stats.Variant = ""
	return stats, fmt.Errorf("linkedin: list sent invitations: no known variant answered: %w", firstErr)
}

func (c *Client) listWith(ctx context.Context, v listVariant, stats *ListStats, fn func([]unvite.SyncedInvitation) error) error {
	seen := map[string]bool{}
	for page := 0; ; page++ {
		if page == maxPages {
			return &Error{Kind: ErrUnexpected, Op: "list sent invitations (" + v.name + ")",
				Err: fmt.Errorf("more than %d full pages: paging does not end", maxPages)}
		}
		cl := call{op: "list sent invitations (" + v.name + ")", method: http.MethodGet, path: v.path(c, page*PageSize)}
		stats.Requests++
		rep, err := c.do(ctx, cl)
		if err != nil {
			return err
		}
		invs, err := v.parse(rep.body, c.now())
		if err != nil {
			return c.shapeError(cl, rep, err)
		}
		if len(invs) > PageSize {
			return c.shapeError(cl, rep, fmt.Errorf("%d elements in a page of %d", len(invs), PageSize))
		}
		stats.Pages++
		fresh := make([]unvite.SyncedInvitation, 0, len(invs))
		for _, inv := range invs {
			if !seen[inv.LinkedInID] {
				seen[inv.LinkedInID] = true
				fresh = append(fresh, inv)
			}
		}
		if len(invs) > 0 && len(fresh) == 0 {
			return c.shapeError(cl, rep, errors.New("page repeats the previous ones: start is ignored"))
		}
		stats.Invitations += len(fresh)
		if len(fresh) > 0 {
			if err := fn(fresh); err != nil {
				return err
			}
		}
		if len(invs) < PageSize {
			return nil
		}
	}
}

// order is 0..n-1 starting with first, the rest in their fixed order.
func order(first, n int) []int {
	if first < 0 || first >= n {
		first = 0
	}
	out := []int{first}
	for i := range n {
		if i != first {
			out = append(out, i)
		}
	}
	return out
}

func (c *Client) logVariant(ctx context.Context, op, variant string, err error) {
	if c.log != nil {
		c.log.InfoContext(ctx, "linkedin variant not available", "op", op, "variant", variant, "err", err.Error())
	}
}
