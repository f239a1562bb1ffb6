package event

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"mime"
	"strings"
	"time"
)

// AttachmentKind says what a file is, as far as the dialog cares.
type AttachmentKind string

// Attachment kinds. Only images count as a possible KTP photo.
const (
	AttachmentImage    AttachmentKind = "image"
	AttachmentDocument AttachmentKind = "document"
	AttachmentAudio    AttachmentKind = "audio"
	AttachmentVideo    AttachmentKind = "video"
	AttachmentSticker  AttachmentKind = "sticker"
	AttachmentOther    AttachmentKind = "other"
)

// KindOfMIME is the kind of a file of media type mt.
func KindOfMIME(mt string) AttachmentKind {
	switch {
	case strings.HasPrefix(mt, "image/"):
		return AttachmentImage
	case strings.HasPrefix(mt, "video/"):
		return AttachmentVideo
	case strings.HasPrefix(mt, "audio/"):
		return AttachmentAudio
	}
	return AttachmentDocument
}

// commonExt is the usual extension of the types citizens send, where the
// system's list offers several or none.
var commonExt = map[string]string{
	"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp",
	"video/mp4": ".mp4", "audio/mp4": ".m4a", "audio/mpeg": ".mp3", "audio/ogg": ".ogg", "audio/aac": ".aac",
	"application/pdf": ".pdf", "text/plain": ".txt",
}

// ExtensionOfMIME is the usual file extension (".jpg") of media type mt,
// parameters ignored, or "" when none is known: for naming files that came
// without a name.
func ExtensionOfMIME(mt string) string {
	mt, _, _ = strings.Cut(mt, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	if ext, ok := commonExt[mt]; ok {
		return ext
	}
	if exts, _ := mime.ExtensionsByType(mt); len(exts) > 0 {
		return exts[0]
	}
	return ""
}

// Attachment references a file already stored in the object store. Events
// carry references, never bytes.
type Attachment struct {
	Kind      AttachmentKind `json:"kind"`
	MIME      string         `json:"mime,omitempty"`
	Filename  string         `json:"filename,omitempty"`
	Size      int64          `json:"size,omitempty"`
	SHA256    string         `json:"sha256,omitempty"`
	ObjectKey string         `json:"object_key,omitempty"`
	Caption   string         `json:"caption,omitempty"`
	// Error is set when the adapter could not fetch or store the file; the
	// message is still delivered so nothing is lost, and the inbox shows why.
	Error string `json:"error,omitempty"`
}

// Sender is the citizen as the channel knows them.
type Sender struct {
	// ID is the sender's id on the channel (WhatsApp JID user, page-scoped id, ...).
	ID string `json:"id"`
	// Name is the profile name the platform gives, if any.
	Name string `json:"name,omitempty"`
	// Phone is the sender's number in E.164 form when the platform gives it.
	Phone string `json:"phone,omitempty"`
}

// LaporExtra carries the fields of a report that came from SP4N-LAPOR!.
type LaporExtra struct {
	TrackingID     string    `json:"tracking_id"`
	Title          string    `json:"title,omitempty"`
	Category       string    `json:"category,omitempty"`
	Classification string    `json:"classification,omitempty"`
	Location       string    `json:"location,omitempty"`
	Anonymous      bool      `json:"anonymous,omitempty"`
	Confidential   bool      `json:"confidential,omitempty"`
	DisposedAt     time.Time `json:"disposed_at,omitzero"`
	// Revision says which part of the report this message is: 1 the report
	// as filed, higher a reporter's reply added at that revision. ExternalID
	// is "<tracking_id>:<revision>".
	Revision int `json:"revision,omitempty"`
	// Status is the report's status on LAPOR! when it was fetched
	// (disposed, verified, postponed, returned, archived, followed_up, finished).
	Status string `json:"status,omitempty"`
	// EventAt is when the reported matter happened, as the reporter says.
	EventAt time.Time `json:"event_at,omitzero"`
}

// WalkinForm carries what an officer typed into the walk-in form at the
// desk, each field as typed in its own box; the complaint is the message
// text. The core checks and normalizes the values (NIK, phone).
type WalkinForm struct {
	Name    string `json:"name,omitempty"`
	NIK     string `json:"nik,omitempty"`
	Address string `json:"address,omitempty"`
	Phone   string `json:"phone,omitempty"`
}

// Location is a place a citizen shared.
type Location struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	Name      string  `json:"name,omitempty"`
	Address   string  `json:"address,omitempty"`
}

// Contact is a contact card a citizen shared.
type Contact struct {
	Name   string   `json:"name"`
	Phones []string `json:"phones,omitempty"`
}

// Inbound is a citizen's message, normalized by the adapter of its channel.
//
// Three variants share the type: an ordinary message; an edit or an unsend
// of an earlier message (EditOf or UnsendOf set: the core updates the stored
// message and does not run the dialog); and an echo of a message our side
// sent outside Aduan, e.g. from the office phone (Echo set: stored for the
// inbox as outgoing, no dialog).
type Inbound struct {
	Schema string `json:"schema"`
	// ID is a ULID assigned by the adapter when it first saw the message.
	ID      string  `json:"id"`
	Channel Channel `json:"channel"`
	// Account is our side of the channel: page id, WhatsApp number, LAPOR! agency id.
	Account string `json:"account"`
	// ExternalID is the platform's id of the message; with Channel and Account it
	// identifies the message for de-duplication.
	ExternalID string `json:"external_id"`
	// ConversationKey is stable per reporter per channel and account.
	ConversationKey string       `json:"conversation_key"`
	Sender          Sender       `json:"sender"`
	Text            string       `json:"text,omitempty"`
	Attachments     []Attachment `json:"attachments,omitempty"`
	Location        *Location    `json:"location,omitempty"`
	Contacts        []Contact    `json:"contacts,omitempty"`
	SentAt          time.Time    `json:"sent_at,omitzero"`
	ReceivedAt      time.Time    `json:"received_at"`
	Lapor           *LaporExtra  `json:"lapor,omitempty"`
	Walkin          *WalkinForm  `json:"walkin,omitempty"`

	// EditOf is the external id of the message this one replaces (Text is the new text).
	EditOf string `json:"edit_of,omitempty"`
	// UnsendOf is the external id of a message the citizen took back.
	UnsendOf string `json:"unsend_of,omitempty"`
	// Echo marks a message our side sent outside Aduan; Sender is then the citizen it went to.
	Echo bool `json:"echo,omitempty"`
}

// SchemaName implements Event.
func (*Inbound) SchemaName() string { return SchemaInbound }

// MsgID is the de-duplication id of the message.
func (m *Inbound) MsgID() string { return MsgID(m.Channel, m.Account, m.ExternalID) }

// Subject is the subject the message is published on: the channel's, then
// the conversation's partition key, so that INBOUND can spread
// conversations over partitions and keep each one's messages in order.
func (m *Inbound) Subject() string { return InboundSubject(m.Channel) + "." + m.PartitionKey() }

// PartitionKey names the conversation in a subject without revealing it: 16
// bits of a SHA-256 of account and conversation key, so a subject seen in a
// log or a monitor cannot be turned back into a phone number (each value is
// shared by a few thousand of Indonesia's numbers), yet one conversation
// always has the same key.
func (m *Inbound) PartitionKey() string {
	h := sha256.Sum256([]byte(m.Account + "\x00" + m.ConversationKey))
	return hex.EncodeToString(h[:2])
}

// Validate reports the first missing or wrong field.
func (m *Inbound) Validate() error {
	switch {
	case !m.Channel.Valid():
		return errors.New("inbound message: unknown channel " + string(m.Channel))
	case m.Account == "":
		return errors.New("inbound message: account is empty")
	case m.ExternalID == "":
		return errors.New("inbound message: external_id is empty")
	case m.ConversationKey == "":
		return errors.New("inbound message: conversation_key is empty")
	case m.ReceivedAt.IsZero():
		return errors.New("inbound message: received_at is empty")
	case m.Walkin != nil && m.Channel != ChannelWalkin:
		return errors.New("inbound message: walk-in form on channel " + string(m.Channel))
	case m.Text == "" && len(m.Attachments) == 0 && m.Location == nil && len(m.Contacts) == 0 && m.UnsendOf == "":
		return errors.New("inbound message: no text, attachment, location or contact")
	}
	return nil
}
