package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/aduan-gateway/aduan/core/calendar"
	"github.com/aduan-gateway/aduan/core/complaint"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/workflow"
	"github.com/aduan-gateway/aduan/store"
)

// complaintActions are the workflow's actions as subcommands.
var complaintActions = map[string]workflow.Action{
	"verify": workflow.Verify, "return": workflow.Return, "redirect": workflow.Redirect,
	"postpone": workflow.Postpone, "resume": workflow.Resume, "assign": workflow.Assign,
	"follow-up": workflow.FollowUp, "resolve": workflow.Resolve, "archive": workflow.Archive,
}

func init() {
	c := &command{
		name:    "complaint",
		summary: "list, show and handle complaints (verify, follow up, resolve, archive …)",
		usage: `Usage:
  aduan complaint list [--json] [--limit N] [--status S] [--class A|B|C] [--category CODE]
                       [--channel CH] [--due overdue|near|on_track] [--search TEXT]
  aduan complaint show TICKET [--json]
  aduan complaint verify TICKET --class A|B|C --category CODE [--note T] --as USER
  aduan complaint return|redirect|postpone TICKET --reason T --as USER
  aduan complaint resume TICKET --as USER
  aduan complaint assign TICKET --to USER --as USER
  aduan complaint follow-up TICKET --text T [--inspection-date YYYY-MM-DD --place P
                       --officers O --findings F] --as USER
  aduan complaint resolve TICKET --result T --as USER
  aduan complaint archive TICKET --as USER
  aduan complaint berita-acara TICKET --out FILE.pdf
  aduan complaint publish TICKET --decision publish|withhold --reason T [--summary T] --as USER

Flags may come before or after the ticket. Each action acts as the named
user and is refused (exit status 1) when their role may not take it or the
complaint's status does not allow it; verifikator verifies, classifies,
returns and redirects; koordinator is assigned, follows up and resolves;
admin archives; pimpinan or admin decide whether a finished complaint's
result is published (uji konsekuensi; --summary, written for the public,
is required to publish). NIKs are always shown masked (1971xxxxxxxx0003); times are
in WIB.`,
	}
	c.run = func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
		if done, err := subcommandUsage(c, args, stderr); done {
			return err
		}
		sub, args := args[0], args[1:]
		switch {
		case sub == "list":
			return complaintList(ctx, c, args, stdout, stderr)
		case sub == "show":
			return complaintShow(ctx, c, args, stdout, stderr)
		case sub == "berita-acara":
			return complaintBeritaAcara(ctx, c, args, stdout, stderr)
		case sub == "publish":
			return complaintPublish(ctx, c, args, stdout, stderr)
		}
		if a, ok := complaintActions[sub]; ok {
			return complaintAct(ctx, c, a, args, stdout, stderr)
		}
		fmt.Fprintf(stderr, "aduan complaint: unknown subcommand %q\n\n", sub)
		newFlags(c, stderr).Usage()
		return errUsage
	}
	register(c)
}

// parseMixed parses flags that may come before or after the positional
// arguments, which it returns.
func parseMixed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// oneTicket parses args that name exactly one ticket.
func oneTicket(fs *flag.FlagSet, args []string) (string, error) {
	pos, err := parseMixed(fs, args)
	if err != nil {
		return "", err
	}
	if len(pos) != 1 {
		fs.Usage()
		return "", errUsage
	}
	return strings.ToUpper(strings.TrimSpace(pos[0])), nil
}

func complaintList(ctx context.Context, c *command, args []string, stdout, stderr io.Writer) error {
	fs := newFlags(c, stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	limit := fs.Int("limit", 50, "list at most this many complaints")
	status := fs.String("status", "", "only complaints in this status (e.g. menunggu_verifikasi)")
	class := fs.String("class", "", "only this deadline class (A, B or C)")
	category := fs.String("category", "", "only this category code")
	channel := fs.String("channel", "", "only this channel")
	due := fs.String("due", "", "only open complaints overdue, near (≤ 1 working day left) or on_track")
	search := fs.String("search", "", "ticket, complaint text or reporter name contains this")
	if pos, err := parseMixed(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		fs.Usage()
		return errUsage
	}
	f := store.ComplaintFilter{Limit: *limit, Category: *category, Channel: event.Channel(*channel), Search: *search}
	if *status != "" {
		st, ok := workflow.ParseStatus(*status)
		if !ok {
			return fmt.Errorf("unknown status %q", *status)
		}
		f.Statuses = []workflow.Status{st}
	}
	if *class != "" {
		cl, err := workflow.ParseClass(*class)
		if err != nil {
			return err
		}
		f.Class = cl
	}
	st, svc, err := loadComplaints(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if *due != "" {
		ds, err := complaint.ParseDueState(*due)
		if err != nil {
			return err
		}
		if f.DueFrom, f.DueBy, err = svc.DueBounds(ds, time.Now()); err != nil {
			return err
		}
		if len(f.Statuses) == 0 {
			f.Statuses = workflow.OpenStatuses()
		}
	}
	list, err := st.ListComplaints(ctx, f)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, list)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TICKET\tCHANNEL\tSTATUS\tCLASS\tDUE\tRECEIVED (WIB)\tREPORTER\tNIK")
	for _, cp := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", cp.Ticket, cp.Channel, cp.Status, orDash(string(cp.Class)),
			orDash(cp.DueDate), wibTime(cp.ReceivedAt), printable(cp.ReporterName), cp.NIKMasked)
	}
	return tw.Flush()
}

func complaintShow(ctx context.Context, c *command, args []string, stdout, stderr io.Writer) error {
	fs := newFlags(c, stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	ticket, err := oneTicket(fs, args)
	if err != nil {
		return err
	}
	_, st, err := loadStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	cp, err := st.ComplaintFile(ctx, ticket)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no complaint with ticket %s", ticket)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, cp)
	}
	fmt.Fprintf(stdout, "Ticket:    %s\nChannel:   %s\nStatus:    %s (%s)\nReceived:  %s\nReporter:  %s\nNIK:       %s\n",
		cp.Ticket, cp.Channel, cp.Status, cp.Status.Label(), wibTime(cp.ReceivedAt), printable(cp.ReporterName),
		orDash(cp.NIKMasked))
	if cp.Class != "" {
		fmt.Fprintf(stdout, "Class:     %s (%d working days)\nCategory:  %s\nDue:       %s\n",
			cp.Class, cp.Class.WorkingDays(), cp.Category, cp.DueDate)
	}
	if cp.Assignee != "" {
		fmt.Fprintf(stdout, "Assignee:  %s\n", printable(cp.Assignee))
	}
	fmt.Fprintf(stdout, "\n%s\n", printable(cp.Text))
	for _, a := range cp.Additions {
		fmt.Fprintf(stdout, "\n+ %s\n", printable(a))
	}
	if cp.Result != "" {
		fmt.Fprintf(stdout, "\nResult: %s\n", printable(cp.Result))
	}
	fmt.Fprintln(stdout, "\nTimeline:")
	for _, s := range cp.Timeline {
		line := fmt.Sprintf("  %s  %-10s %-20s %s", wibTime(s.At), s.Action, s.Actor, s.To)
		if s.Note != "" {
			line += ": " + s.Note
		}
		fmt.Fprintln(stdout, printable(line))
	}
	return nil
}

func complaintAct(ctx context.Context, c *command, a workflow.Action, args []string, stdout, stderr io.Writer) error {
	fs := newFlags(c, stderr)
	as := fs.String("as", "", "act as this user (required)")
	req := complaint.Request{Action: a}
	var class, inspectionDate, place, officers, findings string
	switch a {
	case workflow.Verify:
		fs.StringVar(&class, "class", "", "deadline class: A (5 working days), B (14) or C (60)")
		fs.StringVar(&req.Category, "category", "", "category code (see the categories in the admin inbox)")
		fs.StringVar(&req.Note, "note", "", "a remark for the timeline")
	case workflow.Return, workflow.Redirect, workflow.Postpone:
		fs.StringVar(&req.Reason, "reason", "", "why (told to the reporter; required)")
	case workflow.Assign:
		fs.StringVar(&req.AssignTo, "to", "", "the koordinator's user name")
	case workflow.FollowUp:
		fs.StringVar(&req.Text, "text", "", "what was done (required)")
		fs.StringVar(&inspectionDate, "inspection-date", "", "date of a field inspection (YYYY-MM-DD)")
		fs.StringVar(&place, "place", "", "where the field inspection was")
		fs.StringVar(&officers, "officers", "", "who inspected")
		fs.StringVar(&findings, "findings", "", "what the inspection found")
	case workflow.Resolve:
		fs.StringVar(&req.Text, "result", "", "the result, told to the reporter (required)")
	}
	ticket, err := oneTicket(fs, args)
	if err != nil {
		return err
	}
	if *as == "" {
		return errors.New("--as USER is required: actions are taken by a named user")
	}
	if class != "" {
		if req.Class, err = workflow.ParseClass(class); err != nil {
			return err
		}
	}
	if inspectionDate != "" || place != "" || officers != "" || findings != "" {
		req.Inspection = &complaint.Inspection{Date: inspectionDate, Place: place, Officers: officers, Findings: findings}
	}
	st, svc, err := loadComplaints(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if req.Actor, err = actorNamed(ctx, st, *as); err != nil {
		return err
	}
	req.Ticket = ticket
	out, err := svc.Act(ctx, st, req)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no complaint with ticket %s", ticket)
	}
	if err != nil {
		return err
	}
	cp := out.Complaint
	fmt.Fprintf(stdout, "%s: %s\n", cp.Ticket, cp.Status)
	if cp.DueDate != "" && a == workflow.Verify {
		fmt.Fprintf(stdout, "class %s, category %s, due %s\n", cp.Class, cp.Category, cp.DueDate)
	}
	if out.Told != "" {
		fmt.Fprintln(stdout, "the reporter is told on their channel")
	}
	return nil
}

// actorNamed is the enabled user name as the workflow knows them.
func actorNamed(ctx context.Context, st *store.Store, name string) (workflow.Actor, error) {
	u, err := st.UserByName(ctx, name)
	if errors.Is(err, store.ErrNotFound) || err == nil && u.Disabled {
		return workflow.Actor{}, fmt.Errorf("no enabled user %q", name)
	}
	if err != nil {
		return workflow.Actor{}, err
	}
	role, ok := workflow.ParseRole(string(u.Role))
	if !ok {
		return workflow.Actor{}, fmt.Errorf("user %q has no known role", name)
	}
	return workflow.Actor{Name: u.Username, Role: role}, nil
}

func complaintBeritaAcara(ctx context.Context, c *command, args []string, stdout, stderr io.Writer) error {
	fs := newFlags(c, stderr)
	out := fs.String("out", "", "write the PDF to this file (- for standard output; required)")
	ticket, err := oneTicket(fs, args)
	if err != nil {
		return err
	}
	if *out == "" {
		return errors.New("--out FILE.pdf is required")
	}
	_, st, err := loadStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	number, pdf, err := st.BeritaAcara(ctx, ticket)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("complaint %s has no berita acara (it is made when the complaint is resolved)", ticket)
	}
	if err != nil {
		return err
	}
	if *out == "-" {
		_, err = stdout.Write(pdf)
		return err
	}
	if err := os.WriteFile(*out, pdf, 0o600); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "%s written to %s\n", number, *out)
	return nil
}

// wibTime writes t in the office's time zone, with the zone.
func wibTime(t time.Time) string { return t.In(calendar.WIB).Format("2006-01-02 15:04 MST") }

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// printable keeps terminal control sequences in stored text from acting on
// the officer's terminal.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || unicode.Is(unicode.Bidi_Control, r) {
			return '?'
		}
		return r
	}, s)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
