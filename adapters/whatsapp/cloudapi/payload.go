package cloudapi

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aduan-gateway/aduan/adapters/internal/fetchqueue"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/identity"
)

// Object is the webhook object of the WhatsApp Business Cloud API.
const Object = "whatsapp_business_account"

// The webhook body, as Meta documents it for the "messages" field.
type webhook struct {
	Object string `json:"object"`
	Entry  []struct {
		ID      string `json:"id"` // the WhatsApp Business Account
		Changes []struct {
			Field string `json:"field"`
			Value value  `json:"value"`
		} `json:"changes"`
	} `json:"entry"`
}

type value struct {
	MessagingProduct string `json:"messaging_product"`
	Metadata         struct {
		DisplayPhoneNumber string `json:"display_phone_number"`
		PhoneNumberID      string `json:"phone_number_id"`
	} `json:"metadata"`
	Contacts []struct {
		Profile struct {
			Name string `json:"name"`
		} `json:"profile"`
		WaID string `json:"wa_id"`
	} `json:"contacts"`
	Messages []message   `json:"messages"`
	Statuses []status    `json:"statuses"`
	Errors   []errorInfo `json:"errors"`
}

type message struct {
	From      string `json:"from"`
	ID        string `json:"id"`
	Timestamp string `json:"timestamp"`
	Type      string `json:"type"`
	Text      *struct {
		Body string `json:"body"`
	} `json:"text"`
	Image    *mediaObject `json:"image"`
	Document *mediaObject `json:"document"`
	Audio    *mediaObject `json:"audio"`
	Video    *mediaObject `json:"video"`
	Sticker  *mediaObject `json:"sticker"`
	Location *struct {
		Latitude  float64 `json:"latitude"`
		Longitude float64 `json:"longitude"`
		Name      string  `json:"name"`
		Address   string  `json:"address"`
	} `json:"location"`
	Contacts []struct {
		Name struct {
			FormattedName string `json:"formatted_name"`
		} `json:"name"`
		Phones []struct {
			Phone string `json:"phone"`
		} `json:"phones"`
	} `json:"contacts"`
	Button *struct {
		Text string `json:"text"`
	} `json:"button"`
	Interactive *struct {
		ButtonReply *struct {
			Title string `json:"title"`
		} `json:"button_reply"`
		ListReply *struct {
			Title string `json:"title"`
		} `json:"list_reply"`
	} `json:"interactive"`
	Errors []errorInfo `json:"errors"`
}

type mediaObject struct {
	ID       string `json:"id"`
	MIMEType string `json:"mime_type"`
	SHA256   string `json:"sha256"`
	Caption  string `json:"caption"`
	Filename string `json:"filename"`
}

type status struct {
	ID          string      `json:"id"`
	Status      string      `json:"status"`
	Timestamp   string      `json:"timestamp"`
	RecipientID string      `json:"recipient_id"`
	Errors      []errorInfo `json:"errors"`
}

type errorInfo struct {
	Code      int    `json:"code"`
	Title     string `json:"title"`
	Message   string `json:"message"`
	ErrorData struct {
		Details string `json:"details"`
	} `json:"error_data"`
}

func (e errorInfo) String() string {
	s := e.Title
	if s == "" {
		s = e.Message
	}
	if e.ErrorData.Details != "" {
		s += ": " + e.ErrorData.Details
	}
	return fmt.Sprintf("%s (code %d)", s, e.Code)
}

// item is one thing a webhook body reports: a citizen's message (with the
// media still to fetch) or the fate of one of our messages.
type item struct {
	// numberID is the phone number id the change was addressed to.
	numberID string
	in       *event.Inbound
	media    []fetchqueue.Source
	delivery *event.Delivery
	kind     string // metric label
}

// parsed is what a body holds, and what in it could not be understood.
type parsed struct {
	items    []item
	problems []string
	skipped  map[string]int
}

// parseBody reads a Cloud API webhook body.
func parseBody(body []byte, now time.Time) (*parsed, error) {
	var w webhook
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, fmt.Errorf("not a Cloud API webhook: %w", err)
	}
	if w.Object != Object {
		return nil, fmt.Errorf("object %q is not %s", w.Object, Object)
	}
	if len(w.Entry) == 0 {
		return nil, fmt.Errorf("no entry")
	}
	p := &parsed{skipped: map[string]int{}}
	for _, e := range w.Entry {
		for _, c := range e.Changes {
			if c.Field != "messages" {
				p.skipped["field_"+c.Field]++
				continue
			}
			v := c.Value
			account := identity.Digits(v.Metadata.DisplayPhoneNumber)
			if account == "" {
				p.problems = append(p.problems, "a change without metadata.display_phone_number")
				continue
			}
			for _, ve := range v.Errors {
				p.problems = append(p.problems, "error from the Cloud API: "+ve.String())
			}
			names := map[string]string{}
			for _, ct := range v.Contacts {
				names[ct.WaID] = ct.Profile.Name
			}
			for _, m := range v.Messages {
				it, problem := messageItem(m, account, names[m.From], now)
				switch {
				case problem != "":
					p.problems = append(p.problems, problem)
				case it == nil:
					p.skipped[m.Type]++
				default:
					it.numberID = v.Metadata.PhoneNumberID
					p.items = append(p.items, *it)
				}
			}
			for _, s := range v.Statuses {
				it, problem := statusItem(s, account, now)
				switch {
				case problem != "":
					p.problems = append(p.problems, problem)
				case it != nil:
					it.numberID = v.Metadata.PhoneNumberID
					p.items = append(p.items, *it)
				}
			}
		}
	}
	return p, nil
}

// messageItem converts one message. A nil item without a problem is a
// message of no use to the core (a reaction).
func messageItem(m message, account, name string, now time.Time) (*item, string) {
	if m.ID == "" || identity.Digits(m.From) == "" || identity.Digits(m.From) != m.From {
		return nil, fmt.Sprintf("message %q without a usable id or sender", m.ID)
	}
	if len(m.Errors) > 0 {
		return nil, fmt.Sprintf("message %s of type %s: %s", m.ID, m.Type, m.Errors[0])
	}
	in := &event.Inbound{
		ID: event.NewID(), Channel: event.ChannelWhatsApp, Account: account, ExternalID: m.ID,
		ConversationKey: m.From, Sender: event.Sender{ID: m.From, Name: name, Phone: "+" + m.From},
		SentAt: unixTime(m.Timestamp), ReceivedAt: now.UTC(),
	}
	it := &item{in: in, kind: m.Type}
	addMedia := func(kind event.AttachmentKind, o *mediaObject) string {
		if o == nil || o.ID == "" {
			return fmt.Sprintf("message %s of type %s without its media id", m.ID, m.Type)
		}
		in.Text = o.Caption
		in.Attachments = append(in.Attachments, event.Attachment{Kind: kind, MIME: o.MIMEType, Filename: o.Filename, Caption: o.Caption})
		it.media = append(it.media, fetchqueue.Source{Index: len(in.Attachments) - 1, MediaID: o.ID})
		return ""
	}
	var problem string
	switch m.Type {
	case "text":
		if m.Text != nil {
			in.Text = m.Text.Body
		}
	case "image":
		problem = addMedia(event.AttachmentImage, m.Image)
	case "document":
		problem = addMedia(event.AttachmentDocument, m.Document)
	case "audio":
		problem = addMedia(event.AttachmentAudio, m.Audio)
	case "video":
		problem = addMedia(event.AttachmentVideo, m.Video)
	case "sticker":
		problem = addMedia(event.AttachmentSticker, m.Sticker)
	case "location":
		if l := m.Location; l != nil {
			in.Location = &event.Location{Latitude: l.Latitude, Longitude: l.Longitude, Name: l.Name, Address: l.Address}
		}
	case "contacts":
		for _, c := range m.Contacts {
			ct := event.Contact{Name: c.Name.FormattedName}
			for _, ph := range c.Phones {
				ct.Phones = append(ct.Phones, ph.Phone)
			}
			in.Contacts = append(in.Contacts, ct)
		}
	case "button":
		if m.Button != nil {
			in.Text = m.Button.Text
		}
	case "interactive":
		if x := m.Interactive; x != nil && x.ButtonReply != nil {
			in.Text = x.ButtonReply.Title
		} else if x != nil && x.ListReply != nil {
			in.Text = x.ListReply.Title
		}
	case "reaction":
		return nil, ""
	default:
		return nil, fmt.Sprintf("message %s of type %q not supported", m.ID, m.Type)
	}
	if problem != "" {
		return nil, problem
	}
	if err := in.Validate(); err != nil {
		return nil, fmt.Sprintf("message %s of type %s: %v", m.ID, m.Type, err)
	}
	return it, ""
}

// statusItem converts the fate of one of our messages.
func statusItem(s status, account string, now time.Time) (*item, string) {
	var st event.DeliveryStatus
	switch s.Status {
	case "sent":
		st = event.DeliverySent
	case "delivered":
		st = event.DeliveryDelivered
	case "read":
		st = event.DeliveryRead
	case "failed":
		st = event.DeliveryFailed
	default:
		return nil, "" // "deleted", "warning" and future ones tell the core nothing
	}
	if s.ID == "" {
		return nil, "a status without a message id"
	}
	at := unixTime(s.Timestamp)
	if at.IsZero() {
		at = now.UTC()
	}
	d := &event.Delivery{ID: event.NewID(), Channel: event.ChannelWhatsApp, Account: account, ExternalID: s.ID, Status: st, At: at}
	if st == event.DeliveryFailed {
		reasons := make([]string, 0, len(s.Errors))
		for _, e := range s.Errors {
			reasons = append(reasons, e.String())
			if retryableCode(e.Code) {
				d.Retryable = true
			}
		}
		d.Reason = strings.Join(reasons, "; ")
		if d.Reason == "" {
			d.Reason = "WhatsApp reported the message failed"
		}
	}
	return &item{delivery: d, kind: "status_" + s.Status}, ""
}

func unixTime(s string) time.Time {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}
	}
	return time.Unix(n, 0).UTC()
}
