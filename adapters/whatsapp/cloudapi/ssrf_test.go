package cloudapi

import (
	"context"
	"strings"
	"testing"

	"github.com/aduan-gateway/aduan/adapters/internal/safefetch"
	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/bus/bustest"
	"github.com/aduan-gateway/aduan/core/event"
)

// TestMediaDownloadRefusesPrivateAddresses: the Graph API is where the
// configuration says, but the download URL it answers is not fetched from
// a loopback address unless ADUAN_FETCH_ALLOW_PRIVATE is set; the message
// is delivered with the refusal on its attachment.
func TestMediaDownloadRefusesPrivateAddresses(t *testing.T) {
	b := bustest.New(t)
	g := newGraphFake(t)
	cfg := testConfig(g.srv.URL)
	cfg.Meta.FetchAllowPrivate = false
	r := NewReceiver(cfg, b, testOptions(now))
	run(t, func(ctx context.Context) error { return r.RunFetcher(ctx) })
	in := newReader(t, b, bus.StreamInbound, bus.InboundFilter(event.ChannelWhatsApp))
	if err := r.Handle(context.Background(), readTestdata(t, "image.json")); err != nil {
		t.Fatal(err)
	}
	var got event.Inbound
	in.next(&got)
	if a := got.Attachments[0]; a.ObjectKey != "" || !strings.Contains(a.Error, safefetch.ErrRefusedAddress.Error()) {
		t.Fatalf("attachment %+v, want the download refused", a)
	}
}

// TestMessageForOtherNumberRejected: a signed change addressed to a phone
// number id that is not ours starts no conversation; the body is kept as
// rejected input with the reason.
func TestMessageForOtherNumberRejected(t *testing.T) {
	b := bustest.New(t)
	g := newGraphFake(t)
	r := NewReceiver(testConfig(g.srv.URL), b, testOptions(now))
	in := newReader(t, b, bus.StreamInbound, bus.InboundFilter(event.ChannelWhatsApp))
	rej := newReader(t, b, bus.StreamRejected, event.RejectedSubject(event.ChannelWhatsApp))
	body := strings.Replace(string(readTestdata(t, "text.json")), phoneNumberID, "999999999999999", 1)
	if err := r.Handle(context.Background(), []byte(body)); err != nil {
		t.Fatal(err)
	}
	var got event.Rejected
	rej.next(&got)
	if !strings.Contains(got.Reason, `phone number id "999999999999999" is not the configured one`) {
		t.Fatalf("rejected with reason %q", got.Reason)
	}
	in.none()
}
