package event

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestRoundTrip(t *testing.T) {
	at := time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC)
	tests := []struct {
		name   string
		in     Event
		out    Event
		schema string
	}{
		{"inbound", &Inbound{
			ID: NewID(), Channel: ChannelWhatsApp, Account: "6281100000000", ExternalID: "3EB0ABC",
			ConversationKey: "6281234567890", Sender: Sender{ID: "6281234567890", Name: "Siti", Phone: "+6281234567890"},
			Text: "bantuan PKH belum cair",
			Attachments: []Attachment{{Kind: AttachmentImage, MIME: "image/jpeg", Filename: "ktp.jpg", Size: 1234,
				SHA256: strings.Repeat("ab", 32), ObjectKey: "sha256/" + strings.Repeat("ab", 32), Caption: "ktp"}},
			SentAt: at, ReceivedAt: at.Add(time.Second),
		}, &Inbound{}, SchemaInbound},
		{"inbound from lapor", &Inbound{
			ID: NewID(), Channel: ChannelLapor, Account: "dinsos-babel", ExternalID: "1234567:3",
			ConversationKey: "1234567", Text: "Bantuan tidak tepat sasaran", ReceivedAt: at,
			Lapor: &LaporExtra{TrackingID: "1234567", Title: "BLT", Category: "Sosial", Confidential: true, DisposedAt: at},
		}, &Inbound{}, SchemaInbound},
		{"inbound from the walk-in desk", &Inbound{
			ID: NewID(), Channel: ChannelWalkin, Account: "desk", ExternalID: "01JDQ", ConversationKey: "walkin-01JDQ",
			Sender: Sender{ID: "walkin-01JDQ", Name: "Siti Aminah"}, Text: "Bantuan PKH belum cair", ReceivedAt: at,
			Walkin: &WalkinForm{Name: "Siti Aminah", NIK: "1971 0157 0890 0003", Address: "Jl. Depati Amir 12", Phone: "0812-3456-7890"},
		}, &Inbound{}, SchemaInbound},
		{"outbound", &Outbound{
			ID: NewID(), Channel: ChannelMessenger, Account: "1001", ConversationKey: "psid-1", Recipient: "psid-1",
			Text: "Terima kasih", InReplyTo: "m_1", Origin: OriginBot, CreatedAt: at,
		}, &Outbound{}, SchemaOutbound},
		{"delivery", &Delivery{
			ID: NewID(), OutboundID: NewID(), Channel: ChannelInstagram, Account: "17841", ExternalID: "mid.1",
			Status: DeliveryFailed, Reason: "outside the 24-hour window", Retryable: false, At: at,
		}, &Delivery{}, SchemaDelivery},
		{"complaint", &Complaint{
			ID: NewID(), Kind: ComplaintSubmitted, Ticket: "ADU-2026-000001", Status: "menunggu_verifikasi",
			Channel: ChannelWalkin, Actor: "system:intake", OccurredAt: at,
		}, &Complaint{}, SchemaComplaint},
		{"rejected", &Rejected{
			ID: NewID(), Channel: ChannelMessenger, Source: "webhook /webhooks/meta", Reason: "unknown object \"user\"",
			ContentType: "application/json", Body: []byte(`{"object":"user","entry":[]}`), ReceivedAt: at,
		}, &Rejected{}, SchemaRejected},
		{"inbound edit and echo", &Inbound{
			ID: NewID(), Channel: ChannelWhatsApp, Account: "62811", ExternalID: "E2", ConversationKey: "62812",
			Sender: Sender{ID: "62812"}, Text: "koreksi", EditOf: "E1", Echo: true,
			Location: &Location{Latitude: -2.13, Longitude: 106.11, Name: "Kantor Gubernur"},
			Contacts: []Contact{{Name: "Pak RT", Phones: []string{"+6281200000000"}}}, ReceivedAt: at,
		}, &Inbound{}, SchemaInbound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Marshal(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), `"schema":"`+tt.schema+`"`) {
				t.Fatalf("encoded event lacks schema %s: %s", tt.schema, b)
			}
			if err := Unmarshal(b, tt.out); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(tt.in, tt.out) {
				t.Fatalf("round trip changed the event:\n in: %+v\nout: %+v", tt.in, tt.out)
			}
		})
	}
}

func TestUnmarshalChecksSchema(t *testing.T) {
	b, err := Marshal(&Outbound{ID: "x", Channel: ChannelWhatsApp})
	if err != nil {
		t.Fatal(err)
	}
	if err := Unmarshal(b, &Inbound{}); !errors.Is(err, ErrSchema) {
		t.Fatalf("outbound decoded as inbound: err = %v", err)
	}
	if err := Unmarshal([]byte(`{"channel":"whatsapp"}`), &Inbound{}); !errors.Is(err, ErrSchema) {
		t.Fatalf("event without schema accepted: err = %v", err)
	}
	if err := Unmarshal([]byte(`{"schema":`), &Inbound{}); err == nil {
		t.Fatal("malformed JSON accepted")
	}
}

func TestInboundValidateAndMsgID(t *testing.T) {
	at := time.Now()
	good := Inbound{Channel: ChannelWhatsApp, Account: "62811", ExternalID: "ABC", ConversationKey: "62812",
		Text: "halo", ReceivedAt: at}
	if err := good.Validate(); err != nil {
		t.Fatalf("valid message refused: %v", err)
	}
	if got, want := good.MsgID(), "whatsapp:62811:ABC"; got != want {
		t.Fatalf("MsgID = %q, want %q", got, want)
	}
	key := good.PartitionKey()
	if got, want := good.Subject(), "aduan.inbound.whatsapp."+key; got != want || len(key) != 4 {
		t.Fatalf("Subject = %q, want %q (a 4-hex-digit key)", got, want)
	}
	// The key follows the conversation, not the message, and hides it.
	again, other := good, good
	again.ExternalID, other.ConversationKey = "DEF", "62813"
	if again.PartitionKey() != key || other.PartitionKey() == key || strings.Contains(key, "62812") {
		t.Fatalf("partition keys: same conversation %q, other %q, first %q", again.PartitionKey(), other.PartitionKey(), key)
	}
	broken := map[string]func(m *Inbound){
		"unknown channel":                 func(m *Inbound) { m.Channel = "telegram" },
		"no account":                      func(m *Inbound) { m.Account = "" },
		"no external id":                  func(m *Inbound) { m.ExternalID = "" },
		"no conversation":                 func(m *Inbound) { m.ConversationKey = "" },
		"no time":                         func(m *Inbound) { m.ReceivedAt = time.Time{} },
		"empty":                           func(m *Inbound) { m.Text = "" },
		"walk-in form on another channel": func(m *Inbound) { m.Walkin = &WalkinForm{Name: "Siti"} },
	}
	for name, breakIt := range broken {
		m := good
		breakIt(&m)
		if err := m.Validate(); err == nil {
			t.Errorf("%s: Validate accepted %+v", name, m)
		}
	}
}

func TestParseChannel(t *testing.T) {
	for _, c := range Channels {
		got, err := ParseChannel(string(c))
		if err != nil || got != c {
			t.Errorf("ParseChannel(%q) = %q, %v", c, got, err)
		}
	}
	if _, err := ParseChannel("WhatsApp "); !errors.Is(err, ErrUnknownChannel) {
		t.Errorf("ParseChannel accepted a misspelt channel: %v", err)
	}
}

func TestNewIDSortsByTime(t *testing.T) {
	a := NewID()
	time.Sleep(2 * time.Millisecond) // ULIDs order by millisecond
	b := NewID()
	if len(a) != 26 || !(a < b) {
		t.Fatalf("ids %q, %q: want 26 chars, increasing", a, b)
	}
}

func TestHealthKey(t *testing.T) {
	tests := []struct {
		ch      Channel
		account string
		want    string
	}{
		{ChannelWhatsApp, "6281100000000", "whatsapp.6281100000000"},
		{ChannelMessenger, "1234567890", "messenger.1234567890"},
		{ChannelLapor, "dinsos babel/1", "lapor.dinsos_babel_1"},
		{ChannelWalkin, "", "walkin._"},
	}
	for _, tt := range tests {
		if got := HealthKey(tt.ch, tt.account); got != tt.want {
			t.Errorf("HealthKey(%s, %q) = %q, want %q", tt.ch, tt.account, got, tt.want)
		}
	}
}

func TestCleanText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "Halo, bantuan PKH", "Halo, bantuan PKH"},
		{"NUL removed", "Ha\x00lo\x00", "Halo"},
		{"invalid UTF-8 replaced", "Bu\xffdi", "Bu\uFFFDdi"},
		{"cut mid-character", "Sit\xc3", "Sit\uFFFD"},
		{"right-to-left override removed", "berkas\u202egpj.exe", "berkasgpj.exe"},
		{"bidi isolates removed", "\u2066x\u2069", "x"},
		{"direction marks and other controls kept", "a\tb\nc\u200fd\x1b", "a\tb\nc\u200fd\x1b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CleanText(tt.in); got != tt.want {
				t.Fatalf("CleanText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestInboundTextBounded: however long the text, and whatever JSON makes
// of its characters, an inbound event stays under NATS's 1 MiB payload.
func TestInboundTextBounded(t *testing.T) {
	for _, text := range []string{strings.Repeat("a", 900_000), strings.Repeat("<", 900_000), strings.Repeat("é", 400_000)} {
		m := &Inbound{ID: NewID(), Channel: ChannelMessenger, Account: "1", ExternalID: "m", ConversationKey: "k",
			Sender: Sender{ID: "k"}, Text: text, ReceivedAt: time.Now()}
		data, err := Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		if len(data) > 1<<20-4<<10 || len(m.Text) > MaxTextBytes || !strings.HasPrefix(text, m.Text) {
			t.Fatalf("%d-byte text of %q: event of %d bytes, text cut to %d", len(text), text[:1], len(data), len(m.Text))
		}
	}
}

// TestKindAndExtensionOfMIME: every adapter names and sorts files by these.
func TestKindAndExtensionOfMIME(t *testing.T) {
	tests := []struct {
		mt   string
		kind AttachmentKind
		ext  string
	}{
		{"image/jpeg", AttachmentImage, ".jpg"},
		{"image/png", AttachmentImage, ".png"},
		{"video/mp4", AttachmentVideo, ".mp4"},
		{"audio/mp4", AttachmentAudio, ".m4a"},
		{"audio/ogg; codecs=opus", AttachmentAudio, ".ogg"}, // a WhatsApp voice note
		{"Application/PDF", AttachmentDocument, ".pdf"},
		{"text/plain; charset=utf-8", AttachmentDocument, ".txt"},
		{"application/x-no-such-type", AttachmentDocument, ""},
	}
	for _, tt := range tests {
		if got := KindOfMIME(tt.mt); got != tt.kind {
			t.Errorf("KindOfMIME(%q) = %s, want %s", tt.mt, got, tt.kind)
		}
		if got := ExtensionOfMIME(tt.mt); got != tt.ext {
			t.Errorf("ExtensionOfMIME(%q) = %q, want %q", tt.mt, got, tt.ext)
		}
	}
}
