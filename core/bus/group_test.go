package bus_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/bus/bustest"
)

// groupRecorder keeps what a group's handlers saw, per conversation key.
type groupRecorder struct {
	mu   sync.Mutex
	seen map[string][]string // key -> data, in handling order
}

func (r *groupRecorder) record(m *bus.Msg) {
	key := m.Subject[strings.LastIndexByte(m.Subject, '.')+1:]
	r.seen[key] = append(r.seen[key], string(m.Data))

}

func (r *groupRecorder) handlers() (bus.Handler, bus.BatchHandler) {
	return func(_ context.Context, m *bus.Msg) error {
			if string(m.Data) == "poison" {
				return bus.Permanent(errors.New("poison"))
			}
			r.mu.Lock()
			defer r.mu.Unlock()
			r.record(m)
			return nil
		}, func(_ context.Context, ms []*bus.Msg) error {
			r.mu.Lock()
			defer r.mu.Unlock()
			for _, m := range ms {
				if string(m.Data) == "poison" {
					return errors.New("poison in the batch")
				}
			}
			for _, m := range ms {
				r.record(m)
			}
			return nil
		}
}

func (r *groupRecorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, s := range r.seen {
		n += len(s)
	}
	return n
}

// TestGroupKeepsOrderPerKey: messages of many keys over 4 partitions,
// handled in parallel by two processes, arrive at the handlers in the order
// each key published them, all of them once; the partitions' subjects are
// those published. A poison message is dead-lettered alone.
func TestGroupKeepsOrderPerKey(t *testing.T) {
	const keys, perKey = 40, 5
	const procs = 2
	server := bustest.Open(t, bus.Config{Listen: "127.0.0.1:0", DataDir: t.TempDir(), Partitions: 4})
	spec := bus.GroupSpec{ConsumerSpec: bus.ConsumerSpec{Stream: bus.StreamInbound, Durable: "intake",
		AckWait: 2 * time.Second, Backoff: []time.Duration{100 * time.Millisecond}, EraseDone: true}, Batch: 8}
	rec := &groupRecorder{seen: map[string][]string{}}
	h, bh := rec.handlers()
	var groups []*bus.Group
	for _, conn := range openProcesses(t, server, procs) {
		g, err := conn.ConsumeGroup(t.Context(), spec, h, bh)
		if err != nil {
			t.Fatal(err)
		}
		groups = append(groups, g)
	}
	// The order holds within a partition's holder; a hand-over may put a
	// message handed back after a later one (docs/architecture.md), so the
	// messages go out once the processes have shared the partitions.
	bustest.Eventually(t, 30*time.Second, func() bool { return balanced(groups, 4) })
	for i := range perKey {
		for k := range keys {
			publish(t, server, fmt.Sprintf("aduan.inbound.whatsapp.k%03d", k), fmt.Sprintf("k%d-%d", k, i), fmt.Sprint(i))
		}
	}
	publish(t, server, "aduan.inbound.whatsapp.k000", "poison", "poison")
	bustest.Eventually(t, 30*time.Second, func() bool { return rec.count() == keys*perKey })
	bustest.Eventually(t, 10*time.Second, func() bool { return deadLetter(t, server, bus.StreamInbound, "intake") != nil })
	bustest.Eventually(t, 10*time.Second, func() bool { return lag(t, server, bus.StreamInbound, "intake") == 0 })

	rec.mu.Lock()
	defer rec.mu.Unlock()
	want := []string{"0", "1", "2", "3", "4"}
	for k := range keys {
		if got := rec.seen[fmt.Sprintf("k%03d", k)]; !slices.Equal(got, want) {
			t.Errorf("key %d handled as %v, want %v", k, got, want)
		}
	}
	rec.mu.Unlock()
	// Handled messages are erased, after their ack.
	bustest.Eventually(t, 10*time.Second, func() bool { return streamInfo(t, server, bus.StreamInbound).State.Msgs == 0 })
	rec.mu.Lock()
}

// balanced: every partition held by exactly one of groups, each holding some.
func balanced(groups []*bus.Group, parts int) bool {
	var all []int
	for _, g := range groups {
		ps := g.Partitions()
		if len(ps) == 0 {
			return false
		}
		all = append(all, ps...)
	}
	slices.Sort(all)
	return len(all) == parts && len(slices.Compact(all)) == parts
}

// TestGroupHandsPartitionsOver: a process that stops hands its partitions
// to the one still running, which then takes every message.
func TestGroupHandsPartitionsOver(t *testing.T) {
	server := bustest.Open(t, bus.Config{Listen: "127.0.0.1:0", DataDir: t.TempDir(), Partitions: 4})
	spec := bus.GroupSpec{ConsumerSpec: bus.ConsumerSpec{Stream: bus.StreamInbound, Durable: "intake",
		AckWait: 2 * time.Second}}
	recs := []*groupRecorder{{seen: map[string][]string{}}, {seen: map[string][]string{}}}
	var groups []*bus.Group
	conns := openProcesses(t, server, len(recs))
	for i, rec := range recs {
		conn := conns[i]
		h, bh := rec.handlers()
		g, err := conn.ConsumeGroup(t.Context(), spec, h, bh)
		if err != nil {
			t.Fatal(err)
		}
		groups = append(groups, g)
	}
	// Both take a share once they see each other.
	sent := 0
	bustest.Eventually(t, 30*time.Second, func() bool {
		for k := range 8 {
			publish(t, server, fmt.Sprintf("aduan.inbound.whatsapp.k%03d", k), fmt.Sprintf("a%d", sent), "a")
			sent++
		}
		bustest.Eventually(t, 10*time.Second, func() bool { return recs[0].count()+recs[1].count() == sent })
		return recs[0].count() > 0 && recs[1].count() > 0
	})
	groups[0].Stop()
	before := recs[0].count()
	for k := range 8 {
		publish(t, server, fmt.Sprintf("aduan.inbound.whatsapp.k%03d", k), fmt.Sprintf("b%d", k), "b")
		sent++
	}
	bustest.Eventually(t, 30*time.Second, func() bool { return recs[0].count()+recs[1].count() == sent })
	if recs[0].count() != before {
		t.Errorf("the stopped process handled %d messages after it stopped", recs[0].count()-before)
	}
}

// openProcesses connects n processes to server before any of them starts a
// group. Each connection declares the streams (an update of INBOUND), and
// nats-server 2.15 races internally when a stream update meets consumer
// creation on that stream (the race detector reports it in
// fileStore.ConsumerStore), so the tests keep the two apart.
func openProcesses(t *testing.T, server *bus.Bus, n int) []*bus.Bus {
	t.Helper()
	conns := make([]*bus.Bus, n)
	for i := range conns {
		conns[i] = bustest.Open(t, server.ClientConfig())
	}
	return conns
}

// TestGroupRetriesInOrder: a message that fails for a passing reason (the
// database away) is retried before the partition's worker goes on, so the
// key's next message is not handled first.
func TestGroupRetriesInOrder(t *testing.T) {
	server := bustest.Open(t, bus.Config{Listen: "127.0.0.1:0", DataDir: t.TempDir(), Partitions: 2})
	spec := bus.GroupSpec{ConsumerSpec: bus.ConsumerSpec{Stream: bus.StreamInbound, Durable: "intake",
		AckWait: 2 * time.Second, Backoff: []time.Duration{200 * time.Millisecond}}, Batch: 8}
	// Both wait before the group starts, so they arrive as one batch.
	publish(t, server, "aduan.inbound.whatsapp.k001", "first", "first")
	publish(t, server, "aduan.inbound.whatsapp.k001", "second", "second")
	var (
		mu      sync.Mutex
		handled []string
		failed  int
	)
	h := func(_ context.Context, m *bus.Msg) error {
		mu.Lock()
		defer mu.Unlock()
		if string(m.Data) == "first" && failed < 2 {
			failed++
			return errors.New("database unreachable")
		}
		handled = append(handled, string(m.Data))
		return nil
	}
	bh := func(_ context.Context, ms []*bus.Msg) error { return errors.New("database unreachable") }
	if _, err := openProcesses(t, server, 1)[0].ConsumeGroup(t.Context(), spec, h, bh); err != nil {
		t.Fatal(err)
	}
	bustest.Eventually(t, 30*time.Second, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(handled) == 2
	})
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(handled, []string{"first", "second"}) || failed != 2 {
		t.Fatalf("handled %v after %d failures, want first then second after 2", handled, failed)
	}
}
