package intake

import (
	"context"
	"fmt"
	"time"

	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/event"
)

// Consumer names and delivery policy of the intake.
const (
	ConsumerName = "intake"
	relayBatch   = 100
)

// Run consumes the INBOUND stream and relays the outbox until ctx ends.
func (s *Service) Run(ctx context.Context, b *bus.Bus, spec bus.ConsumerSpec) error {
	if spec.Stream == "" {
		spec.Stream = bus.StreamInbound
	}
	if spec.Durable == "" {
		spec.Durable = ConsumerName
	}
	kick := make(chan struct{}, 1)
	relayCtx, stopRelay := context.WithCancel(ctx)
	defer stopRelay()
	relayDone := make(chan struct{})
	go func() {
		defer close(relayDone)
		s.relay(relayCtx, b, kick)
	}()
	c, err := b.Consume(ctx, spec, func(ctx context.Context, msg *bus.Msg) error {
		var m event.Inbound
		if err := event.Unmarshal(msg.Data, &m); err != nil {
			return bus.Permanent(err)
		}
		if err := m.Validate(); err != nil {
			return bus.Permanent(err)
		}
		res, err := s.Handle(ctx, &m)
		if err != nil {
			return err
		}
		if s.afterCommit != nil {
			s.afterCommit(&m)
		}
		s.log.Debug().Str("event_id", m.ID).Str("channel", string(m.Channel)).
			Bool("duplicate", res.Duplicate).Int("replies", len(res.Replies)).Str("ticket", res.Ticket).
			Msg("message handled")
		if !res.Duplicate && res.ConversationID != 0 {
			notifyInbox(b, res.ConversationID, "message")
		}
		select {
		case kick <- struct{}{}:
		default:
		}
		return nil
	})
	if err != nil {
		stopRelay()
		<-relayDone
		if ctx.Err() != nil {
			return nil // stopped while starting: a shutdown, not a failure
		}
		return fmt.Errorf("starting intake consumer: %w", err)
	}
	<-ctx.Done()
	c.Stop()
	<-relayDone
	return nil
}

// relay publishes the outbox after each commit, and every second to pick up
// what a crashed process or a NATS outage left behind.
func (s *Service) relay(ctx context.Context, b *bus.Bus, kick <-chan struct{}) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	// Published rows are kept a day (well past JetStream's duplicate
	// window) for inspection, then deleted: they hold citizens' words.
	prune := time.NewTicker(time.Hour)
	defer prune.Stop()
	failing := false
	publish := func(ctx context.Context, subject, msgID string, data []byte) error {
		_, err := b.Publish(ctx, subject, msgID, data)
		return err
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-kick:
		case <-tick.C:
		case <-prune.C:
			if _, err := s.store.PruneOutbox(ctx, time.Now().Add(-24*time.Hour)); err != nil && ctx.Err() == nil {
				s.log.Warn().Err(err).Msg("pruning the outbox")
			}
			continue
		}
		for {
			n, err := s.store.RelayOutbox(ctx, publish, relayBatch)
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				if !failing {
					s.log.Warn().Err(err).Msg("outbox relay failing; will retry")
				}
				failing = true
				break
			}
			if failing {
				s.log.Info().Msg("outbox relay recovered")
				failing = false
			}
			if n < relayBatch {
				break
			}
		}
	}
}
