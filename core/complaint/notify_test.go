package complaint

import (
	"testing"

	"github.com/aduan-gateway/aduan/core/event"
)

func TestCanMessage(t *testing.T) {
	for ch, want := range map[event.Channel]bool{event.ChannelWhatsApp: true, event.ChannelMessenger: true,
		event.ChannelInstagram: true, event.ChannelWalkin: false, event.ChannelLapor: false} {
		if got := CanMessage(ch); got != want {
			t.Errorf("CanMessage(%s) = %v, want %v", ch, got, want)
		}
	}
}
