package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/identity"
	"github.com/aduan-gateway/aduan/store"
)

type receiptPage struct {
	Key       string
	Pending   bool
	Conv      *store.ConversationView
	Complaint *store.ComplaintSummary
	NIK       string
	Missing   []identity.Field
	Officer   string
	// Classes are the deadline classes with the due date each would give,
	// counted from the day of receipt.
	Classes []classOption
}

// receipt shows the tanda terima of a walk-in complaint once the core gave
// it a ticket, what is missing when the identity is incomplete, or that it
// is still being processed.
func (s *Server) receipt(w http.ResponseWriter, r *http.Request, sess *session) {
	key := r.PathValue("key")
	if !strings.HasPrefix(key, "walkin-") {
		s.notFound(w, r, sess)
		return
	}
	ctx := r.Context()
	p := &receiptPage{Key: key, Officer: sess.User.Username}
	v, err := s.store.FindConversation(ctx, store.ConversationKey{Channel: event.ChannelWalkin, Account: walkinAccount, Key: key})
	switch {
	case errors.Is(err, store.ErrNotFound):
		p.Pending = true
		s.render(w, r, http.StatusOK, "receipt", sess, "Sedang diproses", p)
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	p.Conv = v
	p.NIK = identity.MaskNIK(v.Reporter.NIK)
	if v.Ticket == "" {
		p.Missing = v.Missing
		s.render(w, r, http.StatusOK, "receipt", sess, "Data belum lengkap", p)
		return
	}
	if p.Complaint, err = s.store.ComplaintByTicket(ctx, v.Ticket); err != nil {
		s.serverError(w, r, err)
		return
	}
	p.Classes = s.classOptions(p.Complaint.ReceivedAt)
	s.render(w, r, http.StatusOK, "receipt", sess, "Tanda terima "+v.Ticket, p)
}
