package sandbox

import (
	"net/http"
	"slices"
)

// me answers GET /me in the normalized or the plain shape, by Accept.
func (s *Sandbox) me(a *Account, c *call) *reply {
	mp := miniProfileOf(a.me)
	mp.TrackingID = a.trackingID
	if c.normalizedAccept() {
		return normalized(http.StatusOK, meNormalized{
			MiniProfile: mp.EntityURN, PlainID: a.me.memberNum,
			PremiumSubscriber: a.cfg.Premium, Type: typeMe,
		}, []any{mp})
	}
	return jsonReply(http.StatusOK, jsonType, mePlain{
		MiniProfile: mp, PlainID: a.me.memberNum,
		PremiumSubscriber: a.cfg.Premium, PublicContactInfo: map[string]any{},
	})
}

// pageParams reads start and count; count must be 1..100.
func pageParams(q query, defCount int) (start, count int, bad *reply) {
	start, err := q.int("start", 0)
	if err != nil {
		return 0, 0, messageReply(http.StatusBadRequest, "%v", err)
	}
	count, err = q.int("count", defCount)
	if err != nil {
		return 0, 0, messageReply(http.StatusBadRequest, "%v", err)
	}
	if count < 1 || count > MaxPageSize {
		return 0, 0, messageReply(http.StatusBadRequest, "count=%d: must be between 1 and %d", count, MaxPageSize)
	}
	return start, count, nil
}

// sentPage returns a copy of one page of the visible pending invitations:
// settled, newest first, cut at the collection ceiling.
func (a *Account) sentPage(c *call, start, count int) []*invitation {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.settle(c.now)
	return pageOf(a.visible(), start, count)
}

func pageOf[T any](all []T, start, count int) []T {
	if start >= len(all) {
		return nil
	}
	return slices.Clone(all[start:min(start+count, len(all))])
}

// checkSentQuery wants q=invitationType&invitationType=CONNECTION.
func checkSentQuery(q query) *reply {
	if q.str("q") != "invitationType" || q.str("invitationType") != "CONNECTION" {
		return messageReply(http.StatusBadRequest, "want q=invitationType&invitationType=CONNECTION")
	}
	return nil
}

// sentLegacy answers GET /relationships/sentInvitationViewsV2 in the
// normalized shape: views, invitations and mini profiles in included[].
func (s *Sandbox) sentLegacy(a *Account, c *call) *reply {
	if bad := checkSentQuery(c.q); bad != nil {
		return bad
	}
	start, count, bad := pageParams(c.q, 10)
	if bad != nil {
		return bad
	}
	page := a.sentPage(c, start, count)
	coll := collection{
		Metadata: map[string]string{"invitationType": "CONNECTION"},
		Elements: make([]string, 0, len(page)),
		Paging:   legacyPaging{Start: start, Count: count, Links: []any{}},
		Type:     typeCollection,
	}
	from := urnMiniProfile + a.me.profileID
	included := make([]any, 0, 3*len(page))
	for _, inv := range page {
		n := id(inv.id)
		to := urnMiniProfile + inv.to.profileID
		coll.Elements = append(coll.Elements, urnSentView+n)
		included = append(included,
			viewRef{EntityURN: urnSentView + n, Invitation: urnRelInvitation + n, Type: typeSentView},
			legacyInvitation{
				EntityURN: urnRelInvitation + n, MailboxItemID: urnMailboxInvitation + n,
				SentTime: inv.sentAt.UnixMilli(), SharedSecret: inv.secret, CustomMessage: inv.note != "",
				InvitationType: "CONNECTION", FromMember: from, ToMember: to,
				Invitee: &profileInvitee{MiniProfile: to, Type: typeProfileInvitee}, Type: typeInvitation,
			},
			miniProfileOf(inv.to))
	}
	return normalized(http.StatusOK, coll, included)
}

func dashViews(page []*invitation, c *call) []dashSentView {
	out := make([]dashSentView, 0, len(page))
	for _, inv := range page {
		out = append(out, dashSentView{
			InvitationURN:    urnFsdInvitation + id(inv.id),
			Title:            textViewModel{inv.to.name()},
			Subtitle:         textViewModel{inv.to.headline},
			CardActionTarget: profileURL(inv.to.slug),
			SentTimeLabel:    sentTimeLabel(c.now, inv.sentAt),
		})
	}
	return out
}

// sentDash answers GET /voyagerRelationshipsDashSentInvitationViews.
func (s *Sandbox) sentDash(a *Account, c *call) *reply {
	if bad := checkSentQuery(c.q); bad != nil {
		return bad
	}
	start, count, bad := pageParams(c.q, 10)
	if bad != nil {
		return bad
	}
	page := a.sentPage(c, start, count)
	return normalized(http.StatusOK, dashCollection{
		Paging: dashPaging{Start: start, Count: count}, Elements: dashViews(page, c),
	}, nil)
}

// sentGraphQL answers GET /graphql?variables=(start:…,count:…,invitationType:CONNECTION)&queryId=voyagerRelationshipsDashSentInvitationViews.<hash>.
func (s *Sandbox) sentGraphQL(a *Account, c *call) *reply {
	vars, err := c.q.restli("variables")
	if err != nil || vars.kind != 'r' {
		return messageReply(http.StatusBadRequest, "variables must be a rest.li record like (start:0,count:100,invitationType:CONNECTION)")
	}
	if t, _ := vars.field("invitationType"); t != "CONNECTION" {
		return messageReply(http.StatusBadRequest, "variables: want invitationType:CONNECTION")
	}
	pq := query{}
	for _, k := range []string{"start", "count"} {
		if v, ok := vars.field(k); ok {
			pq[k] = v
		}
	}
	start, count, bad := pageParams(pq, 10)
	if bad != nil {
		return bad
	}
	page := a.sentPage(c, start, count)
	return normalized(http.StatusOK, map[string]any{
		"relationshipsDashSentInvitationViewsByInvitationType": dashCollection{
			Paging: dashPaging{Start: start, Count: count}, Elements: dashViews(page, c),
		},
	}, nil)
}

// sentSummary answers GET /relationships/invitationsSummaryV2?types=List(SENT_INVITATION_COUNT)
// with the true pending count, ceiling or not.
func (s *Sandbox) sentSummary(a *Account, c *call) *reply {
	types, err := c.q.restli("types")
	if err != nil || types.kind != 'l' || !slices.ContainsFunc(types.list, func(v rlValue) bool {
		return v.kind == 's' && v.str == "SENT_INVITATION_COUNT"
	}) {
		return messageReply(http.StatusBadRequest, "want types=List(SENT_INVITATION_COUNT)")
	}
	a.mu.Lock()
	a.settle(c.now)
	n := len(a.pending())
	a.mu.Unlock()
	return normalized(http.StatusOK, map[string]any{"numTotalSentInvitations": n, "$type": typeSummary}, nil)
}
