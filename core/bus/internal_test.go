package bus

import (
	"strings"
	"testing"
	"time"
)

func TestBackoffRepeatsLastEntry(t *testing.T) {
	s := ConsumerSpec{}.withDefaults()
	tests := []struct {
		delivery uint64
		want     time.Duration
	}{
		{0, time.Second}, // never happens, but must not panic
		{1, time.Second},
		{2, 2 * time.Second},
		{7, 2 * time.Minute},
		{50, 2 * time.Minute},
	}
	for _, tt := range tests {
		if got := s.backoff(tt.delivery); got != tt.want {
			t.Errorf("backoff after delivery %d = %v, want %v", tt.delivery, got, tt.want)
		}
	}
}

func TestHeaderValue(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "db down", "db down"},
		{"newlines", "line1\r\nline2\nline3", "line1  line2 line3"},
		{"long", strings.Repeat("é", 600), strings.Repeat("é", 512)},
	}
	for _, tt := range tests {
		if got := headerValue(tt.in); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestSplitListen(t *testing.T) {
	tests := []struct {
		in       string
		wantHost string
		wantPort int
		wantErr  bool
	}{
		{"127.0.0.1:4223", "127.0.0.1", 4223, false},
		{"127.0.0.1:0", "127.0.0.1", -1, false},
		{"0.0.0.0:-1", "0.0.0.0", -1, false},
		{":4222", "", 4222, false},
		{"127.0.0.1", "", 0, true},
		{"127.0.0.1:http", "", 0, true},
		{"127.0.0.1:70000", "", 0, true},
	}
	for _, tt := range tests {
		host, port, err := splitListen(tt.in)
		if (err != nil) != tt.wantErr || (!tt.wantErr && (host != tt.wantHost || port != tt.wantPort)) {
			t.Errorf("splitListen(%q) = %q, %d, %v", tt.in, host, port, err)
		}
	}
}
