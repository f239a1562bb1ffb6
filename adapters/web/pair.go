package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/identity"
	"github.com/aduan-gateway/aduan/store"
)

// pairTimeout bounds the wait for the WhatsApp adapter's pairing code.
const pairTimeout = 20 * time.Second

type pairPage struct {
	Account string
	Phone   string
	Code    string
	Error   string
}

// pairPhone asks the WhatsApp adapter for a phone pairing code, the option
// for an office phone that cannot scan the QR code.
func (s *Server) pairPhone(w http.ResponseWriter, r *http.Request, sess *session) {
	p := &pairPage{Account: strings.TrimSpace(r.PostFormValue("account"))}
	phone, err := identity.NormalizePhone(r.PostFormValue("phone"))
	// The account is empty before the first pairing: that is when a code
	// is needed most, and the adapter holding the session knows its number.
	if err != nil {
		p.Error = "Nomor HP tidak dikenali sebagai nomor Indonesia."
		s.render(w, r, http.StatusUnprocessableEntity, "pair", sess, "Tautkan WhatsApp", p)
		return
	}
	p.Phone = strings.TrimPrefix(phone, "+")
	ctx := r.Context()
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		account := p.Account
		if account == "" {
			account = "unpaired"
		}
		return tx.Audit(ctx, sess.User.Username, "whatsapp.pair_requested", "whatsapp", account, nil)
	})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	req, _ := json.Marshal(event.PairPhoneRequest{Account: p.Account, Phone: p.Phone})
	msg, err := s.bus.Conn().Request(event.SubjectWhatsAppPairPhone, req, pairTimeout)
	var reply event.PairPhoneReply
	switch {
	case errors.Is(err, nats.ErrNoResponders):
		p.Error = "Adaptor WhatsApp tidak aktif, sehingga kode tidak dapat dibuat. Jalankan peran whatsapp, atau di server: aduan whatsapp pair --phone " + p.Phone
	case err != nil:
		p.Error = "Adaptor WhatsApp tidak menjawab. Coba lagi sebentar lagi."
		s.log.Warn().Err(err).Msg("asking for a WhatsApp pairing code")
	case json.Unmarshal(msg.Data, &reply) != nil || (reply.Code == "" && reply.Error == ""):
		p.Error = "Jawaban adaptor WhatsApp tidak dapat dibaca."
	case reply.Error != "":
		p.Error = "WhatsApp menolak: " + reply.Error
	default:
		p.Code = reply.Code
	}
	status := http.StatusOK
	if p.Error != "" {
		status = http.StatusBadGateway
	}
	s.render(w, r, status, "pair", sess, "Tautkan WhatsApp", p)
}
