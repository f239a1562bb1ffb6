package intake

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/workflow"
	"github.com/aduan-gateway/aduan/store"
)

func laporReport(tid string, confidential, anonymous bool) *event.Inbound {
	at := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	m := &event.Inbound{
		ID: event.NewID(), Channel: event.ChannelLapor, Account: "dinsos-babel", ExternalID: tid + ":1",
		ConversationKey: tid, Text: "Sejak bulan Agustus bantuan PKH tidak masuk ke rekening KKS saya.",
		SentAt: at, ReceivedAt: at.Add(time.Hour),
		Lapor: &event.LaporExtra{TrackingID: tid, Title: "Bantuan PKH tidak cair", Category: "Bantuan Sosial",
			Classification: "pengaduan", Location: "Desa Kace, Kec. Mendo Barat, Kab. Bangka",
			Confidential: confidential, Anonymous: anonymous, DisposedAt: at.Add(30 * time.Minute), Revision: 1,
			Status: "disposed"},
	}
	if !anonymous {
		m.Sender = event.Sender{ID: "u7700" + tid, Name: "Rahmat Hidayat", Phone: "+6281299001234"}
	}
	return m
}

func laporReply(report *event.Inbound, rev string, text string) *event.Inbound {
	m := *report
	lx := *report.Lapor
	lx.Revision = int(rev[0] - '0')
	m.ID, m.ExternalID, m.Text, m.Lapor = event.NewID(), report.Lapor.TrackingID+":"+rev, text, &lx
	return &m
}

// outboxEvents drains the outbox and returns the complaint events in it.
func outboxEvents(t *testing.T, st *store.Store) []event.Complaint {
	t.Helper()
	var out []event.Complaint
	_, err := st.RelayOutbox(context.Background(), func(_ context.Context, subject, _ string, data []byte) error {
		if !strings.HasPrefix(subject, event.SubjectComplaintPrefix) {
			t.Errorf("LAPOR! report queued %s; want complaint events only", subject)
			return nil
		}
		var c event.Complaint
		if err := event.Unmarshal(data, &c); err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
		return nil
	}, 100)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestLaporReportBecomesComplaint(t *testing.T) {
	tests := []struct {
		name                    string
		confidential, anonymous bool
		wantReporter, wantNIK   string
	}{
		{"public", false, false, "Rahmat Hidayat", ""},
		{"rahasia", true, false, "(dirahasiakan)", ""},
		{"anonim", false, true, "(anonim)", ""},
		{"rahasia and anonim", true, true, "(dirahasiakan)", ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			ctx := context.Background()
			tid := "410000" + string(rune('1'+i))
			m := laporReport(tid, tt.confidential, tt.anonymous)
			res, err := h.svc.Handle(ctx, m)
			if err != nil {
				t.Fatal(err)
			}
			if res.Ticket != "ADU-2026-000001" || len(res.Replies) != 0 {
				t.Fatalf("result %+v: want a ticket and no reply", res)
			}
			list, err := h.st.ListComplaints(ctx, store.ComplaintFilter{Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != 1 {
				t.Fatalf("%d complaints, want 1", len(list))
			}
			c := list[0]
			if c.Channel != "lapor" || c.Status != workflow.AwaitingVerification || c.ExternalRef != tid ||
				c.ReporterName != tt.wantReporter || c.NIKMasked != tt.wantNIK {
				t.Fatalf("listed as %+v", c)
			}
			if !strings.HasPrefix(c.Text, "Bantuan PKH tidak cair\n\nSejak bulan Agustus") {
				t.Fatalf("complaint text %q: want title then text", c.Text)
			}
			b, _ := json.Marshal(list)
			if (tt.confidential || tt.anonymous) && (strings.Contains(string(b), "Rahmat") || strings.Contains(string(b), "81299001234")) {
				t.Fatalf("withheld identity in the list: %s", b)
			}
			rep, err := h.st.LaporReportByTicket(ctx, res.Ticket)
			if err != nil {
				t.Fatal(err)
			}
			if rep.TrackingID != tid || rep.Confidential != tt.confidential || rep.Anonymous != tt.anonymous ||
				rep.Category != "Bantuan Sosial" || rep.StatusAtImport != "disposed" || rep.FiledAt.IsZero() {
				t.Fatalf("LAPOR! details %+v", rep)
			}
			switch {
			case tt.confidential && !tt.anonymous:
				if rep.Withheld == nil || rep.Withheld.Name != "Rahmat Hidayat" || rep.Withheld.Phone != "+6281299001234" {
					t.Fatalf("withheld identity not kept sealed: %+v", rep.Withheld)
				}
			case rep.Withheld != nil:
				t.Fatalf("identity %+v kept sealed for a report that does not withhold it or gave none", rep.Withheld)
			}
			evs := outboxEvents(t, h.st)
			if len(evs) != 1 || evs[0].Kind != event.ComplaintSubmitted || evs[0].ExternalRef != tid ||
				evs[0].Channel != event.ChannelLapor || evs[0].Status != "menunggu_verifikasi" {
				t.Fatalf("events %+v: want one submitted with the tracking id", evs)
			}
		})
	}
}

func TestLaporReplyAndDuplicates(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	report := laporReport("4200001", false, false)
	reply := laporReply(report, "3", "Sampai hari ini bantuan masih belum masuk.")

	// A LAPOR! message without its report's fields cannot be placed: dead-lettered at once.
	bare := *report
	bare.Lapor = nil
	if _, err := h.svc.Handle(ctx, &bare); err == nil || !strings.Contains(err.Error(), "without tracking id") {
		t.Fatalf("message without LAPOR! fields: err = %v", err)
	}
	// A reply that overtakes its report waits for it.
	if _, err := h.svc.Handle(ctx, reply); !errors.Is(err, ErrNotYet) {
		t.Fatalf("reply before report: err = %v, want ErrNotYet", err)
	}
	if _, err := h.svc.Handle(ctx, report); err != nil {
		t.Fatal(err)
	}
	res, err := h.svc.Handle(ctx, reply)
	if err != nil || res.Duplicate || res.Ticket != "" {
		t.Fatalf("reply: %+v, %v", res, err)
	}
	for _, again := range []*event.Inbound{report, reply} {
		again.ID = event.NewID() // republished by the poller after the window
		if res, err := h.svc.Handle(ctx, again); err != nil || !res.Duplicate {
			t.Fatalf("%s again: %+v, %v: want a duplicate", again.ExternalID, res, err)
		}
	}
	n, _ := h.st.CountComplaints(ctx)
	c, err := h.st.ComplaintByTicket(ctx, "ADU-2026-000001")
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 || len(c.Additions) != 1 || c.Additions[0] != "Sampai hari ini bantuan masih belum masuk." {
		t.Fatalf("%d complaints, additions %q", n, c.Additions)
	}
	evs := outboxEvents(t, h.st)
	if len(evs) != 2 || evs[1].Kind != event.ComplaintUpdated || evs[1].ExternalRef != "4200001" {
		t.Fatalf("events %+v: want submitted then updated with the tracking id", evs)
	}
	// The same reporter's next report links to the same reporter, by LAPOR! account.
	second := laporReport("4200002", false, false)
	if _, err := h.svc.Handle(ctx, second); err != nil {
		t.Fatal(err)
	}
	list, _ := h.st.ListComplaints(ctx, store.ComplaintFilter{Limit: 10})
	if len(list) != 2 || list[0].ReporterName != "Rahmat Hidayat" {
		t.Fatalf("list %+v", list)
	}
}

// TestNIKMaskingBypassInComplaintText: a LAPOR! report keeps its text as
// written, so a NIK in it (here with the wide gaps the extractor still
// reads) reached `aduan complaint list|show` and the receipt in clear.
func TestNIKMaskingBypassInComplaintText(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	report := laporReport("4300001", false, false)
	report.Text = "NIK saya 1971  0157  0890  0003, bantuan PKH tidak masuk ke rekening."
	if _, err := h.svc.Handle(ctx, report); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.Handle(ctx, laporReply(report, "2", "Ini NIK ibu saya 1971 - 0157 - 0890 - 0004 juga belum.")); err != nil {
		t.Fatal(err)
	}
	list, err := h.st.ListComplaints(ctx, store.ComplaintFilter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	c, err := h.st.ComplaintByTicket(ctx, "ADU-2026-000001")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal([]any{list, c})
	if !strings.Contains(c.Text, "1971xxxxxxxx0003") || len(c.Additions) != 1 || !strings.Contains(c.Additions[0], "1971xxxxxxxx0004") {
		t.Errorf("complaint text %q, additions %q: want the NIKs masked", c.Text, c.Additions)
	}
	for _, nik := range []string{"1971  0157  0890  0003", "1971 - 0157 - 0890 - 0004"} {
		if strings.Contains(string(b), nik) {
			t.Errorf("complaint list or show holds %q", nik)
		}
	}
}
