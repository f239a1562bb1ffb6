package bus_test

import (
	"slices"
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/core/bus/bustest"
	"github.com/aduan-gateway/aduan/core/event"
)

func TestHealth(t *testing.T) {
	ctx := t.Context()
	b := bustest.New(t)
	if hs, err := b.Healths(ctx); err != nil || len(hs) != 0 {
		t.Fatalf("fresh bucket: %v, %v", hs, err)
	}
	if _, ok, err := b.Health(ctx, event.ChannelWhatsApp, "62811"); err != nil || ok {
		t.Fatalf("unknown account: ok %v, err %v", ok, err)
	}
	at := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	for _, h := range []event.Health{
		{Channel: event.ChannelWhatsApp, Account: "62811", State: event.HealthNeedsPairing, Detail: "logged out"},
		{Channel: event.ChannelMessenger, Account: "1001", State: event.HealthOK, LastInboundAt: at},
		{Channel: event.ChannelWhatsApp, Account: "62811", State: event.HealthOK, Extra: map[string]string{"pushname": "Dinsos"}},
	} {
		if err := b.SetHealth(ctx, h); err != nil {
			t.Fatal(err)
		}
	}
	h, ok, err := b.Health(ctx, event.ChannelWhatsApp, "62811")
	if err != nil || !ok || h.State != event.HealthOK || h.Extra["pushname"] != "Dinsos" || h.UpdatedAt.IsZero() {
		t.Fatalf("whatsapp health after update: %+v ok=%v err=%v", h, ok, err)
	}
	hs, err := b.Healths(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, h := range hs {
		keys = append(keys, event.HealthKey(h.Channel, h.Account))
	}
	slices.Sort(keys)
	if !slices.Equal(keys, []string{"messenger.1001", "whatsapp.62811"}) {
		t.Fatalf("healths: %v", keys)
	}
}
