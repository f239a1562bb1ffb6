package web

import (
	"context"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/aduan-gateway/aduan/store"
)

// dialogPanel is what the conversation page shows of the dialog beyond the
// identity checklist: the person concerned, the officer flags and the
// complaint text with its correction form.
type dialogPanel struct {
	Concerned store.ConcernedView
	// NeedsOfficer in words ("" when not flagged).
	NeedsOfficer string
	Complaint    string
	// Ticket is the complaint the text belongs to ("" for the draft).
	Ticket string
}

// needsOfficerWords names why a conversation needs an officer.
var needsOfficerWords = map[string]string{
	"darurat":    "pesan berisi kata darurat atau bahaya: segera tanggapi",
	"pembatalan": "pelapor meminta laporan dibatalkan",
}

// maxComplaintText bounds an officer's correction.
const maxComplaintText = 8000

func (s *Server) dialogPanel(ctx context.Context, id store.ConversationID) (dialogPanel, error) {
	var p dialogPanel
	var err error
	if p.Concerned, err = s.store.ConversationConcerned(ctx, id); err != nil {
		return p, err
	}
	if p.Concerned.NeedsOfficer != "" {
		p.NeedsOfficer = orCode(needsOfficerWords, p.Concerned.NeedsOfficer)
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		p.Complaint, p.Ticket, err = tx.ComplaintTextOf(ctx, id)
		return err
	})
	return p, err
}

// complaintText saves an officer's correction of the complaint text (the
// draft, or the submitted complaint's text), audited with the lengths only:
// the text may hold personal data.
func (s *Server) complaintText(w http.ResponseWriter, r *http.Request, sess *session) {
	text := strings.TrimSpace(strings.ReplaceAll(r.PostFormValue("text"), "\r\n", "\n"))
	s.changeConversation(w, r, sess, "complaint_text", func(ctx context.Context, tx *store.Tx, c *store.Conversation) (string, map[string]any, error) {
		if text == "" {
			return "", nil, errAction("empty")
		}
		if utf8.RuneCountInString(text) > maxComplaintText {
			return "", nil, errAction("too_long")
		}
		old, ticket, err := tx.ComplaintTextOf(ctx, c.ID)
		if err != nil || old == text {
			return "", nil, err
		}
		if err := tx.SetComplaintText(ctx, c.ID, ticket, text); err != nil {
			return "", nil, err
		}
		detail := map[string]any{"old_chars": utf8.RuneCountInString(old), "new_chars": utf8.RuneCountInString(text)}
		if ticket != "" {
			detail["ticket"] = ticket
		}
		return "complaint.text_corrected", detail, nil
	})
}

// officerSeen clears "perlu petugas" once an officer has taken it up; audited.
func (s *Server) officerSeen(w http.ResponseWriter, r *http.Request, sess *session) {
	s.changeConversation(w, r, sess, "officer_seen", func(ctx context.Context, tx *store.Tx, c *store.Conversation) (string, map[string]any, error) {
		return "conversation.officer_seen", nil, tx.ClearNeedsOfficer(ctx, c.ID)
	})
}
