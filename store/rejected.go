package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aduan-gateway/aduan/core/event"
)

// InsertRejected keeps input an adapter could not understand, once per event.
func (s *Store) InsertRejected(ctx context.Context, r *event.Rejected) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO rejected_inputs (event_id, channel, source, reason, content_type, body, received_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (event_id) DO NOTHING`,
		r.ID, r.Channel, r.Source, r.Reason, r.ContentType, r.Body, r.ReceivedAt)
	if err != nil {
		return fmt.Errorf("storing rejected input: %w", err)
	}
	return nil
}

// RejectedInput is a stored rejected input.
type RejectedInput struct {
	ID          int64
	Channel     event.Channel
	Source      string
	Reason      string
	ContentType string
	Body        []byte
	ReceivedAt  time.Time
}

// RecentRejected lists the newest rejected inputs, for inspection.
func (s *Store) RecentRejected(ctx context.Context, limit int) ([]RejectedInput, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, channel, source, reason, content_type, body, received_at
		FROM rejected_inputs ORDER BY received_at DESC, id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("listing rejected inputs: %w", err)
	}
	defer rows.Close()
	var out []RejectedInput
	for rows.Next() {
		var r RejectedInput
		if err := rows.Scan(&r.ID, &r.Channel, &r.Source, &r.Reason, &r.ContentType, &r.Body, &r.ReceivedAt); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
