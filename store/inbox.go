package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aduan-gateway/aduan/core/dialog"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/identity"
)

// InboxFilter selects conversations for the admin inbox. Zero values select
// everything.
type InboxFilter struct {
	Channel event.Channel
	Status  dialog.Status
	// AssignedTo, when not 0, keeps the conversations assigned to that user.
	AssignedTo UserID
	Unassigned bool
	// NeedsHuman keeps conversations an officer has taken over or with a
	// reply that failed and was not retried.
	NeedsHuman bool
	// Query searches ticket, reporter name, phone number (any writing:
	// 0812…, +62812…) and, for a whole NIK, the NIK by its keyed hash.
	Query string
	// Before continues a list after the row with this activity time and id.
	BeforeAt time.Time
	BeforeID ConversationID
	// Limit defaults to 50.
	Limit int
}

// InboxRow is one conversation as the inbox lists it.
type InboxRow struct {
	ID            ConversationID
	Channel       event.Channel
	Account       string
	ReporterName  string
	Status        dialog.Status
	Ticket        string
	Missing       []identity.Field
	HumanTakeover bool
	// NeedsOfficer is why the dialog asks for an officer ("darurat",
	// "pembatalan"), "" when it does not.
	NeedsOfficer  string
	Unread        int
	LastMessageAt time.Time
	// LastInboundAt is when the citizen last wrote (zero if never).
	LastInboundAt time.Time
	// Preview is the text of the newest message not written by the bot (the
	// officer wants what the citizen or a colleague said), or the kind of its
	// first file.
	Preview          string
	PreviewDirection string
	AssignedTo       string
	// Failed is true when a reply failed and was not retried.
	Failed bool
	// LastStaffAt is when staff last wrote (an agent reply or an echo from
	// the office phone), zero if never; the bot does not count.
	LastStaffAt time.Time
}

const failedNotRetried = `EXISTS (SELECT 1 FROM messages f WHERE f.conversation_id = c.id
	AND f.delivery_status = 'failed' AND NOT EXISTS (SELECT 1 FROM messages x WHERE x.retry_of = f.id))`

// Inbox lists conversations, newest activity first.
func (s *Store) Inbox(ctx context.Context, f InboxFilter) ([]InboxRow, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.Channel != "" {
		where = append(where, "c.channel = "+arg(f.Channel))
	}
	if f.Status != "" {
		where = append(where, "c.status = "+arg(f.Status))
	}
	if f.AssignedTo != 0 {
		where = append(where, "c.assigned_to = "+arg(f.AssignedTo))
	}
	if f.Unassigned {
		where = append(where, "c.assigned_to IS NULL")
	}
	if f.NeedsHuman {
		where = append(where, "(c.human_takeover OR c.needs_officer <> '' OR "+failedNotRetried+")")
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		where = append(where, s.searchClause(q, arg))
	}
	if !f.BeforeAt.IsZero() {
		where = append(where, "(c.last_message_at, c.id) < ("+arg(f.BeforeAt)+", "+arg(f.BeforeID)+")")
	}
	sql := `SELECT c.id, c.channel, c.account, ` + reporterNameSQL + `,
		c.status, coalesce(c.ticket, ''), c.missing, c.human_takeover, c.unread, c.last_message_at,
		coalesce(c.last_inbound_at, 'epoch'), coalesce(lm.text, ''), coalesce(lm.kind, ''),
		coalesce(lm.direction, ''), coalesce(u.username, ''), ` + failedNotRetried + `,
		coalesce((SELECT max(sm.created_at) FROM messages sm WHERE sm.conversation_id = c.id AND sm.direction = 'out'
			AND sm.origin IN ('agent', 'echo')), 'epoch'), c.needs_officer
		FROM conversations c
		JOIN reporters r ON r.id = c.reporter_id
		LEFT JOIN users u ON u.id = c.assigned_to
		LEFT JOIN LATERAL (SELECT m.text, m.direction,
			(SELECT a.kind FROM attachments a WHERE a.message_id = m.id ORDER BY a.id LIMIT 1) AS kind
			FROM messages m WHERE m.conversation_id = c.id AND m.origin <> 'bot' ORDER BY m.id DESC LIMIT 1) lm ON true`
	if len(where) > 0 {
		sql += " WHERE " + strings.Join(where, " AND ")
	}
	sql += " ORDER BY c.last_message_at DESC, c.id DESC LIMIT " + arg(f.Limit)
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("listing inbox: %w", err)
	}
	defer rows.Close()
	var out []InboxRow
	for rows.Next() {
		var r InboxRow
		var kind string
		if err := rows.Scan(&r.ID, &r.Channel, &r.Account, &r.ReporterName, &r.Status, &r.Ticket, &r.Missing,
			&r.HumanTakeover, &r.Unread, &r.LastMessageAt, &r.LastInboundAt, &r.Preview, &kind,
			&r.PreviewDirection, &r.AssignedTo, &r.Failed, &r.LastStaffAt, &r.NeedsOfficer); err != nil {
			return nil, fmt.Errorf("listing inbox: %w", err)
		}
		if r.LastInboundAt.Unix() == 0 {
			r.LastInboundAt = time.Time{}
		}
		if r.LastStaffAt.Unix() == 0 {
			r.LastStaffAt = time.Time{}
		}
		if r.Preview == "" && kind != "" {
			r.Preview = attachmentPreview(kind)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// searchClause matches q against tickets, names, phone numbers and a whole NIK.
func (s *Store) searchClause(q string, arg func(any) string) string {
	like := arg("%" + likeEscape(q) + "%")
	parts := []string{
		"c.ticket ILIKE " + like,
		"EXISTS (SELECT 1 FROM complaints cp WHERE cp.conversation_id = c.id AND cp.ticket ILIKE " + like + ")",
		"r.name ILIKE " + like,
		"r.profile_name ILIKE " + like,
	}
	digits := identity.Digits(q)
	if len(digits) >= 4 {
		// Numbers are stored as +62…; the office writes 08….
		if strings.HasPrefix(digits, "0") {
			digits = "62" + digits[1:]
		}
		d := arg("%" + digits + "%")
		parts = append(parts, "r.phone LIKE "+d, "c.conversation_key LIKE "+d)
	}
	if nik := identity.Digits(q); len(nik) == 16 {
		parts = append(parts, "r.nik_hash = "+arg(s.crypt.hash(nik)))
	}
	return "(" + strings.Join(parts, " OR ") + ")"
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
