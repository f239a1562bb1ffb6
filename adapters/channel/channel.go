// Package channel is what every reply sender shares: it consumes a channel's
// replies from the OUTBOUND work queue, hands each to the channel's Send,
// reports the outcome as a delivery event, keeps the channel's health and
// logs a failure once. A channel adapter only says how to send one reply
// and how a failure reads (a *bus.SendError).
package channel

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/rs/zerolog"

	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/event"
)

// Send sends one reply and returns the platform's id of its (first)
// message. It must not send again what an earlier delivery of the same
// event already sent: a report lost to a crash brings the event back. A
// failure is a *bus.SendError; any other error counts as retryable.
type Send func(ctx context.Context, out *event.Outbound) (externalID string, err error)

// Results of a send, for Config.Observe.
const (
	ResultSent    = "sent"
	ResultRetried = "retried"
	ResultFailed  = "failed"
)

// Config is one channel's sender. Zero fields take defaults where noted.
type Config struct {
	// Durable names the consumer on OUTBOUND; Channels are the channels it
	// sends (its subject filter, and the only channels it accepts).
	Durable  string
	Channels []event.Channel
	// Attempts is how many deliveries a retryable failure gets before the
	// reply is reported failed. Default 1.
	Attempts int
	// Backoff paces the redeliveries; AckWait bounds one (0: the bus's).
	Backoff []time.Duration
	AckWait time.Duration
	// Send is the channel's way of sending one reply.
	Send Send
	// Health, when set, records the last reply out and, for failures that
	// need an administrator, the account's state.
	Health *bus.HealthWriter
	// Observe, when set, hears each outcome (metrics).
	Observe func(ch event.Channel, result string)
	// Log is the adapter's component logger.
	Log zerolog.Logger
	// Now is the clock of the reports (tests). Default time.Now.
	Now func() time.Time
}

// Run sends replies until ctx ends.
func Run(ctx context.Context, b *bus.Bus, cfg Config) error {
	if cfg.Send == nil || len(cfg.Channels) == 0 {
		return fmt.Errorf("%w: sender %s without channels or Send", bus.ErrInvalidConfig, cfg.Durable)
	}
	cfg.Attempts = max(cfg.Attempts, 1)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	subjects := make([]string, len(cfg.Channels))
	for i, ch := range cfg.Channels {
		subjects[i] = event.OutboundSubject(ch)
	}
	s := &sender{b: b, cfg: cfg}
	c, err := b.Consume(ctx, bus.ConsumerSpec{
		Stream:         bus.StreamOutbound,
		Durable:        cfg.Durable,
		FilterSubjects: subjects,
		// The handler reports the failure itself on the last attempt; the
		// extra deliveries only cover a failing report.
		MaxDeliver: cfg.Attempts + 3,
		Backoff:    cfg.Backoff,
		AckWait:    cfg.AckWait,
	}, s.handle)
	if err != nil {
		return fmt.Errorf("starting sender %s: %w", cfg.Durable, err)
	}
	<-ctx.Done()
	c.Stop()
	return nil
}

type sender struct {
	b   *bus.Bus
	cfg Config
}

func (s *sender) handle(ctx context.Context, m *bus.Msg) error {
	var out event.Outbound
	if err := event.Unmarshal(m.Data, &out); err != nil {
		return bus.Permanent(err)
	}
	if !slices.Contains(s.cfg.Channels, out.Channel) {
		return bus.Permanent(fmt.Errorf("outbound %s for channel %q on the subject of %v", out.ID, out.Channel, s.cfg.Channels))
	}
	id, err := s.cfg.Send(ctx, &out)
	if err == nil {
		d := &event.Delivery{ID: event.NewID(), OutboundID: out.ID, Channel: out.Channel, Account: out.Account,
			ExternalID: id, Status: event.DeliverySent, At: s.cfg.Now().UTC()}
		if err := s.publish(ctx, d, out.ID); err != nil {
			return err // redelivered; what was sent is recorded and not sent again
		}
		s.observe(out.Channel, ResultSent)
		if s.cfg.Health != nil {
			s.cfg.Health.Sent(out.Channel, out.Account, d.At)
		}
		return nil
	}
	if ctx.Err() != nil {
		return err // shutting down: handed back, not failed
	}
	var se *bus.SendError
	if !errors.As(err, &se) {
		se = &bus.SendError{Reason: "could not record the reply's progress", Retryable: true, Err: err}
	}
	if se.Retryable && !se.NeedsAdmin && m.NumDelivered < uint64(s.cfg.Attempts) {
		s.observe(out.Channel, ResultRetried)
		return err // the bus logs it and redelivers after a backoff
	}
	now := s.cfg.Now().UTC()
	if se.NeedsAdmin && s.cfg.Health != nil {
		s.cfg.Health.Set(ctx, out.Channel, out.Account, func(h *event.Health) {
			h.State, h.Detail = event.HealthNeedsAttention, reason(se)
			h.LastError, h.LastErrorAt = se.Error(), now
		})
	}
	d := &event.Delivery{ID: event.NewID(), OutboundID: out.ID, Channel: out.Channel, Account: out.Account,
		Status: event.DeliveryFailed, Reason: reason(se), Retryable: se.Retryable, At: now}
	if err := s.publish(ctx, d, out.ID); err != nil {
		return err
	}
	s.observe(out.Channel, ResultFailed)
	s.cfg.Log.Warn().Err(err).Str("channel", string(out.Channel)).Str("outbound_id", out.ID).
		Uint64("deliveries", m.NumDelivered).Msg("reply failed")
	return nil
}

func (s *sender) publish(ctx context.Context, d *event.Delivery, outboundID string) error {
	_, err := s.b.PublishEvent(ctx, d, d.Subject(), event.DeliveryMsgID(d.Channel, outboundID, d.Status))
	return err
}

func (s *sender) observe(ch event.Channel, result string) {
	if s.cfg.Observe != nil {
		s.cfg.Observe(ch, result)
	}
}

// reason is what the inbox shows of a failure.
func reason(se *bus.SendError) string {
	if se.Reason != "" {
		return se.Reason
	}
	return se.Error()
}
