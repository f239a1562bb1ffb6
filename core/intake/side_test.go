package intake

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/store"
)

func TestEchoEditUnsend(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	const from = "6281234500010"
	orig := wa(from, "bantuan BPNT saya belum cair sejak Juli")
	if _, err := h.svc.Handle(ctx, orig); err != nil {
		t.Fatal(err)
	}
	key := store.ConversationKey{Channel: "whatsapp", Account: orig.Account, Key: from}
	view, err := h.st.FindConversation(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	outBefore, _ := h.st.CountMessages(ctx, view.ID, "out")

	// An echo of a message the office sent from its phone: stored once as
	// outgoing, no dialog reply.
	echo := wa(from, "Baik bu, kami cek dulu ya")
	echo.Echo = true
	for range 2 {
		res, err := h.svc.Handle(ctx, echo)
		if err != nil || len(res.Replies) != 0 {
			t.Fatalf("echo: %+v, %v", res, err)
		}
	}
	if out, _ := h.st.CountMessages(ctx, view.ID, "out"); out != outBefore+1 {
		t.Fatalf("outgoing messages %d after echo, want %d", out, outBefore+1)
	}
	if in, _ := h.st.CountMessages(ctx, view.ID, "in"); in != 1 {
		t.Fatalf("echo stored as inbound: %d inbound messages", in)
	}

	edit := wa(from, "bantuan BPNT saya belum cair sejak Juni")
	edit.EditOf = orig.ExternalID
	if res, err := h.svc.Handle(ctx, edit); err != nil || len(res.Replies) != 0 || res.ConversationID != int64(view.ID) {
		t.Fatalf("edit: %+v, %v", res, err)
	}
	got, err := h.st.InboundByExternalID(ctx, "whatsapp", orig.Account, orig.ExternalID)
	if err != nil || got.Text != edit.Text {
		t.Fatalf("edited message text %q (err %v)", got.Text, err)
	}

	unsend := wa(from, "")
	unsend.UnsendOf = orig.ExternalID
	if _, err := h.svc.Handle(ctx, unsend); err != nil {
		t.Fatal(err)
	}

	early := wa(from, "koreksi")
	early.EditOf = "not-stored-yet"
	if _, err := h.svc.Handle(ctx, early); !errors.Is(err, ErrNotYet) {
		t.Fatalf("edit of an unknown message: err = %v, want ErrNotYet", err)
	}
}

func TestDeliveryAndRejectedConsumers(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	changed, err := h.bus.Conn().SubscribeSync(event.SubjectInboxChanged)
	if err != nil {
		t.Fatal(err)
	}
	defer changed.Unsubscribe() // unread notices would hold up the bus's drain
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{}, 3)
	for _, run := range []func(context.Context) error{
		func(ctx context.Context) error { return h.svc.Run(ctx, h.bus, busSpecFast()) },
		func(ctx context.Context) error { return h.svc.RunDelivery(ctx, h.bus) },
		func(ctx context.Context) error { return h.svc.RunRejected(ctx, h.bus) },
	} {
		go func() {
			if err := run(runCtx); err != nil {
				t.Error(err)
			}
			done <- struct{}{}
		}()
	}
	t.Cleanup(func() {
		cancel()
		for range 3 {
			<-done
		}
	})

	m := wa("6281234500011", "Lansia di desa kami tidak pernah dapat bantuan")
	h.send(m)
	msg, err := changed.NextMsg(5 * time.Second)
	if err != nil {
		t.Fatalf("no inbox notice after a message: %v", err)
	}
	var ch event.InboxChange
	if err := json.Unmarshal(msg.Data, &ch); err != nil || ch.ConversationID == 0 || ch.What != "message" {
		t.Fatalf("inbox notice %s (%v)", msg.Data, err)
	}

	// The reply's outbound event carries the citizen's last message time.
	stored, _ := h.st.InboundByExternalID(ctx, "whatsapp", m.Account, m.ExternalID)
	replies, _ := h.st.RepliesTo(ctx, stored.ID)
	if len(replies) != 1 {
		t.Fatalf("%d replies", len(replies))
	}
	outID := replies[0].EventID

	report := func(status event.DeliveryStatus, reason string) {
		d := &event.Delivery{ID: event.NewID(), OutboundID: outID, Channel: event.ChannelWhatsApp,
			Account: m.Account, ExternalID: "WAMID-1", Status: status, Reason: reason, At: time.Now()}
		if _, err := h.bus.PublishEvent(ctx, d, d.Subject(), d.ID); err != nil {
			t.Fatal(err)
		}
	}
	waitStatus := func(want event.DeliveryStatus) store.MessageDelivery {
		var d store.MessageDelivery
		eventually(t, 5*time.Second, "delivery "+string(want), func() bool {
			d, _ = h.st.DeliveryOf(ctx, outID)
			return d.Status == want
		})
		return d
	}
	report(event.DeliverySent, "")
	if d := waitStatus("sent"); d.PlatformID != "WAMID-1" {
		t.Fatalf("platform id %q", d.PlatformID)
	}
	report(event.DeliveryRead, "")
	waitStatus("read")
	// Late reports never move a message backwards.
	report(event.DeliveryDelivered, "")
	report(event.DeliveryFailed, "late failure")
	marker := &event.Delivery{ID: event.NewID(), OutboundID: "unknown", Channel: event.ChannelWhatsApp, Status: event.DeliverySent, At: time.Now()}
	if _, err := h.bus.PublishEvent(ctx, marker, marker.Subject(), marker.ID); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "delivery consumer caught up", func() bool {
		lag, err := h.bus.Lag(ctx, "DELIVERY", DeliveryConsumer)
		return err == nil && lag == 0
	})
	if d, _ := h.st.DeliveryOf(ctx, outID); d.Status != "read" {
		t.Fatalf("status after late reports = %q, want read", d.Status)
	}

	r := &event.Rejected{ID: event.NewID(), Channel: event.ChannelMessenger, Source: "webhook /webhooks/meta",
		Reason: "unknown object", ContentType: "application/json", Body: []byte(`{"object":"user"}`), ReceivedAt: time.Now()}
	for range 2 {
		if _, err := h.bus.PublishEvent(ctx, r, r.Subject(), event.NewID()); err != nil {
			t.Fatal(err)
		}
	}
	// Stored, and both copies handled: the row is waited for too, since a
	// copy can sit between deliveries (a retry after a slow commit) while
	// the consumer reports nothing pending.
	eventually(t, 10*time.Second, "rejected input stored", func() bool {
		lag, err := h.bus.Lag(ctx, "REJECTED", RejectedConsumer)
		rows, _ := h.st.RecentRejected(ctx, 10)
		return err == nil && lag == 0 && len(rows) > 0
	})
	kept, err := h.st.RecentRejected(ctx, 10)
	if err != nil || len(kept) != 1 || string(kept[0].Body) != `{"object":"user"}` || kept[0].Reason != "unknown object" {
		t.Fatalf("rejected inputs %+v (err %v)", kept, err)
	}

	// A body too large for one NATS message travels through the object
	// store; the consumer reads it back and stores it whole.
	big := bytes.Repeat([]byte(`{"object":"page"}`), 60_000)
	r = &event.Rejected{ID: event.NewID(), Channel: event.ChannelMessenger, Source: "webhook /webhooks/meta",
		Reason: "entry[0]: no id", ContentType: "application/json", Body: big, ReceivedAt: time.Now()}
	if err := h.bus.PublishRejected(ctx, r, event.NewID()); err != nil {
		t.Fatal(err)
	}
	if r.BodyKey == "" {
		t.Fatal("a 1 MB body published inside the event")
	}
	eventually(t, 10*time.Second, "large rejected input stored", func() bool {
		lag, err := h.bus.Lag(ctx, "REJECTED", RejectedConsumer)
		rows, _ := h.st.RecentRejected(ctx, 10)
		return err == nil && lag == 0 && len(rows) > 1
	})
	kept, err = h.st.RecentRejected(ctx, 10)
	if err != nil || len(kept) != 2 || !bytes.Equal(kept[0].Body, big) {
		t.Fatalf("large rejected input not stored whole (%d kept, err %v)", len(kept), err)
	}
	// Its copy in the object store would outlive the row's retention.
	if _, _, err := h.bus.GetAttachment(ctx, r.BodyKey); !errors.Is(err, bus.ErrAttachmentNotFound) {
		t.Errorf("the rejected body's copy is still in the object store: %v", err)
	}
}
