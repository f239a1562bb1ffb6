package whatsapp

import (
	"context"
	"testing"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/bus/bustest"
	"github.com/aduan-gateway/aduan/core/event"
)

func publishOutbound(t *testing.T, b *bus.Bus, out *event.Outbound) {
	t.Helper()
	if out.ID == "" {
		out.ID = event.NewID()
	}
	out.Channel, out.Account, out.Origin, out.CreatedAt = event.ChannelWhatsApp, ourNumber, event.OriginBot, time.Now().UTC()
	if _, err := b.PublishEvent(context.Background(), out, out.Subject(), out.ID); err != nil {
		t.Fatal(err)
	}
}

func TestSender(t *testing.T) {
	tests := []struct {
		name      string
		connected bool
		recipient string
		sendErr   func(n int) error
		// reconnect: the fake comes online after the first attempt waited.
		reconnect  bool
		wantTo     types.JID
		wantStatus event.DeliveryStatus
		wantReason string
		retryable  bool
		wantSends  int
	}{
		{name: "sent", connected: true, recipient: citizen,
			wantTo: pn(citizen), wantStatus: event.DeliverySent, wantSends: 1},
		{name: "LID recipient", connected: true, recipient: citizenLID + "@lid",
			wantTo: lid(citizenLID), wantStatus: event.DeliverySent, wantSends: 1},
		{name: "not connected, then reconnected", recipient: citizen, reconnect: true,
			wantTo: pn(citizen), wantStatus: event.DeliverySent, wantSends: 1},
		{name: "permanent error", connected: true, recipient: citizen,
			sendErr:    func(int) error { return &whatsmeow.IQError{Code: 406, Text: "not-acceptable"} },
			wantStatus: event.DeliveryFailed, wantReason: "WhatsApp refused the message (406 not-acceptable)", wantSends: 1},
		{name: "transient error until attempts run out", connected: true, recipient: citizen,
			sendErr:    func(int) error { return whatsmeow.ErrMessageTimedOut },
			wantStatus: event.DeliveryFailed, wantReason: "WhatsApp did not take the message", retryable: true, wantSends: 4},
		{name: "transient error, then sent", connected: true, recipient: citizen,
			sendErr: func(n int) error {
				if n == 1 {
					return whatsmeow.ErrIQTimedOut
				}
				return nil
			},
			wantTo: pn(citizen), wantStatus: event.DeliverySent, wantSends: 2},
		{name: "recipient not a number", connected: true, recipient: "warga",
			wantStatus: event.DeliveryFailed, wantReason: "the recipient is not a WhatsApp number: 'w' is not a phone number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, testConfig(), tt.connected)
			h.fake.sendErr = tt.sendErr
			h.run(h.a.RunSender)
			deliveries := newReader(t, h.b, bus.StreamDelivery, event.DeliverySubject(event.ChannelWhatsApp))
			out := &event.Outbound{ConversationKey: citizen, Recipient: tt.recipient, Text: "Terima kasih, laporan Anda kami terima."}
			publishOutbound(t, h.b, out)
			if tt.reconnect {
				bustest.Eventually(t, 5*time.Second, func() bool { return value(h.metrics.sends.WithLabelValues("retried")) >= 1 })
				if h.fake.sendCount() != 0 {
					t.Fatal("sent while disconnected")
				}
				h.fake.setConnected(true)
				h.a.HandleEvent(&events.Connected{})
			}
			d := deliveries.delivery(10 * time.Second)
			if d.OutboundID != out.ID || d.Status != tt.wantStatus || d.Reason != tt.wantReason || d.Retryable != tt.retryable {
				t.Fatalf("delivery %+v", d)
			}
			if got := h.fake.sendCount(); got != tt.wantSends {
				t.Fatalf("%d sends, want %d", got, tt.wantSends)
			}
			if tt.wantStatus != event.DeliverySent {
				deliveries.none(200 * time.Millisecond)
				return
			}
			sent := h.fake.sentMessages()
			if len(sent) != 1 || sent[0].To != tt.wantTo || sent[0].Text != out.Text || d.ExternalID != sent[0].ID {
				t.Fatalf("sent %+v, delivery %+v", sent, d)
			}
			if p := h.fake.presenceStates(); len(p) == 0 || p[0] != types.ChatPresenceComposing {
				t.Fatalf("no typing shown before the reply: %v", p)
			}

			// The citizen's phone reports delivery, then reading.
			for _, rt := range []types.ReceiptType{types.ReceiptTypeDelivered, types.ReceiptTypeRead} {
				h.a.HandleEvent(&events.Receipt{MessageSource: types.MessageSource{Chat: tt.wantTo, Sender: tt.wantTo},
					MessageIDs: []types.MessageID{sent[0].ID}, Timestamp: time.Now(), Type: rt})
			}
			for _, want := range []event.DeliveryStatus{event.DeliveryDelivered, event.DeliveryRead} {
				r := deliveries.delivery(5 * time.Second)
				if r.OutboundID != out.ID || r.ExternalID != sent[0].ID || r.Status != want {
					t.Fatalf("receipt became %+v, want %s for %s", r, want, out.ID)
				}
			}
		})
	}
}

// TestSenderDoesNotSendTwice redelivers a reply whose sending was recorded
// but whose report was lost: it is reported, not sent again.
func TestSenderDoesNotSendTwice(t *testing.T) {
	h := newHarness(t, testConfig(), true)
	out := &event.Outbound{ID: event.NewID(), ConversationKey: citizen, Recipient: citizen, Text: "Balasan"}
	if err := h.a.sent.Put(context.Background(), out.ID, "3EB0AAAA"); err != nil {
		t.Fatal(err)
	}
	h.run(h.a.RunSender)
	deliveries := newReader(t, h.b, bus.StreamDelivery, event.DeliverySubject(event.ChannelWhatsApp))
	publishOutbound(t, h.b, out)
	d := deliveries.delivery(5 * time.Second)
	if d.Status != event.DeliverySent || d.ExternalID != "3EB0AAAA" || h.fake.sendCount() != 0 {
		t.Fatalf("delivery %+v after %d sends", d, h.fake.sendCount())
	}
}

// TestReceiptForPhoneMessage reports a receipt for a message the office
// sent from the phone with no outbound id: the core matches it by its
// WhatsApp id with the echo it stored.
func TestReceiptForPhoneMessage(t *testing.T) {
	h := newHarness(t, testConfig(), true)
	deliveries := newReader(t, h.b, bus.StreamDelivery, event.DeliverySubject(event.ChannelWhatsApp))
	h.a.HandleEvent(&events.Receipt{MessageSource: types.MessageSource{Chat: pn(citizen), Sender: pn(citizen)},
		MessageIDs: []types.MessageID{"M1"}, Timestamp: time.Now(), Type: types.ReceiptTypeRead})
	// Receipts from our own other devices are no delivery news.
	h.a.HandleEvent(&events.Receipt{MessageSource: types.MessageSource{Chat: pn(citizen), Sender: pn(ourNumber), IsFromMe: true},
		MessageIDs: []types.MessageID{"X1"}, Timestamp: time.Now(), Type: types.ReceiptTypeSender})
	d := deliveries.delivery(5 * time.Second)
	if d.OutboundID != "" || d.ExternalID != "M1" || d.Status != event.DeliveryRead {
		t.Fatalf("delivery %+v", d)
	}
	deliveries.none(200 * time.Millisecond)
}
