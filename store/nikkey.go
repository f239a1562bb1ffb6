package store

import (
	"context"
	"crypto/hmac"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// ErrNIKKeyMismatch is returned by Open when the configured NIK key is not
// the one the database's NIKs are encrypted with: every stored NIK would
// fail to decrypt, so nothing may start with it.
var ErrNIKKeyMismatch = errors.New("the NIK key (ADUAN_NIK_KEY or <data dir>/secrets/nik.key) is not the key this database's NIKs are encrypted with; start with the original key")

// checkNIKKey compares the key's check value with the one the database
// recorded at its first start, recording it when there is none. A database
// that already holds NIKs from before the check existed records it only when
// the key opens one of them.
func (s *Store) checkNIKKey(ctx context.Context) error {
	want := s.crypt.check()
	var got []byte
	err := s.pool.QueryRow(ctx, `SELECT check_value FROM nik_key_check`).Scan(&got)
	if errors.Is(err, pgx.ErrNoRows) {
		return s.recordNIKKey(ctx, want)
	}
	if err != nil {
		return fmt.Errorf("reading the NIK key check: %w", err)
	}
	if !hmac.Equal(got, want) {
		return ErrNIKKeyMismatch
	}
	return nil
}

func (s *Store) recordNIKKey(ctx context.Context, check []byte) error {
	var sealed []byte
	err := s.pool.QueryRow(ctx, `SELECT nik_enc FROM reporters WHERE nik_enc IS NOT NULL LIMIT 1`).Scan(&sealed)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return fmt.Errorf("checking the NIK key: %w", err)
	default:
		if _, err := s.crypt.open(sealed); err != nil {
			return ErrNIKKeyMismatch
		}
	}
	// Two processes starting together insert the same value, or race to
	// insert different ones: the loser reads the winner's and compares.
	if _, err := s.pool.Exec(ctx, `INSERT INTO nik_key_check (check_value) VALUES ($1) ON CONFLICT DO NOTHING`, check); err != nil {
		return fmt.Errorf("recording the NIK key check: %w", err)
	}
	var got []byte
	if err := s.pool.QueryRow(ctx, `SELECT check_value FROM nik_key_check`).Scan(&got); err != nil {
		return fmt.Errorf("reading the NIK key check: %w", err)
	}
	if !hmac.Equal(got, check) {
		return ErrNIKKeyMismatch
	}
	return nil
}
