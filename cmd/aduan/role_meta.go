package main

import (
	"github.com/aduan-gateway/aduan/adapters/meta"
	"github.com/aduan-gateway/aduan/config"
	"github.com/aduan-gateway/aduan/core/bus"
)

func init() { roleStarters[config.RoleMeta] = startMeta }

// startMeta runs the Messenger and Instagram adapter: the webhook at
// /webhooks/meta and the sender of replies. Without ADUAN_META_PAGES the
// role is idle, so the default "all roles" runs out of the box.
func startMeta(env *serveEnv) error {
	log := env.log.With().Str("comp", "meta").Logger()
	if len(env.cfg.Meta.Pages) == 0 {
		log.Info().Msg("meta role idle: " + config.KeyMetaPages + " is empty")
		return nil
	}
	metaWebhook(env)
	s := meta.NewSender(env.cfg.Meta, env.bus, meta.SenderOptions{
		Options: meta.Options{Log: env.log, Metrics: metaMetrics(env)},
	})
	env.reg.MustRegister(lagGauge(env.bus, bus.StreamOutbound, meta.SenderConsumer))
	for _, c := range meta.FetchConsumers() {
		env.reg.MustRegister(lagGauge(env.bus, meta.StreamFetch, c))
	}
	env.goRun("meta", s.Run)
	log.Info().Strs("accounts", env.cfg.MetaAccounts()).Str("path", meta.Path).Msg("meta adapter started")
	return nil
}
