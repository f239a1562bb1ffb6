package meta

import (
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/adapters/internal/fuzzseed"
)

// FuzzParseBody feeds the Messenger/Instagram webhook parser any body (as
// if its signature were valid): it must not panic, and every message it
// makes is one the core accepts, on the body's channel, with each file to
// fetch pointing at one of its attachments. Seeds: the payloads in testdata/.
func FuzzParseBody(f *testing.F) {
	fuzzseed.Add(f, "testdata/*.json", "testdata/*.txt")
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := parseBody(body, now)
		if err != nil {
			return
		}
		for _, it := range p.items {
			if it.in == nil {
				continue
			}
			if err := it.in.Validate(); err != nil {
				t.Errorf("made an event the core refuses: %v", err)
			}
			if it.in.Channel != p.channel {
				t.Errorf("event on %s in a %s body", it.in.Channel, p.channel)
			}
			for _, s := range it.fetch {
				if s.Index < 0 || s.Index >= len(it.in.Attachments) {
					t.Errorf("file to fetch for attachment %d of %d", s.Index, len(it.in.Attachments))
				}
			}
		}
	})
}
