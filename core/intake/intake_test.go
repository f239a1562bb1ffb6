package intake

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/bus/bustest"
	"github.com/aduan-gateway/aduan/core/calendar"
	"github.com/aduan-gateway/aduan/core/complaint"
	"github.com/aduan-gateway/aduan/core/dialog"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/workflow"
	"github.com/aduan-gateway/aduan/store"
	"github.com/aduan-gateway/aduan/store/pgtest"
)

// eventually polls cond until it holds or the timeout passes.
func eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type harness struct {
	t     testing.TB
	st    *store.Store
	bus   *bus.Bus
	svc   *Service
	clock time.Time
	dbURL string
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	ctx := context.Background()
	// A database per test: ticket numbers and counts start from zero.
	dbURL := pgtest.URL(t)
	st, err := store.Open(ctx, dbURL, bytes.Repeat([]byte{1}, 32))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	tpl, err := dialog.LoadTemplates("")
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, st: st, bus: bustest.New(t), clock: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC), dbURL: dbURL}
	h.svc = New(st, dialog.New(tpl, nil), Options{Log: zerolog.Nop(), Now: func() time.Time { return h.clock }})
	return h
}

// start runs svc on its own NATS connection (so a test can cut it like a
// crash) until the test ends.
func (h *harness) start(svc *Service) *bus.Bus {
	h.t.Helper()
	conn, _ := h.run(svc)
	return conn
}

// startStoppable starts svc like start and returns what stops it, as a
// process shutting down does, and waits for it.
func (h *harness) startStoppable(svc *Service) (stop func()) {
	h.t.Helper()
	_, stop = h.run(svc)
	return stop
}

func (h *harness) run(svc *Service) (*bus.Bus, func()) {
	h.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	conn, err := bus.Open(ctx, h.bus.ClientConfig(), bustest.Logger(h.t))
	if err != nil {
		h.t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := svc.Run(ctx, conn, busSpecFast()); err != nil {
			h.t.Error(err)
		}
	}()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			<-done
			conn.Close()
		})
	}
	h.t.Cleanup(stop)
	return conn, stop
}

func wa(from, text string) *event.Inbound {
	return &event.Inbound{
		ID: event.NewID(), Channel: event.ChannelWhatsApp, Account: "6281100000000",
		ExternalID:      "WA" + strings.ToUpper(event.NewID()),
		ConversationKey: from, Sender: event.Sender{ID: from, Name: "Siti", Phone: "+" + from},
		Text: text, ReceivedAt: time.Now(),
	}
}

// send publishes m as an adapter would and returns the replies once the core
// has committed it.
func (h *harness) send(m *event.Inbound) []string {
	h.t.Helper()
	ctx := context.Background()
	if _, err := h.bus.PublishEvent(ctx, m, m.Subject(), m.MsgID()); err != nil {
		h.t.Fatal(err)
	}
	var stored *store.Message
	eventually(h.t, 30*time.Second, "message "+m.ExternalID+" stored", func() bool {
		var err error
		stored, err = h.st.InboundByExternalID(ctx, m.Channel, m.Account, m.ExternalID)
		return err == nil
	})
	replies, err := h.st.RepliesTo(ctx, stored.ID)
	if err != nil {
		h.t.Fatal(err)
	}
	texts := make([]string, len(replies))
	for i, r := range replies {
		texts[i] = r.Text
	}
	return texts
}

func mustContain(t *testing.T, replies []string, want ...string) {
	t.Helper()
	all := strings.ToLower(strings.Join(replies, "\n"))
	for _, w := range want {
		if !strings.Contains(all, strings.ToLower(w)) {
			t.Fatalf("replies lack %q:\n%s", w, strings.Join(replies, "\n---\n"))
		}
	}
}

func TestWalkthrough(t *testing.T) {
	h := newHarness(t)
	h.start(h.svc)
	ctx := context.Background()
	outbound, err := h.bus.Conn().SubscribeSync(event.OutboundSubject(event.ChannelWhatsApp))
	if err != nil {
		t.Fatal(err)
	}
	submitted, err := h.bus.Conn().SubscribeSync(event.ComplaintSubject(event.ComplaintSubmitted))
	if err != nil {
		t.Fatal(err)
	}
	const from = "6281234567890"

	r := h.send(wa(from, "Halo min, bantuan PKH ibu saya sudah 3 bulan tidak cair"))
	mustContain(t, r, "nama", "NIK", "alamat", "KTP")
	r = h.send(wa(from, "Nama: Siti Aminah\nNIK: 1971 0157 0890 0003\nAlamat: Jl. Depati Amir No. 12, Pangkalpinang"))
	mustContain(t, r, "KTP")
	if strings.Contains(strings.Join(r, ""), "1971015708900003") {
		t.Fatalf("reply repeats the NIK in clear: %v", r)
	}
	img := wa(from, "")
	img.Attachments = []event.Attachment{{Kind: event.AttachmentImage, MIME: "image/jpeg", Filename: "ktp.jpg",
		Size: 10, SHA256: "00", ObjectKey: "sha256/00"}}
	r = h.send(img)
	mustContain(t, r, "ADU-2026-000001", "verifikasi")
	r = h.send(wa(from, "status adu-2026-000001"))
	mustContain(t, r, "menunggu verifikasi")

	c, err := h.st.ComplaintByTicket(ctx, "ADU-2026-000001")
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != workflow.AwaitingVerification || c.ReporterName != "Siti Aminah" ||
		c.NIKMasked != "1971xxxxxxxx0003" || !strings.Contains(c.Text, "PKH") {
		t.Fatalf("complaint = %+v", c)
	}

	// The replies and the complaint event left through the outbox to NATS.
	for i := range 4 {
		msg, err := outbound.NextMsg(5 * time.Second)
		if err != nil {
			t.Fatalf("outbound reply %d not published: %v", i, err)
		}
		var ob event.Outbound
		if err := event.Unmarshal(msg.Data, &ob); err != nil || ob.Recipient != from {
			t.Fatalf("outbound %d: %+v, %v", i, ob, err)
		}
	}
	msg, err := submitted.NextMsg(5 * time.Second)
	if err != nil {
		t.Fatalf("complaint.submitted not published: %v", err)
	}
	var ce event.Complaint
	if err := event.Unmarshal(msg.Data, &ce); err != nil || ce.Ticket != "ADU-2026-000001" {
		t.Fatalf("complaint event %+v, %v", ce, err)
	}
	if bytes.Contains(msg.Data, []byte("1971015708900003")) || bytes.Contains(msg.Data, []byte(from)) {
		t.Fatalf("complaint event carries personal data: %s", msg.Data)
	}
}

func TestSameExternalIDTwice(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	m := wa("6281234500001", "Bantuan BPNT keluarga saya dihentikan tanpa alasan")
	first, err := h.svc.Handle(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	again := *m
	again.ID = event.NewID() // a retried webhook gets a new event id, same external id
	second, err := h.svc.Handle(ctx, &again)
	if err != nil {
		t.Fatal(err)
	}
	if first.Duplicate || len(first.Replies) == 0 || !second.Duplicate || len(second.Replies) != 0 {
		t.Fatalf("first %+v, second %+v", first, second)
	}
	// And through NATS: the second publish is dropped by JetStream already.
	h.start(h.svc)
	m2 := wa("6281234500002", "Lansia di desa kami terlantar tidak ada yang mengurus")
	if dup, err := h.bus.PublishEvent(ctx, m2, m2.Subject(), m2.MsgID()); err != nil || dup {
		t.Fatalf("first publish: dup %v, err %v", dup, err)
	}
	if dup, err := h.bus.PublishEvent(ctx, m2, m2.Subject(), m2.MsgID()); err != nil || !dup {
		t.Fatalf("second publish: dup %v, err %v", dup, err)
	}
	r := h.send(m2)
	view, err := h.st.FindConversation(ctx, store.ConversationKey{Channel: "whatsapp", Account: m2.Account, Key: m2.ConversationKey})
	if err != nil {
		t.Fatal(err)
	}
	in, _ := h.st.CountMessages(ctx, view.ID, "in")
	out, _ := h.st.CountMessages(ctx, view.ID, "out")
	if in != 1 || out != len(r) || len(r) == 0 {
		t.Fatalf("stored %d in, %d out, replies %v", in, out, r)
	}
}

func TestCrashBetweenCommitAndAck(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	// Build a reporter whose next message completes the report, so a second
	// run of it would create a second complaint.
	const from = "6281234500003"
	for _, text := range []string{
		"Bantuan PKH ibu saya sudah 3 bulan tidak cair",
		"Nama: Rina Marlina\nNIK: 1901054506850002\nAlamat: Jl. Sudirman 5, Sungailiat",
	} {
		if _, err := h.svc.Handle(ctx, wa(from, text)); err != nil {
			t.Fatal(err)
		}
	}

	var deliveries atomic.Int32
	var crashConn *bus.Bus
	crashing := New(h.st, h.svc.dialog, Options{Log: zerolog.Nop(), Now: h.svc.now, AfterCommit: func(*event.Inbound) {
		deliveries.Add(1)
		crashConn.Conn().Close() // the process dies: its ack never reaches the server
	}})
	crashConn = h.start(crashing)

	ktp := wa(from, "ini foto ktp saya")
	ktp.Attachments = []event.Attachment{{Kind: event.AttachmentImage, MIME: "image/jpeg", SHA256: "01", ObjectKey: "sha256/01"}}
	if _, err := h.bus.PublishEvent(ctx, ktp, ktp.Subject(), ktp.MsgID()); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "first delivery committed", func() bool { return deliveries.Load() == 1 })

	// A healthy core takes over the durable consumer and gets the redelivery.
	var redelivered atomic.Int32
	healthy := New(h.st, h.svc.dialog, Options{Log: zerolog.Nop(), Now: h.svc.now,
		AfterCommit: func(*event.Inbound) { redelivered.Add(1) }})
	h.start(healthy)
	eventually(t, 60*time.Second, "redelivery handled", func() bool { return redelivered.Load() == 1 })

	n, err := h.st.CountComplaints(ctx)
	if err != nil || n != 1 {
		t.Fatalf("%d complaints (err %v), want 1", n, err)
	}
	stored, err := h.st.InboundByExternalID(ctx, "whatsapp", ktp.Account, ktp.ExternalID)
	if err != nil {
		t.Fatal(err)
	}
	replies, _ := h.st.RepliesTo(ctx, stored.ID)
	if len(replies) != 1 {
		t.Fatalf("%d replies to the KTP message, want 1", len(replies))
	}
	eventually(t, 10*time.Second, "message acknowledged", func() bool {
		lag, err := h.bus.Lag(ctx, bus.StreamInbound, ConsumerName)
		return err == nil && lag == 0
	})
}

func TestStatusOnSomeoneElsesTicket(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	owner := "6281234500004"
	for _, text := range []string{
		"Nama: Budi Santoso\nNIK: 1971011203800005\nAlamat: Jl. Merdeka 3, Pangkalpinang\nBantuan sembako dari desa tidak pernah sampai ke rumah kami",
	} {
		if _, err := h.svc.Handle(ctx, wa(owner, text)); err != nil {
			t.Fatal(err)
		}
	}
	ktp := wa(owner, "ktp")
	ktp.Attachments = []event.Attachment{{Kind: event.AttachmentImage, MIME: "image/jpeg", Caption: "ktp", SHA256: "02", ObjectKey: "sha256/02"}}
	res, err := h.svc.Handle(ctx, ktp)
	if err != nil {
		t.Fatal(err)
	}
	if res.Ticket == "" {
		t.Fatalf("owner's report not submitted: %+v", res)
	}
	mine, err := h.svc.Handle(ctx, wa(owner, "STATUS "+res.Ticket))
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, mine.Replies, "menunggu verifikasi")

	other, err := h.svc.Handle(ctx, wa("6281234500005", "STATUS "+res.Ticket))
	if err != nil {
		t.Fatal(err)
	}
	all := strings.ToLower(strings.Join(other.Replies, "\n"))
	if strings.Contains(all, "menunggu verifikasi") || !strings.Contains(all, "tidak ditemukan") {
		t.Fatalf("someone else's STATUS answered: %v", other.Replies)
	}
}

func TestMalformedEventIsDeadLettered(t *testing.T) {
	h := newHarness(t)
	h.start(h.svc)
	ctx := context.Background()
	dl, err := h.bus.Conn().SubscribeSync("aduan.deadletter.>")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.bus.Publish(ctx, "aduan.inbound.whatsapp", "bad-1", []byte(`{"schema":"aduan.inbound.v1","channel":"whatsapp"}`)); err != nil {
		t.Fatal(err)
	}
	msg, err := dl.NextMsg(10 * time.Second)
	if err != nil {
		t.Fatalf("invalid event not dead-lettered: %v", err)
	}
	if msg.Header.Get("Aduan-Error") == "" {
		t.Fatalf("dead letter lacks its reason: %v", msg.Header)
	}
}

// busSpecFast lets a crashed consumer's message come back within a second.
func busSpecFast() bus.ConsumerSpec {
	return bus.ConsumerSpec{AckWait: time.Second, Backoff: []time.Duration{500 * time.Millisecond}}
}

// TestStatusFollowsTheWorkflow: STATUS names the complaint's state in words
// and, once classified, its due date; a complaint returned to the reporter
// is reopened by what they write next.
func TestStatusFollowsTheWorkflow(t *testing.T) {
	h := newHarness(t)
	h.start(h.svc)
	const from = "6281234567891"
	h.send(wa(from, "Bantuan BPNT saya bulan ini tidak masuk ke rekening"))
	h.send(wa(from, "Nama: Rudi Hartono\nNIK: 1971 0110 0590 0004\nAlamat: Jl. Sudirman No. 3, Sungailiat"))
	img := wa(from, "")
	img.Attachments = []event.Attachment{{Kind: event.AttachmentImage, MIME: "image/jpeg", Filename: "ktp.jpg",
		Size: 10, SHA256: "00", ObjectKey: "sha256/00"}}
	mustContain(t, h.send(img), "ADU-2026-000001")

	svc := complaint.New(calendar.Embedded(), complaint.Options{})
	vera := workflow.Actor{Name: "vera", Role: workflow.RoleVerifikator}
	ctx := context.Background()
	out, err := svc.Act(ctx, h.st, complaint.Request{Ticket: "ADU-2026-000001", Action: workflow.Verify, Actor: vera,
		Class: workflow.ClassB, Category: "bpnt"})
	if err != nil {
		t.Fatal(err)
	}
	due, err := calendar.ParseDate(out.Complaint.DueDate)
	if err != nil {
		t.Fatal(err)
	}
	long := fmt.Sprintf("%d %s %d", due.Day, strings.Fields(due.Long())[2], due.Year)
	mustContain(t, h.send(wa(from, "STATUS ADU-2026-000001")), "diverifikasi", long)

	h2 := newHarness(t)
	h2.start(h2.svc)
	h2.send(wa(from, "Bantuan BPNT saya bulan ini tidak masuk ke rekening"))
	h2.send(wa(from, "Nama: Rudi Hartono\nNIK: 1971 0110 0590 0004\nAlamat: Jl. Sudirman No. 3, Sungailiat"))
	h2.send(img)
	if _, err := svc.Act(ctx, h2.st, complaint.Request{Ticket: "ADU-2026-000001", Action: workflow.Return, Actor: vera,
		Reason: "Mohon sebutkan nama bank penyalur."}); err != nil {
		t.Fatal(err)
	}
	mustContain(t, h2.send(wa(from, "STATUS ADU-2026-000001")), "dikembalikan")
	h2.send(wa(from, "Bank penyalurnya BRI unit Sungailiat, rekening atas nama saya sendiri"))
	c, err := h2.st.ComplaintState(ctx, "ADU-2026-000001")
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != workflow.AwaitingVerification {
		t.Errorf("after the reporter answered: %s, want %s", c.Status, workflow.AwaitingVerification)
	}
}

// TestInboundErasedOnceCommitted: INBOUND kept every citizen's words and
// NIK for 30 days after the database had them. Once the intake committed a
// message (or dead-lettered it), its copy in the stream is erased.
func TestInboundErasedOnceCommitted(t *testing.T) {
	h := newHarness(t)
	h.start(h.svc)
	ctx := context.Background()
	h.send(wa("6281234500031", "NIK saya 1971015708900003, bantuan PKH belum cair"))
	// An event that fails validation is dead-lettered at once.
	if _, err := h.bus.Publish(ctx, event.InboundSubject(event.ChannelWhatsApp), "bad-1", []byte(`{"schema":"aduan.inbound.v1"}`)); err != nil {
		t.Fatal(err)
	}
	stream, err := h.bus.JetStream().Stream(ctx, bus.StreamInbound)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "INBOUND emptied", func() bool {
		info, err := stream.Info(ctx)
		return err == nil && info.State.Msgs == 0 && info.State.LastSeq == 2
	})
}
