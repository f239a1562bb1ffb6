package meta

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/aduan-gateway/aduan/adapters/internal/fetchqueue"
	"github.com/aduan-gateway/aduan/config"
	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/bus/bustest"
	"github.com/aduan-gateway/aduan/core/event"
)

// Ids used by the payload files in testdata/ (all made up).
const (
	testSecret      = "rahasia-aplikasi-meta-uji"
	testVerifyToken = "kata-sandi-verifikasi"
	pageID          = "1122334455"
	page2ID         = "1122334466"
	psid            = "7788990011223344"
	psid2           = "7788990011225566"
	igID            = "17841400000000001"
	igsid           = "5566778899001122"
	tsBase          = int64(1764221400000) // the payloads' base timestamp (ms)
)

// mid and igmid build the message ids the payload files use.
func mid(n string) string { return "m_Hk3xN9WqPz" + n + "bQ2vR7sL0aYc4eTgUjOiKmFd8hX1pSw5" }
func igmid(n string) string {
	return "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDAwMDAwMDAwMDAxOjM0MDI4MjM2Njg0MTcxMDMwMDk0OTEyOD" + n + "AZDZD"
}

func at(offsetMS int64) time.Time { return time.UnixMilli(tsBase + offsetMS).UTC() }

// testConfig is a Meta section as config.LoadFrom would give it, pointed at graphURL.
func testConfig(graphURL string) config.MetaConfig {
	return config.MetaConfig{
		Pages:        map[string]string{pageID: "token-halaman-1", page2ID: "token-halaman-2", igID: "token-instagram"},
		AppSecret:    testSecret,
		VerifyToken:  testVerifyToken,
		GraphURL:     graphURL,
		GraphVersion: "v23.0",
		GraphTimeout: 5 * time.Second, MaxAttachmentSize: 1 << 20, DownloadTimeout: 5 * time.Second,
		SendAttempts: 3, FetchAllowPrivate: true, // the fake CDN is on 127.0.0.1
	}
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// harness is a webhook on a real embedded NATS server behind an httptest
// server, with a plain NATS subscription that sees everything published
// under aduan.>.
type harness struct {
	t   testing.TB
	b   *bus.Bus
	w   *Webhook
	srv *httptest.Server
	sub *nats.Subscription
}

// newHarness starts the webhook; adjust, if any, change its options.
func newHarness(t testing.TB, cfg config.MetaConfig, adjust ...func(*Options)) *harness {
	t.Helper()
	b := bustest.New(t)
	opt := Options{
		Log: bustest.Logger(t), FetchBackoff: []time.Duration{20 * time.Millisecond},
		// The payloads' times are fixed; records older than 30 days are dropped.
		Now: func() time.Time { return at(time.Hour.Milliseconds()) },
	}
	for _, f := range adjust {
		f(&opt)
	}
	w := NewWebhook(cfg, b, opt)
	mux := http.NewServeMux()
	w.Mount(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	sub, err := b.Conn().SubscribeSync("aduan.>")
	if err != nil {
		t.Fatal(err)
	}
	// Unread messages would hold the bus's drain at close for seconds.
	t.Cleanup(func() { _ = sub.Unsubscribe() })
	return &harness{t: t, b: b, w: w, srv: srv, sub: sub}
}

// post sends body to the webhook with the given signature header value
// ("" sends none).
func (h *harness) post(body []byte, signature string) int {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+Path, bytes.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if signature != "" {
		req.Header.Set(SignatureHeader, signature)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func (h *harness) postSigned(body []byte) int {
	return h.post(body, Sign([]byte(testSecret), body))
}

// published returns what reached aduan.> since the last call. The webhook
// answers after JetStream acknowledged; a flush then makes sure the copies
// to this subscription have arrived too.
func (h *harness) published() []*nats.Msg {
	h.t.Helper()
	if err := h.b.Conn().Flush(); err != nil {
		h.t.Fatal(err)
	}
	var out []*nats.Msg
	for {
		m, err := h.sub.NextMsg(20 * time.Millisecond)
		if err != nil {
			return out
		}
		out = append(out, m)
	}
}

// summary renders a published message as one line for comparison, leaving
// out what differs per run (ULIDs, receive times).
func summary(t testing.TB, m *nats.Msg) string {
	t.Helper()
	switch {
	case strings.HasPrefix(m.Subject, event.SubjectInboundPrefix):
		var in event.Inbound
		if err := event.Unmarshal(m.Data, &in); err != nil {
			t.Fatal(err)
		}
		if got := m.Header.Get("Nats-Msg-Id"); got != in.MsgID() {
			t.Errorf("inbound %s published with Nats-Msg-Id %q", in.ExternalID, got)
		}
		if err := in.Validate(); err != nil {
			t.Errorf("inbound %s invalid: %v", in.ExternalID, err)
		}
		return "inbound " + inboundSummary(&in)
	case strings.HasPrefix(m.Subject, bus.SubjectMetaFetchPrefix):
		var job fetchqueue.Job
		if err := json.Unmarshal(m.Data, &job); err != nil {
			t.Fatal(err)
		}
		s := "fetch " + inboundSummary(&job.Inbound)
		for _, src := range job.Sources {
			s += fmt.Sprintf(" src%d=%s", src.Index, src.URL)
		}
		return s
	case strings.HasPrefix(m.Subject, event.SubjectDeliveryPrefix):
		var d event.Delivery
		if err := event.Unmarshal(m.Data, &d); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("delivery %s %s %s ext=%s outbound=%s at=%s", d.Channel, d.Account, d.Status, d.ExternalID,
			d.OutboundID, d.At.Format(time.RFC3339Nano))
	case strings.HasPrefix(m.Subject, event.SubjectRejectedPrefix):
		var r event.Rejected
		if err := event.Unmarshal(m.Data, &r); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("rejected %s reason=%s", r.Channel, r.Reason)
	}
	return "other " + m.Subject
}

func inboundSummary(in *event.Inbound) string {
	s := fmt.Sprintf("%s acct=%s ext=%s key=%s sender=%s", in.Channel, in.Account, in.ExternalID, in.ConversationKey, in.Sender.ID)
	if in.Sender.Name != "" {
		s += fmt.Sprintf(" name=%q", in.Sender.Name)
	}
	if in.Text != "" {
		s += fmt.Sprintf(" text=%q", in.Text)
	}
	for _, a := range in.Attachments {
		s += fmt.Sprintf(" att=%s:%s", a.Kind, a.Filename)
		if a.MIME != "" {
			s += ":" + a.MIME
		}
		if a.ObjectKey != "" {
			s += fmt.Sprintf(":%d:%s", a.Size, a.ObjectKey)
		}
		if a.Caption != "" {
			s += fmt.Sprintf(" caption=%q", a.Caption)
		}
		if a.Error != "" {
			s += fmt.Sprintf(" error=%q", a.Error)
		}
	}
	if in.Location != nil {
		s += fmt.Sprintf(" loc=%v,%v,%q", in.Location.Latitude, in.Location.Longitude, in.Location.Name)
	}
	if in.EditOf != "" {
		s += " edit_of=" + in.EditOf
	}
	if in.UnsendOf != "" {
		s += " unsend_of=" + in.UnsendOf
	}
	if in.Echo {
		s += " echo"
	}
	if !in.SentAt.IsZero() {
		s += " sent=" + in.SentAt.Format(time.RFC3339Nano)
	}
	return s
}
