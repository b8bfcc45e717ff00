package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/importer"
)

// ImportCmd is `unvite import`.
type ImportCmd struct {
	Paths      []string          `arg:"" name:"path" help:"The export zip as downloaded, Invitations.csv / Connections.csv, or a tracking sheet CSV." type:"path"`
	Account    string            `help:"Account to import into (default: the export's owner, created if new)." short:"a"`
	Name       string            `help:"Name for a new account when the files do not tell it (e.g. a tracking sheet alone)."`
	ColumnMap  map[string]string `help:"Columns of any CSV whose names are not the usual ones: field=Header pairs (fields: from, to, sent, note, direction, inviter_url, invitee_url; first, last, name, url, email, company, position, connected; followup, status, comment)." name:"column" aliases:"sheet-column" placeholder:"FIELD=HEADER"`
	ExportDate string            `help:"The day the export was made, when no archive name tells it (a loose CSV's date is otherwise guessed from its newest row)." name:"export-date" placeholder:"YYYY-MM-DD"`
	JSON       bool              `help:"Print the summary as JSON (and no progress bar)." name:"json"`
	Quiet      bool              `help:"No progress bar." short:"q"`
}

func (c *ImportCmd) Run(ctx context.Context, a *app) error {
	inv, err := importer.Inspect(ctx, c.Paths, c.ColumnMap)
	if err != nil {
		return err
	}
	if c.ExportDate != "" {
		d, err := time.Parse("2006-01-02", c.ExportDate)
		if err != nil {
			return unvite.Errorf(unvite.EINVALID, "--export-date %q: want a day as YYYY-MM-DD", c.ExportDate)
		}
		inv.ExportDate = d
	}
	// Without a date from an archive's name or --export-date, the import
	// takes the newest row's day, which can be days before the export.
	guessed := inv.ExportDate.IsZero()
	opt := importer.Options{Columns: c.ColumnMap, Inventory: inv}
	if opt.AccountID, opt.Owner, err = c.target(ctx, a, inv); err != nil {
		return err
	}
	var bar *progressBar
	if f, ok := a.rawErr.(*os.File); ok && !c.JSON && !c.Quiet && term.IsTerminal(int(f.Fd())) {
		bar = &progressBar{w: f, label: "importing"}
		opt.Progress = bar.update
	}
	start := time.Now()
	// A new owner's account is created inside the import's transaction: a
	// failed import leaves none behind, and touches no other import's.
	sum, err := importer.Import(ctx, a.store, c.Paths, opt)
	bar.done()
	if err != nil {
		return err
	}
	acct := sum.Account
	guessed = guessed && !sum.AsOf.IsZero()
	if c.JSON {
		return a.printJSON(struct {
			Account int64 `json:"account_id"`
			unvite.ImportSummary
			ExportDate        string `json:"export_date,omitempty"`
			ExportDateGuessed bool   `json:"export_date_guessed,omitempty"`
		}{acct.ID, sum, dateOrEmpty(sum.AsOf), guessed})
	}
	// Say what was read: export rows, tracking-sheet rows, or both.
	sheetRows := sum.Matched + sum.Unmatched
	var did []string
	if sum.Rows > 0 || sum.Connections > 0 || sheetRows == 0 {
		did = append(did, fmt.Sprintf("%d invitation rows (%d new, %d known), %d connections", sum.Rows, sum.Added, sum.Unchanged, sum.Connections))
	}
	if sheetRows > 0 {
		did = append(did, fmt.Sprintf("%d tracking-sheet rows (%d matched an invitation and added their follow-up and comment, %d added as new invitations)",
			sheetRows, sum.Matched, sum.Unmatched))
	}
	fmt.Fprintf(a.stdout, "Imported into %s (account %d) in %s: %s.\n",
		acct.Name, acct.ID, time.Since(start).Round(time.Millisecond), strings.Join(did, "; "))
	if sum.Rows > 0 || sum.Accepted+sum.Superseded+sum.Gone > 0 {
		fmt.Fprintf(a.stdout, "Status changes: %d accepted (sent or received), %d superseded by a re-invite, %d gone.\n", sum.Accepted, sum.Superseded, sum.Gone)
	}
	printLeftOut(a.stdout, sum)
	for _, w := range sum.Warnings {
		fmt.Fprintf(a.stdout, "Warning: %s\n", w)
	}
	if guessed {
		fmt.Fprintf(a.stdout, "Export date %s, a guess: the newest row's day (give --export-date YYYY-MM-DD if the export was made later).\n", sum.AsOf.Format("2006-01-02"))
	}
	if !sum.AsOf.IsZero() {
		if !guessed {
			fmt.Fprintf(a.stdout, "Export date %s.\n", sum.AsOf.Format("2006-01-02"))
		}
		fmt.Fprintf(a.stdout, "Next: unvite stats --as-of %s, unvite plan\n", sum.AsOf.Format("2006-01-02"))
	}
	return nil
}

// target says whose import this is: the account given, or the export's
// owner (found or created by the import itself), or the only account when
// the files do not say.
func (c *ImportCmd) target(ctx context.Context, a *app, inv *importer.Inventory) (int64, *unvite.Account, error) {
	if c.Account != "" {
		// An account named must exist, and so must its database.
		s, err := a.open(ctx)
		if err != nil {
			return 0, nil, err
		}
		acct, err := s.FindAccount(ctx, c.Account)
		if err != nil {
			return 0, nil, err
		}
		return acct.ID, nil, nil
	}
	if _, err := a.create(ctx); err != nil {
		return 0, nil, err
	}
	name := strings.TrimSpace(inv.AccountName)
	if name == "" {
		name = strings.TrimSpace(c.Name)
	}
	if name == "" {
		// No owner in the files (an old export or a sheet): the only account, if one.
		acct, err := a.account(ctx, "")
		if err != nil {
			return 0, nil, unvite.Errorf(unvite.EINVALID, "these files do not say whose they are: give --account or --name")
		}
		return acct.ID, nil, nil
	}
	return 0, &unvite.Account{Name: name, Slug: inv.AccountSlug, State: unvite.AccountOffline}, nil
}

func dateOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}

// progressBar draws one line on a terminal; a nil bar draws nothing.
type progressBar struct {
	w     *os.File
	label string
	last  time.Time
	shown bool
}

func (b *progressBar) update(done, total int64) {
	if b == nil || time.Since(b.last) < 100*time.Millisecond {
		return
	}
	b.last, b.shown = time.Now(), true
	if total <= 0 {
		fmt.Fprintf(b.w, "\r%s %d MB", b.label, done>>20)
		return
	}
	const width = 30
	n := int(float64(width) * float64(done) / float64(total))
	n = max(0, min(n, width))
	fmt.Fprintf(b.w, "\r%s [%s%s] %3d%%", b.label, strings.Repeat("#", n), strings.Repeat(".", width-n), done*100/total)
}

func (b *progressBar) done() {
	if b != nil && b.shown {
		fmt.Fprint(b.w, "\r\033[K")
	}
}
