package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Note is an internal note on a conversation.
type Note struct {
	Author    string
	Text      string
	CreatedAt time.Time
}

// AddNote stores an internal note.
func (t *Tx) AddNote(ctx context.Context, conv ConversationID, author, text string) error {
	if _, err := t.tx.Exec(ctx, `INSERT INTO conversation_notes (conversation_id, author, text) VALUES ($1, $2, $3)`,
		conv, author, text); err != nil {
		return fmt.Errorf("adding note to %d: %w", conv, err)
	}
	return nil
}

// Notes returns a conversation's internal notes, oldest first.
func (s *Store) Notes(ctx context.Context, conv ConversationID) ([]Note, error) {
	rows, err := s.pool.Query(ctx, `SELECT author, text, created_at FROM conversation_notes
		WHERE conversation_id = $1 ORDER BY id`, conv)
	if err != nil {
		return nil, fmt.Errorf("reading notes of %d: %w", conv, err)
	}
	notes, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Note])
	if err != nil {
		return nil, fmt.Errorf("reading notes of %d: %w", conv, err)
	}
	return notes, nil
}
