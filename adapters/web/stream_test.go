package web

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/core/event"
)

// openStream opens the live stream at base for c and returns its lines
// once connected.
func (c *client) openStream(ctx context.Context, base string) *bufio.Scanner {
	c.t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "GET", base+Prefix+"/events", nil)
	req.Header.Set("Accept", "text/event-stream")
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() { res.Body.Close() })
	if res.StatusCode != http.StatusOK {
		c.t.Fatalf("live stream: status %d", res.StatusCode)
	}
	lines := bufio.NewScanner(res.Body)
	lines.Scan() // retry:
	lines.Scan() // : connected
	return lines
}

// TestLiveStreamOutlivesServerTimeouts: the server cuts slow requests
// after its read and write timeouts, but the live stream moves its own
// deadlines, so a change long after them still arrives.
func TestLiveStreamOutlivesServerTimeouts(t *testing.T) {
	t.Parallel() // its own database and NATS server
	e := newEnv(t)
	c := e.signIn("siti", RoleAdmin)
	ts := httptest.NewUnstartedServer(e.srv.Handler())
	ts.Config.ReadTimeout = 200 * time.Millisecond
	ts.Config.WriteTimeout = 200 * time.Millisecond
	ts.Start()
	defer ts.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	lines := c.openStream(ctx, ts.URL)
	// Let both timeouts pass; nothing else tells the stream to stay.
	<-time.After(4 * ts.Config.WriteTimeout)
	conv := e.citizen(event.ChannelWhatsApp, "6281234500031", "Pesan setelah batas waktu server")
	want := `data: {"conversation_id":` + idString(conv) + `,"what":"message"}`
	for lines.Scan() {
		if lines.Text() == want {
			return
		}
	}
	t.Fatalf("stream ended without %s: %v", want, lines.Err())
}

// TestLiveStreamEndsAtSignOut: signing out closes the open live stream of
// that session at once; another officer's stays open.
func TestLiveStreamEndsAtSignOut(t *testing.T) {
	t.Parallel() // its own database and NATS server
	e := newEnv(t)
	c := e.signIn("siti", RoleAdmin)
	other := e.signIn("budi", RoleAdmin)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	lines := c.openStream(ctx, e.ts.URL)
	otherLines := other.openStream(ctx, e.ts.URL)
	if res := c.postForm(Prefix+"/logout", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", res.StatusCode)
	}
	for lines.Scan() {
		if len(lines.Text()) > 0 && lines.Text()[0] != ':' {
			t.Fatalf("signed-out stream still sends %q", lines.Text())
		}
	}
	if ctx.Err() != nil {
		t.Fatal("stream still open after sign-out")
	}
	conv := e.citizen(event.ChannelWhatsApp, "6281234500032", "Pesan untuk petugas lain")
	want := `data: {"conversation_id":` + idString(conv) + `,"what":"message"}`
	for otherLines.Scan() {
		if otherLines.Text() == want {
			return
		}
	}
	t.Fatalf("the other officer's stream ended without %s", want)
}

// TestCutBodyNotActedOn: a form body cut off by the server's read timeout
// is refused, not stored as the shorter text that did arrive.
func TestCutBodyNotActedOn(t *testing.T) {
	t.Parallel() // its own database and NATS server
	e := newEnv(t)
	c := e.signIn("siti", RoleAdmin)
	conv := e.citizen(event.ChannelWhatsApp, "6281234500033", "Halo")
	ts := httptest.NewUnstartedServer(e.srv.Handler())
	ts.Config.ReadTimeout = 300 * time.Millisecond
	ts.Start()
	defer ts.Close()
	pr, pw := io.Pipe()
	go func() {
		io.WriteString(pw, "csrf="+url.QueryEscape(c.csrf)+"&text=Jangan+dikirim&more=")
		<-time.After(3 * ts.Config.ReadTimeout) // a slow client is the case under test
		io.WriteString(pw, "x")
		pw.Close()
	}()
	req, _ := http.NewRequest(http.MethodPost, ts.URL+convPath(conv, "/notes"), pr)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := c.http.Do(req)
	if err == nil {
		res.Body.Close()
		if res.StatusCode != http.StatusBadRequest {
			t.Fatalf("cut body answered %d, want 400", res.StatusCode)
		}
	}
	if _, body := c.get(convPath(conv, "")); strings.Contains(body, "Jangan dikirim") {
		t.Fatal("the cut form was acted on: its note is stored")
	}
}
