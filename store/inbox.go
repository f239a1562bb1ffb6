package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aduan-gateway/aduan/core/event"
)

// InboxFilter selects conversations for the admin inbox. Zero values select
// everything.
type InboxFilter struct {
	Channel string
	// Status is a conversation status (collecting, submitted, cancelled).
	Status string
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
	Channel       string
	Account       string
	ReporterName  string
	Status        string
	Ticket        string
	Missing       []string
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
	sql := `SELECT c.id, c.channel, c.account,
		CASE WHEN r.name <> '' THEN r.name ELSE r.profile_name END,
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
	digits := onlyDigits(q)
	if len(digits) >= 4 {
		// Numbers are stored as +62…; the office writes 08….
		if strings.HasPrefix(digits, "0") {
			digits = "62" + digits[1:]
		}
		d := arg("%" + digits + "%")
		parts = append(parts, "r.phone LIKE "+d, "c.conversation_key LIKE "+d)
	}
	if nik := onlyDigits(q); len(nik) == 16 {
		parts = append(parts, "r.nik_hash = "+arg(s.crypt.hash(nik)))
	}
	return "(" + strings.Join(parts, " OR ") + ")"
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func onlyDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// ConversationDetail is one conversation with everything the conversation
// screen shows. Reporter.NIK is in clear: the caller masks it for roles
// that may not see it.
type ConversationDetail struct {
	Conversation
	Reporter            Reporter
	AssignedTo          UserID
	AssignedName        string
	IdentityConfirmedBy string
	IdentityConfirmedAt time.Time
	Unread              int
}

// ConversationByID reads a conversation with its reporter.
func (s *Store) ConversationByID(ctx context.Context, id ConversationID) (*ConversationDetail, error) {
	var d *ConversationDetail
	err := s.InTx(ctx, func(tx *Tx) error {
		c, err := scanConversation(tx.tx.QueryRow(ctx, conversationColumns+` WHERE id = $1`, id))
		if err != nil {
			return err
		}
		r, err := tx.reporterNoLock(ctx, c.ReporterID)
		if err != nil {
			return err
		}
		d = &ConversationDetail{Conversation: *c, Reporter: *r}
		var assigned *UserID
		var confirmedAt *time.Time
		err = tx.tx.QueryRow(ctx, `SELECT c.assigned_to, coalesce(u.username, ''), r.identity_confirmed_by,
			r.identity_confirmed_at, c.unread FROM conversations c JOIN reporters r ON r.id = c.reporter_id
			LEFT JOIN users u ON u.id = c.assigned_to WHERE c.id = $1`, id).
			Scan(&assigned, &d.AssignedName, &d.IdentityConfirmedBy, &confirmedAt, &d.Unread)
		if err != nil {
			return fmt.Errorf("reading conversation %d: %w", id, err)
		}
		if assigned != nil {
			d.AssignedTo = *assigned
		}
		if confirmedAt != nil {
			d.IdentityConfirmedAt = *confirmedAt
		}
		return nil
	})
	return d, err
}

// AttachmentRef is a stored file of a message.
type AttachmentRef struct {
	ID           int64
	MessageID    MessageID
	Conversation ConversationID
	Kind         string
	MIME         string
	Filename     string
	Size         int64
	ObjectKey    string
	Caption      string
	Error        string
	IsKTP        bool
}

// ThreadMessage is a message as the conversation screen shows it.
type ThreadMessage struct {
	ID             MessageID
	EventID        string
	Direction      string
	Origin         string
	Author         string
	Text           string
	OriginalText   string
	Delivery       string
	DeliveryReason string
	CreatedAt      time.Time
	EditedAt       time.Time
	UnsentAt       time.Time
	// Retried is true when a failed reply was sent again as another message.
	Retried     bool
	Attachments []AttachmentRef
}

// Thread returns the newest limit messages of a conversation, oldest first,
// with their files.
func (s *Store) Thread(ctx context.Context, conv ConversationID, limit int) ([]ThreadMessage, error) {
	rows, err := s.pool.Query(ctx, `SELECT * FROM (SELECT m.id, m.event_id, m.direction, m.origin, m.author, m.text,
		coalesce(m.original_text, ''), m.delivery_status, m.delivery_reason, m.created_at,
		coalesce(m.edited_at, 'epoch'), coalesce(m.unsent_at, 'epoch'),
		EXISTS (SELECT 1 FROM messages x WHERE x.retry_of = m.id)
		FROM messages m WHERE m.conversation_id = $1 ORDER BY m.id DESC LIMIT $2) t ORDER BY id`, conv, limit)
	if err != nil {
		return nil, fmt.Errorf("reading thread %d: %w", conv, err)
	}
	msgs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (ThreadMessage, error) {
		var m ThreadMessage
		err := row.Scan(&m.ID, &m.EventID, &m.Direction, &m.Origin, &m.Author, &m.Text, &m.OriginalText,
			&m.Delivery, &m.DeliveryReason, &m.CreatedAt, &m.EditedAt, &m.UnsentAt, &m.Retried)
		if m.EditedAt.Unix() == 0 {
			m.EditedAt = time.Time{}
		}
		if m.UnsentAt.Unix() == 0 {
			m.UnsentAt = time.Time{}
		}
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("reading thread %d: %w", conv, err)
	}
	if len(msgs) == 0 {
		return msgs, nil
	}
	index := make(map[MessageID]int, len(msgs))
	for i, m := range msgs {
		index[m.ID] = i
	}
	rows, err = s.pool.Query(ctx, attachmentColumns+` WHERE a.message_id >= $1 AND m.conversation_id = $2
		ORDER BY a.id`, msgs[0].ID, conv)
	if err != nil {
		return nil, fmt.Errorf("reading attachments of %d: %w", conv, err)
	}
	atts, err := pgx.CollectRows(rows, scanAttachment)
	if err != nil {
		return nil, fmt.Errorf("reading attachments of %d: %w", conv, err)
	}
	for _, a := range atts {
		if i, ok := index[a.MessageID]; ok {
			msgs[i].Attachments = append(msgs[i].Attachments, a)
		}
	}
	return msgs, nil
}

const attachmentColumns = `SELECT a.id, a.message_id, m.conversation_id, a.kind, a.mime, a.filename, a.size,
	a.object_key, a.caption, a.error, a.is_ktp FROM attachments a JOIN messages m ON m.id = a.message_id`

func scanAttachment(row pgx.CollectableRow) (AttachmentRef, error) {
	var a AttachmentRef
	err := row.Scan(&a.ID, &a.MessageID, &a.Conversation, &a.Kind, &a.MIME, &a.Filename, &a.Size,
		&a.ObjectKey, &a.Caption, &a.Error, &a.IsKTP)
	return a, err
}

// Attachment returns one stored file.
func (s *Store) Attachment(ctx context.Context, id int64) (*AttachmentRef, error) {
	rows, err := s.pool.Query(ctx, attachmentColumns+` WHERE a.id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("reading attachment %d: %w", id, err)
	}
	atts, err := pgx.CollectRows(rows, scanAttachment)
	if err != nil {
		return nil, fmt.Errorf("reading attachment %d: %w", id, err)
	}
	if len(atts) == 0 {
		return nil, ErrNotFound
	}
	return &atts[0], nil
}

// MarkRead sets a conversation's unread count to zero.
func (s *Store) MarkRead(ctx context.Context, conv ConversationID) error {
	if _, err := s.pool.Exec(ctx, `UPDATE conversations SET unread = 0 WHERE id = $1 AND unread <> 0`, conv); err != nil {
		return fmt.Errorf("marking %d read: %w", conv, err)
	}
	return nil
}

// LockConversation reads a conversation, locked for the transaction so that
// an officer's change and the core's handling of a message do not interleave.
func (t *Tx) LockConversation(ctx context.Context, id ConversationID) (*Conversation, error) {
	return scanConversation(t.tx.QueryRow(ctx, conversationColumns+` WHERE id = $1 FOR UPDATE`, id))
}

// InsertAgentReply stores a reply written by staff member author, pending
// delivery. retryOf names the failed message it sends again (0 for none).
func (t *Tx) InsertAgentReply(ctx context.Context, conv ConversationID, m *event.Outbound, retryOf MessageID) (MessageID, error) {
	var rt *MessageID
	if retryOf != 0 {
		rt = &retryOf
	}
	var id MessageID
	err := t.tx.QueryRow(ctx, `INSERT INTO messages (event_id, conversation_id, direction, channel, account,
		external_id, text, origin, author, retry_of, delivery_status, created_at)
		VALUES ($1, $2, 'out', $3, $4, $1, $5, $6, $7, $8, 'pending', $9) RETURNING id`,
		m.ID, conv, m.Channel, m.Account, m.Text, m.Origin, m.Author, rt, m.CreatedAt).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("storing staff reply: %w", err)
	}
	if _, err := t.tx.Exec(ctx, `UPDATE conversations SET last_message_at = greatest(last_message_at, $2),
		updated_at = now() WHERE id = $1`, conv, m.CreatedAt); err != nil {
		return 0, fmt.Errorf("storing staff reply: %w", err)
	}
	return id, nil
}

// OutgoingMessage returns one of our messages in conversation conv, with the
// recipient (the citizen's sender id) it went to.
func (t *Tx) OutgoingMessage(ctx context.Context, conv ConversationID, id MessageID) (*ThreadMessage, error) {
	m := &ThreadMessage{}
	err := t.tx.QueryRow(ctx, `SELECT id, event_id, origin, text, delivery_status,
		EXISTS (SELECT 1 FROM messages x WHERE x.retry_of = $2)
		FROM messages WHERE conversation_id = $1 AND id = $2 AND direction = 'out'`, conv, id).
		Scan(&m.ID, &m.EventID, &m.Origin, &m.Text, &m.Delivery, &m.Retried)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("reading message %d: %w", id, err)
	}
	m.Direction = "out"
	return m, nil
}

// Recipient returns the sender id the citizen of conversation conv writes
// from (the newest), or "" when they never wrote.
func (t *Tx) Recipient(ctx context.Context, conv ConversationID) (string, error) {
	var id string
	err := t.tx.QueryRow(ctx, `SELECT sender_id FROM messages WHERE conversation_id = $1 AND direction = 'in'
		AND sender_id <> '' ORDER BY id DESC LIMIT 1`, conv).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("finding recipient of %d: %w", conv, err)
	}
	return id, nil
}

// SetTakeover switches the bot off (an officer answers) or back on.
func (t *Tx) SetTakeover(ctx context.Context, conv ConversationID, on bool) error {
	if _, err := t.tx.Exec(ctx, `UPDATE conversations SET human_takeover = $2, updated_at = now() WHERE id = $1`,
		conv, on); err != nil {
		return fmt.Errorf("setting takeover of %d: %w", conv, err)
	}
	return nil
}

// Assign gives a conversation to a user (0: to nobody).
func (t *Tx) Assign(ctx context.Context, conv ConversationID, user UserID) error {
	var u *UserID
	if user != 0 {
		u = &user
	}
	if _, err := t.tx.Exec(ctx, `UPDATE conversations SET assigned_to = $2, updated_at = now() WHERE id = $1`,
		conv, u); err != nil {
		return fmt.Errorf("assigning %d: %w", conv, err)
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

// Note is an internal note on a conversation.
type Note struct {
	Author    string
	Text      string
	CreatedAt time.Time
}

// AddNote stores an internal note.
func (t *Tx) AddNote(ctx context.Context, conv ConversationID, author, text string) error {
	if _, err := t.tx.Exec(ctx, `INSERT INTO conversation_notes (conversation_id, author, text) VALUES ($1, $2, $3)`,
		conv, author, text); err != nil {
		return fmt.Errorf("adding note to %d: %w", conv, err)
	}
	return nil
}

// Notes returns a conversation's internal notes, oldest first.
func (s *Store) Notes(ctx context.Context, conv ConversationID) ([]Note, error) {
	rows, err := s.pool.Query(ctx, `SELECT author, text, created_at FROM conversation_notes
		WHERE conversation_id = $1 ORDER BY id`, conv)
	if err != nil {
		return nil, fmt.Errorf("reading notes of %d: %w", conv, err)
	}
	notes, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Note])
	if err != nil {
		return nil, fmt.Errorf("reading notes of %d: %w", conv, err)
	}
	return notes, nil
}

// CannedResponse is a ready-made reply.
type CannedResponse struct {
	Title string
	Text  string
}

// CannedResponses lists the ready-made replies in their order.
func (s *Store) CannedResponses(ctx context.Context) ([]CannedResponse, error) {
	rows, err := s.pool.Query(ctx, `SELECT title, text FROM canned_responses ORDER BY position, id`)
	if err != nil {
		return nil, fmt.Errorf("reading canned responses: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[CannedResponse])
	if err != nil {
		return nil, fmt.Errorf("reading canned responses: %w", err)
	}
	return out, nil
}

// ChannelCount is one channel's traffic since a moment.
type ChannelCount struct {
	Channel    string
	Inbound    int
	Outbound   int
	Complaints int
}

// CountsSince counts messages in and out and complaints per channel since
// since (the start of the office's day), one row for every channel seen.
func (s *Store) CountsSince(ctx context.Context, since time.Time) (map[string]ChannelCount, error) {
	rows, err := s.pool.Query(ctx, `SELECT channel,
		count(*) FILTER (WHERE direction = 'in'), count(*) FILTER (WHERE direction = 'out'), 0
		FROM messages WHERE created_at >= $1 GROUP BY channel
		UNION ALL SELECT channel, 0, 0, count(*) FROM complaints WHERE created_at >= $1 GROUP BY channel`, since)
	if err != nil {
		return nil, fmt.Errorf("counting traffic: %w", err)
	}
	defer rows.Close()
	out := map[string]ChannelCount{}
	for rows.Next() {
		var ch string
		var in, outN, cp int
		if err := rows.Scan(&ch, &in, &outN, &cp); err != nil {
			return nil, fmt.Errorf("counting traffic: %w", err)
		}
		c := out[ch]
		c.Channel = ch
		c.Inbound += in
		c.Outbound += outN
		c.Complaints += cp
		out[ch] = c
	}
	return out, rows.Err()
}

// AssignIfNobody gives a conversation to user unless someone has it already.
func (t *Tx) AssignIfNobody(ctx context.Context, conv ConversationID, user UserID) error {
	if _, err := t.tx.Exec(ctx, `UPDATE conversations SET assigned_to = $2, updated_at = now()
		WHERE id = $1 AND assigned_to IS NULL`, conv, user); err != nil {
		return fmt.Errorf("assigning %d: %w", conv, err)
	}
	return nil
}

// ActiveUser returns the user with id if it exists and is not disabled.
func (t *Tx) ActiveUser(ctx context.Context, id UserID) (*User, error) {
	u, err := scanUser(t.tx.QueryRow(ctx, userColumns+` WHERE id = $1 AND NOT disabled`, id))
	return u, err
}
