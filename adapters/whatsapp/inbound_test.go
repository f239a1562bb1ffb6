package whatsapp

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
	"go.mau.fi/whatsmeow/proto/waCommon"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/proto/waWeb"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/bus/bustest"
	"github.com/aduan-gateway/aduan/core/event"
)

var sentAt = time.Date(2026, 11, 27, 2, 30, 0, 0, time.UTC)

func pn(user string) types.JID  { return types.NewJID(user, types.DefaultUserServer) }
func lid(user string) types.JID { return types.NewJID(user, types.HiddenUserServer) }

// incoming is a message a citizen sent in a direct chat, as whatsmeow
// reports it (the chat is the sender, without device).
func incoming(id string, from types.JID, m *waE2E.Message) *events.Message {
	dev := from
	dev.Device = 3
	return &events.Message{
		Info: types.MessageInfo{
			MessageSource: types.MessageSource{Chat: from, Sender: dev},
			ID:            id, PushName: "Siti", Timestamp: sentAt, Type: "text",
		},
		Message: m, RawMessage: m,
	}
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestInboundMessages(t *testing.T) {
	h := newHarness(t, testConfig(), true)
	jpeg, pdf, ogg := testdata(t, "ktp.jpg"), testdata(t, "surat.pdf"), testdata(t, "voice.ogg")
	h.fake.files["/v/t62/ktp"] = jpeg
	h.fake.files["/v/t62/surat"] = pdf
	h.fake.files["/v/t62/voice"] = ogg
	h.fake.lids["987654321098765"] = citizenB
	h.run(h.a.RunFetcher)
	r := newReader(t, h.b, bus.StreamInbound, bus.InboundFilter(event.ChannelWhatsApp))

	image := &waE2E.ImageMessage{Caption: proto.String("ini foto KTP saya"), Mimetype: proto.String("image/jpeg"),
		DirectPath: proto.String("/v/t62/ktp"), MediaKey: []byte("k"), FileSHA256: []byte("s"), FileEncSHA256: []byte("e"),
		FileLength: proto.Uint64(uint64(len(jpeg)))}
	phone := event.Sender{ID: citizen, Name: "Siti", Phone: "+" + citizen}
	base := func(id string) event.Inbound {
		return event.Inbound{Channel: event.ChannelWhatsApp, Account: ourNumber, ExternalID: id,
			ConversationKey: citizen, Sender: phone, SentAt: sentAt}
	}
	with := func(in event.Inbound, f func(*event.Inbound)) *event.Inbound { f(&in); return &in }

	group := incoming("G1", types.NewJID("120363025246125486", types.GroupServer), &waE2E.Message{Conversation: proto.String("halo grup")})
	group.Info.IsGroup = true
	status := incoming("S1", types.StatusBroadcastJID, &waE2E.Message{Conversation: proto.String("status")})
	newsletter := incoming("N1", types.NewJID("120363144038483540", types.NewsletterServer), &waE2E.Message{Conversation: proto.String("berita")})
	history := incoming("H1", pn(citizen), &waE2E.Message{Conversation: proto.String("lama")})
	history.SourceWebMsg = &waWeb.WebMessageInfo{}
	reaction := incoming("R1", pn(citizen), &waE2E.Message{ReactionMessage: &waE2E.ReactionMessage{Text: proto.String("👍")}})

	withAlt := incoming("L1", lid(citizenLID), &waE2E.Message{Conversation: proto.String("pesan dari LID")})
	withAlt.Info.SenderAlt = pn(citizen)
	withAlt.Info.AddressingMode = types.AddressingModeLID
	lidMapped := incoming("L2", lid("987654321098765"), &waE2E.Message{Conversation: proto.String("LID yang dikenal")})
	lidUnknown := incoming("L3", lid(citizenLID), &waE2E.Message{Conversation: proto.String("LID tanpa nomor")})

	fromMe := incoming("M1", pn(citizen), &waE2E.Message{Conversation: proto.String("Baik Bu, kami cek dulu.")})
	fromMe.Info.IsFromMe = true
	fromMe.Info.Sender = pn(ourNumber)
	fromMe.Info.PushName = "Dinsos Babel"

	edit := incoming("E2", pn(citizen), &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{
		Type: waE2E.ProtocolMessage_MESSAGE_EDIT.Enum(), Key: &waCommon.MessageKey{ID: proto.String("E1")},
		EditedMessage: &waE2E.Message{Conversation: proto.String("bantuan PKH belum cair sejak Agustus")},
	}})
	edit.Info.Edit = types.EditAttributeMessageEdit
	revoke := incoming("U2", pn(citizen), &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{
		Type: waE2E.ProtocolMessage_REVOKE.Enum(), Key: &waCommon.MessageKey{ID: proto.String("U1")},
	}})
	ephemeral := incoming("T3", pn(citizen), &waE2E.Message{EphemeralMessage: &waE2E.FutureProofMessage{
		Message: &waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{Text: proto.String("pesan sementara")}}}})
	viewOnceRaw := &waE2E.Message{ViewOnceMessageV2: &waE2E.FutureProofMessage{Message: &waE2E.Message{ImageMessage: image}}}
	viewOnce := incoming("V1", pn(citizen), nil)
	viewOnce.RawMessage = viewOnceRaw
	viewOnce.UnwrapRaw() // as whatsmeow hands it over

	tests := []struct {
		name string
		evt  *events.Message
		want *event.Inbound // nil: ignored
		skip string
	}{
		{"plain text", incoming("T1", pn(citizen), &waE2E.Message{Conversation: proto.String("Halo min, bantuan PKH ibu saya belum cair")}),
			with(base("T1"), func(in *event.Inbound) { in.Text = "Halo min, bantuan PKH ibu saya belum cair" }), ""},
		{"extended text", incoming("T2", pn(citizen), &waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{
			Text: proto.String("lihat https://contoh.id/berita"), MatchedText: proto.String("https://contoh.id/berita")}}),
			with(base("T2"), func(in *event.Inbound) { in.Text = "lihat https://contoh.id/berita" }), ""},
		{"image with caption", incoming("I1", pn(citizen), &waE2E.Message{ImageMessage: image}),
			with(base("I1"), func(in *event.Inbound) {
				in.Text = "ini foto KTP saya"
				in.Attachments = []event.Attachment{{Kind: event.AttachmentImage, MIME: "image/jpeg", Filename: "image.jpg",
					Size: int64(len(jpeg)), SHA256: sha(jpeg), ObjectKey: "sha256/" + sha(jpeg), Caption: "ini foto KTP saya"}}
			}), ""},
		{"document with caption", incoming("D1", pn(citizen), &waE2E.Message{DocumentWithCaptionMessage: &waE2E.FutureProofMessage{
			Message: &waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{
				Caption: proto.String("surat keterangan tidak mampu"), FileName: proto.String("SKTM.pdf"),
				Mimetype: proto.String("application/pdf"), DirectPath: proto.String("/v/t62/surat"),
				FileLength: proto.Uint64(uint64(len(pdf)))}}}}),
			with(base("D1"), func(in *event.Inbound) {
				in.Text = "surat keterangan tidak mampu"
				in.Attachments = []event.Attachment{{Kind: event.AttachmentDocument, MIME: "application/pdf", Filename: "SKTM.pdf",
					Size: int64(len(pdf)), SHA256: sha(pdf), ObjectKey: "sha256/" + sha(pdf), Caption: "surat keterangan tidak mampu"}}
			}), ""},
		{"voice note", incoming("A1", pn(citizen), &waE2E.Message{AudioMessage: &waE2E.AudioMessage{
			Mimetype: proto.String("audio/ogg; codecs=opus"), PTT: proto.Bool(true), DirectPath: proto.String("/v/t62/voice")}}),
			with(base("A1"), func(in *event.Inbound) {
				in.Attachments = []event.Attachment{{Kind: event.AttachmentAudio, MIME: "audio/ogg; codecs=opus", Filename: "audio.ogg",
					Size: int64(len(ogg)), SHA256: sha(ogg), ObjectKey: "sha256/" + sha(ogg)}}
			}), ""},
		{"expired file still delivers the message", incoming("I2", pn(citizen), &waE2E.Message{ImageMessage: &waE2E.ImageMessage{
			Mimetype: proto.String("image/jpeg"), DirectPath: proto.String("/v/t62/gone")}}),
			with(base("I2"), func(in *event.Inbound) {
				in.Attachments = []event.Attachment{{Kind: event.AttachmentImage, MIME: "image/jpeg",
					Error: "the file has expired on WhatsApp's servers; ask the citizen to send it again"}}
			}), ""},
		{"file over the size limit is not downloaded", incoming("I3", pn(citizen), &waE2E.Message{VideoMessage: &waE2E.VideoMessage{
			Mimetype: proto.String("video/mp4"), DirectPath: proto.String("/v/t62/ktp"), FileLength: proto.Uint64(5 << 20)}}),
			with(base("I3"), func(in *event.Inbound) {
				in.Attachments = []event.Attachment{{Kind: event.AttachmentVideo, MIME: "video/mp4",
					Error: "file too large to fetch (5 MB, the limit is 1 MB)"}}
			}), ""},
		{"LID sender with SenderAlt", withAlt,
			with(base("L1"), func(in *event.Inbound) {
				in.ConversationKey = citizenLID
				in.Sender = event.Sender{ID: citizenLID + "@lid", Name: "Siti", Phone: "+" + citizen}
				in.Text = "pesan dari LID"
			}), ""},
		{"LID sender known to the LID map", lidMapped,
			with(base("L2"), func(in *event.Inbound) {
				in.ConversationKey = "987654321098765"
				in.Sender = event.Sender{ID: "987654321098765@lid", Name: "Siti", Phone: "+" + citizenB}
				in.Text = "LID yang dikenal"
			}), ""},
		{"LID sender without SenderAlt: phone missing", lidUnknown,
			with(base("L3"), func(in *event.Inbound) {
				in.ConversationKey = citizenLID
				in.Sender = event.Sender{ID: citizenLID + "@lid", Name: "Siti"}
				in.Text = "LID tanpa nomor"
			}), ""},
		{"group ignored", group, nil, skipGroup},
		{"status broadcast ignored", status, nil, skipStatus},
		{"newsletter ignored", newsletter, nil, skipNewsletter},
		{"history sync ignored", history, nil, skipHistory},
		{"reaction ignored", reaction, nil, skipUnsupported},
		{"sent from the office phone", fromMe,
			with(base("M1"), func(in *event.Inbound) {
				in.Sender.Name = ""
				in.Text = "Baik Bu, kami cek dulu."
				in.Echo = true
			}), ""},
		{"edit", edit, with(base("E2"), func(in *event.Inbound) {
			in.EditOf = "E1"
			in.Text = "bantuan PKH belum cair sejak Agustus"
		}), ""},
		{"unsend", revoke, with(base("U2"), func(in *event.Inbound) { in.UnsendOf = "U1" }), ""},
		{"ephemeral unwrapped", ephemeral, with(base("T3"), func(in *event.Inbound) { in.Text = "pesan sementara" }), ""},
		{"view-once image unwrapped", viewOnce, with(base("V1"), func(in *event.Inbound) {
			in.Text = "ini foto KTP saya"
			in.Attachments = []event.Attachment{{Kind: event.AttachmentImage, MIME: "image/jpeg", Filename: "image.jpg",
				Size: int64(len(jpeg)), SHA256: sha(jpeg), ObjectKey: "sha256/" + sha(jpeg), Caption: "ini foto KTP saya"}}
		}), ""},
		{"location", incoming("P1", pn(citizen), &waE2E.Message{LocationMessage: &waE2E.LocationMessage{
			DegreesLatitude: proto.Float64(-2.1291), DegreesLongitude: proto.Float64(106.1139),
			Name: proto.String("Kantor Gubernur"), Address: proto.String("Air Itam, Pangkalpinang")}}),
			with(base("P1"), func(in *event.Inbound) {
				in.Location = &event.Location{Latitude: -2.1291, Longitude: 106.1139, Name: "Kantor Gubernur", Address: "Air Itam, Pangkalpinang"}
			}), ""},
		{"contact card", incoming("C1", pn(citizen), &waE2E.Message{ContactMessage: &waE2E.ContactMessage{
			DisplayName: proto.String("Pak RT"),
			Vcard:       proto.String("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Pak RT 05\r\nitem1.TEL;waid=6281399990000:+62 813-9999-0000\r\nEND:VCARD")}}),
			with(base("C1"), func(in *event.Inbound) {
				in.Contacts = []event.Contact{{Name: "Pak RT", Phones: []string{"+62 813-9999-0000"}}}
			}), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.skip != "" {
				before := value(h.metrics.ignored.WithLabelValues(tt.skip))
				if !h.a.HandleEvent(tt.evt) {
					t.Fatal("handler refused an ignored message")
				}
				if got := value(h.metrics.ignored.WithLabelValues(tt.skip)); got != before+1 {
					t.Fatalf("ignored{%s} = %v, want %v", tt.skip, got, before+1)
				}
				return
			}
			if !h.a.HandleEvent(tt.evt) {
				t.Fatal("handler refused the message")
			}
			got := r.inbound(5 * time.Second)
			if got.ID == "" || got.ReceivedAt.IsZero() {
				t.Fatalf("id or received_at missing: %+v", got)
			}
			got.ID, got.ReceivedAt, got.Schema = "", time.Time{}, ""
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("inbound\n got %s\nwant %s", mustJSON(t, got), mustJSON(t, tt.want))
			}
			for _, a := range got.Attachments {
				if a.ObjectKey == "" {
					continue
				}
				rc, _, err := h.b.GetAttachment(context.Background(), a.ObjectKey)
				if err != nil {
					t.Fatal(err)
				}
				data, err := io.ReadAll(rc)
				rc.Close()
				if err != nil || sha(data) != a.SHA256 {
					t.Fatalf("stored file differs (%v)", err)
				}
			}
		})
	}
	r.none(200 * time.Millisecond) // nothing ignored slipped through

	// Read receipts went to the citizen's messages, not to echoes or edits.
	reads := h.fake.readIDs()
	for _, id := range []string{"T1", "I1", "L3"} {
		if !contains(reads, id) {
			t.Errorf("message %s not marked read (read %v)", id, reads)
		}
	}
	for _, id := range []string{"M1", "E2", "U2"} {
		if contains(reads, id) {
			t.Errorf("message %s marked read", id)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestHandlerReturnsAfterJetStreamAck: whatsmeow acknowledges a message
// when the handler returns true, so by then a text message and a receipt
// are stored in JetStream, with no worker running.
func TestHandlerReturnsAfterJetStreamAck(t *testing.T) {
	h := newHarness(t, testConfig(), true)
	if !h.a.HandleEvent(incoming("T1", pn(citizen), &waE2E.Message{Conversation: proto.String("halo")})) {
		t.Fatal("handler refused the message")
	}
	receipt := &events.Receipt{MessageSource: types.MessageSource{Chat: pn(citizen), Sender: pn(citizen)},
		MessageIDs: []types.MessageID{"3EB0AAAA"}, Timestamp: sentAt, Type: types.ReceiptTypeDelivered}
	if !h.a.HandleEvent(receipt) {
		t.Fatal("handler refused the receipt")
	}
	for stream, want := range map[string]uint64{bus.StreamInbound: 1, bus.StreamDelivery: 1} {
		if n := streamLen(t, h.b, stream); n != want {
			t.Errorf("%s holds %d messages when the handler returned, want %d", stream, n, want)
		}
	}
	if !contains(h.fake.readIDs(), "T1") {
		t.Error("stored message not marked read")
	}
}

// TestChatWaitsBehindDownload: a message with a file goes to the download
// queue; the chat's next message queues behind it, so the core gets them
// in the order sent, while another chat's message is stored at once.
func TestChatWaitsBehindDownload(t *testing.T) {
	h := newHarness(t, testConfig(), true)
	h.fake.files["/v/t62/ktp"] = testdata(t, "ktp.jpg")
	r := newReader(t, h.b, bus.StreamInbound, bus.InboundFilter(event.ChannelWhatsApp))
	photo := &waE2E.Message{ImageMessage: &waE2E.ImageMessage{Mimetype: proto.String("image/jpeg"), DirectPath: proto.String("/v/t62/ktp")}}
	handle(t, h.a,
		incoming("I1", pn(citizen), photo),
		incoming("T1", pn(citizen), &waE2E.Message{Conversation: proto.String("itu KTP saya")}),
		incoming("T2", pn(citizenB), &waE2E.Message{Conversation: proto.String("pesan lain")}))
	if got := r.inbound(5 * time.Second); got.ExternalID != "T2" {
		t.Fatalf("first stored %s, want the other chat's T2 (no worker runs yet)", got.ExternalID)
	}
	r.none(100 * time.Millisecond)
	h.run(h.a.RunFetcher)
	for _, want := range []string{"I1", "T1"} {
		if got := r.inbound(5 * time.Second); got.ExternalID != want {
			t.Fatalf("stored %s, want %s", got.ExternalID, want)
		}
	}
	// Nothing queued for the chat any more: its next message is stored by
	// the handler itself.
	bustest.Eventually(t, 5*time.Second, func() bool { return queueLen(t, h.b) == 0 })
	handle(t, h.a, incoming("T3", pn(citizen), &waE2E.Message{Conversation: proto.String("sudah dikirim")}))
	if n := streamLen(t, h.b, bus.StreamInbound); n != 4 {
		t.Fatalf("INBOUND holds %d messages when the handler returned, want 4", n)
	}
}

// TestMediaSurvivesRestart: a message with a file is acknowledged to
// WhatsApp once it is on the download queue, so it outlives the process.
// One adapter takes a photo and the chat's next text and stops before
// downloading (one with no worker at all, one stopped mid-download); a new
// adapter on the same bus, knowing nothing of them, queues the chat's next
// message behind them, downloads the photo and publishes all three once, in
// the order sent.
func TestMediaSurvivesRestart(t *testing.T) {
	for _, midDownload := range []bool{false, true} {
		t.Run(fmt.Sprintf("mid-download=%v", midDownload), func(t *testing.T) {
			b := bustest.New(t)
			jpeg := testdata(t, "ktp.jpg")
			photo := &waE2E.Message{ImageMessage: &waE2E.ImageMessage{Caption: proto.String("KTP saya"),
				Mimetype: proto.String("image/jpeg"), DirectPath: proto.String("/v/t62/ktp"), MediaKey: []byte("k"),
				FileSHA256: []byte("s"), FileEncSHA256: []byte("e"), FileLength: proto.Uint64(uint64(len(jpeg)))}}

			first, fake1 := newAdapter(t, b)
			fake1.files["/v/t62/ktp"] = jpeg
			handle(t, first,
				incoming("I1", pn(citizen), photo),
				incoming("T1", pn(citizen), &waE2E.Message{Conversation: proto.String("itu KTP saya")}))
			if midDownload {
				fake1.hold = make(chan struct{}) // never released
				ctx, stop := context.WithCancel(context.Background())
				done := make(chan error, 1)
				go func() { done <- first.RunFetcher(ctx) }()
				bustest.Eventually(t, 10*time.Second, func() bool {
					fake1.mu.Lock()
					defer fake1.mu.Unlock()
					return fake1.tries["/v/t62/ktp"] > 0
				})
				stop()
				if err := <-done; err != nil {
					t.Fatal(err)
				}
			}
			if n := streamLen(t, b, bus.StreamInbound); n != 0 {
				t.Fatalf("INBOUND holds %d messages before the restart, want 0", n)
			}

			second, fake2 := newAdapter(t, b)
			fake2.files["/v/t62/ktp"] = jpeg
			r := newReader(t, b, bus.StreamInbound, bus.InboundFilter(event.ChannelWhatsApp))
			handle(t, second,
				incoming("T2", pn(citizen), &waE2E.Message{Conversation: proto.String("mohon dibantu")}),
				incoming("T3", pn(citizenB), &waE2E.Message{Conversation: proto.String("pesan lain")}))
			if got := r.inbound(5 * time.Second); got.ExternalID != "T3" {
				t.Fatalf("first stored %s, want the other chat's T3", got.ExternalID)
			}
			ctx, stop := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- second.RunFetcher(ctx) }()
			defer func() {
				stop()
				if err := <-done; err != nil {
					t.Error(err)
				}
			}()
			for _, want := range []string{"I1", "T1", "T2"} {
				got := r.inbound(10 * time.Second)
				if got.ExternalID != want {
					t.Fatalf("stored %s, want %s", got.ExternalID, want)
				}
				if want != "I1" {
					continue
				}
				if len(got.Attachments) != 1 || got.Attachments[0].SHA256 != sha(jpeg) || got.Attachments[0].Error != "" ||
					got.Attachments[0].Caption != "KTP saya" || got.Text != "KTP saya" {
					t.Fatalf("photo stored as %s", mustJSON(t, got))
				}
			}
			r.none(300 * time.Millisecond)
			bustest.Eventually(t, 5*time.Second, func() bool { return queueLen(t, b) == 0 })
			if !contains(fake2.readIDs(), "I1") || contains(fake1.readIDs(), "I1") {
				t.Errorf("photo marked read by the old session or not by the new one (%v, %v)", fake1.readIDs(), fake2.readIDs())
			}
		})
	}
}

// TestUndownloadableAfterAttempts: a file whose download keeps failing
// with a transient error is tried downloadAttempts times, then the message
// is published with the failure on its attachment.
func TestUndownloadableAfterAttempts(t *testing.T) {
	h := newHarness(t, testConfig(), true)
	h.fake.failing["/v/t62/flaky"] = errors.New("read tcp: connection reset by peer")
	r := newReader(t, h.b, bus.StreamInbound, bus.InboundFilter(event.ChannelWhatsApp))
	h.run(h.a.RunFetcher)
	handle(t, h.a, incoming("I1", pn(citizen), &waE2E.Message{ImageMessage: &waE2E.ImageMessage{
		Mimetype: proto.String("image/jpeg"), DirectPath: proto.String("/v/t62/flaky")}}))
	got := r.inbound(20 * time.Second)
	want := []event.Attachment{{Kind: event.AttachmentImage, MIME: "image/jpeg", Error: "could not download the file from WhatsApp"}}
	if got.ExternalID != "I1" || !reflect.DeepEqual(got.Attachments, want) {
		t.Fatalf("stored %s", mustJSON(t, got))
	}
	h.fake.mu.Lock()
	defer h.fake.mu.Unlock()
	if n := h.fake.tries["/v/t62/flaky"]; n != downloadAttempts {
		t.Fatalf("download tried %d times, want %d", n, downloadAttempts)
	}
}

// TestInboundWhileNATSDown stops the NATS server under the adapter: a text
// message and one with a file are refused (whatsmeow does not acknowledge
// them, so WhatsApp delivers them again); once the server is back both are
// stored once.
func TestInboundWhileNATSDown(t *testing.T) {
	dir := t.TempDir()
	server := bustest.Open(t, bus.Config{Listen: "127.0.0.1:0", DataDir: dir})
	url := server.ClientURL()
	conn := bustest.Open(t, server.ClientConfig())
	a := New(testConfig(), conn, Options{Log: bustest.Logger(t), Metrics: NewMetrics(prometheus.NewRegistry()),
		PublishBackoff: []time.Duration{100 * time.Millisecond}, PublishTimeout: 300 * time.Millisecond})
	fake := newFakeClient(true)
	fake.files["/v/t62/ktp"] = testdata(t, "ktp.jpg")
	a.Attach(fake, fake, ourNumber)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.RunFetcher(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	server.Close()
	text := incoming("N1", pn(citizen), &waE2E.Message{Conversation: proto.String("pesan saat NATS mati")})
	photo := incoming("N2", pn(citizenB), &waE2E.Message{ImageMessage: &waE2E.ImageMessage{
		Mimetype: proto.String("image/jpeg"), DirectPath: proto.String("/v/t62/ktp")}})
	for _, e := range []*events.Message{text, photo} {
		if a.HandleEvent(e) {
			t.Fatalf("handler took %s, which it could not store", e.Info.ID)
		}
	}
	if len(fake.readIDs()) != 0 {
		t.Fatal("marked read before it was stored")
	}
	restarted := bustest.Open(t, bus.Config{Listen: strings.TrimPrefix(url, "nats://"), DataDir: dir})
	r := newReader(t, restarted, bus.StreamInbound, bus.InboundFilter(event.ChannelWhatsApp))
	// WhatsApp delivers the refused messages again, once connected. (A
	// refused try may have been stored after all, from the client's
	// reconnect buffer: its id makes the second one a duplicate.)
	for _, e := range []*events.Message{text, photo} {
		bustest.Eventually(t, 15*time.Second, func() bool { return a.HandleEvent(e) })
	}
	got := map[string]string{}
	for range 2 {
		in := r.inbound(15 * time.Second)
		got[in.ExternalID] = in.Text
	}
	if _, ok := got["N2"]; !ok || got["N1"] != "pesan saat NATS mati" {
		t.Fatalf("stored %v, want N1 and N2", got)
	}
	bustest.Eventually(t, 5*time.Second, func() bool { return contains(fake.readIDs(), "N1") && contains(fake.readIDs(), "N2") })
	r.none(300 * time.Millisecond) // each stored once, however often it was tried
}

// newAdapter is an adapter on b with a fresh fake client attached.
func newAdapter(t *testing.T, b *bus.Bus) (*Adapter, *fakeClient) {
	t.Helper()
	a := New(testConfig(), b, Options{Log: zerolog.Nop(), Metrics: NewMetrics(prometheus.NewRegistry()),
		PublishBackoff: []time.Duration{20 * time.Millisecond}, ConnectWait: 200 * time.Millisecond})
	fake := newFakeClient(true)
	a.Attach(fake, fake, ourNumber)
	return a, fake
}

// handle hands the events to the adapter as whatsmeow does, each of which
// it must take.
func handle(t *testing.T, a *Adapter, evts ...*events.Message) {
	t.Helper()
	for _, e := range evts {
		if !a.HandleEvent(e) {
			t.Fatalf("handler refused %s", e.Info.ID)
		}
	}
}

// streamLen is how many messages a stream holds.
func streamLen(t *testing.T, b *bus.Bus, stream string) uint64 {
	t.Helper()
	s, err := b.JetStream().Stream(context.Background(), stream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Msgs
}

// queueLen is how many messages wait on the download queue.
func queueLen(t *testing.T, b *bus.Bus) uint64 {
	t.Helper()
	return streamLen(t, b, bus.StreamWhatsmeowFetch)
}
