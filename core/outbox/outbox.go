// Package outbox relays the store's transactional outbox to NATS: at once
// when kicked after a commit, and every second for what a crashed process or
// a NATS outage left behind. The core role runs one relay per process; the
// admin inbox kicks it so a staff reply leaves without waiting for the tick.
package outbox

import (
	"context"
	"time"

	"github.com/rs/zerolog"

	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/store"
)

// batch is how many entries one relay transaction publishes.
const batch = 100

// Relay publishes pending outbox entries.
type Relay struct {
	store *store.Store
	bus   *bus.Bus
	log   zerolog.Logger
	kick  chan struct{}
}

// New returns a relay of st's outbox to b.
func New(st *store.Store, b *bus.Bus, log zerolog.Logger) *Relay {
	return &Relay{store: st, bus: b, log: log.With().Str("comp", "outbox").Logger(), kick: make(chan struct{}, 1)}
}

// Kick asks the relay to publish now; it never blocks.
func (r *Relay) Kick() {
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// Run relays until ctx ends.
func (r *Relay) Run(ctx context.Context) error {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	// Published rows are kept a day (well past JetStream's duplicate
	// window) for inspection, then deleted: they hold citizens' words.
	prune := time.NewTicker(time.Hour)
	defer prune.Stop()
	failing := false
	publish := func(ctx context.Context, subject, msgID string, data []byte) error {
		_, err := r.bus.Publish(ctx, subject, msgID, data)
		return err
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-r.kick:
		case <-tick.C:
		case <-prune.C:
			if _, err := r.store.PruneOutbox(ctx, time.Now().Add(-24*time.Hour)); err != nil && ctx.Err() == nil {
				r.log.Warn().Err(err).Msg("pruning the outbox")
			}
			continue
		}
		for {
			n, err := r.store.RelayOutbox(ctx, publish, batch)
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				if !failing {
					r.log.Warn().Err(err).Msg("outbox relay failing; will retry")
				}
				failing = true
				break
			}
			if failing {
				r.log.Info().Msg("outbox relay recovered")
				failing = false
			}
			if n < batch {
				break
			}
		}
	}
}
