package analytics

import (
	"context"
	"time"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/policy"
)

// Learned hands the policy what the history says, as data: the chance
// curves (all, with a note, without) over their reliable days.
func (r *Report) Learned() *policy.Learned {
	return &policy.Learned{
		All:         chanceCurve(r.Curve),
		WithNote:    chanceCurve(r.WithNote),
		WithoutNote: chanceCurve(r.WithoutNote),
		Accepted:    r.Curve.Accepted,
	}
}

func chanceCurve(c Curve) policy.ChanceCurve {
	out := policy.ChanceCurve{Chance: make([]float64, len(c.Points))}
	for i, p := range c.Points {
		out.Chance[i] = p.Chance
		if p.Reliable && out.Reliable == i {
			out.Reliable = i + 1
		}
	}
	return out
}

// NeedsHistory reports whether a plan under p uses the learned history.
func NeedsHistory(p unvite.Policy) bool {
	return p.MaxAge == unvite.MaxAgeAuto || p.Order == unvite.OrderLeastLikelyFirst
}

// Learn measures the account's history as of asOf for a plan.
func Learn(ctx context.Context, store unvite.Store, acct *unvite.Account, asOf time.Time) (*policy.Learned, error) {
	r, err := Compute(ctx, store, acct, OptionsFor(acct, asOf))
	if err != nil {
		return nil, err
	}
	return r.Learned(), nil
}
