package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Category is a kind of complaint the verifier chooses at verification.
type Category struct {
	Code   string `json:"code"`
	Label  string `json:"label"`
	Active bool   `json:"active"`
}

// Categories lists the categories in display order; retired ones only
// when all is true.
func (s *Store) Categories(ctx context.Context, all bool) ([]Category, error) {
	rows, err := s.pool.Query(ctx, `SELECT code, label, active FROM complaint_categories
		WHERE active OR $1 ORDER BY position, code`, all)
	if err != nil {
		return nil, fmt.Errorf("listing categories: %w", err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Category])
	if err != nil {
		return nil, fmt.Errorf("listing categories: %w", err)
	}
	return list, nil
}

// Category returns the category with code, or ErrNotFound.
func (t *Tx) Category(ctx context.Context, code string) (*Category, error) {
	c := &Category{}
	err := t.tx.QueryRow(ctx, `SELECT code, label, active FROM complaint_categories WHERE code = $1`, code).
		Scan(&c.Code, &c.Label, &c.Active)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("reading category %s: %w", code, err)
	}
	return c, nil
}

// SaveCategory adds a category or changes its label and whether it is active.
func (s *Store) SaveCategory(ctx context.Context, c Category) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO complaint_categories (code, label, active, position)
		VALUES ($1, $2, $3, (SELECT coalesce(max(position), 0) + 1 FROM complaint_categories))
		ON CONFLICT (code) DO UPDATE SET label = excluded.label, active = excluded.active`, c.Code, c.Label, c.Active)
	if err != nil {
		return fmt.Errorf("saving category %s: %w", c.Code, err)
	}
	return nil
}
