package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/identity"
)

// ReporterID identifies a reporter.
type ReporterID int64

// Reporter is a citizen with the identity collected so far. NIK is held in
// clear only in memory; the row keeps it encrypted.
type Reporter struct {
	ID          ReporterID
	Name        string
	ProfileName string
	NIK         string
	Address     string
	Phone       string
	KTPPhoto    bool
}

// reporterNameSQL is the name lists show for reporter row r: the name
// given, else the platform's profile name, and for a reporter whose
// identity was removed (erasure, retention) that it was.
const reporterNameSQL = `CASE WHEN r.anonymised_at IS NOT NULL THEN '(data dihapus)'
	WHEN r.name <> '' THEN r.name ELSE r.profile_name END`

// ReporterKey is how a reporter is known on a channel.
type ReporterKey struct {
	Channel  event.Channel
	Account  string
	SenderID string
}

// ReporterFor returns the reporter known by key, creating one (with the
// platform's profile name) on first contact.
func (t *Tx) ReporterFor(ctx context.Context, key ReporterKey, profileName string) (*Reporter, error) {
	id, err := t.reporterIDOf(ctx, key)
	if err != nil {
		return nil, err
	}
	if id == 0 {
		if err := t.tx.QueryRow(ctx, `INSERT INTO reporters (profile_name) VALUES ($1) RETURNING id`, profileName).Scan(&id); err != nil {
			return nil, fmt.Errorf("creating reporter: %w", err)
		}
		// Two first messages racing: the loser's reporter row rolls back with
		// its transaction when this insert conflicts.
		if err := t.linkReporter(ctx, key, id, false); err != nil {
			return nil, err
		}
	}
	return t.Reporter(ctx, id)
}

// reporterIDOf is the reporter known by key, 0 when none is.
func (t *Tx) reporterIDOf(ctx context.Context, key ReporterKey) (ReporterID, error) {
	var id ReporterID
	err := t.tx.QueryRow(ctx, `SELECT reporter_id FROM reporter_identities
		WHERE channel = $1 AND account = $2 AND sender_id = $3`, key.Channel, key.Account, key.SenderID).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("finding reporter: %w", err)
	}
	return id, nil
}

// linkReporter records that key names reporter id. With keepOld, a key
// already naming a reporter keeps it.
func (t *Tx) linkReporter(ctx context.Context, key ReporterKey, id ReporterID, keepOld bool) error {
	q := `INSERT INTO reporter_identities (channel, account, sender_id, reporter_id) VALUES ($1, $2, $3, $4)`
	if keepOld {
		q += ` ON CONFLICT DO NOTHING`
	}
	if _, err := t.tx.Exec(ctx, q, key.Channel, key.Account, key.SenderID, id); err != nil {
		return fmt.Errorf("linking reporter: %w", err)
	}
	return nil
}

// Reporter reads a reporter, locking the row for the transaction.
func (t *Tx) Reporter(ctx context.Context, id ReporterID) (*Reporter, error) {
	return t.readReporter(ctx, id, " FOR UPDATE")
}

func (t *Tx) reporterNoLock(ctx context.Context, id ReporterID) (*Reporter, error) {
	return t.readReporter(ctx, id, "")
}

func (t *Tx) readReporter(ctx context.Context, id ReporterID, lock string) (*Reporter, error) {
	r := &Reporter{ID: id}
	var nikEnc []byte
	err := t.tx.QueryRow(ctx, `SELECT name, profile_name, nik_enc, address, phone, ktp_photo
		FROM reporters WHERE id = $1`+lock, id).
		Scan(&r.Name, &r.ProfileName, &nikEnc, &r.Address, &r.Phone, &r.KTPPhoto)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("reading reporter %d: %w", id, err)
	}
	if nikEnc != nil {
		if r.NIK, err = t.crypt.open(nikEnc); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// SaveReporter writes the reporter's identity, encrypting the NIK.
func (t *Tx) SaveReporter(ctx context.Context, r *Reporter) error {
	var nikEnc, nikHash []byte
	if r.NIK != "" {
		nikEnc, nikHash = t.crypt.seal(r.NIK), t.crypt.hash(r.NIK)
	}
	_, err := t.tx.Exec(ctx, `UPDATE reporters SET name = $2, profile_name = $3, nik_enc = $4, nik_hash = $5,
		nik_masked = $6, address = $7, phone = $8, ktp_photo = $9, updated_at = now() WHERE id = $1`,
		r.ID, r.Name, r.ProfileName, nikEnc, nikHash, identity.MaskNIK(r.NIK), r.Address, r.Phone, r.KTPPhoto)
	if err != nil {
		return fmt.Errorf("saving reporter %d: %w", r.ID, err)
	}
	return nil
}

// ConfirmIdentity records that a staff member checked the reporter's identity.
func (t *Tx) ConfirmIdentity(ctx context.Context, reporter ReporterID, by string, at time.Time) error {
	if _, err := t.tx.Exec(ctx, `UPDATE reporters SET identity_confirmed_by = $2, identity_confirmed_at = $3
		WHERE id = $1`, reporter, by, at); err != nil {
		return fmt.Errorf("confirming identity of %d: %w", reporter, err)
	}
	return nil
}
