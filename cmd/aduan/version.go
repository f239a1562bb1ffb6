package main

import (
	"context"
	"fmt"
	"io"
	"runtime"

	"github.com/aduan-gateway/aduan/store"
)

func init() {
	c := &command{
		name:    "version",
		summary: "print the version of this binary",
		usage: `Usage: aduan version

Prints the build version, the Go version and the database schema version the
binary expects.`,
	}
	c.run = func(_ context.Context, args []string, stdout, stderr io.Writer) error {
		if err := newFlags(c, stderr).Parse(args); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "aduan %s (%s, schema %d)\n", version, runtime.Version(), store.LatestVersion())
		return nil
	}
	register(c)
}
