package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/aduan-gateway/aduan/core/event"
)

// deliveryRank orders delivery states so that a late or repeated report
// never moves a message backwards: a "delivered" arriving after "read" is
// ignored, and a failure counts only until the citizen's phone confirms.
const deliveryRank = `CASE %s WHEN 'sent' THEN 1 WHEN 'failed' THEN 2 WHEN 'delivered' THEN 3
	WHEN 'read' THEN 4 ELSE 0 END`

// UpdateDelivery records what became of one of our messages, found by its
// outbound event id or, failing that, the platform's id. It returns the
// message's conversation, and found=false when no such message is stored.
func (s *Store) UpdateDelivery(ctx context.Context, d *event.Delivery) (conv ConversationID, found bool, err error) {
	newRank := fmt.Sprintf(deliveryRank, "$3::text")
	oldRank := fmt.Sprintf(deliveryRank, "delivery_status")
	err = s.pool.QueryRow(ctx, `UPDATE messages SET
			delivery_status = CASE WHEN `+newRank+` > `+oldRank+` THEN $3 ELSE delivery_status END,
			delivery_reason = CASE WHEN `+newRank+` > `+oldRank+` THEN $4 ELSE delivery_reason END,
			delivery_at = CASE WHEN `+newRank+` > `+oldRank+` THEN $5 ELSE delivery_at END,
			platform_id = CASE WHEN $2 <> '' THEN $2 ELSE platform_id END
		WHERE direction = 'out' AND (event_id = $1 OR ($1 = '' AND $2 <> '' AND channel = $6 AND platform_id = $2))
		RETURNING conversation_id`,
		d.OutboundID, d.ExternalID, d.Status, d.Reason, d.At, d.Channel).Scan(&conv)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("recording delivery: %w", err)
	}
	return conv, true, nil
}

// DeliveryPending is the delivery state of a reply stored and not yet
// reported on: it lives only in the database, never in a delivery event.
const DeliveryPending event.DeliveryStatus = "pending"

// OriginEcho is the origin stored for an echo (an event.Inbound with Echo
// set): a message our side sent outside Aduan, from the office phone say.
// Outbound events never carry it. A citizen's message has no origin ("").
const OriginEcho event.Origin = "echo"

// MessageDelivery is the delivery state of one outgoing message.
type MessageDelivery struct {
	Status             event.DeliveryStatus
	Reason, PlatformID string
}

// DeliveryOf returns the delivery state of our message with outbound event id.
func (s *Store) DeliveryOf(ctx context.Context, outboundID string) (MessageDelivery, error) {
	var d MessageDelivery
	err := s.pool.QueryRow(ctx, `SELECT delivery_status, delivery_reason, platform_id FROM messages
		WHERE event_id = $1 AND direction = 'out'`, outboundID).Scan(&d.Status, &d.Reason, &d.PlatformID)
	if errors.Is(err, pgx.ErrNoRows) {
		return d, ErrNotFound
	}
	return d, err
}
