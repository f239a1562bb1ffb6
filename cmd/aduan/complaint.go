package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/aduan-gateway/aduan/store"
)

func init() {
	c := &command{
		name:    "complaint",
		summary: "list complaints or show one (complaint list | complaint show TICKET)",
		usage: `Usage:
  aduan complaint list [--json] [--limit N]
  aduan complaint show TICKET [--json]

Lists the newest complaints, or shows one with the information the reporter
added later. NIKs are always shown masked (1971xxxxxxxx0003).`,
	}
	c.run = func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
		if len(args) == 0 || (args[0] != "list" && args[0] != "show") {
			if len(args) > 0 && (args[0] == "--help" || args[0] == "-h") {
				newFlags(c, stderr).Usage()
				return nil
			}
			newFlags(c, stderr).Usage()
			return errUsage
		}
		sub := args[0]
		fs := newFlags(c, stderr)
		asJSON := fs.Bool("json", false, "print JSON")
		limit := fs.Int("limit", 50, "list at most this many complaints")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if sub == "show" && fs.NArg() != 1 {
			fs.Usage()
			return errUsage
		}
		_, st, err := loadStore(ctx)
		if err != nil {
			return err
		}
		defer st.Close()
		if sub == "list" {
			list, err := st.ListComplaints(ctx, *limit)
			if err != nil {
				return err
			}
			if *asJSON {
				return writeJSON(stdout, list)
			}
			tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "TICKET\tCHANNEL\tSTATUS\tRECEIVED\tREPORTER\tNIK")
			for _, c := range list {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", c.Ticket, c.Channel, c.Status,
					c.ReceivedAt.Local().Format(time.DateTime), c.ReporterName, c.NIKMasked)
			}
			return tw.Flush()
		}
		cp, err := st.ComplaintByTicket(ctx, fs.Arg(0))
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("no complaint with ticket %s", fs.Arg(0))
		}
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(stdout, cp)
		}
		fmt.Fprintf(stdout, "Ticket:    %s\nChannel:   %s\nStatus:    %s\nReceived:  %s\nReporter:  %s\nNIK:       %s\n\n%s\n",
			cp.Ticket, cp.Channel, cp.Status, cp.ReceivedAt.Local().Format(time.DateTime), cp.ReporterName, cp.NIKMasked, cp.Text)
		for _, a := range cp.Additions {
			fmt.Fprintf(stdout, "\n+ %s\n", a)
		}
		return nil
	}
	register(c)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
