package cloudapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/bus/bustest"
	"github.com/aduan-gateway/aduan/core/event"
)

var now = time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)

func digest(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestReceiverMessages hands each payload file to the receiver, as the
// Meta webhook does after checking the signature, and checks the inbound
// event published (media fetched from the fake Graph API and stored).
func TestReceiverMessages(t *testing.T) {
	b := bustest.New(t)
	g := newGraphFake(t)
	r := NewReceiver(testConfig(g.srv.URL), b, testOptions(now))
	run(t, func(ctx context.Context) error { return r.RunFetcher(ctx) })
	in := newReader(t, b, bus.StreamInbound, bus.InboundFilter(event.ChannelWhatsApp))
	jpeg, pdf, ogg := mediaFile(t, "ktp.jpg"), mediaFile(t, "surat.pdf"), mediaFile(t, "voice.ogg")
	sender := event.Sender{ID: citizen, Name: "Siti Aminah", Phone: "+" + citizen}
	msg := func(id string, at int64, f func(*event.Inbound)) *event.Inbound {
		m := &event.Inbound{Channel: event.ChannelWhatsApp, Account: ourNumber, ConversationKey: citizen, Sender: sender,
			ExternalID: "wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFjNFQjBDNDMxRDJFNEIxMDAw" + id + "A=", SentAt: time.Unix(at, 0).UTC()}
		f(m)
		return m
	}
	tests := []struct {
		file string
		want *event.Inbound
	}{
		{"text.json", msg("MQ", 1795746600, func(m *event.Inbound) { m.Text = "Halo min, bantuan PKH ibu saya sudah 3 bulan tidak cair" })},
		{"image.json", msg("Mg", 1795746660, func(m *event.Inbound) {
			m.Text = "ini foto KTP saya"
			m.Attachments = []event.Attachment{{Kind: event.AttachmentImage, MIME: "image/jpeg", Filename: "image.jpg",
				Size: int64(len(jpeg)), SHA256: digest(jpeg), ObjectKey: "sha256/" + digest(jpeg), Caption: "ini foto KTP saya"}}
		})},
		{"document.json", msg("Mw", 1795746720, func(m *event.Inbound) {
			m.Text = "surat keterangan tidak mampu"
			m.Attachments = []event.Attachment{{Kind: event.AttachmentDocument, MIME: "application/pdf", Filename: "SKTM.pdf",
				Size: int64(len(pdf)), SHA256: digest(pdf), ObjectKey: "sha256/" + digest(pdf), Caption: "surat keterangan tidak mampu"}}
		})},
		{"audio.json", msg("NA", 1795746780, func(m *event.Inbound) {
			m.Attachments = []event.Attachment{{Kind: event.AttachmentAudio, MIME: "audio/ogg; codecs=opus", Filename: "audio.ogg",
				Size: int64(len(ogg)), SHA256: digest(ogg), ObjectKey: "sha256/" + digest(ogg)}}
		})},
		{"location.json", msg("NQ", 1795746840, func(m *event.Inbound) {
			m.Location = &event.Location{Latitude: -2.1291, Longitude: 106.1139, Name: "Kantor Gubernur", Address: "Air Itam, Pangkalpinang"}
		})},
		{"contacts.json", msg("Ng", 1795746900, func(m *event.Inbound) {
			m.Contacts = []event.Contact{{Name: "Pak RT 05", Phones: []string{"+62 813-9999-0000"}}}
		})},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			if err := r.Handle(context.Background(), readTestdata(t, tt.file)); err != nil {
				t.Fatal(err)
			}
			var got event.Inbound
			in.next(&got)
			if got.ID == "" || !got.ReceivedAt.Equal(now) {
				t.Fatalf("id %q received_at %v", got.ID, got.ReceivedAt)
			}
			got.ID, got.ReceivedAt, got.Schema = "", time.Time{}, ""
			if !reflect.DeepEqual(&got, tt.want) {
				t.Fatalf("got  %+v\nwant %+v", got, *tt.want)
			}
		})
	}
	// A redelivered webhook is stored once.
	if err := r.Handle(context.Background(), readTestdata(t, "text.json")); err != nil {
		t.Fatal(err)
	}
	in.none()
}

// TestReceiverIgnoredAndRejected: reactions and other fields are skipped;
// what cannot be understood is kept whole as rejected input, and Meta gets
// success either way so it does not disable the webhook.
func TestReceiverIgnoredAndRejected(t *testing.T) {
	b := bustest.New(t)
	g := newGraphFake(t)
	r := NewReceiver(testConfig(g.srv.URL), b, testOptions(now))
	in := newReader(t, b, bus.StreamInbound, bus.InboundFilter(event.ChannelWhatsApp))
	rej := newReader(t, b, bus.StreamRejected, event.RejectedSubject(event.ChannelWhatsApp))
	tests := []struct {
		file, reason string // reason "" means nothing kept
	}{
		{"reaction.json", ""},
		{"not_messages_field.json", ""},
		{"unsupported.json", "Message type unknown: Message type is currently not supported. (code 131051)"},
		{"malformed_entry.json", "not a Cloud API webhook"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			body := readTestdata(t, tt.file)
			if err := r.Handle(context.Background(), body); err != nil {
				t.Fatal(err)
			}
			if tt.reason == "" {
				rej.none()
				return
			}
			var got event.Rejected
			rej.next(&got)
			if !strings.Contains(got.Reason, tt.reason) || string(got.Body) != string(body) || got.Channel != event.ChannelWhatsApp {
				t.Fatalf("rejected %q (%d bytes)", got.Reason, len(got.Body))
			}
		})
	}
	in.none()
}

// TestReceiverMediaFetch: the media look-up fails twice with Meta's 500
// and is retried; an unknown media id ends as a noted failure, and the
// message is delivered regardless.
func TestReceiverMediaFetch(t *testing.T) {
	b := bustest.New(t)
	g := newGraphFake(t)
	g.mediaFailures = 2
	r := NewReceiver(testConfig(g.srv.URL), b, testOptions(now))
	run(t, func(ctx context.Context) error { return r.RunFetcher(ctx) })
	in := newReader(t, b, bus.StreamInbound, bus.InboundFilter(event.ChannelWhatsApp))

	if err := r.Handle(context.Background(), readTestdata(t, "image.json")); err != nil {
		t.Fatal(err)
	}
	var got event.Inbound
	in.next(&got)
	g.mu.Lock()
	lookups := g.lookups
	g.mu.Unlock()
	if a := got.Attachments[0]; a.Error != "" || a.ObjectKey == "" || lookups != 3 {
		t.Fatalf("attachment %+v after %d look-ups", a, lookups)
	}

	delete(g.media, "1003383421387257")
	if err := r.Handle(context.Background(), readTestdata(t, "document.json")); err != nil {
		t.Fatal(err)
	}
	var second event.Inbound
	in.next(&second)
	if a := second.Attachments[0]; a.ObjectKey != "" || a.Error != "the file is no longer available at Meta; ask the citizen to send it again" {
		t.Fatalf("attachment %+v", a)
	}
}

// TestStatuses maps status webhooks to delivery events, resolving our
// outbound id from the wamid the sender recorded.
func TestStatuses(t *testing.T) {
	b := bustest.New(t)
	g := newGraphFake(t)
	r := NewReceiver(testConfig(g.srv.URL), b, testOptions(now))
	if err := r.sent.Put(context.Background(), "01JOUTBOUND0000000000000001", "wamid.OUTBOUND0001"); err != nil {
		t.Fatal(err)
	}
	d := newReader(t, b, bus.StreamDelivery, event.DeliverySubject(event.ChannelWhatsApp))
	tests := []struct {
		file      string
		outbound  string
		wamid     string
		status    event.DeliveryStatus
		reason    string
		retryable bool
		at        int64
	}{
		{"status_sent.json", "01JOUTBOUND0000000000000001", "wamid.OUTBOUND0001", event.DeliverySent, "", false, 1795747080},
		{"status_delivered.json", "01JOUTBOUND0000000000000001", "wamid.OUTBOUND0001", event.DeliveryDelivered, "", false, 1795747085},
		{"status_read.json", "01JOUTBOUND0000000000000001", "wamid.OUTBOUND0001", event.DeliveryRead, "", false, 1795747140},
		{"status_failed.json", "", "wamid.OUTBOUND0002", event.DeliveryFailed,
			"Re-engagement message: Message failed to send because more than 24 hours have passed since the customer last replied to this number. (code 131047)", false, 1795747200},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			if err := r.Handle(context.Background(), readTestdata(t, tt.file)); err != nil {
				t.Fatal(err)
			}
			var got event.Delivery
			d.next(&got)
			if got.OutboundID != tt.outbound || got.ExternalID != tt.wamid || got.Status != tt.status ||
				got.Reason != tt.reason || got.Retryable != tt.retryable || !got.At.Equal(time.Unix(tt.at, 0)) || got.Account != ourNumber {
				t.Fatalf("delivery %+v", got)
			}
		})
	}
}

func TestSender(t *testing.T) {
	tests := []struct {
		name       string
		lastWrote  time.Duration // before now; 0: never
		answers    []answer
		wantSends  int
		wantStatus event.DeliveryStatus
		wantReason string
		retryable  bool
	}{
		{name: "sent", lastWrote: time.Hour, wantSends: 1, wantStatus: event.DeliverySent},
		{name: "outside the 24-hour window", lastWrote: 25 * time.Hour, wantSends: 0, wantStatus: event.DeliveryFailed,
			wantReason: "outside WhatsApp's 24-hour customer service window: the citizen has to write first (message templates are not supported yet)"},
		{name: "window closed at Meta", lastWrote: 23 * time.Hour, answers: []answer{{"send_error_window.json", http.StatusBadRequest}},
			wantSends: 1, wantStatus: event.DeliveryFailed,
			wantReason: "outside WhatsApp's 24-hour customer service window: the citizen has to write first"},
		{name: "rate limited, then sent", lastWrote: time.Hour, answers: []answer{{"send_error_rate.json", http.StatusBadRequest}},
			wantSends: 2, wantStatus: event.DeliverySent},
		{name: "rate limited until attempts run out", lastWrote: time.Hour,
			answers:   []answer{{"send_error_rate.json", 400}, {"send_error_rate.json", 400}, {"send_error_rate.json", 400}},
			wantSends: 3, wantStatus: event.DeliveryFailed, wantReason: "the Cloud API is busy or failing", retryable: true},
		{name: "expired token", lastWrote: time.Hour, answers: []answer{{"send_error_token.json", http.StatusUnauthorized}},
			wantSends: 1, wantStatus: event.DeliveryFailed,
			wantReason: "the Cloud API refused the access token or its permissions; check ADUAN_WHATSAPP_CLOUD_TOKEN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := bustest.New(t)
			g := newGraphFake(t)
			g.sendAnswers = tt.answers
			s := NewSender(testConfig(g.srv.URL), b, testOptions(now))
			run(t, s.Run)
			d := newReader(t, b, bus.StreamDelivery, event.DeliverySubject(event.ChannelWhatsApp))
			out := &event.Outbound{ID: event.NewID(), Channel: event.ChannelWhatsApp, Account: ourNumber, ConversationKey: citizen,
				Recipient: citizen, Text: "Terima kasih, data Anda hampir lengkap: tinggal foto KTP.", InReplyTo: "wamid.CITIZEN1",
				Origin: event.OriginBot, CreatedAt: now}
			if tt.lastWrote > 0 {
				out.CustomerLastMessageAt = now.Add(-tt.lastWrote)
			}
			if _, err := b.PublishEvent(context.Background(), out, out.Subject(), out.ID); err != nil {
				t.Fatal(err)
			}
			var got event.Delivery
			d.next(&got)
			if got.OutboundID != out.ID || got.Status != tt.wantStatus || got.Reason != tt.wantReason || got.Retryable != tt.retryable {
				t.Fatalf("delivery %+v", got)
			}
			sends := g.sent()
			if len(sends) != tt.wantSends {
				t.Fatalf("%d sends, want %d", len(sends), tt.wantSends)
			}
			if len(sends) == 0 {
				return
			}
			want := map[string]any{"messaging_product": "whatsapp", "recipient_type": "individual", "to": citizen, "type": "text",
				"text":    map[string]any{"preview_url": false, "body": out.Text},
				"context": map[string]any{"message_id": "wamid.CITIZEN1"}}
			if !reflect.DeepEqual(sends[0], want) {
				t.Fatalf("request body %v\nwant %v", sends[0], want)
			}
			if tt.wantStatus == event.DeliverySent {
				if got.ExternalID != "wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABEYEjQyRjdBMzc0QkQ1RDlGQzJBMQA=" {
					t.Fatalf("wamid %q", got.ExternalID)
				}
				if id, _ := s.sent.Outbound(context.Background(), got.ExternalID); id != out.ID {
					t.Fatalf("wamid not recorded for receipts: %q", id)
				}
			}
		})
	}
}

func TestSplit(t *testing.T) {
	long := strings.Repeat("kata ", 2000) // 10000 characters
	parts := split(strings.TrimSpace(long), textLimit)
	if len(parts) != 3 || strings.Join(parts, " ") != strings.TrimSpace(long) {
		t.Fatalf("%d parts", len(parts))
	}
	for _, p := range parts {
		if len([]rune(p)) > textLimit {
			t.Fatalf("part of %d characters", len([]rune(p)))
		}
	}
}
