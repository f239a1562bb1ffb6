package web

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/aduan-gateway/aduan/store"
)

// knownFor is how long a successful sign-in makes a (user name, address)
// pair known: known pairs are spared the user-wide and address-wide limits.
const knownFor = 30 * 24 * time.Hour

// defaultHashWait bounds how long a sign-in waits for a free hashing slot
// before it is answered 503.
const defaultHashWait = 15 * time.Second

// maxUsername bounds the user name kept per attempt and looked up; a longer
// one is no one's and is checked against the dummy hash.
const maxUsername = 128

// errHashBusy means every hashing slot stayed taken for the server's hashWait.
var errHashBusy = errors.New("password hashing busy")

// loginLimits are the sign-in limits at now: LoginMaxFailures for a pair,
// four times as many for a user name or an address over unknown pairs.
func (s *Server) loginLimits(now time.Time) store.LoginLimits {
	n := s.cfg.LoginMaxFailures
	return store.LoginLimits{
		Since: now.Add(-s.cfg.LoginWindow), KnownSince: now.Add(-knownFor),
		Pair: n, User: 4 * n, Address: 4 * n,
	}
}

// hashBounded checks password against hash once a hashing slot is free:
// each argon2 hash takes 19 MiB, so a burst of sign-ins queues instead of
// exhausting memory.
func (s *Server) hashBounded(ctx context.Context, hash, password string) (bool, error) {
	t := time.NewTimer(s.hashWait)
	defer t.Stop()
	select {
	case s.hashSlots <- struct{}{}:
	case <-t.C:
		return false, errHashBusy
	case <-ctx.Done():
		return false, ctx.Err()
	}
	defer func() { <-s.hashSlots }()
	return s.checkPassword(hash, password)
}

// boundedName is username cut to maxUsername bytes.
func boundedName(username string) string { return cutBytes(username, maxUsername) }

// cutBytes cuts s to at most n bytes, on a character boundary.
func cutBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// logName is a typed user name fit for a log line: valid UTF-8, without
// control or direction-changing characters, at most 64 bytes.
func logName(username string) string {
	clean := strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(username, "\uFFFD"))
	return cutBytes(clean, 64)
}
