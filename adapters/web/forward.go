package web

import (
	"net/http"
	"strings"

	"github.com/aduan-gateway/aduan/core/complaint"
	"github.com/aduan-gateway/aduan/core/dialog"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/store"
)

// forward hands a report to verification when the officer judges the
// identity complete by hand: a ticket, the complaint, its event, exactly as
// the core does when the dialog completes a report, and the citizen is told
// the ticket on their channel.
func (s *Server) forward(w http.ResponseWriter, r *http.Request, sess *session) {
	id, ok := conversationID(r)
	if !ok {
		s.notFound(w, r, sess)
		return
	}
	ctx := r.Context()
	user := sess.User.Username
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		c, err := tx.LockConversation(ctx, id)
		if err != nil {
			return err
		}
		if c.Status == "submitted" {
			return errAction("submitted")
		}
		text := strings.TrimSpace(r.PostFormValue("text"))
		if text == "" {
			text = strings.TrimSpace(c.Draft)
		}
		if text == "" {
			return errAction("no_complaint")
		}
		ticket, err := s.complaints.Create(ctx, tx, complaint.NewComplaint{
			Channel: c.Channel, Account: c.Account, Conversation: c.ID, Reporter: c.ReporterID,
			Text: text, ReceivedAt: s.now(), Actor: user, Note: "diteruskan oleh petugas",
			AuditAction: "complaint.forwarded", Audit: map[string]any{"conversation_id": c.ID},
		})
		if err != nil {
			return err
		}
		c.Status, c.Ticket, c.Draft, c.AwaitingKTP, c.Missing = dialog.StatusSubmitted, ticket.Number, "", false, nil
		if err := tx.SaveConversation(ctx, c); err != nil {
			return err
		}
		if c.Channel == event.ChannelWalkin {
			return nil
		}
		_, err = s.sendAgent(ctx, tx, id, "Terima kasih, data Anda sudah kami periksa. Laporan Anda kami teruskan ke petugas verifikasi dengan nomor tiket "+
			ticket.Number+". Simpan nomor ini untuk menanyakan perkembangan laporan (ketik STATUS "+ticket.Number+").", user, 0)
		return err
	})
	s.finish(w, r, sess, id, err, "forwarded")
}
