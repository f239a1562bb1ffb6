package meta

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/bus/bustest"
	"github.com/aduan-gateway/aduan/core/event"
)

// senderHarness runs a Sender against the Graph fake on a real bus.
type senderHarness struct {
	t     *testing.T
	b     *bus.Bus
	s     *Sender
	graph *graphFake
	sub   *nats.Subscription
	now   time.Time
}

func newSenderHarness(t *testing.T) *senderHarness {
	t.Helper()
	cfg := testConfig("")
	g := newGraphFake(t, cfg.Pages)
	cfg.GraphURL = g.URL()
	b := bustest.New(t)
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	s := NewSender(cfg, b, SenderOptions{
		Options: Options{Log: bustest.Logger(t), Now: func() time.Time { return now }},
		Backoff: []time.Duration{10 * time.Millisecond},
	})
	sub, err := b.Conn().SubscribeSync(event.SubjectDeliveryPrefix + ">")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sub.Unsubscribe() })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := s.Run(ctx); err != nil {
			t.Error(err)
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
	return &senderHarness{t: t, b: b, s: s, graph: g, sub: sub, now: now}
}

// send publishes out and returns the delivery report it leads to.
func (h *senderHarness) send(out *event.Outbound) event.Delivery {
	h.t.Helper()
	ctx := context.Background()
	if _, err := h.b.PublishEvent(ctx, out, out.Subject(), out.ID); err != nil {
		h.t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		m, err := h.sub.NextMsg(time.Until(deadline))
		if err != nil {
			break
		}
		var d event.Delivery
		if err := event.Unmarshal(m.Data, &d); err != nil {
			h.t.Fatal(err)
		}
		if d.OutboundID == out.ID {
			return d
		}
	}
	h.t.Fatalf("no delivery report for outbound %s", out.ID)
	return event.Delivery{}
}

func TestSender(t *testing.T) {
	h := newSenderHarness(t)
	ago := func(d time.Duration) time.Time { return h.now.Add(-d) }
	long := strings.Repeat("Mohon maaf atas keterlambatan bantuan. ", 60) // 2340 characters
	reply := func(file string, status int, times int) func(graphRequest, int) (int, string) {
		return func(_ graphRequest, n int) (int, string) {
			if times < 0 || n < times {
				return status, file
			}
			return 0, ""
		}
	}
	type sentWant struct {
		account, typ, tag string
		metadata          bool
	}
	tests := []struct {
		name   string
		out    event.Outbound
		reply  func(graphRequest, int) (int, string)
		status event.DeliveryStatus
		// requests is how many Send API calls are expected.
		requests  int
		want      sentWant
		reason    string // a part of the failure reason
		retryable bool
	}{
		{"bot reply within 24 hours", event.Outbound{Channel: event.ChannelMessenger, Account: pageID, Recipient: psid,
			Text: "Terima kasih, pesan Anda sudah kami terima.", Origin: event.OriginBot, CustomerLastMessageAt: ago(time.Hour)},
			nil, event.DeliverySent, 1, sentWant{pageID, "RESPONSE", "", true}, "", false},
		{"staff reply after 24 hours uses HUMAN_AGENT", event.Outbound{Channel: event.ChannelMessenger, Account: pageID, Recipient: psid,
			Text: "Bu, petugas kami akan berkunjung besok.", Origin: event.OriginAgent, Author: "admin1", CustomerLastMessageAt: ago(3 * 24 * time.Hour)},
			nil, event.DeliverySent, 1, sentWant{pageID, "MESSAGE_TAG", "HUMAN_AGENT", true}, "", false},
		{"bot reply after 24 hours is not sent", event.Outbound{Channel: event.ChannelMessenger, Account: pageID, Recipient: psid,
			Text: "Status laporan Anda: menunggu verifikasi.", Origin: event.OriginBot, CustomerLastMessageAt: ago(25 * time.Hour)},
			nil, event.DeliveryFailed, 0, sentWant{}, "24-hour window", false},
		{"staff reply after 7 days is not sent", event.Outbound{Channel: event.ChannelMessenger, Account: pageID, Recipient: psid,
			Text: "Bu, laporan sudah selesai.", Origin: event.OriginAgent, CustomerLastMessageAt: ago(8 * 24 * time.Hour)},
			nil, event.DeliveryFailed, 0, sentWant{}, "within 7 days", false},
		{"instagram reply without metadata", event.Outbound{Channel: event.ChannelInstagram, Account: igID, Recipient: igsid,
			Text: "Halo kak, silakan kirim foto KTP ya.", Origin: event.OriginBot, CustomerLastMessageAt: ago(time.Minute)},
			nil, event.DeliverySent, 1, sentWant{igID, "RESPONSE", "", false}, "", false},
		{"long reply in two parts", event.Outbound{Channel: event.ChannelMessenger, Account: pageID, Recipient: psid,
			Text: long, Origin: event.OriginBot, CustomerLastMessageAt: ago(time.Minute)},
			nil, event.DeliverySent, 2, sentWant{pageID, "RESPONSE", "", true}, "", false},
		{"rate limit, then sent", event.Outbound{Channel: event.ChannelMessenger, Account: pageID, Recipient: psid2,
			Text: "Baik.", Origin: event.OriginBot, CustomerLastMessageAt: ago(time.Minute)},
			reply("rate_limit.json", http.StatusBadRequest, 1), event.DeliverySent, 2, sentWant{pageID, "RESPONSE", "", true}, "", false},
		{"transient error until attempts run out", event.Outbound{Channel: event.ChannelMessenger, Account: pageID, Recipient: "9000000000000001",
			Text: "Baik.", Origin: event.OriginBot, CustomerLastMessageAt: ago(time.Minute)},
			reply("transient.json", http.StatusInternalServerError, -1), event.DeliveryFailed, 3, sentWant{}, "try again later", true},
		{"proxy error page is retried", event.Outbound{Channel: event.ChannelMessenger, Account: pageID, Recipient: "9000000000000002",
			Text: "Baik.", Origin: event.OriginBot, CustomerLastMessageAt: ago(time.Minute)},
			reply("bad_gateway.html", http.StatusBadGateway, 2), event.DeliverySent, 3, sentWant{pageID, "RESPONSE", "", true}, "", false},
		{"recipient unavailable", event.Outbound{Channel: event.ChannelMessenger, Account: pageID, Recipient: "9000000000000003",
			Text: "Baik.", Origin: event.OriginBot, CustomerLastMessageAt: ago(time.Minute)},
			reply("user_unavailable.json", http.StatusBadRequest, -1), event.DeliveryFailed, 1, sentWant{}, "cannot be reached", false},
		{"no matching user", event.Outbound{Channel: event.ChannelInstagram, Account: igID, Recipient: "9000000000000004",
			Text: "Baik.", Origin: event.OriginBot, CustomerLastMessageAt: ago(time.Minute)},
			reply("no_matching_user.json", http.StatusBadRequest, -1), event.DeliveryFailed, 1, sentWant{}, "cannot be reached", false},
		{"outside the window by Meta's clock", event.Outbound{Channel: event.ChannelMessenger, Account: pageID, Recipient: "9000000000000005",
			Text: "Baik.", Origin: event.OriginBot, CustomerLastMessageAt: ago(23 * time.Hour)},
			reply("outside_window.json", http.StatusBadRequest, -1), event.DeliveryFailed, 1, sentWant{}, "outside the allowed reply window", false},
		{"missing permission", event.Outbound{Channel: event.ChannelMessenger, Account: pageID, Recipient: "9000000000000006",
			Text: "Baik.", Origin: event.OriginBot, CustomerLastMessageAt: ago(time.Minute)},
			reply("permission.json", http.StatusForbidden, -1), event.DeliveryFailed, 1, sentWant{}, "missing permission", false},
		{"account not configured", event.Outbound{Channel: event.ChannelMessenger, Account: "5555555555", Recipient: psid,
			Text: "Baik.", Origin: event.OriginBot, CustomerLastMessageAt: ago(time.Minute)},
			nil, event.DeliveryFailed, 0, sentWant{}, "not configured in ADUAN_META_PAGES", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.graph.setReply(tt.reply)
			out := tt.out
			out.ID = event.NewID()
			out.ConversationKey = out.Recipient
			out.CreatedAt = h.now
			d := h.send(&out)
			reqs := h.graph.take()
			if d.Status != tt.status {
				t.Fatalf("status %s (reason %q), want %s", d.Status, d.Reason, tt.status)
			}
			if len(reqs) != tt.requests {
				t.Fatalf("%d Send API calls, want %d", len(reqs), tt.requests)
			}
			if tt.status == event.DeliveryFailed {
				if !strings.Contains(d.Reason, tt.reason) || d.Retryable != tt.retryable {
					t.Fatalf("reason %q retryable %v; want one containing %q, retryable %v", d.Reason, d.Retryable, tt.reason, tt.retryable)
				}
				return
			}
			var parts []string
			for _, r := range reqs {
				if r.Failed {
					continue
				}
				checkSendRequest(t, r, out, tt.want.account, tt.want.typ, tt.want.tag, tt.want.metadata)
				parts = append(parts, r.Message["text"].(string))
			}
			if got := strings.Join(parts, " "); got != strings.TrimSpace(out.Text) {
				t.Errorf("parts do not add up to the text:\n%q\nwant\n%q", got, out.Text)
			}
			if !strings.HasPrefix(d.ExternalID, "m_fake") {
				t.Errorf("sent report carries external id %q, want the Send API's message_id", d.ExternalID)
			}
			got, ok, err := h.s.sent.sentBy(context.Background(), out.Channel, out.Account, out.Recipient, d.ExternalID)
			if err != nil || !ok || got != out.ID {
				t.Errorf("sent record of %s: %q %v %v, want outbound %s", d.ExternalID, got, ok, err, out.ID)
			}
		})
	}
}

// checkSendRequest asserts the exact request huandu/facebook made.
func checkSendRequest(t *testing.T, r graphRequest, out event.Outbound, account, typ, tag string, metadata bool) {
	t.Helper()
	if r.Method != http.MethodPost || r.Path != "/v23.0/me/messages" {
		t.Errorf("request %s %s, want POST /v23.0/me/messages", r.Method, r.Path)
	}
	if r.Account != account {
		t.Errorf("sent with the token of %q, want %q", r.Account, account)
	}
	if r.Proof == "" || r.Proof != newGraphFakeProof(r.Token) {
		t.Errorf("appsecret_proof %q is not HMAC-SHA256(token, app secret)", r.Proof)
	}
	if r.Recipient["id"] != out.Recipient || len(r.Recipient) != 1 {
		t.Errorf("recipient %v, want {id: %s}", r.Recipient, out.Recipient)
	}
	if got := r.Form.Get("messaging_type"); got != typ {
		t.Errorf("messaging_type %q, want %q", got, typ)
	}
	if got := r.Form.Get("tag"); got != tag {
		t.Errorf("tag %q, want %q", got, tag)
	}
	md, has := r.Message["metadata"]
	if has != metadata || has && md != metadataPrefix+out.ID {
		t.Errorf("message metadata %v (present %v), want present=%v with %s", md, has, metadata, metadataPrefix+out.ID)
	}
	if r.Form.Get("access_token") != "" {
		t.Error("access token sent as a parameter; it belongs in the Authorization header")
	}
}

func newGraphFakeProof(token string) string {
	g := graphFake{secret: testSecret}
	return g.proof(token)
}

// TestSenderTokenInvalid: an expired token stops sending on that account,
// raises its health, and later replies fail at once without a call.
func TestSenderTokenInvalid(t *testing.T) {
	h := newSenderHarness(t)
	h.graph.setReply(func(r graphRequest, _ int) (int, string) {
		if r.Account == page2ID {
			return http.StatusBadRequest, "token_expired.json"
		}
		return 0, ""
	})
	mk := func(account string) *event.Outbound {
		return &event.Outbound{ID: event.NewID(), Channel: event.ChannelMessenger, Account: account, ConversationKey: psid2,
			Recipient: psid2, Text: "Baik.", Origin: event.OriginBot, CustomerLastMessageAt: h.now.Add(-time.Minute), CreatedAt: h.now}
	}
	d := h.send(mk(page2ID))
	if d.Status != event.DeliveryFailed || !d.Retryable || !strings.Contains(d.Reason, "access token") {
		t.Fatalf("first reply: %+v; want failed, retryable, about the access token", d)
	}
	if n := len(h.graph.take()); n != 1 {
		t.Fatalf("%d calls for an expired token, want 1 (no retries)", n)
	}
	hl, ok, err := h.b.Health(context.Background(), event.ChannelMessenger, page2ID)
	if err != nil || !ok || hl.State != event.HealthNeedsAttention || hl.LastError == "" || hl.LastErrorAt.IsZero() {
		t.Fatalf("health %+v (found %v, %v); want needs_attention with the error", hl, ok, err)
	}
	d = h.send(mk(page2ID))
	if d.Status != event.DeliveryFailed || !strings.Contains(d.Reason, "paused") {
		t.Fatalf("second reply: %+v; want failed as paused", d)
	}
	if n := len(h.graph.take()); n != 0 {
		t.Fatalf("%d calls on a paused account, want none", n)
	}
	if d := h.send(mk(pageID)); d.Status != event.DeliverySent {
		t.Fatalf("another page's reply: %+v; want sent", d)
	}
}

// TestSenderRedeliveryDoesNotResend: parts recorded as sent by an earlier
// delivery (a crash before the ack) are not sent again.
func TestSenderRedeliveryDoesNotResend(t *testing.T) {
	h := newSenderHarness(t)
	out := &event.Outbound{ID: event.NewID(), Channel: event.ChannelMessenger, Account: pageID, ConversationKey: psid,
		Recipient: psid, Text: strings.Repeat("kata ", 500), Origin: event.OriginBot, CustomerLastMessageAt: h.now.Add(-time.Minute)}
	if err := h.s.sent.record(context.Background(), out.Channel, out.Account, out.Recipient, "m_earlier_part", out.ID, h.now); err != nil {
		t.Fatal(err)
	}
	d := h.send(out)
	reqs := h.graph.take()
	if d.Status != event.DeliverySent || d.ExternalID != "m_earlier_part" {
		t.Fatalf("report %+v; want sent with the first part's id", d)
	}
	if len(reqs) != 1 || !strings.HasSuffix(strings.TrimSpace(out.Text), reqs[0].Message["text"].(string)) {
		t.Fatalf("%d calls; want only the second part sent", len(reqs))
	}
}

// TestSenderAttachment: a staff reply with a stored file uploads it as
// Meta's Send API expects (multipart filedata plus an attachment message).
func TestSenderAttachment(t *testing.T) {
	h := newSenderHarness(t)
	ctx := context.Background()
	png := readTestdata(t, "files/ktp.png")
	key, sum, size, err := h.b.PutAttachment(ctx, strings.NewReader(string(png)), "jadwal.png", "image/png")
	if err != nil {
		t.Fatal(err)
	}
	out := &event.Outbound{ID: event.NewID(), Channel: event.ChannelMessenger, Account: pageID, ConversationKey: psid, Recipient: psid,
		Text: "Berikut jadwal kunjungan.", Origin: event.OriginAgent, CustomerLastMessageAt: h.now.Add(-time.Hour),
		Attachments: []event.Attachment{{Kind: event.AttachmentImage, MIME: "image/png", Filename: "jadwal.png", Size: size, SHA256: sum, ObjectKey: key}}}
	if d := h.send(out); d.Status != event.DeliverySent {
		t.Fatalf("report %+v, want sent", d)
	}
	reqs := h.graph.take()
	if len(reqs) != 2 {
		t.Fatalf("%d calls, want text then file", len(reqs))
	}
	file := reqs[1]
	checkSendRequest(t, file, *out, pageID, "RESPONSE", "", false)
	att, _ := json.Marshal(file.Message["attachment"])
	if string(att) != `{"payload":{"is_reusable":false},"type":"image"}` {
		t.Errorf("attachment message %s", att)
	}
	if string(file.File) != string(png) || file.FileName != "jadwal.png" || file.FileType != "image/png" {
		t.Errorf("upload %s (%s, %d bytes); want the stored file", file.FileName, file.FileType, len(file.File))
	}
}

func TestSplitText(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		limit   int
		inBytes bool
		want    []string
	}{
		{"fits", "halo", 10, false, []string{"halo"}},
		{"at a paragraph", "satu dua\n\ntiga empat", 12, false, []string{"satu dua", "tiga empat"}},
		{"at a word", "satu dua tiga empat", 10, false, []string{"satu dua", "tiga empat"}},
		{"no break", "abcdefghij", 4, false, []string{"abcd", "efgh", "ij"}},
		{"bytes keep runes whole", "ééééé", 4, true, []string{"éé", "éé", "é"}},
		{"empty", "  ", 10, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := splitText(tt.text, tt.limit, tt.inBytes)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
				t.Fatalf("splitText = %q, want %q", got, tt.want)
			}
		})
	}
}
