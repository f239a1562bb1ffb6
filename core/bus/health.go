package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/aduan-gateway/aduan/core/event"
)

// SetHealth records a channel account's health, stamping UpdatedAt. Every
// process sees it, so the web role shows what the adapter role reports even
// when they run on different machines.
func (b *Bus) SetHealth(ctx context.Context, h event.Health) error {
	if h.UpdatedAt.IsZero() {
		h.UpdatedAt = time.Now().UTC()
	}
	data, err := json.Marshal(h)
	if err != nil {
		return err
	}
	if _, err := b.Bucket(HealthBucket).Put(ctx, event.HealthKey(h.Channel, h.Account), data); err != nil {
		return fmt.Errorf("recording health of %s %s: %w", h.Channel, h.Account, err)
	}
	return nil
}

// Health returns a channel account's last recorded health; ok is false when
// none was recorded.
func (b *Bus) Health(ctx context.Context, c event.Channel, account string) (h event.Health, ok bool, err error) {
	e, err := b.Bucket(HealthBucket).Get(ctx, event.HealthKey(c, account))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return event.Health{}, false, nil
	}
	if err != nil {
		return event.Health{}, false, fmt.Errorf("reading health of %s %s: %w", c, account, err)
	}
	if err := json.Unmarshal(e.Value(), &h); err != nil {
		return event.Health{}, false, fmt.Errorf("decoding health of %s %s: %w", c, account, err)
	}
	return h, true, nil
}

// Healths returns the recorded health of every channel account.
func (b *Bus) Healths(ctx context.Context) ([]event.Health, error) {
	lister, err := b.Bucket(HealthBucket).ListKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing health: %w", err)
	}
	// Stop only matters when the loop ends early; after the last key it
	// reports the finished subscription as invalid, which is no error.
	defer lister.Stop() //nolint:errcheck
	var out []event.Health
	for key := range lister.Keys() {
		e, err := b.Bucket(HealthBucket).Get(ctx, key)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			continue // deleted meanwhile
		}
		if err != nil {
			return nil, fmt.Errorf("reading health %s: %w", key, err)
		}
		var h event.Health
		if err := json.Unmarshal(e.Value(), &h); err != nil {
			return nil, fmt.Errorf("decoding health %s: %w", key, err)
		}
		out = append(out, h)
	}
	return out, nil
}
