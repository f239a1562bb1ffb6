package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.mau.fi/whatsmeow"

	"github.com/aduan-gateway/aduan/core/event"
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

// NormalizePhone turns a phone number as people write it ("+62 812-3456-7890",
// "0812 3456 7890", "6281234567890") into WhatsApp's international digits.
// A leading 0 is read as Indonesian (country code 62).
func NormalizePhone(s string) (string, error) {
	var b strings.Builder
	for i, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0, r == ' ', r == '-', r == '.', r == '(', r == ')':
		default:
			return "", fmt.Errorf("%q is not a phone number", r)
		}
	}
	d := b.String()
	switch {
	case strings.HasPrefix(d, "00"):
		d = d[2:]
	case strings.HasPrefix(d, "0"):
		d = "62" + d[1:]
	case strings.HasPrefix(d, "8") && len(d) <= 12:
		d = "62" + d // "812…" without the trunk 0, as many Indonesians write it
	}
	if len(d) < 8 || len(d) > 15 {
		return "", fmt.Errorf("a phone number has 8 to 15 digits with the country code, got %d", len(d))
	}
	return d, nil
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
