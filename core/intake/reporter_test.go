package intake

import (
	"context"
	"strings"
	"testing"

	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/store"
)

// A walk-in reporter asks STATUS on WhatsApp from the phone number on the
// form; a WhatsApp chat that moves to LID addressing keeps its reporter.
func TestStatusAcrossWalkinAndLID(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	const phone = "6281234500041"
	walkin := &event.Inbound{ID: event.NewID(), Channel: event.ChannelWalkin, Account: "kantor",
		ConversationKey: "walkin-1", Sender: event.Sender{ID: "walkin-1", Name: "Siti Aminah", Phone: "+" + phone},
		Text: "Nama: Siti Aminah\nNIK: 1971015708900003\nAlamat: Jl. Depati Amir No. 12, Pangkalpinang\nNo HP: 0" + phone[2:] +
			"\nBantuan PKH ibu saya sudah 3 bulan tidak cair",
		Attachments: []event.Attachment{{Kind: event.AttachmentImage, MIME: "image/jpeg", Caption: "ktp", SHA256: "0c", ObjectKey: "sha256/0c"}}}
	walkin.ExternalID = walkin.ID
	res, err := h.svc.Handle(ctx, walkin)
	if err != nil || res.Ticket == "" {
		t.Fatalf("walk-in not submitted: %+v %v", res, err)
	}
	short := strings.ToLower(strings.Replace(res.Ticket, "-00000", "-", 1)) // adu-2026-1
	cases := []struct {
		name string
		msg  *event.Inbound
	}{
		{"STATUS by the walk-in phone", wa(phone, "STATUS "+res.Ticket)},
		{"status in words, ticket written short", wa(phone, "cek status "+short)},
		{"the same number over LID", func() *event.Inbound {
			m := wa("98765432101234", "STATUS")
			m.Sender.ID = "98765432101234@lid"
			m.Sender.Phone = "+" + phone
			return m
		}()},
	}
	for _, tc := range cases {
		out, err := h.svc.Handle(ctx, tc.msg)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if all := strings.Join(out.Replies, "\n"); !strings.Contains(all, res.Ticket) || strings.Contains(all, "tidak ditemukan") {
			t.Errorf("%s: replies %q", tc.name, out.Replies)
		}
	}
	other, err := h.svc.Handle(ctx, wa("6281234500042", "STATUS "+res.Ticket))
	if err != nil {
		t.Fatal(err)
	}
	if all := strings.Join(other.Replies, "\n"); !strings.Contains(all, "tidak ditemukan") {
		t.Errorf("another number got the walk-in's status: %q", other.Replies)
	}
	byPhone, err := h.st.FindConversation(ctx, store.ConversationKey{Channel: "whatsapp", Account: "6281100000000", Key: phone})
	if err != nil {
		t.Fatal(err)
	}
	byLID, err := h.st.FindConversation(ctx, store.ConversationKey{Channel: "whatsapp", Account: "6281100000000", Key: "98765432101234"})
	if err != nil {
		t.Fatal(err)
	}
	if byPhone.ReporterID != byLID.ReporterID {
		t.Errorf("the LID chat is reporter %d, the phone chat %d", byLID.ReporterID, byPhone.ReporterID)
	}
}
