package meta

import (
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/adapters/internal/fetchqueue"
	"github.com/aduan-gateway/aduan/adapters/internal/fuzzseed"
)

// FuzzParseBody feeds the Messenger/Instagram webhook parser any body (as
// if its signature were valid): it must not panic, and every message it
// makes, on the body's channel, is a job the fetch queue accepts (one the
// core accepts, each file to fetch one of its attachments). Seeds: the
// payloads in testdata/.
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
			if err := (&fetchqueue.Job{Inbound: *it.in, Sources: it.fetch}).Validate(); err != nil {
				t.Errorf("made a message the queue refuses: %v", err)
			}
			if it.in.Channel != p.channel {
				t.Errorf("event on %s in a %s body", it.in.Channel, p.channel)
			}
		}
	})
}
