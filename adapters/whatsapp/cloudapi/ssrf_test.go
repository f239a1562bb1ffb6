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
	r, err := NewReceiver(context.Background(), cfg, b, testOptions(now))
	if err != nil {
		t.Fatal(err)
	}
	run(t, func(ctx context.Context) error { return r.RunFetcher(ctx, 1) })
	in := newReader(t, b, bus.StreamInbound, event.InboundSubject(event.ChannelWhatsApp))
	if err := r.Handle(context.Background(), readTestdata(t, "image.json")); err != nil {
		t.Fatal(err)
	}
	var got event.Inbound
	in.next(&got)
	if a := got.Attachments[0]; a.ObjectKey != "" || !strings.Contains(a.Error, safefetch.ErrRefusedAddress.Error()) {
		t.Fatalf("attachment %+v, want the download refused", a)
	}
}
