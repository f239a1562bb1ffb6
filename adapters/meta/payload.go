package meta

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/aduan-gateway/aduan/adapters/internal/fetchqueue"
	"github.com/aduan-gateway/aduan/core/event"
)

// The webhook objects this package understands itself.
const (
	ObjectPage      = "page"      // Facebook Messenger
	ObjectInstagram = "instagram" // Instagram messaging
)

// The shapes below follow Meta's Messenger Platform and Instagram messaging
// webhook references. Unknown fields are ignored; ids are strings, times
// are milliseconds since the epoch.

type envelope struct {
	Object string            `json:"object"`
	Entry  []json.RawMessage `json:"entry"`
}

type entry struct {
	ID        string            `json:"id"`
	Messaging []json.RawMessage `json:"messaging"`
	Standby   []json.RawMessage `json:"standby"`
	Changes   []json.RawMessage `json:"changes"`
}

type party struct {
	ID string `json:"id"`
}

type messaging struct {
	Sender      *party       `json:"sender"`
	Recipient   *party       `json:"recipient"`
	Timestamp   int64        `json:"timestamp"`
	Message     *message     `json:"message"`
	Postback    *postback    `json:"postback"`
	Delivery    *receiptBody `json:"delivery"`
	Read        *receiptBody `json:"read"`
	MessageEdit *messageEdit `json:"message_edit"`
	// Reactions, referrals, opt-ins and the like are not handled: an
	// element with none of the above counts as unsupported.
}

type message struct {
	MID           string       `json:"mid"`
	Text          string       `json:"text"`
	IsEcho        bool         `json:"is_echo"`
	IsDeleted     bool         `json:"is_deleted"`
	IsUnsupported bool         `json:"is_unsupported"`
	Metadata      string       `json:"metadata"`
	QuickReply    *payloadOnly `json:"quick_reply"`
	// reply_to (a reply to a message or to the office's story) is not
	// kept: the text stands on its own for the officer.
	Attachments []attachment `json:"attachments"`
	StickerID   json.Number  `json:"sticker_id"`
}

type payloadOnly struct {
	Payload string `json:"payload"`
}

type attachment struct {
	Type    string `json:"type"`
	Title   string `json:"title"`
	URL     string `json:"url"` // older fallback shape puts the link here
	Payload *struct {
		URL         string      `json:"url"`
		Title       string      `json:"title"`
		StickerID   json.Number `json:"sticker_id"`
		Coordinates *struct {
			Lat  float64 `json:"lat"`
			Long float64 `json:"long"`
		} `json:"coordinates"`
	} `json:"payload"`
}

type postback struct {
	MID     string `json:"mid"`
	Title   string `json:"title"`
	Payload string `json:"payload"`
}

type receiptBody struct {
	MIDs      []string `json:"mids"`
	MID       string   `json:"mid"`
	Watermark int64    `json:"watermark"`
}

type messageEdit struct {
	MID     string `json:"mid"`
	Text    string `json:"text"`
	NumEdit int    `json:"num_edit"`
}

// Item kinds, as counted in metrics and named in tests.
const (
	kindMessage     = "message"
	kindPostback    = "postback"
	kindQuickReply  = "quick_reply"
	kindEcho        = "echo"
	kindEdit        = "edit"
	kindUnsend      = "unsend"
	kindDelivery    = "delivery"
	kindRead        = "read"
	kindUnsupported = "unsupported"
)

// item is one understood element of a webhook body.
type item struct {
	kind string
	// in is the message for the core (messages, postbacks, echoes, edits, unsends).
	in *event.Inbound
	// fetch lists the files to download before in may be published,
	// indexed like in.Attachments.
	fetch []fetchqueue.Source
	// ours marks an echo of a message Aduan sent itself (metadata tag).
	ours bool
	// receipt is a delivery or read report.
	receipt *receipt
}

// account is our page or Instagram account the item concerns.
func (it item) account() string {
	if it.receipt != nil {
		return it.receipt.account
	}
	return it.in.Account
}

// receipt reports that the citizen's device got or showed our messages.
type receipt struct {
	channel   event.Channel
	account   string
	citizen   string
	status    event.DeliveryStatus
	mids      []string
	watermark time.Time // zero when the platform names messages instead
}

// parsed is what a webhook body holds.
type parsed struct {
	channel event.Channel
	items   []item
	// skipped counts elements understood but not handled (reactions, referrals, feed changes).
	skipped map[string]int
	// problems describe elements that could not be understood; the body is
	// then also kept whole as rejected input.
	problems []string
}

// errBody is a body that cannot be understood at all.
var errBody = errors.New("webhook body not understood")

// metadataPrefix tags the messages Aduan sends on Messenger, so their echoes
// are recognised without a look-up.
const metadataPrefix = "aduan:"

// channelOf maps a webhook object to its channel.
func channelOf(object string) (event.Channel, bool) {
	switch object {
	case ObjectPage:
		return event.ChannelMessenger, true
	case ObjectInstagram:
		return event.ChannelInstagram, true
	}
	return "", false
}

// parseBody turns a signature-checked body of object page or instagram into
// items. It does no I/O. An error (wrapping errBody) means nothing in the
// body could be used.
func parseBody(body []byte, now time.Time) (*parsed, error) {
	var env envelope
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&env); err != nil {
		return nil, fmt.Errorf("%w: %v", errBody, err)
	}
	ch, ok := channelOf(env.Object)
	if !ok {
		return nil, fmt.Errorf("%w: object %q", errBody, env.Object)
	}
	if len(env.Entry) == 0 {
		return nil, fmt.Errorf("%w: no entry", errBody)
	}
	p := &parsed{channel: ch, skipped: map[string]int{}}
	for i, raw := range env.Entry {
		var e entry
		if err := json.Unmarshal(raw, &e); err != nil {
			p.problems = append(p.problems, fmt.Sprintf("entry[%d]: %v", i, err))
			continue
		}
		if e.ID == "" {
			p.problems = append(p.problems, fmt.Sprintf("entry[%d]: no id", i))
			continue
		}
		// Feed changes and messages held for another app (handover standby)
		// are not conversations Aduan answers.
		if len(e.Changes) > 0 {
			p.skipped["changes"] += len(e.Changes)
		}
		if len(e.Standby) > 0 {
			p.skipped["standby"] += len(e.Standby)
		}
		for j, rawM := range e.Messaging {
			it, err := parseMessaging(ch, e.ID, rawM, now)
			if err != nil {
				p.problems = append(p.problems, fmt.Sprintf("entry[%d].messaging[%d]: %v", i, j, err))
				continue
			}
			if it.kind == kindUnsupported {
				p.skipped[kindUnsupported]++
				continue
			}
			p.items = append(p.items, it)
		}
	}
	if len(p.items) == 0 && len(p.problems) > 0 && len(p.skipped) == 0 {
		return nil, fmt.Errorf("%w: %s", errBody, strings.Join(p.problems, "; "))
	}
	return p, nil
}

func parseMessaging(ch event.Channel, account string, raw json.RawMessage, now time.Time) (item, error) {
	var m messaging
	if err := json.Unmarshal(raw, &m); err != nil {
		return item{}, err
	}
	if m.Sender == nil || m.Sender.ID == "" || m.Recipient == nil || m.Recipient.ID == "" {
		return item{}, errors.New("no sender or recipient id")
	}
	var sentAt time.Time
	if m.Timestamp > 0 {
		sentAt = time.UnixMilli(m.Timestamp).UTC()
	}
	in := func(externalID, citizen string) *event.Inbound {
		return &event.Inbound{
			ID: event.NewID(), Channel: ch, Account: account, ExternalID: externalID,
			ConversationKey: citizen, Sender: event.Sender{ID: citizen},
			SentAt: sentAt, ReceivedAt: now,
		}
	}
	switch {
	case m.Message != nil:
		return parseMessage(m, in)
	case m.Postback != nil:
		pb := m.Postback
		text := pb.Title
		if text == "" {
			text = pb.Payload
		}
		if text == "" {
			return item{}, errors.New("postback without title or payload")
		}
		// Older postbacks carry no mid; sender and time identify them.
		id := pb.MID
		if id == "" {
			id = "postback:" + m.Sender.ID + ":" + strconv.FormatInt(m.Timestamp, 10)
		}
		msg := in(id, m.Sender.ID)
		msg.Text = text
		return item{kind: kindPostback, in: msg}, nil
	case m.MessageEdit != nil:
		e := m.MessageEdit
		if e.MID == "" || e.Text == "" {
			return item{}, errors.New("message_edit without mid or text")
		}
		msg := in(e.MID+":edit:"+strconv.Itoa(e.NumEdit), m.Sender.ID)
		msg.Text, msg.EditOf = e.Text, e.MID
		return item{kind: kindEdit, in: msg}, nil
	case m.Delivery != nil:
		return item{kind: kindDelivery, receipt: &receipt{
			channel: ch, account: account, citizen: m.Sender.ID, status: event.DeliveryDelivered,
			mids: m.Delivery.MIDs, watermark: millis(m.Delivery.Watermark),
		}}, nil
	case m.Read != nil:
		r := &receipt{channel: ch, account: account, citizen: m.Sender.ID, status: event.DeliveryRead,
			watermark: millis(m.Read.Watermark)}
		if m.Read.MID != "" {
			r.mids = []string{m.Read.MID}
		}
		if r.watermark.IsZero() && len(r.mids) == 0 {
			return item{}, errors.New("read without watermark or mid")
		}
		return item{kind: kindRead, receipt: r}, nil
	}
	return item{kind: kindUnsupported}, nil
}

func millis(ms int64) time.Time {
	if ms <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

func parseMessage(m messaging, in func(externalID, citizen string) *event.Inbound) (item, error) {
	msg := m.Message
	if msg.MID == "" {
		return item{}, errors.New("message without mid")
	}
	citizen := m.Sender.ID
	if msg.IsEcho {
		citizen = m.Recipient.ID // an echo goes from us to the citizen
	}
	if msg.IsDeleted {
		out := in(msg.MID+":unsend", citizen)
		out.UnsendOf = msg.MID
		return item{kind: kindUnsend, in: out}, nil
	}
	out := in(msg.MID, citizen)
	it := item{kind: kindMessage, in: out}
	if msg.IsEcho {
		it.kind = kindEcho
		out.Echo = true
		it.ours = strings.HasPrefix(msg.Metadata, metadataPrefix)
	} else if msg.QuickReply != nil {
		it.kind = kindQuickReply
	}
	out.Text = msg.Text
	if out.Text == "" && msg.QuickReply != nil {
		out.Text = msg.QuickReply.Payload
	}
	var links []string
	for i, a := range msg.Attachments {
		if a.Type == "location" {
			if a.Payload != nil && a.Payload.Coordinates != nil {
				out.Location = &event.Location{Latitude: a.Payload.Coordinates.Lat, Longitude: a.Payload.Coordinates.Long, Name: a.Title}
			}
			continue
		}
		att, src, link := convertAttachment(a, msg.StickerID, i)
		switch {
		case link != "":
			links = append(links, link)
		default:
			if src != "" {
				it.fetch = append(it.fetch, fetchqueue.Source{Index: len(out.Attachments), URL: src})
			}
			out.Attachments = append(out.Attachments, att)
		}
	}
	if len(links) > 0 {
		out.Text = strings.TrimSpace(out.Text + "\n" + strings.Join(links, "\n"))
	}
	if msg.IsUnsupported {
		out.Attachments = append(out.Attachments, event.Attachment{Kind: event.AttachmentOther,
			Error: "the citizen sent something this platform does not pass on to apps; ask them to send it again as a photo or text"})
	}
	if out.Text == "" && len(out.Attachments) == 0 && out.Location == nil {
		return item{kind: kindUnsupported}, nil
	}
	return it, nil
}

// convertAttachment maps one attachment: a file to fetch (src set), a link
// to add to the text (link set), or a file that cannot be fetched (Error set).
func convertAttachment(a attachment, stickerID json.Number, i int) (att event.Attachment, src, link string) {
	var u, title string
	if a.Payload != nil {
		u, title = a.Payload.URL, a.Payload.Title
	}
	if u == "" {
		u = a.URL
	}
	if title == "" {
		title = a.Title
	}
	switch a.Type {
	case "image":
		att.Kind = event.AttachmentImage
		if stickerID != "" || a.Payload != nil && a.Payload.StickerID != "" {
			att.Kind = event.AttachmentSticker
		}
	case "video":
		att.Kind = event.AttachmentVideo
	case "audio":
		att.Kind = event.AttachmentAudio
	case "file":
		att.Kind = event.AttachmentDocument
	case "share", "story_mention", "animated_image":
		// Instagram: a shared post or a story that mentions the office;
		// the URL is the media itself, which expires.
		att.Kind = event.AttachmentOther
		if a.Type == "story_mention" {
			att.Caption = "story Instagram yang menyebut akun kantor"
		} else if a.Type == "share" {
			att.Caption = "kiriman Instagram yang dibagikan"
		}
	case "fallback", "ig_reel", "reel", "template", "product":
		// Links, not files: kept as text for the officer to open.
		if u == "" {
			return event.Attachment{Kind: event.AttachmentOther, Error: "shared " + a.Type + " without a link"}, "", ""
		}
		if title != "" {
			return att, "", "[tautan dibagikan] " + title + " " + u
		}
		return att, "", "[tautan dibagikan] " + u
	default:
		att.Kind = event.AttachmentOther
	}
	if u == "" {
		att.Error = "the platform sent no link for this " + a.Type
		return att, "", ""
	}
	att.Filename = fileName(u, a.Type, i)
	return att, u, ""
}

// fileName takes the last path element of a CDN URL, or makes one up.
func fileName(raw, typ string, i int) string {
	if u, err := url.Parse(raw); err == nil {
		if base := path.Base(u.Path); base != "." && base != "/" && len(base) <= 120 && strings.Contains(base, ".") {
			return base
		}
	}
	return typ + "-" + strconv.Itoa(i+1)
}
