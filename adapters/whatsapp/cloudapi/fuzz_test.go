package cloudapi

import (
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/adapters/internal/fetchqueue"
	"github.com/aduan-gateway/aduan/adapters/internal/fuzzseed"
)

// FuzzParseBody feeds the WhatsApp Cloud API webhook parser any body (as if
// its signature were valid): it must not panic, and every message it makes
// is a job the fetch queue accepts (one the core accepts), with a media id
// per attachment. Seeds: the payloads in testdata/.
func FuzzParseBody(f *testing.F) {
	fuzzseed.Add(f, "testdata/*.json")
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
			if err := (&fetchqueue.Job{Inbound: *it.in, Sources: it.media}).Validate(); err != nil {
				t.Errorf("made a message the queue refuses: %v", err)
			}
			if len(it.media) != len(it.in.Attachments) {
				t.Errorf("%d media ids for %d attachments", len(it.media), len(it.in.Attachments))
			}
		}
	})
}
