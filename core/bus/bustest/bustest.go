// Package bustest gives tests a real bus: an embedded NATS server with
// JetStream on a random port and a temporary directory.
package bustest

import (
	"context"
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/rs/zerolog"
)

// The embedded servers of tests admit this user and encrypt their store with
// StoreKey, unless a test sets its own.
const (
	User     = "aduan"
	Password = "bustest-password"
	StoreKey = "bustest-store-key"
)

// New opens a Bus on an embedded server listening on a random local port,
// storing under t.TempDir(), and closes it when the test ends. Warnings and
// errors go to the test log.
func New(t testing.TB) *bus.Bus {
	t.Helper()
	return Open(t, bus.Config{Listen: "127.0.0.1:0", DataDir: t.TempDir()})
}

// Open opens a Bus with cfg, logging to the test log, and closes it when the
// test ends. An embedded server without credentials in cfg gets User and
// Password, and StoreKey. Use it to reopen a data directory or, with another Bus's
// ClientConfig, to connect to it.
func Open(t testing.TB, cfg bus.Config) *bus.Bus {
	t.Helper()
	if cfg.URL == "" && cfg.Password == "" {
		cfg.User, cfg.Password = User, Password
	}
	if cfg.URL == "" && cfg.StoreKey == "" {
		cfg.StoreKey = StoreKey
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b, err := bus.Open(ctx, cfg, Logger(t))
	if err != nil {
		t.Fatalf("opening bus: %v", err)
	}
	t.Cleanup(b.Close)
	return b
}

// Logger writes warnings and errors to the test log.
func Logger(t testing.TB) zerolog.Logger {
	return zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel).With().Timestamp().Logger()
}

// Eventually polls cond every 10ms until it holds, and fails the test if it
// does not within timeout. Use it instead of sleeping.
func Eventually(t testing.TB, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %v", timeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
