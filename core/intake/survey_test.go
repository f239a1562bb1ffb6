package intake

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/core/calendar"
	"github.com/aduan-gateway/aduan/core/complaint"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/stats"
	"github.com/aduan-gateway/aduan/core/workflow"
	"github.com/aduan-gateway/aduan/store"
)

const surveyAsks = "Seberapa puas Anda"

// surveyHarness is a harness with a koordinator, kiki, and the complaint
// service on the harness's clock.
func surveyHarness(t *testing.T) (*harness, *complaint.Service) {
	h := newHarness(t)
	if _, err := h.st.CreateUser(context.Background(), "kiki", "x", workflow.RoleKoordinator); err != nil {
		t.Fatal(err)
	}
	return h, complaint.New(calendar.Embedded(), complaint.Options{Now: func() time.Time { return h.clock }})
}

// resolve carries ticket through verification and follow-up to selesai,
// returning what the reporter was told at resolution.
func (h *harness) resolve(svc *complaint.Service, ticket string) string {
	h.t.Helper()
	ctx := context.Background()
	vera := workflow.Actor{Name: "vera", Role: workflow.RoleVerifikator}
	kiki := workflow.Actor{Name: "kiki", Role: workflow.RoleKoordinator}
	var told string
	for _, req := range []complaint.Request{
		{Action: workflow.Verify, Actor: vera, Class: workflow.ClassA, Category: "pkh"},
		{Action: workflow.FollowUp, Actor: kiki, Text: "Telaah data penerima."},
		{Action: workflow.Resolve, Actor: kiki, Text: "Rekening diaktifkan kembali; bantuan sudah cair."},
	} {
		req.Ticket = ticket
		out, err := svc.Act(ctx, h.st, req)
		if err != nil {
			h.t.Fatalf("%s %s: %v", req.Action, ticket, err)
		}
		told = out.Told
	}
	return told
}

// surveyQuestionsSent counts the staff messages of the test database that ask the question.
func (h *harness) surveyQuestionsSent() int {
	h.t.Helper()
	var n int
	if err := h.conn().QueryRow(context.Background(), `SELECT count(*) FROM messages
		WHERE direction = 'out' AND text LIKE '%' || $1 || '%'`, surveyAsks).Scan(&n); err != nil {
		h.t.Fatal(err)
	}
	return n
}

// TestSatisfactionSurvey: resolving a chat complaint asks its reporter,
// once, how satisfied they are; thanks keep the question open, the answer
// is stored once and counted in the month's statistics.
func TestSatisfactionSurvey(t *testing.T) {
	h, svc := surveyHarness(t)
	ctx := context.Background()
	const from = "6281234500041"
	ticket := h.submitReport(from, "Nama: Siti Aminah\nNIK: 1971015708900003\n"+
		"Alamat: Jl. Depati Amir No. 12, Pangkalpinang\nBantuan PKH ibu saya sudah 3 bulan tidak cair")
	told := h.resolve(svc, ticket)
	if !strings.Contains(told, "bantuan sudah cair") || !strings.Contains(told, surveyAsks) || !strings.Contains(told, "1–4") {
		t.Fatalf("told at resolution %q: want the result and the question", told)
	}

	steps := []struct {
		say, reply string
	}{
		{"makasih pak 🙏", "Bila berkenan"},
		{"4 petugasnya cepat tanggap", "Terima kasih atas penilaian Anda (4 dari 4) dan komentarnya"},
		{"3", "sudah selesai"}, // answered already: an ordinary message now, and no new complaint
	}
	for _, st := range steps {
		res, err := h.svc.Handle(ctx, wa(from, st.say))
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Replies) != 1 || !strings.Contains(res.Replies[0], st.reply) {
			t.Errorf("%q answered %q, want %q", st.say, res.Replies, st.reply)
		}
	}
	a, ok, err := h.st.Satisfaction(ctx, ticket)
	if err != nil || !ok || a.Score != 4 || a.Comment != "petugasnya cepat tanggap" || !a.AnsweredAt.Equal(h.clock) {
		t.Errorf("stored answer %+v, %v, %v", a, ok, err)
	}
	if n := h.surveyQuestionsSent(); n != 1 {
		t.Errorf("the question was sent %d times, want once", n)
	}
	err = h.st.InTx(ctx, func(tx *store.Tx) error {
		c, err := tx.LockComplaint(ctx, ticket)
		if err != nil {
			return err
		}
		if again, err := tx.AskSatisfaction(ctx, c, h.clock); err != nil || again {
			t.Errorf("asked a second time: %v, %v", again, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	in, err := h.st.StatsInput(ctx, stats.MonthOf(h.clock), workflow.OpenStatuses())
	if err != nil {
		t.Fatal(err)
	}
	in.Now, in.Calendar = h.clock, calendar.Embedded()
	s := stats.Compute(in).Satisfaction
	if s.Asked != 1 || s.Responses != 1 || s.ByScore != [4]int{0, 0, 0, 1} || s.Index != 100 {
		t.Errorf("statistics of the month: %+v", s)
	}
	in, err = h.st.StatsInput(ctx, stats.MonthOf(h.clock).Add(-1), workflow.OpenStatuses())
	if err != nil || len(in.Satisfaction) != 0 || in.SurveyAsked != 0 {
		t.Errorf("the month before counts %v answers, %d asked (%v)", in.Satisfaction, in.SurveyAsked, err)
	}
}

// TestSatisfactionNotAsked: LAPOR! reports (named or anonymous) hear from
// the office through LAPOR!, and an anonymous reporter is never asked.
func TestSatisfactionNotAsked(t *testing.T) {
	h, svc := surveyHarness(t)
	ctx := context.Background()
	var tickets []string
	for i, anonymous := range []bool{false, true} {
		res, err := h.svc.Handle(ctx, laporReport("510000"+string(rune('1'+i)), false, anonymous))
		if err != nil {
			t.Fatal(err)
		}
		tickets = append(tickets, res.Ticket)
	}
	// An anonymous complaint on a chat channel (none arrives so today, but
	// the rule is the reporter's anonymity, not the channel).
	err := h.st.InTx(ctx, func(tx *store.Tx) error {
		key := store.ReporterKey{Channel: "whatsapp", Account: "6281100000000", SenderID: "6281234500042"}
		rep, err := tx.ReporterFor(ctx, key, "Warga")
		if err != nil {
			return err
		}
		conv, err := tx.ConversationFor(ctx, store.ConversationKey{Channel: key.Channel, Account: key.Account,
			Key: key.SenderID}, rep.ID)
		if err != nil {
			return err
		}
		tk, err := svc.Create(ctx, tx, complaint.NewComplaint{Channel: event.ChannelWhatsApp, Account: key.Account,
			Conversation: conv.ID, Reporter: rep.ID, Text: "Bantuan PKH tidak cair.", ReceivedAt: h.clock,
			Anonymous: true, Actor: complaint.ActorIntake})
		tickets = append(tickets, tk.Number)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, ticket := range tickets {
		if told := h.resolve(svc, ticket); strings.Contains(told, surveyAsks) {
			t.Errorf("%s: asked the survey: %q", ticket, told)
		}
	}
	var rows int
	if err := h.conn().QueryRow(ctx, `SELECT count(*) FROM satisfaction`).Scan(&rows); err != nil || rows != 0 {
		t.Errorf("%d satisfaction rows (%v), want none", rows, err)
	}
	if n := h.surveyQuestionsSent(); n != 0 {
		t.Errorf("the question was sent %d times, want never", n)
	}
}
