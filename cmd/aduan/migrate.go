package main

import (
	"context"
	"fmt"
	"io"
)

func init() {
	c := &command{
		name:    "migrate",
		summary: "create or upgrade the database schema",
		usage: `Usage: aduan migrate

Creates the database named in ADUAN_DATABASE_URL if it is missing and applies
the SQL migrations embedded in this binary, each in its own transaction.
"aduan serve" does the same at start-up; run this to upgrade ahead of a
deployment or to check that the database is reachable.`,
	}
	c.run = func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
		if err := newFlags(c, stderr).Parse(args); err != nil {
			return err
		}
		_, st, err := loadStore(ctx)
		if err != nil {
			return err
		}
		defer st.Close()
		v, err := st.SchemaVersion(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "database schema at version %d\n", v)
		return nil
	}
	register(c)
}
