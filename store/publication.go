package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/workflow"
)

// PublicationDecision is one uji konsekuensi decision on a complaint.
type PublicationDecision struct {
	ID       int64             `json:"id"`
	Decision workflow.Decision `json:"decision"`
	Reason   string            `json:"reason"`
	// Summary is written for the public; required to publish.
	Summary   string    `json:"summary,omitempty"`
	DecidedBy string    `json:"decided_by"`
	DecidedAt time.Time `json:"decided_at"`
	// Current is false once a later decision superseded this one.
	Current bool `json:"current"`
}

// AddPublicationDecision records decision d on complaint id, superseding
// the complaint's current decision (kept, with the time it was superseded).
// It returns the superseded decision, "" when there was none.
func (t *Tx) AddPublicationDecision(ctx context.Context, id ComplaintID, d *PublicationDecision) (workflow.Decision, error) {
	var was workflow.Decision
	err := t.tx.QueryRow(ctx, `UPDATE publication_decisions SET superseded_at = $2
		WHERE complaint_id = $1 AND superseded_at IS NULL RETURNING decision`, id, d.DecidedAt).Scan(&was)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("superseding publication decision: %w", err)
	}
	err = t.tx.QueryRow(ctx, `INSERT INTO publication_decisions (complaint_id, decision, reason, summary,
		decided_by, decided_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		id, d.Decision, d.Reason, d.Summary, d.DecidedBy, d.DecidedAt).Scan(&d.ID)
	if err != nil {
		return "", fmt.Errorf("recording publication decision: %w", err)
	}
	d.Current = true
	return was, nil
}

// PublicationDecisions returns the decisions on the complaint with ticket,
// newest (the current one) first; none is an empty list.
func (s *Store) PublicationDecisions(ctx context.Context, ticket string) ([]PublicationDecision, error) {
	rows, err := s.pool.Query(ctx, `SELECT d.id, d.decision, d.reason, d.summary, d.decided_by, d.decided_at,
		d.superseded_at IS NULL FROM publication_decisions d JOIN complaints c ON c.id = d.complaint_id
		WHERE c.ticket = $1 ORDER BY d.id DESC`, ticket)
	if err != nil {
		return nil, fmt.Errorf("reading publication decisions of %s: %w", ticket, err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByPos[PublicationDecision])
	if err != nil {
		return nil, fmt.Errorf("reading publication decisions of %s: %w", ticket, err)
	}
	if list == nil {
		list = []PublicationDecision{}
	}
	return list, nil
}

// PublishedComplaint is a complaint as the public reads it once its current
// uji konsekuensi decision is to publish. It holds no personal data and
// none of the reporter's words or the internal result: the query below
// selects nothing else, so no page can show more by mistake.
type PublishedComplaint struct {
	Ticket        string
	Category      string
	CategoryLabel string
	Channel       event.Channel
	Class         workflow.Class
	Status        workflow.Status
	ReceivedAt    time.Time
	ResolvedAt    time.Time
	// DueDate is YYYY-MM-DD (WIB).
	DueDate string
	// Summary is the publication summary.
	Summary     string
	PublishedAt time.Time
	// UpdatedAt is the last change the public can see: the result, the
	// archive or the decision.
	UpdatedAt time.Time
}

const publishedColumns = `SELECT c.ticket, c.category, coalesce(k.label, c.category), c.channel,
	coalesce(c.class, ''), c.status, c.received_at, c.resolved_at, coalesce(to_char(c.due_date, 'YYYY-MM-DD'), ''),
	d.summary, d.decided_at, greatest(c.resolved_at, c.archived_at, d.decided_at)
	FROM publication_decisions d JOIN complaints c ON c.id = d.complaint_id
	LEFT JOIN complaint_categories k ON k.code = c.category
	WHERE d.superseded_at IS NULL AND d.decision = 'publish' AND c.status IN ('selesai', 'diarsipkan')
	AND c.resolved_at IS NOT NULL`

// PublishedFilter selects published complaints. Zero fields select all.
type PublishedFilter struct {
	Category string
	// ReceivedFrom and ReceivedBefore bound when the complaint was received.
	ReceivedFrom, ReceivedBefore time.Time
	// Limit defaults to 50; Offset skips that many.
	Limit, Offset int
}

// PublishedComplaints lists the published complaints f selects, the most
// recently finished first.
func (s *Store) PublishedComplaints(ctx context.Context, f PublishedFilter) ([]PublishedComplaint, error) {
	q, args := publishedColumns, []any{}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.Category != "" {
		q += " AND c.category = " + arg(f.Category)
	}
	if !f.ReceivedFrom.IsZero() {
		q += " AND c.received_at >= " + arg(f.ReceivedFrom)
	}
	if !f.ReceivedBefore.IsZero() {
		q += " AND c.received_at < " + arg(f.ReceivedBefore)
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	q += " ORDER BY c.resolved_at DESC, c.id DESC LIMIT " + arg(f.Limit) + " OFFSET " + arg(f.Offset)
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("listing published complaints: %w", err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByPos[PublishedComplaint])
	if err != nil {
		return nil, fmt.Errorf("listing published complaints: %w", err)
	}
	if list == nil {
		list = []PublishedComplaint{}
	}
	return list, nil
}

// PublishedComplaint returns the complaint with ticket if it is published,
// otherwise ErrNotFound (whether it exists is not the public's business).
func (s *Store) PublishedComplaint(ctx context.Context, ticket string) (*PublishedComplaint, error) {
	rows, err := s.pool.Query(ctx, publishedColumns+` AND c.ticket = $1`, ticket)
	if err != nil {
		return nil, fmt.Errorf("reading published complaint %s: %w", ticket, err)
	}
	p, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByPos[PublishedComplaint])
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("reading published complaint %s: %w", ticket, err)
	}
	return p, nil
}
