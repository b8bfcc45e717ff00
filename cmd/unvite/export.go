package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"

	"github.com/unvite/unvite"
	"github.com/unvite/unvite/printable"
	"github.com/unvite/unvite/spreadsheet"
)

// ExportCmd is `unvite export`.
type ExportCmd struct {
	filterFlags
	Format string `help:"csv (spreadsheet-safe) or json (one object a line)." enum:"csv,json" default:"csv"`
	JSON   bool   `help:"Same as --format json." name:"json"`
}

func (c *ExportCmd) Run(ctx context.Context, a *app) error {
	acct, err := a.account(ctx, c.Account)
	if err != nil {
		return err
	}
	f := c.filter(acct, a.asOf(c.AsOf))
	if c.Format == "json" || c.JSON {
		// One object a line, escaped as printJSON does.
		out := bufio.NewWriter(a.rawOut)
		var line bytes.Buffer
		enc := json.NewEncoder(&line)
		err := a.store.EachInvitation(ctx, f, func(inv *unvite.Invitation) error {
			line.Reset()
			if err := enc.Encode(inv); err != nil {
				return err
			}
			_, err := out.Write(printable.JSON(line.Bytes()))
			return err
		})
		if err != nil {
			return err
		}
		return out.Flush()
	}
	w := spreadsheet.NewWriter(a.stdout)
	w.AsOf = a.asOf(c.AsOf)
	if err := a.store.EachInvitation(ctx, f, w.Write); err != nil {
		return err
	}
	return w.Flush()
}
