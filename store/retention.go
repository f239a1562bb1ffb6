package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aduan-gateway/aduan/core/workflow"
)

// Expired is what ExpireArchived removed.
type Expired struct {
	// Complaints whose conversation was cleared.
	Complaints int
	// Messages whose text and captions were erased.
	Messages int
	// KTPRows are the identity-document attachment rows deleted.
	KTPRows int
	// ObjectKeys are the object-store keys of those identity documents that
	// no remaining attachment refers to: the caller deletes the bytes.
	ObjectKeys []string
}

// ExpireArchived erases, for every complaint archived before cutoff, what
// its reporter wrote up to the archiving: the text and captions of the
// conversation's incoming messages, and the rows of its identity documents
// (KTP photos). A conversation that also holds a complaint not yet archived
// that long is left alone. The complaint itself (its summary text, steps and berita
// acara) is the office's record and stays. It is idempotent, and writes
// one audit row (actor "retention") per complaint it cleared.
func (s *Store) ExpireArchived(ctx context.Context, cutoff time.Time) (Expired, error) {
	var out Expired
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, ticket, conversation_id, archived_at FROM complaints
			WHERE status = $1 AND archived_at < $2 AND conversation_id IS NOT NULL
			AND NOT EXISTS (SELECT 1 FROM complaints o WHERE o.conversation_id = complaints.conversation_id
				AND (o.status <> $1 OR o.archived_at >= $2))
			FOR UPDATE`, workflow.Archived, cutoff)
		if err != nil {
			return err
		}
		type archived struct {
			id     ComplaintID
			ticket string
			conv   ConversationID
			at     time.Time
		}
		list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (archived, error) {
			var a archived
			return a, r.Scan(&a.id, &a.ticket, &a.conv, &a.at)
		})
		if err != nil {
			return err
		}
		for _, a := range list {
			rows, err := tx.Query(ctx, `DELETE FROM attachments a USING messages m
				WHERE a.message_id = m.id AND m.conversation_id = $1 AND m.created_at <= $2 AND a.is_ktp
				RETURNING a.object_key`, a.conv, a.at)
			if err != nil {
				return err
			}
			keys, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				return err
			}
			tag, err := tx.Exec(ctx, `UPDATE messages SET text = '' WHERE conversation_id = $1 AND direction = 'in'
				AND created_at <= $2 AND text <> ''`, a.conv, a.at)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE attachments a SET caption = '' FROM messages m
				WHERE a.message_id = m.id AND m.conversation_id = $1 AND m.created_at <= $2 AND a.caption <> ''`, a.conv, a.at); err != nil {
				return err
			}
			if len(keys) == 0 && tag.RowsAffected() == 0 {
				continue // cleared before
			}
			out.Complaints++
			out.Messages += int(tag.RowsAffected())
			out.KTPRows += len(keys)
			for _, k := range keys {
				var used bool
				if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM attachments WHERE object_key = $1)`, k).Scan(&used); err != nil {
					return err
				}
				if !used && k != "" {
					out.ObjectKeys = append(out.ObjectKeys, k)
				}
			}
			t := &Tx{tx: tx, crypt: s.crypt}
			if err := t.Audit(ctx, "retention", "retention.expired", "complaint", a.ticket,
				map[string]any{"messages": tag.RowsAffected(), "ktp": len(keys)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Expired{}, fmt.Errorf("expiring archived complaints: %w", err)
	}
	return out, nil
}
