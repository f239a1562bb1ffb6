package complaint

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/core/beritaacara"
	"github.com/aduan-gateway/aduan/core/beritaacara/pdftext"
	"github.com/aduan-gateway/aduan/core/calendar"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/workflow"
	"github.com/aduan-gateway/aduan/store"
	"github.com/aduan-gateway/aduan/store/pgtest"
)

// wib builds a time in the office's zone.
func wib(y int, m time.Month, d, h int) time.Time {
	return time.Date(y, m, d, h, 0, 0, 0, calendar.WIB)
}

type fixture struct {
	t     *testing.T
	ctx   context.Context
	st    *store.Store
	svc   *Service
	clock time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, pgtest.URL(t), bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	f := &fixture{t: t, ctx: ctx, st: st, clock: wib(2026, 3, 17, 10)}
	f.svc = New(calendar.Embedded(), Options{Now: func() time.Time { return f.clock }, BeritaAcara: beritaacara.Render,
		Office: beritaacara.Office{Name: "Dinas Sosial dan PMD", Address: "Air Itam, Pangkalpinang"}})
	for _, u := range []struct {
		name string
		role workflow.Role
	}{
		{"vera", "verifikator"}, {"kiki", "koordinator"}, {"koko", "koordinator"}, {"ani", "admin"},
		{"pipit", "pimpinan"}, {"audi", "auditor"},
	} {
		if _, err := st.CreateUser(ctx, u.name, "x", u.role); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// file creates a WhatsApp reporter with a conversation and files a
// complaint received at received.
func (f *fixture) file(channel event.Channel, received time.Time) string {
	f.t.Helper()
	var ticket Ticket
	err := f.st.InTx(f.ctx, func(tx *store.Tx) error {
		rep, err := tx.ReporterFor(f.ctx, store.ReporterKey{Channel: channel, Account: "acc", SenderID: "6281200000001"}, "Siti")
		if err != nil {
			return err
		}
		rep.Name, rep.NIK, rep.Address = "Siti Aminah", "1971015708900003", "Jl. Merdeka 1, Pangkalpinang"
		if err := tx.SaveReporter(f.ctx, rep); err != nil {
			return err
		}
		conv, err := tx.ConversationFor(f.ctx, store.ConversationKey{Channel: channel, Account: "acc", Key: "6281200000001"}, rep.ID)
		if err != nil {
			return err
		}
		ticket, err = f.svc.Create(f.ctx, tx, NewComplaint{Channel: channel, Account: "acc", Conversation: conv.ID,
			Reporter: rep.ID, Text: "Bantuan PKH ibu saya tidak cair sejak Januari.", ReceivedAt: received, Actor: ActorIntake})
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return ticket.Number
}

func (f *fixture) act(ticket string, a workflow.Action, user string, role workflow.Role, mod func(*Request)) (*Outcome, error) {
	req := Request{Ticket: ticket, Action: a, Actor: workflow.Actor{Name: user, Role: role}}
	if mod != nil {
		mod(&req)
	}
	return f.svc.Act(f.ctx, f.st, req)
}

func (f *fixture) mustAct(ticket string, a workflow.Action, user string, role workflow.Role, mod func(*Request)) *Outcome {
	f.t.Helper()
	out, err := f.act(ticket, a, user, role, mod)
	if err != nil {
		f.t.Fatalf("%s by %s: %v", a, user, err)
	}
	return out
}

// outbox drains the outbox, returning subject → payloads.
func (f *fixture) outbox() map[string][]string {
	f.t.Helper()
	got := map[string][]string{}
	_, err := f.st.RelayOutbox(f.ctx, func(_ context.Context, subject, _ string, data []byte) error {
		got[subject] = append(got[subject], string(data))
		return nil
	}, 1000)
	if err != nil {
		f.t.Fatal(err)
	}
	return got
}

// audited lists the audit trail of ticket as actor:action.
func (f *fixture) audited(ticket string) []string {
	f.t.Helper()
	trail, err := f.st.AuditTrail(f.ctx, "complaint", ticket)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, e := range trail {
		out = append(out, e.Actor+":"+e.Action)
	}
	return out
}

func verifyA(r *Request) { r.Class, r.Category = workflow.ClassA, "pkh" }

func TestCarryThroughTheProcedure(t *testing.T) {
	f := newFixture(t)
	// Received on Tuesday 2026-03-17: the Nyepi and Idulfitri days off
	// push a class A deadline to 2026-03-31.
	ticket := f.file(event.ChannelWhatsApp, wib(2026, 3, 17, 9))
	if got := f.outbox(); len(got["aduan.complaint.submitted"]) != 1 {
		t.Fatalf("submitted events: %v", got)
	}
	out := f.mustAct(ticket, workflow.Verify, "vera", workflow.RoleVerifikator, verifyA)
	if c := out.Complaint; c.Status != workflow.Verified || c.DueDate != "2026-03-31" || c.Class != workflow.ClassA || c.Category != "pkh" {
		t.Fatalf("after verify: %+v", c)
	}
	if !strings.Contains(out.Told, ticket) || !strings.Contains(out.Told, "31 Maret 2026") {
		t.Errorf("the reporter is told %q", out.Told)
	}
	ob := f.outbox()
	if len(ob["aduan.complaint.verified"]) != 1 || len(ob["aduan.outbound.whatsapp"]) != 1 ||
		!strings.Contains(ob["aduan.outbound.whatsapp"][0], "31 Maret 2026") {
		t.Fatalf("outbox after verify: %v", ob)
	}

	f.clock = wib(2026, 3, 25, 10)
	f.mustAct(ticket, workflow.Assign, "vera", workflow.RoleVerifikator, func(r *Request) { r.AssignTo = "kiki" })
	if _, err := f.act(ticket, workflow.FollowUp, "koko", workflow.RoleKoordinator, func(r *Request) { r.Text = "x" }); !errors.Is(err, workflow.ErrNotAssignee) {
		t.Errorf("another koordinator's follow-up: %v", err)
	}
	f.mustAct(ticket, workflow.FollowUp, "kiki", workflow.RoleKoordinator, func(r *Request) {
		r.Text = "Telaah data penerima PKH bersama pendamping."
		r.Inspection = &Inspection{Date: "2026-03-26", Place: "Desa Air Mesu", Officers: "Kiki, Budi", Findings: "Rekening tidak aktif."}
	})
	f.clock = wib(2026, 3, 30, 14)
	out = f.mustAct(ticket, workflow.Resolve, "kiki", workflow.RoleKoordinator, func(r *Request) {
		r.Text = "Rekening diaktifkan kembali; bantuan cair 30 Maret 2026."
	})
	if !strings.Contains(out.Told, "bantuan cair 30 Maret 2026") {
		t.Errorf("the reporter is told %q", out.Told)
	}
	number, pdf, err := f.st.BeritaAcara(f.ctx, ticket)
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF")) || !strings.Contains(number, ticket) {
		t.Fatalf("berita acara %q (%d bytes): %v", number, len(pdf), err)
	}
	text := strings.Join(strings.Fields(pdftext.Read(t, pdf)), " ")
	for _, want := range []string{ticket, "Siti Aminah", "1971xxxxxxxx0003", "Desa Air Mesu", "bantuan cair 30 Maret 2026", "kiki"} {
		if !strings.Contains(text, want) {
			t.Errorf("the berita acara lacks %q", want)
		}
	}
	if strings.Contains(text, "1971015708900003") {
		t.Error("the berita acara prints the whole NIK")
	}
	if _, err := f.act(ticket, workflow.Archive, "kiki", workflow.RoleKoordinator, nil); !errors.Is(err, workflow.ErrForbidden) {
		t.Errorf("koordinator archives: %v", err)
	}
	f.mustAct(ticket, workflow.Archive, "ani", workflow.RoleAdmin, nil)

	file, err := f.st.ComplaintFile(f.ctx, ticket)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, s := range file.Timeline {
		actions = append(actions, s.Action+":"+string(s.To))
	}
	want := []string{"submit:menunggu_verifikasi", "verify:terverifikasi", "assign:terverifikasi",
		"follow_up:ditindaklanjuti", "resolve:selesai", "archive:diarsipkan"}
	if !slices.Equal(actions, want) {
		t.Errorf("timeline %v, want %v", actions, want)
	}
	if file.Status != workflow.Archived || file.Assignee != "kiki" || file.Result == "" || file.ArchivedAt == nil ||
		len(file.FollowUps) != 1 || file.FollowUps[0].InspectionPlace != "Desa Air Mesu" {
		t.Errorf("complaint file: %+v", file)
	}
	audited := f.audited(ticket)
	wantAudit := []string{"system:intake:complaint.submitted", "vera:complaint.verify", "vera:complaint.assign",
		"kiki:complaint.follow_up", "kiki:complaint.resolve", "ani:complaint.archive"}
	if !slices.Equal(audited, wantAudit) {
		t.Errorf("audit %v, want %v", audited, wantAudit)
	}
	ob = f.outbox()
	for _, subj := range []string{"assigned", "followed_up", "resolved", "archived"} {
		if len(ob["aduan.complaint."+subj]) != 1 {
			t.Errorf("aduan.complaint.%s published %d times", subj, len(ob["aduan.complaint."+subj]))
		}
	}
	if n := len(ob["aduan.outbound.whatsapp"]); n != 1 {
		t.Errorf("%d messages to the reporter after verification, want 1 (the result)", n)
	}
}

func TestRefusalsChangeNothing(t *testing.T) {
	f := newFixture(t)
	ticket := f.file(event.ChannelWhatsApp, wib(2026, 3, 17, 9))
	f.outbox()
	tests := []struct {
		label string
		a     workflow.Action
		user  string
		role  workflow.Role
		mod   func(*Request)
		code  string
	}{
		{"admin verifies", workflow.Verify, "ani", workflow.RoleAdmin, verifyA, "forbidden"},
		{"koordinator verifies", workflow.Verify, "kiki", workflow.RoleKoordinator, verifyA, "forbidden"},
		{"pimpinan returns", workflow.Return, "pipit", workflow.RolePimpinan, func(r *Request) { r.Reason = "x" }, "forbidden"},
		{"auditor redirects", workflow.Redirect, "audi", workflow.RoleAuditor, func(r *Request) { r.Reason = "x" }, "forbidden"},
		{"resolve before verification", workflow.Resolve, "kiki", workflow.RoleKoordinator, func(r *Request) { r.Text = "x" }, "not_now"},
		{"archive an open complaint", workflow.Archive, "ani", workflow.RoleAdmin, nil, "not_now"},
		{"verify without a class", workflow.Verify, "vera", workflow.RoleVerifikator, func(r *Request) { r.Category = "pkh" }, "no_class"},
		{"verify with an unknown category", workflow.Verify, "vera", workflow.RoleVerifikator, func(r *Request) { r.Class, r.Category = workflow.ClassB, "judi" }, "no_category"},
		{"return without a reason", workflow.Return, "vera", workflow.RoleVerifikator, nil, "no_reason"},
	}
	for _, tt := range tests {
		t.Run(tt.label, func(t *testing.T) {
			_, err := f.act(ticket, tt.a, tt.user, tt.role, tt.mod)
			var refused *Refused
			if !errors.As(err, &refused) || refused.Code != tt.code {
				t.Fatalf("error %v, want refusal %q", err, tt.code)
			}
		})
	}
	c, err := f.st.ComplaintState(f.ctx, ticket)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != workflow.AwaitingVerification || c.Class != "" {
		t.Errorf("refusals changed the complaint: %+v", c)
	}
	if got := f.outbox(); len(got) != 0 {
		t.Errorf("refusals published %v", got)
	}
	trail, _ := f.st.AuditTrail(f.ctx, "complaint", ticket)
	if len(trail) != 1 {
		t.Errorf("refusals were audited as actions: %v", trail)
	}
}

func TestAssignOnlyToAKoordinator(t *testing.T) {
	f := newFixture(t)
	ticket := f.file(event.ChannelWhatsApp, wib(2026, 3, 17, 9))
	f.mustAct(ticket, workflow.Verify, "vera", workflow.RoleVerifikator, verifyA)
	for _, to := range []string{"ani", "nobody"} {
		_, err := f.act(ticket, workflow.Assign, "vera", workflow.RoleVerifikator, func(r *Request) { r.AssignTo = to })
		var refused *Refused
		if !errors.As(err, &refused) || refused.Code != "not_koordinator" {
			t.Errorf("assign to %s: %v", to, err)
		}
	}
}

func TestReturnedComplaintReopensWhenTheReporterAnswers(t *testing.T) {
	f := newFixture(t)
	ticket := f.file(event.ChannelWhatsApp, wib(2026, 3, 17, 9))
	out := f.mustAct(ticket, workflow.Return, "vera", workflow.RoleVerifikator, func(r *Request) {
		r.Reason = "Mohon sebutkan nama desa dan bulan terakhir bantuan diterima."
	})
	if out.Complaint.Status != workflow.Returned || !strings.Contains(out.Told, "nama desa") {
		t.Fatalf("after return: %s, told %q", out.Complaint.Status, out.Told)
	}
	f.outbox()
	err := f.st.InTx(f.ctx, func(tx *store.Tx) error {
		return f.svc.Updated(f.ctx, tx, ticket, 0, "Desa Kace, terakhir terima bulan Desember.")
	})
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.st.ComplaintFile(f.ctx, ticket)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != workflow.AwaitingVerification || len(c.Additions) != 1 {
		t.Errorf("after the answer: %s, additions %v", c.Status, c.Additions)
	}
	if last := c.Timeline[len(c.Timeline)-1]; last.Action != "reopen" || last.Actor != ActorIntake {
		t.Errorf("last step %+v", last)
	}
	ob := f.outbox()
	if len(ob["aduan.complaint.updated"]) != 1 || len(ob["aduan.complaint.reopened"]) != 1 {
		t.Errorf("outbox %v", ob)
	}
}

func TestVerifyRefusedForAYearWithoutHolidayData(t *testing.T) {
	f := newFixture(t)
	// A class C deadline from mid-December 2026 reaches 2027, whose joint
	// decree the embedded calendar does not have.
	ticket := f.file(event.ChannelWhatsApp, wib(2026, 12, 14, 9))
	_, err := f.act(ticket, workflow.Verify, "vera", workflow.RoleVerifikator, func(r *Request) {
		r.Class, r.Category = workflow.ClassC, "lansia"
	})
	var refused *Refused
	var noData *calendar.NoDataError
	if !errors.As(err, &refused) || refused.Code != "no_calendar" || !errors.As(err, &noData) || noData.Year != 2027 {
		t.Fatalf("error %v, want a refusal naming 2027", err)
	}
	if !strings.Contains(err.Error(), "2027") {
		t.Errorf("error does not name the year: %v", err)
	}
}

func TestLaporAndWalkinReportersGetNoChatMessage(t *testing.T) {
	f := newFixture(t)
	for _, ch := range []event.Channel{event.ChannelLapor, event.ChannelWalkin} {
		ticket := f.file(ch, wib(2026, 3, 17, 9))
		out := f.mustAct(ticket, workflow.Verify, "vera", workflow.RoleVerifikator, verifyA)
		if out.Told != "" {
			t.Errorf("%s reporter told %q", ch, out.Told)
		}
		if ob := f.outbox(); len(ob["aduan.outbound."+string(ch)]) != 0 || len(ob["aduan.complaint.verified"]) != 1 {
			t.Errorf("%s outbox %v", ch, ob)
		}
	}
}

func TestDueStates(t *testing.T) {
	svc := New(calendar.Embedded(), Options{})
	tests := []struct {
		label  string
		status workflow.Status
		due    string
		now    time.Time
		want   DueState
		left   int
	}{
		{"not verified", workflow.AwaitingVerification, "", wib(2026, 3, 17, 9), DueNone, 0},
		{"finished", workflow.Resolved, "2026-03-31", wib(2026, 4, 10, 9), DueNone, 0},
		{"well ahead", workflow.Verified, "2026-03-31", wib(2026, 3, 25, 9), DueOnTrack, 4},
		{"day before", workflow.FollowingUp, "2026-03-31", wib(2026, 3, 30, 9), DueNear, 1},
		{"due today", workflow.FollowingUp, "2026-03-31", wib(2026, 3, 31, 16), DueNear, 0},
		{"weekend before a Monday due", workflow.Verified, "2026-03-30", wib(2026, 3, 28, 9), DueNear, 1},
		{"overdue", workflow.Postponed, "2026-03-31", wib(2026, 4, 1, 9), DueOverdue, -1},
	}
	for _, tt := range tests {
		t.Run(tt.label, func(t *testing.T) {
			got, err := svc.DueAt(tt.status, tt.due, tt.now)
			if err != nil || got.State != tt.want || (got.State != DueNone && got.DaysLeft != tt.left) {
				t.Errorf("DueAt = %+v, %v; want %s with %d left", got, err, tt.want, tt.left)
			}
		})
	}
}

func TestDueFilter(t *testing.T) {
	f := newFixture(t)
	tickets := map[string]string{}
	for label, received := range map[string]time.Time{
		"overdue": wib(2026, 2, 2, 9), "near": wib(2026, 3, 17, 9), "on_track": wib(2026, 3, 27, 9),
	} {
		tickets[label] = f.file(event.ChannelWhatsApp, received)
		f.mustAct(tickets[label], workflow.Verify, "vera", workflow.RoleVerifikator, verifyA)
	}
	f.file(event.ChannelWhatsApp, wib(2026, 3, 20, 9)) // not verified: no due date
	now := wib(2026, 3, 30, 9)                         // near: due 31 March
	for _, ds := range DueStates() {
		from, by, err := f.svc.DueBounds(ds, now)
		if err != nil {
			t.Fatal(err)
		}
		list, err := f.st.ListComplaints(f.ctx, store.ComplaintFilter{Statuses: workflow.OpenStatuses(), DueFrom: from, DueBy: by})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].Ticket != tickets[string(ds)] {
			t.Errorf("%s: %v, want only %s", ds, list, tickets[string(ds)])
		}
		for _, c := range list {
			if got, _ := f.svc.DueAt(c.Status, c.DueDate, now); got.State != ds {
				t.Errorf("%s listed as %s but DueAt says %s", c.Ticket, ds, got.State)
			}
		}
	}
}
