package intake

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/store"
)

// submitReport takes a WhatsApp reporter through intake to a ticket.
func (h *harness) submitReport(from, form string) string {
	h.t.Helper()
	ctx := context.Background()
	if _, err := h.svc.Handle(ctx, wa(from, form)); err != nil {
		h.t.Fatal(err)
	}
	ktp := wa(from, "ktp")
	ktp.Attachments = []event.Attachment{{Kind: event.AttachmentImage, MIME: "image/jpeg", Caption: "ktp", SHA256: "0a", ObjectKey: "sha256/0a"}}
	res, err := h.svc.Handle(ctx, ktp)
	if err != nil {
		h.t.Fatal(err)
	}
	if res.Ticket == "" {
		h.t.Fatalf("report not submitted: %+v", res)
	}
	return res.Ticket
}

// After a ticket, data about the reporter's mother is stored as the person
// concerned; the reporter's own new NIK waits for YA and the change is audited.
func TestIdentityAfterTicket(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	from := "6281234500021"
	h.submitReport(from, "Nama: Siti Aminah\nNIK: 1971015708900003\nAlamat: Jl. Depati Amir No. 12, Pangkalpinang\nBantuan PKH ibu saya sudah 3 bulan tidak cair")
	key := store.ConversationKey{Channel: "whatsapp", Account: "6281100000000", Key: from}
	reporter := func() (store.Reporter, store.ConversationID) {
		v, err := h.st.FindConversation(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		return v.Reporter, v.ID
	}
	steps := []struct {
		name    string
		text    string
		reply   string
		wantNIK string
	}{
		{"the mother's NIK is hers", "Nama ibu saya Jamilah, NIK nya 1901024506550001, beliau yang terdaftar sebagai penerima",
			"penerima manfaat", "1971015708900003"},
		{"the reporter's own new NIK is asked about", "NIK saya salah, yg benar 1971011203850002",
			"mengganti NIK Anda menjadi 1971xxxxxxxx0002? Balas YA", "1971015708900003"},
		{"YA changes it", "ya", "sudah kami perbarui", "1971011203850002"},
	}
	for _, st := range steps {
		res, err := h.svc.Handle(ctx, wa(from, st.text))
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if !strings.Contains(strings.Join(res.Replies, "\n"), st.reply) {
			t.Errorf("%s: replies lack %q: %q", st.name, st.reply, res.Replies)
		}
		if r, _ := reporter(); r.NIK != st.wantNIK {
			t.Errorf("%s: reporter NIK %s, want %s", st.name, r.NIK, st.wantNIK)
		}
	}
	r, convID := reporter()
	concerned, err := h.st.ConversationConcerned(ctx, convID)
	if err != nil {
		t.Fatal(err)
	}
	if concerned.Name != "Jamilah" || concerned.MaskedNIK != "1901xxxxxxxx0001" || concerned.Relation != "ibu" {
		t.Errorf("person concerned = %+v", concerned)
	}
	trail, err := h.st.AuditTrail(ctx, "reporter", fmt.Sprint(r.ID))
	if err != nil {
		t.Fatal(err)
	}
	if len(trail) != 1 || trail[0].Action != "reporter.identity_changed" {
		t.Errorf("audit trail of the reporter = %+v, want one identity change", trail)
	}
	// Recording the mother is audited too, by field: her name and NIK stay out of the log.
	rows, err := h.st.ListAudit(ctx, store.AuditFilter{Action: "conversation.concerned_changed", Object: fmt.Sprint(convID)})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Actor != "pelapor:whatsapp" || !strings.Contains(rows[0].Detail, `"fields": ["hubungan", "nama", "nik"]`) {
		t.Fatalf("audit of the person concerned = %+v, want one row naming hubungan, nama and nik", rows)
	}
	for _, secret := range []string{"Jamilah", "1901024506550001", "1901xxxxxxxx0001"} {
		if strings.Contains(rows[0].Detail, secret) {
			t.Errorf("the audit row holds %q: %s", secret, rows[0].Detail)
		}
	}
}

// A photo sent first without a word is asked about; YA marks that photo,
// not the YA message, as the KTP.
func TestPhotoFirstConfirmedAsKTP(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	from := "6281234500022"
	photo := wa(from, "")
	photo.Attachments = []event.Attachment{{Kind: event.AttachmentImage, MIME: "image/jpeg", SHA256: "0b", ObjectKey: "sha256/0b"}}
	res, err := h.svc.Handle(ctx, photo)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(res.Replies, "\n"), "Apakah foto tadi foto KTP Anda? Balas YA/TIDAK") {
		t.Fatalf("replies %q", res.Replies)
	}
	if _, err := h.svc.Handle(ctx, wa(from, "iya")); err != nil {
		t.Fatal(err)
	}
	thread, err := h.st.Thread(ctx, store.ConversationID(res.ConversationID), 10)
	if err != nil {
		t.Fatal(err)
	}
	marked := 0
	for _, m := range thread {
		for _, a := range m.Attachments {
			if a.IsKTP {
				marked++
			}
		}
	}
	v, err := h.st.FindConversation(ctx, store.ConversationKey{Channel: "whatsapp", Account: "6281100000000", Key: from})
	if err != nil {
		t.Fatal(err)
	}
	if marked != 1 || !v.Reporter.KTPPhoto {
		t.Errorf("KTP images marked: %d, reporter has KTP: %v", marked, v.Reporter.KTPPhoto)
	}
}

// A cancel request in a sentence after the ticket flags the conversation for
// an officer, and the reporter's words, with the reason in them, reach the
// complaint the officer reads; the complaint text itself is unchanged.
func TestCancelReasonReachesOfficer(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	from := "6281234500023"
	const text = "Bantuan PKH ibu saya sudah 3 bulan tidak cair"
	ticket := h.submitReport(from, "Nama: Siti Aminah\nNIK: 1971015708900003\nAlamat: Jl. Depati Amir No. 12, Pangkalpinang\n"+text)
	res, err := h.svc.Handle(ctx, wa(from, "batal aja pak, takut nanti bantuan sy dicabut"))
	if err != nil {
		t.Fatal(err)
	}
	if all := strings.Join(res.Replies, "\n"); !strings.Contains(all, "tidak akan membuat bantuan Anda dicabut") {
		t.Errorf("the reply does not reassure: %q", res.Replies)
	}
	flags, err := h.st.ConversationConcerned(ctx, store.ConversationID(res.ConversationID))
	if err != nil {
		t.Fatal(err)
	}
	if flags.NeedsOfficer != "pembatalan" || !flags.CancelRequested {
		t.Errorf("conversation flags %+v, want perlu petugas for a cancel request", flags)
	}
	c, err := h.st.ComplaintByTicket(ctx, ticket)
	if err != nil {
		t.Fatal(err)
	}
	if c.Text != text {
		t.Errorf("complaint text %q, want it unchanged", c.Text)
	}
	if len(c.Additions) != 1 || !strings.Contains(c.Additions[0], "takut nanti bantuan sy dicabut") || !strings.Contains(c.Additions[0], "dibatalkan") {
		t.Errorf("additions %q, want the cancel request with the reporter's reason", c.Additions)
	}
}
