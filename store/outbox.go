package store

import (
	"context"
	"fmt"
	"time"
)

// Enqueue writes an event to the outbox in the current transaction; the relay
// publishes it after commit. msgID is the JetStream de-duplication id, so a
// relay that crashes after publishing and before marking re-sends harmlessly.
func (t *Tx) Enqueue(ctx context.Context, subject, msgID string, payload []byte) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO outbox (subject, msg_id, payload) VALUES ($1, $2, $3)`, subject, msgID, payload)
	if err != nil {
		return fmt.Errorf("writing outbox: %w", err)
	}
	return nil
}

// PublishFunc sends one outbox entry to the message bus and returns once the
// bus has made it durable.
type PublishFunc func(ctx context.Context, subject, msgID string, data []byte) error

// RelayOutbox publishes up to batch pending outbox entries in order and marks
// them published. Rows are locked with SKIP LOCKED so several relays (one per
// core process) share the work without sending an entry twice at once. It
// returns how many it published; on a publish error it stops there, records
// the error on that entry and returns it, keeping the order for the next try.
func (s *Store) RelayOutbox(ctx context.Context, publish PublishFunc, batch int) (int, error) {
	sent := 0
	var pubErr error
	err := s.InTx(ctx, func(tx *Tx) error {
		rows, err := tx.tx.Query(ctx, `SELECT id, subject, msg_id, payload FROM outbox
			WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`, batch)
		if err != nil {
			return err
		}
		type entry struct {
			id           int64
			subject, mid string
			payload      []byte
		}
		var entries []entry
		for rows.Next() {
			var e entry
			if err := rows.Scan(&e.id, &e.subject, &e.mid, &e.payload); err != nil {
				rows.Close()
				return err
			}
			entries = append(entries, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		// Published in order (a conversation's replies leave in the order
		// they were written), then marked in one statement.
		var published []int64
		for _, e := range entries {
			if perr := publish(ctx, e.subject, e.mid, e.payload); perr != nil {
				_, err := tx.tx.Exec(ctx, `UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1`,
					e.id, perr.Error())
				if err != nil {
					return err
				}
				// Commit what was published and the attempt; report after.
				pubErr = perr
				break
			}
			published = append(published, e.id)
		}
		if len(published) == 0 {
			return nil
		}
		if _, err := tx.tx.Exec(ctx, `UPDATE outbox SET published_at = now(), attempts = attempts + 1,
			last_error = '' WHERE id = ANY($1)`, published); err != nil {
			return err
		}
		sent = len(published)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("relaying outbox: %w", err)
	}
	if pubErr != nil {
		return sent, fmt.Errorf("relaying outbox: %w", pubErr)
	}
	return sent, nil
}

// PendingOutbox counts entries not yet published.
func (s *Store) PendingOutbox(ctx context.Context) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE published_at IS NULL`).Scan(&n)
	return n, err
}

// PruneOutbox deletes entries published before cutoff.
func (s *Store) PruneOutbox(ctx context.Context, before time.Time) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM outbox WHERE published_at < $1`, before)
	return tag.RowsAffected(), err
}
