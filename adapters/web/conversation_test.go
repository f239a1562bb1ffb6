package web

import (
	"strings"
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/core/event"
)

func TestWindowNote(t *testing.T) {
	tests := []struct {
		name    string
		channel event.Channel
		since   time.Duration
		never   bool
		want    string
	}{
		{"messenger within a day", "messenger", 3 * time.Hour, false, ""},
		{"instagram after a day", "instagram", 30 * time.Hour, false, "24 jam"},
		{"messenger after a week", "messenger", 8 * 24 * time.Hour, false, "7 hari lalu"},
		{"whatsapp has no window here", "whatsapp", 30 * 24 * time.Hour, false, ""},
		{"never wrote", "messenger", 0, true, ""},
	}
	for _, tt := range tests {
		got := windowNote(tt.channel, tt.since, tt.never)
		if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("%s: %q, want one mentioning %q", tt.name, got, tt.want)
		}
	}
}
