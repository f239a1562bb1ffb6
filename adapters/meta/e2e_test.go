package meta

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/bus/bustest"
	"github.com/aduan-gateway/aduan/core/dialog"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/intake"
	"github.com/aduan-gateway/aduan/store"
	"github.com/aduan-gateway/aduan/store/pgtest"
)

// TestEndToEndMessengerAsksForPhone runs the whole path: a signed Messenger
// webhook with a citizen's identity and KTP photo but no phone number, the
// real core on PostgreSQL, and the sender; the Graph API fake must receive
// a reply to that PSID asking for the phone number.
func TestEndToEndMessengerAsksForPhone(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
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
	sender, err := NewSender(ctx, cfg, h.b, SenderOptions{Options: Options{Log: bustest.Logger(t)}})
	if err != nil {
		t.Fatal(err)
	}
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

	body := bytes.Replace(readTestdata(t, "messenger_identity_no_phone.json"),
		[]byte("https://scontent.xx.fbcdn.net/v/t1.15752-9/"), []byte(cdn.srv.URL+"/ktp.jpg/"), 1)
	if code := h.postSigned(body); code != http.StatusOK {
		t.Fatalf("webhook answered %d, want 200", code)
	}

	for _, m := range []string{mid("30"), mid("31")} {
		bustest.Eventually(t, 10*time.Second, func() bool {
			_, err := st.InboundByExternalID(ctx, string(event.ChannelMessenger), pageID, m)
			return err == nil
		})
	}
	// The photo is processed after the text (it waits for its download),
	// so the last reply is the one that knows about the KTP.
	var ask graphRequest
	bustest.Eventually(t, 10*time.Second, func() bool {
		for _, r := range graph.take() {
			if text, _ := r.Message["text"].(string); strings.Contains(text, "nomor HP/WhatsApp") && !strings.Contains(text, "foto KTP") {
				ask = r
				return true
			}
		}
		return false
	})
	if ask.Recipient["id"] != psid || ask.Form.Get("messaging_type") != "RESPONSE" || ask.Account != pageID {
		t.Fatalf("reply went to %v (%s, token of %s); want PSID %s, RESPONSE, page %s",
			ask.Recipient, ask.Form.Get("messaging_type"), ask.Account, psid, pageID)
	}
	// The core records the sent report on its stored reply.
	outboundID := strings.TrimPrefix(ask.Message["metadata"].(string), metadataPrefix)
	bustest.Eventually(t, 10*time.Second, func() bool {
		d, err := st.DeliveryOf(ctx, outboundID)
		return err == nil && d.Status == "sent" && strings.HasPrefix(d.PlatformID, "m_fake")
	})
}
