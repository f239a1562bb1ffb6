package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Canned is a ready-made reply as the admin page edits it.
type Canned struct {
	ID       int64
	Title    string
	Text     string
	Position int
}

// ListCanned lists the ready-made replies in their order.
func (s *Store) ListCanned(ctx context.Context) ([]Canned, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, title, text, position FROM canned_responses ORDER BY position, id`)
	if err != nil {
		return nil, fmt.Errorf("listing canned responses: %w", err)
	}
	defer rows.Close()
	var out []Canned
	for rows.Next() {
		var c Canned
		if err := rows.Scan(&c.ID, &c.Title, &c.Text, &c.Position); err != nil {
			return nil, fmt.Errorf("listing canned responses: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// SaveCanned adds a reply at the end (c.ID 0) or changes one's title and
// text, with an audit row naming actor (the title only).
func (s *Store) SaveCanned(ctx context.Context, actor string, c Canned) error {
	return s.InTx(ctx, func(tx *Tx) error {
		action := "canned.updated"
		if c.ID == 0 {
			action = "canned.added"
			if err := tx.tx.QueryRow(ctx, `INSERT INTO canned_responses (title, text, position)
				VALUES ($1, $2, (SELECT coalesce(max(position), 0) + 1 FROM canned_responses)) RETURNING id`,
				c.Title, c.Text).Scan(&c.ID); err != nil {
				return fmt.Errorf("adding canned response: %w", err)
			}
		} else if err := tx.cannedExec(ctx, `UPDATE canned_responses SET title = $2, text = $3 WHERE id = $1`, c.ID, c.Title, c.Text); err != nil {
			return err
		}
		return tx.Audit(ctx, actor, action, "canned_response", fmt.Sprint(c.ID), map[string]any{"title": c.Title})
	})
}

// DeleteCanned removes a reply.
func (s *Store) DeleteCanned(ctx context.Context, actor string, id int64) error {
	return s.InTx(ctx, func(tx *Tx) error {
		if err := tx.cannedExec(ctx, `DELETE FROM canned_responses WHERE id = $1`, id); err != nil {
			return err
		}
		return tx.Audit(ctx, actor, "canned.deleted", "canned_response", fmt.Sprint(id), nil)
	})
}

// MoveCanned moves a reply one place up (by -1) or down (by 1) in the
// order; at either end it stays.
func (s *Store) MoveCanned(ctx context.Context, actor string, id int64, by int) error {
	return s.InTx(ctx, func(tx *Tx) error {
		// Number the rows 1..n first, so equal positions cannot stall a move.
		if _, err := tx.tx.Exec(ctx, `UPDATE canned_responses c SET position = o.n FROM
			(SELECT id, row_number() OVER (ORDER BY position, id) AS n FROM canned_responses) o WHERE o.id = c.id`); err != nil {
			return fmt.Errorf("ordering canned responses: %w", err)
		}
		var pos int
		if err := tx.tx.QueryRow(ctx, `SELECT position FROM canned_responses WHERE id = $1`, id).Scan(&pos); err != nil {
			return fmt.Errorf("canned response %d: %w", id, ErrNotFound)
		}
		if _, err := tx.tx.Exec(ctx, `UPDATE canned_responses SET position = CASE WHEN id = $1 THEN $3::int ELSE $2::int END
			WHERE id = $1 OR position = $3::int`, id, pos, pos+by); err != nil {
			return fmt.Errorf("moving canned response: %w", err)
		}
		return tx.Audit(ctx, actor, "canned.moved", "canned_response", fmt.Sprint(id), map[string]any{"by": by})
	})
}

func (t *Tx) cannedExec(ctx context.Context, sql string, args ...any) error {
	tag, err := t.tx.Exec(ctx, sql, args...)
	if err != nil {
		return fmt.Errorf("changing canned response: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("canned response %v: %w", args[0], ErrNotFound)
	}
	return nil
}

// CannedResponse is a ready-made reply.
type CannedResponse struct {
	Title string
	Text  string
}

// CannedResponses lists the ready-made replies in their order.
func (s *Store) CannedResponses(ctx context.Context) ([]CannedResponse, error) {
	rows, err := s.pool.Query(ctx, `SELECT title, text FROM canned_responses ORDER BY position, id`)
	if err != nil {
		return nil, fmt.Errorf("reading canned responses: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[CannedResponse])
	if err != nil {
		return nil, fmt.Errorf("reading canned responses: %w", err)
	}
	return out, nil
}
