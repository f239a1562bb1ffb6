package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aduan-gateway/aduan/core/workflow"
)

// Expired is what one retention pass (Expire) removed.
type Expired struct {
	// Complaints whose conversation was cleared.
	Complaints int
	// Messages whose text and captions were erased.
	Messages int
	// KTPRows are the identity-document attachment rows deleted.
	KTPRows int
	// Files are the other attachment rows deleted: photos and documents of
	// archived complaints, and every file of an anonymised reporter.
	Files int
	// Reporters are the idle reporters whose identity was removed.
	Reporters int
	// Rejected are the rejected inputs deleted.
	Rejected int
	// ObjectKeys were deleted from the object store.
	ObjectKeys []string
}

// anonymiseBatch bounds the reporters one pass anonymises, so the first
// pass over a long history does not hold one huge transaction; the next
// pass goes on.
const anonymiseBatch = 500

// Expire is one retention pass with the cutoff now minus the retention
// period (docs/privacy.md), in three transactions:
//
//   - every complaint archived before cutoff loses what its reporter wrote
//     and sent up to the archiving: the text and captions of the
//     conversation's incoming messages and the satisfaction survey's
//     comment, and every file of it, identity
//     documents (KTP photos) and other photos and documents alike. A
//     conversation that also holds a complaint not archived that long is
//     left alone. The complaint itself (its summary text, steps, follow-ups,
//     berita acara) is the office's record and stays; one retention.expired
//     audit row per complaint.
//   - every reporter with no open complaint and no activity since cutoff
//     (no message, no change to a complaint of theirs) is anonymised as an
//     erasure does (scrubReporters), their complaints' records staying;
//     one retention.anonymised audit row per reporter.
//   - rejected inputs received before cutoff are deleted.
//
// deleteObjects is handed the object-store keys no remaining row refers to
// and must delete them before each transaction commits, so a failure
// leaves the pass to be done again. Expire is idempotent.
func (s *Store) Expire(ctx context.Context, cutoff time.Time, deleteObjects func([]string) error) (Expired, error) {
	var out Expired
	for _, pass := range []struct {
		name string
		run  func(*Tx) ([]string, error)
	}{
		{"expiring archived complaints", func(tx *Tx) ([]string, error) { return tx.expireArchived(ctx, cutoff, &out) }},
		{"anonymising idle reporters", func(tx *Tx) ([]string, error) { return tx.anonymiseIdle(ctx, cutoff, &out) }},
		{"expiring rejected inputs", func(tx *Tx) ([]string, error) { return tx.expireRejected(ctx, cutoff, &out) }},
	} {
		err := s.InTx(ctx, func(tx *Tx) error {
			keys, err := pass.run(tx)
			if err != nil {
				return err
			}
			if keys, err = tx.unreferenced(ctx, keys); err != nil || len(keys) == 0 {
				return err
			}
			out.ObjectKeys = append(out.ObjectKeys, keys...)
			return deleteObjects(keys)
		})
		if err != nil {
			return Expired{}, fmt.Errorf("%s: %w", pass.name, err)
		}
	}
	return out, nil
}

// expireArchived is Expire's first pass; it returns the object keys of the
// attachment rows it deleted.
func (t *Tx) expireArchived(ctx context.Context, cutoff time.Time, out *Expired) ([]string, error) {
	rows, err := t.tx.Query(ctx, `SELECT id, ticket, conversation_id, archived_at FROM complaints
		WHERE status = $1 AND archived_at < $2 AND conversation_id IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM complaints o WHERE o.conversation_id = complaints.conversation_id
			AND (o.status <> $1 OR o.archived_at >= $2))
		FOR UPDATE`, workflow.Archived, cutoff)
	if err != nil {
		return nil, err
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
		return nil, err
	}
	var keys []string
	for _, a := range list {
		var ktp, files int
		rows, err := t.tx.Query(ctx, `DELETE FROM attachments a USING messages m
			WHERE a.message_id = m.id AND m.conversation_id = $1 AND m.created_at <= $2
			RETURNING a.object_key, a.is_ktp`, a.conv, a.at)
		if err != nil {
			return nil, err
		}
		var key string
		var isKTP bool
		if _, err := pgx.ForEachRow(rows, []any{&key, &isKTP}, func() error {
			keys = append(keys, key)
			if isKTP {
				ktp++
			} else {
				files++
			}
			return nil
		}); err != nil {
			return nil, err
		}
		tag, err := t.tx.Exec(ctx, `UPDATE messages SET text = '', original_text = NULL WHERE conversation_id = $1
			AND direction = 'in' AND created_at <= $2 AND (text <> '' OR original_text IS NOT NULL)`, a.conv, a.at)
		if err != nil {
			return nil, err
		}
		// The survey comment too; its score stays, counted in the statistics.
		survey, err := t.tx.Exec(ctx, `UPDATE satisfaction SET comment = '' WHERE complaint_id = $1 AND comment <> ''`, a.id)
		if err != nil {
			return nil, err
		}
		if ktp+files == 0 && tag.RowsAffected()+survey.RowsAffected() == 0 {
			continue // cleared before
		}
		out.Complaints++
		out.Messages += int(tag.RowsAffected())
		out.KTPRows += ktp
		out.Files += files
		if err := t.Audit(ctx, "retention", "retention.expired", "complaint", a.ticket,
			map[string]any{"messages": tag.RowsAffected(), "ktp": ktp, "files": files}); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

// anonymiseIdle is Expire's second pass.
func (t *Tx) anonymiseIdle(ctx context.Context, cutoff time.Time, out *Expired) ([]string, error) {
	open := workflow.UnfinishedStatuses()
	rows, err := t.tx.Query(ctx, `SELECT r.id FROM reporters r
		WHERE r.anonymised_at IS NULL AND r.created_at < $1 AND r.updated_at < $1
		AND NOT EXISTS (SELECT 1 FROM conversations v WHERE v.reporter_id = r.id
			AND (v.last_message_at >= $1 OR v.created_at >= $1))
		AND NOT EXISTS (SELECT 1 FROM complaints c WHERE c.reporter_id = r.id
			AND (c.status = ANY($2) OR c.updated_at >= $1 OR c.archived_at >= $1))
		ORDER BY r.id LIMIT $3 FOR UPDATE OF r SKIP LOCKED`, cutoff, open, anonymiseBatch)
	if err != nil {
		return nil, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[ReporterID])
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	sc, err := t.scrubReporters(ctx, ids)
	if err != nil {
		return nil, err
	}
	out.Reporters += len(ids)
	out.Messages += sc.messages
	out.Files += len(sc.keys)
	for _, id := range ids {
		if err := t.Audit(ctx, "retention", "retention.anonymised", "reporter", idText(id),
			map[string]any{"conversations": sc.byReporter[id]}); err != nil {
			return nil, err
		}
	}
	return sc.keys, nil
}

// expireRejected is Expire's third pass.
func (t *Tx) expireRejected(ctx context.Context, cutoff time.Time, out *Expired) ([]string, error) {
	tag, err := t.tx.Exec(ctx, `DELETE FROM rejected_inputs WHERE received_at < $1`, cutoff)
	if err != nil {
		return nil, err
	}
	out.Rejected += int(tag.RowsAffected())
	return nil, nil
}
