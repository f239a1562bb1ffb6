package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/aduan-gateway/aduan/core/workflow"
)

// UserID identifies a staff member of the admin inbox.
type UserID int64

// User is a staff member. PasswordHash is an encoded hash, never a password.
type User struct {
	ID           UserID
	Username     string
	PasswordHash string
	Role         workflow.Role
	Disabled     bool
	CreatedAt    time.Time
	LastLoginAt  time.Time
}

// ErrUserExists is returned by CreateUser when the user name is taken.
var ErrUserExists = errors.New("user name already taken")

const userColumns = `SELECT id, username, password_hash, role, disabled, created_at,
	coalesce(last_login_at, 'epoch') FROM users`

func scanUser(row pgx.Row) (*User, error) {
	u := &User{}
	err := row.Scan(&u.ID, &u.Username, &u.PasswordHash, &u.Role, &u.Disabled, &u.CreatedAt, &u.LastLoginAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("reading user: %w", err)
	}
	if u.LastLoginAt.Unix() == 0 {
		u.LastLoginAt = time.Time{}
	}
	return u, nil
}

// CreateUser adds a staff member; the role is checked by the database.
func (s *Store) CreateUser(ctx context.Context, username, passwordHash string, role workflow.Role) (UserID, error) {
	return createUser(ctx, s.pool, username, passwordHash, role)
}

// queryRower is a pool or a transaction.
type queryRower interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func createUser(ctx context.Context, q queryRower, username, passwordHash string, role workflow.Role) (UserID, error) {
	var id UserID
	err := q.QueryRow(ctx, `INSERT INTO users (username, password_hash, role) VALUES ($1, $2, $3)
		RETURNING id`, username, passwordHash, role).Scan(&id)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" { // unique_violation
		return 0, fmt.Errorf("creating user %q: %w", username, ErrUserExists)
	}
	if err != nil {
		return 0, fmt.Errorf("creating user %q: %w", username, err)
	}
	return id, nil
}

// UserByName returns the user with that user name.
func (s *Store) UserByName(ctx context.Context, username string) (*User, error) {
	return scanUser(s.pool.QueryRow(ctx, userColumns+` WHERE username = $1`, username))
}

// ListUsers returns every user, ordered by user name.
func (s *Store) ListUsers(ctx context.Context) ([]User, error) {
	rows, err := s.pool.Query(ctx, userColumns+` ORDER BY username`)
	if err != nil {
		return nil, fmt.Errorf("listing users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *u)
	}
	return out, rows.Err()
}

// SetUserDisabled disables (or enables again) a user; disabling also ends
// the user's sessions at once. actor is who did it, for the audit log.
// With keepAdmin (the users page), disabling the last enabled admin is
// refused with ErrLastAdmin; the CLI, the operator's way back in, may.
func (s *Store) SetUserDisabled(ctx context.Context, actor, username string, disabled, keepAdmin bool) error {
	return s.InTx(ctx, func(tx *Tx) error {
		if keepAdmin {
			if err := tx.lockAdmins(ctx); err != nil {
				return err
			}
		}
		id, err := tx.updateUser(ctx, username, `disabled = $2`, disabled)
		if err != nil {
			return err
		}
		if disabled {
			if err := tx.endSessions(ctx, id, username); err != nil {
				return err
			}
		}
		if keepAdmin {
			if err := tx.checkAdminLeft(ctx); err != nil {
				return err
			}
		}
		action := "user.enabled"
		if disabled {
			action = "user.disabled"
		}
		return tx.Audit(ctx, actor, action, "user", username, nil)
	})
}

// SetPassword replaces a user's password hash and ends their sessions, so
// a password changed because it leaked takes effect at once.
func (s *Store) SetPassword(ctx context.Context, actor, username, passwordHash string) error {
	return s.InTx(ctx, func(tx *Tx) error {
		id, err := tx.updateUser(ctx, username, `password_hash = $2`, passwordHash)
		if err != nil {
			return err
		}
		if err := tx.endSessions(ctx, id, username); err != nil {
			return err
		}
		return tx.Audit(ctx, actor, "user.password_changed", "user", username, nil)
	})
}

// updateUser sets one column (set uses $2 for value) of the user's row.
func (t *Tx) updateUser(ctx context.Context, username, set string, value any) (UserID, error) {
	var id UserID
	err := t.tx.QueryRow(ctx, `UPDATE users SET `+set+`, updated_at = now() WHERE username = $1
		RETURNING id`, username, value).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("user %q: %w", username, ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("updating user %q: %w", username, err)
	}
	return id, nil
}

func (t *Tx) endSessions(ctx context.Context, id UserID, username string) error {
	if _, err := t.tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, id); err != nil {
		return fmt.Errorf("ending sessions of %q: %w", username, err)
	}
	return nil
}

// ActiveUser returns the user with id if it exists and is not disabled.
func (t *Tx) ActiveUser(ctx context.Context, id UserID) (*User, error) {
	u, err := scanUser(t.tx.QueryRow(ctx, userColumns+` WHERE id = $1 AND NOT disabled`, id))
	return u, err
}
