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

// PruneSessions deletes sessions expired or idle, failed sign-in attempts
// older than failuresBefore and successful ones older than knownBefore.
func (s *Store) PruneSessions(ctx context.Context, now, idleSince, failuresBefore, knownBefore time.Time) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2`, now, idleSince); err != nil {
		return fmt.Errorf("pruning sessions: %w", err)
	}
	if _, err := s.pool.Exec(ctx, `DELETE FROM login_attempts WHERE (ok IS NOT TRUE AND at < $1) OR at < $2`,
		failuresBefore, knownBefore); err != nil {
		return fmt.Errorf("pruning sign-in attempts: %w", err)
	}
	return nil
}

// LoginLimits are the failed sign-ins BeginLogin tolerates within a window.
// A pair is a user name tried from one address; it is known when it signed
// in successfully since KnownSince. The user-wide and address-wide limits
// apply to unknown pairs only, so an attacker can lock a user name out
// from his own address but not from the addresses its owner uses, and
// cannot lock out colleagues behind the same NAT who signed in there before.
type LoginLimits struct {
	Since      time.Time
	KnownSince time.Time
	Pair       int
	User       int
	Address    int
}

// LoginAttemptID names a pending sign-in attempt.
type LoginAttemptID int64

// ErrLoginLimited is returned by BeginLogin when a limit is reached.
var ErrLoginLimited = errors.New("too many failed sign-ins")

// BeginLogin counts a sign-in attempt before its password is checked: it
// records it as pending, or returns ErrLoginLimited when the limits are
// reached. Attempts for one user name, and from one address, are counted
// one at a time (advisory locks, user name first), so simultaneous guesses
// cannot all pass the check; pending attempts count as failures until
// FinishLogin.
func (s *Store) BeginLogin(ctx context.Context, username, ip string, at time.Time, lim LoginLimits) (LoginAttemptID, error) {
	var id LoginAttemptID
	err := s.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('aduan.login.user:' || $1, 0)),
			pg_advisory_xact_lock(hashtextextended('aduan.login.ip:' || $2, 0))`, username, ip); err != nil {
			return fmt.Errorf("locking sign-in attempts: %w", err)
		}
		var pair, byUser, byIP int
		var known bool
		if err := tx.tx.QueryRow(ctx, `SELECT
			(SELECT count(*) FROM login_attempts WHERE username = $1 AND ip = $2 AND ok IS NOT TRUE AND at > $3),
			(SELECT count(*) FROM login_attempts WHERE username = $1 AND ok IS NOT TRUE AND at > $3),
			(SELECT count(*) FROM login_attempts WHERE ip = $2 AND ok IS NOT TRUE AND at > $3),
			EXISTS (SELECT 1 FROM login_attempts WHERE username = $1 AND ip = $2 AND ok AND at > $4)`,
			username, ip, lim.Since, lim.KnownSince).Scan(&pair, &byUser, &byIP, &known); err != nil {
			return fmt.Errorf("counting failed sign-ins: %w", err)
		}
		if pair >= lim.Pair || !known && (byUser >= lim.User || byIP >= lim.Address) {
			return ErrLoginLimited
		}
		if err := tx.tx.QueryRow(ctx, `INSERT INTO login_attempts (username, ip, ok, at) VALUES ($1, $2, NULL, $3)
			RETURNING id`, username, ip, at).Scan(&id); err != nil {
			return fmt.Errorf("recording sign-in attempt: %w", err)
		}
		return nil
	})
	return id, err
}

// FinishLogin records the outcome of a pending attempt.
func (s *Store) FinishLogin(ctx context.Context, id LoginAttemptID, ok bool) error {
	if _, err := s.pool.Exec(ctx, `UPDATE login_attempts SET ok = $2 WHERE id = $1`, id, ok); err != nil {
		return fmt.Errorf("recording sign-in outcome: %w", err)
	}
	return nil
}
