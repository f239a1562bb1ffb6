package intake

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/store"
	"github.com/jackc/pgx/v5"
)

// TestParallelIntakeKeepsEachReportersOrder: two core processes share the
// partitions; many reporters each send three messages, published
// interleaved. Every message is stored once, with one reply, and each
// reporter's messages are stored in the order they were sent. Then one core
// stops, and the other takes every later message.
func TestParallelIntakeKeepsEachReportersOrder(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	var handled [2]atomic.Int32
	stops := make([]context.CancelFunc, 2)
	for i := range 2 {
		svc := New(h.st, h.svc.dialog, Options{Now: h.svc.now})
		svc.afterCommit = func(*event.Inbound) { handled[i].Add(1) }
		stops[i] = h.startStoppable(svc)
	}
	const reporters = 30
	script := []string{
		"Bantuan PKH keluarga saya belum cair sejak bulan lalu",
		"Nama: Siti Aminah",
		"Alamat: Jl. Merdeka 7, Sungailiat",
	}
	var sent [][]*event.Inbound
	publishRound := func(prefix string, texts []string) {
		round := make([][]*event.Inbound, reporters)
		for _, text := range texts {
			for r := range reporters {
				m := wa(fmt.Sprintf("62812%s%05d", prefix, r), text)
				round[r] = append(round[r], m)
				if _, err := h.bus.PublishEvent(ctx, m, m.Subject(), m.MsgID()); err != nil {
					t.Fatal(err)
				}
			}
		}
		sent = append(sent, round...)
	}
	total := func() int { return int(handled[0].Load() + handled[1].Load()) }

	publishRound("1", script)
	eventually(t, 60*time.Second, "first round handled", func() bool { return total() == reporters*len(script) })

	stops[0]()
	before := handled[0].Load()
	publishRound("2", script[:1])
	eventually(t, 60*time.Second, "second round handled by the survivor", func() bool {
		return total() == reporters*(len(script)+1)
	})
	if handled[0].Load() != before {
		t.Errorf("the stopped core handled %d messages", handled[0].Load()-before)
	}

	for _, msgs := range sent {
		var last store.MessageID
		for i, m := range msgs {
			stored, err := h.st.InboundByExternalID(ctx, m.Channel, m.Account, m.ExternalID)
			if err != nil {
				t.Fatalf("message %d of %s: %v", i, m.ConversationKey, err)
			}
			if stored.ID <= last {
				t.Errorf("reporter %s: message %d stored before the one sent ahead of it", m.ConversationKey, i)
			}
			last = stored.ID
			if replies, _ := h.st.RepliesTo(ctx, stored.ID); len(replies) != 1 {
				t.Errorf("reporter %s message %d: %d replies, want 1", m.ConversationKey, i, len(replies))
			}
		}
	}
	eventually(t, 10*time.Second, "intake caught up", func() bool {
		lag, err := h.bus.Lag(ctx, bus.StreamInbound, ConsumerName)
		return err == nil && lag == 0
	})
}

// TestPoisonMessageInABatch: a message that keeps failing (an edit of a
// message never stored) waits in INBOUND with a reporter's other messages.
// They are committed; it alone is dead-lettered.
func TestPoisonMessageInABatch(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	const from = "6281234500077"
	poison := wa(from, "ralat")
	poison.EditOf = "WA-NEVER-STORED"
	msgs := []*event.Inbound{
		wa(from, "Bantuan PKH keluarga saya belum cair sejak bulan lalu"),
		poison,
		wa(from, "Nama: Siti Aminah"),
		wa(from, "Alamat: Jl. Merdeka 7, Sungailiat"),
	}
	dl, err := h.bus.Conn().SubscribeSync(bus.DeadLetterSubject(bus.StreamInbound, ConsumerName))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if _, err := h.bus.PublishEvent(ctx, m, m.Subject(), m.MsgID()); err != nil {
			t.Fatal(err)
		}
	}
	h.start(h.svc) // the four wait together: one batch
	dead, err := dl.NextMsg(60 * time.Second)
	if err != nil {
		t.Fatalf("poison message not dead-lettered: %v", err)
	}
	var got event.Inbound
	if err := event.Unmarshal(dead.Data, &got); err != nil || got.ExternalID != poison.ExternalID {
		t.Fatalf("dead letter %s (err %v), want the poison message", got.ExternalID, err)
	}
	for _, m := range []*event.Inbound{msgs[0], msgs[2], msgs[3]} {
		if _, err := h.st.InboundByExternalID(ctx, m.Channel, m.Account, m.ExternalID); err != nil {
			t.Errorf("message %q not stored: %v", m.Text, err)
		}
	}
}

// A batch commits right after a message that took a ticket number, so the
// year's counter row is free while the rest of the batch is handled: here the
// rest waits on a conversation row the test holds, and meanwhile the report
// is committed and the counter can be locked by another transaction.
func TestBatchCommitsAfterATicket(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	const reporter, other = "6281234500081", "6281234500082"
	if _, err := h.svc.Handle(ctx, wa(reporter, "Nama: Siti Aminah\nNIK: 1971015708900003\n"+
		"Alamat: Jl. Depati Amir No. 12, Pangkalpinang\nBantuan PKH ibu saya sudah 3 bulan tidak cair")); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.Handle(ctx, wa(other, "Bantuan BPNT kami belum cair")); err != nil {
		t.Fatal(err)
	}
	ktp := wa(reporter, "ini ktp saya")
	ktp.Attachments = []event.Attachment{{Kind: event.AttachmentImage, MIME: "image/jpeg", Caption: "ktp", SHA256: "0b", ObjectKey: "sha256/0b"}}
	next := wa(other, "Nama: Hendra Gunawan")

	db, err := pgx.Connect(ctx, h.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	hold, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Rollback(ctx)
	if _, err := hold.Exec(ctx, `SELECT 1 FROM conversations WHERE conversation_key = $1 FOR UPDATE`, other); err != nil {
		t.Fatal(err)
	}

	type outcome struct {
		res []Result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := h.svc.HandleBatch(ctx, []*event.Inbound{ktp, next})
		done <- outcome{res, err}
	}()
	eventually(t, 30*time.Second, "the report committed while the batch waits", func() bool {
		list, err := h.st.ListComplaints(ctx, store.ComplaintFilter{})
		return err == nil && len(list) == 1
	})
	probe, err := pgx.Connect(ctx, h.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer probe.Close(ctx)
	var n int
	if err := probe.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM ticket_counters FOR UPDATE NOWAIT) c`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("ticket counter still locked by the waiting batch (%d rows, %v)", n, err)
	}
	select {
	case o := <-done:
		t.Fatalf("batch finished while its second message's conversation was held: %+v, %v", o.res, o.err)
	default:
	}
	if err := hold.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	o := <-done
	if o.err != nil || len(o.res) != 2 || o.res[0].Ticket == "" || o.res[1].Ticket != "" {
		t.Fatalf("batch results %+v, %v", o.res, o.err)
	}
	if _, err := h.st.InboundByExternalID(ctx, next.Channel, next.Account, next.ExternalID); err != nil {
		t.Fatalf("second message not stored: %v", err)
	}
}
