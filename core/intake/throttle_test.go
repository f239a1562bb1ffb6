package intake

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/aduan-gateway/aduan/core/dialog"
)

// TestReplyThrottlePerReporter: one sender posting many messages gets at
// most ReplyLimit bot replies within ReplyWindow; every message is still
// stored for the officers, another reporter is answered as usual, and the
// bot answers again once the window has passed.
func TestReplyThrottlePerReporter(t *testing.T) {
	h := newHarness(t)
	var shift atomic.Int64 // the service reads its clock on another goroutine
	now := func() time.Time { return h.clock.Add(time.Duration(shift.Load())) }
	h.start(New(h.st, dialog.New(nil, nil), Options{Log: zerolog.Nop(), Now: now}))
	replied := 0
	const flood = ReplyLimit + 5
	for i := range flood {
		if len(h.send(wa("6281234999001", fmt.Sprintf("halo %d", i)))) > 0 {
			replied++
		}
	}
	if replied != ReplyLimit {
		t.Errorf("%d of %d messages answered, want %d", replied, flood, ReplyLimit)
	}
	// h.send waited for each message to be stored.
	if len(h.send(wa("6281234999002", "halo, saya mau mengadu"))) == 0 {
		t.Error("another reporter got no reply")
	}
	shift.Store(int64(ReplyWindow + time.Minute))
	if len(h.send(wa("6281234999001", "halo lagi"))) == 0 {
		t.Error("no reply after the window passed")
	}
}
