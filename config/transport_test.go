package config_test

import (
	"maps"
	"slices"
	"testing"

	"github.com/aduan-gateway/aduan/config"
)

func TestChannelsOff(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		off  []string
	}{
		{"defaults: only walk-in works", nil, []string{"instagram", "lapor", "messenger", "whatsapp"}},
		{"whatsapp over the office phone", map[string]string{config.KeyWhatsAppTransport: "whatsmeow"},
			[]string{"instagram", "lapor", "messenger"}},
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
			if len(tt.off) > 0 && len(off["lapor"]) > 0 && off["lapor"][0] != config.KeyLaporURL {
				t.Errorf("LAPOR! is turned on by %v, want %s first", off["lapor"], config.KeyLaporURL)
			}
			if w, ok := off["whatsapp"]; ok && !slices.Equal(w, []string{"ADUAN_WHATSAPP_TRANSPORT=whatsmeow"}) {
				t.Errorf("WhatsApp is turned on by %v", w)
			}
		})
	}
}
