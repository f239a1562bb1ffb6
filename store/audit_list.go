package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// AuditFilter selects audit log rows. Zero fields select all.
type AuditFilter struct {
	Actor  string
	Action string
	// Object is a complaint ticket (its rows and those of its reporter's
	// conversation, such as KTP views) or any other object id, matched
	// exactly.
	Object string
	// From and To bound the time, From inclusive, To exclusive.
	From, To time.Time
	// Limit defaults to 50; Offset skips that many.
	Limit, Offset int
}

// AuditRow is one audit log row as the viewer shows it; Detail is the
// detail's JSON text.
type AuditRow struct {
	ID         int64
	At         time.Time
	Actor      string
	Action     string
	ObjectType string
	ObjectID   string
	Detail     string
}

// ListAudit returns the rows f selects, newest first.
func (s *Store) ListAudit(ctx context.Context, f AuditFilter) ([]AuditRow, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.Actor != "" {
		where = append(where, "actor = "+arg(f.Actor))
	}
	if f.Action != "" {
		where = append(where, "action = "+arg(f.Action))
	}
	if f.Object != "" {
		p := arg(f.Object)
		where = append(where, "(object_id = "+p+` OR (object_type = 'conversation' AND object_id IN
			(SELECT conversation_id::text FROM complaints WHERE ticket = `+p+` AND conversation_id IS NOT NULL)))`)
	}
	if !f.From.IsZero() {
		where = append(where, "at >= "+arg(f.From))
	}
	if !f.To.IsZero() {
		where = append(where, "at < "+arg(f.To))
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	q := `SELECT id, at, actor, action, object_type, object_id, detail::text FROM audit_log`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id DESC LIMIT " + arg(f.Limit) + " OFFSET " + arg(f.Offset)
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("reading audit log: %w", err)
	}
	defer rows.Close()
	out := []AuditRow{}
	for rows.Next() {
		var a AuditRow
		if err := rows.Scan(&a.ID, &a.At, &a.Actor, &a.Action, &a.ObjectType, &a.ObjectID, &a.Detail); err != nil {
			return nil, fmt.Errorf("reading audit log: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// AuditNames lists the distinct actors and actions in the audit log, for
// the viewer's filters.
func (s *Store) AuditNames(ctx context.Context) (actors, actions []string, err error) {
	rows, err := s.pool.Query(ctx, `SELECT 'actor', actor FROM (SELECT DISTINCT actor FROM audit_log) a
		UNION ALL SELECT 'action', action FROM (SELECT DISTINCT action FROM audit_log) b ORDER BY 1, 2`)
	if err != nil {
		return nil, nil, fmt.Errorf("reading audit names: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind, name string
		if err := rows.Scan(&kind, &name); err != nil {
			return nil, nil, fmt.Errorf("reading audit names: %w", err)
		}
		if kind == "actor" {
			actors = append(actors, name)
		} else {
			actions = append(actions, name)
		}
	}
	return actors, actions, rows.Err()
}
