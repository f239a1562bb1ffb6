package cloudapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"

	"github.com/aduan-gateway/aduan/config"
	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/event"
)

const (
	token         = "EAAtokenrahasia"
	phoneNumberID = "106540352242922"
	ourNumber     = "6281100000000"
	citizen       = "6281234567890"
)

// graphFake speaks the Cloud API's wire format on a loopback port: media
// look-ups, media downloads (with the bearer token, like lookaside.fbsbx.com)
// and message sends. Files come from ../testdata by media id.
type graphFake struct {
	t     *testing.T
	srv   *httptest.Server
	media map[string]string // media id → file under ../testdata

	mu sync.Mutex
	// sends holds the decoded bodies of POST /{phone-number-id}/messages.
	sends []map[string]any
	// sendAnswers are served in turn (file name under testdata and HTTP
	// status); past the end, send_ok.json with 200.
	sendAnswers []answer
	// mediaFailures makes the first N media look-ups answer 500.
	mediaFailures int
	lookups       int
}

type answer struct {
	file   string
	status int
}

func newGraphFake(t *testing.T) *graphFake {
	f := &graphFake{t: t, media: map[string]string{
		"1003383421387256": "ktp.jpg", "1003383421387257": "surat.pdf", "1003383421387258": "voice.ogg",
	}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v23.0/{id}", f.lookup)
	mux.HandleFunc("GET /whatsapp_business/attachments/", f.download)
	mux.HandleFunc("POST /v23.0/{pnid}/messages", f.send)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *graphFake) authorized(w http.ResponseWriter, r *http.Request) bool {
	if r.Header.Get("Authorization") != "Bearer "+token {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"error":{"message":"Invalid OAuth access token.","type":"OAuthException","code":190,"fbtrace_id":"x"}}`)
		return false
	}
	return true
}

func (f *graphFake) lookup(w http.ResponseWriter, r *http.Request) {
	if !f.authorized(w, r) {
		return
	}
	f.mu.Lock()
	f.lookups++
	fail := f.lookups <= f.mediaFailures
	f.mu.Unlock()
	if fail {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, `{"error":{"message":"An unknown error has occurred.","type":"OAuthException","code":1,"fbtrace_id":"y"}}`)
		return
	}
	id := r.PathValue("id")
	name, ok := f.media[id]
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"error":{"message":"Unsupported get request.","type":"GraphMethodException","code":100,"error_subcode":33,"fbtrace_id":"z"}}`)
		return
	}
	data := mediaFile(f.t, name)
	sum := sha256.Sum256(data)
	body := string(readTestdata(f.t, "media_ktp.json"))
	body = strings.NewReplacer("MEDIA_URL", f.srv.URL, "1003383421387256", id, "SHA_KTP", hex.EncodeToString(sum[:]),
		"FILE_SIZE", strconv.Itoa(len(data)), "image/jpeg", mimeOf(name)).Replace(body)
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, body)
}

func (f *graphFake) download(w http.ResponseWriter, r *http.Request) {
	if !f.authorized(w, r) {
		return
	}
	name, ok := f.media[r.URL.Query().Get("mid")]
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", mimeOf(name))
	_, _ = w.Write(mediaFile(f.t, name))
}

func (f *graphFake) send(w http.ResponseWriter, r *http.Request) {
	if !f.authorized(w, r) {
		return
	}
	if r.PathValue("pnid") != phoneNumberID || r.Header.Get("Content-Type") != "application/json" {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.sends = append(f.sends, body)
	a := answer{"send_ok.json", http.StatusOK}
	if len(f.sendAnswers) > 0 {
		a, f.sendAnswers = f.sendAnswers[0], f.sendAnswers[1:]
	}
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(a.status)
	_, _ = w.Write(readTestdata(f.t, a.file))
}

func (f *graphFake) sent() []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]map[string]any(nil), f.sends...)
}

func mimeOf(name string) string {
	switch filepath.Ext(name) {
	case ".pdf":
		return "application/pdf"
	case ".ogg":
		return "audio/ogg"
	}
	return "image/jpeg"
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// mediaFile reads a file shared with the whatsmeow tests.
func mediaFile(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func testConfig(graphURL string) *config.Config {
	c := &config.Config{}
	c.Meta.GraphURL, c.Meta.GraphVersion = graphURL+"/", "v23.0"
	c.Meta.GraphTimeout, c.Meta.DownloadTimeout = 5*time.Second, 5*time.Second
	c.Meta.FetchAllowPrivate = true // the fake's downloads are on 127.0.0.1
	c.WhatsApp = config.WhatsAppConfig{Transport: config.WhatsAppTransportCloudAPI, SendAttempts: 3,
		MaxAttachmentSize: 1 << 20, CloudPhoneNumberID: phoneNumberID, CloudToken: token}
	return c
}

func testOptions(now time.Time) Options {
	return Options{Log: zerolog.Nop(), Backoff: []time.Duration{50 * time.Millisecond}, Now: func() time.Time { return now }}
}

// run starts fn until the test ends.
func run(t *testing.T, fn func(ctx context.Context) error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- fn(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
}

// reader reads a stream's messages in order, from the start.
type reader struct {
	t    *testing.T
	cons jetstream.Consumer
}

func newReader(t *testing.T, b *bus.Bus, stream, subject string) *reader {
	t.Helper()
	cons, err := b.JetStream().OrderedConsumer(context.Background(), stream, jetstream.OrderedConsumerConfig{FilterSubjects: []string{subject}})
	if err != nil {
		t.Fatal(err)
	}
	return &reader{t: t, cons: cons}
}

func (r *reader) next(into event.Event) {
	r.t.Helper()
	msg, err := r.cons.Next(jetstream.FetchMaxWait(5 * time.Second))
	if err != nil {
		r.t.Fatalf("no message: %v", err)
	}
	if err := event.Unmarshal(msg.Data(), into); err != nil {
		r.t.Fatal(err)
	}
}

func (r *reader) none() {
	r.t.Helper()
	if msg, err := r.cons.Next(jetstream.FetchMaxWait(200 * time.Millisecond)); err == nil {
		r.t.Fatalf("unexpected message: %s", msg.Data())
	}
}
