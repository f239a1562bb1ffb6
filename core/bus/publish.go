package bus

import (
	"context"
	"fmt"

	"github.com/aduan-gateway/aduan/core/event"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Publish stores data on subject in JetStream with msgID as its Nats-Msg-Id
// and waits for the stream's acknowledgement. It reports duplicate=true when
// the stream already held a message with that id within DuplicateWindow (the
// message is then not stored again; for the caller that is a success).
// Headers in hdr are added to the message.
//
// Only when Publish returns nil is the message durable: answer a webhook or
// mark an outbox row sent after that, never before.
func (b *Bus) Publish(ctx context.Context, subject, msgID string, data []byte, hdr ...nats.Header) (duplicate bool, err error) {
	if msgID == "" {
		return false, fmt.Errorf("publishing to %s: %w", subject, ErrNoMsgID)
	}
	m := nats.NewMsg(subject)
	m.Data = data
	for _, h := range hdr {
		for k, vs := range h {
			for _, v := range vs {
				m.Header.Add(k, v)
			}
		}
	}
	ack, err := b.js.PublishMsg(ctx, m, jetstream.WithMsgID(msgID))
	if err != nil {
		return false, fmt.Errorf("publishing to %s: %w", subject, err)
	}
	return ack.Duplicate, nil
}

// PublishEvent marshals e with event.Marshal and publishes it like Publish.
// Usually subject is e.Subject() and msgID e.MsgID() or the event's ID.
func (b *Bus) PublishEvent(ctx context.Context, e event.Event, subject, msgID string) (duplicate bool, err error) {
	data, err := event.Marshal(e)
	if err != nil {
		return false, err
	}
	return b.Publish(ctx, subject, msgID, data)
}
