package intake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/event"
)

// Durable consumer names of the core's side streams.
const (
	DeliveryConsumer = "core-delivery"
	RejectedConsumer = "core-rejected"
)

// RunDelivery records delivery reports from the adapters on the stored
// messages until ctx ends, so the inbox shows sent, delivered, read or
// failed with its reason.
func (s *Service) RunDelivery(ctx context.Context, b *bus.Bus) error {
	c, err := b.Consume(ctx, bus.ConsumerSpec{Stream: bus.StreamDelivery, Durable: DeliveryConsumer},
		func(ctx context.Context, msg *bus.Msg) error {
			var d event.Delivery
			if err := event.Unmarshal(msg.Data, &d); err != nil {
				return bus.Permanent(err)
			}
			conv, found, err := s.store.UpdateDelivery(ctx, &d)
			if err != nil {
				return err
			}
			if !found {
				// A report may overtake the commit of the reply it is about
				// only if the relay published before commit, which it does not;
				// so an unknown message is one sent outside Aduan: nothing to record.
				s.log.Debug().Str("outbound_id", d.OutboundID).Str("channel", string(d.Channel)).
					Msg("delivery report for a message not stored; ignored")
				return nil
			}
			notifyInbox(b, int64(conv), "delivery")
			return nil
		})
	if err != nil {
		if ctx.Err() != nil {
			return nil // stopped while starting: a shutdown, not a failure
		}
		return fmt.Errorf("starting delivery consumer: %w", err)
	}
	<-ctx.Done()
	c.Stop()
	return nil
}

// RunRejected keeps input the adapters could not understand in the store,
// for an administrator to inspect, until ctx ends.
func (s *Service) RunRejected(ctx context.Context, b *bus.Bus) error {
	c, err := b.Consume(ctx, bus.ConsumerSpec{Stream: bus.StreamRejected, Durable: RejectedConsumer},
		func(ctx context.Context, msg *bus.Msg) error {
			var r event.Rejected
			if err := event.Unmarshal(msg.Data, &r); err != nil {
				return bus.Permanent(err)
			}
			if r.BodyKey != "" {
				body, err := b.RejectedBody(ctx, &r)
				if errors.Is(err, bus.ErrAttachmentNotFound) {
					return nil // stored on an earlier delivery, which then deleted the copy
				}
				if err != nil {
					return err
				}
				r.Body, err = io.ReadAll(body)
				body.Close()
				if err != nil {
					return fmt.Errorf("reading rejected body %s: %w", r.BodyKey, err)
				}
			}
			if err := s.store.InsertRejected(ctx, &r); err != nil {
				return err
			}
			if r.BodyKey != "" {
				// The body is in the database now, where retention expires it;
				// the object store's copy would outlive it.
				if err := s.deleteObjects(ctx, b, []string{r.BodyKey}); err != nil {
					return err
				}
			}
			s.log.Warn().Str("channel", string(r.Channel)).Str("source", r.Source).Str("reason", r.Reason).
				Int("bytes", len(r.Body)).Msg("input rejected by an adapter kept for inspection")
			return nil
		})
	if err != nil {
		if ctx.Err() != nil {
			return nil // stopped while starting: a shutdown, not a failure
		}
		return fmt.Errorf("starting rejected-input consumer: %w", err)
	}
	<-ctx.Done()
	c.Stop()
	return nil
}

// notifyInbox tells open admin inboxes that a conversation changed. It is
// best effort: a lost notice costs a stale screen until the next one.
func notifyInbox(b *bus.Bus, conv int64, what string) {
	data, _ := json.Marshal(event.InboxChange{ConversationID: conv, What: what})
	_ = b.Conn().Publish(event.SubjectInboxChanged, data)
}
