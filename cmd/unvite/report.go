package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/analytics"
)

// ReportCmd is `unvite report`.
type ReportCmd struct {
	policyFlags
	Account     string   `help:"Account (default: the only one)." short:"a"`
	AsOf        date     `help:"Clock (YYYY-MM-DD; default now)." name:"as-of"`
	JSON        bool     `help:"Print the report as JSON for scripts." name:"json"`
	HTML        string   `help:"Write the report as one self-contained HTML file (charts inline, nothing fetched)." name:"html" placeholder:"FILE" type:"path"`
	SVG         string   `help:"Write each chart as an SVG file into DIR (made if missing)." name:"svg" placeholder:"DIR" type:"path"`
	Threshold   *float64 `help:"Chance of acceptance, in percent, under which a pending invitation is not worth keeping (default: the policy's auto_age.threshold_percent, 2 unless set)."`
	SettleDays  int      `help:"Group rates count acceptances within this many days, of invitations at least that old." default:"30" name:"settle-days"`
	MinGroup    int      `help:"Groups with fewer settled invitations are marked too small to compare." default:"30" name:"min-group"`
	WeeklyLimit int      `help:"LinkedIn's limit of invitations in a rolling week (default: the account's plan's, 100 free or 200 premium)." name:"weekly-limit"`
}

func (c *ReportCmd) Run(ctx context.Context, a *app) error {
	if c.Threshold != nil && (*c.Threshold <= 0 || *c.Threshold >= 50) {
		return unvite.Errorf(unvite.EINVALID, "--threshold %g: want a percentage above 0 and under 50", *c.Threshold)
	}
	if c.SettleDays < 1 || c.MinGroup < 1 || c.WeeklyLimit < 0 {
		return unvite.Errorf(unvite.EINVALID, "--settle-days and --min-group must be at least 1, --weekly-limit at least 1 when given")
	}
	acct, err := a.account(ctx, c.Account)
	if err != nil {
		return err
	}
	var th float64
	if c.Threshold != nil {
		th = *c.Threshold
	} else {
		// The policy's, so that the report's age is the one its plan learns.
		pol, err := a.policyFor(c.policyFlags, acct)
		if err != nil {
			return err
		}
		th = pol.AutoAge.ThresholdPercent
	}
	o := analytics.OptionsFor(acct, a.asOf(c.AsOf))
	o.Threshold, o.SettleDays, o.MinGroup = th/100, c.SettleDays, c.MinGroup
	if c.WeeklyLimit > 0 {
		o.WeeklyLimit = c.WeeklyLimit
	}
	r, err := analytics.Compute(ctx, a.store, acct, o)
	if err != nil {
		return err
	}
	var wrote []string
	if c.HTML != "" {
		var b bytes.Buffer
		if err := r.WriteHTML(&b); err != nil {
			return err
		}
		if err := writeFileAtomic(c.HTML, b.Bytes()); err != nil {
			return err
		}
		wrote = append(wrote, c.HTML)
	}
	if c.SVG != "" {
		if err := os.MkdirAll(c.SVG, 0o755); err != nil {
			return fmt.Errorf("report: %w", err)
		}
		for _, name := range r.ChartNames() {
			b, err := r.ChartSVG(name)
			if err != nil {
				return err
			}
			path := filepath.Join(c.SVG, name+".svg")
			if err := writeFileAtomic(path, b); err != nil {
				return err
			}
			wrote = append(wrote, path)
		}
	}
	if c.JSON {
		return a.printJSON(r)
	}
	if err := r.WriteText(a.stdout); err != nil {
		return err
	}
	for _, p := range wrote {
		fmt.Fprintf(a.stdout, "Wrote %s\n", p)
	}
	return nil
}

// writeFileAtomic writes data beside path and renames it into place, so a
// failed write never leaves half a file where a good one was.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
