package channel_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/adapters/channel"
	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/bus/bustest"
	"github.com/aduan-gateway/aduan/core/event"
)

// fakeSend answers each reply's sends from a script, keyed by the reply's
// text, and counts the calls.
type fakeSend struct {
	mu     sync.Mutex
	script map[string][]error
	calls  map[string]int
}

func (f *fakeSend) send(_ context.Context, out *event.Outbound) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := f.calls[out.Text]
	f.calls[out.Text]++
	if errs := f.script[out.Text]; n < len(errs) && errs[n] != nil {
		return "", errs[n]
	}
	return "mid-" + out.Text, nil
}

func (f *fakeSend) count(text string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[text]
}

// TestRun: the runner reports every outcome once as a delivery event, with
// the send error's reason and retryability; it retries only what is
// retryable and does not need an administrator, and marks the account's
// health for what does.
func TestRun(t *testing.T) {
	b := bustest.New(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	busy := &bus.SendError{Reason: "the platform is busy", Retryable: true, Err: errors.New("503")}
	plain := errors.New("sent store unreachable")
	f := &fakeSend{calls: map[string]int{}, script: map[string][]error{
		"ok":          nil,
		"busy-once":   {busy},
		"busy-always": {busy, busy, busy, busy, busy},
		"token":       {&bus.SendError{Reason: "the token expired", Retryable: true, NeedsAdmin: true}},
		"refused":     {&bus.SendError{Reason: "outside the reply window"}},
		"plain-error": {plain, plain, plain},
	}}
	const attempts = 3
	done := make(chan error, 1)
	go func() {
		done <- channel.Run(ctx, b, channel.Config{
			Durable: "test-sender", Channels: []event.Channel{event.ChannelMessenger},
			Attempts: attempts, Backoff: []time.Duration{10 * time.Millisecond},
			Send: f.send, Health: b.NewHealthWriter(bustest.Logger(t)), Log: bustest.Logger(t),
		})
	}()

	var mu sync.Mutex
	got := map[string]*event.Delivery{} // by outbound id
	c, err := b.Consume(ctx, bus.ConsumerSpec{Stream: bus.StreamDelivery, Durable: "test-deliveries"},
		func(_ context.Context, m *bus.Msg) error {
			var d event.Delivery
			if err := event.Unmarshal(m.Data, &d); err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			if got[d.OutboundID] != nil {
				t.Errorf("second report for %s: %+v", d.OutboundID, d)
			}
			got[d.OutboundID] = &d
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()

	ids := map[string]string{} // text -> outbound id
	for text := range f.script {
		out := &event.Outbound{ID: event.NewID(), Channel: event.ChannelMessenger, Account: "1001",
			ConversationKey: "c1", Recipient: "p1", Text: text, Origin: event.OriginBot, CreatedAt: time.Now()}
		ids[text] = out.ID
		if _, err := b.PublishEvent(ctx, out, out.Subject(), out.ID); err != nil {
			t.Fatal(err)
		}
	}
	bustest.Eventually(t, 30*time.Second, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got) == len(f.script)
	})

	tests := []struct {
		text      string
		status    event.DeliveryStatus
		reason    string
		retryable bool
		calls     int
	}{
		{"ok", event.DeliverySent, "", false, 1},
		{"busy-once", event.DeliverySent, "", false, 2},
		{"busy-always", event.DeliveryFailed, "the platform is busy", true, attempts},
		{"token", event.DeliveryFailed, "the token expired", true, 1},
		{"refused", event.DeliveryFailed, "outside the reply window", false, 1},
		{"plain-error", event.DeliveryFailed, "could not record the reply's progress", true, attempts},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			mu.Lock()
			d := got[ids[tt.text]]
			mu.Unlock()
			if d.Status != tt.status || d.Reason != tt.reason || d.Retryable != tt.retryable {
				t.Errorf("report %+v; want %s, reason %q, retryable %v", d, tt.status, tt.reason, tt.retryable)
			}
			if d.Status == event.DeliverySent && d.ExternalID != "mid-"+tt.text {
				t.Errorf("external id %q, want the platform's", d.ExternalID)
			}
			if n := f.count(tt.text); n != tt.calls {
				t.Errorf("%d sends, want %d", n, tt.calls)
			}
		})
	}
	h, ok, err := b.Health(ctx, event.ChannelMessenger, "1001")
	if err != nil || !ok || h.LastError == "" {
		t.Fatalf("health %+v (%v, %v); want the token failure recorded", h, ok, err)
	}

	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
