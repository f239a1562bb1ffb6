package meta

import (
	"context"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/event"
)

// healthWriteEvery spaces out routine health writes (a timestamp moving on);
// a change of state is written at once.
const healthWriteEvery = 30 * time.Second

// healthBook keeps each page's and Instagram account's health in the bus's
// health bucket, where the web role shows it. Every write starts from what
// the bucket holds, so the webhook's timestamps never undo the state the
// sender (in this process or another) recorded.
type healthBook struct {
	b   *bus.Bus
	log zerolog.Logger

	mu      sync.Mutex
	written map[string]time.Time
}

func newHealthBook(b *bus.Bus, log zerolog.Logger) *healthBook {
	return &healthBook{b: b, log: log, written: map[string]time.Time{}}
}

// touch records routine news (a message in or out) at most every
// healthWriteEvery per account.
func (h *healthBook) touch(ctx context.Context, ch event.Channel, account string, change func(*event.Health)) {
	key := event.HealthKey(ch, account)
	now := time.Now()
	h.mu.Lock()
	if now.Sub(h.written[key]) < healthWriteEvery {
		h.mu.Unlock()
		return
	}
	h.written[key] = now
	h.mu.Unlock()
	h.write(ctx, ch, account, change)
}

// set records a change of state at once.
func (h *healthBook) set(ctx context.Context, ch event.Channel, account string, change func(*event.Health)) {
	h.mu.Lock()
	h.written[event.HealthKey(ch, account)] = time.Now()
	h.mu.Unlock()
	h.write(ctx, ch, account, change)
}

// write applies change to the recorded health. Failing to record is logged,
// never returned: health is a view, not the work.
func (h *healthBook) write(ctx context.Context, ch event.Channel, account string, change func(*event.Health)) {
	cur, found, err := h.b.Health(ctx, ch, account)
	if err != nil || !found {
		cur = event.Health{Channel: ch, Account: account, State: event.HealthOK}
	}
	change(&cur)
	cur.UpdatedAt = time.Now().UTC()
	if err := h.b.SetHealth(ctx, cur); err != nil {
		h.log.Warn().Err(err).Str("channel", string(ch)).Str("account", account).Msg("recording channel health")
	}
}
