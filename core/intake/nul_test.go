package intake

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/store"
)

// TestNULByteMessageStoredAndAnswered: PostgreSQL refuses a NUL byte in
// text, so a Messenger message or profile name carrying one used to fail
// every retry and reach the dead letters unanswered. Text is cleaned at the
// event boundary, whether the event was built by an adapter or arrives
// already encoded.
func TestNULByteMessageStoredAndAnswered(t *testing.T) {
	h := newHarness(t)
	h.start(h.svc)
	ctx := context.Background()
	messenger := func(psid, text, name string) *event.Inbound {
		return &event.Inbound{
			ID: event.NewID(), Channel: event.ChannelMessenger, Account: "102030405060",
			ExternalID: "m_" + event.NewID(), ConversationKey: psid,
			Sender: event.Sender{ID: psid, Name: name}, Text: text, ReceivedAt: time.Now(),
		}
	}
	tests := []struct {
		name    string
		publish func(m *event.Inbound)
	}{
		{"built by an adapter", func(m *event.Inbound) {
			if _, err := h.bus.PublishEvent(ctx, m, m.Subject(), m.MsgID()); err != nil {
				t.Fatal(err)
			}
		}},
		{"already encoded", func(m *event.Inbound) {
			// As an adapter without the cleaning would have written it.
			data := `{"schema":"aduan.inbound.v1","id":"` + m.ID + `","channel":"messenger","account":"102030405060",` +
				`"external_id":"` + m.ExternalID + `","conversation_key":"` + m.ConversationKey + `",` +
				`"sender":{"id":"` + m.Sender.ID + `","name":"Bu\u0000di"},"text":"Halo\u0000 bantuan PKH saya belum cair\u0000",` +
				`"received_at":"2026-11-27T09:00:00Z"}`
			if _, err := h.bus.Publish(ctx, m.Subject(), m.MsgID(), []byte(data)); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			psid := "2450000000000" + string(rune('1'+i))
			m := messenger(psid, "Halo\x00 bantuan PKH saya belum cair\x00", "Bu\x00di")
			tt.publish(m)
			var stored *store.Message
			eventually(t, 10*time.Second, "message with a NUL stored", func() bool {
				var err error
				stored, err = h.st.InboundByExternalID(ctx, "messenger", m.Account, m.ExternalID)
				return err == nil
			})
			if stored.Text != "Halo bantuan PKH saya belum cair" {
				t.Errorf("stored text %q", stored.Text)
			}
			replies, err := h.st.RepliesTo(ctx, stored.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(replies) == 0 || strings.ContainsRune(replies[0].Text, 0) {
				t.Fatalf("replies %+v, want an answer", replies)
			}
		})
	}
}
