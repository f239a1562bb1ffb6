package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/identity"
	"github.com/aduan-gateway/aduan/core/privacy"
	"github.com/aduan-gateway/aduan/core/workflow"
	"github.com/aduan-gateway/aduan/store"
)

func init() {
	c := &command{
		name:    "privacy",
		summary: "answer a data-subject request: export or erase what is held about a NIK",
		usage: `Usage:
  aduan privacy export --nik NIK [--out FILE] --as USER
  aduan privacy erase --nik NIK --as USER [--yes]

A data-subject request under UU 27/2022 (Pelindungan Data Pribadi), for the
person with the NIK, answered by an admin (any other role is refused).

export writes everything Aduan holds about the person: their identity with
the NIK whole, how each channel knows them, their conversations and
messages, their complaints with the timeline, and other reporters'
conversations naming them as the person concerned (penerima manfaat). As
JSON on standard output, to FILE, or, when FILE ends in .zip, as an archive
that also holds the files they sent (KTP photos among them; this needs the
running "aduan serve" for the object store).

erase first shows what it would remove; with --yes it removes the person's
name, NIK, address, phone, channel identities, the text of their messages,
their files (KTP photos included, from the object store too) and the free
text of their complaints. Ticket numbers, dates, statuses, class, category
and the berita acara's number stay: docs/privacy.md says what stays and why.
A person with a complaint still open is refused until it is finished.

Both are written to the audit log by reporter id, never with the NIK.`,
	}
	c.run = func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
		if done, err := subcommandUsage(c, args, stderr); done {
			return err
		}
		sub, args := args[0], args[1:]
		fs := newFlags(c, stderr)
		nikFlag := fs.String("nik", "", "the person's NIK, 16 digits (required)")
		as := fs.String("as", "", "act as this user, an admin (required)")
		out := fs.String("out", "", "export: write to this file; .zip adds the files (default: JSON on standard output)")
		yes := fs.Bool("yes", false, "erase: really erase (without it, only show what would go)")
		if sub != "export" && sub != "erase" {
			fmt.Fprintf(stderr, "aduan privacy: unknown subcommand %q\n\n", sub)
			fs.Usage()
			return errUsage
		}
		if pos, err := parseMixed(fs, args); err != nil {
			return err
		} else if len(pos) > 0 {
			fs.Usage()
			return errUsage
		}
		if *as == "" || *nikFlag == "" {
			return errors.New("--nik NIK and --as USER are required")
		}
		// Every NIK stored was accepted by identity.ParseNIK; one it refuses
		// was mistyped.
		parsed, err := identity.ParseNIK(*nikFlag, time.Now())
		if err != nil {
			return err
		}
		nik := parsed.Number
		cfg, st, err := loadStore(ctx)
		if err != nil {
			return err
		}
		defer st.Close()
		actor, err := actorNamed(ctx, st, *as)
		if err != nil {
			return err
		}
		if err := privacy.Authorize(actor); err != nil {
			return err
		}
		// The object store is needed for the files: a zip, or an erasure.
		var files *bus.Bus
		if sub == "erase" && *yes || sub == "export" && strings.HasSuffix(strings.ToLower(*out), ".zip") {
			if files, err = openClientBus(ctx, cfg); err != nil {
				return err
			}
			defer files.Close()
		}
		if sub == "export" {
			return privacyExport(ctx, st, files, actor, nik, *out, stdout, stderr)
		}
		return privacyErase(ctx, st, files, actor, nik, *yes, stdout)
	}
	register(c)
}

func privacyExport(ctx context.Context, st *store.Store, files *bus.Bus, actor workflow.Actor, nik, out string,
	stdout, stderr io.Writer) error {
	if out == "" {
		_, err := privacy.Export(ctx, st, files, actor, nik, stdout, privacy.JSON)
		return err
	}
	format := privacy.JSON
	if files != nil {
		format = privacy.Zip
	}
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	sub, err := privacy.Export(ctx, st, files, actor, nik, f, format)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(out)
		return err
	}
	fmt.Fprintf(stderr, "%s: %s written to %s\n", identity.MaskNIK(nik), describe(sub), out)
	return nil
}

func privacyErase(ctx context.Context, st *store.Store, files *bus.Bus, actor workflow.Actor, nik string, yes bool,
	stdout io.Writer) error {
	masked := identity.MaskNIK(nik)
	if !yes {
		sub, err := privacy.Preview(ctx, st, actor, nik)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: %s.\n", masked, describe(sub))
		if !sub.Empty() {
			fmt.Fprintln(stdout, "Nothing erased yet: run again with --yes to erase (docs/privacy.md says what stays).")
		}
		return nil
	}
	e, err := privacy.Erase(ctx, st, files, actor, nik)
	if errors.Is(err, store.ErrOpenComplaints) {
		return fmt.Errorf("%w; finish them (resolve, redirect or return) before erasing", err)
	}
	if err != nil {
		return err
	}
	if len(e.Reporters) == 0 && e.Concerned == 0 {
		fmt.Fprintf(stdout, "%s: nothing is held about this NIK; nothing erased.\n", masked)
		return nil
	}
	fmt.Fprintf(stdout, "%s erased: %d reporter(s), %d conversation(s), %d message(s) emptied, %d file(s) removed (%d from the object store)",
		masked, len(e.Reporters), e.Conversations, e.Messages, e.Files, len(e.ObjectKeys))
	if e.Concerned > 0 {
		fmt.Fprintf(stdout, ", removed as the person concerned from %d conversation(s)", e.Concerned)
	}
	fmt.Fprintln(stdout, ".")
	if len(e.Complaints) > 0 {
		fmt.Fprintf(stdout, "Complaints kept without their text: %s.\n", strings.Join(e.Complaints, ", "))
	}
	return nil
}

// describe says in a line what is held about a person.
func describe(sub *store.Subject) string {
	if sub.Empty() {
		return "nothing is held about this NIK"
	}
	convs, msgs, files := 0, 0, 0
	for _, r := range sub.Reporters {
		convs += len(r.Conversations)
		for _, c := range r.Conversations {
			msgs += len(c.Messages)
			for _, m := range c.Messages {
				files += len(m.Files)
			}
		}
	}
	s := fmt.Sprintf("%d reporter(s), %d conversation(s), %d message(s), %d file(s)", len(sub.Reporters), convs, msgs, files)
	if len(sub.Concerned) > 0 {
		s += fmt.Sprintf(", the person concerned in %d conversation(s)", len(sub.Concerned))
	}
	if t := sub.Tickets(); len(t) > 0 {
		s += "; complaints " + strings.Join(t, ", ")
	}
	return s
}
