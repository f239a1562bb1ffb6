package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/aduan-gateway/aduan/core/workflow"
)

// ErrLastAdmin: the change would leave no enabled admin to manage users.
var ErrLastAdmin = errors.New("the last enabled admin must remain")

// AddUser adds a staff member, with an audit row naming actor.
func (s *Store) AddUser(ctx context.Context, actor, username, passwordHash string, role workflow.Role) (UserID, error) {
	var id UserID
	err := s.InTx(ctx, func(tx *Tx) error {
		var err error
		if id, err = createUser(ctx, tx.tx, username, passwordHash, role); err != nil {
			return err
		}
		return tx.Audit(ctx, actor, "user.created", "user", username, map[string]any{"role": role})
	})
	return id, err
}

// SetUserRole changes a user's role; it takes effect at their next request.
// Demoting the last enabled admin is refused with ErrLastAdmin.
func (s *Store) SetUserRole(ctx context.Context, actor, username string, role workflow.Role) error {
	return s.InTx(ctx, func(tx *Tx) error {
		if err := tx.lockAdmins(ctx); err != nil {
			return err
		}
		var from workflow.Role
		if err := tx.tx.QueryRow(ctx, `SELECT role FROM users WHERE username = $1`, username).Scan(&from); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("user %q: %w", username, ErrNotFound)
			}
			return fmt.Errorf("reading user %q: %w", username, err)
		}
		if from == role {
			return nil
		}
		if _, err := tx.updateUser(ctx, username, `role = $2`, role); err != nil {
			return err
		}
		if err := tx.checkAdminLeft(ctx); err != nil {
			return err
		}
		return tx.Audit(ctx, actor, "user.role_changed", "user", username, map[string]any{"from": from, "to": role})
	})
}

// lockAdmins locks the enabled admins' rows, so two admins demoting or
// disabling each other at once cannot both succeed.
func (t *Tx) lockAdmins(ctx context.Context) error {
	if _, err := t.tx.Exec(ctx, `SELECT id FROM users WHERE role = 'admin' AND NOT disabled ORDER BY id FOR UPDATE`); err != nil {
		return fmt.Errorf("locking admins: %w", err)
	}
	return nil
}

// checkAdminLeft refuses a change that left no enabled admin.
func (t *Tx) checkAdminLeft(ctx context.Context) error {
	var n int
	if err := t.tx.QueryRow(ctx, `SELECT count(*) FROM users WHERE role = 'admin' AND NOT disabled`).Scan(&n); err != nil {
		return fmt.Errorf("counting admins: %w", err)
	}
	if n == 0 {
		return ErrLastAdmin
	}
	return nil
}
