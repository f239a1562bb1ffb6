package bus_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/bus/bustest"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"
)

var allStreams = []string{bus.StreamInbound, bus.StreamOutbound, bus.StreamDelivery, bus.StreamComplaints, bus.StreamDeadLetter, bus.StreamRejected,
	bus.StreamMetaFetch, bus.StreamWhatsAppFetch, bus.StreamWhatsmeowFetch}

func streamInfo(t *testing.T, b *bus.Bus, name string) *jetstream.StreamInfo {
	t.Helper()
	s, err := b.JetStream().Stream(t.Context(), name)
	if err != nil {
		t.Fatalf("stream %s: %v", name, err)
	}
	info, err := s.Info(t.Context())
	if err != nil {
		t.Fatalf("stream %s info: %v", name, err)
	}
	return info
}

func publish(t *testing.T, b *bus.Bus, subject, msgID, data string) bool {
	t.Helper()
	dup, err := b.Publish(t.Context(), subject, msgID, []byte(data))
	if err != nil {
		t.Fatalf("publish %s: %v", msgID, err)
	}
	return dup
}

func TestOpenDeclaresStreamsIdempotently(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := bus.Config{Listen: "127.0.0.1:0", DataDir: dir, LeaseTTL: 7 * time.Second}

	b1 := bustest.Open(t, cfg)
	for _, name := range allStreams {
		streamInfo(t, b1, name)
	}
	// The adapters' buckets come from the bus, with their TTLs.
	for name, ttl := range map[string]time.Duration{bus.HealthBucket: 0, bus.BucketMetaSent: bus.SentTTL,
		bus.BucketWhatsAppSent: bus.SentTTL, bus.BucketWhatsAppLease: 7 * time.Second, bus.BucketLaporSync: 0} {
		st, err := b1.Bucket(name).Status(t.Context())
		if err != nil {
			t.Fatalf("bucket %s: %v", name, err)
		}
		if st.TTL() != ttl {
			t.Errorf("bucket %s: ttl %v, want %v", name, st.TTL(), ttl)
		}
	}
	if _, err := b1.JetStream().ObjectStore(t.Context(), bus.AttachmentBucket); err != nil {
		t.Fatalf("object store: %v", err)
	}
	// Drift the config, as an operator or an older version might have.
	sc := streamInfo(t, b1, bus.StreamInbound).Config
	sc.MaxAge, sc.Duplicates = 3*time.Hour, time.Minute
	if _, err := b1.JetStream().UpdateStream(t.Context(), sc); err != nil {
		t.Fatalf("update stream: %v", err)
	}
	b1.Close()

	b2 := bustest.Open(t, cfg)
	got := streamInfo(t, b2, bus.StreamInbound).Config
	if got.MaxAge != 30*24*time.Hour || got.Duplicates != bus.DuplicateWindow {
		t.Errorf("INBOUND after reopen: max age %v, duplicates %v; want 720h, %v", got.MaxAge, got.Duplicates, bus.DuplicateWindow)
	}
	if r := streamInfo(t, b2, bus.StreamOutbound).Config.Retention; r != jetstream.WorkQueuePolicy {
		t.Errorf("OUTBOUND retention %v, want work queue", r)
	}
}

func TestOpenRejectsBadConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  bus.Config
	}{
		{"embedded without data dir", bus.Config{Listen: "127.0.0.1:0", User: "u", Password: "p"}},
		{"embedded with replicas", bus.Config{Listen: "127.0.0.1:0", DataDir: t.TempDir(), Replicas: 3, User: "u", Password: "p"}},
		{"bad listen address", bus.Config{Listen: "localhost", DataDir: t.TempDir(), User: "u", Password: "p"}},
		{"embedded without password", bus.Config{Listen: "127.0.0.1:0", DataDir: t.TempDir(), User: "u"}},
		{"too many replicas", bus.Config{URL: "nats://127.0.0.1:1", Replicas: 7}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := bus.Open(t.Context(), tt.cfg, zerolog.Nop())
			if !errors.Is(err, bus.ErrInvalidConfig) {
				t.Fatalf("got %v, want ErrInvalidConfig", err)
			}
		})
	}
}

func TestPublishDeduplicates(t *testing.T) {
	t.Parallel()
	b := bustest.New(t)
	subj := event.InboundSubject(event.ChannelWhatsApp)
	id := event.MsgID(event.ChannelWhatsApp, "6281100000000", "wamid.1")

	if publish(t, b, subj, id, "first") {
		t.Fatal("first publish reported duplicate")
	}
	if !publish(t, b, subj, id, "retried webhook") {
		t.Fatal("second publish with the same id not reported duplicate")
	}
	if n := streamInfo(t, b, bus.StreamInbound).State.Msgs; n != 1 {
		t.Fatalf("stream holds %d messages, want 1", n)
	}
}

func TestPublishErrors(t *testing.T) {
	t.Parallel()
	b := bustest.New(t)
	if _, err := b.Publish(t.Context(), "aduan.inbound.walkin", "", []byte("x")); !errors.Is(err, bus.ErrNoMsgID) {
		t.Errorf("empty msg id: got %v, want ErrNoMsgID", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	if _, err := b.Publish(ctx, "not.a.stream.subject", "id", []byte("x")); err == nil {
		t.Error("publish to a subject without stream succeeded")
	}
}

func TestPublishEvent(t *testing.T) {
	t.Parallel()
	b := bustest.New(t)
	in := &event.Inbound{
		ID: event.NewID(), Channel: event.ChannelMessenger, Account: "page1", ExternalID: "m_1",
		ConversationKey: "messenger:page1:psid", Sender: event.Sender{ID: "psid"}, Text: "halo",
		ReceivedAt: time.Now().UTC(),
	}
	if _, err := b.PublishEvent(t.Context(), in, in.Subject(), in.MsgID()); err != nil {
		t.Fatal(err)
	}
	s, err := b.JetStream().Stream(t.Context(), bus.StreamInbound)
	if err != nil {
		t.Fatal(err)
	}
	// Stored under its partition (see Config.Partitions).
	raw, err := s.GetLastMsgForSubject(t.Context(), bus.InboundFilter(in.Channel))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(raw.Subject, "."+in.Subject()) {
		t.Errorf("stored under %q, want <partition>.%s", raw.Subject, in.Subject())
	}
	var got event.Inbound
	if err := event.Unmarshal(raw.Data, &got); err != nil {
		t.Fatal(err)
	}
	if got.Text != "halo" || raw.Header.Get(jetstream.MsgIDHeader) != "messenger:page1:m_1" {
		t.Fatalf("got text %q, msg id %q", got.Text, raw.Header.Get(jetstream.MsgIDHeader))
	}
}

func TestRestartKeepsMessages(t *testing.T) {
	t.Parallel()
	cfg := bus.Config{Listen: "127.0.0.1:0", DataDir: t.TempDir()}
	subj := event.InboundSubject(event.ChannelLapor)

	b1 := bustest.Open(t, cfg)
	for _, id := range []string{"a", "b", "c"} {
		publish(t, b1, subj, id, "laporan "+id)
	}
	b1.Close()

	b2 := bustest.Open(t, cfg)
	if n := streamInfo(t, b2, bus.StreamInbound).State.Msgs; n != 3 {
		t.Fatalf("after restart the stream holds %d messages, want 3", n)
	}
	// The de-duplication window survives the restart too.
	if !publish(t, b2, subj, "b", "laporan b") {
		t.Error("republish after restart not reported duplicate")
	}
}

func TestExternalURL(t *testing.T) {
	t.Parallel()
	server := bustest.New(t)
	client := bustest.Open(t, server.ClientConfig())
	if client.ClientURL() != server.ClientURL() {
		t.Errorf("client URL %q, want %q", client.ClientURL(), server.ClientURL())
	}
	publish(t, client, "aduan.complaint.submitted", "c1", "{}")
	if n := streamInfo(t, server, bus.StreamComplaints).State.Msgs; n != 1 {
		t.Fatalf("server sees %d messages, want 1", n)
	}
}

func TestClientURLAcceptsPlainClients(t *testing.T) {
	t.Parallel()
	b := bustest.New(t)
	nc, err := nats.Connect(b.ClientURL(), nats.UserInfo(bustest.User, bustest.Password))
	if err != nil {
		t.Fatalf("connect to %s: %v", b.ClientURL(), err)
	}
	defer nc.Close()
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
}

// TestEmbeddedServerRefusesStrangers: the embedded server used to take any
// local client, which could read INBOUND (NIKs), the attachments object
// store (KTP photos, unaudited) and publish forged inbound events. Now it
// admits its configured user only, and the bus itself still works.
func TestEmbeddedServerRefusesStrangers(t *testing.T) {
	t.Parallel()
	b := bustest.New(t)
	publish(t, b, "aduan.inbound.whatsapp", "w1", `{"text":"NIK saya 1971015708900003"}`)
	if _, _, _, err := b.PutAttachment(context.Background(), strings.NewReader("ktp"), "ktp.jpg", "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		opts []nats.Option
	}{
		{"no credentials", nil},
		{"wrong password", []nats.Option{nats.UserInfo(bustest.User, "guess")}},
		{"right password, other user", []nats.Option{nats.UserInfo("admin", bustest.Password)}},
		{"token", []nats.Option{nats.Token(bustest.Password)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nc, err := nats.Connect(b.ClientURL(), tt.opts...)
			if err == nil {
				defer nc.Close()
				js, _ := jetstream.New(nc)
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				defer cancel()
				_, readErr := js.Stream(ctx, bus.StreamInbound)
				_, objErr := js.ObjectStore(ctx, bus.AttachmentBucket)
				pubErr := nc.Publish("aduan.inbound.whatsapp", []byte(`{"forged":true}`))
				t.Fatalf("connected: read INBOUND err %v, object store err %v, publish err %v", readErr, objErr, pubErr)
			}
			if !errors.Is(err, nats.ErrAuthorization) && !strings.Contains(strings.ToLower(err.Error()), "authorization") {
				t.Errorf("refused with %v, want an authorization error", err)
			}
		})
	}
	if n := streamInfo(t, b, bus.StreamInbound).State.Msgs; n != 1 {
		t.Errorf("INBOUND holds %d messages, want the 1 published with credentials", n)
	}
}

// TestStoreEncryptedAtRest: the embedded server's files held citizens'
// words and KTP photos in clear. With a store key they are encrypted, also
// a store first written without one; reopened with the key, all is there.
func TestStoreEncryptedAtRest(t *testing.T) {
	t.Parallel()
	const secret = "NIK saya 1971015708900003 nama Siti Aminah"
	tests := []struct {
		name        string
		firstKeyOff bool // the store is first written unencrypted
	}{
		{"encrypted from the start", false},
		{"plaintext store encrypted when opened with a key", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			cfg := bus.Config{Listen: "127.0.0.1:0", DataDir: dir, User: bustest.User, Password: bustest.Password, StoreKey: "kunci-uji"}
			first := cfg
			if tt.firstKeyOff {
				first.StoreKey = ""
			}
			b, err := bus.Open(t.Context(), first, bustest.Logger(t))
			if err != nil {
				t.Fatal(err)
			}
			publish(t, b, "aduan.inbound.whatsapp", "w1", secret)
			key, _, _, err := b.PutAttachment(t.Context(), strings.NewReader(secret+" (foto KTP)"), "ktp.jpg", "image/jpeg")
			if err != nil {
				t.Fatal(err)
			}
			b.Close()
			if tt.firstKeyOff && !filesHold(t, dir, "1971015708900003") {
				t.Fatal("the unencrypted store does not hold the NIK: the test proves nothing")
			}
			b = bustest.Open(t, cfg)
			b.Close() // conversion happens on open; the files are final once closed
			if filesHold(t, dir, "1971015708900003") || filesHold(t, dir, "Siti Aminah") {
				t.Fatal("the store's files hold the message in clear")
			}
			b = bustest.Open(t, cfg)
			if n := streamInfo(t, b, bus.StreamInbound).State.Msgs; n != 1 {
				t.Fatalf("INBOUND holds %d messages after reopening, want 1", n)
			}
			r, _, err := b.GetAttachment(t.Context(), key)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if got, _ := io.ReadAll(r); string(got) != secret+" (foto KTP)" {
				t.Fatalf("attachment read back as %q", got)
			}
		})
	}
}

// filesHold reports whether any file under dir contains s.
func filesHold(t *testing.T, dir, s string) bool {
	t.Helper()
	found := false
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		found = found || bytes.Contains(b, []byte(s))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// A process opening the bus of an unchanged server updates no stream: every
// command opens it, and a stream update racing another process's consumer
// creation trips a data race inside nats-server.
func TestOpenLeavesDeclaredStreamsAlone(t *testing.T) {
	server := bustest.Open(t, bus.Config{Listen: "127.0.0.1:0", DataDir: t.TempDir()})
	adv, err := server.Conn().SubscribeSync("$JS.EVENT.ADVISORY.STREAM.>")
	if err != nil {
		t.Fatal(err)
	}
	bustest.Open(t, server.ClientConfig())
	// Advisories leave in order: the sentinel's creation comes after any
	// update the second Open made.
	if _, err := server.JetStream().CreateStream(t.Context(), jetstream.StreamConfig{Name: "SENTINEL",
		Subjects: []string{"sentinel.>"}, Storage: jetstream.MemoryStorage}); err != nil {
		t.Fatal(err)
	}
	for {
		m, err := adv.NextMsg(10 * time.Second)
		if err != nil {
			t.Fatalf("no advisory of the sentinel stream: %v", err)
		}
		if strings.HasSuffix(m.Subject, ".SENTINEL") {
			return
		}
		t.Errorf("opening an unchanged bus sent %s", m.Subject)
	}
}
