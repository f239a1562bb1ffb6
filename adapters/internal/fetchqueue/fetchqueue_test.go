package fetchqueue

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/bus/bustest"
	"github.com/aduan-gateway/aduan/core/event"
)

var errFlaky = errors.New("the platform answered HTTP 502")

// TestQueue: a message's files are fetched, a retryable failure is retried
// until the last attempt, any failure past it is noted on its attachment in
// the adapter's words, and the message always reaches the core, once.
func TestQueue(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	b := newBus(t)

	var mu sync.Mutex
	tries := map[string]int{}
	var results []string
	q := New(b, Config{
		Stream: "TEST_FETCH", Prefix: "test.fetch.", Durable: "test-fetch", Attempts: 3,
		Backoff: []time.Duration{10 * time.Millisecond},
		Fetch: func(ctx context.Context, s Source, att *event.Attachment) error {
			mu.Lock()
			defer mu.Unlock()
			tries[s.URL]++
			switch {
			case s.URL == "flaky" && tries[s.URL] == 1, s.URL == "down":
				return errFlaky
			case s.URL == "gone":
				return errors.New("HTTP 404")
			}
			att.ObjectKey, att.MIME = "sha256/"+s.URL, "image/jpeg"
			return nil
		},
		Retryable: func(err error) bool { return errors.Is(err, errFlaky) },
		Reason:    func(err error) string { return "in plain words: " + err.Error() },
		Observe: func(r string) {
			mu.Lock()
			defer mu.Unlock()
			results = append(results, r)
		},
		Log: bustest.Logger(t),
	})

	in := &event.Inbound{ID: event.NewID(), Channel: event.ChannelMessenger, Account: "page", ExternalID: "m1",
		ConversationKey: "u1", Sender: event.Sender{ID: "u1"}, ReceivedAt: time.Now().UTC(),
		Attachments: []event.Attachment{{Kind: event.AttachmentImage}, {Kind: event.AttachmentImage},
			{Kind: event.AttachmentImage}, {Kind: event.AttachmentDocument}}}
	src := []Source{{Index: 0, URL: "flaky"}, {Index: 1, URL: "down"}, {Index: 2, URL: "gone"}}
	for range 2 { // a retried webhook
		if err := q.Publish(ctx, in, src); err != nil {
			t.Fatal(err)
		}
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- q.Run(runCtx) }()

	raw, got := published(t, b, in.Subject())
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	want := []event.Attachment{
		{Kind: event.AttachmentImage, MIME: "image/jpeg", ObjectKey: "sha256/flaky"},
		{Kind: event.AttachmentImage, Error: "in plain words: " + errFlaky.Error()},
		{Kind: event.AttachmentImage, Error: "in plain words: HTTP 404"},
		{Kind: event.AttachmentDocument},
	}
	for i, a := range got.Attachments {
		if a != want[i] {
			t.Errorf("attachment %d = %+v, want %+v", i, a, want[i])
		}
	}
	if raw.Header.Get("Nats-Msg-Id") != in.MsgID() {
		t.Errorf("published with Nats-Msg-Id %q, want %q", raw.Header.Get("Nats-Msg-Id"), in.MsgID())
	}
	mu.Lock()
	defer mu.Unlock()
	// Delivery 1: flaky fails (retried). 2: flaky ok, down fails (retried).
	// 3, the last: flaky ok, down and gone noted.
	if tries["flaky"] != 3 || tries["down"] != 2 || tries["gone"] != 1 {
		t.Errorf("tries = %v, want flaky 3, down 2, gone 1 (one job, three deliveries)", tries)
	}
	if n := len(results); n != 6 || results[n-1] != ResultFailed || results[0] != ResultRetried {
		t.Errorf("results = %v", results)
	}
}

// TestQueueReadsOlderCloudAPIJobs: a job the Cloud API receiver queued
// before the shared queue (media ids by index), on the subject and with the
// consumer of before shards, is fetched all the same.
func TestQueueReadsOlderCloudAPIJobs(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	b := newBus(t)
	q := New(b, Config{
		Stream: "TEST_FETCH", Prefix: "test.fetch.", Legacy: "test.fetch", Durable: "test-fetch", Attempts: 1,
		Fetch: func(ctx context.Context, s Source, att *event.Attachment) error {
			att.ObjectKey = "sha256/" + s.MediaID
			return nil
		},
		Retryable: func(error) bool { return false },
		Log:       bustest.Logger(t),
	})
	in := event.Inbound{ID: event.NewID(), Channel: event.ChannelWhatsApp, Account: "62811", ExternalID: "wamid.1",
		ConversationKey: "62812", Sender: event.Sender{ID: "62812"}, ReceivedAt: time.Now().UTC(),
		Attachments: []event.Attachment{{Kind: event.AttachmentImage}}}
	old, err := json.Marshal(map[string]any{"inbound": in, "media": []string{"1003383421387257"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Publish(ctx, "test.fetch", in.MsgID(), old); err != nil {
		t.Fatal(err)
	}
	// The consumer as it was: the whole stream.
	if _, err := b.JetStream().CreateOrUpdateConsumer(ctx, "TEST_FETCH", jetstream.ConsumerConfig{
		Durable: "test-fetch", AckPolicy: jetstream.AckExplicitPolicy}); err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	go func() { _ = q.Run(runCtx) }()
	if _, got := published(t, b, in.Subject()); got.Attachments[0].ObjectKey != "sha256/1003383421387257" {
		t.Errorf("attachment %+v, want the media fetched", got.Attachments[0])
	}
}

// newBus is a bus with the test's fetch stream.
func newBus(t *testing.T) *bus.Bus {
	b := bustest.New(t)
	if _, err := b.JetStream().CreateOrUpdateStream(t.Context(), jetstream.StreamConfig{
		Name: "TEST_FETCH", Subjects: []string{"test.fetch", "test.fetch.>"}, Retention: jetstream.WorkQueuePolicy,
		Duplicates: bus.DuplicateWindow,
	}); err != nil {
		t.Fatal(err)
	}
	return b
}

// published waits for the message on subject in INBOUND.
func published(t *testing.T, b *bus.Bus, subject string) (*jetstream.RawStreamMsg, event.Inbound) {
	t.Helper()
	s, err := b.JetStream().Stream(t.Context(), bus.StreamInbound)
	if err != nil {
		t.Fatal(err)
	}
	var raw *jetstream.RawStreamMsg
	bustest.Eventually(t, 30*time.Second, func() bool {
		raw, err = s.GetLastMsgForSubject(t.Context(), "*."+subject) // behind its partition
		return err == nil
	})
	var in event.Inbound
	if err := event.Unmarshal(raw.Data, &in); err != nil {
		t.Fatal(err)
	}
	return raw, in
}

func TestJobValidate(t *testing.T) {
	in := event.Inbound{Channel: event.ChannelWhatsApp, Account: "62811", ExternalID: "wamid.1", ConversationKey: "62812",
		ReceivedAt: time.Now(), Attachments: []event.Attachment{{Kind: event.AttachmentImage}}}
	tests := []struct {
		name string
		job  Job
		ok   bool
	}{
		{"a file of the message", Job{Inbound: in, Sources: []Source{{Index: 0, MediaID: "1"}}}, true},
		{"no attachment there", Job{Inbound: in, Sources: []Source{{Index: 1, MediaID: "1"}}}, false},
		{"negative index", Job{Inbound: in, Sources: []Source{{Index: -1, URL: "https://cdn"}}}, false},
		{"a message the core refuses", Job{Inbound: event.Inbound{Channel: event.ChannelWhatsApp}}, false},
	}
	for _, tt := range tests {
		if err := tt.job.Validate(); (err == nil) != tt.ok {
			t.Errorf("%s: Validate() = %v", tt.name, err)
		}
	}
}

// gated is a queue whose downloads of "slow" wait until the test opens the
// gate; started hears each download of it.
type gated struct {
	*Queue
	b       *bus.Bus
	gate    chan struct{}
	started chan string
}

func newGated(t *testing.T, b *bus.Bus) *gated {
	g := &gated{b: b, gate: make(chan struct{}), started: make(chan string, 10)}
	g.Queue = New(b, Config{
		Stream: "TEST_FETCH", Prefix: "test.fetch.", Durable: "test-fetch", Attempts: 3,
		Backoff: []time.Duration{10 * time.Millisecond},
		Fetch: func(ctx context.Context, s Source, att *event.Attachment) error {
			if s.URL == "slow" {
				g.started <- s.URL
				select {
				case <-g.gate:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			att.ObjectKey, att.MIME = "sha256/"+s.URL, "image/jpeg"
			return nil
		},
		Retryable: func(error) bool { return false },
		Log:       bustest.Logger(t),
	})
	return g
}

// send publishes sender's message ext, with a photo at url when url is set.
func (g *gated) send(t *testing.T, sender, ext, url string) {
	t.Helper()
	in := &event.Inbound{ID: event.NewID(), Channel: event.ChannelMessenger, Account: "page", ExternalID: ext,
		ConversationKey: sender, Sender: event.Sender{ID: sender}, ReceivedAt: time.Now().UTC(), Text: "status?"}
	var src []Source
	if url != "" {
		in.Text, in.Attachments = "", []event.Attachment{{Kind: event.AttachmentImage}}
		src = []Source{{Index: 0, URL: url}}
	}
	if err := g.Publish(t.Context(), in, src); err != nil {
		t.Fatal(err)
	}
}

func (g *gated) run(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- g.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
}

// inbound lists the external ids in INBOUND, in the stream's order, once
// it holds n messages.
func inbound(t *testing.T, b *bus.Bus, n int) []string {
	t.Helper()
	s, err := b.JetStream().Stream(t.Context(), bus.StreamInbound)
	if err != nil {
		t.Fatal(err)
	}
	bustest.Eventually(t, 30*time.Second, func() bool {
		info, err := s.Info(t.Context())
		return err == nil && info.State.Msgs >= uint64(n)
	})
	info, err := s.Info(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq; seq++ {
		raw, err := s.GetMsg(t.Context(), seq)
		if err != nil {
			t.Fatal(err)
		}
		var in event.Inbound
		if err := event.Unmarshal(raw.Data, &in); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, in.ExternalID)
	}
	return ids
}

// otherShard is a sender whose shard differs from sender's.
func otherShard(sender string) string {
	key := func(s string) string { return string(event.ChannelMessenger) + "\x00page\x00" + s }
	shard := func(s string) string { return strings.Split(Subject("p.", key(s)), ".")[1] }
	for i := 0; ; i++ {
		if o := "u" + strconv.Itoa(i); shard(o) != shard(sender) {
			return o
		}
	}
}

// TestSenderKeepsOrder: a text sent after a photo reaches the core after it
// however slow the photo's download, and another sender's messages do not
// wait for that download.
func TestSenderKeepsOrder(t *testing.T) {
	b := newBus(t)
	g := newGated(t, b)
	g.run(t)
	other := otherShard("u1")

	g.send(t, "u1", "photo", "slow")
	<-g.started
	g.send(t, "u1", "text", "")
	g.send(t, other, "other-photo", "fast")
	g.send(t, other, "other-text", "")
	// The slow download is still held: only the other sender got through.
	if got := inbound(t, b, 2); strings.Join(got, " ") != "other-photo other-text" {
		t.Fatalf("INBOUND before the slow download = %v, want the other sender's two messages", got)
	}
	close(g.gate)
	if got := inbound(t, b, 4); strings.Join(got[2:], " ") != "photo text" {
		t.Errorf("INBOUND = %v, want u1's photo then its text", got)
	}
	// Nothing queued any more: the sender's next text goes straight on.
	g.send(t, "u1", "later", "")
	if got := inbound(t, b, 5); got[4] != "later" {
		t.Errorf("INBOUND = %v, want the later text last", got)
	}
}

// TestOrderSurvivesRestart: messages queued by a process that stopped
// before its workers ran come out first, and a new process queues the
// sender's next text behind them without having seen them.
func TestOrderSurvivesRestart(t *testing.T) {
	b := newBus(t)
	first := newGated(t, b)
	first.send(t, "u1", "photo", "fast")
	first.send(t, "u1", "text", "")

	second := newGated(t, b)
	second.send(t, "u1", "text2", "")
	second.run(t)
	if got := inbound(t, b, 3); strings.Join(got, " ") != "photo text text2" {
		t.Errorf("INBOUND = %v, want photo text text2", got)
	}
}
