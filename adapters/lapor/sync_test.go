package lapor

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/bus/bustest"
	"github.com/aduan-gateway/aduan/core/dialog"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/intake"
	"github.com/aduan-gateway/aduan/core/workflow"
	"github.com/aduan-gateway/aduan/store"
	"github.com/aduan-gateway/aduan/store/pgtest"
)

// These tests run the simulator in-process, the real client against it, the
// poller onto an embedded NATS server, and the core's intake into PostgreSQL.

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type rig struct {
	t      testing.TB
	st     *store.Store
	bus    *bus.Bus
	sim    *Simulator
	client *Client
	logs   *syncBuffer
	log    zerolog.Logger
}

func newRig(t testing.TB, opt SimOptions) *rig {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, pgtest.URL(t), bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	r := &rig{t: t, st: st, bus: bustest.New(t), logs: &syncBuffer{}}
	r.log = zerolog.New(r.logs).Level(zerolog.DebugLevel)
	tpl, err := dialog.LoadTemplates("")
	if err != nil {
		t.Fatal(err)
	}
	svc := intake.New(st, dialog.New(tpl, nil), intake.Options{Log: r.log})
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := svc.Run(runCtx, r.bus, bus.ConsumerSpec{Backoff: []time.Duration{50 * time.Millisecond}}); err != nil {
			t.Error(err)
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
	opt.Token = testToken
	r.sim = NewSimulator(opt)
	srv := httptest.NewServer(r.sim.Handler())
	t.Cleanup(srv.Close)
	if r.client, err = NewClient(srv.URL, testToken, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *rig) poller(pageSize int, health *Health, tweak ...func(*PollerOptions)) *Poller {
	r.t.Helper()
	opt := PollerOptions{
		Agency: "dinsos-babel", Interval: 50 * time.Millisecond, PageSize: pageSize,
		MinBackoff: 10 * time.Millisecond, MaxBackoff: 100 * time.Millisecond, Log: r.log, Health: health,
	}
	for _, f := range tweak {
		f(&opt)
	}
	p, err := NewPoller(r.client, r.bus, opt)
	if err != nil {
		r.t.Fatal(err)
	}
	return p
}

// run runs p until the test ends or stop is called.
func (r *rig) run(p *Poller) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = p.Run(ctx)
	}()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	r.t.Cleanup(stop)
	return stop
}

// expectedMessages is how many inbound messages the simulator's reports make.
func (r *rig) expectedMessages() int {
	n := 0
	for _, id := range r.sim.TrackingIDs() {
		rep, err := decodeReport(r.sim.Report(id))
		if err != nil {
			r.t.Fatal(err)
		}
		n += 1 + len(rep.Replies)
	}
	return n
}

// streamCount is how many messages were ever stored in INBOUND (only the
// LAPOR! poller publishes there in these tests): the intake erases each one
// it handled, so the last sequence counts them, not the messages held.
func (r *rig) streamCount() uint64 {
	ctx := context.Background()
	s, err := r.bus.JetStream().Stream(ctx, bus.StreamInbound)
	if err != nil {
		r.t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		r.t.Fatal(err)
	}
	return info.State.LastSeq
}

// settled waits until every report is a complaint and every message is
// stored and handled, then checks nothing is there twice.
func (r *rig) settled(reports, messages int) {
	r.t.Helper()
	ctx := context.Background()
	var complaints, stored int
	bustest.Eventually(r.t, 30*time.Second, func() bool {
		complaints, _ = r.st.CountComplaints(ctx)
		stored, _ = r.st.CountMessages(ctx, 0, "in")
		lag, err := r.bus.Lag(ctx, bus.StreamInbound, intake.ConsumerName)
		return complaints >= reports && stored >= messages && err == nil && lag == 0
	})
	if complaints != reports || stored != messages {
		r.t.Fatalf("%d complaints from %d reports, %d messages stored of %d", complaints, reports, stored, messages)
	}
	if n := r.streamCount(); n != uint64(messages) {
		r.t.Fatalf("INBOUND holds %d LAPOR! messages, want %d: some were published twice", n, messages)
	}
	list, err := r.st.ListComplaints(ctx, store.ComplaintFilter{Limit: 1000})
	if err != nil {
		r.t.Fatal(err)
	}
	refs := map[string]bool{}
	for _, c := range list {
		if c.Channel != "lapor" || c.Status != workflow.AwaitingVerification || c.ExternalRef == "" || refs[c.ExternalRef] {
			r.t.Fatalf("complaint %+v: want lapor, awaiting verification, one per tracking id", c)
		}
		refs[c.ExternalRef] = true
	}
}

// ticketOf returns the ticket of a report's complaint.
func (r *rig) ticketOf(trackingID int64) string {
	r.t.Helper()
	list, err := r.st.ListComplaints(context.Background(), store.ComplaintFilter{Limit: 1000})
	if err != nil {
		r.t.Fatal(err)
	}
	for _, c := range list {
		if c.ExternalRef == itoa(trackingID) {
			return c.Ticket
		}
	}
	r.t.Fatalf("no complaint for report %d", trackingID)
	return ""
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestPollerRestartMidPage(t *testing.T) {
	const reports, pageSize = 23, 5
	r := newRig(t, SimOptions{Reports: reports, Seed: 3})
	health := NewHealth(r.bus, "dinsos-babel", r.log)

	// The first poller dies in the middle of the second page, after
	// publishing three of its reports.
	ctx, cancel := context.WithCancel(context.Background())
	published := 0
	first := r.poller(pageSize, health, func(o *PollerOptions) {
		o.OnPublished = func(*event.Inbound) {
			if published++; published == pageSize+3 {
				cancel()
			}
		}
	})
	if _, err := first.Sync(ctx); err == nil {
		t.Fatal("the interrupted sync reported success")
	}
	cursor, _, err := first.loadCursor(context.Background())
	if err != nil || !strings.HasSuffix(cursor, "-"+itoa(int64(pageSize))) {
		t.Fatalf("cursor after the interrupted page = %q, %v: want the end of the first page", cursor, err)
	}

	second := r.poller(pageSize, health)
	r.run(second)
	r.settled(reports, reports)

	// Replies on LAPOR! become new messages on the same complaints.
	ids := r.sim.TrackingIDs()
	for _, id := range ids[:2] {
		if _, err := r.sim.AddReply(id, "Mohon informasi perkembangan laporan saya."); err != nil {
			t.Fatal(err)
		}
	}
	r.settled(reports, reports+2)
	for _, id := range ids[:2] {
		c, err := r.st.ComplaintByTicket(context.Background(), r.ticketOf(id))
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Additions) != 1 || c.Additions[0] != "Mohon informasi perkembangan laporan saya." {
			t.Fatalf("report %d: additions %q", id, c.Additions)
		}
	}
	bustest.Eventually(t, 5*time.Second, func() bool {
		h, ok, _ := r.bus.Health(context.Background(), event.ChannelLapor, "dinsos-babel")
		return ok && h.State == event.HealthOK && h.Extra["last_sync_at"] != "" && h.Extra["cursor"] != "" &&
			!h.LastInboundAt.IsZero()
	})
}

func TestPollerThroughFaults(t *testing.T) {
	const reports = 30
	r := newRig(t, SimOptions{Reports: reports, Seed: 11, ErrorRate: 0.2, RateLimit: 15, Latency: time.Millisecond})
	r.run(r.poller(4, NewHealth(r.bus, "dinsos-babel", r.log)))
	r.settled(reports, r.expectedMessages())
	st := r.sim.Stats()
	if st.InjectedErrors == 0 {
		t.Fatalf("no fault injected (%+v): the test proves nothing", st)
	}
	t.Logf("simulator: %+v", st)

	// Attachments arrived in the object store and on the stored messages.
	withFiles := 0
	for _, id := range r.sim.TrackingIDs() {
		rep, _ := decodeReport(r.sim.Report(id))
		withFiles += len(rep.Files)
	}
	if withFiles == 0 {
		t.Fatal("no seeded report has an attachment")
	}

	// A confidential reporter's identity is nowhere in the logs, in lists
	// or in the reporter rows lists read.
	list, _ := r.st.ListComplaints(context.Background(), store.ComplaintFilter{Limit: 1000})
	listed, _ := json.Marshal(list)
	public := map[string]bool{} // names a public report may show (the made-up names repeat)
	for _, id := range r.sim.TrackingIDs() {
		if rep, _ := decodeReport(r.sim.Report(id)); rep.Reporter != nil && !rep.Confidential && !rep.Anonymous {
			public[rep.Reporter.Name], public[rep.Reporter.Phone] = true, true
		}
	}
	confidential := 0
	for _, id := range r.sim.TrackingIDs() {
		rep, _ := decodeReport(r.sim.Report(id))
		if !rep.Confidential || rep.Reporter == nil {
			continue
		}
		confidential++
		for _, secret := range []string{rep.Reporter.Name, rep.Reporter.Phone, strings.TrimPrefix(rep.Reporter.Phone, "+62")} {
			if strings.Contains(r.logs.String(), secret) {
				t.Fatalf("confidential reporter's %q in the logs", secret)
			}
			if strings.Contains(string(listed), secret) && !public[secret] && !public["+62"+secret] {
				t.Fatalf("confidential reporter's %q leaked", secret)
			}
		}
		got, err := r.st.LaporReportByTicket(context.Background(), r.ticketOf(id))
		if err != nil || got.Withheld == nil || got.Withheld.Name != rep.Reporter.Name {
			t.Fatalf("withheld identity of %d not kept sealed: %+v, %v", id, got, err)
		}
	}
	if confidential == 0 {
		t.Fatal("no confidential report with an identity among the seeded ones")
	}
}

func TestPollerExpiredCursorAndBadKey(t *testing.T) {
	r := newRig(t, SimOptions{Reports: 4, Seed: 5})
	health := NewHealth(r.bus, "dinsos-babel", r.log)
	p := r.poller(10, health)
	// A cursor from another life of LAPOR! (the simulator restarted).
	if _, err := p.kv.Put(context.Background(), p.key, []byte("lama-99")); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	r.settled(4, 4)

	bad, _ := NewClient(strings.TrimSuffix(r.client.base, "/"), "kunci-salah", time.Second)
	p.api = bad
	for range pollFailuresDown {
		if _, err := p.Sync(context.Background()); !isUnauthorized(err) {
			t.Fatalf("err = %v, want unauthorized", err)
		}
	}
	h := health.Current()
	if h.State != event.HealthNeedsAttention || !strings.Contains(h.Detail, "ADUAN_LAPOR_TOKEN") ||
		h.LastError == "" || h.Extra["poll_failures"] != "3" {
		t.Fatalf("health %+v", h)
	}
}
