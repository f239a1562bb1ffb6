package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/core/bus/bustest"
	"github.com/aduan-gateway/aduan/store"
)

// TestMetaRoleAndSendWebhook serves Aduan with the meta role on, then plays
// Meta with `aduan meta send-webhook`: a signed payload is stored and
// answered through the (fake) Graph API, a replay is de-duplicated, --fresh
// makes a new message, and a wrong secret is refused.
func TestMetaRoleAndSendWebhook(t *testing.T) {
	var sends atomic.Int32
	graph := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/me/messages") {
			http.NotFound(w, r)
			return
		}
		n := sends.Add(1)
		fmt.Fprintf(w, `{"recipient_id":"7788990011223344","message_id":"m_cmdtest%d"}`, n)
	}))
	defer graph.Close()
	t.Setenv("ADUAN_META_PAGES", "1122334455=token-uji")
	t.Setenv("ADUAN_META_APP_SECRET", "rahasia-uji")
	t.Setenv("ADUAN_META_VERIFY_TOKEN", "verifikasi-uji")
	t.Setenv("ADUAN_META_GRAPH_URL", graph.URL)
	t.Setenv("ADUAN_META_PROFILE_LOOKUP", "false")
	t.Setenv("ADUAN_FETCH_ALLOW_PRIVATE", "true") // fakes on 127.0.0.1
	addr, _ := startServe(t)
	url := "http://" + addr + "/webhooks/meta"
	payload := "../../adapters/meta/testdata/messenger_text.json"

	out := runCmd(t, "meta", "send-webhook", "--url", url, payload)
	if !strings.Contains(out, "HTTP 200") {
		t.Fatalf("send-webhook printed %q", out)
	}
	runCmd(t, "meta", "send-webhook", "--url", url, payload)            // the same mid again
	runCmd(t, "meta", "send-webhook", "--url", url, "--fresh", payload) // a new one

	ctx := context.Background()
	cfg, err := loadConfig()
	if err != nil {
		t.Fatal(err)
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var count int
	bustest.Eventually(t, 20*time.Second, func() bool {
		count, _ = st.CountMessages(ctx, 0, "in")
		return count >= 2
	})
	m, err := st.InboundByExternalID(ctx, "messenger", "1122334455", "m_Hk3xN9WqPz01bQ2vR7sL0aYc4eTgUjOiKmFd8hX1pSw5")
	if err != nil || !strings.Contains(m.Text, "PKH") {
		t.Fatalf("payload message not stored: %v", err)
	}
	bustest.Eventually(t, 20*time.Second, func() bool { return sends.Load() >= 2 })
	if count != 2 {
		t.Fatalf("%d inbound messages stored, want 2 (the replay is a duplicate)", count)
	}
	bustest.Eventually(t, 20*time.Second, func() bool {
		d, err := st.DeliveryOf(ctx, firstReplyID(t, st, m))
		return err == nil && d.Status == "sent"
	})

	t.Setenv("ADUAN_META_APP_SECRET", "rahasia-lain")
	var stdout, stderr bytes.Buffer
	if code := run(ctx, []string{"meta", "send-webhook", "--url", url, payload}, &stdout, &stderr); code == 0 ||
		!strings.Contains(stdout.String(), "HTTP 403") {
		t.Fatalf("wrong secret: exit %d, printed %q", code, stdout.String())
	}
}

func firstReplyID(t *testing.T, st *store.Store, m *store.Message) string {
	t.Helper()
	replies, err := st.RepliesTo(context.Background(), m.ID)
	if err != nil || len(replies) == 0 {
		t.Fatalf("no reply stored: %v", err)
	}
	return replies[0].EventID
}

func TestFreshen(t *testing.T) {
	in := []byte(`{"object":"page","entry":[{"id":"1","time":1,"messaging":[{"sender":{"id":"2"},"timestamp":5,"message":{"mid":"m_1","text":"mid"}}]}]}`)
	now := time.UnixMilli(1800000000000)
	out, err := freshen(in, now)
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	if strings.Contains(s, `"mid":"m_1"`) || !strings.Contains(s, `"mid":"m_1.`) || !strings.Contains(s, `"text":"mid"`) {
		t.Fatalf("mid not made unique (or text touched): %s", s)
	}
	if strings.Count(s, "1800000000000") != 2 || !strings.Contains(s, `"id":"1"`) {
		t.Fatalf("times not set to now (or ids touched): %s", s)
	}
	if _, err := freshen([]byte("bukan json"), now); err == nil {
		t.Fatal("non-JSON accepted")
	}
}
