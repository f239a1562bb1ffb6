// Package event is the contract between channel adapters and the core: the
// typed events that cross NATS JetStream, their subjects and their JSON form.
//
// Every event is JSON with a "schema" field naming its type and version
// (for example "aduan.inbound.v1"). Decoding checks that field, so a consumer
// never mistakes one kind of event for another or a future version for this one.
package event

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/oklog/ulid/v2"
)

// Channel names a way citizens reach the office.
type Channel string

// The channels Aduan knows.
const (
	ChannelWhatsApp  Channel = "whatsapp"
	ChannelMessenger Channel = "messenger"
	ChannelInstagram Channel = "instagram"
	ChannelLapor     Channel = "lapor"
	ChannelWalkin    Channel = "walkin"
)

// Channels lists every channel, in the order admins see them.
var Channels = []Channel{ChannelWhatsApp, ChannelMessenger, ChannelInstagram, ChannelLapor, ChannelWalkin}

// Label is the channel as officers and reporters call it.
func (c Channel) Label() string {
	switch c {
	case ChannelWhatsApp:
		return "WhatsApp"
	case ChannelMessenger:
		return "Facebook Messenger"
	case ChannelInstagram:
		return "Instagram"
	case ChannelLapor:
		return "SP4N-LAPOR!"
	case ChannelWalkin:
		return "Datang langsung"
	}
	return string(c)
}

// ErrUnknownChannel is returned by ParseChannel for a name that is not a channel.
var ErrUnknownChannel = errors.New("unknown channel")

// ParseChannel returns the channel with the given name.
func ParseChannel(s string) (Channel, error) {
	for _, c := range Channels {
		if string(c) == s {
			return c, nil
		}
	}
	return "", fmt.Errorf("%w %q (want one of whatsapp, messenger, instagram, lapor, walkin)", ErrUnknownChannel, s)
}

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool {
	_, err := ParseChannel(string(c))
	return err == nil
}

// Schema names and versions of the events.
const (
	SchemaInbound   = "aduan.inbound.v1"
	SchemaOutbound  = "aduan.outbound.v1"
	SchemaDelivery  = "aduan.delivery.v1"
	SchemaComplaint = "aduan.complaint.v1"
	SchemaRejected  = "aduan.rejected.v1"
)

// Subject prefixes; the full subject appends a channel or a complaint event kind.
const (
	SubjectInboundPrefix   = "aduan.inbound."
	SubjectOutboundPrefix  = "aduan.outbound."
	SubjectDeliveryPrefix  = "aduan.delivery."
	SubjectComplaintPrefix = "aduan.complaint."
	SubjectRejectedPrefix  = "aduan.rejected."
)

// InboundSubject is where adapters publish a citizen's message on channel c.
func InboundSubject(c Channel) string { return SubjectInboundPrefix + string(c) }

// OutboundSubject is where the core publishes a reply for the adapter of channel c.
func OutboundSubject(c Channel) string { return SubjectOutboundPrefix + string(c) }

// DeliverySubject is where the adapter of channel c reports what became of a reply.
func DeliverySubject(c Channel) string { return SubjectDeliveryPrefix + string(c) }

// ComplaintSubject is where complaint life-cycle events of kind k are published.
func ComplaintSubject(k ComplaintKind) string { return SubjectComplaintPrefix + string(k) }

// RejectedSubject is where adapters keep input of channel c they could not understand.
func RejectedSubject(c Channel) string { return SubjectRejectedPrefix + string(c) }

// NewID returns a new ULID: unique, and sortable by creation time.
func NewID() string {
	return ulid.MustNew(ulid.Now(), rand.Reader).String()
}

// Event is implemented by every event type of the contract.
type Event interface {
	// SchemaName is the value of the event's "schema" field.
	SchemaName() string
}

// ErrSchema is returned when an event's schema field is missing or names another type.
var ErrSchema = errors.New("wrong event schema")

// Marshal encodes e as JSON, filling in its schema field. An inbound
// message's texts are cleaned first (CleanText), in place.
func Marshal(e Event) ([]byte, error) {
	switch v := e.(type) {
	case *Inbound:
		v.Schema = SchemaInbound
		v.clean()
	case *Outbound:
		v.Schema = SchemaOutbound
	case *Delivery:
		v.Schema = SchemaDelivery
	case *Complaint:
		v.Schema = SchemaComplaint
	case *Rejected:
		v.Schema = SchemaRejected
	default:
		return nil, fmt.Errorf("marshal %T: not a pointer to an event type", e)
	}
	return json.Marshal(e)
}

// Unmarshal decodes data into e and checks that its schema field matches
// e's type; an inbound message's texts come out cleaned (CleanText).
func Unmarshal(data []byte, e Event) error {
	var head struct {
		Schema string `json:"schema"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return fmt.Errorf("decoding event: %w", err)
	}
	if head.Schema != e.SchemaName() {
		return fmt.Errorf("%w: got %q, want %q", ErrSchema, head.Schema, e.SchemaName())
	}
	if err := json.Unmarshal(data, e); err != nil {
		return fmt.Errorf("decoding %s: %w", head.Schema, err)
	}
	if m, ok := e.(*Inbound); ok {
		m.clean() // encoded by an adapter that did not clean it
	}
	return nil
}

// MsgID is the JetStream de-duplication id (the Nats-Msg-Id header) of a
// message identified by its channel, our account on that channel and the
// platform's own id for it.
func MsgID(c Channel, account, externalID string) string {
	return string(c) + ":" + account + ":" + externalID
}
