package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aduan-gateway/aduan/core/dialog"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/identity"
)

// ConversationID identifies a conversation.
type ConversationID int64

// Conversation is the dialog state with one reporter on one channel.
type Conversation struct {
	ID            ConversationID
	Channel       event.Channel
	Account       string
	Key           string
	ReporterID    ReporterID
	Status        dialog.Status
	Draft         string
	Ticket        string
	Greeted       bool
	AwaitingKTP   bool
	HumanTakeover bool
	Missing       []identity.Field
	LastMessageAt time.Time
	// LastInboundAt is when the citizen last wrote (zero if never).
	LastInboundAt time.Time
}

// ConversationKey identifies a conversation by its channel, our account and
// the channel's key for the reporter.
type ConversationKey struct {
	Channel event.Channel
	Account string
	Key     string
}

// ConversationFor returns the conversation for key, locked for the
// transaction so that messages of one reporter are handled one at a time
// even with several core consumers; it is created for reporter on first contact.
func (t *Tx) ConversationFor(ctx context.Context, key ConversationKey, reporter ReporterID) (*Conversation, error) {
	_, err := t.tx.Exec(ctx, `INSERT INTO conversations (channel, account, conversation_key, reporter_id)
		VALUES ($1, $2, $3, $4) ON CONFLICT (channel, account, conversation_key) DO NOTHING`,
		key.Channel, key.Account, key.Key, reporter)
	if err != nil {
		return nil, fmt.Errorf("creating conversation: %w", err)
	}
	return scanConversation(t.tx.QueryRow(ctx, conversationColumns+`
		WHERE channel = $1 AND account = $2 AND conversation_key = $3 FOR UPDATE`, key.Channel, key.Account, key.Key))
}

// ReporterConversationFor is ConversationFor for a channel where a
// reporter's address may change (WhatsApp between phone number and LID):
// when key has no conversation yet, the reporter's latest one on the same
// channel and account goes on, so a report being collected is not
// started again.
func (t *Tx) ReporterConversationFor(ctx context.Context, key ConversationKey, reporter ReporterID) (*Conversation, error) {
	c, err := scanConversation(t.tx.QueryRow(ctx, conversationColumns+`
		WHERE channel = $1 AND account = $2 AND conversation_key = $3 FOR UPDATE`, key.Channel, key.Account, key.Key))
	if !errors.Is(err, ErrNotFound) {
		return c, err
	}
	c, err = scanConversation(t.tx.QueryRow(ctx, conversationColumns+`
		WHERE reporter_id = $1 AND channel = $2 AND account = $3 ORDER BY last_message_at DESC, id DESC LIMIT 1 FOR UPDATE`,
		reporter, key.Channel, key.Account))
	if !errors.Is(err, ErrNotFound) {
		return c, err
	}
	return t.ConversationFor(ctx, key, reporter)
}

const conversationColumns = `SELECT id, channel, account, conversation_key, reporter_id, status, draft,
	coalesce(ticket, ''), greeted, awaiting_ktp, human_takeover, missing, last_message_at,
	coalesce(last_inbound_at, 'epoch') FROM conversations`

func scanConversation(row pgx.Row) (*Conversation, error) {
	c := &Conversation{}
	err := row.Scan(&c.ID, &c.Channel, &c.Account, &c.Key, &c.ReporterID, &c.Status, &c.Draft,
		&c.Ticket, &c.Greeted, &c.AwaitingKTP, &c.HumanTakeover, &c.Missing, &c.LastMessageAt, &c.LastInboundAt)
	if c.LastInboundAt.Unix() == 0 {
		c.LastInboundAt = time.Time{}
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("reading conversation: %w", err)
	}
	return c, nil
}

// SaveConversation writes the dialog state back.
func (t *Tx) SaveConversation(ctx context.Context, c *Conversation) error {
	var ticket *string
	if c.Ticket != "" {
		ticket = &c.Ticket
	}
	missing := c.Missing
	if missing == nil {
		missing = []identity.Field{}
	}
	_, err := t.tx.Exec(ctx, `UPDATE conversations SET status = $2, draft = $3, ticket = $4, greeted = $5,
		awaiting_ktp = $6, human_takeover = $7, missing = $8, last_message_at = greatest(last_message_at, $9),
		updated_at = now() WHERE id = $1`,
		c.ID, c.Status, c.Draft, ticket, c.Greeted, c.AwaitingKTP, c.HumanTakeover, missing, c.LastMessageAt)
	if err != nil {
		return fmt.Errorf("saving conversation %d: %w", c.ID, err)
	}
	return nil
}

// ConversationView is a conversation with its reporter, for display.
type ConversationView struct {
	Conversation
	Reporter Reporter
}

// FindConversation reads a conversation and its reporter without locking.
func (s *Store) FindConversation(ctx context.Context, key ConversationKey) (*ConversationView, error) {
	var v *ConversationView
	err := s.InTx(ctx, func(tx *Tx) error {
		c, err := scanConversation(tx.tx.QueryRow(ctx, conversationColumns+`
			WHERE channel = $1 AND account = $2 AND conversation_key = $3`, key.Channel, key.Account, key.Key))
		if err != nil {
			return err
		}
		r, err := tx.reporterNoLock(ctx, c.ReporterID)
		if err != nil {
			return err
		}
		v = &ConversationView{Conversation: *c, Reporter: *r}
		return nil
	})
	return v, err
}

// ConversationDetail is one conversation with everything the conversation
// screen shows. Reporter.NIK is in clear: the caller masks it for roles
// that may not see it.
type ConversationDetail struct {
	Conversation
	Reporter            Reporter
	AssignedTo          UserID
	AssignedName        string
	IdentityConfirmedBy string
	IdentityConfirmedAt time.Time
	Unread              int
}

// ConversationByID reads a conversation with its reporter.
func (s *Store) ConversationByID(ctx context.Context, id ConversationID) (*ConversationDetail, error) {
	var d *ConversationDetail
	err := s.InTx(ctx, func(tx *Tx) error {
		c, err := scanConversation(tx.tx.QueryRow(ctx, conversationColumns+` WHERE id = $1`, id))
		if err != nil {
			return err
		}
		r, err := tx.reporterNoLock(ctx, c.ReporterID)
		if err != nil {
			return err
		}
		d = &ConversationDetail{Conversation: *c, Reporter: *r}
		var assigned *UserID
		var confirmedAt *time.Time
		err = tx.tx.QueryRow(ctx, `SELECT c.assigned_to, coalesce(u.username, ''), r.identity_confirmed_by,
			r.identity_confirmed_at, c.unread FROM conversations c JOIN reporters r ON r.id = c.reporter_id
			LEFT JOIN users u ON u.id = c.assigned_to WHERE c.id = $1`, id).
			Scan(&assigned, &d.AssignedName, &d.IdentityConfirmedBy, &confirmedAt, &d.Unread)
		if err != nil {
			return fmt.Errorf("reading conversation %d: %w", id, err)
		}
		if assigned != nil {
			d.AssignedTo = *assigned
		}
		if confirmedAt != nil {
			d.IdentityConfirmedAt = *confirmedAt
		}
		return nil
	})
	return d, err
}

// MarkRead sets a conversation's unread count to zero.
func (s *Store) MarkRead(ctx context.Context, conv ConversationID) error {
	if _, err := s.pool.Exec(ctx, `UPDATE conversations SET unread = 0 WHERE id = $1 AND unread <> 0`, conv); err != nil {
		return fmt.Errorf("marking %d read: %w", conv, err)
	}
	return nil
}

// LockConversation reads a conversation, locked for the transaction so that
// an officer's change and the core's handling of a message do not interleave.
func (t *Tx) LockConversation(ctx context.Context, id ConversationID) (*Conversation, error) {
	return scanConversation(t.tx.QueryRow(ctx, conversationColumns+` WHERE id = $1 FOR UPDATE`, id))
}

// SetTakeover switches the bot off (an officer answers) or back on.
func (t *Tx) SetTakeover(ctx context.Context, conv ConversationID, on bool) error {
	if _, err := t.tx.Exec(ctx, `UPDATE conversations SET human_takeover = $2, updated_at = now() WHERE id = $1`,
		conv, on); err != nil {
		return fmt.Errorf("setting takeover of %d: %w", conv, err)
	}
	return nil
}
