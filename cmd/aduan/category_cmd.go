package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"text/tabwriter"

	"github.com/aduan-gateway/aduan/store"
)

func init() {
	c := &command{
		name:    "category",
		summary: "the complaint categories verifiers choose from (category list | add | disable | enable)",
		usage: `Usage:
  aduan category list [--all]
  aduan category add CODE --label LABEL
  aduan category disable|enable CODE

The verifier files every complaint under one category. The defaults are the
office's programmes (pkh, bpnt, pbi_jk, layanan_petugas, disabilitas,
lansia, anak, pemberdayaan_desa, lainnya). A code is lower-case letters,
digits and underscores; "add" with an existing code changes its label. A
disabled category is no longer offered but stays on the complaints filed
under it. --all lists disabled ones too.`,
	}
	c.run = func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
		if done, err := subcommandUsage(c, args, stderr); done {
			return err
		}
		sub := args[0]
		fs := newFlags(c, stderr)
		all := fs.Bool("all", false, "list: disabled categories too")
		label := fs.String("label", "", "add: the category's name as officers read it")
		pos, err := parseMixed(fs, args[1:])
		if err != nil {
			return err
		}
		want := map[string]int{"list": 0, "add": 1, "disable": 1, "enable": 1}
		if n, ok := want[sub]; !ok || len(pos) != n {
			fs.Usage()
			return errUsage
		}
		_, st, err := loadStore(ctx)
		if err != nil {
			return err
		}
		defer st.Close()
		if sub == "list" {
			list, err := st.Categories(ctx, *all)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "CODE\tLABEL\tSTATE")
			for _, cat := range list {
				state := "active"
				if !cat.Active {
					state = "disabled"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\n", cat.Code, cat.Label, state)
			}
			return tw.Flush()
		}
		code := pos[0]
		if !categoryCode.MatchString(code) {
			return fmt.Errorf("category code %q: use lower-case letters, digits and underscores", code)
		}
		cat := store.Category{Code: code, Label: strings.TrimSpace(*label), Active: sub != "disable"}
		if sub != "add" {
			cur, err := findCategory(ctx, st, code)
			if err != nil {
				return err
			}
			cat.Label = cur.Label
		} else if cat.Label == "" {
			return errors.New("add needs --label")
		}
		if err := st.SaveCategory(ctx, cat); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s (%s): %s\n", cat.Code, cat.Label, map[string]string{
			"add": "saved", "disable": "disabled", "enable": "enabled"}[sub])
		return nil
	}
	register(c)
}

// categoryCode is the form of a category code, as the database checks it.
var categoryCode = regexp.MustCompile(`^[a-z0-9_]+$`)

func findCategory(ctx context.Context, st *store.Store, code string) (*store.Category, error) {
	list, err := st.Categories(ctx, true)
	if err != nil {
		return nil, err
	}
	for _, cat := range list {
		if cat.Code == code {
			return &cat, nil
		}
	}
	return nil, fmt.Errorf("no category %q (aduan category list --all)", code)
}
