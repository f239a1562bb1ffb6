package main

import (
	"net/http"
	"time"
)

// httpLimits bound what one connection may hold, so a client that sends
// its request a byte at a time, or never reads its answer, is cut off
// instead of keeping a connection (and a goroutine) for ever.
type httpLimits struct {
	readHeader, read, write, idle time.Duration
	maxHeader                     int
}

// defaultHTTPLimits suit webhooks and the admin inbox. A request's headers
// and body must arrive within a minute, its answer leave within 90 s of the
// headers. Two handlers extend their own deadlines: the walk-in form (large
// uploads) and the live stream (open for hours).
var defaultHTTPLimits = httpLimits{
	readHeader: 10 * time.Second,
	read:       time.Minute,
	write:      90 * time.Second,
	idle:       2 * time.Minute,
	maxHeader:  64 << 10,
}

func newHTTPServer(h http.Handler, lim httpLimits) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: lim.readHeader,
		ReadTimeout:       lim.read,
		WriteTimeout:      lim.write,
		IdleTimeout:       lim.idle,
		MaxHeaderBytes:    lim.maxHeader,
	}
}
