package fetchqueue

import (
	"context"
	"errors"
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
	b := bustest.New(t)
	if _, err := b.JetStream().CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name: "TEST_FETCH", Subjects: []string{"test.fetch"}, Retention: jetstream.WorkQueuePolicy,
		Duplicates: bus.DuplicateWindow,
	}); err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	tries := map[string]int{}
	var results []string
	q := New(b, Config{
		Stream: "TEST_FETCH", Durable: "test-fetch", Attempts: 3,
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
		if err := q.Enqueue(ctx, "test.fetch", in, src); err != nil {
			t.Fatal(err)
		}
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- q.Run(runCtx, 2) }()

	s, err := b.JetStream().Stream(ctx, bus.StreamInbound)
	if err != nil {
		t.Fatal(err)
	}
	var raw *jetstream.RawStreamMsg
	bustest.Eventually(t, 30*time.Second, func() bool {
		raw, err = s.GetLastMsgForSubject(ctx, in.Subject())
		return err == nil
	})
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var got event.Inbound
	if err := event.Unmarshal(raw.Data, &got); err != nil {
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
