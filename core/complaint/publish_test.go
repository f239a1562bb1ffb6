package complaint

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/workflow"
	"github.com/aduan-gateway/aduan/store"
)

// resolved files a complaint and carries it to selesai.
func (f *fixture) resolved() string {
	f.t.Helper()
	ticket := f.file(event.ChannelWhatsApp, wib(2026, 3, 17, 9))
	f.mustAct(ticket, workflow.Verify, "vera", workflow.RoleVerifikator, verifyA)
	f.mustAct(ticket, workflow.FollowUp, "kiki", workflow.RoleKoordinator, func(r *Request) { r.Text = "Telaah data." })
	f.mustAct(ticket, workflow.Resolve, "kiki", workflow.RoleKoordinator, func(r *Request) { r.Text = "Bantuan cair." })
	f.outbox()
	return ticket
}

const publicSummary = "Bantuan PKH yang tertunda telah disalurkan setelah rekening diaktifkan kembali."

func TestDecideByRole(t *testing.T) {
	f := newFixture(t)
	ticket := f.resolved()
	tests := []struct {
		user string
		role workflow.Role
		code string // "" allowed
	}{
		{"pipit", workflow.RolePimpinan, ""},
		{"ani", workflow.RoleAdmin, ""},
		{"kiki", workflow.RoleKoordinator, "forbidden"},
		{"vera", workflow.RoleVerifikator, "forbidden"},
		{"audi", workflow.RoleAuditor, "forbidden"},
	}
	for _, tt := range tests {
		t.Run(string(tt.role), func(t *testing.T) {
			_, err := f.svc.Decide(f.ctx, f.st, PublishRequest{Ticket: ticket, Decision: workflow.Publish,
				Reason: "Tidak memuat data pribadi.", Summary: publicSummary, Actor: workflow.Actor{Name: tt.user, Role: tt.role}})
			if code := refusalCode(err); code != tt.code {
				t.Errorf("%s: refusal %q (%v), want %q", tt.role, code, err, tt.code)
			}
		})
	}
}

func refusalCode(err error) string {
	var r *Refused
	if errors.As(err, &r) {
		return r.Code
	}
	if err != nil {
		return "error: " + err.Error()
	}
	return ""
}

func TestDecideRefusals(t *testing.T) {
	f := newFixture(t)
	done := f.resolved()
	open := f.file(event.ChannelWhatsApp, wib(2026, 3, 18, 9))
	redirected := f.file(event.ChannelWhatsApp, wib(2026, 3, 18, 10))
	f.mustAct(redirected, workflow.Redirect, "vera", workflow.RoleVerifikator, func(r *Request) { r.Reason = "Urusan BPJS." })
	f.outbox()
	pimpinan := workflow.Actor{Name: "pipit", Role: workflow.RolePimpinan}
	tests := []struct {
		label string
		req   PublishRequest
		code  string
	}{
		{"not finished", PublishRequest{Ticket: open, Decision: workflow.Publish, Reason: "r", Summary: publicSummary}, "not_now"},
		{"closed without a result", PublishRequest{Ticket: redirected, Decision: workflow.Withhold, Reason: "r"}, "not_now"},
		{"publish without a summary", PublishRequest{Ticket: done, Decision: workflow.Publish, Reason: "r", Summary: "  "}, "no_summary"},
		{"no reason", PublishRequest{Ticket: done, Decision: workflow.Withhold, Reason: " "}, "no_reason"},
		{"unknown decision", PublishRequest{Ticket: done, Decision: "maybe", Reason: "r"}, "no_decision"},
		{"summary names the reporter", PublishRequest{Ticket: done, Decision: workflow.Publish, Reason: "r",
			Summary: "Bantuan untuk siti aminah sudah cair."}, "personal_data"},
		{"summary gives the address", PublishRequest{Ticket: done, Decision: workflow.Publish, Reason: "r",
			Summary: "Petugas datang ke Jl. Merdeka 1, Pangkalpinang."}, "personal_data"},
		{"summary carries a NIK", PublishRequest{Ticket: done, Decision: workflow.Publish, Reason: "r",
			Summary: "Data NIK 1971 0157 0890 0003 diperbaiki."}, "personal_data"},
		{"summary carries a phone number", PublishRequest{Ticket: done, Decision: workflow.Publish, Reason: "r",
			Summary: "Hubungi 0812-1234-5678."}, "personal_data"},
	}
	for _, tt := range tests {
		t.Run(tt.label, func(t *testing.T) {
			tt.req.Actor = pimpinan
			_, err := f.svc.Decide(f.ctx, f.st, tt.req)
			if code := refusalCode(err); code != tt.code {
				t.Errorf("refusal %q (%v), want %q", code, err, tt.code)
			}
		})
	}
	if _, err := f.svc.Decide(f.ctx, f.st, PublishRequest{Ticket: "ADU-2026-999999", Decision: workflow.Withhold,
		Reason: "r", Actor: pimpinan}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown ticket: %v", err)
	}
	for _, ticket := range []string{done, open, redirected} {
		if ds, err := f.st.PublicationDecisions(f.ctx, ticket); err != nil || len(ds) != 0 {
			t.Errorf("%s: decisions after refusals: %v, %v", ticket, ds, err)
		}
	}
	if got := f.outbox(); len(got) != 0 {
		t.Errorf("refusals wrote to the outbox: %v", got)
	}
}

func TestLaterDecisionSupersedes(t *testing.T) {
	f := newFixture(t)
	ticket := f.resolved()
	decide := func(user string, role workflow.Role, d workflow.Decision, reason, summary string) {
		t.Helper()
		if _, err := f.svc.Decide(f.ctx, f.st, PublishRequest{Ticket: ticket, Decision: d, Reason: reason,
			Summary: summary, Actor: workflow.Actor{Name: user, Role: role}}); err != nil {
			t.Fatal(err)
		}
	}
	decide("pipit", workflow.RolePimpinan, workflow.Publish, "Layak dipublikasikan.", publicSummary)
	ob := f.outbox()
	if ev := ob["aduan.complaint.published"]; len(ev) != 1 || !strings.Contains(ev[0], "rekening diaktifkan") ||
		strings.Contains(ev[0], "Siti") {
		t.Fatalf("published events: %v", ob)
	}
	if _, err := f.st.PublishedComplaint(f.ctx, ticket); err != nil {
		t.Fatalf("published complaint: %v", err)
	}

	f.mustAct(ticket, workflow.Archive, "ani", workflow.RoleAdmin, nil)
	f.outbox()
	decide("ani", workflow.RoleAdmin, workflow.Withhold, "Pihak terkait keberatan.", "")
	ob = f.outbox()
	if ev := ob["aduan.complaint.unpublished"]; len(ev) != 1 || !strings.Contains(ev[0], ticket) ||
		strings.Contains(ev[0], "keberatan") || strings.Contains(ev[0], "rekening") || len(ob) != 1 {
		t.Errorf("withholding a published result: outbox %v, want one unpublished event without reason or summary", ob)
	}
	decide("pipit", workflow.RolePimpinan, workflow.Withhold, "Tetap tidak dipublikasikan.", "")
	if got := f.outbox(); len(got) != 0 {
		t.Errorf("withholding what is not public wrote %v", got)
	}
	if _, err := f.st.PublishedComplaint(f.ctx, ticket); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("withheld complaint still public: %v", err)
	}
	ds, err := f.st.PublicationDecisions(f.ctx, ticket)
	if err != nil || len(ds) != 3 {
		t.Fatalf("decisions %v, %v", ds, err)
	}
	if ds[0].Decision != workflow.Withhold || !ds[0].Current || ds[0].DecidedBy != "pipit" ||
		ds[1].Decision != workflow.Withhold || ds[1].Current || ds[1].DecidedBy != "ani" ||
		ds[2].Decision != workflow.Publish || ds[2].Current || ds[2].Summary != publicSummary {
		t.Errorf("history %+v", ds)
	}
	if audited := f.audited(ticket); !slices.Contains(audited, "pipit:complaint.publish") || !slices.Contains(audited, "ani:complaint.withhold") {
		t.Errorf("audit %v", audited)
	}
	file, err := f.st.ComplaintFile(f.ctx, ticket)
	if err != nil {
		t.Fatal(err)
	}
	if last := file.Timeline[len(file.Timeline)-1]; last.Action != "withhold" || last.To != workflow.Archived {
		t.Errorf("last timeline step %+v", last)
	}
}
