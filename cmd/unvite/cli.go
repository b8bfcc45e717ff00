package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/alecthomas/kong"
	"golang.org/x/term"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/postgres"
	"github.com/unvite/unvite/printable"
	"github.com/unvite/unvite/sqlite"
)

// env is the outside world a run sees; tests pass their own.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	now            func() time.Time // nil: time.Now
}

// CLI is the whole command line. Each sub-command is a struct with Run.
type CLI struct {
	DB    string `help:"Database: a SQLite file (default: $XDG_DATA_HOME/unvite/unvite.db) or a postgres:// URL." env:"UNVITE_DB" placeholder:"FILE|URL"`
	Debug bool   `help:"Log debug details to stderr (never secrets)."`

	Import      ImportCmd      `cmd:"" help:"Import LinkedIn's data export (the zip, or Invitations.csv / Connections.csv) or a tracking sheet."`
	Invitations InvitationsCmd `cmd:"" help:"List and inspect invitations."`
	Plan        PlanCmd        `cmd:"" help:"Show what the policy would withdraw, in order, and why. Changes nothing."`
	Stats       StatsCmd       `cmd:"" help:"Pending vs cap, age buckets, acceptance with and without a note."`
	Report      ReportCmd      `cmd:"" help:"Acceptance analytics: time to acceptance, when pending ones stop being worth keeping, rates by group; HTML and SVG charts."`
	Reconnect   ReconnectCmd   `cmd:"" help:"People whose re-invite cool-down is over."`
	Export      ExportCmd      `cmd:"" help:"Write invitations as CSV (safe for spreadsheets) or JSON."`
	Tag         TagCmd         `cmd:"" help:"Add or remove tags on invitations."`
	Protect     ProtectCmd     `cmd:"" help:"Protect invitations from any policy withdrawal (or --off to lift it)."`
	Log         LogCmd         `cmd:"" help:"Show the audit log."`
	Policy      PolicyCmd      `cmd:"" help:"Show, check or write the withdrawal policy file."`
	Account     AccountCmd     `cmd:"" help:"Manage connected LinkedIn accounts."`
	Sync        SyncCmd        `cmd:"" help:"Pull sent invitations from LinkedIn into the store."`
	Sandbox     SandboxCmd     `cmd:"" help:"Run a local server that speaks LinkedIn's protocol, for trying unvite safely."`
	Demo        DemoCmd        `cmd:"" help:"Try everything with no LinkedIn account: a sandbox member, the dashboard and the engine, in a temporary directory."`
	Withdraw    WithdrawCmd    `cmd:"" help:"Queue withdrawals: the policy's plan (--plan) or chosen invitations; unvite serve carries them out."`
	Serve       ServeCmd       `cmd:"" help:"Run the dashboard and the jobs: periodic syncs, plans of enabled policies, paced withdrawals, re-invites."`
	Jobs        JobsCmd        `cmd:"" help:"Show or cancel jobs."`
	Reinvite    ReinviteCmd    `cmd:"" help:"Invite someone again after the cool-down (explicit only)."`
	Migrate     MigrateCmd     `cmd:"" help:"Bring the database's schema up to date (every command does on opening), or show where it stands (--status)."`
}

// app is what every command's Run receives. Its stdout and stderr clean
// what passes through them (see package printable), so no text output can
// carry a terminal escape from the data; rawOut and rawErr are the streams
// underneath, for JSON (printJSON escapes it, losslessly) and for progress
// lines that draw with escape codes of their own.
type app struct {
	env
	rawOut, rawErr io.Writer
	cli            *CLI
	log            *slog.Logger
	store          unvite.Store
	// adminPassword is the first admin's password chosen at serve's prompt;
	// "" leaves it to the environment or a generated one.
	adminPassword string
}

func (a *app) now() time.Time {
	if a.env.now != nil {
		return a.env.now()
	}
	return time.Now()
}

// dataDir is where unvite keeps its database and key file (XDG).
func (a *app) dataDir() string {
	if d := a.getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "unvite")
	}
	if h := a.getenv("HOME"); h != "" {
		return filepath.Join(h, ".local", "share", "unvite")
	}
	return "unvite-data"
}

func (a *app) configDir() string {
	if d := a.getenv("XDG_CONFIG_HOME"); d != "" {
		return filepath.Join(d, "unvite")
	}
	if h := a.getenv("HOME"); h != "" {
		return filepath.Join(h, ".config", "unvite")
	}
	return "unvite-config"
}

// open opens the store, which must exist: a SQLite file by default, or
// PostgreSQL when --db is a postgres:// URL (many processes, many
// accounts). Commands that only read or change what is stored use it, and
// create nothing.
func (a *app) open(ctx context.Context) (unvite.Store, error) {
	return a.openStore(ctx, false)
}

// create opens the store, creating the database when it is missing: for
// the commands that bring data in (import, account add).
func (a *app) create(ctx context.Context) (unvite.Store, error) {
	return a.openStore(ctx, true)
}

func (a *app) openStore(ctx context.Context, create bool) (unvite.Store, error) {
	if a.store != nil {
		return a.store, nil
	}
	path := a.cli.DB
	if path == "" {
		path = filepath.Join(a.dataDir(), "unvite.db")
	}
	var err error
	if isPostgresURL(path) {
		open := postgres.OpenExisting
		if create {
			open = postgres.Open
		}
		var s *postgres.DB
		if s, err = open(ctx, path); err == nil && a.env.now != nil {
			s.Now = a.env.now
		}
		a.store = s
	} else {
		open := sqlite.OpenExisting
		if create {
			open = sqlite.Open
		}
		var s *sqlite.DB
		if s, err = open(ctx, path); err == nil && a.env.now != nil {
			s.Now = a.env.now
		}
		a.store = s
	}
	if err != nil {
		a.store = nil
		return nil, err
	}
	return a.store, nil
}

func isPostgresURL(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// sqlitePath is the SQLite database file, or "" for PostgreSQL.
func (a *app) sqlitePath() string {
	if isPostgresURL(a.cli.DB) {
		return ""
	}
	if a.cli.DB == "" {
		return filepath.Join(a.dataDir(), "unvite.db")
	}
	return a.cli.DB
}

// account resolves --account, or the only account there is.
func (a *app) account(ctx context.Context, ref string) (*unvite.Account, error) {
	s, err := a.open(ctx)
	if err != nil {
		return nil, err
	}
	if ref != "" {
		return s.FindAccount(ctx, ref)
	}
	list, err := s.Accounts(ctx)
	if err != nil {
		return nil, err
	}
	switch len(list) {
	case 0:
		return nil, unvite.Errorf(unvite.ENOTFOUND, "no account yet: run `unvite import <export.zip>` or `unvite account add`")
	case 1:
		return list[0], nil
	}
	var names []string
	for _, acc := range list {
		names = append(names, fmt.Sprintf("%d (%s)", acc.ID, acc.Name))
	}
	return nil, unvite.Errorf(unvite.EINVALID, "%d accounts: choose one with --account: %s", len(list), strings.Join(names, ", "))
}

// printJSON writes v as JSON: indented for a person at a terminal, compact
// for a script (large plans print several times faster). encoding/json
// leaves C1 controls and bidi overrides raw in strings: printable.JSON
// escapes them, so the data stays exact and the terminal safe.
func (a *app) printJSON(v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	if f, ok := a.rawOut.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		enc.SetIndent("", "  ")
	}
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := a.rawOut.Write(printable.JSON(buf.Bytes()))
	return err
}

// run parses args and runs one command; it returns the exit code:
// 0 success, 1 an error (one line on stderr), 2 a usage error.
func run(ctx context.Context, args []string, e env) int {
	rawOut, rawErr := e.stdout, e.stderr
	out, errOut := printable.NewWriter(rawOut), printable.NewWriter(rawErr)
	defer errOut.Flush()
	defer out.Flush()
	e.stdout, e.stderr = out, errOut
	var cli CLI
	exit := -1
	parser, err := kong.New(&cli,
		kong.Name("unvite"),
		kong.Description("Manage LinkedIn sent invitations: see what is stale, plan withdrawals from a readable policy, reconnect after the cool-down."),
		kong.UsageOnError(),
		kong.Writers(e.stdout, e.stderr),
		kong.Exit(func(code int) { exit = code; panic(exitPanic{}) }),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
	)
	if err != nil {
		fmt.Fprintf(e.stderr, "unvite: %v\n", err)
		return 2
	}
	kctx, done := parse(parser, args, &exit)
	if done {
		return exit
	}
	level := slog.LevelWarn
	if cli.Debug {
		level = slog.LevelDebug
	}
	a := &app{env: e, rawOut: rawOut, rawErr: rawErr, cli: &cli, log: slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))}
	defer func() {
		if a.store != nil {
			a.store.Close()
		}
	}()
	kctx.BindTo(ctx, (*context.Context)(nil))
	if err := kctx.Run(a); err != nil {
		msg := err.Error()
		if errors.Is(err, context.Canceled) {
			msg = "interrupted; nothing half-written was kept"
		}
		fmt.Fprintf(a.stderr, "unvite: %s\n", strings.ReplaceAll(msg, "\n", " "))
		return 1
	}
	return 0
}

type exitPanic struct{}

// parse runs kong's parser, turning its exit calls (after --help or a usage
// error) into a return instead of ending the process, so tests can run it.
func parse(p *kong.Kong, args []string, exit *int) (kctx *kong.Context, done bool) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(exitPanic); !ok {
				panic(r)
			}
			done = true
		}
	}()
	kctx, err := p.Parse(args)
	if err != nil {
		p.Errorf("%s", err)
		*exit = 2
		return nil, true
	}
	return kctx, false
}
