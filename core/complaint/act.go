package complaint

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aduan-gateway/aduan/core/calendar"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/workflow"
	"github.com/aduan-gateway/aduan/store"
)

// Request is one action on a complaint. Fields that do not apply to the
// action are ignored.
type Request struct {
	Ticket string
	Action workflow.Action
	Actor  workflow.Actor
	// Class and Category: verify.
	Class    workflow.Class
	Category string
	// Reason: return, redirect, postpone (told to the reporter or LAPOR!).
	Reason string
	// AssignTo is a koordinator's user name: assign.
	AssignTo string
	// Text: the follow-up's text, or the result when resolving.
	Text string
	// Inspection: a field inspection recorded with a follow-up.
	Inspection *Inspection
	// Files: photos and documents of a follow-up, already in the object store.
	Files []store.FollowUpFile
	// Note: an optional remark on verify, recorded in the timeline.
	Note string
}

// Inspection is a field inspection (pemeriksaan lapangan).
type Inspection struct {
	Date     string // YYYY-MM-DD
	Place    string
	Officers string
	Findings string
}

// MaxText bounds a reason, follow-up or result.
const MaxText = 8000

// Refused is an action that cannot be taken as asked; Code names why for
// a page ("no_class", "forbidden") and the message says it to a person.
type Refused struct {
	Code string
	Err  error
}

func (e *Refused) Error() string { return e.Err.Error() }
func (e *Refused) Unwrap() error { return e.Err }

func refuse(code, format string, args ...any) error {
	return &Refused{Code: code, Err: fmt.Errorf(format, args...)}
}

// workflowRefusal is err from a workflow check as the caller should see
// it: a rule the actor or the complaint's state breaks is a Refused with
// its code; anything else is returned as it is.
func workflowRefusal(err error) error {
	switch {
	case errors.Is(err, workflow.ErrForbidden):
		return &Refused{Code: "forbidden", Err: err}
	case errors.Is(err, workflow.ErrNotNow):
		return &Refused{Code: "not_now", Err: err}
	case errors.Is(err, workflow.ErrNotAssignee):
		return &Refused{Code: "not_assignee", Err: err}
	}
	return err
}

// Outcome is what an action did.
type Outcome struct {
	Complaint *store.ComplaintState
	// Told is the message sent to the reporter on their channel ("" if none).
	Told string
	// Event is the complaint event published.
	Event *event.Complaint
}

// Act takes action req in one transaction: the complaint's new state, a
// timeline step, an audit row, aduan.complaint.<event> in the outbox and a
// message to the reporter where they should hear of it.
func (s *Service) Act(ctx context.Context, st *store.Store, req Request) (*Outcome, error) {
	var out *Outcome
	err := st.InTx(ctx, func(tx *store.Tx) error {
		c, err := tx.LockComplaint(ctx, req.Ticket)
		if err != nil {
			return err
		}
		out, err = s.apply(ctx, tx, c, req)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", req.Action, req.Ticket, err)
	}
	return out, nil
}

func (s *Service) apply(ctx context.Context, tx *store.Tx, c *store.ComplaintState, req Request) (*Outcome, error) {
	to, err := workflow.Check(workflow.Case{Status: c.Status, Assignee: c.Assignee, PostponedFrom: c.PostponedFrom},
		req.Action, req.Actor)
	if err != nil {
		return nil, workflowRefusal(err)
	}
	if req.Action == workflow.Return && c.Channel == event.ChannelLapor {
		return nil, refuse("lapor_return", "a LAPOR! report cannot go back to its reporter before verification "+
			"(LAPOR! has no such step): verify it and ask in a follow-up, or redirect it")
	}
	req.Reason, req.Text = strings.TrimSpace(req.Reason), strings.TrimSpace(req.Text)
	if utf8.RuneCountInString(req.Reason) > MaxText || utf8.RuneCountInString(req.Text) > MaxText {
		return nil, refuse("too_long", "text longer than %d characters", MaxText)
	}
	if req.Action.NeedsReason() && req.Reason == "" {
		return nil, refuse("no_reason", "%s needs a reason", req.Action)
	}
	now := s.now()
	from := c.Status
	step := store.Step{At: now, Actor: req.Actor.Name, Action: string(req.Action), From: from, To: to,
		Detail: map[string]string{}}
	ev := &event.Complaint{ID: event.NewID(), Kind: event.ComplaintKind(req.Action.Event()), Ticket: c.Ticket,
		Channel: c.Channel, ExternalRef: c.ExternalRef, Actor: req.Actor.Name, OccurredAt: now}
	switch req.Action {
	case workflow.Verify:
		if err := s.verify(ctx, tx, c, req, &step); err != nil {
			return nil, err
		}
		ev.Note = verifiedNote(c)
	case workflow.Return, workflow.Redirect:
		c.Reason, step.Note, ev.Note = req.Reason, req.Reason, req.Reason
	case workflow.Postpone:
		c.Reason, step.Note, ev.Note = req.Reason, req.Reason, req.Reason
		c.PostponedFrom = from
	case workflow.Resume:
		c.PostponedFrom = ""
	case workflow.Assign:
		if req.AssignTo == "" {
			return nil, refuse("no_assignee", "assign needs a koordinator")
		}
		c.Assignee = req.AssignTo
		step.Detail["assignee"] = req.AssignTo
	case workflow.FollowUp:
		if req.Text == "" {
			return nil, refuse("no_text", "a follow-up needs a text")
		}
		if err := s.followUp(ctx, tx, c, req, now); err != nil {
			return nil, err
		}
		step.Note, ev.Note = req.Text, req.Text
		for _, f := range req.Files {
			ev.Attachments = append(ev.Attachments, event.Attachment{Kind: event.KindOfMIME(f.MIME), MIME: f.MIME,
				Filename: f.Filename, Size: f.Size, SHA256: f.SHA256, ObjectKey: f.ObjectKey})
		}
	case workflow.Resolve:
		if req.Text == "" {
			return nil, refuse("no_result", "resolving needs the result")
		}
		c.Result, c.ResolvedAt = req.Text, now
		step.Note, ev.Note = req.Text, req.Text
	case workflow.Archive:
		c.ArchivedAt = now
	}
	if req.Actor.Role == workflow.RoleKoordinator && c.Assignee == "" &&
		(req.Action == workflow.FollowUp || req.Action == workflow.Resolve) {
		c.Assignee = req.Actor.Name // taking an unassigned complaint up makes it theirs
		step.Detail["assignee"] = c.Assignee
	}
	c.Status = to
	if err := tx.SaveComplaintState(ctx, c); err != nil {
		if errors.Is(err, store.ErrNotKoordinator) {
			return nil, &Refused{Code: "not_koordinator", Err: err}
		}
		return nil, err
	}
	if req.Action == workflow.Resolve && s.render != nil {
		if err := s.storeBeritaAcara(ctx, tx, c, req.Actor.Name); err != nil {
			return nil, err
		}
	}
	if err := tx.AddStep(ctx, c.ID, step); err != nil {
		return nil, err
	}
	audit := map[string]any{"from": from, "to": to}
	for k, v := range step.Detail {
		audit[k] = v
	}
	if err := tx.Audit(ctx, req.Actor.Name, "complaint."+string(req.Action), "complaint", c.Ticket, audit); err != nil {
		return nil, err
	}
	ev.Status = string(to)
	if err := Enqueue(ctx, tx, ev, ev.Subject(), ev.ID); err != nil {
		return nil, err
	}
	out := &Outcome{Complaint: c, Event: ev}
	if text := reporterMessage(c, req); text != "" && c.Conversation != 0 && CanMessage(c.Channel) {
		if req.Action == workflow.Resolve {
			q, err := s.askSatisfaction(ctx, tx, c, now)
			if err != nil {
				return nil, err
			}
			if q != "" {
				text += "\n\n" + q
			}
		}
		if _, err := SendToReporter(ctx, tx, c.Conversation, text, req.Actor.Name, 0, now); err != nil {
			return nil, err
		}
		out.Told = text
	}
	return out, nil
}

func (s *Service) verify(ctx context.Context, tx *store.Tx, c *store.ComplaintState, req Request, step *store.Step) error {
	if req.Class == "" {
		return refuse("no_class", "verify needs a deadline class (A, B or C)")
	}
	if _, err := workflow.ParseClass(string(req.Class)); err != nil {
		return &Refused{Code: "no_class", Err: err}
	}
	cat, err := tx.Category(ctx, req.Category)
	if errors.Is(err, store.ErrNotFound) || err == nil && !cat.Active {
		return refuse("no_category", "unknown category %q", req.Category)
	}
	if err != nil {
		return err
	}
	due, err := s.Calendar().Due(c.ReceivedAt, req.Class.WorkingDays())
	if err != nil {
		// A year without holiday data: refused until an admin adds it.
		return &Refused{Code: "no_calendar", Err: err}
	}
	c.Class, c.Category, c.DueDate, c.VerifiedAt = req.Class, cat.Code, due.String(), s.now()
	step.Note = strings.TrimSpace(req.Note)
	step.Detail["class"], step.Detail["category"], step.Detail["due_date"] = string(c.Class), c.Category, c.DueDate
	return nil
}

func (s *Service) followUp(ctx context.Context, tx *store.Tx, c *store.ComplaintState, req Request, now time.Time) error {
	f := store.FollowUp{At: now, Author: req.Actor.Name, Text: req.Text, Files: req.Files}
	if in := req.Inspection; in != nil {
		if in.Date == "" {
			return refuse("no_inspection_date", "a field inspection needs its date")
		}
		if _, err := calendar.ParseDate(in.Date); err != nil {
			return &Refused{Code: "bad_inspection_date", Err: err}
		}
		f.InspectionDate, f.InspectionPlace = in.Date, strings.TrimSpace(in.Place)
		f.InspectionOfficers, f.InspectionFindings = strings.TrimSpace(in.Officers), strings.TrimSpace(in.Findings)
	}
	_, err := tx.AddFollowUp(ctx, c.ID, f)
	return err
}

// askSatisfaction is the satisfaction question to send with the result of
// c, recorded as asked; "" when none is to be asked: the reporter is
// anonymous, the office switched the question off (an empty survey.tmpl),
// or they were asked about c before (the survey asks once per complaint).
// Only chat reporters get here: LAPOR! and walk-in take no staff messages.
func (s *Service) askSatisfaction(ctx context.Context, tx *store.Tx, c *store.ComplaintState, now time.Time) (string, error) {
	if c.Anonymous {
		return "", nil
	}
	q, err := s.survey.SurveyQuestion(c.Ticket)
	if err != nil || q == "" {
		return "", err
	}
	asked, err := tx.AskSatisfaction(ctx, c, now)
	if err != nil || !asked {
		return "", err
	}
	return q, nil
}
