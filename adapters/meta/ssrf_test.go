package meta

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/adapters/internal/safefetch"
)

// TestFetchRefusesPrivateAddresses: a signed payload's attachment link on
// loopback, the cloud metadata address or a private range, or redirecting
// to one, is not fetched; the message still reaches the core, its
// attachment carrying the refusal for the inbox.
func TestFetchRefusesPrivateAddresses(t *testing.T) {
	cfg := testConfig("http://127.0.0.1:1/")
	cfg.FetchAllowPrivate = false
	cdn := newCDNFake(t)
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, cdn.srv.URL+"/ktp.jpg/x.jpg", http.StatusFound)
	}))
	defer redirector.Close()
	// The redirector's first hop is let through, as if it were a public
	// CDN, to show the redirect's target is checked too.
	first := netip.MustParseAddrPort(redirector.Listener.Addr().String())
	h := newHarness(t, cfg, func(o *Options) {
		o.HTTPClient = safefetch.Client(5*time.Second, func(ap netip.AddrPort) bool { return ap == first })
	})
	h.runFetcher(t)
	const link = "https://scontent.xx.fbcdn.net/v/t1.15752-9/468123456_1122_n.jpg?_nc_cat=104&ccb=1-7&oh=00_AYC&oe=67A1B2C3"
	tests := []struct {
		name, url string
	}{
		{"loopback", cdn.srv.URL + "/ktp.jpg/x.jpg"},
		{"cloud metadata", "http://169.254.169.254/latest/meta-data/iam/ktp.jpg"},
		{"private range", "http://10.20.30.40/ktp.jpg"},
		{"redirect to loopback", redirector.URL + "/r.jpg"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prefix := "ssrf" + string(rune('a'+i))
			body := strings.Replace(string(readTestdata(t, "messenger_image.json")), link, tt.url, 1)
			body = strings.Replace(body, `"mid": "`, `"mid": "`+prefix, 1)
			if code := h.postSigned([]byte(body)); code != http.StatusOK {
				t.Fatalf("status %d", code)
			}
			in := h.waitInbound(t, prefix)
			if len(in.Attachments) != 1 {
				t.Fatalf("%d attachments", len(in.Attachments))
			}
			a := in.Attachments[0]
			if a.Error != safefetch.ErrRefusedAddress.Error() || a.ObjectKey != "" {
				t.Fatalf("attachment error %q, key %q; want the refusal and nothing stored", a.Error, a.ObjectKey)
			}
		})
	}
	if n := cdn.hitCount("/ktp.jpg/x.jpg"); n != 0 {
		t.Errorf("the loopback server was reached %d times", n)
	}
}
