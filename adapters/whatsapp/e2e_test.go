package whatsapp

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/bus/bustest"
	"github.com/aduan-gateway/aduan/core/dialog"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/intake"
	"github.com/aduan-gateway/aduan/store"
	"github.com/aduan-gateway/aduan/store/pgtest"
)

// TestEndToEnd: a citizen's WhatsApp message with a full identity but no
// KTP photo goes through the real bus and core (PostgreSQL), and the reply
// asking for the KTP photo reaches WhatsApp (the fake client), whose
// receipts then mark it delivered and read in the store.
func TestEndToEnd(t *testing.T) {
	ctx := context.Background()
	h, st := withCore(t)
	text := "Nama: Siti Aminah\nNIK: 1971015708900003\nAlamat: Jl. Depati Amir No. 12, Pangkalpinang\n" +
		"Bantuan PKH ibu saya sudah 3 bulan tidak cair."
	if !h.a.HandleEvent(incoming("3EB0E2E0001", pn(citizen), &waE2E.Message{Conversation: proto.String(text)})) {
		t.Fatal("handler refused the message")
	}
	var reply sentMessage
	bustest.Eventually(t, 20*time.Second, func() bool {
		sent := h.fake.sentMessages()
		if len(sent) > 0 {
			reply = sent[0]
		}
		return len(sent) > 0
	})
	if reply.To != pn(citizen) || !strings.Contains(reply.Text, "foto KTP") {
		t.Fatalf("reply to %s: %q", reply.To, reply.Text)
	}
	if strings.Contains(reply.Text, "1971015708900003") {
		t.Fatal("reply repeats the NIK")
	}

	// The phone reports the reply read; the core records it on the message.
	deliveries := newReader(t, h.b, bus.StreamDelivery, event.DeliverySubject(event.ChannelWhatsApp))
	sent := deliveries.delivery(5 * time.Second)
	if sent.Status != event.DeliverySent || sent.ExternalID != reply.ID {
		t.Fatalf("delivery %+v", sent)
	}
	h.a.HandleEvent(&events.Receipt{MessageSource: types.MessageSource{Chat: pn(citizen), Sender: pn(citizen)},
		MessageIDs: []types.MessageID{reply.ID}, Timestamp: time.Now(), Type: types.ReceiptTypeRead})
	bustest.Eventually(t, 10*time.Second, func() bool {
		d, err := st.DeliveryOf(ctx, sent.OutboundID)
		return err == nil && d.Status == event.DeliveryRead && d.PlatformID == reply.ID
	})
	if !contains(h.fake.readIDs(), "3EB0E2E0001") {
		t.Fatal("the citizen's message was not marked read")
	}
}

// withCore is the adapter, receiving and sending, in front of the real bus
// and core over PostgreSQL.
func withCore(t *testing.T) (*harness, *store.Store) {
	t.Helper()
	st, err := store.Open(context.Background(), pgtest.URL(t), bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	tpl, err := dialog.LoadTemplates("")
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, testConfig(), true)
	svc := intake.New(st, dialog.New(tpl, nil), intake.Options{Log: zerolog.Nop()})
	h.run(func(ctx context.Context) error { return svc.Run(ctx, h.b, bus.ConsumerSpec{}) })
	h.run(func(ctx context.Context) error { return svc.RunDelivery(ctx, h.b) })
	h.run(h.a.RunFetcher)
	h.run(h.a.RunSender)
	return h, st
}

// TestLIDMoveEndToEnd: a citizen starts a report from their phone number's
// chat and goes on from the LID chat (WhatsApp sends the number along as
// SenderAlt). The core continues the same conversation, so the reply to the
// LID chat asks only for what is still missing, and the report has one
// conversation.
func TestLIDMoveEndToEnd(t *testing.T) {
	ctx := context.Background()
	h, st := withCore(t)
	replies := func(n int) []sentMessage {
		t.Helper()
		var sent []sentMessage
		bustest.Eventually(t, 20*time.Second, func() bool {
			sent = h.fake.sentMessages()
			return len(sent) >= n
		})
		return sent
	}
	if !h.a.HandleEvent(incoming("3EB0E2E0101", pn(citizen), &waE2E.Message{Conversation: proto.String("Bantuan PKH ibu saya sudah 3 bulan tidak cair.")})) {
		t.Fatal("handler refused the phone chat's message")
	}
	replies(1)
	moved := incoming("3EB0E2E0102", lid(citizenLID), &waE2E.Message{Conversation: proto.String(
		"Nama: Siti Aminah\nNIK: 1971015708900003\nAlamat: Jl. Depati Amir No. 12, Pangkalpinang")})
	moved.Info.SenderAlt = pn(citizen)
	if !h.a.HandleEvent(moved) {
		t.Fatal("handler refused the LID chat's message")
	}
	second := replies(2)[1]
	if second.To != lid(citizenLID) || !strings.Contains(second.Text, "foto KTP") ||
		strings.Contains(second.Text, "isi pengaduan") || strings.Contains(second.Text, "Terima kasih telah menghubungi") {
		t.Fatalf("reply to the LID chat, to %s: %q; want only the KTP photo asked for, without a new greeting", second.To, second.Text)
	}
	conv, err := st.FindConversation(ctx, store.ConversationKey{Channel: "whatsapp", Account: ourNumber, Key: citizen})
	if err != nil {
		t.Fatal(err)
	}
	if conv.Reporter.Name != "Siti Aminah" || !strings.Contains(conv.Draft, "tidak cair") {
		t.Errorf("the phone chat's conversation: reporter %q, draft %q; want the LID message's identity and the first message's complaint", conv.Reporter.Name, conv.Draft)
	}
	if _, err := st.FindConversation(ctx, store.ConversationKey{Channel: "whatsapp", Account: ourNumber, Key: citizenLID}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the LID chat has a conversation of its own: %v", err)
	}
}
