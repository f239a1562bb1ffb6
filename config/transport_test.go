package config_test

import (
	"maps"
	"slices"
	"testing"

	"github.com/aduan-gateway/aduan/config"
	"github.com/aduan-gateway/aduan/core/event"
)

func TestChannelsOff(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		off  []event.Channel
	}{
		{"defaults: only walk-in works", nil, []event.Channel{event.ChannelInstagram, event.ChannelLapor, event.ChannelMessenger, event.ChannelWhatsApp}},
		{"whatsapp over the office phone", map[string]string{config.KeyWhatsAppTransport: "whatsmeow"},
			[]event.Channel{event.ChannelInstagram, event.ChannelLapor, event.ChannelMessenger}},
		{"everything on", map[string]string{
			config.KeyWhatsAppTransport: "whatsmeow",
			config.KeyMetaPages:         "1234567890=token", config.KeyMetaAppSecret: "s", config.KeyMetaVerifyToken: "v",
			config.KeyLaporURL: "http://127.0.0.1:8090", config.KeyLaporToken: "t",
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := config.LoadFrom(env(tt.env), false)
			if err != nil {
				t.Fatal(err)
			}
			off := c.ChannelsOff()
			if got := slices.Sorted(maps.Keys(off)); !slices.Equal(got, tt.off) {
				t.Fatalf("channels off %v, want %v", got, tt.off)
			}
			if len(tt.off) > 0 && len(off[event.ChannelLapor]) > 0 && off[event.ChannelLapor][0] != config.KeyLaporURL {
				t.Errorf("LAPOR! is turned on by %v, want %s first", off[event.ChannelLapor], config.KeyLaporURL)
			}
			if w, ok := off[event.ChannelWhatsApp]; ok && !slices.Equal(w, []string{"ADUAN_WHATSAPP_TRANSPORT=whatsmeow"}) {
				t.Errorf("WhatsApp is turned on by %v", w)
			}
		})
	}
}
