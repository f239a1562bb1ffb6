package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// AttachmentRef is a stored file of a message.
type AttachmentRef struct {
	ID           int64
	MessageID    MessageID
	Conversation ConversationID
	Kind         string
	MIME         string
	Filename     string
	Size         int64
	ObjectKey    string
	Caption      string
	Error        string
	IsKTP        bool
}

const attachmentColumns = `SELECT a.id, a.message_id, m.conversation_id, a.kind, a.mime, a.filename, a.size,
	a.object_key, a.caption, a.error, a.is_ktp FROM attachments a JOIN messages m ON m.id = a.message_id`

func scanAttachment(row pgx.CollectableRow) (AttachmentRef, error) {
	var a AttachmentRef
	err := row.Scan(&a.ID, &a.MessageID, &a.Conversation, &a.Kind, &a.MIME, &a.Filename, &a.Size,
		&a.ObjectKey, &a.Caption, &a.Error, &a.IsKTP)
	return a, err
}

// Attachment returns one stored file.
func (s *Store) Attachment(ctx context.Context, id int64) (*AttachmentRef, error) {
	rows, err := s.pool.Query(ctx, attachmentColumns+` WHERE a.id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("reading attachment %d: %w", id, err)
	}
	atts, err := pgx.CollectRows(rows, scanAttachment)
	if err != nil {
		return nil, fmt.Errorf("reading attachment %d: %w", id, err)
	}
	if len(atts) == 0 {
		return nil, ErrNotFound
	}
	return &atts[0], nil
}
