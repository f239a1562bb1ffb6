package store

import (
	"context"
	"fmt"
)

// Audit appends an entry to the audit log. detail must hold no personal data
// in clear.
func (t *Tx) Audit(ctx context.Context, actor, action, objectType, objectID string, detail map[string]any) error {
	if detail == nil {
		detail = map[string]any{}
	}
	_, err := t.tx.Exec(ctx, `INSERT INTO audit_log (actor, action, object_type, object_id, detail)
		VALUES ($1, $2, $3, $4, $5)`, actor, action, objectType, objectID, detail)
	if err != nil {
		return fmt.Errorf("writing audit log: %w", err)
	}
	return nil
}

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	Actor, Action, ObjectType, ObjectID string
}

// AuditTrail returns the audit entries of one object, oldest first.
func (s *Store) AuditTrail(ctx context.Context, objectType, objectID string) ([]AuditEntry, error) {
	rows, err := s.pool.Query(ctx, `SELECT actor, action, object_type, object_id FROM audit_log
		WHERE object_type = $1 AND object_id = $2 ORDER BY id`, objectType, objectID)
	if err != nil {
		return nil, fmt.Errorf("reading audit log: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		if err := rows.Scan(&e.Actor, &e.Action, &e.ObjectType, &e.ObjectID); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
