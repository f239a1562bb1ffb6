package bus_test

import (
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/bus/bustest"
	"github.com/aduan-gateway/aduan/core/event"
)

// TestHealthWriterKeepsAnotherProcessState: routine news stamps its times
// on the record another process wrote and keeps its state; a reply that
// went out ends "needs attention".
func TestHealthWriterKeepsAnotherProcessState(t *testing.T) {
	ctx := t.Context()
	b := bustest.New(t)
	if err := b.SetHealth(ctx, event.Health{Channel: event.ChannelMessenger, Account: "1001",
		State: event.HealthNeedsAttention, Detail: "token kedaluwarsa"}); err != nil {
		t.Fatal(err)
	}
	w := b.NewHealthWriter(zerolog.Nop())
	in := time.Date(2026, 11, 30, 1, 0, 0, 0, time.UTC)
	w.Received(event.ChannelMessenger, "1001", in)
	var h event.Health
	bustest.Eventually(t, 5*time.Second, func() bool {
		h, _, _ = b.Health(ctx, event.ChannelMessenger, "1001")
		return h.LastInboundAt.Equal(in)
	})
	if h.State != event.HealthNeedsAttention || h.Detail != "token kedaluwarsa" {
		t.Fatalf("health %+v: the other process's state was undone", h)
	}

	// A later Set (here: the sender's) writes at once and keeps the news.
	out := in.Add(time.Minute)
	w.Sent(event.ChannelMessenger, "1001", out)
	w.Set(ctx, event.ChannelMessenger, "1001", func(h *event.Health) { h.Extra = map[string]string{"k": "v"} })
	h, _, _ = b.Health(ctx, event.ChannelMessenger, "1001")
	if !h.LastOutboundAt.Equal(out) || h.State != event.HealthOK || h.Detail != "" || h.Extra["k"] != "v" || !h.LastInboundAt.Equal(in) {
		t.Fatalf("health %+v; want sent time, OK after a reply went out, extra set, inbound kept", h)
	}
}

// TestHealthWriterThrottles: after a write, further routine news waits for
// the next one instead of writing per message.
func TestHealthWriterThrottles(t *testing.T) {
	ctx := t.Context()
	b := bustest.New(t)
	w := b.NewHealthWriter(zerolog.Nop())
	bus.SetHealthEvery(w, time.Hour)
	first := time.Date(2026, 11, 30, 1, 0, 0, 0, time.UTC)
	w.Received(event.ChannelWhatsApp, "62811", first)
	bustest.Eventually(t, 5*time.Second, func() bool {
		h, _, _ := b.Health(ctx, event.ChannelWhatsApp, "62811")
		return h.LastInboundAt.Equal(first)
	})
	for i := 1; i <= 100; i++ {
		w.Received(event.ChannelWhatsApp, "62811", first.Add(time.Duration(i)*time.Second))
	}
	if h, _, _ := b.Health(ctx, event.ChannelWhatsApp, "62811"); !h.LastInboundAt.Equal(first) {
		t.Fatalf("last inbound %v written within the hour; want the first %v kept until the next write", h.LastInboundAt, first)
	}
	w.Set(ctx, event.ChannelWhatsApp, "62811", func(h *event.Health) { h.State = event.HealthDown })
	h, _, _ := b.Health(ctx, event.ChannelWhatsApp, "62811")
	if want := first.Add(100 * time.Second); !h.LastInboundAt.Equal(want) || h.State != event.HealthDown {
		t.Fatalf("health %+v; want the latest inbound %v folded into the state change", h, want)
	}
	// News noted before Forget leaves a write scheduled; when it runs, the
	// forgotten account must not come back.
	w.Received(event.ChannelWhatsApp, "62811", first.Add(time.Hour))
	w.Forget(ctx, event.ChannelWhatsApp, "62811")
	if _, ok, _ := b.Health(ctx, event.ChannelWhatsApp, "62811"); ok {
		t.Fatal("forgotten account still recorded")
	}
	bus.FlushHealth(w, event.ChannelWhatsApp, "62811")
	if h, ok, _ := b.Health(ctx, event.ChannelWhatsApp, "62811"); ok {
		t.Fatalf("forgotten account recorded again by a scheduled write: %+v", h)
	}
}
