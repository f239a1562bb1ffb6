package meta

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/core/bus/bustest"
	"github.com/aduan-gateway/aduan/core/event"
)

// cdnFake serves files the way Meta's CDN does, plus the failures the
// fetcher must survive.
type cdnFake struct {
	srv   *httptest.Server
	hits  sync.Map // path → *atomic.Int32
	gate  chan struct{}
	files map[string][]byte
}

// mp4Clip is the start of an MP4 container (ftyp box), as Messenger voice clips are.
var mp4Clip = append([]byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"), make([]byte, 64)...)

func newCDNFake(t *testing.T) *cdnFake {
	c := &cdnFake{gate: make(chan struct{}), files: map[string][]byte{
		"ktp.jpg":   readTestdata(t, "files/ktp.jpg"),
		"surat.pdf": readTestdata(t, "files/surat.pdf"),
		"page.html": readTestdata(t, "files/expired.html"),
	}}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := c.hits.LoadOrStore(r.URL.Path, new(atomic.Int32))
		hit := n.(*atomic.Int32).Add(1)
		// The first path segment picks the behaviour; the rest is the CDN's own path.
		name, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		switch {
		case name == "expired.jpg":
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, "URL signature expired")
		case name == "big.jpg":
			w.Header().Set("Content-Type", "image/jpeg")
			w.Write(append(c.files["ktp.jpg"], make([]byte, 2<<20)...))
		case name == "flaky.jpg" && hit == 1, name == "down.jpg":
			w.WriteHeader(http.StatusBadGateway)
		case name == "flaky.jpg":
			w.Header().Set("Content-Type", "image/jpeg")
			w.Write(c.files["ktp.jpg"])
		case name == "clip.mp4":
			w.Header().Set("Content-Type", "video/mp4")
			w.Write(mp4Clip)
		case name == "slow.jpg":
			<-c.gate
			w.Header().Set("Content-Type", "image/jpeg")
			w.Write(c.files["ktp.jpg"])
		case name == "disguised.jpg": // an HTML page claiming to be an image
			w.Header().Set("Content-Type", "image/jpeg")
			w.Write(c.files["page.html"])
		case c.files[name] != nil:
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Write(c.files[name])
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(c.srv.Close)
	t.Cleanup(func() {
		select {
		case <-c.gate:
		default:
			close(c.gate)
		}
	})
	return c
}

func (c *cdnFake) hitCount(path string) int32 {
	n, ok := c.hits.Load(path)
	if !ok {
		return 0
	}
	return n.(*atomic.Int32).Load()
}

// runFetcher starts the harness's fetch workers until the test ends.
func (h *harness) runFetcher(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := h.w.RunFetcher(ctx); err != nil {
			t.Error(err)
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
}

// waitInbound waits for the inbound message whose external id starts with ext.
func (h *harness) waitInbound(t *testing.T, ext string) *event.Inbound {
	t.Helper()
	var found *event.Inbound
	bustest.Eventually(t, 10*time.Second, func() bool {
		for _, m := range h.published() {
			if !strings.HasPrefix(m.Subject, event.SubjectInboundPrefix) {
				continue
			}
			var in event.Inbound
			if err := event.Unmarshal(m.Data, &in); err == nil && strings.HasPrefix(in.ExternalID, ext) {
				found = &in
			}
		}
		return found != nil
	})
	return found
}

func TestFetchAttachments(t *testing.T) {
	h := newHarness(t, testConfig("http://127.0.0.1:1/"))
	h.runFetcher(t)
	cdn := newCDNFake(t)
	const cdnURL = "https://scontent.xx.fbcdn.net/v/t1.15752-9/468123456_1122_n.jpg?_nc_cat=104&ccb=1-7&oh=00_AYC&oe=67A1B2C3"
	// payload re-points a testdata file's CDN link at the fake (keeping its
	// path and query) and gives it a fresh mid.
	payload := func(file, link, path, newMID string) []byte {
		u, err := url.Parse(link)
		if err != nil {
			t.Fatal(err)
		}
		s := strings.Replace(string(readTestdata(t, file)), link, cdn.srv.URL+"/"+path+u.Path+"?"+u.RawQuery, 1)
		return []byte(strings.Replace(s, `"mid": "`, `"mid": "`+newMID, 1))
	}
	tests := []struct {
		name, file, link, path string
		want                   string // attachment summary
	}{
		{"photo", "messenger_image.json", cdnURL, "ktp.jpg", "image:468123456_1122_n.jpg:image/jpeg:1050"},
		{"pdf by its bytes", "messenger_file.json", "https://cdn.fbsbx.com/v/t59.2708-21/surat_keterangan_tidak_mampu.pdf/surat_keterangan_tidak_mampu.pdf?_nc_cat=1&oh=03_Q7c&oe=67A1B2C3",
			"surat.pdf", "document:surat_keterangan_tidak_mampu.pdf:application/pdf:142"},
		{"voice clip in an mp4 container", "messenger_audio.json", "https://cdn.fbsbx.com/v/t59.3654-21/audioclip-1764221399000-2741.mp4/audioclip-1764221399000-2741.mp4?_nc_cat=1&oh=03_Q7d",
			"clip.mp4", "audio:audioclip-1764221399000-2741.mp4:audio/mp4:88"},
		{"story mention becomes an image", "instagram_story_mention.json", "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=1790000002&signature=Yw",
			"ktp.jpg", `image:story_mention-1.jpg:image/jpeg:1050 caption="story Instagram yang menyebut akun kantor"`},
		{"retried after a 502", "messenger_image.json", cdnURL, "flaky.jpg", "image:468123456_1122_n.jpg:image/jpeg:1050"},
		{"expired link", "messenger_image.json", cdnURL, "expired.jpg",
			`image:468123456_1122_n.jpg error="the file link was refused (HTTP 403); it may have expired, ask the citizen to send the file again"`},
		{"web page posing as a photo", "messenger_image.json", cdnURL, "disguised.jpg",
			`image:468123456_1122_n.jpg error="the link returned a web page, not a file; it may have expired"`},
		{"too large", "messenger_image.json", cdnURL, "big.jpg",
			`image:468123456_1122_n.jpg error="file exceeds the limit of 1048576 bytes"`},
		{"CDN down through every attempt", "messenger_image.json", cdnURL, "down.jpg",
			`image:468123456_1122_n.jpg error="Meta's CDN answered HTTP 502"`},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prefix := "fetch" + string(rune('a'+i))
			body := payload(tt.file, tt.link, tt.path, prefix)
			if code := h.postSigned(body); code != http.StatusOK {
				t.Fatalf("status %d", code)
			}
			in := h.waitInbound(t, prefix)
			if len(in.Attachments) != 1 {
				t.Fatalf("%d attachments", len(in.Attachments))
			}
			a := in.Attachments[0]
			got := string(a.Kind) + ":" + a.Filename
			if a.MIME != "" {
				got += ":" + a.MIME
			}
			if a.Size != 0 {
				got += ":" + strconv.FormatInt(a.Size, 10)
			}
			if a.Caption != "" {
				got += " caption=" + strconv.Quote(a.Caption)
			}
			if a.Error != "" {
				got += " error=" + strconv.Quote(a.Error)
			}
			if got != tt.want {
				t.Fatalf("attachment %s\nwant       %s", got, tt.want)
			}
			if a.Error != "" {
				if a.ObjectKey != "" {
					t.Fatal("a failed download has an object key")
				}
				return
			}
			r, info, err := h.b.GetAttachment(context.Background(), a.ObjectKey)
			if err != nil {
				t.Fatal(err)
			}
			stored, _ := io.ReadAll(r)
			r.Close()
			if int64(len(stored)) != a.Size || info.SHA256 != a.SHA256 || a.ObjectKey != "sha256/"+a.SHA256 {
				t.Fatalf("stored %d bytes under %s (sha %s); event says %d, %s", len(stored), a.ObjectKey, info.SHA256, a.Size, a.SHA256)
			}
		})
	}
	if n := cdn.hitCount("/down.jpg/v/t1.15752-9/468123456_1122_n.jpg"); n != fetchAttempts {
		t.Errorf("CDN down: %d download attempts, want %d", n, fetchAttempts)
	}
}

// TestFetchDoesNotHoldTheWebhook: the webhook answers while the CDN is
// still sending the file; the message follows once the file is stored.
func TestFetchDoesNotHoldTheWebhook(t *testing.T) {
	h := newHarness(t, testConfig("http://127.0.0.1:1/"))
	h.runFetcher(t)
	cdn := newCDNFake(t)
	body := []byte(strings.Replace(string(readTestdata(t, "messenger_image.json")),
		"https://scontent.xx.fbcdn.net/v/t1.15752-9/468123456_1122_n.jpg", cdn.srv.URL+"/slow.jpg", 1))
	start := time.Now()
	if code := h.postSigned(body); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	if took := time.Since(start); took > 300*time.Millisecond {
		t.Fatalf("webhook answered after %v while the download was pending", took)
	}
	bustest.Eventually(t, 5*time.Second, func() bool { return cdn.hitCount("/slow.jpg") == 1 })
	for _, m := range h.published() {
		if strings.HasPrefix(m.Subject, event.SubjectInboundPrefix) {
			t.Fatal("message published before its file was stored")
		}
	}
	close(cdn.gate)
	in := h.waitInbound(t, mid("02"))
	if len(in.Attachments) != 1 || in.Attachments[0].ObjectKey == "" {
		t.Fatalf("attachment %+v, want stored", in.Attachments)
	}
}

// TestSenderOrderBehindSlowDownload: a citizen's text sent after a photo
// whose download is slow reaches the core after the photo; another
// citizen's text does not wait for that download.
func TestSenderOrderBehindSlowDownload(t *testing.T) {
	h := newHarness(t, testConfig("http://127.0.0.1:1/"))
	h.runFetcher(t)
	cdn := newCDNFake(t)
	post := func(body string) {
		t.Helper()
		if code := h.postSigned([]byte(body)); code != http.StatusOK {
			t.Fatalf("status %d", code)
		}
	}
	var stored []string // external ids published to INBOUND, in order
	read := func() {
		for _, m := range h.published() {
			var in event.Inbound
			if strings.HasPrefix(m.Subject, event.SubjectInboundPrefix) && event.Unmarshal(m.Data, &in) == nil {
				stored = append(stored, in.ExternalID)
			}
		}
	}
	text := string(readTestdata(t, "messenger_text.json"))
	post(strings.Replace(string(readTestdata(t, "messenger_image.json")),
		"https://scontent.xx.fbcdn.net/v/t1.15752-9/468123456_1122_n.jpg", cdn.srv.URL+"/slow.jpg", 1))
	bustest.Eventually(t, 5*time.Second, func() bool { return cdn.hitCount("/slow.jpg") == 1 })
	post(text)
	post(strings.ReplaceAll(strings.Replace(text, mid("01"), mid("41"), 1), "7788990011223344", "7788990011229999"))
	bustest.Eventually(t, 10*time.Second, func() bool { read(); return slices.Contains(stored, mid("41")) })
	if slices.Contains(stored, mid("01")) || slices.Contains(stored, mid("02")) {
		t.Fatalf("stored %v while the photo was still downloading, want only the other citizen's text", stored)
	}
	close(cdn.gate)
	bustest.Eventually(t, 10*time.Second, func() bool { read(); return slices.Contains(stored, mid("01")) })
	if i, j := slices.Index(stored, mid("02")), slices.Index(stored, mid("01")); i < 0 || i > j {
		t.Errorf("stored %v, want the photo (%s) before the text sent after it", stored, mid("02"))
	}
}
