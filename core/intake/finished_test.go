package intake

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/aduan-gateway/aduan/core/workflow"
	"github.com/aduan-gateway/aduan/store"
)

// TestNewComplaintAfterResolution: while a complaint is open a message adds
// to it; once it is resolved, the survey answer is taken first, thanks and
// a status question get answers about the finished complaint, and a new
// complaint becomes a second complaint of the same reporter, the first one
// getting nothing more.
func TestNewComplaintAfterResolution(t *testing.T) {
	h, svc := surveyHarness(t)
	ctx := context.Background()
	const from = "6281234500051"
	const first = "Bantuan PKH ibu saya sudah 3 bulan tidak cair"
	ticket := h.submitReport(from, "Nama: Siti Aminah\nNIK: 1971015708900003\n"+
		"Alamat: Jl. Depati Amir No. 12, Pangkalpinang\n"+first)
	const addition = "rekening ibu saya di BRI unit Sungailiat"
	res, err := h.svc.Handle(ctx, wa(from, addition))
	if err != nil || !strings.Contains(strings.Join(res.Replies, ""), "sudah kami tambahkan ke laporan "+ticket) {
		t.Fatalf("addition while open answered %q (%v)", res.Replies, err)
	}
	h.resolve(svc, ticket)

	const second = "bantuan BPNT mak sy lah 2 bulan dak masuk ke kartu"
	steps := []struct {
		say   string
		reply []string
		isNew bool // the message files a new complaint
	}{
		{"3 lumayan pak", []string{"3 dari 4"}, false},
		{"makasih pak 🙏", []string{"Sama-sama", ticket + " sudah selesai"}, false},
		{"cek status laporan sy", []string{ticket + ": selesai ditangani", "Rekening diaktifkan kembali; bantuan sudah cair."}, false},
		{"pak " + second, []string{ticket + " sudah selesai", "laporan baru"}, true},
	}
	var newTicket string
	for _, st := range steps {
		res, err := h.svc.Handle(ctx, wa(from, st.say))
		if err != nil {
			t.Fatal(err)
		}
		reply := strings.Join(res.Replies, "\n")
		for _, s := range st.reply {
			if !strings.Contains(reply, s) {
				t.Errorf("%q answered %q, want %q", st.say, reply, s)
			}
		}
		if strings.Contains(reply, "sedang kami proses") {
			t.Errorf("%q answered %q: the finished complaint is said to be in progress", st.say, reply)
		}
		if (res.Ticket != "") != st.isNew || res.Ticket == ticket {
			t.Errorf("%q filed ticket %q", st.say, res.Ticket)
		}
		if st.isNew {
			newTicket = res.Ticket
			if !strings.Contains(reply, newTicket) {
				t.Errorf("the reply does not give the new ticket %s: %q", newTicket, reply)
			}
		}
	}
	if newTicket == "" {
		t.Fatal("no new complaint")
	}

	var old, fresh *store.ComplaintState
	err = h.st.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if old, err = tx.LockComplaint(ctx, ticket); err != nil {
			return err
		}
		fresh, err = tx.LockComplaint(ctx, newTicket)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if old.Text != first || old.Status != workflow.Resolved {
		t.Errorf("first complaint now %q in %s, want %q untouched and resolved", old.Text, old.Status, first)
	}
	if fresh.Text != second || fresh.Status != workflow.AwaitingVerification || fresh.Reporter != old.Reporter ||
		fresh.Conversation != old.Conversation {
		t.Errorf("second complaint %q in %s, reporter %d, conversation %d; want %q awaiting verification, reporter %d, conversation %d",
			fresh.Text, fresh.Status, fresh.Reporter, fresh.Conversation, second, old.Reporter, old.Conversation)
	}
	rows, err := h.conn().Query(ctx, `SELECT a.text FROM complaint_additions a JOIN complaints c ON c.id = a.complaint_id
		WHERE c.ticket = $1`, ticket)
	if err != nil {
		t.Fatal(err)
	}
	added, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(added, []string{addition}) {
		t.Errorf("additions to the first complaint %q, want only the one sent while it was open", added)
	}
}
