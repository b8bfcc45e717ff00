package web

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/policy"
	"github.com/unvite/unvite/stats"
)

// listQuery is an invitation listing as a user asks for it, in the
// dashboard's URL or the API's query string.
type listQuery struct {
	Search string
	Status string // "" or one status
	Age    string // "" or a bucket label of stats.AgeBuckets: "30-59", "90+"
	Tag    string
	Note   string // "", "yes", "no"
	Stage  string // "" or a policy stage
	Sort   string
	Page   int // 1-based
	Limit  int
	Offset int
}

// sorts are the orders offered, by the store's names.
var sorts = []struct{ Value, Label string }{
	{"sent", "Oldest first"}, {"-sent", "Newest first"}, {"name", "Name A–Z"}, {"-name", "Name Z–A"},
	{"company", "Company"}, {"status", "Status"},
}

func parseListQuery(q url.Values, perPage int) (listQuery, error) {
	l := listQuery{
		Search: strings.TrimSpace(q.Get("q")), Status: q.Get("status"), Age: q.Get("age"), Tag: strings.TrimSpace(q.Get("tag")),
		Note: q.Get("note"), Stage: q.Get("stage"), Sort: q.Get("sort"), Page: 1, Limit: perPage,
	}
	if l.Status != "" {
		if _, err := unvite.ParseStatus(l.Status); err != nil {
			return l, err
		}
	}
	if l.Note != "" && l.Note != "yes" && l.Note != "no" {
		return l, unvite.Errorf(unvite.EINVALID, "note %q: want yes or no", l.Note)
	}
	if l.Sort == "" {
		l.Sort = "sent"
	}
	known := false
	for _, s := range sorts {
		known = known || s.Value == l.Sort
	}
	if !known {
		return l, unvite.Errorf(unvite.EINVALID, "sort %q: want sent, -sent, name, -name, company or status", l.Sort)
	}
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return l, unvite.Errorf(unvite.EINVALID, "page %q: want a number from 1", v)
		}
		l.Page = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return l, unvite.Errorf(unvite.EINVALID, "limit %q: want 1 to 500", v)
		}
		l.Limit = n
	}
	l.Offset = (l.Page - 1) * l.Limit
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return l, unvite.Errorf(unvite.EINVALID, "offset %q: want a number from 0", v)
		}
		l.Offset = n
	}
	return l, nil
}

// filter turns the query into the store's filter for one account, by its
// policy's ages and stages as of now.
func (l listQuery) filter(accountID int64, p unvite.Policy, now time.Time) (unvite.InvitationFilter, error) {
	f := unvite.InvitationFilter{
		AccountID: accountID, Direction: unvite.Sent, Search: l.Search, Tag: l.Tag, Sort: l.Sort, Limit: l.Limit, Offset: l.Offset,
	}
	if l.Status != "" {
		f.Statuses = []unvite.Status{unvite.Status(l.Status)}
	}
	if l.Note != "" {
		has := l.Note == "yes"
		f.HasNote = &has
	}
	// Both age and stage bound the sending time; the tighter bound wins.
	narrow := func(after, before time.Time) {
		if !after.IsZero() && after.After(f.SentAfter) {
			f.SentAfter = after
		}
		if !before.IsZero() && (f.SentBefore.IsZero() || before.Before(f.SentBefore)) {
			f.SentBefore = before
		}
	}
	if l.Age != "" {
		b, ok := bucketByLabel(p, l.Age)
		if !ok {
			return f, unvite.Errorf(unvite.EINVALID, "age %q: want one of %s", l.Age, strings.Join(bucketLabels(p), ", "))
		}
		narrow(policy.AgeSent(b.MinDays, b.MaxDays, now))
	}
	if l.Stage != "" {
		after, before, ok := policy.StageSent(p, l.Stage, now)
		if !ok {
			return f, unvite.Errorf(unvite.EINVALID, "stage %q: want new, review, consider or withdraw (as the policy sets them)", l.Stage)
		}
		narrow(after, before)
	}
	return f, nil
}

func bucketByLabel(p unvite.Policy, label string) (stats.Bucket, bool) {
	for _, b := range stats.AgeBuckets(p) {
		if b.Label == label {
			return b, true
		}
	}
	return stats.Bucket{}, false
}

func bucketLabels(p unvite.Policy) []string {
	var out []string
	for _, b := range stats.AgeBuckets(p) {
		out = append(out, b.Label)
	}
	return out
}

// values is the query as URL parameters, without defaults, for links.
func (l listQuery) values() url.Values {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("q", l.Search)
	set("status", l.Status)
	set("age", l.Age)
	set("tag", l.Tag)
	set("note", l.Note)
	set("stage", l.Stage)
	if l.Sort != "sent" {
		set("sort", l.Sort)
	}
	return v
}
