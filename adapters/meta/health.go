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
// health bucket, where the web role shows it.
type healthBook struct {
	b   *bus.Bus
	log zerolog.Logger

	mu      sync.Mutex
	current map[string]*event.Health
	written map[string]time.Time
}

func newHealthBook(b *bus.Bus, log zerolog.Logger) *healthBook {
	return &healthBook{b: b, log: log, current: map[string]*event.Health{}, written: map[string]time.Time{}}
}

// update applies change to the account's health and records it when the
// state changed or the last write is older than healthWriteEvery. Failing to
// record is logged, never returned: health is a view, not the work.
func (h *healthBook) update(ctx context.Context, ch event.Channel, account string, change func(*event.Health)) {
	key := event.HealthKey(ch, account)
	h.mu.Lock()
	cur, ok := h.current[key]
	if !ok {
		// Start from what another process (or an earlier run) recorded.
		prev, found, err := h.b.Health(ctx, ch, account)
		if err != nil || !found {
			prev = event.Health{Channel: ch, Account: account, State: event.HealthOK}
		}
		cur = &prev
		h.current[key] = cur
	}
	before := cur.State
	change(cur)
	now := time.Now().UTC()
	if cur.State == before && now.Sub(h.written[key]) < healthWriteEvery {
		h.mu.Unlock()
		return
	}
	h.written[key] = now
	cur.UpdatedAt = now
	snapshot := *cur
	h.mu.Unlock()
	if err := h.b.SetHealth(ctx, snapshot); err != nil {
		h.log.Warn().Err(err).Str("channel", string(ch)).Str("account", account).Msg("recording channel health")
	}
}
