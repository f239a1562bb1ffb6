package whatsapp

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/rs/zerolog"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"

	"github.com/aduan-gateway/aduan/config"
	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/bus/bustest"
	"github.com/aduan-gateway/aduan/core/event"
)

// Our made-up office number and citizens.
const (
	ourNumber  = "6281100000000"
	citizen    = "6281234567890"
	citizenB   = "6285712345678"
	citizenLID = "123456789012345"
)

// sentMessage is what the fake WhatsApp received to send.
type sentMessage struct {
	To   types.JID
	Text string
	ID   string
}

// fakeClient stands in for *whatsmeow.Client: WhatsApp's servers are out of
// reach here. Downloads are served from files by DirectPath.
type fakeClient struct {
	mu        sync.Mutex
	connected bool
	sent      []sentMessage
	presences []types.ChatPresence
	reads     []string
	files     map[string][]byte // DirectPath → plaintext
	// failing answers downloads of a DirectPath with an error; tries
	// counts the downloads asked for, by DirectPath.
	failing map[string]error
	tries   map[string]int
	// hold, when set, makes downloads wait for it to close (or ctx to end).
	hold chan struct{}
	// sendErr, when set, answers SendMessage.
	sendErr func(n int) error
	sends   int
	lids    map[string]string // LID user → phone digits
}

var _ Client = (*fakeClient)(nil)

func newFakeClient(connected bool) *fakeClient {
	return &fakeClient{connected: connected, files: map[string][]byte{}, failing: map[string]error{}, tries: map[string]int{},
		lids: map[string]string{}}
}

func (f *fakeClient) setConnected(v bool) {
	f.mu.Lock()
	f.connected = v
	f.mu.Unlock()
}

func (f *fakeClient) IsConnected() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.connected
}

func (f *fakeClient) IsLoggedIn() bool { return f.IsConnected() }

func (f *fakeClient) SendMessage(_ context.Context, to types.JID, m *waE2E.Message, _ ...whatsmeow.SendRequestExtra) (whatsmeow.SendResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sends++
	if !f.connected {
		return whatsmeow.SendResponse{}, whatsmeow.ErrNotConnected
	}
	if f.sendErr != nil {
		if err := f.sendErr(f.sends); err != nil {
			return whatsmeow.SendResponse{}, err
		}
	}
	id := fmt.Sprintf("3EB0%016X", f.sends)
	f.sent = append(f.sent, sentMessage{To: to, Text: m.GetConversation(), ID: id})
	return whatsmeow.SendResponse{ID: id, Timestamp: time.Now()}, nil
}

func (f *fakeClient) SendChatPresence(_ context.Context, _ types.JID, state types.ChatPresence, _ types.ChatPresenceMedia) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.presences = append(f.presences, state)
	return nil
}

func (f *fakeClient) MarkRead(_ context.Context, ids []types.MessageID, _ time.Time, _, _ types.JID, _ ...types.ReceiptType) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads = append(f.reads, ids...)
	return nil
}

func (f *fakeClient) Download(ctx context.Context, msg whatsmeow.DownloadableMessage) ([]byte, error) {
	f.mu.Lock()
	hold := f.hold
	f.tries[msg.GetDirectPath()]++
	f.mu.Unlock()
	if hold != nil {
		select {
		case <-hold:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.failing[msg.GetDirectPath()]; err != nil {
		return nil, err
	}
	data, ok := f.files[msg.GetDirectPath()]
	if !ok {
		return nil, whatsmeow.ErrMediaDownloadFailedWith410
	}
	return data, nil
}

func (f *fakeClient) GetPNForLID(_ context.Context, lid types.JID) (types.JID, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if pn, ok := f.lids[lid.User]; ok {
		return types.NewJID(pn, types.DefaultUserServer), nil
	}
	return types.JID{}, nil
}

func (f *fakeClient) sentMessages() []sentMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]sentMessage(nil), f.sent...)
}

func (f *fakeClient) sendCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.sends
}

func (f *fakeClient) presenceStates() []types.ChatPresence {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]types.ChatPresence(nil), f.presences...)
}

func (f *fakeClient) readIDs() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.reads...)
}

func testConfig() config.WhatsAppConfig {
	return config.WhatsAppConfig{Transport: config.WhatsAppTransportWhatsmeow, MarkRead: true, Typing: 10 * time.Millisecond,
		SendAttempts: 4, LeaseTTL: 3 * time.Second, MaxAttachmentSize: 1 << 20, DeviceName: "Aduan"}
}

// harness is an adapter on a fresh embedded NATS with a fake client attached.
type harness struct {
	t       testing.TB
	b       *bus.Bus
	a       *Adapter
	fake    *fakeClient
	metrics *Metrics
}

func newHarness(t testing.TB, cfg config.WhatsAppConfig, connected bool) *harness {
	t.Helper()
	b := bustest.New(t)
	m := NewMetrics(prometheus.NewRegistry())
	a := New(cfg, b, Options{
		Log: zerolog.Nop(), Metrics: m,
		PublishBackoff: []time.Duration{20 * time.Millisecond},
		SendBackoff:    []time.Duration{50 * time.Millisecond},
		ConnectWait:    200 * time.Millisecond,
	})
	fake := newFakeClient(connected)
	a.Attach(fake, fake, ourNumber)
	return &harness{t: t, b: b, a: a, fake: fake, metrics: m}
}

// run starts fn (a.RunFetcher, a.RunSender) until the test ends.
func (h *harness) run(fn func(ctx context.Context) error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- fn(ctx) }()
	h.t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			h.t.Error(err)
		}
	})
}

// reader reads a stream's messages in order, from the start.
type reader struct {
	t    testing.TB
	cons jetstream.Consumer
}

func newReader(t testing.TB, b *bus.Bus, stream, subject string) *reader {
	t.Helper()
	cons, err := b.JetStream().OrderedConsumer(context.Background(), stream, jetstream.OrderedConsumerConfig{FilterSubjects: []string{subject}})
	if err != nil {
		t.Fatal(err)
	}
	return &reader{t: t, cons: cons}
}

// next returns the next message's data, failing the test after timeout.
func (r *reader) next(timeout time.Duration) []byte {
	r.t.Helper()
	msg, err := r.cons.Next(jetstream.FetchMaxWait(timeout))
	if err != nil {
		r.t.Fatalf("no message within %s: %v", timeout, err)
	}
	return msg.Data()
}

// none checks that no message arrives within wait.
func (r *reader) none(wait time.Duration) {
	r.t.Helper()
	msg, err := r.cons.Next(jetstream.FetchMaxWait(wait))
	if err == nil {
		r.t.Fatalf("unexpected message: %s", msg.Data())
	}
}

func (r *reader) inbound(timeout time.Duration) *event.Inbound {
	r.t.Helper()
	var in event.Inbound
	if err := event.Unmarshal(r.next(timeout), &in); err != nil {
		r.t.Fatal(err)
	}
	return &in
}

func (r *reader) delivery(timeout time.Duration) *event.Delivery {
	r.t.Helper()
	var d event.Delivery
	if err := event.Unmarshal(r.next(timeout), &d); err != nil {
		r.t.Fatal(err)
	}
	return &d
}

// testdata reads a file under testdata/.
func testdata(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// value reads a counter.
func value(c prometheus.Counter) float64 {
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		panic(err)
	}
	return m.GetCounter().GetValue()
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
