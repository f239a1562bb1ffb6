package main

import (
	"github.com/aduan-gateway/aduan/adapters/lapor"
	"github.com/aduan-gateway/aduan/config"
	"github.com/aduan-gateway/aduan/core/bus"
)

func init() { roleStarters[config.RoleLapor] = startLapor }

// startLapor runs the LAPOR! poller and pusher, when ADUAN_LAPOR_URL says
// where LAPOR! (or aduan lapor-sim) is.
func startLapor(env *serveEnv) error {
	l := env.cfg.Lapor
	log := env.log.With().Str("comp", "lapor").Logger()
	if l.URL == "" {
		log.Info().Msg("LAPOR! sync off: ADUAN_LAPOR_URL is empty")
		return nil
	}
	client, err := lapor.NewClient(l.URL, l.Token, l.Timeout)
	if err != nil {
		return err
	}
	health := lapor.NewHealth(env.bus, l.Agency, log)
	poller, err := lapor.NewPoller(client, env.bus, lapor.PollerOptions{
		Agency: l.Agency, Interval: l.Interval, PageSize: l.PageSize, Log: env.log, Health: health,
	})
	if err != nil {
		return err
	}
	pusher := lapor.NewPusher(client, env.bus, lapor.PusherOptions{Attempts: l.PushAttempts, Log: env.log, Health: health})
	env.reg.MustRegister(lagGauge(env.bus, bus.StreamComplaints, lapor.PusherConsumer))
	env.goRun("lapor", poller.Run)
	env.goRun("lapor", pusher.Run)
	log.Info().Str("url", l.URL).Str("agency", l.Agency).Stringer("interval", l.Interval).Msg("LAPOR! sync on")
	return nil
}
