package whatsapp

import (
	"strings"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/aduan-gateway/aduan/core/event"
)

// Reasons a WhatsApp message is not handed to the core (metric labels).
const (
	skipGroup       = "group"
	skipStatus      = "status_broadcast"
	skipNewsletter  = "newsletter"
	skipBroadcast   = "broadcast_list"
	skipHistory     = "history_sync"
	skipSelf        = "self_chat"
	skipOtherServer = "other_server"
	skipProtocol    = "protocol"
	skipUnsupported = "unsupported"
)

// job is a WhatsApp message on its way to the bus: the inbound event as far
// as the message itself tells, and what still needs I/O (files to download,
// the phone number of a LID sender).
type job struct {
	in    *event.Inbound
	media []media
	// file is the (unwrapped) message when it has files, for the
	// download queue to store.
	file *waE2E.Message
	// lid is the sender's LID when the phone number is still unknown.
	lid types.JID
	// chat and sender address the read receipt.
	chat, sender types.JID
	kind         string // metric label
}

// media is a file still on WhatsApp's servers.
type media struct {
	att *event.Attachment // points into job.in.Attachments
	src whatsmeow.DownloadableMessage
	// declared is the size the message announces, 0 if none.
	declared int64
}

// convert turns a WhatsApp message into a job, or says why it is none of the
// core's business. It does no I/O, so the event handler can call it.
func convert(evt *events.Message, account string, now time.Time) (*job, string) {
	info := evt.Info
	chat := info.Chat.ToNonAD()
	switch {
	case chat == types.StatusBroadcastJID:
		return nil, skipStatus
	case chat.Server == types.GroupServer:
		return nil, skipGroup
	case chat.Server == types.NewsletterServer:
		return nil, skipNewsletter
	case chat.Server == types.BroadcastServer:
		return nil, skipBroadcast
	case info.IsGroup:
		return nil, skipGroup
	case evt.SourceWebMsg != nil:
		return nil, skipHistory
	case chat.Server != types.DefaultUserServer && chat.Server != types.HiddenUserServer:
		return nil, skipOtherServer
	case chat.Server == types.DefaultUserServer && chat.User == account:
		return nil, skipSelf
	}
	in := &event.Inbound{
		ID:              event.NewID(),
		Channel:         event.ChannelWhatsApp,
		Account:         account,
		ExternalID:      info.ID,
		ConversationKey: chat.User,
		Sender:          event.Sender{ID: senderID(chat)},
		SentAt:          info.Timestamp.UTC(),
		ReceivedAt:      now.UTC(),
		Echo:            info.IsFromMe,
	}
	if !info.IsFromMe {
		in.Sender.Name = info.PushName
	}
	j := &job{in: in, chat: chat, sender: info.Sender.ToNonAD(), kind: "text"}
	// The citizen's number: the chat itself, or for a LID chat the
	// alternative address WhatsApp sent along (SenderAlt for their messages,
	// RecipientAlt for ours); otherwise the LID map is asked later.
	switch {
	case chat.Server == types.DefaultUserServer:
		in.Sender.Phone = "+" + chat.User
	case !info.IsFromMe && info.SenderAlt.Server == types.DefaultUserServer:
		in.Sender.Phone = "+" + info.SenderAlt.User
	case info.IsFromMe && info.RecipientAlt.Server == types.DefaultUserServer:
		in.Sender.Phone = "+" + info.RecipientAlt.User
	default:
		j.lid = chat
	}

	msg := unwrap(evt.Message)
	if pm := msg.GetProtocolMessage(); pm != nil {
		switch pm.GetType() {
		case waE2E.ProtocolMessage_MESSAGE_EDIT:
			in.EditOf = pm.GetKey().GetID()
			in.Text = textOf(unwrap(pm.GetEditedMessage()))
			j.kind = "edit"
			if in.EditOf == "" || in.Text == "" {
				return nil, skipUnsupported
			}
			return j, ""
		case waE2E.ProtocolMessage_REVOKE:
			in.UnsendOf = pm.GetKey().GetID()
			j.kind = "unsend"
			if in.UnsendOf == "" {
				return nil, skipUnsupported
			}
			return j, ""
		}
		return nil, skipProtocol
	}
	// WhatsApp also announces an edit through the message info (and
	// whatsmeow unwraps it); the edited message then carries its new text.
	in.Text = textOf(msg)
	addMedia(j, msg)
	if loc := msg.GetLocationMessage(); loc != nil {
		in.Location = &event.Location{Latitude: loc.GetDegreesLatitude(), Longitude: loc.GetDegreesLongitude(),
			Name: loc.GetName(), Address: loc.GetAddress()}
		j.kind = "location"
	} else if live := msg.GetLiveLocationMessage(); live != nil {
		in.Location = &event.Location{Latitude: live.GetDegreesLatitude(), Longitude: live.GetDegreesLongitude()}
		in.Text = live.GetCaption()
		j.kind = "location"
	}
	if c := msg.GetContactMessage(); c != nil {
		in.Contacts = append(in.Contacts, contactOf(c))
		j.kind = "contacts"
	}
	for _, c := range msg.GetContactsArrayMessage().GetContacts() {
		in.Contacts = append(in.Contacts, contactOf(c))
		j.kind = "contacts"
	}
	if in.Text == "" && len(in.Attachments) == 0 && in.Location == nil && len(in.Contacts) == 0 {
		return nil, skipUnsupported // reactions, polls, calls, key shares, ...
	}
	if in.Echo {
		j.kind = "echo"
	}
	return j, ""
}

// senderID is how replies find the citizen again: the phone number for a
// phone-number chat (as the rest of Aduan writes WhatsApp ids), the full
// JID for a LID chat so it is not mistaken for a number.
func senderID(chat types.JID) string {
	if chat.Server == types.DefaultUserServer {
		return chat.User
	}
	return chat.String()
}

// unwrap takes a message out of the envelopes WhatsApp puts around it
// (disappearing, view-once, document with caption, edited). whatsmeow
// unwraps live messages itself; this covers messages handed over whole.
func unwrap(m *waE2E.Message) *waE2E.Message {
	for range 8 { // envelopes nest, but never deeply
		var inner *waE2E.Message
		switch {
		case m.GetDeviceSentMessage().GetMessage() != nil:
			inner = m.GetDeviceSentMessage().GetMessage()
		case m.GetEphemeralMessage().GetMessage() != nil:
			inner = m.GetEphemeralMessage().GetMessage()
		case m.GetViewOnceMessage().GetMessage() != nil:
			inner = m.GetViewOnceMessage().GetMessage()
		case m.GetViewOnceMessageV2().GetMessage() != nil:
			inner = m.GetViewOnceMessageV2().GetMessage()
		case m.GetViewOnceMessageV2Extension().GetMessage() != nil:
			inner = m.GetViewOnceMessageV2Extension().GetMessage()
		case m.GetDocumentWithCaptionMessage().GetMessage() != nil:
			inner = m.GetDocumentWithCaptionMessage().GetMessage()
		case m.GetEditedMessage().GetMessage() != nil:
			inner = m.GetEditedMessage().GetMessage()
		default:
			return m
		}
		m = inner
	}
	return m
}

// textOf is the message's text, or the caption of its file.
func textOf(m *waE2E.Message) string {
	switch {
	case m.GetConversation() != "":
		return m.GetConversation()
	case m.GetExtendedTextMessage() != nil:
		return m.GetExtendedTextMessage().GetText()
	case m.GetImageMessage() != nil:
		return m.GetImageMessage().GetCaption()
	case m.GetVideoMessage() != nil:
		return m.GetVideoMessage().GetCaption()
	case m.GetDocumentMessage() != nil:
		return m.GetDocumentMessage().GetCaption()
	}
	return ""
}

// addMedia notes the file a message carries, to be downloaded by a worker.
func addMedia(j *job, m *waE2E.Message) {
	add := func(kind event.AttachmentKind, src whatsmeow.DownloadableMessage, mime, filename, caption string, size uint64) {
		j.in.Attachments = append(j.in.Attachments, event.Attachment{
			Kind: kind, MIME: mime, Filename: filename, Caption: caption,
		})
		j.media = append(j.media, media{src: src, declared: int64(min(size, 1<<62))})
		j.file = m
		j.kind = string(kind)
	}
	switch {
	case m.GetImageMessage() != nil:
		x := m.GetImageMessage()
		add(event.AttachmentImage, x, x.GetMimetype(), "", x.GetCaption(), x.GetFileLength())
	case m.GetDocumentMessage() != nil:
		x := m.GetDocumentMessage()
		name := x.GetFileName()
		if name == "" {
			name = x.GetTitle()
		}
		add(event.AttachmentDocument, x, x.GetMimetype(), name, x.GetCaption(), x.GetFileLength())
	case m.GetAudioMessage() != nil:
		x := m.GetAudioMessage()
		add(event.AttachmentAudio, x, x.GetMimetype(), "", "", x.GetFileLength())
	case m.GetVideoMessage() != nil:
		x := m.GetVideoMessage()
		add(event.AttachmentVideo, x, x.GetMimetype(), "", x.GetCaption(), x.GetFileLength())
	case m.GetPtvMessage() != nil: // round video note
		x := m.GetPtvMessage()
		add(event.AttachmentVideo, x, x.GetMimetype(), "", "", x.GetFileLength())
	case m.GetStickerMessage() != nil:
		x := m.GetStickerMessage()
		add(event.AttachmentSticker, x, x.GetMimetype(), "", "", x.GetFileLength())
	}
	// The attachments slice is complete: point each file at its entry.
	for i := range j.media {
		j.media[i].att = &j.in.Attachments[i]
	}
}

// contactOf reads a shared contact card: its display name and the phone
// numbers of its vCard.
func contactOf(c *waE2E.ContactMessage) event.Contact {
	out := event.Contact{Name: c.GetDisplayName()}
	for _, line := range strings.Split(strings.ReplaceAll(c.GetVcard(), "\r\n", "\n"), "\n") {
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		// "TEL;type=CELL;waid=6281234567890:+62 812-3456-7890", "item1.TEL:..."
		prop, _, _ := strings.Cut(name, ";")
		if _, after, found := strings.Cut(prop, "."); found {
			prop = after
		}
		switch strings.ToUpper(prop) {
		case "TEL":
			if v := strings.TrimSpace(value); v != "" {
				out.Phones = append(out.Phones, v)
			}
		case "FN":
			if out.Name == "" {
				out.Name = strings.TrimSpace(value)
			}
		}
	}
	return out
}
