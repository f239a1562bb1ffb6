package event

import "time"

// HealthState is how a channel account is doing, as its adapter sees it.
type HealthState string

// Health states. Anything but HealthOK needs an administrator's eye.
const (
	HealthOK             HealthState = "ok"
	HealthNeedsAttention HealthState = "needs_attention" // e.g. an expired access token
	HealthNeedsPairing   HealthState = "needs_pairing"   // WhatsApp logged out
	HealthDown           HealthState = "down"            // unreachable, retrying
	HealthStandby        HealthState = "standby"         // another process holds the session
)

// Health is the state of one channel account, kept by its adapter in the
// NATS key-value bucket "health" under HealthKey, for the web role to show.
type Health struct {
	Channel Channel     `json:"channel"`
	Account string      `json:"account"`
	State   HealthState `json:"state"`
	// Detail explains the state in words an administrator can act on.
	Detail         string    `json:"detail,omitempty"`
	LastInboundAt  time.Time `json:"last_inbound_at,omitzero"`
	LastOutboundAt time.Time `json:"last_outbound_at,omitzero"`
	LastErrorAt    time.Time `json:"last_error_at,omitzero"`
	LastError      string    `json:"last_error,omitempty"`
	// Extra holds channel-specific facts (LAPOR! cursor, WhatsApp pairing QR, ...).
	Extra     map[string]string `json:"extra,omitempty"`
	UpdatedAt time.Time         `json:"updated_at"`
}

// HealthKey is the key of a channel account's health: "<channel>.<account>",
// with characters NATS KV keys do not allow replaced by "_".
func HealthKey(c Channel, account string) string {
	b := []byte(account)
	for i, ch := range b {
		ok := ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '-' || ch == '_' || ch == '='
		if !ok {
			b[i] = '_'
		}
	}
	if len(b) == 0 {
		b = []byte("_")
	}
	return string(c) + "." + string(b)
}
