package web

import "github.com/aduan-gateway/aduan/core/event"

// offChannel is a channel whose transport this deployment leaves off: a
// reply there is stored but not sent until the settings turn it on.
type offChannel struct {
	// Name is the channel as officers call it.
	Name string
	// Settings turn the channel on: KEY=value, or KEY alone.
	Settings []string
}

// channelOff says whether channel's transport is off, and how to turn it
// on; nil when it is on (or needs none, as walk-in).
func (s *Server) channelOff(channel event.Channel) *offChannel {
	settings, ok := s.off[channel]
	if !ok {
		return nil
	}
	return &offChannel{Name: channel.Label(), Settings: settings}
}

// notSent is the outcome of a staff message on a channel that is off.
func notSent(off *offChannel) string {
	return "Pesan disimpan, tetapi tidak terkirim: saluran " + off.Name +
		" nonaktif di server ini. Halaman Saluran menjelaskan cara mengaktifkannya."
}
