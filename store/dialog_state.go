package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aduan-gateway/aduan/core/identity"
)

// DialogState is what the dialog keeps of a conversation beyond the
// reporter's identity: the person concerned, a change of identity waiting
// for the reporter's YA, the officer flags and the questions asked.
type DialogState struct {
	Concerned identity.Person
	// Pending: the reporter's own new values (only the fields to change).
	Pending identity.Identity
	// NeedsOfficer is why an officer must look ("" when not): "darurat",
	// "pembatalan".
	NeedsOfficer    string
	CancelRequested bool
	ChecklistSent   bool
	// KTPQuestion is the external id of the photo asked about ("Apakah foto
	// tadi foto KTP Anda?"), "" when none is.
	KTPQuestion string
	CancelAsked bool
	// Survey is the ticket whose satisfaction question awaits the
	// reporter's answer, "" when none does (AskSatisfaction sets it).
	Survey string
}

// DialogState reads the dialog's state of a conversation.
func (t *Tx) DialogState(ctx context.Context, conv ConversationID) (DialogState, error) {
	var d DialogState
	var nikEnc, pendingEnc []byte
	err := t.tx.QueryRow(ctx, `SELECT concerned_name, concerned_nik_enc, concerned_relation, pending_identity_enc,
		needs_officer, cancel_requested, checklist_sent, ktp_question, cancel_asked, survey_ticket FROM conversations WHERE id = $1`, conv).
		Scan(&d.Concerned.Name, &nikEnc, &d.Concerned.Relation, &pendingEnc,
			&d.NeedsOfficer, &d.CancelRequested, &d.ChecklistSent, &d.KTPQuestion, &d.CancelAsked, &d.Survey)
	if err != nil {
		return d, fmt.Errorf("reading dialog state of conversation %d: %w", conv, err)
	}
	if nikEnc != nil {
		if d.Concerned.NIK, err = t.crypt.open(nikEnc); err != nil {
			return d, err
		}
	}
	if pendingEnc != nil {
		plain, err := t.crypt.open(pendingEnc)
		if err != nil {
			return d, err
		}
		if err := json.Unmarshal([]byte(plain), &d.Pending); err != nil {
			return d, fmt.Errorf("reading pending identity of conversation %d: %w", conv, err)
		}
	}
	return d, nil
}

// SaveDialogState writes the dialog's state of a conversation, sealing NIKs.
func (t *Tx) SaveDialogState(ctx context.Context, conv ConversationID, d DialogState) error {
	var nikEnc, pendingEnc []byte
	if d.Concerned.NIK != "" {
		nikEnc = t.crypt.seal(d.Concerned.NIK)
	}
	if d.Pending != (identity.Identity{}) {
		b, err := json.Marshal(d.Pending)
		if err != nil {
			return err
		}
		pendingEnc = t.crypt.seal(string(b))
	}
	_, err := t.tx.Exec(ctx, `UPDATE conversations SET concerned_name = $2, concerned_nik_enc = $3,
		concerned_nik_masked = $4, concerned_relation = $5, pending_identity_enc = $6, needs_officer = $7,
		cancel_requested = $8, checklist_sent = $9, ktp_question = $10, cancel_asked = $11, survey_ticket = $12 WHERE id = $1`,
		conv, d.Concerned.Name, nikEnc, identity.MaskNIK(d.Concerned.NIK), d.Concerned.Relation, pendingEnc,
		d.NeedsOfficer, d.CancelRequested, d.ChecklistSent, d.KTPQuestion, d.CancelAsked, d.Survey)
	if err != nil {
		return fmt.Errorf("saving dialog state of conversation %d: %w", conv, err)
	}
	return nil
}

// ConcernedView is the person concerned and the officer flags of a
// conversation as staff see them: the NIK masked.
type ConcernedView struct {
	Name, MaskedNIK, Relation string
	NeedsOfficer              string
	CancelRequested           bool
}

// ConversationConcerned reads what the inbox shows of the dialog's state.
func (s *Store) ConversationConcerned(ctx context.Context, conv ConversationID) (ConcernedView, error) {
	var v ConcernedView
	err := s.pool.QueryRow(ctx, `SELECT concerned_name, concerned_nik_masked, concerned_relation, needs_officer,
		cancel_requested FROM conversations WHERE id = $1`, conv).
		Scan(&v.Name, &v.MaskedNIK, &v.Relation, &v.NeedsOfficer, &v.CancelRequested)
	if err != nil {
		return v, fmt.Errorf("reading person concerned of conversation %d: %w", conv, err)
	}
	return v, nil
}

// MarkKTPOf records that the images of the citizen's message externalID in
// conversation conv are the reporter's KTP (a photo confirmed after it came).
func (t *Tx) MarkKTPOf(ctx context.Context, conv ConversationID, externalID string) error {
	_, err := t.tx.Exec(ctx, `UPDATE attachments SET is_ktp = true WHERE kind = 'image' AND message_id =
		(SELECT id FROM messages WHERE conversation_id = $1 AND direction = 'in' AND external_id = $2)`, conv, externalID)
	if err != nil {
		return fmt.Errorf("marking KTP of an earlier message: %w", err)
	}
	return nil
}

// ComplaintTextOf returns the complaint text an officer may correct on a
// conversation: the stored complaint's text once it has a ticket, else the
// draft being collected; ticket is "" for the draft.
func (t *Tx) ComplaintTextOf(ctx context.Context, conv ConversationID) (text, ticket string, err error) {
	err = t.tx.QueryRow(ctx, `SELECT coalesce(k.text, c.draft), coalesce(k.ticket, '') FROM conversations c
		LEFT JOIN complaints k ON k.ticket = c.ticket AND c.status = 'submitted' WHERE c.id = $1`, conv).Scan(&text, &ticket)
	if err != nil {
		return "", "", fmt.Errorf("reading complaint text of conversation %d: %w", conv, err)
	}
	return text, ticket, nil
}

// SetComplaintText replaces the complaint text: the complaint's when ticket
// is set, else the conversation's draft.
func (t *Tx) SetComplaintText(ctx context.Context, conv ConversationID, ticket, text string) error {
	var err error
	if ticket != "" {
		_, err = t.tx.Exec(ctx, `UPDATE complaints SET text = $2, updated_at = now() WHERE ticket = $1`, ticket, text)
	} else {
		_, err = t.tx.Exec(ctx, `UPDATE conversations SET draft = $2, updated_at = now() WHERE id = $1`, conv, text)
	}
	if err != nil {
		return fmt.Errorf("correcting complaint text of conversation %d: %w", conv, err)
	}
	return nil
}

// ClearNeedsOfficer records that an officer has taken up what made the
// conversation need one.
func (t *Tx) ClearNeedsOfficer(ctx context.Context, conv ConversationID) error {
	if _, err := t.tx.Exec(ctx, `UPDATE conversations SET needs_officer = '', cancel_requested = false WHERE id = $1`, conv); err != nil {
		return fmt.Errorf("clearing perlu petugas of conversation %d: %w", conv, err)
	}
	return nil
}

// attachmentWords name attachment kinds in the inbox's previews.
var attachmentWords = map[string]string{
	"image": "gambar", "document": "dokumen", "video": "video", "audio": "rekaman suara",
	"sticker": "stiker", "other": "berkas",
}

// attachmentPreview is the inbox preview of a message without text: its
// attachment's kind in Indonesian ("[gambar]").
func attachmentPreview(kind string) string {
	if w, ok := attachmentWords[kind]; ok {
		return "[" + w + "]"
	}
	return "[berkas]"
}
