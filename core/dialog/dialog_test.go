package dialog

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/identity"
)

var (
	wib = time.FixedZone("WIB", 7*3600)
	now = time.Date(2026, 3, 10, 9, 30, 0, 0, wib)
)

// Made-up NIKs (valid form only): Pangkalpinang, a woman born 17-08-1990,
// and a man born 12-03-1985.
const (
	nikSiti = "1971015708900003"
	nikBudi = "1971011203850002"
)

const sitiPhone = "+6281234567890"

func wa(text string, atts ...event.Attachment) *event.Inbound {
	return &event.Inbound{
		ID: "01J0000000000000000000000", Channel: event.ChannelWhatsApp, Account: "628111",
		ExternalID: "wamid.1", ConversationKey: "628123",
		Sender: event.Sender{ID: "6281234567890", Name: "Siti", Phone: sitiPhone},
		Text:   text, Attachments: atts, ReceivedAt: now,
	}
}

func on(ch event.Channel, text string, atts ...event.Attachment) *event.Inbound {
	m := wa(text, atts...)
	m.Channel = ch
	m.Sender = event.Sender{ID: "psid-77", Name: "Budi S"}
	return m
}

func image(caption string) event.Attachment {
	return event.Attachment{Kind: event.AttachmentImage, MIME: "image/jpeg", ObjectKey: "sha256/ab", Caption: caption}
}

// tickets hands out ADU-2026-000001, ADU-2026-000002, ...
func tickets() func() (string, error) {
	n := 0
	return func() (string, error) {
		n++
		return fmt.Sprintf("ADU-2026-%06d", n), nil
	}
}

func newDialog(t *testing.T, required map[event.Channel][]identity.Field) *Dialog {
	t.Helper()
	tpl, err := LoadTemplates("")
	if err != nil {
		t.Fatalf("LoadTemplates: %v", err)
	}
	return New(tpl, required)
}

// turn is one message of a scripted conversation and what must come of it.
type turn struct {
	name     string
	msg      *event.Inbound
	own      []TicketInfo
	contains []string // each must be in the reply
	excludes []string // none may be in the reply
	silent   bool     // no reply at all
	missing  []identity.Field
	check    func(t *testing.T, out Output)
}

var sixteenDigits = regexp.MustCompile(`\d{16}`)

// play runs the turns in order, each on the conversation the previous one left.
func play(t *testing.T, d *Dialog, conv Conversation, newTicket func() (string, error), turns []turn) Conversation {
	t.Helper()
	for i, tc := range turns {
		out, err := d.Step(Input{Conv: conv, Msg: tc.msg, Now: now, OwnTickets: tc.own, NewTicket: newTicket})
		if err != nil {
			t.Fatalf("turn %d %q: Step: %v", i+1, tc.name, err)
		}
		reply := strings.Join(out.Replies, "\n---\n")
		if tc.silent {
			if len(out.Replies) != 0 {
				t.Errorf("turn %d %q: want no reply, got %q", i+1, tc.name, reply)
			}
		} else if len(out.Replies) != 1 {
			t.Errorf("turn %d %q: want exactly one reply, got %d: %q", i+1, tc.name, len(out.Replies), reply)
		}
		for _, s := range tc.contains {
			if !strings.Contains(reply, s) {
				t.Errorf("turn %d %q: reply lacks %q:\n%s", i+1, tc.name, s, reply)
			}
		}
		for _, s := range tc.excludes {
			if strings.Contains(reply, s) {
				t.Errorf("turn %d %q: reply must not contain %q:\n%s", i+1, tc.name, s, reply)
			}
		}
		// No reply ever carries a whole NIK (with or without separators).
		if sixteenDigits.MatchString(strings.NewReplacer(" ", "", ".", "", "-", "").Replace(reply)) {
			t.Errorf("turn %d %q: reply carries a 16-digit number:\n%s", i+1, tc.name, reply)
		}
		if !slices.Equal(out.Missing, tc.missing) {
			t.Errorf("turn %d %q: Missing = %v, want %v", i+1, tc.name, out.Missing, tc.missing)
		}
		if tc.check != nil {
			tc.check(t, out)
		}
		conv = out.Conv
	}
	return conv
}

// checkReply asserts that out's reply holds each of has and none of lacks.
func checkReply(t *testing.T, out Output, has, lacks []string) {
	t.Helper()
	reply := strings.Join(out.Replies, "\n")
	for _, s := range has {
		if !strings.Contains(reply, s) {
			t.Errorf("reply lacks %q:\n%s", s, reply)
		}
	}
	for _, s := range lacks {
		if strings.Contains(reply, s) {
			t.Errorf("reply must not contain %q:\n%s", s, reply)
		}
	}
}

func noActions(t *testing.T, out Output) {
	t.Helper()
	if len(out.Actions) != 0 {
		t.Errorf("want no actions, got %#v", out.Actions)
	}
}

var fields = func(f ...identity.Field) []identity.Field { return f }

const (
	nama    = identity.FieldName
	nik     = identity.FieldNIK
	alamat  = identity.FieldAddress
	telepon = identity.FieldPhone
	ktp     = identity.FieldKTPPhoto
	aduan   = identity.FieldComplaint
)

func TestWalkthroughWhatsApp(t *testing.T) {
	d := newDialog(t, nil)
	ownAfter := []TicketInfo{{Ticket: "ADU-2026-000001", Status: "menunggu_verifikasi"}}
	play(t, d, Conversation{}, tickets(), []turn{
		{
			name: "1 first message: acknowledged, asks nama, NIK, alamat, foto KTP but not telepon",
			msg:  wa("Halo min, bantuan PKH ibu saya sudah 3 bulan tidak cair"),
			contains: []string{
				"Terima kasih telah menghubungi",
				"Mohon lengkapi data berikut agar laporan Anda dapat kami proses:\n- nama lengkap\n- NIK (16 digit)\n- alamat tempat tinggal\n- foto KTP (kirim foto KTP sebagai gambar)\n\n",
				"Silakan salin dan isi format ini:\nNama: \nNIK: \nAlamat: ",
			},
			excludes: []string{"nomor HP", "No. HP", "isi pengaduan"},
			missing:  fields(nama, nik, alamat, ktp),
			check: func(t *testing.T, out Output) {
				noActions(t, out)
				c := out.Conv
				if !c.Greeted || !c.AwaitingKTP || c.Status != StatusCollecting {
					t.Errorf("conv = %+v, want greeted, awaiting KTP, collecting", c)
				}
				if c.Identity.Phone != sitiPhone {
					t.Errorf("phone = %q, want the WhatsApp number %q", c.Identity.Phone, sitiPhone)
				}
				if !strings.Contains(c.Complaint, "bantuan PKH ibu saya sudah 3 bulan tidak cair") {
					t.Errorf("complaint = %q", c.Complaint)
				}
				if !strings.HasSuffix(out.Replies[0], "Alamat: ") {
					t.Errorf("reply should end with the format's last line, got %q", out.Replies[0])
				}
			},
		},
		{
			name:     "2 identity in the format: only the KTP photo is left",
			msg:      wa("Nama: Siti Aminah\nNIK: 1971 0157 0890 0003\nAlamat: Jl. Depati Amir No. 12, Pangkalpinang"),
			contains: []string{"tinggal foto KTP"},
			excludes: []string{"Terima kasih telah menghubungi", "Mohon lengkapi", "0157 0890"},
			missing:  fields(ktp),
			check: func(t *testing.T, out Output) {
				noActions(t, out)
				id := out.Conv.Identity
				want := identity.Identity{Name: "Siti Aminah", NIK: nikSiti, Address: "Jl. Depati Amir No. 12, Pangkalpinang", Phone: sitiPhone}
				if id != want {
					t.Errorf("identity = %+v, want %+v", id, want)
				}
				if !out.Conv.AwaitingKTP {
					t.Error("AwaitingKTP should stay set")
				}
				if strings.Contains(out.Conv.Complaint, "Siti Aminah") || strings.Contains(out.Conv.Complaint, "0003") {
					t.Errorf("identity data leaked into the complaint text: %q", out.Conv.Complaint)
				}
			},
		},
		{
			name:     "3 a picture without text is the KTP: report complete, ticket issued",
			msg:      wa("", image("")),
			contains: []string{"data Anda sudah lengkap", "ADU-2026-000001", "STATUS ADU-2026-000001", "hari kerja"},
			missing:  nil,
			check: func(t *testing.T, out Output) {
				if len(out.Actions) != 1 {
					t.Fatalf("actions = %#v, want one CreateComplaint", out.Actions)
				}
				cc, ok := out.Actions[0].(CreateComplaint)
				if !ok {
					t.Fatalf("action = %T, want CreateComplaint", out.Actions[0])
				}
				want := identity.Identity{Name: "Siti Aminah", NIK: nikSiti, Address: "Jl. Depati Amir No. 12, Pangkalpinang", Phone: sitiPhone, KTPPhoto: true}
				if cc.Ticket != "ADU-2026-000001" || cc.Identity != want || !cc.Submitted.Equal(now) {
					t.Errorf("CreateComplaint = %+v", cc)
				}
				if !strings.Contains(cc.Text, "bantuan PKH ibu saya sudah 3 bulan tidak cair") || strings.Contains(cc.Text, "Siti Aminah") {
					t.Errorf("complaint text = %q", cc.Text)
				}
				c := out.Conv
				if c.Status != StatusSubmitted || c.Ticket != "ADU-2026-000001" || c.Complaint != "" || c.AwaitingKTP || !c.Identity.KTPPhoto {
					t.Errorf("conv after submit = %+v", c)
				}
			},
		},
		{
			name:     "4 STATUS of the own ticket",
			msg:      wa("STATUS ADU-2026-000001"),
			own:      ownAfter,
			contains: []string{"ADU-2026-000001", "menunggu verifikasi"},
			excludes: []string{"menunggu_verifikasi", "tidak ditemukan"},
			check: func(t *testing.T, out Output) {
				noActions(t, out)
				if out.Conv.Status != StatusSubmitted || out.Conv.Ticket != "ADU-2026-000001" {
					t.Errorf("STATUS changed the conversation: %+v", out.Conv)
				}
			},
		},
	})
}

func TestFieldsSpreadOverMessages(t *testing.T) {
	d := newDialog(t, nil)
	conv := play(t, d, Conversation{}, tickets(), []turn{
		{
			name:     "greeting only: a short reply asks for the complaint, not the checklist",
			msg:      on(event.ChannelMessenger, "Assalamualaikum"),
			contains: []string{"Terima kasih telah menghubungi", "ceritakan pengaduan Anda"},
			excludes: []string{"- nama lengkap", "No. HP: "},
			missing:  fields(nama, nik, alamat, telepon, ktp, aduan),
		},
		{
			name:     "the complaint: the checklist, once",
			msg:      on(event.ChannelMessenger, "Saya mau melapor, ada lansia di desa kami yang tinggal sendiri dan tidak pernah dapat bantuan"),
			contains: []string{"- nama lengkap", "- nomor HP/WhatsApp", "No. HP: "},
			excludes: []string{"Terima kasih telah menghubungi", "isi pengaduan"},
			missing:  fields(nama, nik, alamat, telepon, ktp),
		},
		{
			name:     "name, with a more complete name replacing it later",
			msg:      on(event.ChannelMessenger, "Nama: Budi"),
			missing:  fields(nik, alamat, telepon, ktp),
			excludes: []string{"- nama lengkap", "Nama: "},
		},
		{
			name:    "NIK",
			msg:     on(event.ChannelMessenger, "NIK: "+nikBudi),
			missing: fields(alamat, telepon, ktp),
			check: func(t *testing.T, out Output) {
				if out.Conv.Identity.NIK != nikBudi {
					t.Errorf("NIK = %q", out.Conv.Identity.NIK)
				}
			},
		},
		{
			name:     "more of the complaint, the full name and the phone in one message",
			msg:      on(event.ChannelMessenger, "Nama: Budi Santoso\nNo HP: 0812-7788-9900\nBeliau sudah sakit-sakitan sejak tahun lalu"),
			missing:  fields(alamat, ktp),
			contains: []string{"Data yang masih kami perlukan: alamat tempat tinggal, foto KTP."},
			excludes: []string{"Nama: ", "NIK: ", "No. HP: ", "Mohon lengkapi"},
			check: func(t *testing.T, out Output) {
				id := out.Conv.Identity
				if id.Name != "Budi Santoso" || id.Phone != "+6281277889900" || id.NIK != nikBudi {
					t.Errorf("identity = %+v", id)
				}
				if !strings.Contains(out.Conv.Complaint, "tidak pernah dapat bantuan\n") || !strings.Contains(out.Conv.Complaint, "sakit-sakitan") {
					t.Errorf("complaint should accumulate line by line, got %q", out.Conv.Complaint)
				}
			},
		},
		{
			name:    "address; a message without name or NIK keeps them",
			msg:     on(event.ChannelMessenger, "Alamat: Desa Air Mesu, Kec. Pangkalan Baru, Bangka Tengah"),
			missing: fields(ktp),
			check: func(t *testing.T, out Output) {
				if out.Conv.Identity.Name != "Budi Santoso" || out.Conv.Identity.NIK != nikBudi {
					t.Errorf("a message without name or NIK must not erase them: %+v", out.Conv.Identity)
				}
				if !out.Conv.AwaitingKTP {
					t.Error("AwaitingKTP should be set while foto_ktp is missing")
				}
			},
		},
		{
			name:     "KTP with a caption",
			msg:      on(event.ChannelMessenger, "", image("ini ktp saya")),
			contains: []string{"ADU-2026-000001"},
			check: func(t *testing.T, out Output) {
				if len(out.Actions) != 1 {
					t.Fatalf("actions = %#v", out.Actions)
				}
				cc := out.Actions[0].(CreateComplaint)
				if !strings.Contains(cc.Text, "tidak pernah dapat bantuan\n") || !strings.Contains(cc.Text, "sakit-sakitan") {
					t.Errorf("complaint text should hold both parts, in order: %q", cc.Text)
				}
				for _, s := range []string{"Budi", "0812", "Air Mesu", "ktp", nikBudi} {
					if strings.Contains(cc.Text, s) {
						t.Errorf("complaint text holds identity data %q: %q", s, cc.Text)
					}
				}
				if cc.Identity.Name != "Budi Santoso" || !cc.Identity.KTPPhoto || cc.Identity.Address == "" {
					t.Errorf("identity = %+v", cc.Identity)
				}
			},
		},
	})
	if conv.Status != StatusSubmitted {
		t.Errorf("status = %s, want submitted", conv.Status)
	}
}

func TestKTPPhotoRecognition(t *testing.T) {
	d := newDialog(t, nil)
	base := Conversation{Status: StatusCollecting, Greeted: true, Complaint: "bantuan tidak cair",
		Identity: identity.Identity{Name: "Siti Aminah", NIK: nikSiti, Address: "Jl. Melati 3", Phone: sitiPhone}}
	awaiting := base
	awaiting.AwaitingKTP = true
	doc := event.Attachment{Kind: event.AttachmentDocument, Filename: "ktp.pdf", Caption: "ktp saya"}
	failed := image("")
	failed.Error = "media download failed"
	cases := []struct {
		name string
		conv Conversation
		msg  *event.Inbound
		want bool
	}{
		{"any image while waiting for the KTP", awaiting, wa("", image("")), true},
		{"image with caption saying KTP, not waiting", base, wa("", image("Foto KTP saya")), true},
		{"image with message text saying KTP, not waiting", base, wa("ini KTP saya", image("")), true},
		{"plain image, not waiting: supporting material", base, wa("", image("rumah beliau")), false},
		{"document captioned KTP is not a photo", awaiting, wa("", doc), false},
		{"image that failed to download does not count", awaiting, wa("", failed), false},
		{"KTP mentioned without any image", base, wa("KTP saya hilang waktu banjir"), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := d.Step(Input{Conv: tc.conv, Msg: tc.msg, Now: now, NewTicket: tickets()})
			if err != nil {
				t.Fatal(err)
			}
			if out.Conv.Identity.KTPPhoto != tc.want {
				t.Errorf("KTPPhoto = %v, want %v", out.Conv.Identity.KTPPhoto, tc.want)
			}
			created := len(out.Actions) == 1
			if created != tc.want {
				t.Errorf("complaint created = %v, want %v (actions %#v)", created, tc.want, out.Actions)
			}
			reply := strings.Join(out.Replies, "\n")
			if !tc.want && !strings.Contains(reply, "tinggal foto KTP") {
				t.Errorf("should still ask for the KTP photo, got %q", reply)
			}
			if !tc.want && !out.Conv.AwaitingKTP {
				t.Error("AwaitingKTP should be set after asking for the KTP")
			}
		})
	}
}

func TestInvalidNIKExplained(t *testing.T) {
	d := newDialog(t, nil)
	fresh := Conversation{Status: StatusCollecting, Greeted: true, Complaint: "bantuan PKH tidak cair",
		Identity: identity.Identity{Name: "Siti Aminah", Address: "Jl. Melati 3", Phone: sitiPhone, KTPPhoto: true}}
	withNIK := fresh
	withNIK.Identity.NIK = nikBudi
	cases := []struct {
		name    string
		conv    Conversation
		at      time.Time
		sent    string // as typed
		explain string
		kept    bool
	}{
		{"too short", fresh, now, "197101570890003", "NIK harus 16 digit, yang Anda kirim 15 digit", false},
		{"too long", fresh, now, "19710157089000031", "NIK harus 16 digit, yang Anda kirim 17 digit", false},
		{"unknown province", fresh, now, "9971015708900003", "dua angka pertama NIK (99) bukan kode provinsi", false},
		{"no such birth date", fresh, now, "1971013213900003", "tanggal lahir yang benar", false},
		// Seen from mid-1999, 25-12-99 has not happened yet.
		{"birth date in the future", fresh, time.Date(1999, 6, 1, 10, 0, 0, 0, wib), "1971012512990003", "belum terjadi", false},
		{"serial 0000", fresh, now, "1971015708900000", "empat angka terakhir NIK tidak mungkin 0000", false},
		{"a valid NIK on file is kept", withNIK, now, "197101570890003", "NIK harus 16 digit", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := d.Step(Input{Conv: tc.conv, Msg: wa("NIK: " + tc.sent), Now: tc.at, NewTicket: tickets()})
			if err != nil {
				t.Fatal(err)
			}
			reply := strings.Join(out.Replies, "\n")
			if !strings.Contains(reply, tc.explain) {
				t.Errorf("reply lacks %q:\n%s", tc.explain, reply)
			}
			if strings.Contains(reply, tc.sent) || strings.Contains(reply, tc.sent[:12]) {
				t.Errorf("reply repeats the number sent:\n%s", reply)
			}
			if !strings.Contains(reply, identity.MaskNIK(tc.sent)) {
				t.Errorf("reply should refer to the number masked as %q:\n%s", identity.MaskNIK(tc.sent), reply)
			}
			if tc.kept {
				if out.Conv.Identity.NIK != nikBudi || !strings.Contains(reply, "tetap memakai NIK") || !strings.Contains(reply, identity.MaskNIK(nikBudi)) {
					t.Errorf("valid NIK on file should be kept and named masked; NIK %q, reply:\n%s", out.Conv.Identity.NIK, reply)
				}
				if len(out.Actions) != 1 {
					t.Errorf("with a valid NIK on file the report is complete; actions %#v", out.Actions)
				}
				return
			}
			if out.Conv.Identity.NIK != "" {
				t.Errorf("an invalid NIK was stored: %q", out.Conv.Identity.NIK)
			}
			if !strings.Contains(reply, "kirim ulang NIK yang benar") || !slices.Equal(out.Missing, fields(nik)) || len(out.Actions) != 0 {
				t.Errorf("should ask for the NIK again; missing %v, actions %#v, reply:\n%s", out.Missing, out.Actions, reply)
			}
		})
	}
}

func TestStatusCommand(t *testing.T) {
	d := newDialog(t, nil)
	submitted := Conversation{Status: StatusSubmitted, Greeted: true, Ticket: "ADU-2026-000007",
		Identity: identity.Identity{Name: "Siti Aminah", NIK: nikSiti, Address: "Jl. Melati 3", Phone: sitiPhone, KTPPhoto: true}}
	own := []TicketInfo{
		{Ticket: "ADU-2026-000003", Status: "selesai"},
		{Ticket: "ADU-2026-000005", Status: "ditindaklanjuti", Due: "2026-03-31"},
		{Ticket: "ADU-2026-000007", Status: "perlu_klarifikasi"},
	}
	cases := []struct {
		name     string
		conv     Conversation
		text     string
		own      []TicketInfo
		contains []string
		excludes []string
	}{
		{"own ticket", submitted, "STATUS ADU-2026-000003", own,
			[]string{"ADU-2026-000003", "selesai ditangani"}, []string{"tidak ditemukan", "ADU-2026-000007"}},
		{"lower case, spaces and punctuation", submitted, "  status: adu-2026-000003. ", own,
			[]string{"ADU-2026-000003", "selesai ditangani"}, []string{"tidak ditemukan"}},
		{"unknown status code in words", submitted, "Status ADU-2026-000007", own,
			[]string{"perlu klarifikasi"}, []string{"perlu_klarifikasi"}},
		{"someone else's ticket is refused", submitted, "STATUS ADU-2026-000099", own,
			[]string{"nomor tiket ADU-2026-000099 tidak ditemukan di antara laporan Anda"},
			[]string{"selesai", "klarifikasi", "menunggu", "ADU-2026-000003", "ADU-2026-000007"}},
		{"someone else's ticket, reporter with no tickets", Conversation{Greeted: true}, "status ADU-2026-000001", nil,
			[]string{"tidak ditemukan di antara laporan Anda"}, []string{"menunggu verifikasi"}},
		{"STATUS alone lists own tickets", submitted, "STATUS", own,
			[]string{"- ADU-2026-000003: selesai ditangani\n", "- ADU-2026-000005: sedang ditindaklanjuti petugas (batas waktu 31 Maret 2026)", "- ADU-2026-000007: perlu klarifikasi"}, nil},
		{"due date in Indonesian long form", submitted, "STATUS ADU-2026-000005", own,
			[]string{"ADU-2026-000005: sedang ditindaklanjuti petugas. Batas waktu penyelesaian: 31 Maret 2026."}, []string{"2026-03-31"}},
		{"STATUS alone, nothing submitted yet, report in progress", Conversation{Status: StatusCollecting, Greeted: true, Complaint: "bantuan tidak cair"}, "status", nil,
			[]string{"belum memiliki laporan", "belum terkirim", "nama lengkap", "foto KTP"}, []string{"Nama: "}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := d.Step(Input{Conv: tc.conv, Msg: wa(tc.text), Now: now, OwnTickets: tc.own, NewTicket: tickets()})
			if err != nil {
				t.Fatal(err)
			}
			checkReply(t, out, tc.contains, tc.excludes)
			if len(out.Actions) != 0 {
				t.Errorf("STATUS must not act: %#v", out.Actions)
			}
			tc.conv.Status = cmpStatus(tc.conv.Status)
			tc.conv.Identity.Phone = sitiPhone // from the WhatsApp sender, whatever the message
			if out.Conv != tc.conv {
				t.Errorf("STATUS changed the conversation:\n got %+v\nwant %+v", out.Conv, tc.conv)
			}
		})
	}
}

func cmpStatus(s Status) Status {
	if s == "" {
		return StatusCollecting
	}
	return s
}

func TestHelpCancelNew(t *testing.T) {
	complete := identity.Identity{Name: "Siti Aminah", NIK: nikSiti, Address: "Jl. Melati 3", Phone: sitiPhone, KTPPhoto: true}
	collecting := Conversation{Status: StatusCollecting, Greeted: true, Complaint: "bantuan PKH tidak cair",
		Identity: identity.Identity{Name: "Siti Aminah", Phone: sitiPhone}, AwaitingKTP: true}
	submitted := Conversation{Status: StatusSubmitted, Greeted: true, Ticket: "ADU-2026-000001", Identity: complete}
	d := newDialog(t, nil)

	t.Run("BANTUAN and bantuan explain reporting and the commands", func(t *testing.T) {
		for _, text := range []string{"BANTUAN", "bantuan", " Bantuan? ", "*BANTUAN*", "bantuan 🙏🏻"} {
			out, err := d.Step(Input{Conv: collecting, Msg: wa(text), Now: now})
			if err != nil {
				t.Fatal(err)
			}
			reply := strings.Join(out.Replies, "\n")
			for _, s := range []string{"STATUS", "BARU", "BATAL", "BANTUAN", "foto KTP", "nomor tiket"} {
				if !strings.Contains(reply, s) {
					t.Errorf("%q: help lacks %q:\n%s", text, s, reply)
				}
			}
			if out.Conv != collecting || len(out.Actions) != 0 {
				t.Errorf("%q: help must change nothing; conv %+v actions %#v", text, out.Conv, out.Actions)
			}
		}
	})

	t.Run("a sentence starting with bantuan is a complaint, not a command", func(t *testing.T) {
		out, err := d.Step(Input{Conv: collecting, Msg: wa("bantuan BPNT bulan ini juga belum masuk"), Now: now})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(strings.Join(out.Replies, ""), "Cara menyampaikan pengaduan") {
			t.Errorf("treated as BANTUAN: %q", out.Replies)
		}
		if !strings.Contains(out.Conv.Complaint, "BPNT bulan ini juga belum masuk") {
			t.Errorf("complaint = %q", out.Conv.Complaint)
		}
	})

	t.Run("batal discards the report being collected, keeps identity", func(t *testing.T) {
		play(t, d, collecting, tickets(), []turn{
			{
				name:     "batal",
				msg:      wa("batal"),
				contains: []string{"sudah dibatalkan"},
				missing:  fields(nik, alamat, ktp, aduan),
				check: func(t *testing.T, out Output) {
					noActions(t, out)
					c := out.Conv
					if c.Status != StatusCancelled || c.Complaint != "" || c.AwaitingKTP || c.Identity != collecting.Identity {
						t.Errorf("conv after BATAL = %+v", c)
					}
				},
			},
			{
				name:     "the next message starts afresh",
				msg:      wa("Mau lapor, bantuan sembako untuk nenek saya dipotong oleh oknum"),
				contains: []string{"Mohon lengkapi", "- NIK (16 digit)"},
				excludes: []string{"nama lengkap", "isi pengaduan"},
				missing:  fields(nik, alamat, ktp),
				check: func(t *testing.T, out Output) {
					c := out.Conv
					if c.Status != StatusCollecting || strings.Contains(c.Complaint, "PKH") || !strings.Contains(c.Complaint, "sembako") {
						t.Errorf("conv = %+v", c)
					}
				},
			},
		})
	})

	t.Run("BATAL after submission cannot cancel by chat; the officer is told", func(t *testing.T) {
		out, err := d.Step(Input{Conv: submitted, Msg: wa("BATAL"), Now: now})
		if err != nil {
			t.Fatal(err)
		}
		reply := strings.Join(out.Replies, "")
		if !strings.Contains(reply, "tidak dapat dibatalkan melalui chat") || !strings.Contains(reply, "ADU-2026-000001") {
			t.Errorf("reply = %q", reply)
		}
		want := []Action{AppendToComplaint{Ticket: "ADU-2026-000001", Text: CancelRequestNote}}
		flagged := submitted
		flagged.CancelRequested, flagged.NeedsOfficer = true, "pembatalan"
		if !slices.Equal(out.Actions, want) || out.Conv != flagged {
			t.Errorf("actions %#v, conv %+v", out.Actions, out.Conv)
		}
	})

	t.Run("baru after submission: identity remembered, only the complaint is asked", func(t *testing.T) {
		play(t, d, submitted, tickets(), []turn{
			{
				name:     "baru",
				msg:      wa("baru"),
				contains: []string{"laporan baru", "ADU-2026-000001", "ceritakan pengaduan Anda"},
				excludes: []string{"nama lengkap", "NIK", "foto KTP", "Nama: "},
				missing:  fields(aduan),
				check: func(t *testing.T, out Output) {
					noActions(t, out)
					c := out.Conv
					if c.Status != StatusCollecting || c.Ticket != "" || c.Complaint != "" || c.Identity != complete || c.AwaitingKTP {
						t.Errorf("conv after BARU = %+v", c)
					}
				},
			},
			{
				name:     "the new complaint is submitted at once with a new ticket",
				msg:      wa("Jalan desa dari dana desa rusak lagi padahal baru diperbaiki bulan lalu"),
				contains: []string{"ADU-2026-000001"}, // from this test's own ticket counter
				check: func(t *testing.T, out Output) {
					if len(out.Actions) != 1 {
						t.Fatalf("actions = %#v", out.Actions)
					}
					cc := out.Actions[0].(CreateComplaint)
					if cc.Identity != complete || !strings.Contains(cc.Text, "Jalan desa") {
						t.Errorf("CreateComplaint = %+v", cc)
					}
				},
			},
		})
	})

	t.Run("BARU with identity incomplete asks for the rest too", func(t *testing.T) {
		out, err := d.Step(Input{Conv: collecting, Msg: wa("BARU"), Now: now})
		if err != nil {
			t.Fatal(err)
		}
		reply := strings.Join(out.Replies, "")
		for _, s := range []string{"laporan baru", "- NIK (16 digit)", "- isi pengaduan", "NIK: ", "Alamat: "} {
			if !strings.Contains(reply, s) {
				t.Errorf("reply lacks %q:\n%s", s, reply)
			}
		}
		if strings.Contains(reply, "- nama lengkap") || out.Conv.Complaint != "" || !out.Conv.AwaitingKTP {
			t.Errorf("conv %+v reply:\n%s", out.Conv, reply)
		}
	})

	t.Run("a command with a photo is not a command", func(t *testing.T) {
		out, err := d.Step(Input{Conv: collecting, Msg: wa("batal", image("")), Now: now, NewTicket: tickets()})
		if err != nil {
			t.Fatal(err)
		}
		if out.Conv.Status == StatusCancelled || !out.Conv.Identity.KTPPhoto {
			t.Errorf("the KTP photo was lost to BATAL: %+v", out.Conv)
		}
	})
}

func TestAdditionalInformationAfterSubmit(t *testing.T) {
	d := newDialog(t, nil)
	submitted := Conversation{Status: StatusSubmitted, Greeted: true, Ticket: "ADU-2026-000005",
		Identity: identity.Identity{Name: "Siti Aminah", NIK: nikSiti, Address: "Jl. Melati 3", Phone: sitiPhone, KTPPhoto: true}}
	cases := []struct {
		name      string
		msg       *event.Inbound
		wantText  []string // the AppendToComplaint text holds each; nil: no action
		notInText []string
		reply     string
		check     func(t *testing.T, c Conversation)
	}{
		{
			name:     "text and a photo",
			msg:      wa("Tambahan min, ibu saya sudah lapor ke kantor desa tapi belum ada jawaban", image("")),
			wantText: []string{"sudah lapor ke kantor desa", "[lampiran: 1 gambar]"},
			reply:    "Informasi tambahan sudah kami tambahkan ke laporan ADU-2026-000005",
		},
		{
			name:     "documents only",
			msg:      wa("", event.Attachment{Kind: event.AttachmentDocument, Filename: "sk.pdf"}, image("kartu KKS")),
			wantText: []string{"[lampiran: 1 gambar, 1 dokumen]"},
			reply:    "Ketik BARU jika ingin membuat laporan baru",
		},
		{
			name:  "a new address waits for the reporter's YA",
			msg:   wa("Alamat: Jl. Jenderal Sudirman No. 5, Sungailiat"),
			reply: "Apakah Anda ingin mengganti alamat Anda menjadi Jl. Jenderal Sudirman No. 5, Sungailiat? Balas YA",
			check: func(t *testing.T, c Conversation) {
				if c.Identity.Address != "Jl. Melati 3" || c.Pending.Address != "Jl. Jenderal Sudirman No. 5, Sungailiat" {
					t.Errorf("address = %q, pending %q", c.Identity.Address, c.Pending.Address)
				}
			},
		},
		{
			name:  "the same NIK again adds nothing",
			msg:   wa("NIK saya " + nikSiti),
			reply: "Laporan ADU-2026-000005 sedang kami proses",
		},
		{
			name:  "thanks add nothing",
			msg:   wa("Terima kasih banyak min 🙏"),
			reply: "Laporan ADU-2026-000005 sedang kami proses",
		},
		{
			name:  "a sticker adds nothing",
			msg:   wa("", event.Attachment{Kind: event.AttachmentSticker}),
			reply: "Laporan ADU-2026-000005 sedang kami proses",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := d.Step(Input{Conv: submitted, Msg: tc.msg, Now: now, NewTicket: func() (string, error) {
				t.Error("no new ticket after submission")
				return "", errors.New("no")
			}})
			if err != nil {
				t.Fatal(err)
			}
			reply := strings.Join(out.Replies, "\n")
			if !strings.Contains(reply, tc.reply) {
				t.Errorf("reply lacks %q:\n%s", tc.reply, reply)
			}
			if tc.wantText == nil {
				if len(out.Actions) != 0 {
					t.Errorf("actions = %#v, want none", out.Actions)
				}
			} else {
				if len(out.Actions) != 1 {
					t.Fatalf("actions = %#v, want one AppendToComplaint", out.Actions)
				}
				a, ok := out.Actions[0].(AppendToComplaint)
				if !ok || a.Ticket != "ADU-2026-000005" {
					t.Fatalf("action = %#v", out.Actions[0])
				}
				for _, s := range tc.wantText {
					if !strings.Contains(a.Text, s) {
						t.Errorf("appended text lacks %q: %q", s, a.Text)
					}
				}
				for _, s := range tc.notInText {
					if strings.Contains(a.Text, s) {
						t.Errorf("appended text must not contain %q: %q", s, a.Text)
					}
				}
			}
			if out.Conv.Status != StatusSubmitted || out.Conv.Ticket != "ADU-2026-000005" || out.Conv.Complaint != "" || out.Missing != nil {
				t.Errorf("conv = %+v, missing %v", out.Conv, out.Missing)
			}
			if tc.check != nil {
				tc.check(t, out.Conv)
			}
		})
	}
}

func TestRequirementsPerChannel(t *testing.T) {
	all := identity.Fields
	d := newDialog(t, map[event.Channel][]identity.Field{
		event.ChannelWhatsApp:  all,
		event.ChannelMessenger: all,
		event.ChannelWalkin:    fields(nama, nik, alamat, telepon),
		event.ChannelLapor:     {},
	})
	const complaint = "Bantuan PKH ibu saya sudah tiga bulan tidak cair"
	noPhone := func(ch event.Channel) *event.Inbound { return on(ch, complaint) }
	cases := []struct {
		name    string
		msg     *event.Inbound
		missing []identity.Field
		phone   bool // the reply asks for the phone number
	}{
		{"whatsapp gives the phone", wa(complaint), fields(nama, nik, alamat, ktp), false},
		{"messenger must ask for it", noPhone(event.ChannelMessenger), fields(nama, nik, alamat, telepon, ktp), true},
		{"instagram (not configured: everything)", noPhone(event.ChannelInstagram), fields(nama, nik, alamat, telepon, ktp), true},
		{"walk-in without KTP photo requirement", noPhone(event.ChannelWalkin), fields(nama, nik, alamat, telepon), true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := d.Step(Input{Msg: tc.msg, Now: now, NewTicket: tickets()})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(out.Missing, tc.missing) {
				t.Errorf("missing = %v, want %v", out.Missing, tc.missing)
			}
			reply := strings.Join(out.Replies, "")
			if asks := strings.Contains(reply, "nomor HP/WhatsApp") && strings.Contains(reply, "No. HP: "); asks != tc.phone {
				t.Errorf("asks for phone = %v, want %v:\n%s", asks, tc.phone, reply)
			}
			if out.Conv.AwaitingKTP != slices.Contains(tc.missing, ktp) {
				t.Errorf("AwaitingKTP = %v", out.Conv.AwaitingKTP)
			}
		})
	}

	t.Run("lapor requiring nothing still needs the complaint text", func(t *testing.T) {
		out, err := d.Step(Input{Msg: on(event.ChannelLapor, "", image("")), Now: now, NewTicket: tickets()})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(out.Missing, fields(aduan)) || len(out.Actions) != 0 {
			t.Errorf("missing %v actions %#v", out.Missing, out.Actions)
		}
		out, err = d.Step(Input{Conv: out.Conv, Msg: on(event.ChannelLapor, complaint), Now: now, NewTicket: tickets()})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Actions) != 1 || out.Conv.Status != StatusSubmitted {
			t.Errorf("want submitted with only the complaint; actions %#v conv %+v", out.Actions, out.Conv)
		}
	})

	t.Run("phone typed on messenger fills telepon", func(t *testing.T) {
		out, err := d.Step(Input{Msg: on(event.ChannelMessenger, "No HP saya 0812 7788 9900"), Now: now, NewTicket: tickets()})
		if err != nil {
			t.Fatal(err)
		}
		if out.Conv.Identity.Phone != "+6281277889900" || slices.Contains(out.Missing, telepon) {
			t.Errorf("phone %q missing %v", out.Conv.Identity.Phone, out.Missing)
		}
	})
}

func TestHumanTakeoverIsSilent(t *testing.T) {
	d := newDialog(t, nil)
	noTicket := func() (string, error) {
		t.Error("no ticket during takeover")
		return "", errors.New("no")
	}
	collecting := Conversation{Status: StatusCollecting, HumanTakeover: true, Complaint: "bantuan tidak cair"}
	submitted := Conversation{Status: StatusSubmitted, HumanTakeover: true, Greeted: true, Ticket: "ADU-2026-000002",
		Identity: identity.Identity{Name: "Siti Aminah", NIK: nikSiti, Address: "Jl. Melati 3", Phone: sitiPhone, KTPPhoto: true}}
	cases := []struct {
		name  string
		conv  Conversation
		msg   *event.Inbound
		check func(t *testing.T, out Output)
	}{
		{"identity still merges for the officer", collecting,
			wa("Nama: Siti Aminah\nNIK: "+nikSiti+"\nAlamat: Jl. Melati 3", image("ktp")),
			func(t *testing.T, out Output) {
				id := out.Conv.Identity
				if id.Name != "Siti Aminah" || id.NIK != nikSiti || id.Phone != sitiPhone || !id.KTPPhoto {
					t.Errorf("identity = %+v", id)
				}
				if out.Conv.Greeted || out.Conv.Status != StatusCollecting {
					t.Errorf("conv = %+v", out.Conv)
				}
				if len(out.Missing) != 0 {
					t.Errorf("missing = %v, want none (complete, but the officer decides)", out.Missing)
				}
			}},
		{"commands are not answered", collecting, wa("BANTUAN"), nil},
		{"no AppendToComplaint after submission", submitted, wa("Tambahan: sudah 4 bulan sekarang"), func(t *testing.T, out Output) {
			if out.Conv.Status != StatusSubmitted {
				t.Errorf("status = %s", out.Conv.Status)
			}
		}},
		{"BATAL does not cancel", collecting, wa("batal"), func(t *testing.T, out Output) {
			if out.Conv.Status != StatusCollecting || out.Conv.Complaint == "" {
				t.Errorf("conv = %+v", out.Conv)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := d.Step(Input{Conv: tc.conv, Msg: tc.msg, Now: now, OwnTickets: []TicketInfo{{Ticket: "ADU-2026-000002", Status: "selesai"}}, NewTicket: noTicket})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Replies) != 0 || len(out.Actions) != 0 {
				t.Errorf("takeover must be silent: replies %q actions %#v", out.Replies, out.Actions)
			}
			if !out.Conv.HumanTakeover {
				t.Error("HumanTakeover cleared")
			}
			if tc.check != nil {
				tc.check(t, out)
			}
		})
	}
}

func TestAcknowledgeFirstMessageOnly(t *testing.T) {
	d := newDialog(t, nil)
	for _, tc := range []struct {
		name string
		conv Conversation
		text string
		ack  bool
	}{
		{"first message", Conversation{}, "Halo", true},
		{"first message is a command", Conversation{}, "STATUS", true},
		{"later message", Conversation{Greeted: true, Status: StatusCollecting}, "Halo", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := d.Step(Input{Conv: tc.conv, Msg: wa(tc.text), Now: now})
			if err != nil {
				t.Fatal(err)
			}
			reply := strings.Join(out.Replies, "")
			if got := strings.HasPrefix(reply, "Terima kasih telah menghubungi"); got != tc.ack {
				t.Errorf("acknowledged = %v, want %v: %q", got, tc.ack, reply)
			}
			if !out.Conv.Greeted {
				t.Error("Greeted should be set")
			}
			if len(out.Replies) != 1 {
				t.Errorf("want one reply, got %q", out.Replies)
			}
		})
	}
}

func TestTicketFailureChangesNothing(t *testing.T) {
	d := newDialog(t, nil)
	conv := Conversation{Status: StatusCollecting, Greeted: true, AwaitingKTP: true, Complaint: "bantuan tidak cair",
		Identity: identity.Identity{Name: "Siti Aminah", NIK: nikSiti, Address: "Jl. Melati 3", Phone: sitiPhone}}
	boom := errors.New("sequence table locked")
	for _, tc := range []struct {
		name string
		fn   func() (string, error)
	}{
		{"NewTicket fails", func() (string, error) { return "", boom }},
		{"NewTicket missing", nil},
		{"empty ticket", func() (string, error) { return "", nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := d.Step(Input{Conv: conv, Msg: wa("", image("")), Now: now, NewTicket: tc.fn})
			if !errors.Is(err, ErrNoTicket) {
				t.Fatalf("err = %v, want ErrNoTicket", err)
			}
			if tc.fn != nil && tc.name == "NewTicket fails" && !errors.Is(err, boom) {
				t.Errorf("err = %v should wrap the cause", err)
			}
			if out.Conv != conv || len(out.Actions) != 0 || len(out.Replies) != 0 {
				t.Errorf("a failed step must leave things as they were: %+v", out)
			}
		})
	}
	if _, err := d.Step(Input{Conv: conv, Now: now}); !errors.Is(err, ErrNoMessage) {
		t.Errorf("nil message: err = %v", err)
	}
}

// Citizens often answer the request with bare values, one per message.
func TestBareAnswersToWhatWasAsked(t *testing.T) {
	d := newDialog(t, nil)
	const complaint = "bantuan PKH ibu saya sudah 3 bulan tidak cair"
	play(t, d, Conversation{}, tickets(), []turn{
		{
			name:    "the complaint first",
			msg:     wa("Halo min, " + complaint),
			missing: fields(nama, nik, alamat, ktp),
		},
		{
			name:     "a bare name",
			msg:      wa("siti aminah"),
			missing:  fields(nik, alamat, ktp),
			excludes: []string{"- nama lengkap"},
			check: func(t *testing.T, out Output) {
				if out.Conv.Identity.Name != "Siti Aminah" || out.Conv.Complaint != complaint {
					t.Errorf("name %q, complaint %q", out.Conv.Identity.Name, out.Conv.Complaint)
				}
			},
		},
		{
			name:    "a bare NIK",
			msg:     wa(nikSiti),
			missing: fields(alamat, ktp),
		},
		{
			name:    "thanks is not an address or a name",
			msg:     wa("terima kasih"),
			missing: fields(alamat, ktp),
		},
		{
			name:    "a bare address",
			msg:     wa("jalan depati amir no 12 rt 03 pangkalpinang"),
			missing: fields(ktp),
			check: func(t *testing.T, out Output) {
				if out.Conv.Identity.Address != "jalan depati amir no 12 rt 03 pangkalpinang" || out.Conv.Complaint != complaint {
					t.Errorf("address %q, complaint %q", out.Conv.Identity.Address, out.Conv.Complaint)
				}
			},
		},
		{
			name:     "the KTP completes it with the complaint as first written",
			msg:      wa("", image("")),
			contains: []string{"ADU-2026-000001"},
			check: func(t *testing.T, out Output) {
				if len(out.Actions) != 1 || out.Actions[0].(CreateComplaint).Text != complaint {
					t.Errorf("actions %#v", out.Actions)
				}
			},
		},
	})
}
