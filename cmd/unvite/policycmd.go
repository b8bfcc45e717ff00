package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/policy"
)

// PolicyCmd is `unvite policy`.
type PolicyCmd struct {
	Show  PolicyShowCmd  `cmd:"" help:"Show the policy in force for an account, and what it will do."`
	Check PolicyCheckCmd `cmd:"" help:"Check the policy file: errors and warnings, by field."`
	Init  PolicyInitCmd  `cmd:"" help:"Write a commented policy file with the defaults."`
	Set   PolicySetCmd   `cmd:"" help:"Set policy keys for one account, over the policy file (as the dashboard's Accounts → Policy does)."`
}

// PolicyShowCmd is `unvite policy show`.
type PolicyShowCmd struct {
	policyFlags
	Account string `help:"Account (default: the only one; with none, the file's defaults)." short:"a"`
	JSON    bool   `help:"Print JSON for scripts." name:"json"`
}

func (c *PolicyShowCmd) Run(ctx context.Context, a *app) error {
	file, err := policy.Load(a.policyPath(c.policyFlags))
	if err != nil {
		return err
	}
	p, whose := file.For("", 0), "every account"
	if acct, err := a.account(ctx, c.Account); err == nil {
		// With the account's own values (see policy set), as plans use it.
		p, _ = policy.WithValues(file.For(acct.Slug, acct.ID), acct.Policy)
		whose = acct.Name
	} else if c.Account != "" {
		return err
	}
	if c.JSON {
		return a.printJSON(p)
	}
	fmt.Fprintf(a.stdout, "Policy for %s (from %s):\n\n", whose, a.policySource(c.policyFlags))
	fmt.Fprintln(a.stdout, policy.Explain(p))
	return nil
}

func (a *app) policySource(f policyFlags) string {
	path := a.policyPath(f)
	if _, err := os.Stat(path); err != nil {
		return "built-in defaults; no file at " + path
	}
	return path
}

// PolicyCheckCmd is `unvite policy check`.
type PolicyCheckCmd struct {
	policyFlags
	JSON bool `help:"Print JSON for scripts." name:"json"`
}

func (c *PolicyCheckCmd) Run(ctx context.Context, a *app) error {
	path := a.policyPath(c.policyFlags)
	file, err := policy.Load(path)
	if err != nil {
		return err
	}
	problems := file.CheckAll()
	if c.JSON {
		if err := a.printJSON(map[string]any{"file": path, "problems": problems}); err != nil {
			return err
		}
	} else {
		for _, p := range problems {
			fmt.Fprintln(a.stdout, p.String())
		}
	}
	if errs := policy.Errors(problems); len(errs) > 0 {
		return unvite.Errorf(unvite.EINVALID, "%s: %d error(s)", path, len(errs))
	}
	if !c.JSON {
		fmt.Fprintf(a.stdout, "%s: ok (%d warning(s))\n", a.policySource(c.policyFlags), len(problems))
	}
	return nil
}

// PolicyInitCmd is `unvite policy init`.
type PolicyInitCmd struct {
	policyFlags
	Force bool `help:"Overwrite an existing file."`
	JSON  bool `help:"Print JSON for scripts." name:"json"`
}

func (c *PolicyInitCmd) Run(ctx context.Context, a *app) error {
	path := a.policyPath(c.policyFlags)
	b, err := policy.Marshal(policy.Default())
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("policy init: %w", err)
	}
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if c.Force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(path, flags, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return unvite.Errorf(unvite.ECONFLICT, "%s exists already (use --force to overwrite)", path)
	}
	if err != nil {
		return fmt.Errorf("policy init: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("policy init: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("policy init: %w", err)
	}
	if c.JSON {
		return a.printJSON(map[string]string{"wrote": path})
	}
	fmt.Fprintf(a.stdout, "wrote %s\n", path)
	return nil
}

// PolicySetCmd is `unvite policy set`.
type PolicySetCmd struct {
	policyFlags
	Account string   `help:"Account (default: the only one)." short:"a"`
	Values  []string `arg:"" optional:"" help:"KEY=VALUE pairs, as the policy file names the keys (daily_limit=20, protect.tags=vip,friends)."`
	Reset   []string `help:"Give KEY back to the policy file's value." placeholder:"KEY"`
	JSON    bool     `help:"Print JSON for scripts." name:"json"`
}

func (c *PolicySetCmd) Run(ctx context.Context, a *app) error {
	if len(c.Values) == 0 && len(c.Reset) == 0 {
		return unvite.Errorf(unvite.EINVALID, "name what to set, as daily_limit=20, or --reset daily_limit")
	}
	file, err := policy.Load(a.policyPath(c.policyFlags))
	if err != nil {
		return err
	}
	acct, err := a.account(ctx, c.Account)
	if err != nil {
		return err
	}
	fileFor := file.For(acct.Slug, acct.ID)
	vals := map[string]string{}
	for _, kv := range c.Values {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return unvite.Errorf(unvite.EINVALID, "%q: want KEY=VALUE", kv)
		}
		vals[strings.TrimSpace(k)] = v
	}
	for _, k := range c.Reset {
		f, ok := policy.FieldByKey(k)
		if !ok {
			return unvite.Errorf(unvite.EINVALID, "--reset %s: not a policy key", k)
		}
		vals[k] = f.Value(fileFor)
	}
	start, _ := policy.WithValues(fileFor, acct.Policy)
	p, problems := policy.WithValues(start, vals)
	problems = append(problems, policy.Check(p)...)
	if errs := policy.Errors(problems); len(errs) > 0 {
		for _, e := range errs {
			fmt.Fprintln(a.stderr, e.String())
		}
		return unvite.Errorf(unvite.EINVALID, "policy for %s: %d error(s), nothing saved", acct.Name, len(errs))
	}
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	if acct, err = file.Save(ctx, a.store, acct, p, keys, unvite.Change{At: a.now(), Actor: "user", Reason: "policy set from the command line"}); err != nil {
		return err
	}
	if c.JSON {
		return a.printJSON(map[string]any{"account_id": acct.ID, "policy": policy.Values(p), "own": acct.Policy})
	}
	for _, w := range policy.Warnings(problems) {
		fmt.Fprintln(a.stderr, w.String())
	}
	fmt.Fprintf(a.stdout, "Policy for %s saved.\n\n%s\n", acct.Name, policy.Explain(p))
	return nil
}
