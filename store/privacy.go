package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aduan-gateway/aduan/core/dialog"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/identity"
	"github.com/aduan-gateway/aduan/core/workflow"
)

// ErasedText stands in for free text removed at a data subject's request,
// so an officer reading the complaint sees why it is empty.
const ErasedText = "(dihapus atas permintaan pemilik data)"

// ErrOpenComplaints is returned when a person cannot be erased yet: the
// office still owes an answer on one of their complaints, or on one about
// them as the person concerned.
var ErrOpenComplaints = errors.New("complaints still open")

// Subject is everything Aduan holds about the person with one NIK, for a
// data-subject request (UU 27/2022): every reporter row with that NIK and
// what hangs on it, and other reporters' conversations naming the NIK as
// the person the complaint is about (penerima manfaat).
type Subject struct {
	Reporters []SubjectReporter  `json:"reporters"`
	Concerned []SubjectConcerned `json:"concerned"`
}

// SubjectReporter is one reporter row with the NIK, decrypted.
type SubjectReporter struct {
	ID            ReporterID            `json:"id"`
	Name          string                `json:"name"`
	ProfileName   string                `json:"profile_name"`
	NIK           string                `json:"nik"`
	Address       string                `json:"address"`
	Phone         string                `json:"phone"`
	KTPPhoto      bool                  `json:"ktp_photo"`
	CreatedAt     time.Time             `json:"created_at"`
	Identities    []ChannelIdentity     `json:"channel_identities"`
	Conversations []SubjectConversation `json:"conversations"`
	Complaints    []*ComplaintFile      `json:"complaints"`
	Satisfaction  []SubjectSurvey       `json:"satisfaction"`
}

// SubjectSurvey is the satisfaction question asked about one complaint and
// the person's answer, if any.
type SubjectSurvey struct {
	Ticket     string     `json:"ticket"`
	AskedAt    time.Time  `json:"asked_at"`
	Score      *int       `json:"score,omitempty"`
	Comment    string     `json:"comment,omitempty"`
	AnsweredAt *time.Time `json:"answered_at,omitempty"`
}

// ChannelIdentity is how a reporter is known on a channel: on WhatsApp
// the sender id is their phone number.
type ChannelIdentity struct {
	Channel  event.Channel `json:"channel"`
	Account  string        `json:"account"`
	SenderID string        `json:"sender_id"`
	Since    time.Time     `json:"since"`
}

// SubjectConversation is one conversation of the reporter with its messages.
type SubjectConversation struct {
	ID        ConversationID   `json:"id"`
	Channel   event.Channel    `json:"channel"`
	Account   string           `json:"account"`
	Status    dialog.Status    `json:"status"`
	Draft     string           `json:"draft,omitempty"`
	CreatedAt time.Time        `json:"created_at"`
	Messages  []SubjectMessage `json:"messages"`
	// Pending are new values of their own identity the bot asked them to
	// confirm (YA), not yet saved.
	Pending *identity.Identity `json:"pending_identity,omitempty"`
}

// SubjectMessage is one message, in either direction, with its files.
type SubjectMessage struct {
	At        time.Time     `json:"at"`
	Direction string        `json:"direction"`
	Author    string        `json:"author,omitempty"`
	Text      string        `json:"text"`
	Files     []SubjectFile `json:"files,omitempty"`
}

// SubjectFile is a file the person sent; ObjectKey finds its bytes.
type SubjectFile struct {
	Kind      string `json:"kind"`
	MIME      string `json:"mime"`
	Filename  string `json:"filename"`
	Size      int64  `json:"size"`
	Caption   string `json:"caption,omitempty"`
	KTP       bool   `json:"ktp"`
	ObjectKey string `json:"-"`
	// Path names the file inside an export archive; "" when not included.
	Path string `json:"path,omitempty"`
}

// SubjectConcerned is another reporter's conversation about the person.
type SubjectConcerned struct {
	ConversationID ConversationID `json:"conversation_id"`
	Channel        event.Channel  `json:"channel"`
	Name           string         `json:"name"`
	NIK            string         `json:"nik"`
	Relation       string         `json:"relation"`
	Tickets        []string       `json:"tickets"`
}

// Empty reports whether nothing is held about the person.
func (s *Subject) Empty() bool { return len(s.Reporters) == 0 && len(s.Concerned) == 0 }

// Tickets are the person's complaints and those about them, in order.
func (s *Subject) Tickets() []string {
	var out []string
	for _, r := range s.Reporters {
		for _, c := range r.Complaints {
			out = append(out, c.Ticket)
		}
	}
	for _, c := range s.Concerned {
		out = append(out, c.Tickets...)
	}
	return out
}

// SubjectByNIK gathers what is held about the person with nik (16 digits),
// found through the NIK's keyed hash; an unknown NIK gives an empty Subject.
func (s *Store) SubjectByNIK(ctx context.Context, nik string) (*Subject, error) {
	out := &Subject{Reporters: []SubjectReporter{}, Concerned: []SubjectConcerned{}}
	err := s.InTx(ctx, func(tx *Tx) error {
		ids, err := tx.reportersWithNIK(ctx, nik)
		if err != nil {
			return err
		}
		for _, id := range ids {
			r, err := s.subjectReporter(ctx, tx, id)
			if err != nil {
				return err
			}
			out.Reporters = append(out.Reporters, *r)
		}
		out.Concerned, err = tx.concernedWithNIK(ctx, nik)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("gathering a data subject's records: %w", err)
	}
	return out, nil
}

func (t *Tx) reportersWithNIK(ctx context.Context, nik string) ([]ReporterID, error) {
	rows, err := t.tx.Query(ctx, `SELECT id FROM reporters WHERE nik_hash = $1 ORDER BY id`, t.crypt.hash(nik))
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[ReporterID])
}

// concernedWithNIK finds the conversations whose person concerned has nik.
// That NIK has no keyed hash: its masked form narrows the rows, decryption
// decides.
func (t *Tx) concernedWithNIK(ctx context.Context, nik string) ([]SubjectConcerned, error) {
	rows, err := t.tx.Query(ctx, `SELECT v.id, v.channel, v.concerned_name, v.concerned_relation, v.concerned_nik_enc,
		coalesce((SELECT array_agg(c.ticket ORDER BY c.id) FROM complaints c WHERE c.conversation_id = v.id), '{}')
		FROM conversations v WHERE v.concerned_nik_masked = $1 AND v.concerned_nik_enc IS NOT NULL ORDER BY v.id`,
		identity.MaskNIK(nik))
	if err != nil {
		return nil, err
	}
	type candidate struct {
		c   SubjectConcerned
		enc []byte
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (candidate, error) {
		var c candidate
		err := r.Scan(&c.c.ConversationID, &c.c.Channel, &c.c.Name, &c.c.Relation, &c.enc, &c.c.Tickets)
		return c, err
	})
	if err != nil {
		return nil, err
	}
	out := []SubjectConcerned{}
	for _, c := range list {
		got, err := t.crypt.open(c.enc)
		if err != nil {
			return nil, err
		}
		if got == nik {
			c.c.NIK = got
			out = append(out, c.c)
		}
	}
	return out, nil
}

func (s *Store) subjectReporter(ctx context.Context, tx *Tx, id ReporterID) (*SubjectReporter, error) {
	rep, err := tx.reporterNoLock(ctx, id)
	if err != nil {
		return nil, err
	}
	r := &SubjectReporter{ID: id, Name: rep.Name, ProfileName: rep.ProfileName, NIK: rep.NIK, Address: rep.Address,
		Phone: rep.Phone, KTPPhoto: rep.KTPPhoto}
	if err := tx.tx.QueryRow(ctx, `SELECT created_at FROM reporters WHERE id = $1`, id).Scan(&r.CreatedAt); err != nil {
		return nil, err
	}
	rows, err := tx.tx.Query(ctx, `SELECT channel, account, sender_id, created_at FROM reporter_identities
		WHERE reporter_id = $1 ORDER BY created_at`, id)
	if err != nil {
		return nil, err
	}
	if r.Identities, err = pgx.CollectRows(rows, pgx.RowToStructByPos[ChannelIdentity]); err != nil {
		return nil, err
	}
	rows, err = tx.tx.Query(ctx, `SELECT id, channel, account, status, draft, created_at FROM conversations
		WHERE reporter_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	if r.Conversations, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (SubjectConversation, error) {
		var c SubjectConversation
		return c, row.Scan(&c.ID, &c.Channel, &c.Account, &c.Status, &c.Draft, &c.CreatedAt)
	}); err != nil {
		return nil, err
	}
	for i := range r.Conversations {
		c := &r.Conversations[i]
		if c.Messages, err = tx.subjectMessages(ctx, c.ID); err != nil {
			return nil, err
		}
		d, err := tx.DialogState(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		if d.Pending != (identity.Identity{}) {
			c.Pending = &d.Pending
		}
	}
	rows, err = tx.tx.Query(ctx, `SELECT c.ticket, s.asked_at, s.score, s.comment, s.answered_at
		FROM satisfaction s JOIN complaints c ON c.id = s.complaint_id WHERE c.reporter_id = $1 ORDER BY s.asked_at`, id)
	if err != nil {
		return nil, err
	}
	if r.Satisfaction, err = pgx.CollectRows(rows, pgx.RowToStructByPos[SubjectSurvey]); err != nil {
		return nil, err
	}
	rows, err = tx.tx.Query(ctx, `SELECT ticket FROM complaints WHERE reporter_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	tickets, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	r.Complaints = []*ComplaintFile{}
	for _, tk := range tickets {
		f, err := s.ComplaintFile(ctx, tk)
		if err != nil {
			return nil, err
		}
		r.Complaints = append(r.Complaints, f)
	}
	return r, nil
}

func (t *Tx) subjectMessages(ctx context.Context, conv ConversationID) ([]SubjectMessage, error) {
	rows, err := t.tx.Query(ctx, `SELECT m.id, m.created_at, m.direction, m.author, m.text, a.kind, a.mime, a.filename,
		a.size, a.caption, a.is_ktp, a.object_key
		FROM messages m LEFT JOIN attachments a ON a.message_id = m.id
		WHERE m.conversation_id = $1 ORDER BY m.id, a.id`, conv)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []SubjectMessage{}
	var last MessageID
	for rows.Next() {
		var id MessageID
		var m SubjectMessage
		var kind, mime, name, caption, key *string
		var size *int64
		var ktp *bool
		if err := rows.Scan(&id, &m.At, &m.Direction, &m.Author, &m.Text, &kind, &mime, &name, &size, &caption,
			&ktp, &key); err != nil {
			return nil, err
		}
		if id != last || len(out) == 0 {
			out = append(out, m)
			last = id
		}
		if kind != nil {
			msg := &out[len(out)-1]
			msg.Files = append(msg.Files, SubjectFile{Kind: *kind, MIME: *mime, Filename: *name, Size: *size,
				Caption: *caption, KTP: *ktp, ObjectKey: *key})
		}
	}
	return out, rows.Err()
}

// Erased is what EraseSubject removed.
type Erased struct {
	Reporters     []ReporterID
	Conversations int
	Messages      int
	Files         int
	// Complaints are the tickets whose free text was erased.
	Complaints []string
	// Concerned counts other reporters' conversations the person was
	// removed from as the person concerned.
	Concerned int
	// ObjectKeys were deleted from the object store.
	ObjectKeys []string
}

// EraseSubject removes, in one transaction, the identity of the person with
// nik and what they wrote or sent, keeping the office's record of their
// complaints (docs/privacy.md says what stays and why). deleteObjects is
// handed the object-store keys no remaining row refers to and must delete
// them before the transaction commits, so a failure leaves everything to
// try again. One privacy.erased row per reporter and per conversation about
// the person is written to the audit log, with counts only. A person with a
// complaint still open (by them or about them) is refused with
// ErrOpenComplaints.
func (s *Store) EraseSubject(ctx context.Context, actor, nik string, deleteObjects func([]string) error) (Erased, error) {
	var out Erased
	err := s.InTx(ctx, func(tx *Tx) error {
		ids, err := tx.reportersWithNIK(ctx, nik)
		if err != nil {
			return err
		}
		concerned, err := tx.concernedWithNIK(ctx, nik)
		if err != nil {
			return err
		}
		convs := make([]ConversationID, len(concerned))
		for i, c := range concerned {
			convs[i] = c.ConversationID
		}
		if err := tx.refuseOpen(ctx, ids, convs); err != nil {
			return err
		}
		sc, err := tx.scrubReporters(ctx, ids)
		if err != nil {
			return err
		}
		out.Reporters, out.Conversations, out.Messages, out.Files = ids, sc.conversations, sc.messages, len(sc.keys)
		byReporter, fuKeys, err := tx.eraseComplaintText(ctx, ids)
		if err != nil {
			return err
		}
		for _, r := range ids {
			out.Complaints = append(out.Complaints, byReporter[r]...)
		}
		for _, c := range concerned {
			if err := tx.forgetConcerned(ctx, c.ConversationID, nik); err != nil {
				return err
			}
			if err := tx.Audit(ctx, actor, "privacy.erased", "conversation", idText(c.ConversationID),
				map[string]any{"as": "concerned", "tickets": c.Tickets}); err != nil {
				return err
			}
		}
		out.Concerned = len(concerned)
		for _, r := range ids {
			if err := tx.Audit(ctx, actor, "privacy.erased", "reporter", idText(r), map[string]any{
				"conversations": sc.byReporter[r], "complaints": byReporter[r]}); err != nil {
				return err
			}
		}
		if out.ObjectKeys, err = tx.unreferenced(ctx, append(sc.keys, fuKeys...)); err != nil {
			return err
		}
		if len(out.ObjectKeys) > 0 {
			return deleteObjects(out.ObjectKeys)
		}
		return nil
	})
	if err != nil {
		return Erased{}, fmt.Errorf("erasing a data subject: %w", err)
	}
	return out, nil
}

// refuseOpen returns ErrOpenComplaints, naming the tickets, when a
// complaint of the reporters or of the conversations is still open.
func (t *Tx) refuseOpen(ctx context.Context, reporters []ReporterID, convs []ConversationID) error {
	rows, err := t.tx.Query(ctx, `SELECT ticket, status FROM complaints
		WHERE reporter_id = ANY($1) OR conversation_id = ANY($2) ORDER BY id FOR UPDATE`, reporters, convs)
	if err != nil {
		return err
	}
	var open []string
	var ticket string
	var status workflow.Status
	if _, err := pgx.ForEachRow(rows, []any{&ticket, &status}, func() error {
		if !status.Finished() {
			open = append(open, ticket)
		}
		return nil
	}); err != nil {
		return err
	}
	if len(open) > 0 {
		return fmt.Errorf("%w: %s", ErrOpenComplaints, strings.Join(open, ", "))
	}
	return nil
}

// scrubbed is what scrubReporters removed.
type scrubbed struct {
	conversations, messages int
	byReporter              map[ReporterID]int // conversations per reporter
	// keys are the object keys of the deleted attachment rows.
	keys []string
}

// scrubReporters removes the identity of the reporters and what they
// wrote or sent on every channel: name, NIK, address, phone, how each
// channel knows them (the conversation key is a phone number on
// WhatsApp), the dialog's state (a relative's NIK among it), the text of
// every message, survey comments and every file. The rows stay, emptied, with their dates:
// complaints point at them. A message from the same sender later starts
// afresh with a new reporter.
func (t *Tx) scrubReporters(ctx context.Context, ids []ReporterID) (scrubbed, error) {
	out := scrubbed{byReporter: map[ReporterID]int{}}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := t.tx.Query(ctx, `SELECT id, reporter_id FROM conversations WHERE reporter_id = ANY($1) FOR UPDATE`, ids)
	if err != nil {
		return out, err
	}
	var convs []ConversationID
	var c ConversationID
	var r ReporterID
	if _, err := pgx.ForEachRow(rows, []any{&c, &r}, func() error {
		convs = append(convs, c)
		out.byReporter[r]++
		return nil
	}); err != nil {
		return out, err
	}
	out.conversations = len(convs)
	rows, err = t.tx.Query(ctx, `DELETE FROM attachments a USING messages m
		WHERE a.message_id = m.id AND m.conversation_id = ANY($1) RETURNING a.object_key`, convs)
	if err != nil {
		return out, err
	}
	if out.keys, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		return out, err
	}
	tag, err := t.tx.Exec(ctx, `UPDATE messages SET text = '', original_text = NULL, sender_id = ''
		WHERE conversation_id = ANY($1)`, convs)
	if err != nil {
		return out, err
	}
	out.messages = int(tag.RowsAffected())
	// A survey answer's comment is their words; the score stays, counted.
	if _, err := t.tx.Exec(ctx, `UPDATE satisfaction SET comment = '' WHERE conversation_id = ANY($1)`, convs); err != nil {
		return out, err
	}
	for _, q := range []string{
		`UPDATE conversations SET conversation_key = 'dihapus-' || id, draft = '', concerned_name = '',
			concerned_nik_enc = NULL, concerned_nik_masked = '', concerned_relation = '', pending_identity_enc = NULL,
			needs_officer = '', updated_at = now() WHERE reporter_id = ANY($1)`,
		`DELETE FROM reporter_identities WHERE reporter_id = ANY($1)`,
		`UPDATE reporters SET name = '', profile_name = '', nik_enc = NULL, nik_hash = NULL, nik_masked = '',
			address = '', phone = '', ktp_photo = false, anonymised_at = now(), updated_at = now() WHERE id = ANY($1)`,
	} {
		if _, err := t.tx.Exec(ctx, q, ids); err != nil {
			return out, err
		}
	}
	return out, nil
}

// eraseComplaintText replaces the free text of the reporters' complaints —
// their words, the officers' notes about them, the follow-ups, the result
// and the berita acara PDF (it names them) — keeping tickets, dates,
// statuses, class, category, who acted, and the berita acara's number. It
// returns the tickets per reporter and the object keys of the follow-ups'
// files, whose rows it deletes.
func (t *Tx) eraseComplaintText(ctx context.Context, ids []ReporterID) (map[ReporterID][]string, []string, error) {
	byReporter := map[ReporterID][]string{}
	rows, err := t.tx.Query(ctx, `UPDATE complaints SET text = $2,
		result = CASE WHEN result <> '' THEN $2 ELSE '' END, reason = CASE WHEN reason <> '' THEN $2 ELSE '' END,
		updated_at = now() WHERE reporter_id = ANY($1) RETURNING reporter_id, ticket`, ids, ErasedText)
	if err != nil {
		return nil, nil, err
	}
	var r ReporterID
	var ticket string
	if _, err := pgx.ForEachRow(rows, []any{&r, &ticket}, func() error {
		byReporter[r] = append(byReporter[r], ticket)
		return nil
	}); err != nil {
		return nil, nil, err
	}
	const mine = `(SELECT id FROM complaints WHERE reporter_id = ANY($1))`
	rows, err = t.tx.Query(ctx, `DELETE FROM follow_up_files f USING follow_ups u
		WHERE f.follow_up_id = u.id AND u.complaint_id IN `+mine+` RETURNING f.object_key`, ids)
	if err != nil {
		return nil, nil, err
	}
	keys, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, nil, err
	}
	for _, q := range []string{
		`UPDATE complaint_additions SET text = $2 WHERE complaint_id IN ` + mine,
		`UPDATE complaint_steps SET note = $2 WHERE note <> '' AND complaint_id IN ` + mine,
		`UPDATE follow_ups SET text = $2, inspection_place = '', inspection_findings = '' WHERE complaint_id IN ` + mine,
		`UPDATE conversation_notes SET text = $2 WHERE conversation_id IN
			(SELECT id FROM conversations WHERE reporter_id = ANY($1))`,
		`UPDATE berita_acara SET pdf = '' WHERE $2 <> '' AND complaint_id IN ` + mine,
		`UPDATE lapor_reports SET identity_sealed = NULL, title = '', location = '' WHERE $2 <> '' AND complaint_id IN ` + mine,
	} {
		if _, err := t.tx.Exec(ctx, q, ids, ErasedText); err != nil {
			return nil, nil, err
		}
	}
	return byReporter, keys, nil
}

// forgetConcerned removes the person concerned from another reporter's
// conversation, and their NIK from its messages and complaints' text.
func (t *Tx) forgetConcerned(ctx context.Context, conv ConversationID, nik string) error {
	if _, err := t.tx.Exec(ctx, `UPDATE conversations SET concerned_name = '', concerned_nik_enc = NULL,
		concerned_nik_masked = '', concerned_relation = '', updated_at = now() WHERE id = $1`, conv); err != nil {
		return err
	}
	for _, table := range []string{"messages", "complaints"} {
		rows, err := t.tx.Query(ctx, `SELECT id, text FROM `+table+` WHERE conversation_id = $1 AND text ~ '[0-9]'`, conv)
		if err != nil {
			return err
		}
		type row struct {
			ID   int64
			Text string
		}
		list, err := pgx.CollectRows(rows, pgx.RowToStructByPos[row])
		if err != nil {
			return err
		}
		for _, r := range list {
			text := identity.ReplaceNIKs(r.Text, func(digits string) string {
				if strings.Contains(digits, nik) {
					return "(NIK dihapus)"
				}
				return digits
			})
			if text == r.Text {
				continue
			}
			if _, err := t.tx.Exec(ctx, `UPDATE `+table+` SET text = $2 WHERE id = $1`, r.ID, text); err != nil {
				return err
			}
		}
	}
	return nil
}

// Unreferenced are the object-store keys among keys that no attachment or
// follow-up file refers to: their bytes may go.
func (s *Store) Unreferenced(ctx context.Context, keys []string) (out []string, err error) {
	err = s.InTx(ctx, func(tx *Tx) error {
		out, err = tx.unreferenced(ctx, keys)
		return err
	})
	return out, err
}

// unreferenced is Unreferenced within the transaction.
func (t *Tx) unreferenced(ctx context.Context, keys []string) ([]string, error) {
	rows, err := t.tx.Query(ctx, `SELECT DISTINCT k FROM unnest($1::text[]) k WHERE k <> ''
		AND NOT EXISTS (SELECT 1 FROM attachments WHERE object_key = k)
		AND NOT EXISTS (SELECT 1 FROM follow_up_files WHERE object_key = k) ORDER BY k`, keys)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

func idText[T ~int64](id T) string { return strconv.FormatInt(int64(id), 10) }
