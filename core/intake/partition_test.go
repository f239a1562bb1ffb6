package intake

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/store"
)

// TestParallelIntakeKeepsEachReportersOrder: two core processes share the
// partitions; many reporters each send three messages, published
// interleaved. Every message is stored once, with one reply, and each
// reporter's messages are stored in the order they were sent. Then one core
// stops, and the other takes every later message.
func TestParallelIntakeKeepsEachReportersOrder(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	var handled [2]atomic.Int32
	stops := make([]context.CancelFunc, 2)
	for i := range 2 {
		svc := New(h.st, h.svc.dialog, Options{Now: h.svc.now})
		svc.afterCommit = func(*event.Inbound) { handled[i].Add(1) }
		stops[i] = h.startStoppable(svc)
	}
	const reporters = 30
	script := []string{
		"Bantuan PKH keluarga saya belum cair sejak bulan lalu",
		"Nama: Siti Aminah",
		"Alamat: Jl. Merdeka 7, Sungailiat",
	}
	var sent [][]*event.Inbound
	publishRound := func(prefix string, texts []string) {
		round := make([][]*event.Inbound, reporters)
		for _, text := range texts {
			for r := range reporters {
				m := wa(fmt.Sprintf("62812%s%05d", prefix, r), text)
				round[r] = append(round[r], m)
				if _, err := h.bus.PublishEvent(ctx, m, m.Subject(), m.MsgID()); err != nil {
					t.Fatal(err)
				}
			}
		}
		sent = append(sent, round...)
	}
	total := func() int { return int(handled[0].Load() + handled[1].Load()) }

	publishRound("1", script)
	eventually(t, 60*time.Second, "first round handled", func() bool { return total() == reporters*len(script) })

	stops[0]()
	before := handled[0].Load()
	publishRound("2", script[:1])
	eventually(t, 60*time.Second, "second round handled by the survivor", func() bool {
		return total() == reporters*(len(script)+1)
	})
	if handled[0].Load() != before {
		t.Errorf("the stopped core handled %d messages", handled[0].Load()-before)
	}

	for _, msgs := range sent {
		var last store.MessageID
		for i, m := range msgs {
			stored, err := h.st.InboundByExternalID(ctx, m.Channel, m.Account, m.ExternalID)
			if err != nil {
				t.Fatalf("message %d of %s: %v", i, m.ConversationKey, err)
			}
			if stored.ID <= last {
				t.Errorf("reporter %s: message %d stored before the one sent ahead of it", m.ConversationKey, i)
			}
			last = stored.ID
			if replies, _ := h.st.RepliesTo(ctx, stored.ID); len(replies) != 1 {
				t.Errorf("reporter %s message %d: %d replies, want 1", m.ConversationKey, i, len(replies))
			}
		}
	}
	eventually(t, 10*time.Second, "intake caught up", func() bool {
		lag, err := h.bus.Lag(ctx, bus.StreamInbound, ConsumerName)
		return err == nil && lag == 0
	})
}

// TestPoisonMessageInABatch: a message that keeps failing (an edit of a
// message never stored) waits in INBOUND with a reporter's other messages.
// They are committed; it alone is dead-lettered.
func TestPoisonMessageInABatch(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	const from = "6281234500077"
	poison := wa(from, "ralat")
	poison.EditOf = "WA-NEVER-STORED"
	msgs := []*event.Inbound{
		wa(from, "Bantuan PKH keluarga saya belum cair sejak bulan lalu"),
		poison,
		wa(from, "Nama: Siti Aminah"),
		wa(from, "Alamat: Jl. Merdeka 7, Sungailiat"),
	}
	dl, err := h.bus.Conn().SubscribeSync(bus.DeadLetterSubject(bus.StreamInbound, ConsumerName))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if _, err := h.bus.PublishEvent(ctx, m, m.Subject(), m.MsgID()); err != nil {
			t.Fatal(err)
		}
	}
	h.start(h.svc) // the four wait together: one batch
	dead, err := dl.NextMsg(60 * time.Second)
	if err != nil {
		t.Fatalf("poison message not dead-lettered: %v", err)
	}
	var got event.Inbound
	if err := event.Unmarshal(dead.Data, &got); err != nil || got.ExternalID != poison.ExternalID {
		t.Fatalf("dead letter %s (err %v), want the poison message", got.ExternalID, err)
	}
	for _, m := range []*event.Inbound{msgs[0], msgs[2], msgs[3]} {
		if _, err := h.st.InboundByExternalID(ctx, m.Channel, m.Account, m.ExternalID); err != nil {
			t.Errorf("message %q not stored: %v", m.Text, err)
		}
	}
}
