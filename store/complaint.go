package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/identity"
	"github.com/aduan-gateway/aduan/core/workflow"
)

// ComplaintID identifies a complaint.
type ComplaintID int64

// NextTicket takes the next ticket number of year, e.g. ADU-2026-000123.
// The counter row stays locked until the transaction ends, so numbers are
// strictly sequential and a rolled-back complaint gives its number back.
func (t *Tx) NextTicket(ctx context.Context, prefix string, year int) (ticket string, seq int, err error) {
	err = t.tx.QueryRow(ctx, `INSERT INTO ticket_counters (year, last) VALUES ($1, 1)
		ON CONFLICT (year) DO UPDATE SET last = ticket_counters.last + 1 RETURNING last`, year).Scan(&seq)
	if err != nil {
		return "", 0, fmt.Errorf("taking ticket number: %w", err)
	}
	return FormatTicket(prefix, year, seq), seq, nil
}

// FormatTicket formats a ticket number.
func FormatTicket(prefix string, year, seq int) string {
	return fmt.Sprintf("%s-%d-%06d", prefix, year, seq)
}

// NewComplaint is what CreateComplaint stores.
type NewComplaint struct {
	Ticket       string
	Year, Seq    int
	Channel      event.Channel
	Account      string
	Conversation ConversationID
	Reporter     ReporterID
	Status       workflow.Status
	Text         string
	ExternalRef  string
	ReceivedAt   time.Time
	Confidential bool
	Anonymous    bool
}

// CreateComplaint stores a new complaint.
func (t *Tx) CreateComplaint(ctx context.Context, c NewComplaint) (ComplaintID, error) {
	var conv *ConversationID
	if c.Conversation != 0 {
		conv = &c.Conversation
	}
	var id ComplaintID
	err := t.tx.QueryRow(ctx, `INSERT INTO complaints (ticket, year, seq, channel, account, conversation_id,
		reporter_id, status, text, external_ref, received_at, confidential, anonymous)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
		RETURNING id`, c.Ticket, c.Year, c.Seq, c.Channel, c.Account, conv, c.Reporter, c.Status, c.Text,
		c.ExternalRef, c.ReceivedAt, c.Confidential, c.Anonymous).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("storing complaint %s: %w", c.Ticket, err)
	}
	return id, nil
}

// AddToComplaint records information the reporter added to a complaint.
func (t *Tx) AddToComplaint(ctx context.Context, ticket string, msg MessageID, text string) error {
	var m *MessageID
	if msg != 0 {
		m = &msg
	}
	tag, err := t.tx.Exec(ctx, `INSERT INTO complaint_additions (complaint_id, message_id, text)
		SELECT id, $2, $3 FROM complaints WHERE ticket = $1`, ticket, m, text)
	if err != nil {
		return fmt.Errorf("adding to complaint %s: %w", ticket, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("adding to complaint %s: %w", ticket, ErrNotFound)
	}
	_, err = t.tx.Exec(ctx, `UPDATE complaints SET updated_at = now() WHERE ticket = $1`, ticket)
	return err
}

// TicketStatus is a ticket with its status and, once classified, its due
// date (YYYY-MM-DD); Result is the result recorded when it was resolved,
// Reason why it was returned, redirected or postponed ("" when none).
type TicketStatus struct {
	Ticket  string
	Status  workflow.Status
	DueDate string
	Result  string
	Reason  string
}

// ticketStatusColumns selects a TicketStatus from complaints k.
const ticketStatusColumns = `SELECT k.ticket, k.status, coalesce(to_char(k.due_date, 'YYYY-MM-DD'), ''), k.result, k.reason`

// ReporterTickets lists a reporter's complaints, newest first.
func (t *Tx) ReporterTickets(ctx context.Context, reporter ReporterID) ([]TicketStatus, error) {
	rows, err := t.tx.Query(ctx, ticketStatusColumns+`
		FROM complaints k WHERE k.reporter_id = $1 ORDER BY k.id DESC`, reporter)
	if err != nil {
		return nil, fmt.Errorf("listing tickets: %w", err)
	}
	ts, err := pgx.CollectRows(rows, pgx.RowToStructByPos[TicketStatus])
	if err != nil {
		return nil, fmt.Errorf("listing tickets: %w", err)
	}
	return ts, nil
}

// ComplaintSummary is a complaint as lists show it: the NIK only masked, in
// the text too (identity.MaskNIKs), whoever reads it.
type ComplaintSummary struct {
	Ticket       string          `json:"ticket"`
	Channel      event.Channel   `json:"channel"`
	Status       workflow.Status `json:"status"`
	ReceivedAt   time.Time       `json:"received_at"`
	ReporterName string          `json:"reporter_name"`
	NIKMasked    string          `json:"nik_masked"`
	Text         string          `json:"text"`
	Additions    []string        `json:"additions,omitempty"`
	// ExternalRef links to the origin: a LAPOR! report's tracking id.
	ExternalRef string         `json:"external_ref,omitempty"`
	Class       workflow.Class `json:"class"`
	Category    string         `json:"category"`
	// DueDate is the deadline (YYYY-MM-DD, WIB), set at verification.
	DueDate string `json:"due_date"`
	// Assignee is the user name of the koordinator handling it.
	Assignee string `json:"assignee"`
	// ConversationID is the reporter's conversation (0 for none).
	ConversationID ConversationID `json:"conversation_id,omitempty"`
	Confidential   bool           `json:"confidential,omitempty"`
	Anonymous      bool           `json:"anonymous,omitempty"`
}

// A confidential or anonymous report's reporter is never named in a list.
const complaintSummaryColumns = `SELECT c.id, c.ticket, c.channel, c.status, c.received_at,
	CASE WHEN c.confidential THEN '(dirahasiakan)' WHEN c.anonymous THEN '(anonim)' ELSE ` + reporterNameSQL + ` END,
	CASE WHEN c.confidential OR c.anonymous THEN '' ELSE r.nik_masked END, c.text, c.external_ref,
	coalesce(c.class, ''), c.category, coalesce(to_char(c.due_date, 'YYYY-MM-DD'), ''),
	coalesce(u.username, ''), coalesce(c.conversation_id, 0), c.confidential, c.anonymous
	FROM complaints c JOIN reporters r ON r.id = c.reporter_id LEFT JOIN users u ON u.id = c.assignee_id`

func scanSummary(row pgx.Row) (ComplaintID, ComplaintSummary, error) {
	var id ComplaintID
	var c ComplaintSummary
	err := row.Scan(&id, &c.Ticket, &c.Channel, &c.Status, &c.ReceivedAt, &c.ReporterName, &c.NIKMasked, &c.Text,
		&c.ExternalRef, &c.Class, &c.Category, &c.DueDate, &c.Assignee, &c.ConversationID, &c.Confidential, &c.Anonymous)
	c.Text = identity.MaskNIKs(c.Text)
	return id, c, err
}

// ComplaintFilter selects complaints for a list. Zero fields select all.
type ComplaintFilter struct {
	Statuses []workflow.Status
	Class    workflow.Class
	Category string
	Channel  event.Channel
	// Assignee is a koordinator's user name.
	Assignee string
	// DueFrom and DueBy bound the due date (YYYY-MM-DD, inclusive); a
	// bound set leaves out complaints without a due date.
	DueFrom, DueBy string
	// Search matches the ticket, the complaint text or the reporter's name
	// (not a withheld reporter's).
	Search string
	// Limit defaults to 50; Offset skips that many.
	Limit, Offset int
}

// ListComplaints returns the complaints f selects, newest first.
func (s *Store) ListComplaints(ctx context.Context, f ComplaintFilter) ([]ComplaintSummary, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if len(f.Statuses) > 0 {
		where = append(where, "c.status = ANY("+arg(f.Statuses)+"::text[])")
	}
	if f.Class != "" {
		where = append(where, "c.class = "+arg(f.Class))
	}
	if f.Category != "" {
		where = append(where, "c.category = "+arg(f.Category))
	}
	if f.Channel != "" {
		where = append(where, "c.channel = "+arg(f.Channel))
	}
	if f.Assignee != "" {
		where = append(where, "u.username = "+arg(f.Assignee))
	}
	if f.DueFrom != "" {
		where = append(where, "c.due_date >= "+arg(f.DueFrom)+"::date")
	}
	if f.DueBy != "" {
		where = append(where, "c.due_date <= "+arg(f.DueBy)+"::date")
	}
	if q := strings.TrimSpace(f.Search); q != "" {
		p := arg("%" + likeEscape(q) + "%")
		where = append(where, "(c.ticket ILIKE "+p+" OR c.text ILIKE "+p+
			" OR (NOT c.confidential AND NOT c.anonymous AND (r.name ILIKE "+p+" OR r.profile_name ILIKE "+p+")))")
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	q := complaintSummaryColumns
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY c.received_at DESC, c.id DESC LIMIT " + arg(f.Limit) + " OFFSET " + arg(f.Offset)
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("listing complaints: %w", err)
	}
	defer rows.Close()
	list := []ComplaintSummary{}
	for rows.Next() {
		_, c, err := scanSummary(rows)
		if err != nil {
			return nil, fmt.Errorf("listing complaints: %w", err)
		}
		list = append(list, c)
	}
	return list, rows.Err()
}

// ComplaintByTicket returns one complaint with the information added to it.
func (s *Store) ComplaintByTicket(ctx context.Context, ticket string) (*ComplaintSummary, error) {
	id, c, err := scanSummary(s.pool.QueryRow(ctx, complaintSummaryColumns+` WHERE c.ticket = $1`, ticket))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("reading complaint %s: %w", ticket, err)
	}
	rows, err := s.pool.Query(ctx, `SELECT text FROM complaint_additions WHERE complaint_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("reading complaint %s: %w", ticket, err)
	}
	if c.Additions, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		return nil, fmt.Errorf("reading complaint %s: %w", ticket, err)
	}
	for i, a := range c.Additions {
		c.Additions[i] = identity.MaskNIKs(a)
	}
	return &c, nil
}

// CountComplaints counts complaints; tests and metrics use it.
func (s *Store) CountComplaints(ctx context.Context) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM complaints`).Scan(&n)
	return n, err
}

// AwaitingVerification reports whether a complaint of conversation conv is
// awaiting verification: the only time a verifikator may see its reporter's
// identity documents.
func (s *Store) AwaitingVerification(ctx context.Context, conv ConversationID) (bool, error) {
	var ok bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM complaints WHERE conversation_id = $1 AND status = $2)`,
		conv, workflow.AwaitingVerification).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("checking complaints of conversation %d: %w", conv, err)
	}
	return ok, nil
}
