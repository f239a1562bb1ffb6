package lapor

import (
	"strings"
	"testing"

	"github.com/aduan-gateway/aduan/adapters/internal/fuzzseed"
)

// FuzzDecodePage feeds the LAPOR! reports answer decoder anything: it must
// not panic, and what it accepts as a report carries what the core needs.
// Seeds: the answers in testdata/.
func FuzzDecodePage(f *testing.F) {
	fuzzseed.Add(f, "testdata/*.json")
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := decodePage(body)
		_ = decodeActionResult(body)
		if err != nil {
			return
		}
		for _, r := range p.Reports {
			if r.TrackingID == "" || r.Revision < 1 || r.FiledAt.IsZero() || r.Title == "" && r.Text == "" {
				t.Errorf("accepted an incomplete report %+v", r)
			}
			if r.Reporter != nil && r.Reporter.Phone != "" && !strings.HasPrefix(r.Reporter.Phone, "+62") {
				t.Errorf("reporter phone %q is not +62...", r.Reporter.Phone)
			}
			for _, rp := range r.Replies {
				if rp.Revision < 2 || rp.Revision > r.Revision {
					t.Errorf("reply revision %d outside 2..%d", rp.Revision, r.Revision)
				}
			}
		}
	})
}
