package meta

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/event"
)

// SentBucket is the NATS key-value bucket where the adapter remembers the
// messages it sent, per conversation: Meta's delivery and read reports name
// a message id (mid) or only a time (watermark), and the core needs the
// outbound event id. Any process of a cluster can resolve them.
const SentBucket = bus.BucketMetaSent

// sentPerConversation caps one conversation's record; receipts concern the
// latest messages.
const sentPerConversation = 200

// sentEntry is one message (or one part of a long reply) Aduan sent.
type sentEntry struct {
	MID        string `json:"mid"`
	OutboundID string `json:"outbound_id"`
	// At is when the send call started (ms): never later than Meta's own
	// timestamp of the message, so a watermark at or after it covers it.
	At        int64 `json:"at"`
	Delivered bool  `json:"delivered,omitempty"`
	Read      bool  `json:"read,omitempty"`
}

type sentList struct {
	Sent []sentEntry `json:"sent"`
}

// sentStore is the bucket, with compare-and-set updates so that a sender
// and a receipt updating one conversation at once lose nothing.
type sentStore struct {
	kv  jetstream.KeyValue
	now func() time.Time
}

func openSentStore(b *bus.Bus, now func() time.Time) *sentStore {
	return &sentStore{kv: b.Bucket(SentBucket), now: now}
}

// sentKey names a conversation's record; ids are base64url-encoded so any
// id is a valid key.
func sentKey(ch event.Channel, account, citizen string) string {
	enc := base64.RawURLEncoding
	return string(ch) + "." + enc.EncodeToString([]byte(account)) + "." + enc.EncodeToString([]byte(citizen))
}

func (s *sentStore) load(ctx context.Context, key string) (sentList, uint64, error) {
	e, err := s.kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return sentList{}, 0, nil
	}
	if err != nil {
		return sentList{}, 0, fmt.Errorf("reading sent messages: %w", err)
	}
	var l sentList
	if err := json.Unmarshal(e.Value(), &l); err != nil {
		return sentList{}, 0, fmt.Errorf("decoding sent messages %s: %w", key, err)
	}
	return l, e.Revision(), nil
}

// modify applies change to a conversation's record with compare-and-set,
// retrying on a concurrent update. change reports whether it changed anything.
func (s *sentStore) modify(ctx context.Context, key string, change func(*sentList) bool) error {
	for range 10 {
		l, rev, err := s.load(ctx, key)
		if err != nil {
			return err
		}
		if !change(&l) {
			return nil
		}
		data, err := json.Marshal(l)
		if err != nil {
			return err
		}
		if rev == 0 {
			_, err = s.kv.Create(ctx, key, data)
		} else {
			_, err = s.kv.Update(ctx, key, data, rev)
		}
		if err == nil {
			return nil
		}
		if !errors.Is(err, jetstream.ErrKeyExists) && !isWrongSequence(err) {
			return fmt.Errorf("recording sent messages: %w", err)
		}
	}
	return errors.New("recording sent messages: too many concurrent updates")
}

func isWrongSequence(err error) bool {
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence
}

// record remembers that mid was sent for outbound event outboundID.
func (s *sentStore) record(ctx context.Context, ch event.Channel, account, citizen, mid, outboundID string, at time.Time) error {
	return s.modify(ctx, sentKey(ch, account, citizen), func(l *sentList) bool {
		if slices.ContainsFunc(l.Sent, func(e sentEntry) bool { return e.MID == mid }) {
			return false
		}
		l.Sent = append(l.Sent, sentEntry{MID: mid, OutboundID: outboundID, At: at.UnixMilli()})
		cutoff := s.now().Add(-bus.SentTTL).UnixMilli()
		l.Sent = slices.DeleteFunc(l.Sent, func(e sentEntry) bool { return e.At < cutoff })
		if n := len(l.Sent); n > sentPerConversation {
			l.Sent = l.Sent[n-sentPerConversation:]
		}
		return true
	})
}

// sentBy returns the outbound event id of mid if Aduan sent it.
func (s *sentStore) sentBy(ctx context.Context, ch event.Channel, account, citizen, mid string) (string, bool, error) {
	l, _, err := s.load(ctx, sentKey(ch, account, citizen))
	if err != nil {
		return "", false, err
	}
	for _, e := range l.Sent {
		if e.MID == mid {
			return e.OutboundID, true, nil
		}
	}
	return "", false, nil
}

// settle marks the messages a receipt covers and returns those that reached
// its status only now, so a repeated watermark reports nothing twice. A
// receipt naming a mid covers that message and everything sent before it
// (a read message implies the earlier ones were read); a watermark covers
// everything sent at or before it. Named mids Aduan did not send come back
// in unknown, for the core to match against echoes it stored.
func (s *sentStore) settle(ctx context.Context, r *receipt) (reached []sentEntry, unknown []string, err error) {
	err = s.modify(ctx, sentKey(r.channel, r.account, r.citizen), func(l *sentList) bool {
		reached, unknown = nil, nil
		limit := int64(-1)
		if !r.watermark.IsZero() {
			limit = r.watermark.UnixMilli()
		}
		for _, mid := range r.mids {
			i := slices.IndexFunc(l.Sent, func(e sentEntry) bool { return e.MID == mid })
			if i < 0 {
				unknown = append(unknown, mid)
				continue
			}
			limit = max(limit, l.Sent[i].At)
		}
		for i := range l.Sent {
			e := &l.Sent[i]
			if e.At > limit {
				continue
			}
			switch {
			case r.status == event.DeliveryRead && !e.Read:
				e.Read, e.Delivered = true, true
			case r.status == event.DeliveryDelivered && !e.Delivered && !e.Read:
				e.Delivered = true
			default:
				continue
			}
			reached = append(reached, *e)
		}
		return len(reached) > 0
	})
	return reached, unknown, err
}
