// Package wasent remembers which WhatsApp message carried which outbound
// event, for both WhatsApp transports: receipts and status webhooks name the
// platform's message id, the core needs the outbound event id. It lives in a
// NATS key-value bucket so that any process of a cluster resolves them.
package wasent

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/aduan-gateway/aduan/core/bus"
)

// Store maps WhatsApp message ids to outbound event ids and back.
type Store struct{ kv jetstream.KeyValue }

// Open returns the store over the bus's bucket.
func Open(b *bus.Bus) *Store {
	return &Store{kv: b.Bucket(bus.BucketWhatsAppSent)}
}

// key names an id; ids with characters NATS keys do not allow are encoded.
func key(prefix, id string) string {
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return prefix + ".b64." + base64.RawURLEncoding.EncodeToString([]byte(id))
		}
	}
	return prefix + "." + id
}

// Put records that outboundID went out as the WhatsApp message messageID.
func (s *Store) Put(ctx context.Context, outboundID, messageID string) error {
	if _, err := s.kv.Put(ctx, key("msg", messageID), []byte(outboundID)); err != nil {
		return fmt.Errorf("recording sent message: %w", err)
	}
	if _, err := s.kv.Put(ctx, key("out", outboundID), []byte(messageID)); err != nil {
		return fmt.Errorf("recording sent message: %w", err)
	}
	return nil
}

// Outbound returns the outbound event id sent as messageID; "" when the
// message was not sent by Aduan (the office phone, say).
func (s *Store) Outbound(ctx context.Context, messageID string) (string, error) {
	return s.get(ctx, key("msg", messageID))
}

// Sent returns the WhatsApp message id outboundID went out as; "" when it
// was not sent yet.
func (s *Store) Sent(ctx context.Context, outboundID string) (string, error) {
	return s.get(ctx, key("out", outboundID))
}

func (s *Store) get(ctx context.Context, k string) (string, error) {
	e, err := s.kv.Get(ctx, k)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading sent message %s: %w", strings.TrimPrefix(k, "msg."), err)
	}
	return string(e.Value()), nil
}

// partID names part n of a reply split into several messages: part 0 is the
// reply itself, so Sent and receipts keep working on the outbound id.
func partID(outboundID string, part int) string {
	if part == 0 {
		return outboundID
	}
	return fmt.Sprintf("%s#%d", outboundID, part)
}

// PutPart records that part n of a reply went out as messageID; receipts
// for any part resolve to the reply's outbound id.
func (s *Store) PutPart(ctx context.Context, outboundID string, part int, messageID string) error {
	if _, err := s.kv.Put(ctx, key("msg", messageID), []byte(outboundID)); err != nil {
		return fmt.Errorf("recording sent message: %w", err)
	}
	if _, err := s.kv.Put(ctx, key("out", partID(outboundID, part)), []byte(messageID)); err != nil {
		return fmt.Errorf("recording sent message: %w", err)
	}
	return nil
}

// SentPart returns the message id part n of a reply went out as, or "".
func (s *Store) SentPart(ctx context.Context, outboundID string, part int) (string, error) {
	return s.get(ctx, key("out", partID(outboundID, part)))
}
