package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/aduan-gateway/aduan/core/bus/bustest"
	"github.com/aduan-gateway/aduan/store/pgtest"
)

// lockedBuffer is a bytes.Buffer safe for the server goroutine to write
// while the test reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startServe runs "aduan serve" in-process with a fresh database, data dir
// and ports, and returns its HTTP address and log.
func startServe(t *testing.T) (httpAddr string, logs *lockedBuffer) {
	t.Helper()
	httpAddr = freeAddr(t)
	t.Setenv("ADUAN_DATABASE_URL", pgtest.URL(t))
	t.Setenv("ADUAN_DATA_DIR", t.TempDir())
	t.Setenv("ADUAN_NATS_URL", "")
	t.Setenv("ADUAN_NATS_LISTEN", freeAddr(t))
	t.Setenv("ADUAN_HTTP_ADDR", httpAddr)
	t.Setenv("ADUAN_LOG_LEVEL", "debug")
	t.Setenv("ADUAN_LOG_FORMAT", "json")
	ctx, cancel := context.WithCancel(context.Background())
	logs = &lockedBuffer{}
	out := &lockedBuffer{}
	done := make(chan int)
	go func() { done <- run(ctx, []string{"serve"}, out, logs) }()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("serve exited with %d:\n%s", code, logs)
			}
		case <-time.After(30 * time.Second):
			t.Error("serve did not shut down")
		}
	})
	bustest.Eventually(t, 30*time.Second, func() bool {
		return strings.Contains(out.String(), "is running")
	})
	return httpAddr, logs
}

func runCmd(t *testing.T, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	if code := run(context.Background(), args, &out, &errOut); code != 0 {
		t.Fatalf("aduan %s: exit %d\n%s", strings.Join(args, " "), code, errOut.String())
	}
	return out.String()
}

type simOutput struct {
	Duplicate    bool     `json:"duplicate"`
	Replies      []string `json:"replies"`
	Conversation struct {
		Status   string   `json:"status"`
		Missing  []string `json:"missing"`
		Identity struct {
			Nama      string `json:"nama"`
			NIKMasked string `json:"nik_masked"`
			NIKValid  bool   `json:"nik_valid"`
			Alamat    string `json:"alamat"`
			Telepon   string `json:"telepon"`
			FotoKTP   bool   `json:"foto_ktp"`
		} `json:"identity"`
		ComplaintText string  `json:"complaint_text"`
		Ticket        *string `json:"ticket"`
	} `json:"conversation"`
}

func simulateJSON(t *testing.T, args ...string) simOutput {
	t.Helper()
	out := runCmd(t, append([]string{"simulate", "--json", "--wait", "20s"}, args...)...)
	var s simOutput
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("simulate --json printed %q: %v", out, err)
	}
	return s
}

func writePNG(t *testing.T) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 32, 20))
	for x := range 32 {
		img.Set(x, 10, color.RGBA{B: 255, A: 255})
	}
	path := filepath.Join(t.TempDir(), "ktp.png")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestWalkthroughCLI plays the README's walk-through with the real binary's
// commands against a real server.
func TestWalkthroughCLI(t *testing.T) {
	httpAddr, logs := startServe(t)
	const from = "6281234567890"
	wa := []string{"--channel", "whatsapp", "--from", from}

	s := simulateJSON(t, append(wa, "--name", "Siti", "--text", "Halo min, bantuan PKH ibu saya sudah 3 bulan tidak cair")...)
	if s.Duplicate || len(s.Replies) != 1 || s.Conversation.Status != "collecting" {
		t.Fatalf("first message: %+v", s)
	}
	if got := strings.Join(s.Conversation.Missing, ","); got != "nama,nik,alamat,foto_ktp" {
		t.Fatalf("missing after first message = %s", got)
	}
	if s.Conversation.Identity.Telepon != "+"+from || !strings.Contains(s.Conversation.ComplaintText, "PKH") {
		t.Fatalf("first message state: %+v", s.Conversation)
	}

	s = simulateJSON(t, append(wa, "--id", "msg-2", "--text", "Nama: Siti Aminah\nNIK: 1971 0157 0890 0003\nAlamat: Jl. Depati Amir No. 12, Pangkalpinang")...)
	id := s.Conversation.Identity
	if id.Nama != "Siti Aminah" || id.NIKMasked != "1971xxxxxxxx0003" || !id.NIKValid ||
		id.Alamat != "Jl. Depati Amir No. 12, Pangkalpinang" || strings.Join(s.Conversation.Missing, ",") != "foto_ktp" {
		t.Fatalf("after identity message: %+v", s.Conversation)
	}
	if !strings.Contains(strings.Join(s.Replies, ""), "KTP") {
		t.Fatalf("reply does not ask for the KTP: %v", s.Replies)
	}

	// The same message id again: dropped, no second reply.
	s = simulateJSON(t, append(wa, "--id", "msg-2", "--text", "Nama: Siti Aminah")...)
	if !s.Duplicate || len(s.Replies) != 0 {
		t.Fatalf("repeated message id: %+v", s)
	}

	s = simulateJSON(t, append(wa, "--image", writePNG(t))...)
	if s.Conversation.Ticket == nil || *s.Conversation.Ticket != fmt.Sprintf("ADU-%d-000001", time.Now().In(time.FixedZone("WIB", 7*3600)).Year()) {
		t.Fatalf("no ticket after the KTP: %+v", s)
	}
	ticket := *s.Conversation.Ticket
	if !s.Conversation.Identity.FotoKTP || s.Conversation.Status != "submitted" ||
		!strings.Contains(strings.Join(s.Replies, ""), ticket) {
		t.Fatalf("after KTP: %+v", s)
	}

	s = simulateJSON(t, append(wa, "--text", "STATUS "+ticket)...)
	if !strings.Contains(strings.Join(s.Replies, ""), "menunggu verifikasi") {
		t.Fatalf("STATUS reply: %v", s.Replies)
	}

	var list []map[string]any
	if err := json.Unmarshal([]byte(runCmd(t, "complaint", "list", "--json")), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0]["ticket"] != ticket || list[0]["nik_masked"] != "1971xxxxxxxx0003" ||
		list[0]["reporter_name"] != "Siti Aminah" || list[0]["channel"] != "whatsapp" || list[0]["status"] != "menunggu_verifikasi" {
		t.Fatalf("complaint list: %v", list)
	}
	show := runCmd(t, "complaint", "show", ticket)
	if !strings.Contains(show, "PKH") || strings.Contains(show, "1971015708900003") {
		t.Fatalf("complaint show:\n%s", show)
	}

	for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ready", "/metrics": `aduan_complaints_created_total{channel="whatsapp"} 1`} {
		body := get(t, "http://"+httpAddr+path)
		if !strings.Contains(body, want) {
			t.Errorf("GET %s lacks %q:\n%.2000s", path, want, body)
		}
	}
	if !strings.Contains(get(t, "http://"+httpAddr+"/metrics"), `aduan_consumer_lag{consumer="intake",stream="INBOUND"} 0`) {
		t.Error("consumer lag metric missing or not zero")
	}
	// The complaint awaits verification: open, without a due date yet.
	if m := get(t, "http://"+httpAddr+"/metrics"); !strings.Contains(m, `aduan_complaints_open{due_state="none"} 1`) ||
		!strings.Contains(m, `aduan_complaints_open{due_state="overdue"} 0`) {
		t.Error("open complaints by due state missing or wrong")
	}

	// No log line carries the NIK or the phone number in clear.
	for _, secret := range []string{"1971015708900003", "1971 0157 0890 0003", from} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("logs contain %q", secret)
		}
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s\n%s", url, resp.Status, b)
	}
	return string(b)
}

func TestHelpListsCommands(t *testing.T) {
	var out bytes.Buffer
	if code := run(context.Background(), nil, &out, io.Discard); code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, name := range []string{"serve", "migrate", "simulate", "complaint", "version"} {
		if !strings.Contains(out.String(), "  "+name) {
			t.Errorf("help lacks %s:\n%s", name, out.String())
		}
	}
	var errOut bytes.Buffer
	if code := run(context.Background(), []string{"serve", "--help"}, io.Discard, &errOut); code != 0 {
		t.Fatalf("serve --help exit %d", code)
	}
	if !strings.Contains(errOut.String(), "ADUAN_DATABASE_URL") {
		t.Errorf("serve --help does not list the configuration:\n%s", errOut.String())
	}
	if code := run(context.Background(), []string{"nope"}, io.Discard, io.Discard); code != 2 {
		t.Errorf("unknown command exit %d, want 2", code)
	}
}

// TestRedactWriter includes the NIK masking bypass: a NIK written with wide
// gaps (as the extractor still reads it) was logged in clear.
func TestRedactWriter(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"msg":"nik 1971015708900003 invalid"}`, `{"msg":"nik 1971xxxxxxxx0003 invalid"}`},
		{`phone +6281234567890`, `phone +628xxxxxxx890`},
		{`{"msg":"NIK saya 1971  0157  0890  0003"}`, `{"msg":"NIK saya 1971xxxxxxxx0003"}`},
		{`{"text":"nik 1971\t0157\t0890\t0003"}`, `{"text":"nik 1971xxxxxxxx0003"}`},
		{`{"text":"1971 - 0157 - 0890 - 0003"}`, `{"text":"1971xxxxxxxx0003"}`},
		{`port 4223 at 2026-11-27T17:53:33Z count 123456789`, `port 4223 at 2026-11-27T17:53:33Z count 123456789`},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		n, err := redactWriter{w: &b}.Write([]byte(tt.in))
		if err != nil || n != len(tt.in) || b.String() != tt.want {
			t.Errorf("redact(%q) = %q (n=%d, err=%v), want %q", tt.in, b.String(), n, err, tt.want)
		}
	}
}

// TestWrongNIKKeyRefusedAtStart: with another NIK key than the one the
// database's NIKs are encrypted with, every command that opens the store
// (serve among them) refuses to start and says why, instead of saying ready
// and dead-lettering returning reporters' messages.
func TestWrongNIKKeyRefusedAtStart(t *testing.T) {
	t.Setenv("ADUAN_DATABASE_URL", pgtest.URL(t))
	t.Setenv("ADUAN_DATA_DIR", t.TempDir())
	t.Setenv("ADUAN_NATS_URL", "")
	t.Setenv("ADUAN_NATS_LISTEN", freeAddr(t))
	t.Setenv("ADUAN_HTTP_ADDR", freeAddr(t))
	runCmd(t, "complaint", "list") // records the generated key's check
	t.Setenv("ADUAN_NIK_KEY", strings.Repeat("ab", 32))
	for _, args := range [][]string{{"complaint", "list"}, {"serve", "--roles=core"}} {
		var errOut bytes.Buffer
		// A serve that starts anyway runs until this ends, and exits 0.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		code := run(ctx, args, io.Discard, &errOut)
		cancel()
		if code == 0 || !strings.Contains(errOut.String(), "NIK key") {
			t.Errorf("aduan %s with another NIK key: exit %d, stderr %q; want refused naming the NIK key",
				strings.Join(args, " "), code, errOut.String())
		}
	}
}

// TestServeNATSRefusesStrangers: the embedded NATS of `aduan serve` admits
// only the password generated in the data dir's secrets, which the commands
// (simulate here) use too.
func TestServeNATSRefusesStrangers(t *testing.T) {
	startServe(t)
	url := "nats://" + os.Getenv("ADUAN_NATS_LISTEN")
	if nc, err := nats.Connect(url); err == nil {
		nc.Close()
		t.Fatal("a client without credentials connected to the embedded NATS")
	}
	pw, err := os.ReadFile(filepath.Join(os.Getenv("ADUAN_DATA_DIR"), "secrets", "nats.password"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"nats.password", "jetstream.key"} {
		if fi, err := os.Stat(filepath.Join(os.Getenv("ADUAN_DATA_DIR"), "secrets", name)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("secrets/%s: %v, %v; want mode 0600", name, fi, err)
		}
	}
	nc, err := nats.Connect(url, nats.UserInfo("aduan", strings.TrimSpace(string(pw))))
	if err != nil {
		t.Fatalf("with the generated password: %v", err)
	}
	nc.Close()
	if out := runCmd(t, "simulate", "--from", "6281234500099", "--text", "halo", "--json"); !strings.Contains(out, `"replies"`) {
		t.Fatalf("simulate output:\n%s", out)
	}
}
