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
	// afterCommit, when set by tests, runs between commit and acknowledgement.
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
	if m.Channel == event.ChannelLapor {
		return s.handleLapor(ctx, m)
	}
	if m.EditOf != "" || m.UnsendOf != "" {
		return s.handleRevision(ctx, m)
	}
	var res Result
	now := s.now()
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		res = Result{}
		rep, err := reporterFor(ctx, tx, m)
		if err != nil {
			return err
		}
		conv, err := tx.ConversationFor(ctx, store.ConversationKey{
			Channel: string(m.Channel), Account: m.Account, Key: m.ConversationKey,
		}, rep.ID)
		if err != nil {
			return err
		}
		res.ConversationID = int64(conv.ID)
		if m.Echo {
			_, res.Duplicate, err = tx.InsertEcho(ctx, conv.ID, m)
			return err
		}
		msgID, dup, err := tx.InsertInbound(ctx, conv.ID, m)
		if err != nil {
			return err
		}
		if dup {
			res.Duplicate = true
			return nil
		}
		state, err := tx.DialogState(ctx, conv.ID)
		if err != nil {
			return err
		}
		tickets, err := ownTickets(ctx, tx, rep, m)
		if err != nil {
			return err
		}
		own := make([]dialog.TicketInfo, len(tickets))
		for i, t := range tickets {
			own[i] = dialog.TicketInfo{Ticket: t.Ticket, Status: string(t.Status), Due: t.DueDate}
		}
		var ticket complaint.Ticket
		out, err := s.dialog.Step(dialog.Input{
			Conv:       toDialog(conv, rep, state),
			Msg:        m,
			Now:        now,
			OwnTickets: own,
			NewTicket: func() (string, error) {
				var err error
				ticket, err = s.complaints.TakeTicket(ctx, tx, now)
				return ticket.Number, err
			},
		})
		if err != nil {
			return fmt.Errorf("dialog: %w", err)
		}
		fromDialog(out, conv, rep, &state, m.ReceivedAt)
		if err := tx.SaveReporter(ctx, rep); err != nil {
			return err
		}
		if err := tx.SaveConversation(ctx, conv); err != nil {
			return err
		}
		if err := tx.SaveDialogState(ctx, conv.ID, state); err != nil {
			return err
		}
		switch out.KTPFrom {
		case "":
		case m.ExternalID:
			if err := tx.MarkKTP(ctx, msgID); err != nil {
				return err
			}
		default: // a photo sent earlier, confirmed now
			if err := tx.MarkKTPOf(ctx, conv.ID, out.KTPFrom); err != nil {
				return err
			}
		}
		for _, a := range out.Actions {
			if err := s.apply(ctx, tx, a, m, conv, rep, msgID, ticket, &res); err != nil {
				return err
			}
		}
		replies, err := s.throttleReplies(ctx, tx, conv.ID, now, out.Replies)
		if err != nil {
			return err
		}
		for _, text := range replies {
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
				CreatedAt:             now,
			}
			if _, err := tx.InsertOutbound(ctx, conv.ID, msgID, ob); err != nil {
				return err
			}
			if err := complaint.Enqueue(ctx, tx, ob, ob.Subject(), ob.ID); err != nil {
				return err
			}
			res.Replies = append(res.Replies, text)
		}
		return nil
	})
	if err != nil {
		return Result{}, fmt.Errorf("handling %s message %s: %w", m.Channel, m.ID, err)
	}
	s.metrics.handled(m.Channel, res)
	return res, nil
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

func (s *Service) apply(ctx context.Context, tx *store.Tx, a dialog.Action, m *event.Inbound,
	conv *store.Conversation, rep *store.Reporter, msgID store.MessageID, ticket complaint.Ticket, res *Result) error {
	switch a := a.(type) {
	case dialog.CreateComplaint:
		if ticket.Number != a.Ticket {
			return errors.New("dialog created a complaint without taking a ticket number")
		}
		if _, err := s.complaints.Create(ctx, tx, complaint.NewComplaint{
			Ticket: ticket, Channel: m.Channel, Account: m.Account,
			Conversation: conv.ID, Reporter: rep.ID, Text: a.Text, ReceivedAt: a.Submitted,
			Actor: complaint.ActorIntake, Audit: map[string]any{"message_event_id": m.ID},
		}); err != nil {
			return err
		}
		res.Ticket = a.Ticket
		return nil
	case dialog.IdentityChanged:
		fields := make([]string, len(a.Fields))
		for i, f := range a.Fields {
			fields[i] = string(f)
		}
		// Which fields, never their values: the audit log holds no personal data.
		return tx.Audit(ctx, "pelapor:"+string(m.Channel), "reporter.identity_changed", "reporter",
			fmt.Sprint(rep.ID), map[string]any{"fields": fields, "confirmed": a.Confirmed,
				"conversation_id": conv.ID, "message_event_id": m.ID})
	case dialog.AppendToComplaint:
		return s.complaints.Updated(ctx, tx, a.Ticket, msgID, a.Text)
	default:
		return fmt.Errorf("unknown dialog action %T", a)
	}
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
func (s *Service) handleRevision(ctx context.Context, m *event.Inbound) (Result, error) {
	var found bool
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if m.UnsendOf != "" {
			found, err = tx.UnsendInbound(ctx, string(m.Channel), m.Account, m.UnsendOf, m.ReceivedAt)
		} else {
			found, err = tx.EditInbound(ctx, string(m.Channel), m.Account, m.EditOf, m.Text, m.ReceivedAt)
		}
		return err
	})
	if err != nil {
		return Result{}, err
	}
	if !found {
		return Result{}, fmt.Errorf("%w: revision %s of message not stored", ErrNotYet, m.ExternalID)
	}
	view, err := s.store.FindConversation(ctx, store.ConversationKey{Channel: string(m.Channel), Account: m.Account, Key: m.ConversationKey})
	if err != nil {
		return Result{}, nil // the change is committed; only the inbox notice is lost
	}
	return Result{ConversationID: int64(view.ID)}, nil
}

// ErrNotYet marks an event that refers to something not stored yet; it is
// retried with backoff and dead-lettered if that never changes.
var ErrNotYet = errors.New("refers to a message not stored yet")
