package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// LaporReport is what LAPOR! said about a report that became a complaint.
type LaporReport struct {
	Account        string
	TrackingID     string
	Title          string
	Category       string
	Classification string
	Location       string
	// StatusAtImport is the report's LAPOR! status when Aduan first saw it.
	StatusAtImport string
	EventAt        time.Time
	FiledAt        time.Time
	DisposedAt     time.Time
	Confidential   bool
	Anonymous      bool
	// Withheld is the identity LAPOR! gave for a report whose reporter's
	// identity is withheld (confidential or anonymous). It is stored sealed
	// and never on the reporter row, so no list shows it.
	Withheld *LaporIdentity
}

// LaporIdentity is a reporter as LAPOR! gave them.
type LaporIdentity struct {
	SenderID string `json:"sender_id,omitempty"`
	Name     string `json:"name,omitempty"`
	Phone    string `json:"phone,omitempty"`
}

// LaporTicket returns the ticket of the complaint made from a LAPOR!
// report, or ErrNotFound.
func (t *Tx) LaporTicket(ctx context.Context, account, trackingID string) (string, error) {
	var ticket string
	err := t.tx.QueryRow(ctx, `SELECT ticket FROM complaints WHERE channel = 'lapor' AND account = $1
		AND external_ref = $2`, account, trackingID).Scan(&ticket)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("finding complaint of LAPOR! report %s: %w", trackingID, err)
	}
	return ticket, nil
}

// AddLaporReport stores what LAPOR! said of the report complaint id was
// made from.
func (t *Tx) AddLaporReport(ctx context.Context, id ComplaintID, r LaporReport) error {
	var sealed []byte
	if r.Withheld != nil {
		b, err := json.Marshal(r.Withheld)
		if err != nil {
			return err
		}
		sealed = t.crypt.seal(string(b))
	}
	_, err := t.tx.Exec(ctx, `INSERT INTO lapor_reports (complaint_id, account, tracking_id, title, category,
		classification, location, status_at_import, event_at, filed_at, disposed_at, identity_sealed)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		id, r.Account, r.TrackingID, r.Title, r.Category, r.Classification, r.Location, r.StatusAtImport,
		nullTime(r.EventAt), nullTime(r.FiledAt), nullTime(r.DisposedAt), sealed)
	if err != nil {
		return fmt.Errorf("storing LAPOR! report %s: %w", r.TrackingID, err)
	}
	return nil
}

// LaporReportByTicket returns the LAPOR! details of a complaint, the
// withheld identity unsealed: for staff whose role may see it.
func (s *Store) LaporReportByTicket(ctx context.Context, ticket string) (*LaporReport, error) {
	r := &LaporReport{}
	var eventAt, filedAt, disposedAt *time.Time
	var sealed []byte
	err := s.pool.QueryRow(ctx, `SELECT l.account, l.tracking_id, l.title, l.category, l.classification, l.location,
		l.status_at_import, l.event_at, l.filed_at, l.disposed_at, c.confidential, c.anonymous, l.identity_sealed
		FROM lapor_reports l JOIN complaints c ON c.id = l.complaint_id WHERE c.ticket = $1`, ticket).
		Scan(&r.Account, &r.TrackingID, &r.Title, &r.Category, &r.Classification, &r.Location, &r.StatusAtImport,
			&eventAt, &filedAt, &disposedAt, &r.Confidential, &r.Anonymous, &sealed)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("reading LAPOR! report of %s: %w", ticket, err)
	}
	for _, p := range []struct {
		src *time.Time
		dst *time.Time
	}{{eventAt, &r.EventAt}, {filedAt, &r.FiledAt}, {disposedAt, &r.DisposedAt}} {
		if p.src != nil {
			*p.dst = *p.src
		}
	}
	if sealed != nil {
		plain, err := s.crypt.open(sealed)
		if err != nil {
			return nil, err
		}
		r.Withheld = &LaporIdentity{}
		if err := json.Unmarshal([]byte(plain), r.Withheld); err != nil {
			return nil, fmt.Errorf("reading withheld identity of %s: %w", ticket, err)
		}
	}
	return r, nil
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
