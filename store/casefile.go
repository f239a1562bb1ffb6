package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/workflow"
)

// ComplaintState is a complaint as the workflow reads and changes it.
type ComplaintState struct {
	ID           ComplaintID
	Ticket       string
	Channel      event.Channel
	Account      string
	Conversation ConversationID
	Reporter     ReporterID
	ExternalRef  string
	Text         string
	ReceivedAt   time.Time
	Confidential bool
	Anonymous    bool

	Status   workflow.Status
	Class    workflow.Class
	Category string
	// DueDate is YYYY-MM-DD (WIB), "" until verification.
	DueDate string
	// Assignee is the koordinator's user name, "" for none.
	Assignee      string
	Result        string
	Reason        string
	PostponedFrom workflow.Status
	VerifiedAt    time.Time
	ResolvedAt    time.Time
	ArchivedAt    time.Time
}

const complaintStateColumns = `SELECT c.id, c.ticket, c.channel, c.account, coalesce(c.conversation_id, 0),
	c.reporter_id, c.external_ref, c.text, c.received_at, c.confidential, c.anonymous, c.status,
	coalesce(c.class, ''), c.category, coalesce(to_char(c.due_date, 'YYYY-MM-DD'), ''),
	coalesce((SELECT username FROM users WHERE id = c.assignee_id), ''), c.result, c.reason, c.postponed_from,
	coalesce(c.verified_at, 'epoch'), coalesce(c.resolved_at, 'epoch'), coalesce(c.archived_at, 'epoch')
	FROM complaints c`

func scanComplaintState(row pgx.Row) (*ComplaintState, error) {
	c := &ComplaintState{}
	err := row.Scan(&c.ID, &c.Ticket, &c.Channel, &c.Account, &c.Conversation, &c.Reporter, &c.ExternalRef,
		&c.Text, &c.ReceivedAt, &c.Confidential, &c.Anonymous, &c.Status, &c.Class, &c.Category, &c.DueDate,
		&c.Assignee, &c.Result, &c.Reason, &c.PostponedFrom, &c.VerifiedAt, &c.ResolvedAt, &c.ArchivedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("reading complaint: %w", err)
	}
	for _, t := range []*time.Time{&c.VerifiedAt, &c.ResolvedAt, &c.ArchivedAt} {
		if t.Unix() == 0 {
			*t = time.Time{}
		}
	}
	return c, nil
}

// LockComplaint returns the complaint with ticket, locked until the
// transaction ends so that two officers' actions apply one after the other.
func (t *Tx) LockComplaint(ctx context.Context, ticket string) (*ComplaintState, error) {
	c, err := scanComplaintState(t.tx.QueryRow(ctx, complaintStateColumns+` WHERE c.ticket = $1 FOR UPDATE`, ticket))
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("complaint %s: %w", ticket, err)
	}
	return c, err
}

// ComplaintState returns the complaint with ticket as the workflow sees it.
func (s *Store) ComplaintState(ctx context.Context, ticket string) (*ComplaintState, error) {
	return scanComplaintState(s.pool.QueryRow(ctx, complaintStateColumns+` WHERE c.ticket = $1`, ticket))
}

// SaveComplaintState writes the workflow's fields of c. An assignee who
// is not an enabled koordinator is refused with ErrNotKoordinator.
func (t *Tx) SaveComplaintState(ctx context.Context, c *ComplaintState) error {
	var assignee *UserID
	if c.Assignee != "" {
		var id UserID
		err := t.tx.QueryRow(ctx, `SELECT id FROM users WHERE username = $1 AND role = 'koordinator' AND NOT disabled`,
			c.Assignee).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("assigning %s: %w", c.Assignee, ErrNotKoordinator)
		}
		if err != nil {
			return fmt.Errorf("assigning %s: %w", c.Assignee, err)
		}
		assignee = &id
	}
	var class, due *string
	if c.Class != "" {
		s := string(c.Class)
		class = &s
	}
	if c.DueDate != "" {
		due = &c.DueDate
	}
	_, err := t.tx.Exec(ctx, `UPDATE complaints SET status = $2, class = $3, category = $4, due_date = $5::date,
		assignee_id = $6, result = $7, reason = $8, postponed_from = $9, verified_at = $10, resolved_at = $11,
		archived_at = $12, text = $13, updated_at = now() WHERE id = $1`,
		c.ID, c.Status, class, c.Category, due, assignee, c.Result, c.Reason, c.PostponedFrom,
		nullTime(c.VerifiedAt), nullTime(c.ResolvedAt), nullTime(c.ArchivedAt), c.Text)
	if err != nil {
		return fmt.Errorf("saving complaint %s: %w", c.Ticket, err)
	}
	return nil
}

// ErrNotKoordinator: a complaint can only be assigned to an enabled koordinator.
var ErrNotKoordinator = errors.New("not an enabled koordinator")

// Step is one line of a complaint's timeline.
type Step struct {
	At     time.Time       `json:"at"`
	Actor  string          `json:"actor"`
	Action string          `json:"action"`
	From   workflow.Status `json:"from"`
	To     workflow.Status `json:"to"`
	Note   string          `json:"note,omitempty"`
	// Detail holds what the step set (class, category, due date, assignee).
	Detail map[string]string `json:"detail,omitempty"`
}

// AddStep appends a step to complaint id's timeline.
func (t *Tx) AddStep(ctx context.Context, id ComplaintID, s Step) error {
	if s.Detail == nil {
		s.Detail = map[string]string{}
	}
	_, err := t.tx.Exec(ctx, `INSERT INTO complaint_steps (complaint_id, at, actor, action, from_status, to_status,
		note, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, id, s.At, s.Actor, s.Action, s.From, s.To, s.Note, s.Detail)
	if err != nil {
		return fmt.Errorf("recording step %s: %w", s.Action, err)
	}
	return nil
}

// FollowUpID identifies a follow-up record.
type FollowUpID int64

// FollowUp is what a koordinator recorded: a telaah note or a field
// inspection (date, place, officers, findings) with its files.
type FollowUp struct {
	ID     FollowUpID `json:"-"`
	At     time.Time  `json:"at"`
	Author string     `json:"author"`
	Text   string     `json:"text"`
	// InspectionDate is YYYY-MM-DD, "" when no field inspection was made.
	InspectionDate     string         `json:"inspection_date,omitempty"`
	InspectionPlace    string         `json:"inspection_place,omitempty"`
	InspectionOfficers string         `json:"inspection_officers,omitempty"`
	InspectionFindings string         `json:"inspection_findings,omitempty"`
	Files              []FollowUpFile `json:"files,omitempty"`
}

// FollowUpFile is a photo or document of a follow-up, in the object store.
type FollowUpFile struct {
	MIME      string `json:"mime"`
	Filename  string `json:"filename"`
	Size      int64  `json:"size"`
	SHA256    string `json:"sha256"`
	ObjectKey string `json:"object_key"`
}

// AddFollowUp records a follow-up of complaint id with its files.
func (t *Tx) AddFollowUp(ctx context.Context, id ComplaintID, f FollowUp) (FollowUpID, error) {
	var date *string
	if f.InspectionDate != "" {
		date = &f.InspectionDate
	}
	var fid FollowUpID
	err := t.tx.QueryRow(ctx, `INSERT INTO follow_ups (complaint_id, author, text, inspection_date,
		inspection_place, inspection_officers, inspection_findings, created_at)
		VALUES ($1, $2, $3, $4::date, $5, $6, $7, $8) RETURNING id`, id, f.Author, f.Text, date,
		f.InspectionPlace, f.InspectionOfficers, f.InspectionFindings, f.At).Scan(&fid)
	if err != nil {
		return 0, fmt.Errorf("recording follow-up: %w", err)
	}
	for _, file := range f.Files {
		if _, err := t.tx.Exec(ctx, `INSERT INTO follow_up_files (follow_up_id, mime, filename, size, sha256, object_key)
			VALUES ($1, $2, $3, $4, $5, $6)`, fid, file.MIME, file.Filename, file.Size, file.SHA256, file.ObjectKey); err != nil {
			return 0, fmt.Errorf("recording follow-up file: %w", err)
		}
	}
	return fid, nil
}

// Receiver is the officer who received complaint id (the one who filed
// it, as its first step says), "" when the core filed it from a chat.
func (t *Tx) Receiver(ctx context.Context, id ComplaintID) (string, error) {
	var actor string
	err := t.tx.QueryRow(ctx, `SELECT actor FROM complaint_steps WHERE complaint_id = $1 ORDER BY id LIMIT 1`, id).Scan(&actor)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("reading who received complaint: %w", err)
	}
	if strings.HasPrefix(actor, "system:") {
		return "", nil
	}
	return actor, nil
}

// SaveBeritaAcara stores the berita acara of complaint id.
func (t *Tx) SaveBeritaAcara(ctx context.Context, id ComplaintID, number string, pdf []byte, by string) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO berita_acara (complaint_id, number, pdf, created_by) VALUES ($1, $2, $3, $4)
		ON CONFLICT (complaint_id) DO UPDATE SET number = excluded.number, pdf = excluded.pdf,
		created_by = excluded.created_by, created_at = now()`, id, number, pdf, by)
	if err != nil {
		return fmt.Errorf("storing berita acara %s: %w", number, err)
	}
	return nil
}

// BeritaAcara returns the stored berita acara of the complaint with ticket,
// or ErrNotFound when it has none (not resolved yet, or its PDF erased at
// the reporter's request).
func (s *Store) BeritaAcara(ctx context.Context, ticket string) (number string, pdf []byte, err error) {
	err = s.pool.QueryRow(ctx, `SELECT b.number, b.pdf FROM berita_acara b JOIN complaints c ON c.id = b.complaint_id
		WHERE c.ticket = $1 AND length(b.pdf) > 0`, ticket).Scan(&number, &pdf)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil, ErrNotFound
	}
	if err != nil {
		return "", nil, fmt.Errorf("reading berita acara of %s: %w", ticket, err)
	}
	return number, pdf, nil
}

// ComplaintFile is everything about one complaint a page or the dossier
// shows beyond its summary.
type ComplaintFile struct {
	ComplaintSummary
	Result        string          `json:"result,omitempty"`
	Reason        string          `json:"reason,omitempty"`
	VerifiedAt    *time.Time      `json:"verified_at,omitempty"`
	ResolvedAt    *time.Time      `json:"resolved_at,omitempty"`
	ArchivedAt    *time.Time      `json:"archived_at,omitempty"`
	PostponedFrom workflow.Status `json:"postponed_from,omitempty"`
	Timeline      []Step          `json:"timeline"`
	FollowUps     []FollowUp      `json:"follow_ups"`
	BeritaAcara   string          `json:"berita_acara,omitempty"`
}

// ComplaintFile returns the complaint with ticket, its timeline and follow-ups.
func (s *Store) ComplaintFile(ctx context.Context, ticket string) (*ComplaintFile, error) {
	sum, err := s.ComplaintByTicket(ctx, ticket)
	if err != nil {
		return nil, err
	}
	st, err := s.ComplaintState(ctx, ticket)
	if err != nil {
		return nil, err
	}
	f := &ComplaintFile{ComplaintSummary: *sum, Result: st.Result, Reason: st.Reason,
		VerifiedAt: timePtr(st.VerifiedAt), ResolvedAt: timePtr(st.ResolvedAt), ArchivedAt: timePtr(st.ArchivedAt),
		PostponedFrom: st.PostponedFrom}
	rows, err := s.pool.Query(ctx, `SELECT at, actor, action, from_status, to_status, note, detail
		FROM complaint_steps WHERE complaint_id = $1 ORDER BY id`, st.ID)
	if err != nil {
		return nil, fmt.Errorf("reading timeline of %s: %w", ticket, err)
	}
	if f.Timeline, err = pgx.CollectRows(rows, pgx.RowToStructByPos[Step]); err != nil {
		return nil, fmt.Errorf("reading timeline of %s: %w", ticket, err)
	}
	if f.FollowUps, err = followUps(ctx, s.pool, st.ID); err != nil {
		return nil, fmt.Errorf("reading follow-ups of %s: %w", ticket, err)
	}
	err = s.pool.QueryRow(ctx, `SELECT number FROM berita_acara WHERE complaint_id = $1`, st.ID).Scan(&f.BeritaAcara)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("reading berita acara of %s: %w", ticket, err)
	}
	return f, nil
}

// FollowUps returns the follow-ups of complaint id, oldest first.
func (t *Tx) FollowUps(ctx context.Context, id ComplaintID) ([]FollowUp, error) {
	return followUps(ctx, t.tx, id)
}

// querier runs queries in a transaction or on the pool.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func followUps(ctx context.Context, q querier, id ComplaintID) ([]FollowUp, error) {
	rows, err := q.Query(ctx, `SELECT id, created_at, author, text, coalesce(to_char(inspection_date, 'YYYY-MM-DD'), ''),
		inspection_place, inspection_officers, inspection_findings FROM follow_ups WHERE complaint_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (FollowUp, error) {
		var f FollowUp
		err := row.Scan(&f.ID, &f.At, &f.Author, &f.Text, &f.InspectionDate, &f.InspectionPlace,
			&f.InspectionOfficers, &f.InspectionFindings)
		return f, err
	})
	if err != nil {
		return nil, err
	}
	for i := range list {
		rows, err := q.Query(ctx, `SELECT mime, filename, size, sha256, object_key FROM follow_up_files
			WHERE follow_up_id = $1 ORDER BY id`, list[i].ID)
		if err != nil {
			return nil, err
		}
		if list[i].Files, err = pgx.CollectRows(rows, pgx.RowToStructByPos[FollowUpFile]); err != nil {
			return nil, err
		}
	}
	if list == nil {
		list = []FollowUp{}
	}
	return list, nil
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
