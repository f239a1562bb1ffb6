package event

import "time"

// Rejected is input an adapter received and could not understand: a signed
// webhook body of an unknown shape, say. The adapter answers the platform
// (so it does not disable the webhook) and publishes the body whole (in the
// event, or by reference to the object store); the core keeps it in the
// store for an administrator to inspect.
type Rejected struct {
	Schema  string  `json:"schema"`
	ID      string  `json:"id"`
	Channel Channel `json:"channel"`
	// Source names the entry point, e.g. "webhook /webhooks/meta".
	Source      string `json:"source"`
	Reason      string `json:"reason"`
	ContentType string `json:"content_type,omitempty"`
	Body        []byte `json:"body"`
	// BodyKey, when set, names the object-store entry holding the body
	// instead: a body too large for one NATS message once base64-encoded.
	BodyKey    string    `json:"body_key,omitempty"`
	ReceivedAt time.Time `json:"received_at"`
}

// SchemaName implements Event.
func (*Rejected) SchemaName() string { return SchemaRejected }

// Subject is the subject the rejected input is published on.
func (r *Rejected) Subject() string { return RejectedSubject(r.Channel) }
