package bus

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/aduan-gateway/aduan/core/event"
)

// headerRoom is what a published message's subject and headers may take
// beside its data within the server's max_payload.
const headerRoom = 4 << 10

// PublishRejected publishes rejected input under msgID. A body that would
// make the event larger than the server's max_payload goes to the object
// store first, and the event carries its key (BodyKey) instead: otherwise
// the publish would fail on every retry, and the platform would keep
// resending a webhook it could never have answered.
func (b *Bus) PublishRejected(ctx context.Context, r *event.Rejected, msgID string) error {
	data, err := event.Marshal(r)
	if err != nil {
		return err
	}
	if int64(len(data)) > b.nc.MaxPayload()-headerRoom {
		key, _, _, err := b.PutAttachment(ctx, bytes.NewReader(r.Body), "rejected-"+r.ID, r.ContentType)
		if err != nil {
			return fmt.Errorf("storing rejected body: %w", err)
		}
		r.Body, r.BodyKey = nil, key
		if data, err = event.Marshal(r); err != nil {
			return err
		}
	}
	_, err = b.Publish(ctx, r.Subject(), msgID, data)
	return err
}

// RejectedBody opens the body of rejected input, from the event or from the
// object store; close it when done.
func (b *Bus) RejectedBody(ctx context.Context, r *event.Rejected) (io.ReadCloser, error) {
	if r.BodyKey == "" {
		return io.NopCloser(bytes.NewReader(r.Body)), nil
	}
	rc, _, err := b.GetAttachment(ctx, r.BodyKey)
	return rc, err
}
