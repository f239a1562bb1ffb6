package meta

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/aduan-gateway/aduan/core/beritaacara"
	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/bus/bustest"
	"github.com/aduan-gateway/aduan/core/calendar"
	"github.com/aduan-gateway/aduan/core/complaint"
	"github.com/aduan-gateway/aduan/core/dialog"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/intake"
	"github.com/aduan-gateway/aduan/core/workflow"
	"github.com/aduan-gateway/aduan/store"
	"github.com/aduan-gateway/aduan/store/pgtest"
)

// TestEndToEndMessengerAsksForPhone runs the whole path: a signed Messenger
// webhook with a citizen's identity and KTP photo but no phone number, the
// real core on PostgreSQL, and the sender; the Graph API fake must receive
// a reply to that PSID asking for the phone number.
// e2e is the whole path: webhook, the real core on PostgreSQL, the sender
// and a Graph API fake.
type e2e struct {
	ctx   context.Context
	st    *store.Store
	graph *graphFake
	h     *harness
	cdn   *cdnFake
	// unread are the replies taken from the fake that no waitReply has
	// matched yet: two replies can arrive in one poll.
	unread []graphRequest
}

func startEndToEnd(t *testing.T) *e2e {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	st, err := store.Open(ctx, pgtest.URL(t), bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)

	cfg := testConfig("")
	graph := newGraphFake(t, cfg.Pages)
	cfg.GraphURL = graph.URL()
	h := newHarness(t, cfg)
	h.runFetcher(t)
	cdn := newCDNFake(t)

	tpl, err := dialog.LoadTemplates("")
	if err != nil {
		t.Fatal(err)
	}
	core := intake.New(st, dialog.New(tpl, nil), intake.Options{Log: zerolog.Nop()})
	sender := NewSender(cfg, h.b, SenderOptions{Options: Options{Log: bustest.Logger(t)}})
	run := func(f func(context.Context) error) {
		done := make(chan struct{})
		go func() {
			defer close(done)
			if err := f(ctx); err != nil {
				t.Error(err)
			}
		}()
		t.Cleanup(func() { cancel(); <-done })
	}
	run(func(ctx context.Context) error { return core.Run(ctx, h.b, bus.ConsumerSpec{}) })
	run(func(ctx context.Context) error { return core.RunDelivery(ctx, h.b) })
	run(sender.Run)

	return &e2e{ctx: ctx, st: st, graph: graph, h: h, cdn: cdn}
}

// sendIdentityWithoutPhone posts a signed webhook with a citizen's complaint,
// identity and KTP photo but no phone number, and waits for both messages.
func (e *e2e) sendIdentityWithoutPhone(t *testing.T) {
	t.Helper()
	body := bytes.Replace(readTestdata(t, "messenger_identity_no_phone.json"),
		[]byte("https://scontent.xx.fbcdn.net/v/t1.15752-9/"), []byte(e.cdn.srv.URL+"/ktp.jpg/"), 1)
	if code := e.h.postSigned(body); code != http.StatusOK {
		t.Fatalf("webhook answered %d, want 200", code)
	}
	for _, m := range []string{mid("30"), mid("31")} {
		bustest.Eventually(t, 10*time.Second, func() bool {
			_, err := e.st.InboundByExternalID(e.ctx, event.ChannelMessenger, pageID, m)
			return err == nil
		})
	}
}

// waitReply waits for a message to the citizen whose text satisfies ok.
func (e *e2e) waitReply(t *testing.T, ok func(text string) bool) graphRequest {
	t.Helper()
	var got graphRequest
	bustest.Eventually(t, 10*time.Second, func() bool {
		e.unread = append(e.unread, e.graph.take()...)
		for i, r := range e.unread {
			if text, _ := r.Message["text"].(string); ok(text) {
				got = r
				e.unread = append(e.unread[:i], e.unread[i+1:]...)
				return true
			}
		}
		return false
	})
	return got
}

func TestEndToEndMessengerAsksForPhone(t *testing.T) {
	e := startEndToEnd(t)
	e.sendIdentityWithoutPhone(t)
	// The photo is processed after the text (it waits for its download),
	// so the last reply is the one that knows about the KTP.
	ask := e.waitReply(t, func(text string) bool {
		return strings.Contains(text, "nomor HP/WhatsApp") && !strings.Contains(text, "foto KTP")
	})
	if ask.Recipient["id"] != psid || ask.Form.Get("messaging_type") != "RESPONSE" || ask.Account != pageID {
		t.Fatalf("reply went to %v (%s, token of %s); want PSID %s, RESPONSE, page %s",
			ask.Recipient, ask.Form.Get("messaging_type"), ask.Account, psid, pageID)
	}
	// The core records the sent report on its stored reply.
	outboundID := strings.TrimPrefix(ask.Message["metadata"].(string), metadataPrefix)
	bustest.Eventually(t, 10*time.Second, func() bool {
		d, err := e.st.DeliveryOf(e.ctx, outboundID)
		return err == nil && d.Status == "sent" && strings.HasPrefix(d.PlatformID, "m_fake")
	})
}

// TestEndToEndWorkflowMessages carries a Messenger complaint from the
// citizen's first message to the archive: the citizen completes the report,
// the verifier classifies it, the koordinator follows it up and resolves it,
// the admin archives it; the Graph API fake must deliver the due date and the
// result to the citizen on Messenger.
func TestEndToEndWorkflowMessages(t *testing.T) {
	e := startEndToEnd(t)
	e.sendIdentityWithoutPhone(t)
	e.waitReply(t, func(text string) bool {
		return strings.Contains(text, "nomor HP/WhatsApp") && !strings.Contains(text, "foto KTP")
	})
	now := time.Now()
	phone := &event.Inbound{ID: event.NewID(), Channel: event.ChannelMessenger, Account: pageID, ExternalID: mid("32"),
		ConversationKey: psid, Sender: event.Sender{ID: psid}, Text: "No HP saya 081234567890", SentAt: now, ReceivedAt: now}
	if _, err := e.h.b.PublishEvent(e.ctx, phone, event.InboundSubject(phone.Channel), event.MsgID(phone.Channel, pageID, phone.ExternalID)); err != nil {
		t.Fatal(err)
	}
	var ticket string
	bustest.Eventually(t, 10*time.Second, func() bool {
		list, err := e.st.ListComplaints(e.ctx, store.ComplaintFilter{})
		if err == nil && len(list) == 1 {
			ticket = list[0].Ticket
		}
		return ticket != ""
	})
	e.waitReply(t, func(text string) bool { return strings.Contains(text, ticket) })

	if _, err := e.st.CreateUser(e.ctx, "kiki", "x", "koordinator"); err != nil {
		t.Fatal(err)
	}
	svc := complaint.New(calendar.Embedded(), complaint.Options{BeritaAcara: beritaacara.Render})
	steps := []complaint.Request{
		{Action: workflow.Verify, Actor: workflow.Actor{Name: "vera", Role: workflow.RoleVerifikator}, Class: workflow.ClassB, Category: "pkh"},
		{Action: workflow.FollowUp, Actor: workflow.Actor{Name: "kiki", Role: workflow.RoleKoordinator}, Text: "Data KPM dicek ke Kemensos."},
		{Action: workflow.Resolve, Actor: workflow.Actor{Name: "kiki", Role: workflow.RoleKoordinator}, Text: "Bantuan PKH tahap berikutnya sudah cair."},
		{Action: workflow.Archive, Actor: workflow.Actor{Name: "ani", Role: workflow.RoleAdmin}},
	}
	var due string
	for _, req := range steps {
		req.Ticket = ticket
		out, err := svc.Act(e.ctx, e.st, req)
		if err != nil {
			t.Fatalf("%s: %v", req.Action, err)
		}
		if req.Action == workflow.Verify {
			d, err := calendar.ParseDate(out.Complaint.DueDate)
			if err != nil {
				t.Fatal(err)
			}
			due = d.Long()
			// "Selasa, 31 Maret 2026": the message names the date without the day.
			due = due[strings.Index(due, ", ")+2:]
		}
	}
	verified := e.waitReply(t, func(text string) bool { return strings.Contains(text, "diverifikasi") })
	if text := verified.Message["text"].(string); !strings.Contains(text, due) || !strings.Contains(text, "kelas B") {
		t.Errorf("verification message %q lacks the due date %s or the class", text, due)
	}
	if verified.Recipient["id"] != psid || verified.Account != pageID {
		t.Errorf("verification message went to %v on %s", verified.Recipient, verified.Account)
	}
	e.waitReply(t, func(text string) bool { return strings.Contains(text, "Bantuan PKH tahap berikutnya sudah cair.") })
	c, err := e.st.ComplaintFile(e.ctx, ticket)
	if err != nil || c.Status != workflow.Archived || c.BeritaAcara == "" {
		t.Fatalf("archived complaint: %+v, %v", c, err)
	}
}
