package safefetch

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"testing"
	"time"
)

func TestPublic(t *testing.T) {
	tests := []struct {
		addr string
		want bool
	}{
		{"157.240.1.35", true}, // a Meta CDN address
		{"2a03:2880:f10c:83:face:b00c:0:25de", true},
		{"127.0.0.1", false},
		{"127.10.0.9", false},
		{"::1", false},
		{"169.254.169.254", false}, // cloud metadata
		{"fe80::1", false},
		{"10.1.2.3", false},
		{"172.16.0.1", false},
		{"192.168.1.10", false},
		{"fd00::1", false},
		{"100.64.0.1", false}, // CGNAT
		{"0.0.0.0", false},
		{"::", false},
		{"224.0.0.1", false},
		{"ff02::1", false},
		{"255.255.255.255", false},
		{"::ffff:127.0.0.1", false}, // IPv4-mapped loopback
		{"::ffff:10.0.0.1", false},
		{"64:ff9b::a00:1", false}, // NAT64 of 10.0.0.1
		{"2002:a00:1::", false},   // 6to4 of 10.0.0.1
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			if got := Public(netip.MustParseAddr(tt.addr)); got != tt.want {
				t.Fatalf("Public(%s) = %v, want %v", tt.addr, got, tt.want)
			}
		})
	}
}

// TestClientRefusesPrivateAddresses: links to local and private addresses,
// straight or by redirect, are refused at connection time. One fake "CDN"
// is let through so that its redirect can be followed to the other.
func TestClientRefusesPrivateAddresses(t *testing.T) {
	inside := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "rahasia kantor")
	}))
	defer inside.Close()
	cdn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/to-inside":
			http.Redirect(w, r, inside.URL+"/", http.StatusFound)
		case "/to-metadata":
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		default:
			io.WriteString(w, "berkas")
		}
	}))
	defer cdn.Close()
	cdnAddr := netip.MustParseAddrPort(cdn.Listener.Addr().String())
	c := Client(5*time.Second, func(ap netip.AddrPort) bool { return ap == cdnAddr })
	tests := []struct {
		name, url string
		refused   bool
	}{
		{"the permitted fake CDN", cdn.URL + "/ktp.jpg", false},
		{"loopback", inside.URL + "/", true},
		{"localhost by name", "http://localhost:" + port(t, inside.URL) + "/", true},
		{"cloud metadata", "http://169.254.169.254/latest/meta-data/", true},
		{"private range", "http://10.1.2.3/ktp.jpg", true},
		{"CGNAT", "http://100.64.0.1/ktp.jpg", true},
		{"redirect to loopback", cdn.URL + "/to-inside", true},
		{"redirect to cloud metadata", cdn.URL + "/to-metadata", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := c.Get(tt.url)
			if err == nil {
				res.Body.Close()
			}
			if refused := errors.Is(err, ErrRefusedAddress); refused != tt.refused {
				t.Fatalf("GET %s: err %v, want refused %v", tt.url, err, tt.refused)
			}
		})
	}
	t.Run("redirect loop bounded", func(t *testing.T) {
		res, err := c.Get(cdn.URL + "/loop")
		if err == nil {
			res.Body.Close()
			t.Fatal("endless redirects followed to an answer")
		}
	})
}

func port(t *testing.T, raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Port()
}
