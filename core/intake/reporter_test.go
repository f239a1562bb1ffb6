package intake

import (
	"context"
	"errors"
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
		Text: "Bantuan PKH ibu saya sudah 3 bulan tidak cair",
		Walkin: &event.WalkinForm{Name: "Siti Aminah", NIK: "1971 0157 0890 0003",
			Address: "Jl. Depati Amir No. 12, Pangkalpinang", Phone: "0" + phone[2:]},
		Attachments: []event.Attachment{{Kind: event.AttachmentImage, MIME: "image/jpeg", Caption: "ktp", SHA256: "0c", ObjectKey: "sha256/0c"}}}
	walkin.ExternalID = walkin.ID
	res, err := h.svc.Handle(ctx, walkin)
	if err != nil || res.Ticket == "" {
		t.Fatalf("walk-in not submitted: %+v %v", res, err)
	}
	// The form's fields are the reporter's identity as typed, the NIK
	// normalized; the complaint is the text alone.
	desk, err := h.st.FindConversation(ctx, store.ConversationKey{Channel: "walkin", Account: "kantor", Key: "walkin-1"})
	if err != nil {
		t.Fatal(err)
	}
	if r := desk.Reporter; r.Name != "Siti Aminah" || r.NIK != "1971015708900003" ||
		r.Address != "Jl. Depati Amir No. 12, Pangkalpinang" || r.Phone != "+"+phone || !r.KTPPhoto {
		t.Errorf("walk-in reporter %+v", r)
	}
	if cp, err := h.st.ComplaintByTicket(ctx, res.Ticket); err != nil || cp.Text != walkin.Text {
		t.Errorf("walk-in complaint text %q (%v), want the form's complaint alone", cp.Text, err)
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
	if _, err := h.st.FindConversation(ctx, store.ConversationKey{Channel: "whatsapp", Account: "6281100000000", Key: "98765432101234"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the LID chat has a conversation of its own (%v); want it in the phone chat's, %d", err, byPhone.ID)
	}
}

// A WhatsApp chat that moves between the phone number and LID addressing,
// either way, while a report is being collected: the next message goes on
// with the same draft in the same conversation, of the same reporter, and
// completes the report there.
func TestLIDMoveKeepsConversation(t *testing.T) {
	const (
		phone = "6281234500051"
		lid   = "12345678901234"
	)
	byLID := func(text string) *event.Inbound {
		m := wa(lid, text)
		m.Sender.ID = lid + "@lid"
		m.Sender.Phone = "+" + phone // SenderAlt, or whatsmeow's LID map
		return m
	}
	const draft = "Bantuan PKH ibu saya sudah 3 bulan tidak cair"
	rest := "Nama: Siti Aminah\nNIK: 1971015708900003\nAlamat: Jl. Depati Amir No. 12, Pangkalpinang"
	for _, tc := range []struct {
		name        string
		first, next *event.Inbound
	}{
		{"phone then LID", wa(phone, draft), byLID(rest)},
		{"LID then phone", byLID(draft), wa(phone, rest)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			ctx := context.Background()
			first, err := h.svc.Handle(ctx, tc.first)
			if err != nil || first.Ticket != "" {
				t.Fatalf("first message: %+v %v", first, err)
			}
			tc.next.Attachments = []event.Attachment{{Kind: event.AttachmentImage, MIME: "image/jpeg", Caption: "ini ktp saya",
				SHA256: "0d", ObjectKey: "sha256/0d"}}
			next, err := h.svc.Handle(ctx, tc.next)
			if err != nil {
				t.Fatal(err)
			}
			if next.ConversationID != first.ConversationID {
				t.Fatalf("the next message went to conversation %d, the first to %d", next.ConversationID, first.ConversationID)
			}
			if next.Ticket == "" {
				t.Fatalf("the report is not complete: %q", next.Replies)
			}
			f, err := h.st.ComplaintFile(ctx, next.Ticket)
			if err != nil {
				t.Fatal(err)
			}
			if f.Text != draft {
				t.Errorf("complaint text %q, want the first message's %q", f.Text, draft)
			}
			for _, key := range []string{phone, lid} {
				v, err := h.st.FindConversation(ctx, store.ConversationKey{Channel: "whatsapp", Account: "6281100000000", Key: key})
				switch {
				case key == tc.first.ConversationKey && (err != nil || int64(v.ID) != first.ConversationID):
					t.Errorf("the first chat's conversation: %v", err)
				case key != tc.first.ConversationKey && !errors.Is(err, store.ErrNotFound):
					t.Errorf("chat %s has a conversation of its own: %v", key, err)
				}
			}
			// An edit of the moved chat's message finds the conversation too (the inbox is told).
			edit := *tc.next
			edit.ID, edit.ExternalID, edit.EditOf, edit.Attachments = event.NewID(), "WA"+event.NewID(), tc.next.ExternalID, nil
			if res, err := h.svc.Handle(ctx, &edit); err != nil || res.ConversationID != first.ConversationID {
				t.Errorf("edit: %+v %v, want conversation %d", res, err, first.ConversationID)
			}
			// And the reporter is one: STATUS from either address knows the ticket.
			for _, m := range []*event.Inbound{wa(phone, "STATUS"), byLID("STATUS")} {
				res, err := h.svc.Handle(ctx, m)
				if err != nil {
					t.Fatal(err)
				}
				if all := strings.Join(res.Replies, "\n"); !strings.Contains(all, next.Ticket) {
					t.Errorf("STATUS from %s: %q", m.Sender.ID, res.Replies)
				}
			}
		})
	}
}
