package dialog

import (
	"slices"
	"strings"
	"testing"

	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/identity"
)

func TestReadScore(t *testing.T) {
	tests := []struct {
		text    string
		score   int // 0: not an answer
		comment string
	}{
		{"4", 4, ""},
		{" 3. ", 3, ""},
		{"1", 1, ""},
		{"puas", 3, ""},
		{"Sangat puas", 4, ""},
		{"sangat puas pak, petugasnya ramah", 4, "petugasnya ramah"},
		{"3 lumayan", 3, ""},
		{"3 lumayan, tapi agak lama", 3, "tapi agak lama"},
		{"4 (sangat puas)", 4, ""},
		{"nilai saya 2 dari 4, prosesnya lama", 2, "prosesnya lama"},
		{"3/4", 3, ""},
		{"kurang puas, harus bolak balik ke kantor", 2, "harus bolak balik ke kantor"},
		{"tidak puas", 1, ""},
		{"gak puas bang", 1, ""},
		{"saya sangat tidak puas", 1, ""},
		{"kurang baik", 2, ""},
		{"baik sekali", 4, ""},
		{"mantap pak, terima kasih banyak", 4, ""},
		{"Terima kasih pak, 4", 4, ""},
		{"empat", 4, ""},
		{"4 petugasnya cepat tanggap 👍", 4, "petugasnya cepat tanggap 👍"},
		{"⭐⭐⭐⭐", 4, ""},
		{"⭐️⭐️⭐️", 3, ""},
		// Off the scale: asked again.
		{"5", offScale, ""},
		{"nilai 10 pak", offScale, ""},
		// Not answers: a new complaint, small talk, a quantity.
		{"4 bulan bantuan saya tidak cair", 0, ""},
		{"pak bantuan saya belum cair juga", 0, ""},
		{"bantuan PKH tidak cair, saya tidak puas", 0, ""},
		{"terima kasih pak", 0, ""},
		{"baik pak", 0, ""},
		{"5 petugasnya tidak datang", 0, ""},
		{"⭐⭐⭐⭐⭐", 0, ""},
		{"", 0, ""},
		{"2 orang anak saya belum dapat KIP", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			score, comment := readScore(tt.text)
			if score != tt.score || comment != tt.comment {
				t.Errorf("readScore(%q) = %d, %q; want %d, %q", tt.text, score, comment, tt.score, tt.comment)
			}
		})
	}
}

// resolvedConv is a reporter whose complaint ADU-2026-000007 was resolved
// and who was asked the satisfaction question.
func resolvedConv() Conversation {
	return Conversation{Status: StatusSubmitted, Ticket: "ADU-2026-000007", Greeted: true, ChecklistSent: true,
		Survey: "ADU-2026-000007",
		Identity: identity.Identity{Name: "Siti Aminah", NIK: nikSiti, Address: "Jl. Depati Amir 12, Pangkalpinang",
			Phone: sitiPhone, KTPPhoto: true}}
}

var resolvedTickets = []TicketInfo{{Ticket: "ADU-2026-000007", Status: "selesai", Due: "2026-03-17"}}

func TestSurveyAnswer(t *testing.T) {
	d := newDialog(t, nil)
	tests := []struct {
		label   string
		msg     *event.Inbound
		want    *SatisfactionAnswered // nil: no answer recorded
		intent  string
		open    bool // the question still awaits an answer after the step
		replyIn []string
	}{
		{"digit", wa("4"), &SatisfactionAnswered{Ticket: "ADU-2026-000007", Score: 4}, "survey_thanks", false,
			[]string{"4 dari 4", "ADU-2026-000007"}},
		{"words and a comment", wa("kurang puas, prosesnya lama sekali"),
			&SatisfactionAnswered{Ticket: "ADU-2026-000007", Score: 2, Comment: "prosesnya lama sekali"},
			"survey_thanks", false, []string{"2 dari 4", "komentarnya", "Mohon maaf"}},
		{"thanks keeps the question", wa("makasih banyak pak 🙏"), nil, "survey", true, []string{"Bila berkenan", "1–4"}},
		{"off the scale is asked again", wa("10"), nil, "survey", true, []string{"1–4"}},
		{"a new complaint lapses it and is a new report", wa("pak bantuan BPNT ibu saya juga belum cair 2 bulan"), nil,
			"finished_new", false, []string{"ADU-2026-000007 sudah selesai", "laporan baru", "ADU-2026-000001"}},
		{"a photo lapses it", wa("", image("ini buktinya")), nil, "finished_new", false, nil},
		{"a command lapses it", wa("STATUS"), nil, "status_list", false, []string{"selesai"}},
	}
	for _, tt := range tests {
		t.Run(tt.label, func(t *testing.T) {
			out, err := d.Step(Input{Conv: resolvedConv(), Msg: tt.msg, Now: now, OwnTickets: resolvedTickets, NewTicket: tickets()})
			if err != nil {
				t.Fatal(err)
			}
			var got *SatisfactionAnswered
			for _, a := range out.Actions {
				if a, ok := a.(SatisfactionAnswered); ok {
					got = &a
				}
			}
			switch {
			case (got == nil) != (tt.want == nil), got != nil && *got != *tt.want:
				t.Errorf("answer %+v, want %+v", got, tt.want)
			}
			if !slices.Contains(out.Intents, tt.intent) {
				t.Errorf("intents %v, want %s: %q", out.Intents, tt.intent, out.Replies)
			}
			if open := out.Conv.Survey != ""; open != tt.open {
				t.Errorf("question open after the step: %v, want %v", open, tt.open)
			}
			reply := strings.Join(out.Replies, "\n")
			for _, s := range tt.replyIn {
				if !strings.Contains(reply, s) {
					t.Errorf("reply lacks %q: %q", s, reply)
				}
			}
		})
	}
}

// While an officer has taken over, a score is still recorded, silently.
func TestSurveyAnswerDuringTakeover(t *testing.T) {
	d := newDialog(t, nil)
	conv := resolvedConv()
	conv.HumanTakeover = true
	out, err := d.Step(Input{Conv: conv, Msg: wa("3 lumayan"), Now: now, OwnTickets: resolvedTickets})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Replies) != 0 || len(out.Actions) != 1 || out.Actions[0] != (SatisfactionAnswered{Ticket: "ADU-2026-000007", Score: 3}) ||
		out.Conv.Survey != "" {
		t.Errorf("replies %q, actions %+v, question open on %q", out.Replies, out.Actions, out.Conv.Survey)
	}
	out, err = d.Step(Input{Conv: conv, Msg: wa("makasih pak"), Now: now, OwnTickets: resolvedTickets})
	if err != nil || len(out.Replies) != 0 || len(out.Actions) != 0 || out.Conv.Survey == "" {
		t.Errorf("thanks during takeover: %v, replies %q, actions %+v, question open on %q", err, out.Replies, out.Actions, out.Conv.Survey)
	}
}

// An answer is taken once: after it, "4" is an ordinary message.
func TestSurveyAnsweredOnce(t *testing.T) {
	d := newDialog(t, nil)
	out, err := d.Step(Input{Conv: resolvedConv(), Msg: wa("3"), Now: now, OwnTickets: resolvedTickets})
	if err != nil || len(out.Actions) != 1 {
		t.Fatalf("first answer: %v, %+v", err, out.Actions)
	}
	again, err := d.Step(Input{Conv: out.Conv, Msg: wa("4"), Now: now, OwnTickets: resolvedTickets})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range again.Actions {
		if _, ok := a.(SatisfactionAnswered); ok {
			t.Errorf("a second answer was taken: %+v", again.Actions)
		}
	}
}

func TestSurveyQuestion(t *testing.T) {
	q, err := (*Templates)(nil).SurveyQuestion("ADU-2026-000007")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"ADU-2026-000007", "1–4", "sangat puas", "komentar"} {
		if !strings.Contains(q, s) {
			t.Errorf("question lacks %q: %q", s, q)
		}
	}
	if n := strings.Count(q, "?"); n != 1 {
		t.Errorf("the question asks %d things: %q", n, q)
	}
}
