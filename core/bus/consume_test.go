package bus_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/bus/bustest"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

const wait = 5 * time.Second

// recorder is a handler that remembers what it saw and answers with the
// next of its results (nil once they run out).
type recorder struct {
	mu      sync.Mutex
	results []error
	msgs    []bus.Msg
	at      []time.Time
}

func (r *recorder) handle(_ context.Context, m *bus.Msg) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, *m)
	r.at = append(r.at, time.Now())
	if len(r.results) == 0 {
		return nil
	}
	err := r.results[0]
	r.results = r.results[1:]
	return err
}

func (r *recorder) calls() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.msgs)
}

func consume(t *testing.T, b *bus.Bus, spec bus.ConsumerSpec, h bus.Handler) *bus.Consumer {
	t.Helper()
	c, err := b.Consume(t.Context(), spec, h)
	if err != nil {
		t.Fatalf("consume: %v", err)
	}
	t.Cleanup(c.Stop)
	return c
}

func lag(t *testing.T, b *bus.Bus, stream, durable string) uint64 {
	t.Helper()
	n, err := b.Lag(t.Context(), stream, durable)
	if err != nil {
		t.Fatalf("lag: %v", err)
	}
	return n
}

// deadLetter returns the dead letter of stream/durable, or nil if none yet.
func deadLetter(t *testing.T, b *bus.Bus, stream, durable string) *jetstream.RawStreamMsg {
	t.Helper()
	s, err := b.JetStream().Stream(t.Context(), bus.StreamDeadLetter)
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.GetLastMsgForSubject(t.Context(), bus.DeadLetterSubject(stream, durable))
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func fastSpec(durable string) bus.ConsumerSpec {
	return bus.ConsumerSpec{
		Stream:     bus.StreamInbound,
		Durable:    durable,
		MaxDeliver: 3,
		Backoff:    []time.Duration{50 * time.Millisecond, 100 * time.Millisecond},
	}
}

func TestConsumeAcks(t *testing.T) {
	t.Parallel()
	b := bustest.New(t)
	hdr := nats.Header{"Aduan-Trace": []string{"t1"}}
	if _, err := b.Publish(t.Context(), "aduan.inbound.walkin", "walkin:desk:1", []byte("data"), hdr); err != nil {
		t.Fatal(err)
	}
	spec := fastSpec("intake")
	spec.FilterSubjects = []string{"aduan.inbound.walkin"}
	var r recorder
	consume(t, b, spec, r.handle)

	bustest.Eventually(t, wait, func() bool { return r.calls() == 1 && lag(t, b, bus.StreamInbound, "intake") == 0 })
	m := r.msgs[0]
	if m.Subject != "aduan.inbound.walkin" || string(m.Data) != "data" || m.NumDelivered != 1 || m.StreamSeq != 1 ||
		m.Headers.Get("Aduan-Trace") != "t1" || m.Timestamp.IsZero() || m.Raw == nil {
		t.Errorf("unexpected message %+v", m)
	}
}

func TestConsumeRetriesWithBackoff(t *testing.T) {
	t.Parallel()
	b := bustest.New(t)
	publish(t, b, "aduan.inbound.whatsapp", "1", "x")
	r := recorder{results: []error{errors.New("db down"), errors.New("db down")}}
	consume(t, b, fastSpec("retry"), r.handle)

	bustest.Eventually(t, wait, func() bool { return r.calls() == 3 && lag(t, b, bus.StreamInbound, "retry") == 0 })
	for i, want := range []time.Duration{50 * time.Millisecond, 100 * time.Millisecond} {
		if got := r.at[i+1].Sub(r.at[i]); got < want {
			t.Errorf("delivery %d came %v after the previous, want at least %v", i+2, got, want)
		}
		if n := r.msgs[i+1].NumDelivered; n != uint64(i+2) {
			t.Errorf("delivery %d has NumDelivered %d", i+2, n)
		}
	}
	if deadLetter(t, b, bus.StreamInbound, "retry") != nil {
		t.Error("a message that finally succeeded was dead-lettered")
	}
}

func TestConsumeDeadLettersAfterMaxDeliver(t *testing.T) {
	t.Parallel()
	b := bustest.New(t)
	hdr := nats.Header{"Aduan-Trace": []string{"t1"}}
	if _, err := b.Publish(t.Context(), "aduan.inbound.instagram", "ig:1:m1", []byte("x"), hdr); err != nil {
		t.Fatal(err)
	}
	fail := errors.New("always\nfails")
	r := recorder{results: []error{fail, fail, fail, fail, fail}}
	consume(t, b, fastSpec("exhaust"), r.handle)

	var dl *jetstream.RawStreamMsg
	bustest.Eventually(t, wait, func() bool {
		dl = deadLetter(t, b, bus.StreamInbound, "exhaust")
		return dl != nil && lag(t, b, bus.StreamInbound, "exhaust") == 0
	})
	if r.calls() != 3 {
		t.Errorf("handler ran %d times, want 3", r.calls())
	}
	want := map[string]string{
		bus.HeaderError:      "always fails",
		bus.HeaderSubject:    "aduan.inbound.instagram",
		bus.HeaderStreamSeq:  "1",
		bus.HeaderDeliveries: "3",
		bus.HeaderMsgID:      "ig:1:m1",
		"Aduan-Trace":        "t1",
	}
	for k, v := range want {
		if got := dl.Header.Get(k); got != v {
			t.Errorf("dead letter header %s = %q, want %q", k, got, v)
		}
	}
	if string(dl.Data) != "x" {
		t.Errorf("dead letter data %q", dl.Data)
	}
	// Terminated: the server has nothing left to redeliver.
	cons, err := b.JetStream().Consumer(t.Context(), bus.StreamInbound, "exhaust")
	if err != nil {
		t.Fatal(err)
	}
	if info := cons.CachedInfo(); info.NumAckPending != 0 || info.NumRedelivered != 0 || info.AckFloor.Stream != 1 {
		t.Errorf("consumer still holds the message: %+v", info)
	}
}

func TestConsumePermanentErrorDeadLettersAtOnce(t *testing.T) {
	t.Parallel()
	b := bustest.New(t)
	publish(t, b, "aduan.inbound.messenger", "1", "x")
	r := recorder{results: []error{bus.Permanent(errors.New("malformed event"))}}
	consume(t, b, fastSpec("perm"), r.handle)

	var dl *jetstream.RawStreamMsg
	bustest.Eventually(t, wait, func() bool {
		dl = deadLetter(t, b, bus.StreamInbound, "perm")
		return dl != nil && lag(t, b, bus.StreamInbound, "perm") == 0
	})
	if r.calls() != 1 || dl.Header.Get(bus.HeaderDeliveries) != "1" || dl.Header.Get(bus.HeaderError) != "malformed event" {
		t.Errorf("calls %d, headers %v", r.calls(), dl.Header)
	}
}

func TestConsumePanicIsAFailure(t *testing.T) {
	t.Parallel()
	b := bustest.New(t)
	publish(t, b, "aduan.inbound.messenger", "1", "x")
	spec := fastSpec("panic")
	spec.MaxDeliver = 1
	consume(t, b, spec, func(context.Context, *bus.Msg) error { panic("nil map") })

	var dl *jetstream.RawStreamMsg
	bustest.Eventually(t, wait, func() bool { dl = deadLetter(t, b, bus.StreamInbound, "panic"); return dl != nil })
	if got := dl.Header.Get(bus.HeaderError); got != "handler panic: nil map" {
		t.Errorf("error header %q", got)
	}
}

// A process that dies during the last allowed delivery never answers it;
// the extra delivery dead-letters the message instead of dropping it.
func TestConsumeDeadLettersUnansweredLastDelivery(t *testing.T) {
	t.Parallel()
	server := bustest.New(t)
	doomed := bustest.Open(t, server.ClientConfig())
	spec := fastSpec("crash")
	spec.MaxDeliver = 1
	spec.AckWait = 300 * time.Millisecond

	started, release := make(chan struct{}), make(chan struct{})
	consume(t, doomed, spec, func(context.Context, *bus.Msg) error {
		close(started)
		<-release
		return nil
	})
	publish(t, server, "aduan.inbound.whatsapp", "1", "x")
	<-started
	doomed.Conn().Close() // the process dies mid-handler
	close(release)

	var r recorder
	consume(t, server, spec, r.handle)
	var dl *jetstream.RawStreamMsg
	bustest.Eventually(t, wait, func() bool { dl = deadLetter(t, server, bus.StreamInbound, "crash"); return dl != nil })
	if r.calls() != 0 {
		t.Errorf("handler ran %d times after the last allowed delivery", r.calls())
	}
	if dl.Header.Get(bus.HeaderDeliveries) != "2" || !strings.Contains(dl.Header.Get(bus.HeaderError), "never answered") {
		t.Errorf("dead letter headers %v", dl.Header)
	}
}

func TestConsumeKeepsSlowHandlerInProgress(t *testing.T) {
	t.Parallel()
	b := bustest.New(t)
	publish(t, b, "aduan.inbound.lapor", "1", "x")
	spec := fastSpec("slow")
	spec.AckWait = 300 * time.Millisecond
	var r recorder
	consume(t, b, spec, func(ctx context.Context, m *bus.Msg) error {
		select { // a slow upstream call
		case <-time.After(4 * spec.AckWait):
		case <-ctx.Done():
		}
		return r.handle(ctx, m)
	})

	bustest.Eventually(t, wait, func() bool { return lag(t, b, bus.StreamInbound, "slow") == 0 })
	if r.calls() != 1 {
		t.Fatalf("handler ran %d times, want 1", r.calls())
	}
	cons, err := b.JetStream().Consumer(t.Context(), bus.StreamInbound, "slow")
	if err != nil {
		t.Fatal(err)
	}
	if info := cons.CachedInfo(); info.Delivered.Consumer != 1 {
		t.Errorf("server delivered %d times, want 1", info.Delivered.Consumer)
	}
}

func TestConsumerStopWaitsForHandler(t *testing.T) {
	t.Parallel()
	b := bustest.New(t)
	publish(t, b, "aduan.inbound.walkin", "1", "x")
	started, release := make(chan struct{}), make(chan struct{})
	var finished bool
	c := consume(t, b, fastSpec("stop"), func(context.Context, *bus.Msg) error {
		close(started)
		<-release
		finished = true
		return nil
	})
	<-started
	stopped := make(chan struct{})
	go func() { c.Stop(); close(stopped) }()
	select {
	case <-stopped:
		t.Fatal("Stop returned while the handler was running")
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	<-stopped
	if !finished {
		t.Fatal("Stop returned before the handler finished")
	}
	if n := lag(t, b, bus.StreamInbound, "stop"); n != 0 {
		t.Errorf("lag %d after Stop, want 0: the finished message must be acked", n)
	}
}

func TestConsumeStopsWithContext(t *testing.T) {
	t.Parallel()
	b := bustest.New(t)
	ctx, cancel := context.WithCancel(t.Context())
	var r recorder
	c, err := b.Consume(ctx, fastSpec("ctx"), r.handle)
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	c.Stop() // returns only once the consumer has ended
	publish(t, b, "aduan.inbound.walkin", "1", "x")
	// The consumer's pending count catches up with the stream asynchronously.
	bustest.Eventually(t, 5*time.Second, func() bool { return lag(t, b, bus.StreamInbound, "ctx") == 1 })
	if r.calls() != 0 {
		t.Errorf("after cancel: %d handler calls, want 0", r.calls())
	}
}

func TestConsumeRejectsBadSpec(t *testing.T) {
	t.Parallel()
	b := bustest.New(t)
	ok := func(context.Context, *bus.Msg) error { return nil }
	tests := []struct {
		name string
		spec bus.ConsumerSpec
		h    bus.Handler
	}{
		{"no stream", bus.ConsumerSpec{Durable: "d"}, ok},
		{"no durable", bus.ConsumerSpec{Stream: bus.StreamInbound}, ok},
		{"negative max deliver", bus.ConsumerSpec{Stream: bus.StreamInbound, Durable: "d", MaxDeliver: -1}, ok},
		{"zero backoff", bus.ConsumerSpec{Stream: bus.StreamInbound, Durable: "d", Backoff: []time.Duration{0}}, ok},
		{"no handler", bus.ConsumerSpec{Stream: bus.StreamInbound, Durable: "d"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := b.Consume(t.Context(), tt.spec, tt.h); !errors.Is(err, bus.ErrInvalidConfig) {
				t.Fatalf("got %v, want ErrInvalidConfig", err)
			}
		})
	}
}

func TestConsumeSurvivesServerRestart(t *testing.T) {
	t.Parallel()
	cfg := bus.Config{Listen: "127.0.0.1:0", DataDir: t.TempDir()}
	server := bustest.Open(t, cfg)
	url := server.ClientURL()
	client := bustest.Open(t, server.ClientConfig())
	var r recorder
	consume(t, client, fastSpec("restart"), r.handle)
	publish(t, server, "aduan.inbound.walkin", "1", "x")
	bustest.Eventually(t, wait, func() bool { return r.calls() == 1 })

	server.Close()
	cfg.Listen = strings.TrimPrefix(url, "nats://")
	server = bustest.Open(t, cfg)
	publish(t, server, "aduan.inbound.walkin", "2", "y")
	bustest.Eventually(t, 10*time.Second, func() bool { return r.calls() == 2 })
}
