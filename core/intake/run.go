package intake

import (
	"context"
	"fmt"
	"time"

	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/outbox"
)

// ConsumerName names the intake's consumers of INBOUND: the partitioned
// group (its partitions are ConsumerName-p<n>) and the durable that takes
// messages stored unpartitioned.
const ConsumerName = "intake"

// ackWait is the intake's default AckWait. It also sets how soon a
// partition of a core process that died moves to another (bus.Group).
const ackWait = 10 * time.Second

// Run consumes the INBOUND stream and runs the outbox relay until ctx
// ends, kicking the relay after each commit.
//
// Each INBOUND partition is handled in order by one core process at a time
// (bus.ConsumeGroup), a batch of its waiting messages in one transaction
// (HandleBatch); a batch that fails is handled again message by message, so
// that a bad one is retried or dead-lettered alone. Messages stored without
// a partition (published on aduan.inbound.<channel> by an older adapter, or
// stored before partitions existed) are taken one at a time by the plain
// durable.
func (s *Service) Run(ctx context.Context, b *bus.Bus, spec bus.ConsumerSpec) error {
	spec.Stream = bus.StreamInbound
	if spec.Durable == "" {
		spec.Durable = ConsumerName
	}
	if spec.AckWait == 0 {
		spec.AckWait = ackWait
	}
	// Once committed, a citizen's message lives in the database; the
	// stream's copy (words, NIKs) goes (docs/bus.md).
	spec.EraseDone = true
	relay := s.relay
	if relay == nil {
		relay = outbox.New(s.store, b, s.log)
	}
	relayCtx, stopRelay := context.WithCancel(ctx)
	defer stopRelay()
	relayDone := make(chan struct{})
	go func() {
		defer close(relayDone)
		_ = relay.Run(relayCtx)
	}()
	stopped := func(err error, what string) error {
		stopRelay()
		<-relayDone
		if ctx.Err() != nil {
			return nil // stopped while starting: a shutdown, not a failure
		}
		return fmt.Errorf("starting intake %s: %w", what, err)
	}

	handled := func(m *event.Inbound, res Result) {
		if s.afterCommit != nil {
			s.afterCommit(m)
		}
		s.log.Debug().Str("event_id", m.ID).Str("channel", string(m.Channel)).
			Bool("duplicate", res.Duplicate).Int("replies", len(res.Replies)).Str("ticket", res.Ticket).
			Msg("message handled")
		if !res.Duplicate && res.ConversationID != 0 {
			notifyInbox(b, res.ConversationID, "message")
		}
	}
	one := func(ctx context.Context, msg *bus.Msg) error {
		m, err := decode(msg)
		if err != nil {
			return err
		}
		res, err := s.Handle(ctx, m)
		if err != nil {
			return err
		}
		handled(m, res)
		relay.Kick()
		return nil
	}
	batch := func(ctx context.Context, msgs []*bus.Msg) error {
		ms := make([]*event.Inbound, len(msgs))
		for i, msg := range msgs {
			var err error
			if ms[i], err = decode(msg); err != nil {
				return err
			}
		}
		results, err := s.HandleBatch(ctx, ms)
		if err != nil {
			return err
		}
		for i, m := range ms {
			handled(m, results[i])
		}
		relay.Kick()
		return nil
	}

	unpartitioned := spec
	unpartitioned.FilterSubjects = []string{event.SubjectInboundPrefix + ">"}
	c, err := b.Consume(ctx, unpartitioned, one)
	if err != nil {
		return stopped(err, "consumer")
	}
	g, err := b.ConsumeGroup(ctx, bus.GroupSpec{ConsumerSpec: spec}, one, batch)
	if err != nil {
		c.Stop()
		return stopped(err, "consumer group")
	}
	select {
	case <-ctx.Done():
	case <-g.Done():
	}
	g.Stop()
	c.Stop()
	stopRelay()
	<-relayDone
	if err := g.Err(); err != nil {
		return fmt.Errorf("intake consumer group: %w", err)
	}
	return nil
}

// decode reads an inbound event; one that cannot be read never will be.
func decode(msg *bus.Msg) (*event.Inbound, error) {
	var m event.Inbound
	if err := event.Unmarshal(msg.Data, &m); err != nil {
		return nil, bus.Permanent(err)
	}
	if err := m.Validate(); err != nil {
		return nil, bus.Permanent(err)
	}
	return &m, nil
}
