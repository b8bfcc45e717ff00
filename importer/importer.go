// Package importer reads LinkedIn's data export (the archive as downloaded,
// or its Invitations.csv and Connections.csv) and hand-kept tracking sheets,
// streaming, into one atomic store import. Files are told apart by their
// header rows, not their names.
package importer

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/unvite/unvite"
)

// Options tune an import.
type Options struct {
	// AccountID is the account to import into; when 0, Owner's account,
	// found or created by the import (see unvite.ImportMeta.Owner).
	AccountID int64
	Owner     *unvite.Account
	// Columns names the columns of any input file (field → header; fields
	// as ColumnFields lists), where the usual names are not used. One
	// mapping serves every file: each header must be in some file.
	Columns map[string]string
	// Progress, if set, is called as bytes are read: done of total.
	Progress func(done, total int64)
	// MaxFileBytes caps the (decompressed) size of each file; default 1 GiB.
	MaxFileBytes int64
	// MaxTotalBytes caps all files together; default 4 GiB.
	MaxTotalBytes int64
	// Inventory, if set, is what Inspect said of the same paths; Import
	// then does not look at the files again before reading them.
	Inventory *Inventory
}

func (o Options) withDefaults() Options {
	if o.MaxFileBytes <= 0 {
		o.MaxFileBytes = 1 << 30
	}
	if o.MaxTotalBytes <= 0 {
		o.MaxTotalBytes = 4 << 30
	}
	return o
}

// Inventory is what the inputs are.
type Inventory struct {
	// Files in import order: connections, then invitations, then sheets.
	Files []File
	// AccountName and AccountSlug are the export's owner, from its sent
	// invitations (the slug only in the seven-column format); "" if unknown.
	AccountName string
	AccountSlug string
	// ExportDate is the day of the export from the archive's (or folder's)
	// name; zero when no name gives it, and then the import takes the newest
	// Sent At or Connected On (unvite.ImportSummary.AsOf).
	ExportDate time.Time
}

// Has reports whether a file of kind k is among the inputs.
func (inv *Inventory) Has(k Kind) bool {
	return slices.ContainsFunc(inv.Files, func(f File) bool { return f.Kind == k })
}

var kindOrder = map[Kind]int{KindConnections: 0, KindInvitations: 1, KindSheet: 2}

// Inspect looks at the inputs: the kind of each file (by its header, with
// columns as in Options.Columns), the export's owner (from the first sent
// invitation) and the export date. It reads whole files only when no
// archive name gives the date.
func Inspect(ctx context.Context, paths []string, columns map[string]string) (*Inventory, error) {
	return inspect(ctx, paths, Options{Columns: columns}.withDefaults())
}

func inspect(ctx context.Context, paths []string, opt Options) (*Inventory, error) {
	if len(paths) == 0 {
		return nil, unvite.Errorf(unvite.EINVALID, "no files to import")
	}
	mapping, err := checkColumns(opt.Columns)
	if err != nil {
		return nil, err
	}
	inv := &Inventory{}
	for _, p := range paths {
		files, d, err := expand(p, opt.MaxFileBytes, mapping)
		if err != nil {
			return nil, err
		}
		inv.Files = append(inv.Files, files...)
		if d.After(inv.ExportDate) {
			inv.ExportDate = d
		}
	}
	slices.SortStableFunc(inv.Files, func(a, b File) int { return kindOrder[a.Kind] - kindOrder[b.Kind] })
	if err := mappingUsed(inv.Files, mapping); err != nil {
		return nil, err
	}
	var ownerFile string
	for _, f := range inv.Files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if f.Kind == KindInvitations {
			name, slug, err := owner(ctx, f, opt.MaxFileBytes, mapping)
			if err != nil {
				return nil, err
			}
			if name != "" {
				if inv.AccountName != "" && !sameAccount(inv.AccountName, inv.AccountSlug, name, slug) {
					return nil, unvite.Errorf(unvite.EINVALID, "%s and %s are exports of different accounts (%s, %s): import them separately",
						ownerFile, f.Name, inv.AccountName, name)
				}
				if inv.AccountName == "" || inv.AccountSlug == "" && slug != "" {
					inv.AccountName, inv.AccountSlug, ownerFile = name, slug, f.Name
				}
			}
		}
	}
	return inv, nil
}

func sameAccount(name1, slug1, name2, slug2 string) bool {
	if slug1 != "" && slug2 != "" {
		return slug1 == slug2
	}
	return unvite.NormalizeName(name1) == unvite.NormalizeName(name2)
}

// owner finds the export's owner in the first sent invitation of f (the
// whole file is read only when it holds none).
func owner(ctx context.Context, f File, maxFile int64, mapping map[string]string) (name, slug string, err error) {
	rc, err := f.open(maxFile, nil, nil)
	if err != nil {
		return "", "", err
	}
	defer rc.Close()
	c, err := newCSV(rc, f.Name)
	if err != nil {
		return "", "", err
	}
	r, err := newInvitationsReader(c, mapping)
	if err != nil {
		return "", "", err
	}
	for n := 1; ; n++ {
		if _, err := r.Next(); err == io.EOF {
			break
		} else if err != nil {
			return "", "", err
		}
		if name, _ := r.Account(); name != "" {
			break
		}
		if n%4096 == 0 && ctx.Err() != nil {
			return "", "", ctx.Err()
		}
	}
	name, slug = r.Account()
	return name, slug, nil
}

// Import reads every input into one store import: connections first (so
// the store can match invitees), then invitations, then tracking sheets.
// On any error it rolls the import back, leaving the store as it was.
func Import(ctx context.Context, store unvite.Store, paths []string, opt Options) (unvite.ImportSummary, error) {
	opt = opt.withDefaults()
	var err error
	if opt.Columns, err = checkColumns(opt.Columns); err != nil {
		return unvite.ImportSummary{}, err
	}
	inv := opt.Inventory
	if inv == nil {
		if inv, err = inspect(ctx, paths, opt); err != nil {
			return unvite.ImportSummary{}, err
		}
	}
	if len(inv.Files) == 0 {
		return unvite.ImportSummary{}, unvite.Errorf(unvite.EINVALID, "no files to import")
	}
	// Sheets were only sniffed: check their columns before any work.
	for _, f := range inv.Files {
		if f.Kind == KindSheet {
			if err := checkSheet(f, opt); err != nil {
				return unvite.ImportSummary{}, err
			}
		}
	}
	meta := unvite.ImportMeta{File: label(paths), Snapshot: inv.Has(KindInvitations), AsOf: inv.ExportDate,
		ExpectedRows: expectedRows(inv), Owner: opt.Owner}
	batch, err := store.BeginImport(ctx, opt.AccountID, meta)
	if err != nil {
		return unvite.ImportSummary{}, fmt.Errorf("importer: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			batch.Rollback()
		}
	}()
	run := &run{ctx: ctx, batch: batch, opt: opt, budget: &budget{max: opt.MaxTotalBytes}}
	for _, f := range inv.Files {
		run.total += f.Size
	}
	for _, f := range inv.Files {
		if err := run.file(f); err != nil {
			return unvite.ImportSummary{}, err
		}
	}
	committed = true // Commit rolls back itself when it fails
	sum, err := batch.Commit(ctx)
	if err != nil {
		return sum, fmt.Errorf("importer: %w", err)
	}
	sum.Account = batch.Account()
	if w, err := noMatch(ctx, store, sum); err != nil {
		return sum, fmt.Errorf("importer: %w", err)
	} else if w != "" {
		sum.Warnings = append(sum.Warnings, w)
	}
	sum.Skipped, sum.IgnoredColumns = run.skipped, run.ignored
	return sum, nil
}

// noMatch warns when not one sent invitation of the account is accepted
// although it has connections: the files are likely of two accounts, or
// name people in ways that cannot be matched.
func noMatch(ctx context.Context, store unvite.Store, sum unvite.ImportSummary) (string, error) {
	if sum.Accepted > 0 {
		return "", nil
	}
	// Cheapest first: connections are few, and accepted rows usually are.
	id := sum.Account.ID
	conns, err := store.Connections(ctx, id)
	if err != nil || len(conns) == 0 {
		return "", err
	}
	accepted, err := store.CountInvitations(ctx, unvite.InvitationFilter{AccountID: id, Direction: unvite.Sent,
		Statuses: []unvite.Status{unvite.StatusAccepted}})
	if err != nil || accepted > 0 {
		return "", err
	}
	sent, err := store.CountInvitations(ctx, unvite.InvitationFilter{AccountID: id, Direction: unvite.Sent})
	if err != nil || sent == 0 {
		return "", err
	}
	return fmt.Sprintf("none of the %d sent invitations matched any of the %d connections: are the files of the same account?", sent, len(conns)), nil
}

// mappingUsed checks each column the mapping names is in some file that
// has the field: a misspelt header must not pass unnoticed.
func mappingUsed(files []File, mapping map[string]string) error {
	fields := make([]string, 0, len(mapping))
	for f := range mapping {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	for _, name := range fields {
		h := mapping[name]
		var blame *File // the last file with the field: a sheet before an export
		found := false
		for i, f := range files {
			if !slices.ContainsFunc(fieldsOf(f.Kind), func(s fieldSpec) bool { return s.name == name }) {
				continue
			}
			blame = &files[i]
			if _, ok := columns(f.header)[normKey(h)]; ok {
				found = true
				break
			}
		}
		switch {
		case found:
		case blame != nil:
			return parseErr(blame.Name, blame.headerLine, "", "no column %q for the %s field (header %s)", h, name, showHeader(blame.header))
		default:
			return unvite.Errorf(unvite.EINVALID, "--column %s=%q: no file here has a %s field (%s)", name, h, name, kindsOf(files))
		}
	}
	return nil
}

func kindsOf(files []File) string {
	var s []string
	for _, f := range files {
		s = append(s, fmt.Sprintf("%s is %s", f.Name, f.Kind.describe()))
	}
	return strings.Join(s, "; ")
}

// expectedRows estimates the invitation rows from the files' sizes: rows
// of real exports take 80 to 250 bytes, more with long notes.
func expectedRows(inv *Inventory) int {
	var n int64
	for _, f := range inv.Files {
		if f.Kind == KindInvitations {
			n += f.Size / 80
		}
	}
	return int(n)
}

// label names the import for the audit log: the inputs' base names.
func label(paths []string) string {
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = filepath.Base(p)
	}
	return strings.Join(names, "+")
}

func checkSheet(f File, opt Options) error {
	rc, err := f.open(opt.MaxFileBytes, nil, nil)
	if err != nil {
		return err
	}
	defer rc.Close()
	c, err := newCSV(rc, f.Name)
	if err != nil {
		return err
	}
	_, err = newSheetReader(c, opt.Columns)
	return err
}

// run is one Import in progress.
type run struct {
	ctx         context.Context
	batch       unvite.ImportBatch
	opt         Options
	budget      *budget
	done, total int64
	skipped     []unvite.SkippedRows
	ignored     []unvite.IgnoredColumns
}

// reader is what every file's reader tells of what it left out.
type reader interface {
	Skipped() []unvite.SkippedRows
	Ignored() []string
}

// leftOut notes what a file's reader skipped and ignored.
func (r *run) leftOut(f File, rd reader) {
	r.skipped = append(r.skipped, rd.Skipped()...)
	if ig := rd.Ignored(); len(ig) > 0 {
		r.ignored = append(r.ignored, unvite.IgnoredColumns{File: f.Name, Columns: ig})
	}
}

func (r *run) progress(n int64) {
	r.done += n
	if r.opt.Progress != nil {
		r.opt.Progress(min(r.done, r.total), r.total)
	}
}

func (r *run) file(f File) error {
	rc, err := f.open(r.opt.MaxFileBytes, r.budget, r.progress)
	if err != nil {
		return err
	}
	defer rc.Close()
	c, err := newCSV(rc, f.Name)
	if err != nil {
		return err
	}
	switch f.Kind {
	case KindConnections:
		cr, err := newConnectionsReader(c, r.opt.Columns)
		if err != nil {
			return err
		}
		defer r.leftOut(f, cr)
		return r.each(f, func() error {
			c, err := cr.Next()
			if err != nil {
				return err
			}
			return r.stored(f, cr.Line(), r.batch.PutConnection(r.ctx, c))
		})
	case KindInvitations:
		ir, err := newInvitationsReader(c, r.opt.Columns)
		if err != nil {
			return err
		}
		defer r.leftOut(f, ir)
		return r.each(f, func() error {
			inv, err := ir.Next()
			if err != nil {
				return err
			}
			inv.AccountID = r.batch.Account().ID
			return r.stored(f, ir.Line(), r.batch.PutInvitation(r.ctx, inv))
		})
	case KindSheet:
		sr, err := newSheetReader(c, r.opt.Columns)
		if err != nil {
			return err
		}
		defer r.leftOut(f, sr)
		return r.each(f, func() error {
			row, err := sr.Next()
			if err != nil {
				return err
			}
			_, err = r.batch.PutTracked(r.ctx, row)
			return r.stored(f, sr.Line(), err)
		})
	}
	return fmt.Errorf("importer: %s: unknown kind %q", f.Name, f.Kind)
}

// each calls step until io.EOF, checking for cancellation now and then.
func (r *run) each(f File, step func() error) error {
	for n := 1; ; n++ {
		if n%1024 == 0 {
			if err := r.ctx.Err(); err != nil {
				return fmt.Errorf("importer: %s: %w", f.Name, err)
			}
		}
		if err := step(); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
	}
}

// stored gives a store's error the file and line of the row it refused.
func (r *run) stored(f File, line int, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("importer: %s: line %d: %w", f.Name, line, err)
}
