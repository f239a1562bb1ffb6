package web

import (
	"context"
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
	user := sess.User.Username
	// Filing the complaint writes its own audit entry.
	s.changeConversation(w, r, sess, "forwarded", func(ctx context.Context, tx *store.Tx, c *store.Conversation) (string, map[string]any, error) {
		if c.Status == dialog.StatusSubmitted {
			return "", nil, errAction("submitted")
		}
		text := strings.TrimSpace(r.PostFormValue("text"))
		if text == "" {
			text = strings.TrimSpace(c.Draft)
		}
		if text == "" {
			return "", nil, errAction("no_complaint")
		}
		ticket, err := s.complaints.Create(ctx, tx, complaint.NewComplaint{
			Channel: c.Channel, Account: c.Account, Conversation: c.ID, Reporter: c.ReporterID,
			Text: text, ReceivedAt: s.now(), Actor: user, Note: "diteruskan oleh petugas",
			AuditAction: "complaint.forwarded", Audit: map[string]any{"conversation_id": c.ID},
		})
		if err != nil {
			return "", nil, err
		}
		c.Status, c.Ticket, c.Draft, c.AwaitingKTP, c.Missing = dialog.StatusSubmitted, ticket.Number, "", false, nil
		if err := tx.SaveConversation(ctx, c); err != nil {
			return "", nil, err
		}
		if c.Channel == event.ChannelWalkin {
			return "", nil, nil
		}
		_, err = s.sendAgent(ctx, tx, c.ID, "Terima kasih, data Anda sudah kami periksa. Laporan Anda kami teruskan ke petugas verifikasi dengan nomor tiket "+
			ticket.Number+". Simpan nomor ini untuk menanyakan perkembangan laporan (ketik STATUS "+ticket.Number+").", user, 0)
		return "", nil, err
	})
}
