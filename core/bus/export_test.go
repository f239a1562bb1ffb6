package bus

import (
	"time"

	"github.com/aduan-gateway/aduan/core/event"
)

// SetHealthEvery changes w's spacing of routine writes (tests).
func SetHealthEvery(w *HealthWriter, d time.Duration) { w.every = d }

// FlushHealth runs what w's pending timer for an account runs (tests).
func FlushHealth(w *HealthWriter, ch event.Channel, account string) { w.flush(ch, account) }
