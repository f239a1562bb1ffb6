package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/aduan-gateway/aduan/core/complaint"
	"github.com/aduan-gateway/aduan/core/workflow"
	"github.com/aduan-gateway/aduan/store"
)

// complaintPublish records an uji konsekuensi decision on a finished
// complaint.
func complaintPublish(ctx context.Context, c *command, args []string, stdout, stderr io.Writer) error {
	fs := newFlags(c, stderr)
	as := fs.String("as", "", "decide as this user, pimpinan or admin (required)")
	decision := fs.String("decision", "", "publish or withhold (required)")
	reason := fs.String("reason", "", "why (internal; required)")
	summary := fs.String("summary", "", "the summary the public reads, without personal data (required to publish)")
	ticket, err := oneTicket(fs, args)
	if err != nil {
		return err
	}
	if *as == "" {
		return errors.New("--as USER is required: decisions are taken by a named user")
	}
	d, ok := workflow.ParseDecision(*decision)
	if !ok {
		return fmt.Errorf("--decision must be publish or withhold, not %q", *decision)
	}
	st, svc, err := loadComplaints(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	actor, err := actorNamed(ctx, st, *as)
	if err != nil {
		return err
	}
	out, err := svc.Decide(ctx, st, complaint.PublishRequest{Ticket: ticket, Decision: d,
		Reason: *reason, Summary: *summary, Actor: actor})
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no complaint with ticket %s", ticket)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %s by %s at %s\n", ticket, out.Decision, out.DecidedBy, wibTime(out.DecidedAt))
	return nil
}
