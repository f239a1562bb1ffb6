package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aduan-gateway/aduan/core/event"
)

// MessageID identifies a stored message.
type MessageID int64

// InsertInbound stores a citizen's message and its attachments in
// conversation conv. It reports duplicate=true, storing nothing, when a
// message with the same channel, account and external id is already stored.
func (t *Tx) InsertInbound(ctx context.Context, conv ConversationID, m *event.Inbound) (id MessageID, duplicate bool, err error) {
	sentAt := m.SentAt
	if sentAt.IsZero() {
		sentAt = m.ReceivedAt
	}
	err = t.tx.QueryRow(ctx, `INSERT INTO messages (event_id, conversation_id, direction, channel, account,
		external_id, sender_id, text, sent_at, created_at)
		VALUES ($1, $2, 'in', $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (channel, account, external_id) WHERE direction = 'in' DO NOTHING RETURNING id`,
		m.ID, conv, m.Channel, m.Account, m.ExternalID, m.Sender.ID, m.Text, sentAt, m.ReceivedAt).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, true, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("storing inbound message: %w", err)
	}
	if err := t.insertAttachments(ctx, id, m.Attachments); err != nil {
		return 0, false, err
	}
	if _, err := t.tx.Exec(ctx, `UPDATE conversations SET unread = unread + 1,
		last_message_at = greatest(last_message_at, $2),
		last_inbound_at = greatest(coalesce(last_inbound_at, $2), $2) WHERE id = $1`, conv, m.ReceivedAt); err != nil {
		return 0, false, fmt.Errorf("counting unread: %w", err)
	}
	return id, false, nil
}

// InsertEcho stores a message our side sent outside Aduan (from the office
// phone, say) as outgoing, once: duplicate is true when it was stored before.
func (t *Tx) InsertEcho(ctx context.Context, conv ConversationID, m *event.Inbound) (id MessageID, duplicate bool, err error) {
	sentAt := m.SentAt
	if sentAt.IsZero() {
		sentAt = m.ReceivedAt
	}
	err = t.tx.QueryRow(ctx, `INSERT INTO messages (event_id, conversation_id, direction, channel, account,
		external_id, platform_id, text, origin, delivery_status, sent_at, created_at)
		VALUES ($1, $2, 'out', $3, $4, $5, $5, $6, 'echo', 'sent', $7, $8)
		ON CONFLICT (channel, account, external_id) WHERE origin = 'echo' DO NOTHING RETURNING id`,
		m.ID, conv, m.Channel, m.Account, m.ExternalID, m.Text, sentAt, m.ReceivedAt).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, true, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("storing echo: %w", err)
	}
	if err := t.insertAttachments(ctx, id, m.Attachments); err != nil {
		return 0, false, err
	}
	_, err = t.tx.Exec(ctx, `UPDATE conversations SET last_message_at = greatest(last_message_at, $2) WHERE id = $1`,
		conv, m.ReceivedAt)
	return id, false, err
}

// EditInbound replaces the text of a stored inbound message, keeping the
// first version, and returns the message's conversation: 0 when the
// message is not stored (yet).
func (t *Tx) EditInbound(ctx context.Context, channel event.Channel, account, externalID, text string, at time.Time) (ConversationID, error) {
	return t.reviseInbound(ctx, `UPDATE messages SET original_text = coalesce(original_text, text), text = $5,
		edited_at = $4 WHERE direction = 'in' AND channel = $1 AND account = $2 AND external_id = $3
		RETURNING conversation_id`, channel, account, externalID, at, text)
}

// UnsendInbound records that the citizen took a message back, and returns
// its conversation as EditInbound does. The text is kept for the record (the
// office received it), marked as withdrawn.
func (t *Tx) UnsendInbound(ctx context.Context, channel event.Channel, account, externalID string, at time.Time) (ConversationID, error) {
	return t.reviseInbound(ctx, `UPDATE messages SET unsent_at = $4
		WHERE direction = 'in' AND channel = $1 AND account = $2 AND external_id = $3
		RETURNING conversation_id`, channel, account, externalID, at)
}

func (t *Tx) reviseInbound(ctx context.Context, q string, args ...any) (ConversationID, error) {
	var conv ConversationID
	err := t.tx.QueryRow(ctx, q, args...).Scan(&conv)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("revising message: %w", err)
	}
	return conv, nil
}

// MarkKTP records that the images of message id are the reporter's KTP.
func (t *Tx) MarkKTP(ctx context.Context, id MessageID) error {
	_, err := t.tx.Exec(ctx, `UPDATE attachments SET is_ktp = true WHERE message_id = $1 AND kind = 'image'`, id)
	if err != nil {
		return fmt.Errorf("marking KTP: %w", err)
	}
	return nil
}

// InsertOutbound stores a reply in conversation conv, answering message
// replyTo (0 for none).
func (t *Tx) InsertOutbound(ctx context.Context, conv ConversationID, replyTo MessageID, m *event.Outbound) (MessageID, error) {
	var rt *MessageID
	if replyTo != 0 {
		rt = &replyTo
	}
	var id MessageID
	err := t.tx.QueryRow(ctx, `INSERT INTO messages (event_id, conversation_id, direction, channel, account,
		external_id, text, origin, reply_to, delivery_status, created_at)
		VALUES ($1, $2, 'out', $3, $4, $1, $5, $6, $7, 'pending', $8) RETURNING id`,
		m.ID, conv, m.Channel, m.Account, m.Text, m.Origin, rt, m.CreatedAt).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("storing reply: %w", err)
	}
	return id, nil
}

// BotRepliesSince counts the bot's replies in a conversation created after
// since.
func (t *Tx) BotRepliesSince(ctx context.Context, conv ConversationID, since time.Time) (int, error) {
	var n int
	err := t.tx.QueryRow(ctx, `SELECT count(*) FROM messages
		WHERE conversation_id = $1 AND direction = 'out' AND origin = 'bot' AND created_at > $2`, conv, since).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("counting bot replies: %w", err)
	}
	return n, nil
}

// Message is a stored message, for display.
type Message struct {
	ID         MessageID
	EventID    string
	Direction  string
	Channel    event.Channel
	Account    string
	ExternalID string
	Text       string
	Origin     event.Origin
	Delivery   event.DeliveryStatus
	CreatedAt  time.Time
}

const messageColumns = `SELECT id, event_id, direction, channel, account, external_id, text, origin,
	delivery_status, created_at FROM messages`

func scanMessages(rows pgx.Rows) ([]Message, error) {
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Message, error) {
		var m Message
		err := row.Scan(&m.ID, &m.EventID, &m.Direction, &m.Channel, &m.Account, &m.ExternalID,
			&m.Text, &m.Origin, &m.Delivery, &m.CreatedAt)
		return m, err
	})
}

// InboundByExternalID returns a stored inbound message.
func (s *Store) InboundByExternalID(ctx context.Context, channel event.Channel, account, externalID string) (*Message, error) {
	rows, err := s.pool.Query(ctx, messageColumns+` WHERE direction = 'in' AND channel = $1 AND account = $2
		AND external_id = $3`, channel, account, externalID)
	if err != nil {
		return nil, fmt.Errorf("reading message: %w", err)
	}
	ms, err := scanMessages(rows)
	if err != nil {
		return nil, fmt.Errorf("reading message: %w", err)
	}
	if len(ms) == 0 {
		return nil, ErrNotFound
	}
	return &ms[0], nil
}

// RepliesTo returns the replies written to message id, oldest first.
func (s *Store) RepliesTo(ctx context.Context, id MessageID) ([]Message, error) {
	rows, err := s.pool.Query(ctx, messageColumns+` WHERE reply_to = $1 ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("reading replies: %w", err)
	}
	ms, err := scanMessages(rows)
	if err != nil {
		return nil, fmt.Errorf("reading replies: %w", err)
	}
	return ms, nil
}

// CountMessages counts messages in one direction ("in" or "out") of a
// conversation, or of all conversations when conv is 0.
func (s *Store) CountMessages(ctx context.Context, conv ConversationID, direction string) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM messages WHERE ($1::bigint = 0 OR conversation_id = $1)
		AND direction = $2`, conv, direction).Scan(&n)
	return n, err
}

func (t *Tx) insertAttachments(ctx context.Context, msg MessageID, as []event.Attachment) error {
	for _, a := range as {
		if _, err := t.tx.Exec(ctx, `INSERT INTO attachments (message_id, kind, mime, filename, size, sha256,
			object_key, caption, error) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			msg, a.Kind, a.MIME, a.Filename, a.Size, a.SHA256, a.ObjectKey, a.Caption, a.Error); err != nil {
			return fmt.Errorf("storing attachment: %w", err)
		}
	}
	return nil
}
