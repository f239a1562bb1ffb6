package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/aduan-gateway/aduan/core/stats"
	"github.com/aduan-gateway/aduan/core/stats/export"
)

func init() {
	c := &command{
		name:    "stats",
		summary: "a month's statistics, as the statistics page shows them (text, csv or xlsx)",
		usage: `Usage: aduan stats [--month YYYY-MM] [--format text|csv|xlsx] [--out FILE]

Prints the figures of one month (default: the current month, WIB) that the
statistics page /admin/statistik shows and its CSV and Excel files hold:
complaints received per channel, category and class, deadline compliance,
median working days to finish, the open backlog by due state (now), the
12-month trend and the satisfaction survey. docs/statistics.md defines each.
--format csv and xlsx write the same files as the page's downloads; xlsx
needs --out.`,
	}
	c.run = func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
		fs := newFlags(c, stderr)
		month := fs.String("month", "", "the month, YYYY-MM (default: this month, WIB)")
		format := fs.String("format", "text", "text, csv or xlsx")
		out := fs.String("out", "", "write to this file instead of standard output")
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() > 0 {
			fs.Usage()
			return errUsage
		}
		write, ok := map[string]func(io.Writer, []stats.Table) error{
			"text": export.Text, "csv": export.CSV, "xlsx": export.XLSX}[*format]
		if !ok {
			return fmt.Errorf("--format must be text, csv or xlsx, not %q", *format)
		}
		if *format == "xlsx" && *out == "" {
			return errors.New("--format xlsx needs --out FILE: a workbook is not for the terminal")
		}
		now := time.Now()
		m := stats.MonthOf(now)
		if *month != "" {
			var err error
			if m, err = stats.ParseMonth(*month); err != nil {
				return fmt.Errorf("--month: %w", err)
			}
		}
		st, svc, err := loadComplaints(ctx)
		if err != nil {
			return err
		}
		defer st.Close()
		rep, err := svc.Report(ctx, st, m, now)
		if err != nil {
			return err
		}
		var b bytes.Buffer
		if err := write(&b, rep.Tables()); err != nil {
			return err
		}
		if *out == "" {
			_, err = b.WriteTo(stdout)
			return err
		}
		return os.WriteFile(*out, b.Bytes(), 0o644)
	}
	register(c)
}
