package intake

import (
	"context"
	"fmt"

	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/outbox"
)

// Consumer names and delivery policy of the intake.
const ConsumerName = "intake"

// Run consumes the INBOUND stream and runs the outbox relay until ctx
// ends, kicking the relay after each commit.
func (s *Service) Run(ctx context.Context, b *bus.Bus, spec bus.ConsumerSpec) error {
	if spec.Stream == "" {
		spec.Stream = bus.StreamInbound
	}
	if spec.Durable == "" {
		spec.Durable = ConsumerName
	}
	relay := s.relay
	if relay == nil {
		relay = outbox.New(s.store, b, s.log)
	}
	// Once committed, a citizen's message lives in the database; the
	// stream's copy (words, NIKs) goes (docs/bus.md).
	spec.EraseDone = true
	relayCtx, stopRelay := context.WithCancel(ctx)
	defer stopRelay()
	relayDone := make(chan struct{})
	go func() {
		defer close(relayDone)
		_ = relay.Run(relayCtx)
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
		relay.Kick()
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
