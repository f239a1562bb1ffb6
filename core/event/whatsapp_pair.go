package event

// SubjectWhatsAppPairPhone is a plain (not JetStream) NATS request subject:
// the admin inbox asks the WhatsApp adapter that serves Account for a phone
// pairing code (WhatsApp's "link with phone number"), body PairPhoneRequest,
// answer PairPhoneReply. No responder means no WhatsApp role is running.
const SubjectWhatsAppPairPhone = "aduan.whatsapp.pair_phone"

// PairPhoneRequest asks for a pairing code for the office phone Phone
// (digits, country code first: 6281…).
type PairPhoneRequest struct {
	Account string `json:"account"`
	Phone   string `json:"phone"`
}

// PairPhoneReply carries the code to type on the phone, or why there is none.
type PairPhoneReply struct {
	Code  string `json:"code,omitempty"`
	Error string `json:"error,omitempty"`
}
