package event

import "time"

// Origin says who wrote an outbound message; channels may treat them
// differently (Meta's human-agent tag, for one).
type Origin string

// Origins of outbound messages.
const (
	OriginBot   Origin = "bot"
	OriginAgent Origin = "agent"
)

// Outbound is a reply for the adapter of its channel to send.
type Outbound struct {
	Schema string `json:"schema"`
	// ID is a ULID; the adapter uses it as the de-duplication id and in delivery events.
	ID              string  `json:"id"`
	Channel         Channel `json:"channel"`
	Account         string  `json:"account"`
	ConversationKey string  `json:"conversation_key"`
	// Recipient is the citizen's id on the channel (Sender.ID of their messages).
	Recipient string `json:"recipient"`
	Text      string `json:"text"`
	// Attachments are files to send, already in the object store.
	Attachments []Attachment `json:"attachments,omitempty"`
	// InReplyTo is the external id of the citizen's message being answered, if any.
	InReplyTo string `json:"in_reply_to,omitempty"`
	Origin    Origin `json:"origin"`
	// Author is the staff member who wrote an agent reply (their username).
	Author string `json:"author,omitempty"`
	// CustomerLastMessageAt is when the citizen last wrote in this
	// conversation: channels with a reply window (Meta's 24 hours) decide by it.
	CustomerLastMessageAt time.Time `json:"customer_last_message_at,omitzero"`
	CreatedAt             time.Time `json:"created_at"`
}

// SchemaName implements Event.
func (*Outbound) SchemaName() string { return SchemaOutbound }

// Subject is the subject the reply is published on.
func (m *Outbound) Subject() string { return OutboundSubject(m.Channel) }

// DeliveryStatus is what became of an outbound message.
type DeliveryStatus string

// Delivery statuses, in the order they usually happen.
const (
	DeliverySent      DeliveryStatus = "sent"
	DeliveryDelivered DeliveryStatus = "delivered"
	DeliveryRead      DeliveryStatus = "read"
	DeliveryFailed    DeliveryStatus = "failed"
)

// Delivery reports the fate of an outbound message.
type Delivery struct {
	Schema string `json:"schema"`
	// ID is a ULID of this report.
	ID         string  `json:"id"`
	OutboundID string  `json:"outbound_id"`
	Channel    Channel `json:"channel"`
	Account    string  `json:"account"`
	// ExternalID is the platform's id of the sent message, once it has one.
	ExternalID string         `json:"external_id,omitempty"`
	Status     DeliveryStatus `json:"status"`
	// Reason explains a failure in words an admin can act on.
	Reason string `json:"reason,omitempty"`
	// Retryable tells whether sending again may succeed.
	Retryable bool      `json:"retryable,omitempty"`
	At        time.Time `json:"at"`
}

// SchemaName implements Event.
func (*Delivery) SchemaName() string { return SchemaDelivery }

// Subject is the subject the report is published on.
func (m *Delivery) Subject() string { return DeliverySubject(m.Channel) }

// DeliveryMsgID is the de-duplication id of a delivery report: one per
// channel, message reported on and status, so a report published again
// (a redelivery, a repeated webhook) is stored once. about is the outbound
// event's id for a sender's own outcome, the platform's message id for a
// receipt, which is all a receipt names.
func DeliveryMsgID(c Channel, about string, st DeliveryStatus) string {
	return "delivery:" + string(c) + ":" + about + ":" + string(st)
}
