package whatsapp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"go.mau.fi/whatsmeow"

	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/identity"
)

// ErrQRTimeout is returned by FollowQR when no code was scanned before
// WhatsApp stopped issuing them (about three minutes).
var ErrQRTimeout = errors.New("no QR code was scanned in time")

// Health extras the admin UI reads while pairing.
const (
	ExtraQR       = "qr"
	ExtraPairCode = "pair_code"
)

// FollowQR reads whatsmeow's QR channel until pairing ends. Each new code
// is recorded in the channel health (state needs_pairing, Extra "qr") for
// the admin UI, and handed to show (the terminal; nil: none). It returns nil
// once paired.
func (a *Adapter) FollowQR(ctx context.Context, items <-chan whatsmeow.QRChannelItem, show func(code string, valid time.Duration)) error {
	return FollowQR(ctx, items, a.SetState, show)
}

// FollowQR is Adapter.FollowQR with the state reported to report (nil:
// nowhere), for pairing from the command line without a bus.
func FollowQR(ctx context.Context, items <-chan whatsmeow.QRChannelItem,
	report func(state event.HealthState, detail string, extra map[string]string),
	show func(code string, valid time.Duration)) error {
	if report == nil {
		report = func(event.HealthState, string, map[string]string) {}
	}
	for {
		var item whatsmeow.QRChannelItem
		var ok bool
		select {
		case <-ctx.Done():
			return ctx.Err()
		case item, ok = <-items:
		}
		if !ok {
			return ErrQRTimeout
		}
		switch item.Event {
		case whatsmeow.QRChannelEventCode:
			report(event.HealthNeedsPairing,
				"not paired: on the office phone open WhatsApp → Linked devices → Link a device and scan this code",
				map[string]string{ExtraQR: item.Code})
			if show != nil {
				show(item.Code, item.Timeout)
			}
		case whatsmeow.QRChannelSuccess.Event:
			report(event.HealthDown, "paired; connecting", nil)
			return nil
		case whatsmeow.QRChannelTimeout.Event:
			report(event.HealthNeedsPairing, "not paired: the QR codes expired; new ones follow", nil)
			return ErrQRTimeout
		case whatsmeow.QRChannelScannedWithoutMultidevice.Event:
			report(event.HealthNeedsPairing, "the phone that scanned the code has no multi-device support; update WhatsApp and scan again", nil)
		case whatsmeow.QRChannelClientOutdated.Event:
			report(event.HealthNeedsAttention, "WhatsApp refuses this client version: update Aduan", nil)
			return errors.New("whatsapp pairing: client outdated")
		case whatsmeow.QRChannelEventError:
			report(event.HealthNeedsPairing, "pairing failed; try again", nil)
			return fmt.Errorf("whatsapp pairing: %w", item.Error)
		default: // err-unexpected-state and future ones
			report(event.HealthNeedsPairing, "pairing failed ("+item.Event+"); try again", nil)
			return fmt.Errorf("whatsapp pairing: %s", item.Event)
		}
	}
}

// ShowPairCode records a phone pairing code in the channel health, for the
// admin UI, beside the terminal that asked for it.
func (a *Adapter) ShowPairCode(code string) {
	a.SetState(event.HealthNeedsPairing,
		"not paired: on the office phone open WhatsApp → Linked devices → Link a device → Link with phone number instead, and type this code",
		map[string]string{ExtraPairCode: code})
}

// FormatPairCode writes a pairing code as WhatsApp shows its input boxes:
// "ABCD-EFGH".
func FormatPairCode(code string) string {
	c := strings.ToUpper(strings.ReplaceAll(code, "-", ""))
	if len(c) == 8 {
		return c[:4] + "-" + c[4:]
	}
	return c
}

// PhonePairer asks WhatsApp for a phone pairing code (the connected,
// unpaired client's PairPhone).
type PhonePairer func(ctx context.Context, phone string) (string, error)

// SetPairer makes phone pairing available (nil: not now). The session sets
// it while a pairing round is connected.
func (a *Adapter) SetPairer(p PhonePairer) {
	a.mu.Lock()
	a.pairer = p
	a.mu.Unlock()
}

// ServePairRequests answers the admin UI's requests for a phone pairing code
// (event.SubjectWhatsAppPairPhone) until ctx ends. Only the process holding
// the session runs it, so the code belongs to the connection that waits.
func (a *Adapter) ServePairRequests(ctx context.Context) error {
	sub, err := a.b.Conn().Subscribe(event.SubjectWhatsAppPairPhone, func(m *nats.Msg) {
		reply := a.pairPhone(ctx, m.Data)
		data, _ := json.Marshal(reply)
		if err := m.Respond(data); err != nil {
			a.log.Warn().Err(err).Msg("answering a pairing code request")
		}
	})
	if err != nil {
		return fmt.Errorf("answering pairing code requests: %w", err)
	}
	<-ctx.Done()
	_ = sub.Unsubscribe()
	return nil
}

// pairPhone handles one request; its errors are shown to the administrator
// as they are, so they are in Indonesian.
func (a *Adapter) pairPhone(ctx context.Context, data []byte) event.PairPhoneReply {
	var req event.PairPhoneRequest
	if err := json.Unmarshal(data, &req); err != nil {
		return event.PairPhoneReply{Error: "permintaan tidak dapat dibaca"}
	}
	phone, err := identity.InternationalPhone(req.Phone)
	if err != nil {
		return event.PairPhoneReply{Error: "nomor HP tidak valid"}
	}
	a.mu.Lock()
	pair, account := a.pairer, a.account
	a.mu.Unlock()
	switch {
	case pair == nil && account != "":
		return event.PairPhoneReply{Error: "WhatsApp sudah tertaut dengan +" + account + "; putuskan dulu dengan aduan whatsapp logout"}
	case pair == nil:
		return event.PairPhoneReply{Error: "sesi WhatsApp belum siap untuk ditautkan; coba lagi dalam beberapa detik"}
	}
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	code, err := pair(pctx, phone)
	if err != nil {
		a.log.Warn().Err(err).Msg("requesting a whatsapp pairing code")
		return event.PairPhoneReply{Error: "kode tidak dapat dibuat (" + err.Error() + ")"}
	}
	code = FormatPairCode(code)
	a.ShowPairCode(code)
	a.log.Info().Str("phone", identity.MaskPhone(phone)).Msg("whatsapp pairing code issued")
	return event.PairPhoneReply{Code: code}
}
