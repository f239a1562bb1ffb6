package dialog

import (
	"slices"
	"strings"
	"testing"

	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/identity"
	"github.com/aduan-gateway/aduan/core/workflow"
)

// sitiSubmitted is a reporter whose complaint ADU-2026-000007 was submitted.
func sitiSubmitted() Conversation {
	return Conversation{Status: StatusSubmitted, Ticket: "ADU-2026-000007", Greeted: true, ChecklistSent: true,
		Identity: identity.Identity{Name: "Siti Aminah", NIK: nikSiti, Address: "Jl. Depati Amir 12, Pangkalpinang",
			Phone: sitiPhone, KTPPhoto: true}}
}

// A new complaint after the complaint is finished is a new report; while
// it is open (returned and postponed included) it adds to the complaint.
func TestNewComplaintAfterEachStatus(t *testing.T) {
	d := newDialog(t, nil)
	text := "bantuan BPNT mak sy lah 2 bulan dak masuk"
	for _, st := range workflow.Statuses() {
		t.Run(string(st), func(t *testing.T) {
			own := []TicketInfo{{Ticket: "ADU-2026-000007", Status: st, Due: "2026-03-17"}}
			out, err := d.Step(Input{Conv: sitiSubmitted(), Msg: wa(text), Now: now, OwnTickets: own, NewTicket: tickets()})
			if err != nil {
				t.Fatal(err)
			}
			var created, appended []string
			for _, a := range out.Actions {
				switch a := a.(type) {
				case CreateComplaint:
					created = append(created, a.Ticket+": "+a.Text)
					if a.Identity != sitiSubmitted().Identity {
						t.Errorf("new complaint's identity %+v, want the reporter's", a.Identity)
					}
				case AppendToComplaint:
					appended = append(appended, a.Ticket+": "+a.Text)
				}
			}
			reply := strings.Join(out.Replies, "\n")
			if st.Finished() {
				if !slices.Equal(created, []string{"ADU-2026-000001: " + text}) || appended != nil ||
					out.Conv.Ticket != "ADU-2026-000001" || !slices.Equal(out.Intents, []string{"finished_new", "submitted"}) {
					t.Errorf("created %q, appended %q, ticket %q, intents %v", created, appended, out.Conv.Ticket, out.Intents)
				}
				if !strings.Contains(reply, "ADU-2026-000007 sudah selesai") || strings.Contains(reply, "sedang kami proses") {
					t.Errorf("reply %q", reply)
				}
				return
			}
			if created != nil || !slices.Equal(appended, []string{"ADU-2026-000007: " + text}) || out.Conv.Ticket != "ADU-2026-000007" {
				t.Errorf("created %q, appended %q, ticket %q", created, appended, out.Conv.Ticket)
			}
		})
	}
}

// What a message after a finished complaint gets, besides a new complaint.
func TestAfterFinished(t *testing.T) {
	d := newDialog(t, nil)
	sticker := event.Attachment{Kind: event.AttachmentSticker, MIME: "image/webp"}
	result := "PKH ibu Anda\nsudah dicairkan pada 10 Maret 2026."
	long := strings.Repeat("hasil ", 200)
	tests := []struct {
		label  string
		msg    *event.Inbound
		ticket TicketInfo
		intent string
		has    []string
		lacks  []string
	}{
		{"thanks", wa("makasih pak 🙏"), TicketInfo{Status: workflow.Resolved}, "finished",
			[]string{"Sama-sama. Laporan ADU-2026-000007 sudah selesai.", "pengaduan baru"}, []string{"sedang kami proses"}},
		{"thanks saying all is well", wa("trima kasih bu, alhamdulillah udah cair"), TicketInfo{Status: workflow.Archived}, "finished",
			[]string{"Sama-sama"}, nil},
		{"a greeting is answered without thanks", wa("halo min"), TicketInfo{Status: workflow.Resolved}, "finished",
			nil, []string{"Sama-sama"}},
		{"a sticker", wa("", sticker), TicketInfo{Status: workflow.Resolved}, "finished", nil, []string{"Sama-sama"}},
		{"not this office's matter", wa("oke makasih"), TicketInfo{Status: workflow.NotOurMatter, Reason: "wewenang Dinas PUPR"},
			"finished", []string{"(bukan wewenang Dinas Sosial dan PMD Provinsi)"}, nil},
		{"a stray number", wa("3"), TicketInfo{Status: workflow.Resolved}, "finished", nil, nil},
		{"BATAL cancels nothing", wa("BATAL"), TicketInfo{Status: workflow.Resolved}, "finished", nil, []string{"dibatalkan"}},
		{"BARU does not call it still handled", wa("BARU"), TicketInfo{Status: workflow.Resolved}, "new_report",
			nil, []string{"tetap kami proses"}},
		{"STATUS names the result, one line, without the deadline", wa("STATUS ADU-2026-000007"),
			TicketInfo{Status: workflow.Resolved, Result: result, Due: "2026-03-17"}, "status",
			[]string{"selesai ditangani.\nHasil penanganan: PKH ibu Anda sudah dicairkan pada 10 Maret 2026."}, []string{"Batas waktu"}},
		{"STATUS gives the reason a complaint is not the office's", wa("STATUS ADU-2026-000007"),
			TicketInfo{Status: workflow.NotOurMatter, Reason: "wewenang Dinas PUPR Kabupaten Bangka"}, "status",
			[]string{"Keterangan petugas: wewenang Dinas PUPR Kabupaten Bangka"}, []string{"Hasil penanganan"}},
		{"the list names the result of this conversation's ticket, clipped", wa("cek status laporan sy"),
			TicketInfo{Status: workflow.Archived, Result: long}, "status_list",
			[]string{"- ADU-2026-000007: selesai dan diarsipkan; hasil penanganan: hasil hasil", "…"}, nil},
		{"an open ticket's status names no result", wa("STATUS ADU-2026-000007"),
			TicketInfo{Status: workflow.FollowingUp, Result: "sementara", Due: "2026-03-17"}, "status",
			[]string{"Batas waktu penyelesaian: 17 Maret 2026"}, []string{"Hasil penanganan", "sementara"}},
	}
	for _, tt := range tests {
		t.Run(tt.label, func(t *testing.T) {
			tt.ticket.Ticket = "ADU-2026-000007"
			out, err := d.Step(Input{Conv: sitiSubmitted(), Msg: tt.msg, Now: now, OwnTickets: []TicketInfo{tt.ticket}, NewTicket: tickets()})
			if err != nil {
				t.Fatal(err)
			}
			noActions(t, out)
			if !slices.Contains(out.Intents, tt.intent) {
				t.Errorf("intents %v, want %s: %q", out.Intents, tt.intent, out.Replies)
			}
			if out.Conv.NeedsOfficer != "" || out.Conv.CancelRequested {
				t.Errorf("officer flag %q, cancel requested %v", out.Conv.NeedsOfficer, out.Conv.CancelRequested)
			}
			checkReply(t, out, tt.has, tt.lacks)
			if n := len([]rune(strings.Join(out.Replies, ""))); n > 1000 {
				t.Errorf("reply of %d characters", n)
			}
		})
	}
}

func TestThanksOnly(t *testing.T) {
	for text, want := range map[string]bool{
		"makasih pak":                           true,
		"terima kasih banyak bu 🙏":              true,
		"alhamdulillah udah cair, makasih":      true,
		"Trima Kasih":                           true,
		"kasih tau dong":                        false,
		"makasih tapi blm cair":                 false,
		"makasih pak, yg bulan april lum masuk": false,
		"halo pak":                              false,
		"":                                      false,
	} {
		if got := thanksOnly(text); got != want {
			t.Errorf("thanksOnly(%q) = %v, want %v", text, got, want)
		}
	}
}

// A new report after a ticket still asks before the reporter's own data
// changes, and the draft goes on with the complaint given alongside.
func TestChangeInNewReportAsked(t *testing.T) {
	d := newDialog(t, nil)
	own := []TicketInfo{{Ticket: "ADU-2026-000007", Status: workflow.Resolved}}
	conv := sitiSubmitted()
	conv.Status, conv.Ticket = StatusCollecting, "" // after BARU
	out, err := d.Step(Input{Conv: conv, Msg: wa("NIK sy " + nikBudi + ", anak sy blm dapat KIP"), Now: now, OwnTickets: own, NewTicket: tickets()})
	if err != nil {
		t.Fatal(err)
	}
	if out.Conv.Identity.NIK != nikSiti || out.Conv.Pending.NIK != nikBudi {
		t.Errorf("NIK %s, pending %s: want the old one kept until YA", out.Conv.Identity.NIK, out.Conv.Pending.NIK)
	}
	if !slices.Equal(out.Intents, []string{"confirm_change", "submitted"}) {
		t.Errorf("intents %v: %q", out.Intents, out.Replies)
	}
}
