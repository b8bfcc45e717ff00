package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/policy"
)

// PolicyCmd is `unvite policy`.
type PolicyCmd struct {
	Show  PolicyShowCmd  `cmd:"" help:"Show the policy in force for an account, and what it will do."`
	Check PolicyCheckCmd `cmd:"" help:"Check the policy file: errors and warnings, by field."`
	Init  PolicyInitCmd  `cmd:"" help:"Write a commented policy file with the defaults."`
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
		p, whose = file.For(acct.Slug, acct.ID), acct.Name
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
