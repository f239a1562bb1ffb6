// Package intake is the core service: it consumes citizens' messages from
// the INBOUND stream, runs the dialog, and writes the message, the new
// conversation state, the replies and the complaint events in one database
// transaction. Replies and events leave through the transactional outbox, and
// the inbound message is acknowledged only after the commit.
package intake

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rs/zerolog"

	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/calendar"
	"github.com/aduan-gateway/aduan/core/complaint"
	"github.com/aduan-gateway/aduan/core/dialog"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/outbox"
	"github.com/aduan-gateway/aduan/store"
)

// Service handles inbound messages.
type Service struct {
	store      *store.Store
	dialog     *dialog.Dialog
	complaints *complaint.Service
	relay      *outbox.Relay
	log        zerolog.Logger
	metrics    *Metrics
	now        func() time.Time
	// afterCommit is Options.AfterCommit.
	afterCommit func(*event.Inbound)
}

// Options configure a Service.
type Options struct {
	// Complaints files complaints; nil files them with the embedded
	// calendar and the ticket prefix ADU.
	Complaints *complaint.Service
	// Relay is the process's outbox relay, which Run runs and kicks after
	// each commit; nil: Run makes its own.
	Relay *outbox.Relay
	Log   zerolog.Logger
	// Metrics may be nil.
	Metrics *Metrics
	// Now defaults to time.Now.
	Now func() time.Time
	// AfterCommit, when set, runs in Run between a message's commit and its
	// acknowledgement (tests drop the connection there, as a crash would).
	AfterCommit func(*event.Inbound)
}

// New returns a Service over st using d to converse.
func New(st *store.Store, d *dialog.Dialog, opt Options) *Service {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Complaints == nil {
		opt.Complaints = complaint.New(calendar.Embedded(), complaint.Options{Now: opt.Now})
	}
	return &Service{
		store:      st,
		dialog:     d,
		complaints: opt.Complaints,
		relay:      opt.Relay,
		log:        opt.Log.With().Str("comp", "intake").Logger(),
		metrics:    opt.Metrics,
		now:        opt.Now,

		afterCommit: opt.AfterCommit,
	}
}

// Result is what handling one message did.
type Result struct {
	// Duplicate is true when the message was already stored; nothing was done.
	Duplicate bool
	// ConversationID is the conversation the message belongs to (0 when an
	// edit or unsend found nothing to change).
	ConversationID int64
	Replies        []string
	// Ticket is the complaint created by this message, if any.
	Ticket string
}

// Handle processes one inbound message in one transaction. Handling the same
// message again is harmless: the stored copy makes it a duplicate.
func (s *Service) Handle(ctx context.Context, m *event.Inbound) (Result, error) {
	var res Result
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		var err error
		res, err = s.handleIn(ctx, tx, m)
		return err
	})
	if err != nil {
		return Result{}, err
	}
	s.metrics.handled(m.Channel, res)
	return res, nil
}

// HandleBatch processes messages of one partition in order. They share one
// transaction, except that it commits right after a message that took a
// ticket number and the rest go on in a new one: the year's ticket counter
// row stays locked until commit, and holding it through the rest of the
// batch would queue every other partition's reports behind this batch. On
// an error the failing transaction stores nothing; what committed before it
// stays, and handling those messages again finds them stored (duplicates),
// so the caller's message-by-message retry is safe.
func (s *Service) HandleBatch(ctx context.Context, ms []*event.Inbound) ([]Result, error) {
	results := make([]Result, len(ms))
	for done := 0; done < len(ms); {
		err := s.store.InTx(ctx, func(tx *store.Tx) error {
			for i := done; i < len(ms); i++ {
				res, err := s.handleIn(ctx, tx, ms[i])
				if err != nil {
					return err
				}
				results[i] = res
				if res.Ticket != "" && i+1 < len(ms) {
					done = i + 1
					return nil
				}
			}
			done = len(ms)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	for i, m := range ms {
		s.metrics.handled(m.Channel, results[i])
	}
	return results, nil
}

// handleIn processes m inside tx, which may hold other messages of its
// partition too (HandleBatch).
func (s *Service) handleIn(ctx context.Context, tx *store.Tx, m *event.Inbound) (Result, error) {
	var res Result
	var err error
	switch {
	case m.Channel == event.ChannelLapor:
		res, err = s.handleLapor(ctx, tx, m)
	case m.EditOf != "" || m.UnsendOf != "":
		res, err = s.handleRevision(ctx, tx, m)
	default:
		t := &turn{s: s, tx: tx, m: m, now: s.now()}
		err = t.run(ctx)
		res = t.res
	}
	if err != nil {
		return Result{}, fmt.Errorf("handling %s message %s: %w", m.Channel, m.ID, err)
	}
	return res, nil
}

// turn is one citizen's chat message being handled inside a transaction:
// the state its steps share.
type turn struct {
	s   *Service
	tx  *store.Tx
	m   *event.Inbound
	now time.Time

	rep    *store.Reporter
	conv   *store.Conversation
	state  store.DialogState
	msgID  store.MessageID
	ticket complaint.Ticket // taken by the dialog, if it completed a report
	res    Result
}

// run takes the message through its steps: stored (or found a duplicate),
// answered by the dialog, the new state saved, actions applied, replies
// queued.
func (t *turn) run(ctx context.Context) error {
	stored, err := t.record(ctx)
	if err != nil || !stored {
		return err
	}
	out, err := t.converse(ctx)
	if err != nil {
		return err
	}
	if err := t.save(ctx, out); err != nil {
		return err
	}
	for _, a := range out.Actions {
		if err := t.apply(ctx, a); err != nil {
			return err
		}
	}
	return t.reply(ctx, out.Replies)
}

// record finds the reporter and locks the conversation, then stores the
// message. It reports false when nothing more is to be done: an echo of
// our own side, or a message already stored.
func (t *turn) record(ctx context.Context) (bool, error) {
	var err error
	if t.rep, err = reporterFor(ctx, t.tx, t.m); err != nil {
		return false, err
	}
	if t.conv, err = conversationFor(ctx, t.tx, t.m, t.rep.ID); err != nil {
		return false, err
	}
	t.res.ConversationID = int64(t.conv.ID)
	if t.m.Echo {
		_, t.res.Duplicate, err = t.tx.InsertEcho(ctx, t.conv.ID, t.m)
		return false, err
	}
	var dup bool
	if t.msgID, dup, err = t.tx.InsertInbound(ctx, t.conv.ID, t.m); err != nil {
		return false, err
	}
	t.res.Duplicate = dup
	return !dup, nil
}

// converse runs the dialog on the stored state, taking a ticket number if
// the message completes a report.
func (t *turn) converse(ctx context.Context) (dialog.Output, error) {
	var err error
	if t.state, err = t.tx.DialogState(ctx, t.conv.ID); err != nil {
		return dialog.Output{}, err
	}
	tickets, err := ownTickets(ctx, t.tx, t.rep, t.m)
	if err != nil {
		return dialog.Output{}, err
	}
	own := make([]dialog.TicketInfo, len(tickets))
	for i, tk := range tickets {
		own[i] = dialog.TicketInfo{Ticket: tk.Ticket, Status: tk.Status, Due: tk.DueDate, Result: tk.Result, Reason: tk.Reason}
	}
	conv := toDialog(t.conv, t.rep, t.state)
	if f := t.m.Walkin; f != nil {
		fromForm(&conv.Identity, f, t.now)
	}
	out, err := t.s.dialog.Step(dialog.Input{
		Conv:       conv,
		Msg:        t.m,
		Now:        t.now,
		OwnTickets: own,
		NewTicket: func() (string, error) {
			var err error
			t.ticket, err = t.s.complaints.TakeTicket(ctx, t.tx, t.now)
			return t.ticket.Number, err
		},
	})
	if err != nil {
		return dialog.Output{}, fmt.Errorf("dialog: %w", err)
	}
	return out, nil
}

// save writes the dialog's new state: reporter, conversation, dialog state
// and which message is the KTP photo.
func (t *turn) save(ctx context.Context, out dialog.Output) error {
	fromDialog(out, t.conv, t.rep, &t.state, t.m.ReceivedAt)
	if err := t.tx.SaveReporter(ctx, t.rep); err != nil {
		return err
	}
	if err := t.tx.SaveConversation(ctx, t.conv); err != nil {
		return err
	}
	if err := t.tx.SaveDialogState(ctx, t.conv.ID, t.state); err != nil {
		return err
	}
	switch out.KTPFrom {
	case "":
		return nil
	case t.m.ExternalID:
		return t.tx.MarkKTP(ctx, t.msgID)
	default: // a photo sent earlier, confirmed now
		return t.tx.MarkKTPOf(ctx, t.conv.ID, out.KTPFrom)
	}
}

// apply carries out one of the dialog's actions.
func (t *turn) apply(ctx context.Context, a dialog.Action) error {
	m := t.m
	switch a := a.(type) {
	case dialog.CreateComplaint:
		if t.ticket.Number != a.Ticket {
			return errors.New("dialog created a complaint without taking a ticket number")
		}
		if _, err := t.s.complaints.Create(ctx, t.tx, complaint.NewComplaint{
			Ticket: t.ticket, Channel: m.Channel, Account: m.Account,
			Conversation: t.conv.ID, Reporter: t.rep.ID, Text: a.Text, ReceivedAt: a.Submitted,
			Actor: complaint.ActorIntake, Audit: map[string]any{"message_event_id": m.ID},
		}); err != nil {
			return err
		}
		t.res.Ticket = a.Ticket
		return nil
	case dialog.IdentityChanged:
		fields := make([]string, len(a.Fields))
		for i, f := range a.Fields {
			fields[i] = string(f)
		}
		// Which fields, never their values: the audit log holds no personal data.
		return t.tx.Audit(ctx, "pelapor:"+string(m.Channel), "reporter.identity_changed", "reporter",
			fmt.Sprint(t.rep.ID), map[string]any{"fields": fields, "confirmed": a.Confirmed,
				"conversation_id": t.conv.ID, "message_event_id": m.ID})
	case dialog.ConcernedChanged:
		// As for the reporter: which fields, never the person's name or NIK.
		return t.tx.Audit(ctx, "pelapor:"+string(m.Channel), "conversation.concerned_changed", "conversation",
			fmt.Sprint(t.conv.ID), map[string]any{"fields": a.Fields, "message_event_id": m.ID})
	case dialog.AppendToComplaint:
		return t.s.complaints.Updated(ctx, t.tx, a.Ticket, t.msgID, a.Text)
	case dialog.SatisfactionAnswered:
		_, err := t.tx.AnswerSatisfaction(ctx, a.Ticket, a.Score, a.Comment, t.now)
		return err
	default:
		return fmt.Errorf("unknown dialog action %T", a)
	}
}

// reply queues the dialog's replies that the throttle lets through, each
// as a stored message and an outbox row.
func (t *turn) reply(ctx context.Context, texts []string) error {
	m := t.m
	texts, err := t.s.throttleReplies(ctx, t.tx, t.conv.ID, t.now, texts)
	if err != nil {
		return err
	}
	for _, text := range texts {
		ob := &event.Outbound{
			ID:              event.NewID(),
			Channel:         m.Channel,
			Account:         m.Account,
			ConversationKey: m.ConversationKey,
			Recipient:       m.Sender.ID,
			Text:            text,
			InReplyTo:       m.ExternalID,
			Origin:          event.OriginBot,
			// The citizen's message being answered is their latest.
			CustomerLastMessageAt: m.ReceivedAt,
			CreatedAt:             t.now,
		}
		if _, err := t.tx.InsertOutbound(ctx, t.conv.ID, t.msgID, ob); err != nil {
			return err
		}
		if err := complaint.Enqueue(ctx, t.tx, ob, ob.Subject(), ob.ID); err != nil {
			return err
		}
		t.res.Replies = append(t.res.Replies, text)
	}
	return nil
}

// Reply throttle: at most ReplyLimit bot replies per conversation within
// ReplyWindow. A sender posting thousands of messages gets that many
// answers; the rest are stored without one, and officers see them all in
// the inbox.
const (
	ReplyLimit  = 10
	ReplyWindow = 10 * time.Minute
)

// throttleReplies returns the replies that may still go out in conv.
func (s *Service) throttleReplies(ctx context.Context, tx *store.Tx, conv store.ConversationID, now time.Time, replies []string) ([]string, error) {
	if len(replies) == 0 {
		return nil, nil
	}
	sent, err := tx.BotRepliesSince(ctx, conv, now.Add(-ReplyWindow))
	if err != nil {
		return nil, err
	}
	room := max(ReplyLimit-sent, 0)
	if len(replies) > room {
		s.log.Warn().Int64("conversation_id", int64(conv)).Int("withheld", len(replies)-room).
			Msg("bot replies withheld: too many in this conversation recently")
		replies = replies[:room]
	}
	return replies, nil
}

// senderKey is how the reporter is known on the channel: the sender id, or
// the conversation key when a channel gives none.
func senderKey(m *event.Inbound) string {
	if m.Sender.ID != "" {
		return m.Sender.ID
	}
	return m.ConversationKey
}

// handleRevision applies a citizen's edit or unsend to the stored message.
// The dialog does not run again: what it asked and answered stays, and the
// officer sees the new text and the old one in the inbox. A revision of a
// message not stored yet is retried, as the original may still be in flight.
func (s *Service) handleRevision(ctx context.Context, tx *store.Tx, m *event.Inbound) (Result, error) {
	var conv store.ConversationID
	var err error
	if m.UnsendOf != "" {
		conv, err = tx.UnsendInbound(ctx, m.Channel, m.Account, m.UnsendOf, m.ReceivedAt)
	} else {
		conv, err = tx.EditInbound(ctx, m.Channel, m.Account, m.EditOf, m.Text, m.ReceivedAt)
	}
	if err != nil {
		return Result{}, err
	}
	if conv == 0 {
		return Result{}, fmt.Errorf("%w: revision %s of message not stored", ErrNotYet, m.ExternalID)
	}
	return Result{ConversationID: int64(conv)}, nil
}

// ErrNotYet marks an event that refers to something not stored yet; it is
// retried with backoff and dead-lettered if that never changes. It is a
// bus.ErrLater: what it waits for may be behind it in its partition, so the
// partition's worker goes on instead of retrying it in place.
var ErrNotYet = fmt.Errorf("refers to a message not stored yet (%w)", bus.ErrLater)
