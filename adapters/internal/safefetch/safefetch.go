// Package safefetch is the HTTP client the channel adapters fetch files
// with, at addresses a webhook named. A signed payload is no proof that its
// links point at the platform's CDN, so the client refuses to connect to
// loopback, link-local (cloud metadata at 169.254.169.254), private, CGNAT,
// multicast, unspecified and reserved addresses. The check runs in the
// dialer, on the address actually connected to: after DNS resolution, and
// again on every redirect hop.
package safefetch

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// ErrRefusedAddress is returned (wrapped) when a link leads to an address
// that is not public.
var ErrRefusedAddress = errors.New("the file link leads to a private or local address; refused")

// MaxRedirects bounds the redirects followed for one file.
const MaxRedirects = 3

// notPublic lists the ranges besides those netip's predicates name.
var notPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),      // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),  // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),   // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),  // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),    // reserved, and broadcast
	netip.MustParsePrefix("64:ff9b::/96"),   // NAT64: may embed any IPv4 address
	netip.MustParsePrefix("64:ff9b:1::/48"), // local-use NAT64
	netip.MustParsePrefix("2002::/16"),      // 6to4: may embed any IPv4 address
	netip.MustParsePrefix("100::/64"),       // discard
	netip.MustParsePrefix("2001:db8::/32"),  // documentation
	netip.MustParsePrefix("fec0::/10"),      // deprecated site-local
}

// Public reports whether a is an address the fetcher may connect to.
func Public(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() || a.IsLoopback() || a.IsPrivate() || a.IsUnspecified() || a.IsMulticast() ||
		a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() || a.IsInterfaceLocalMulticast() {
		return false
	}
	for _, p := range notPublic {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// Client returns a client for file downloads with the given overall
// timeout. permit, when not nil, lets through the addresses it accepts
// besides public ones (tests reach their fakes so); AllowAll permits all.
// The client ignores proxy settings, since the check must see the real
// destination, and follows at most MaxRedirects redirects.
func Client(timeout time.Duration, permit func(netip.AddrPort) bool) *http.Client {
	dialer := &net.Dialer{
		Timeout: 10 * time.Second,
		Control: func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("%w: %s", ErrRefusedAddress, address)
			}
			if Public(ap.Addr()) || permit != nil && permit(ap) {
				return nil
			}
			return ErrRefusedAddress
		},
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	tr.DialContext = dialer.DialContext
	return &http.Client{
		Timeout:   timeout,
		Transport: tr,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > MaxRedirects {
				return fmt.Errorf("more than %d redirects", MaxRedirects)
			}
			return nil
		},
	}
}

// AllowAll is a permit for tests and closed networks (ADUAN_FETCH_ALLOW_PRIVATE).
func AllowAll(netip.AddrPort) bool { return true }
