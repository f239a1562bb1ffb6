package meta

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/core/event"
)

// largeBatch is a signed-size Messenger body of n messages of textLen
// bytes each; with bad set, one element has no sender, so the whole body is
// also kept as rejected input.
func largeBatch(n, textLen int, bad bool) []byte {
	var msgs []string
	text := strings.Repeat("Bantuan PKH keluarga kami belum cair sejak tiga bulan. ", textLen/55+1)[:textLen]
	for i := range n {
		msgs = append(msgs, fmt.Sprintf(`{"sender":{"id":"%s"},"recipient":{"id":"%s"},"timestamp":%d,`+
			`"message":{"mid":"m_besar_%05d","text":%q}}`, psid, pageID, tsBase+int64(i), i, text))
	}
	if bad {
		msgs = append(msgs, fmt.Sprintf(`{"recipient":{"id":"%s"},"timestamp":%d,"message":{"mid":"m_tanpa_pengirim","text":"x"}}`,
			pageID, tsBase))
	}
	return []byte(fmt.Sprintf(`{"object":"page","entry":[{"id":"%s","time":%d,"messaging":[%s]}]}`,
		pageID, tsBase, strings.Join(msgs, ",")))
}

// TestLargeSignedWebhookAccepted: a valid 863 KB batch used to get 503 for
// ever, because its rejected-input copy (base64, in one NATS message) was
// over the server's max_payload. Now every message is its own event, the
// copy goes to the object store with a reference, and Meta gets 200.
func TestLargeSignedWebhookAccepted(t *testing.T) {
	// Hundreds of acknowledged publishes under -race on a busy machine:
	// this test is about sizes, not speed.
	h := newHarness(t, testConfig("http://127.0.0.1:1"), func(o *Options) { o.PublishTimeout = time.Minute })
	tests := []struct {
		name       string
		n, textLen int
		bad        bool
	}{
		{"all messages understood", 424, 1900, false},
		{"one element not understood", 424, 1900, true},
		{"one message of 860 KB", 1, 860_000, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := largeBatch(tt.n, tt.textLen, tt.bad)
			if len(body) < 850_000 || len(body) > MaxBodySize {
				t.Fatalf("batch of %d bytes; want about 863 KB", len(body))
			}
			if code := h.postSigned(body); code != http.StatusOK {
				t.Fatalf("status %d for a valid %d-byte batch, want 200", code, len(body))
			}
			var inbound int
			var rejected []event.Rejected
			for _, m := range h.published() {
				if int64(len(m.Data)) > h.b.Conn().MaxPayload() {
					t.Errorf("%s of %d bytes over max_payload", m.Subject, len(m.Data))
				}
				switch {
				case strings.HasPrefix(m.Subject, event.SubjectInboundPrefix):
					inbound++
				case strings.HasPrefix(m.Subject, event.SubjectRejectedPrefix):
					var r event.Rejected
					if err := event.Unmarshal(m.Data, &r); err != nil {
						t.Fatal(err)
					}
					rejected = append(rejected, r)
				}
			}
			if inbound != tt.n {
				t.Errorf("%d inbound events for %d messages", inbound, tt.n)
			}
			if !tt.bad {
				if len(rejected) != 0 {
					t.Errorf("%d rejected copies of a body fully understood", len(rejected))
				}
				return
			}
			if len(rejected) != 1 {
				t.Fatalf("%d rejected copies, want 1", len(rejected))
			}
			r := rejected[0]
			if r.BodyKey == "" || len(r.Body) != 0 {
				t.Fatalf("rejected copy carries %d body bytes and key %q; want the body in the object store", len(r.Body), r.BodyKey)
			}
			ctx := context.Background()
			rc, err := h.b.RejectedBody(ctx, &r)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(body) {
				t.Fatalf("body read back: %d bytes, want the %d posted", len(got), len(body))
			}
			var head struct{ Object string }
			if json.Unmarshal(got, &head) != nil || head.Object != "page" {
				t.Fatal("body read back is not the posted JSON")
			}
		})
	}
}
