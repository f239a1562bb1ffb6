package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// serveLimited serves h with lim on a random port and returns its address.
func serveLimited(t *testing.T, h http.Handler, lim httpLimits) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := newHTTPServer(h, lim)
	go srv.Serve(ln) //nolint:errcheck // closed below
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// closedWithin reports whether the server closes conn within bound while
// the client keeps dripping a byte of body (when drip) every tick.
func closedWithin(t *testing.T, conn net.Conn, bound time.Duration, drip bool) bool {
	t.Helper()
	closed := make(chan struct{})
	go func() {
		io.Copy(io.Discard, conn) //nolint:errcheck // ends when the server closes
		close(closed)
	}()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(bound)
	for {
		select {
		case <-closed:
			return true
		case <-deadline:
			return false
		case <-tick.C:
			if drip {
				if _, err := conn.Write([]byte("x")); err != nil {
					return true
				}
			}
		}
	}
}

// TestSlowBodyConnectionClosed: a client that sends its body a byte at a
// time, or its headers without end, or never sends the body it announced,
// is cut off once the read limit passes, instead of holding the
// connection (and a goroutine, and a database slot) for ever.
func TestSlowBodyConnectionClosed(t *testing.T) {
	lim := defaultHTTPLimits
	lim.readHeader, lim.read, lim.write, lim.idle = 300*time.Millisecond, 600*time.Millisecond, time.Second, time.Second
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := io.ReadAll(r.Body)
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			w.WriteHeader(http.StatusRequestEntityTooLarge)
		}
	})
	addr := serveLimited(t, h, lim)
	tests := []struct {
		name, start string
		drip        bool
	}{
		{"body dripped a byte at a time", "POST /webhooks/meta HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n", true},
		{"body announced, never sent", "POST /admin/login HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n", false},
		{"headers without end", "GET /admin/ HTTP/1.1\r\nHost: x\r\nX-Slow: ", true},
		{"idle after one request", "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := io.WriteString(conn, tt.start); err != nil {
				t.Fatal(err)
			}
			if !closedWithin(t, conn, 15*time.Second, tt.drip) {
				t.Fatal("connection still open long after the read limit")
			}
		})
	}
	t.Run("headers too large refused", func(t *testing.T) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: %s\r\n\r\n", strings.Repeat("a", 2*lim.maxHeader))
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Fatalf("status %d for %d bytes of headers, want 431", res.StatusCode, 2*lim.maxHeader)
		}
	})
}
