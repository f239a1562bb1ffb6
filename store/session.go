package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Session is a signed-in user's session.
type Session struct {
	User      User
	CSRFToken string
	ExpiresAt time.Time
	LastSeen  time.Time
}

// CreateSession stores a new session for user, keyed by the hash of its
// token, and records the sign-in.
func (s *Store) CreateSession(ctx context.Context, tokenHash []byte, user UserID, csrf string, expires time.Time) error {
	return s.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.tx.Exec(ctx, `INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at)
			VALUES ($1, $2, $3, $4)`, tokenHash, user, csrf, expires); err != nil {
			return fmt.Errorf("creating session: %w", err)
		}
		_, err := tx.tx.Exec(ctx, `UPDATE users SET last_login_at = now() WHERE id = $1`, user)
		return err
	})
}

// SessionByToken returns the live session with that token hash: not expired,
// not idle since before idleSince, and of a user who is not disabled. It
// marks the session seen at now (at most once a minute, to spare writes).
func (s *Store) SessionByToken(ctx context.Context, tokenHash []byte, now, idleSince time.Time) (*Session, error) {
	ss := &Session{}
	u := &ss.User
	var last time.Time
	err := s.pool.QueryRow(ctx, `SELECT u.id, u.username, u.role, s.csrf_token, s.expires_at, s.last_seen_at
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 AND NOT u.disabled`,
		tokenHash, now, idleSince).Scan(&u.ID, &u.Username, &u.Role, &ss.CSRFToken, &ss.ExpiresAt, &last)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("reading session: %w", err)
	}
	ss.LastSeen = last
	if now.Sub(last) > time.Minute {
		if _, err := s.pool.Exec(ctx, `UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1`, tokenHash, now); err != nil {
			return nil, fmt.Errorf("touching session: %w", err)
		}
		ss.LastSeen = now
	}
	return ss, nil
}

// DeleteSession ends a session (sign-out).
func (s *Store) DeleteSession(ctx context.Context, tokenHash []byte) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash); err != nil {
		return fmt.Errorf("deleting session: %w", err)
	}
	return nil
}

// PruneSessions deletes sessions expired or idle, and sign-in attempts
// older than attemptsBefore.
func (s *Store) PruneSessions(ctx context.Context, now, idleSince, attemptsBefore time.Time) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2`, now, idleSince); err != nil {
		return fmt.Errorf("pruning sessions: %w", err)
	}
	if _, err := s.pool.Exec(ctx, `DELETE FROM login_attempts WHERE at < $1`, attemptsBefore); err != nil {
		return fmt.Errorf("pruning sign-in attempts: %w", err)
	}
	return nil
}

// RecordLoginAttempt notes a sign-in attempt for rate limiting.
func (s *Store) RecordLoginAttempt(ctx context.Context, username, ip string, ok bool, at time.Time) error {
	if _, err := s.pool.Exec(ctx, `INSERT INTO login_attempts (username, ip, ok, at) VALUES ($1, $2, $3, $4)`,
		username, ip, ok, at); err != nil {
		return fmt.Errorf("recording sign-in attempt: %w", err)
	}
	return nil
}

// FailedLogins counts failed sign-ins since since for a user name and for
// an address.
func (s *Store) FailedLogins(ctx context.Context, username, ip string, since time.Time) (byUser, byIP int, err error) {
	err = s.pool.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM login_attempts WHERE username = $1 AND NOT ok AND at > $3),
		(SELECT count(*) FROM login_attempts WHERE ip = $2 AND NOT ok AND at > $3)`,
		username, ip, since).Scan(&byUser, &byIP)
	if err != nil {
		return 0, 0, fmt.Errorf("counting failed sign-ins: %w", err)
	}
	return byUser, byIP, nil
}
