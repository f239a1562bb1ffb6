package config

import "github.com/aduan-gateway/aduan/core/event"

// ChannelsOff lists the channels whose transport this deployment leaves
// off, each with the settings that turn it on (KEY=value, or KEY alone where
// the value is the office's own): the inbox says a reply there is not sent,
// and the channels page says how to enable the channel. Walk-in needs no
// transport and is never off.
func (c *Config) ChannelsOff() map[event.Channel][]string {
	off := map[event.Channel][]string{}
	if c.WhatsApp.Transport == WhatsAppTransportOff {
		off[event.ChannelWhatsApp] = []string{KeyWhatsAppTransport + "=" + WhatsAppTransportWhatsmeow}
	}
	if len(c.Meta.Pages) == 0 {
		meta := []string{KeyMetaPages + "=ACCOUNT_ID=ACCESS_TOKEN", KeyMetaAppSecret, KeyMetaVerifyToken}
		off[event.ChannelMessenger], off[event.ChannelInstagram] = meta, meta
	}
	if c.Lapor.URL == "" {
		off[event.ChannelLapor] = []string{KeyLaporURL, KeyLaporToken}
	}
	return off
}
