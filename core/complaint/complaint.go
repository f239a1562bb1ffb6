// Package complaint carries complaints through the office's procedure in
// the store: it creates them (one path for chat, LAPOR!, the officer's
// forward and the walk-in desk) and applies the workflow's transitions, each
// in one transaction with its timeline step, audit row, outbox event and,
// where the reporter should hear of it, a message on their own channel.
package complaint

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/aduan-gateway/aduan/core/beritaacara"
	"github.com/aduan-gateway/aduan/core/calendar"
	"github.com/aduan-gateway/aduan/core/dialog"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/workflow"
	"github.com/aduan-gateway/aduan/store"
)

// Service creates complaints and moves them through the workflow.
type Service struct {
	// cal is swapped whole when an admin saves a year on the web
	// (SetCalendar): each count reads it once, so it never mixes two.
	cal    atomic.Pointer[calendar.Calendar]
	prefix string
	now    func() time.Time
	render Renderer
	office beritaacara.Office
	survey *dialog.Templates
}

// Options configure a Service. Zero fields take defaults.
type Options struct {
	// TicketPrefix starts every ticket number; default "ADU".
	TicketPrefix string
	// Now defaults to time.Now.
	Now func() time.Time
	// BeritaAcara renders the record of resolution; nil stores none.
	BeritaAcara Renderer
	// Office is the letterhead of the berita acara.
	Office beritaacara.Office
	// Survey holds the satisfaction question sent with the result
	// (survey.tmpl, overridable like every reply); nil: the embedded one.
	Survey *dialog.Templates
}

// New returns a Service counting deadlines with cal.
func New(cal *calendar.Calendar, opt Options) *Service {
	if opt.TicketPrefix == "" {
		opt.TicketPrefix = "ADU"
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	s := &Service{prefix: opt.TicketPrefix, now: opt.Now, render: opt.BeritaAcara, office: opt.Office,
		survey: opt.Survey}
	s.cal.Store(cal)
	return s
}

// Calendar is the working-day calendar deadlines are counted with now.
func (s *Service) Calendar() *calendar.Calendar { return s.cal.Load() }

// SetCalendar replaces the calendar for every count from now on: the years
// entered on the web are taken up without a restart.
func (s *Service) SetCalendar(cal *calendar.Calendar) { s.cal.Store(cal) }

// Ticket is a ticket number taken for a new complaint.
type Ticket struct {
	Number    string
	Year, Seq int
}

// TakeTicket takes the next ticket number. The year is the office's (WIB)
// year at at, so a message at 01:00 WIB on 1 January gets the new year.
func (s *Service) TakeTicket(ctx context.Context, tx *store.Tx, at time.Time) (Ticket, error) {
	year := at.In(calendar.WIB).Year()
	n, seq, err := tx.NextTicket(ctx, s.prefix, year)
	return Ticket{Number: n, Year: year, Seq: seq}, err
}

// NewComplaint is a complete report to file.
type NewComplaint struct {
	// Ticket is taken when empty; the chat takes it first, to tell the
	// reporter in the same reply.
	Ticket       Ticket
	Channel      event.Channel
	Account      string
	Conversation store.ConversationID
	Reporter     store.ReporterID
	Text         string
	// ExternalRef is a LAPOR! report's tracking id.
	ExternalRef string
	// ReceivedAt is when the complaint team received the report: the
	// deadline counts from that day.
	ReceivedAt   time.Time
	Confidential bool
	Anonymous    bool
	// Lapor is what LAPOR! said of the report, for LAPOR! complaints.
	Lapor *store.LaporReport
	// Actor is who filed it: "system:intake" or an officer's user name.
	Actor string
	// Note goes with the submitted event (e.g. "diteruskan oleh petugas").
	Note string
	// AuditAction names the audit row; default "complaint.submitted".
	AuditAction string
	// Audit is extra detail for the audit row (no personal data).
	Audit map[string]any
}

// Create files a complaint awaiting verification: the row, the first
// step of its timeline, the audit row and aduan.complaint.submitted.
func (s *Service) Create(ctx context.Context, tx *store.Tx, n NewComplaint) (Ticket, error) {
	t := n.Ticket
	if t.Number == "" {
		var err error
		if t, err = s.TakeTicket(ctx, tx, n.ReceivedAt); err != nil {
			return Ticket{}, err
		}
	}
	id, err := tx.CreateComplaint(ctx, store.NewComplaint{
		Ticket: t.Number, Year: t.Year, Seq: t.Seq, Channel: n.Channel, Account: n.Account,
		Conversation: n.Conversation, Reporter: n.Reporter, Status: workflow.AwaitingVerification,
		Text: n.Text, ExternalRef: n.ExternalRef, ReceivedAt: n.ReceivedAt,
		Confidential: n.Confidential, Anonymous: n.Anonymous,
	})
	if err != nil {
		return Ticket{}, err
	}
	if n.Lapor != nil {
		if err := tx.AddLaporReport(ctx, id, *n.Lapor); err != nil {
			return Ticket{}, err
		}
	}
	if err := tx.AddStep(ctx, id, store.Step{At: n.ReceivedAt, Actor: n.Actor, Action: "submit",
		To: workflow.AwaitingVerification, Note: n.Note}); err != nil {
		return Ticket{}, err
	}
	detail := map[string]any{"channel": n.Channel}
	for k, v := range n.Audit {
		detail[k] = v
	}
	action := n.AuditAction
	if action == "" {
		action = "complaint.submitted"
	}
	if err := tx.Audit(ctx, n.Actor, action, "complaint", t.Number, detail); err != nil {
		return Ticket{}, err
	}
	ev := &event.Complaint{
		ID: event.NewID(), Kind: event.ComplaintSubmitted, Ticket: t.Number,
		Status: string(workflow.AwaitingVerification), Channel: n.Channel, ExternalRef: n.ExternalRef,
		Note: n.Note, Actor: n.Actor, OccurredAt: n.ReceivedAt,
	}
	return t, Enqueue(ctx, tx, ev, ev.Subject(), ev.ID)
}

// Updated records that the reporter added to a complaint: the addition,
// aduan.complaint.updated and, when the complaint was returned to them
// for more information, its reopening.
func (s *Service) Updated(ctx context.Context, tx *store.Tx, ticket string, msg store.MessageID, text string) error {
	if err := tx.AddToComplaint(ctx, ticket, msg, text); err != nil {
		return err
	}
	c, err := tx.LockComplaint(ctx, ticket)
	if err != nil {
		return err
	}
	now := s.now()
	ev := &event.Complaint{
		ID: event.NewID(), Kind: event.ComplaintUpdated, Ticket: ticket, Status: string(c.Status),
		Channel: c.Channel, ExternalRef: c.ExternalRef, Actor: ActorIntake, OccurredAt: now,
	}
	if err := Enqueue(ctx, tx, ev, ev.Subject(), ev.ID); err != nil {
		return err
	}
	if c.Status != workflow.Returned {
		return nil
	}
	_, err = s.apply(ctx, tx, c, Request{Ticket: ticket, Action: workflow.Reopen,
		Actor: workflow.Actor{Name: ActorIntake, Role: workflow.RoleSystem}})
	return err
}

// ActorIntake is the core acting on a reporter's message.
const ActorIntake = "system:intake"

// Enqueue writes event e to the outbox, to be published on subject after
// commit with msgID as its de-duplication id.
func Enqueue(ctx context.Context, tx *store.Tx, e event.Event, subject, msgID string) error {
	b, err := event.Marshal(e)
	if err != nil {
		return fmt.Errorf("encoding %s: %w", subject, err)
	}
	return tx.Enqueue(ctx, subject, msgID, b)
}
