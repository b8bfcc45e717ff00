package main

import (
	"context"
	"fmt"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/postgres"
	"github.com/unvite/unvite/sqlite"
)

// MigrateCmd brings the database's schema up to date as a step of its own:
// every command migrates on opening, but an agency upgrading many workers
// migrates once, sees what changed, and then starts the new release.
type MigrateCmd struct {
	Status bool `help:"Only show the schema's version and what would be applied; change nothing."`
	JSON   bool `help:"Print JSON."`
}

func (c *MigrateCmd) Run(ctx context.Context, a *app) error {
	before, err := a.inspectSchema(ctx)
	if c.Status {
		if err != nil {
			return err
		}
		return a.printSchema(before, nil, c.JSON)
	}
	if err != nil && unvite.ErrorCode(err) != unvite.ENOTFOUND {
		return err
	}
	if p, newer := before.Newer(); newer {
		return unvite.Errorf(unvite.EINVALID, "%s: the %s is at version %d, newer than this unvite knows (%d): a newer release migrated it; upgrade unvite",
			before.Database, partLabel(p), p.Version, p.Latest)
	}
	s, err := a.create(ctx)
	if err != nil {
		return err
	}
	after, err := s.(schemaStore).Schema(ctx)
	if err != nil {
		return err
	}
	return a.printSchema(after, &before, c.JSON)
}

// printSchema shows where st stands; with before, what migrating from
// there did.
func (a *app) printSchema(st unvite.SchemaStatus, before *unvite.SchemaStatus, asJSON bool) error {
	if asJSON {
		return a.printJSON(st)
	}
	fmt.Fprintln(a.stdout, st.Database)
	for i, p := range st.Parts {
		label := partLabel(p)
		switch {
		case before != nil && len(before.Parts) == 0:
			fmt.Fprintf(a.stdout, "  %s: created at version %d\n", label, p.Version)
		case before != nil && before.Parts[i].Version != p.Version:
			fmt.Fprintf(a.stdout, "  %s: version %d → %d, applied:\n", label, before.Parts[i].Version, p.Version)
			printNames(a, before.Parts[i].Pending)
		case p.Newer():
			fmt.Fprintf(a.stdout, "  %s: version %d, newer than this unvite knows (%d): upgrade unvite\n", label, p.Version, p.Latest)
		case len(p.Pending) == 0:
			fmt.Fprintf(a.stdout, "  %s: version %d, up to date\n", label, p.Version)
		default:
			fmt.Fprintf(a.stdout, "  %s: version %d of %d; unvite migrate applies:\n", label, p.Version, p.Latest)
			printNames(a, p.Pending)
		}
	}
	return nil
}

// schemaStore is what both stores tell of their schema.
type schemaStore interface {
	Schema(ctx context.Context) (unvite.SchemaStatus, error)
}

// inspectSchema reads where the database's schema stands without opening
// it as a store, which would migrate it. A missing database is ENOTFOUND,
// with an empty status naming it.
func (a *app) inspectSchema(ctx context.Context) (unvite.SchemaStatus, error) {
	if path := a.sqlitePath(); path != "" {
		st, err := sqlite.Inspect(ctx, path)
		if unvite.ErrorCode(err) == unvite.ENOTFOUND {
			st.Database = path
		}
		return st, err
	}
	return postgres.Inspect(ctx, a.cli.DB)
}

// warnNewerSchema tells, in the log, that a newer release migrated the
// database: this one runs on it, but may not know what the newer one
// stores.
func (a *app) warnNewerSchema(ctx context.Context, s unvite.Store) {
	st, err := s.(schemaStore).Schema(ctx)
	if err != nil {
		a.log.Warn("read the database's schema version", "err", err)
		return
	}
	if p, newer := st.Newer(); newer {
		a.log.Warn("a newer release of unvite migrated this database: upgrade unvite", "part", partLabel(p), "version", p.Version, "known", p.Latest)
	}
}

func partLabel(p unvite.SchemaPart) string {
	if p.Name == "river" {
		return "River job tables"
	}
	return p.Name + " schema"
}

func printNames(a *app, names []string) {
	for _, n := range names {
		fmt.Fprintln(a.stdout, "    "+n)
	}
}
