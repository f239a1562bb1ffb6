package lapor

import (
	"bytes"
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"

	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/bus/bustest"
	"github.com/aduan-gateway/aduan/core/event"
)

type pushRig struct {
	t      testing.TB
	bus    *bus.Bus
	sim    *Simulator
	health *Health
	logs   *syncBuffer
}

func newPushRig(t testing.TB, sim SimOptions, attempts int) *pushRig {
	t.Helper()
	sim.Token = testToken
	r := &pushRig{t: t, bus: bustest.New(t), sim: NewSimulator(sim), logs: &syncBuffer{}}
	srv := httptest.NewServer(r.sim.Handler())
	t.Cleanup(srv.Close)
	c, err := NewClient(srv.URL, testToken, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	log := zerolog.New(r.logs)
	r.health = NewHealth(r.bus, "dinsos-babel", log)
	p := NewPusher(c, r.bus, PusherOptions{Attempts: attempts, Backoff: []time.Duration{20 * time.Millisecond}, Log: log, Health: r.health})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := p.Run(ctx); err != nil {
			t.Error(err)
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
	return r
}

// publish puts a complaint event on the bus as the workflow would.
func (r *pushRig) publish(kind event.ComplaintKind, ch event.Channel, trackingID int64, note string, files ...event.Attachment) string {
	r.t.Helper()
	ev := &event.Complaint{ID: event.NewID(), Kind: kind, Ticket: "ADU-2026-0000" + itoa(trackingID%100), Channel: ch,
		ExternalRef: itoa(trackingID), Note: note, Attachments: files, Actor: "verifikator:rina", OccurredAt: time.Now()}
	if _, err := r.bus.PublishEvent(context.Background(), ev, ev.Subject(), ev.ID); err != nil {
		r.t.Fatal(err)
	}
	return ev.ID
}

func (r *pushRig) idle() {
	r.t.Helper()
	bustest.Eventually(r.t, 20*time.Second, func() bool {
		lag, err := r.bus.Lag(context.Background(), bus.StreamComplaints, PusherConsumer)
		return err == nil && lag == 0
	})
}

func (r *pushRig) deadLetters() uint64 {
	r.t.Helper()
	ctx := context.Background()
	s, err := r.bus.JetStream().Stream(ctx, bus.StreamDeadLetter)
	if err != nil {
		r.t.Fatal(err)
	}
	subject := bus.DeadLetterSubject(bus.StreamComplaints, PusherConsumer)
	info, err := s.Info(ctx, jetstream.WithSubjectFilter(subject))
	if err != nil {
		r.t.Fatal(err)
	}
	return info.State.Subjects[subject]
}

// TestPusherEachActionOnce pushes every agency action through injected
// faults (some answers lost after LAPOR! applied the action) and checks that
// each arrives exactly once, in an order LAPOR! accepts.
func TestPusherEachActionOnce(t *testing.T) {
	r := newPushRig(t, SimOptions{Reports: 4, Seed: 21, ErrorRate: 0.3}, 40)
	ids := r.sim.TrackingIDs()
	followed, verified, postponed, returned := ids[0], ids[1], ids[2], ids[3]
	key, sha, size, err := r.bus.PutAttachment(context.Background(), bytes.NewReader([]byte("%PDF-1.4 berita acara\n")), "berita_acara.pdf", "application/pdf")
	if err != nil {
		t.Fatal(err)
	}
	// The follow-up is published right after the verification it needs:
	// when the verification's push fails first, LAPOR! refuses the
	// follow-up (409) until the retry of the verification went through.
	want := map[string]string{
		r.publish(event.ComplaintVerified, event.ChannelLapor, followed, ""): "verifikasi",
		r.publish(event.ComplaintFollowedUp, event.ChannelLapor, followed, "Bantuan disalurkan pada tahap berikutnya.",
			event.Attachment{Kind: event.AttachmentDocument, MIME: "application/pdf", Filename: "berita_acara.pdf", Size: size, SHA256: sha, ObjectKey: key}): "tindak_lanjut",
		r.publish(event.ComplaintVerified, event.ChannelLapor, verified, ""):                                          "verifikasi",
		r.publish(event.ComplaintPostponed, event.ChannelLapor, postponed, "Menunggu data dari bank penyalur."):       "tunda",
		r.publish(event.ComplaintRedirected, event.ChannelLapor, returned, "Kewenangan Dinas PUPR Kabupaten Bangka."): "bukan_wewenang",
	}
	// Not for LAPOR!: another channel's complaint, and kinds LAPOR! does not hear about.
	r.publish(event.ComplaintVerified, event.ChannelWhatsApp, 4999999, "")
	r.publish(event.ComplaintUpdated, event.ChannelLapor, verified, "")
	r.publish(event.ComplaintArchived, event.ChannelLapor, returned, "")
	bustest.Eventually(t, 20*time.Second, func() bool { return len(r.sim.Pushes()) >= len(want) })
	want[r.publish(event.ComplaintResolved, event.ChannelLapor, followed, "")] = "selesai"
	bustest.Eventually(t, 20*time.Second, func() bool { return len(r.sim.Pushes()) >= len(want) })
	r.idle()

	pushes := r.sim.Pushes()
	if len(pushes) != len(want) {
		t.Fatalf("%d pushes applied, want %d: %+v", len(pushes), len(want), pushes)
	}
	repeats := 0
	for _, p := range pushes {
		if want[p.RequestID] != p.Action {
			t.Fatalf("push %+v: not one of those sent, or applied twice", p)
		}
		delete(want, p.RequestID)
		repeats += p.Repeats
		if p.Action == "tindak_lanjut" && (len(p.Files) != 1 || !strings.HasPrefix(p.Files[0], "berita_acara.pdf (application/pdf")) {
			t.Fatalf("follow-up arrived with files %q", p.Files)
		}
	}
	final := map[int64]string{followed: "selesai", verified: "diverifikasi", postponed: "ditunda", returned: "dikembalikan"}
	for id, status := range final {
		rep, _ := decodeReport(r.sim.Report(id))
		if string(rep.Status) != map[string]string{"selesai": "finished", "diverifikasi": "verified", "ditunda": "postponed", "dikembalikan": "returned"}[status] {
			t.Errorf("report %d is %s, want %s", id, rep.Status, status)
		}
	}
	if st := r.sim.Stats(); st.InjectedErrors == 0 {
		t.Fatalf("no fault injected (%+v): the test proves nothing", st)
	} else {
		t.Logf("simulator %+v; %d repeated pushes answered without applying them again", st, repeats)
	}
	if n := r.deadLetters(); n != 0 {
		t.Fatalf("%d pushes dead-lettered", n)
	}
	if h := r.health.Current(); h.State != event.HealthOK || h.LastOutboundAt.IsZero() {
		t.Fatalf("health %+v", h)
	}
}

// TestPusherGivesUpVisibly checks that pushes that cannot succeed end in
// the dead letters at once, pushes that keep failing after their attempts,
// and that the channel's health tells admins.
func TestPusherGivesUpVisibly(t *testing.T) {
	t.Run("refused", func(t *testing.T) {
		r := newPushRig(t, SimOptions{Reports: 1, Seed: 4}, 5)
		r.publish(event.ComplaintVerified, event.ChannelLapor, 1234, "")                    // unknown report: 404
		r.publish(event.ComplaintPostponed, event.ChannelLapor, r.sim.TrackingIDs()[0], "") // no reason
		bustest.Eventually(t, 10*time.Second, func() bool { return r.deadLetters() == 2 })
		if len(r.sim.Pushes()) != 0 || len(r.sim.Refused()) != 1 {
			t.Fatalf("applied %v, refused %v: want the unknown report refused once and the reasonless push never sent",
				r.sim.Pushes(), r.sim.Refused())
		}
		h := r.health.Current()
		if h.State != event.HealthNeedsAttention || h.Extra["push_dead_letters"] != "2" || !strings.Contains(h.Detail, "2 pembaruan") ||
			!strings.Contains(h.LastError, "needs a reason") {
			t.Fatalf("health %+v", h)
		}
	})
	t.Run("keeps failing", func(t *testing.T) {
		r := newPushRig(t, SimOptions{Reports: 1, Seed: 4, ErrorRate: 1}, 3)
		r.publish(event.ComplaintVerified, event.ChannelLapor, r.sim.TrackingIDs()[0], "")
		bustest.Eventually(t, 10*time.Second, func() bool { return r.deadLetters() == 1 })
		if st := r.sim.Stats(); st.Requests != 3 {
			t.Fatalf("%d tries, want 3", st.Requests)
		}
		h, ok, err := r.bus.Health(context.Background(), event.ChannelLapor, "dinsos-babel")
		if err != nil || !ok || h.State != event.HealthNeedsAttention || h.Extra["push_dead_letters"] != "1" || h.LastError == "" {
			t.Fatalf("health %+v, %v, %v", h, ok, err)
		}
		// A restarted pusher still counts what waits in the dead letters.
		fresh := NewHealth(r.bus, "dinsos-babel", zerolog.Nop())
		fresh.countDeadLetters(context.Background())
		if fresh.Current().Extra["push_dead_letters"] != "1" {
			t.Fatalf("after restart: %+v", fresh.Current())
		}
	})
}
