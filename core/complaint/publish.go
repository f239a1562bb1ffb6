package complaint

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/workflow"
	"github.com/aduan-gateway/aduan/store"
)

// PublishRequest is an uji konsekuensi decision on a finished complaint.
type PublishRequest struct {
	Ticket   string
	Decision workflow.Decision
	// Reason says why the result may or may not be made public (internal).
	Reason string
	// Summary is the publication summary written for the public, separate
	// from the internal result; required to publish.
	Summary string
	Actor   workflow.Actor
}

// MaxSummary bounds a publication summary.
const MaxSummary = 2000

// longNumber is a run of ten or more digits, separators allowed: a NIK, a
// KK number or a phone number has no place in a public summary.
var longNumber = regexp.MustCompile(`\d(?:[ .\-]?\d){9,}`)

// Decide records an uji konsekuensi decision in one transaction: the
// decision (superseding the complaint's earlier one, which is kept), a
// timeline step, an audit row and, when published, aduan.complaint.published
// with the summary, or when a published result is withheld,
// aduan.complaint.unpublished. A summary naming the reporter or carrying a long number
// is refused: published results carry no personal data.
func (s *Service) Decide(ctx context.Context, st *store.Store, req PublishRequest) (*store.PublicationDecision, error) {
	var out *store.PublicationDecision
	err := st.InTx(ctx, func(tx *store.Tx) error {
		c, err := tx.LockComplaint(ctx, req.Ticket)
		if err != nil {
			return err
		}
		out, err = s.decide(ctx, tx, c, req)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("publication decision on %s: %w", req.Ticket, err)
	}
	return out, nil
}

func (s *Service) decide(ctx context.Context, tx *store.Tx, c *store.ComplaintState, req PublishRequest) (*store.PublicationDecision, error) {
	if _, ok := workflow.ParseDecision(string(req.Decision)); !ok {
		return nil, refuse("no_decision", "unknown decision %q: publish or withhold", req.Decision)
	}
	if err := workflow.CheckDecision(c.Status, req.Actor); err != nil {
		return nil, workflowRefusal(err)
	}
	reason, summary := strings.TrimSpace(req.Reason), strings.TrimSpace(req.Summary)
	switch {
	case reason == "":
		return nil, refuse("no_reason", "a publication decision needs a reason")
	case utf8.RuneCountInString(reason) > MaxText:
		return nil, refuse("too_long", "reason longer than %d characters", MaxText)
	case utf8.RuneCountInString(summary) > MaxSummary:
		return nil, refuse("too_long", "summary longer than %d characters", MaxSummary)
	case req.Decision == workflow.Publish && summary == "":
		return nil, refuse("no_summary", "publishing needs a summary written for the public")
	}
	if summary != "" {
		if err := s.checkSummary(ctx, tx, c, summary); err != nil {
			return nil, err
		}
	}
	now := s.now()
	d := &store.PublicationDecision{Decision: req.Decision, Reason: reason, Summary: summary,
		DecidedBy: req.Actor.Name, DecidedAt: now}
	was, err := tx.AddPublicationDecision(ctx, c.ID, d)
	if err != nil {
		return nil, err
	}
	if err := tx.AddStep(ctx, c.ID, store.Step{At: now, Actor: req.Actor.Name, Action: string(req.Decision),
		From: c.Status, To: c.Status, Note: reason}); err != nil {
		return nil, err
	}
	if err := tx.Audit(ctx, req.Actor.Name, "complaint."+string(req.Decision), "complaint", c.Ticket,
		map[string]any{"decision_id": d.ID, "status": c.Status}); err != nil {
		return nil, err
	}
	ev := &event.Complaint{ID: event.NewID(), Kind: event.ComplaintPublished, Ticket: c.Ticket,
		Status: string(c.Status), Channel: c.Channel, ExternalRef: c.ExternalRef,
		Note: summary, Actor: req.Actor.Name, OccurredAt: now}
	switch {
	case req.Decision == workflow.Publish:
	case was == workflow.Publish:
		// What was public is taken down: readers of the published results
		// (mirrors, civic tools) must hear of it. The reason stays internal.
		ev.Kind, ev.Note = event.ComplaintUnpublished, ""
	default:
		return d, nil // nothing was public, nothing changes for readers
	}
	return d, Enqueue(ctx, tx, ev, ev.Subject(), ev.ID)
}

// checkSummary refuses a summary that names the reporter, gives their
// address or carries a number shaped like a NIK or a phone number.
func (s *Service) checkSummary(ctx context.Context, tx *store.Tx, c *store.ComplaintState, summary string) error {
	if longNumber.MatchString(summary) {
		return refuse("personal_data", "the summary carries a long number (a NIK, KK or phone number?): "+
			"published results carry no personal data")
	}
	r, err := tx.Reporter(ctx, c.Reporter)
	if err != nil {
		return err
	}
	low := strings.ToLower(summary)
	for _, v := range []string{r.Name, r.ProfileName, r.Address} {
		if v = strings.ToLower(strings.TrimSpace(v)); utf8.RuneCountInString(v) >= 4 && strings.Contains(low, v) {
			return refuse("personal_data", "the summary names the reporter or their address: "+
				"published results carry no personal data")
		}
	}
	return nil
}
