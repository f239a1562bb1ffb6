package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aduan-gateway/aduan/core/event"
)

// ThreadMessage is a message as the conversation screen shows it.
type ThreadMessage struct {
	ID             MessageID
	EventID        string
	Direction      string
	Origin         event.Origin
	Author         string
	Text           string
	OriginalText   string
	Delivery       event.DeliveryStatus
	DeliveryReason string
	CreatedAt      time.Time
	EditedAt       time.Time
	UnsentAt       time.Time
	// Retried is true when a failed reply was sent again as another message.
	Retried     bool
	Attachments []AttachmentRef
}

// Thread returns the newest limit messages of a conversation, oldest first,
// with their files.
func (s *Store) Thread(ctx context.Context, conv ConversationID, limit int) ([]ThreadMessage, error) {
	rows, err := s.pool.Query(ctx, `SELECT * FROM (SELECT m.id, m.event_id, m.direction, m.origin, m.author, m.text,
		coalesce(m.original_text, ''), m.delivery_status, m.delivery_reason, m.created_at,
		coalesce(m.edited_at, 'epoch'), coalesce(m.unsent_at, 'epoch'),
		EXISTS (SELECT 1 FROM messages x WHERE x.retry_of = m.id)
		FROM messages m WHERE m.conversation_id = $1 ORDER BY m.id DESC LIMIT $2) t ORDER BY id`, conv, limit)
	if err != nil {
		return nil, fmt.Errorf("reading thread %d: %w", conv, err)
	}
	msgs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (ThreadMessage, error) {
		var m ThreadMessage
		err := row.Scan(&m.ID, &m.EventID, &m.Direction, &m.Origin, &m.Author, &m.Text, &m.OriginalText,
			&m.Delivery, &m.DeliveryReason, &m.CreatedAt, &m.EditedAt, &m.UnsentAt, &m.Retried)
		if m.EditedAt.Unix() == 0 {
			m.EditedAt = time.Time{}
		}
		if m.UnsentAt.Unix() == 0 {
			m.UnsentAt = time.Time{}
		}
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("reading thread %d: %w", conv, err)
	}
	if len(msgs) == 0 {
		return msgs, nil
	}
	index := make(map[MessageID]int, len(msgs))
	for i, m := range msgs {
		index[m.ID] = i
	}
	rows, err = s.pool.Query(ctx, attachmentColumns+` WHERE a.message_id >= $1 AND m.conversation_id = $2
		ORDER BY a.id`, msgs[0].ID, conv)
	if err != nil {
		return nil, fmt.Errorf("reading attachments of %d: %w", conv, err)
	}
	atts, err := pgx.CollectRows(rows, scanAttachment)
	if err != nil {
		return nil, fmt.Errorf("reading attachments of %d: %w", conv, err)
	}
	for _, a := range atts {
		if i, ok := index[a.MessageID]; ok {
			msgs[i].Attachments = append(msgs[i].Attachments, a)
		}
	}
	return msgs, nil
}

// InsertAgentReply stores a reply written by staff member author, pending
// delivery. retryOf names the failed message it sends again (0 for none).
func (t *Tx) InsertAgentReply(ctx context.Context, conv ConversationID, m *event.Outbound, retryOf MessageID) (MessageID, error) {
	var rt *MessageID
	if retryOf != 0 {
		rt = &retryOf
	}
	var id MessageID
	err := t.tx.QueryRow(ctx, `INSERT INTO messages (event_id, conversation_id, direction, channel, account,
		external_id, text, origin, author, retry_of, delivery_status, created_at)
		VALUES ($1, $2, 'out', $3, $4, $1, $5, $6, $7, $8, 'pending', $9) RETURNING id`,
		m.ID, conv, m.Channel, m.Account, m.Text, m.Origin, m.Author, rt, m.CreatedAt).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("storing staff reply: %w", err)
	}
	if _, err := t.tx.Exec(ctx, `UPDATE conversations SET last_message_at = greatest(last_message_at, $2),
		updated_at = now() WHERE id = $1`, conv, m.CreatedAt); err != nil {
		return 0, fmt.Errorf("storing staff reply: %w", err)
	}
	return id, nil
}

// OutgoingMessage returns one of our messages in conversation conv, with the
// recipient (the citizen's sender id) it went to.
func (t *Tx) OutgoingMessage(ctx context.Context, conv ConversationID, id MessageID) (*ThreadMessage, error) {
	m := &ThreadMessage{}
	err := t.tx.QueryRow(ctx, `SELECT id, event_id, origin, text, delivery_status,
		EXISTS (SELECT 1 FROM messages x WHERE x.retry_of = $2)
		FROM messages WHERE conversation_id = $1 AND id = $2 AND direction = 'out'`, conv, id).
		Scan(&m.ID, &m.EventID, &m.Origin, &m.Text, &m.Delivery, &m.Retried)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("reading message %d: %w", id, err)
	}
	m.Direction = "out"
	return m, nil
}

// Recipient returns the sender id the citizen of conversation conv writes
// from (the newest), or "" when they never wrote.
func (t *Tx) Recipient(ctx context.Context, conv ConversationID) (string, error) {
	var id string
	err := t.tx.QueryRow(ctx, `SELECT sender_id FROM messages WHERE conversation_id = $1 AND direction = 'in'
		AND sender_id <> '' ORDER BY id DESC LIMIT 1`, conv).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("finding recipient of %d: %w", conv, err)
	}
	return id, nil
}
