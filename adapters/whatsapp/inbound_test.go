package whatsapp

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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
	h.run(h.a.Run)
	r := newReader(t, h.b, bus.StreamInbound, event.InboundSubject(event.ChannelWhatsApp))

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
		s, err := h.b.JetStream().Stream(context.Background(), stream)
		if err != nil {
			t.Fatal(err)
		}
		info, err := s.Info(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if info.State.Msgs != want {
			t.Errorf("%s holds %d messages when the handler returned, want %d", stream, info.State.Msgs, want)
		}
	}
	if !contains(h.fake.readIDs(), "T1") {
		t.Error("stored message not marked read")
	}
}

// TestChatWaitsBehindDownload: a message with a file goes to its chat's
// download worker; the chat's next message queues behind it, so the core
// gets them in the order sent, while another chat's message is stored at
// once.
func TestChatWaitsBehindDownload(t *testing.T) {
	h := newHarness(t, testConfig(), true)
	h.fake.files["/v/t62/ktp"] = testdata(t, "ktp.jpg")
	r := newReader(t, h.b, bus.StreamInbound, event.InboundSubject(event.ChannelWhatsApp))
	photo := &waE2E.Message{ImageMessage: &waE2E.ImageMessage{Mimetype: proto.String("image/jpeg"), DirectPath: proto.String("/v/t62/ktp")}}
	for _, e := range []*events.Message{
		incoming("I1", pn(citizen), photo),
		incoming("T1", pn(citizen), &waE2E.Message{Conversation: proto.String("itu KTP saya")}),
		incoming("T2", pn(citizenB), &waE2E.Message{Conversation: proto.String("pesan lain")}),
	} {
		if !h.a.HandleEvent(e) {
			t.Fatalf("handler refused %s", e.Info.ID)
		}
	}
	if got := r.inbound(5 * time.Second); got.ExternalID != "T2" {
		t.Fatalf("first stored %s, want the other chat's T2 (no worker runs yet)", got.ExternalID)
	}
	r.none(100 * time.Millisecond)
	h.run(h.a.Run)
	for _, want := range []string{"I1", "T1"} {
		if got := r.inbound(5 * time.Second); got.ExternalID != want {
			t.Fatalf("stored %s, want %s", got.ExternalID, want)
		}
	}
}

// TestInboundWhileNATSDown stops the NATS server under the adapter: a text
// message is refused (whatsmeow does not acknowledge it, so WhatsApp
// delivers it again), a message with a file is taken by its download
// worker, which keeps trying; once the server is back both are stored once.
func TestInboundWhileNATSDown(t *testing.T) {
	dir := t.TempDir()
	server := bustest.Open(t, bus.Config{Listen: "127.0.0.1:0", DataDir: dir})
	url := server.ClientURL()
	conn := bustest.Open(t, server.ClientConfig())
	a, err := New(context.Background(), testConfig(), conn, Options{Log: zerolog.Nop(), Metrics: NewMetrics(prometheus.NewRegistry()),
		PublishBackoff: []time.Duration{100 * time.Millisecond}, PublishTimeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	fake := newFakeClient(true)
	fake.files["/v/t62/ktp"] = testdata(t, "ktp.jpg")
	a.Attach(fake, fake, ourNumber)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	server.Close()
	text := incoming("N1", pn(citizen), &waE2E.Message{Conversation: proto.String("pesan saat NATS mati")})
	if a.HandleEvent(text) {
		t.Fatal("handler took a message it could not store")
	}
	photo := incoming("N2", pn(citizenB), &waE2E.Message{ImageMessage: &waE2E.ImageMessage{
		Mimetype: proto.String("image/jpeg"), DirectPath: proto.String("/v/t62/ktp")}})
	if !a.HandleEvent(photo) {
		t.Fatal("handler refused a message for its download worker")
	}
	// Down long enough for the refusal and a failed try of the worker.
	bustest.Eventually(t, 20*time.Second, func() bool {
		return value(a.metrics.retries) >= 2
	})
	if len(fake.readIDs()) != 0 {
		t.Fatal("marked read before it was stored")
	}
	restarted := bustest.Open(t, bus.Config{Listen: strings.TrimPrefix(url, "nats://"), DataDir: dir})
	r := newReader(t, restarted, bus.StreamInbound, event.InboundSubject(event.ChannelWhatsApp))
	// WhatsApp delivers the refused message again, once connected. (The
	// refused try may have been stored after all, from the client's
	// reconnect buffer: its id makes the second one a duplicate.)
	bustest.Eventually(t, 15*time.Second, func() bool { return a.HandleEvent(text) })
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

// TestQueueFullLeavesMessageUnacknowledged fills a download worker's queue
// (no worker runs): the handler then reports failure, so whatsmeow
// withholds the acknowledgement and WhatsApp delivers the message again.
func TestQueueFullLeavesMessageUnacknowledged(t *testing.T) {
	h := newHarness(t, testConfig(), true)
	refused := 0
	for i := range queueSize + 1 {
		photo := &waE2E.Message{ImageMessage: &waE2E.ImageMessage{Mimetype: proto.String("image/jpeg"), DirectPath: proto.String("/v/t62/ktp")}}
		if !h.a.HandleEvent(incoming(fmt.Sprintf("Q%d", i), pn(citizen), photo)) {
			refused++
		}
	}
	if refused != 1 || value(h.metrics.queueFull) != 1 {
		t.Fatalf("refused %d, queue_full %v; want 1 and 1", refused, value(h.metrics.queueFull))
	}
}
