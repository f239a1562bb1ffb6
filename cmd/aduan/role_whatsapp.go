package main

import (
	"context"

	"github.com/aduan-gateway/aduan/adapters/meta"
	"github.com/aduan-gateway/aduan/adapters/whatsapp"
	"github.com/aduan-gateway/aduan/adapters/whatsapp/cloudapi"
	"github.com/aduan-gateway/aduan/config"
	"github.com/aduan-gateway/aduan/core/bus"
)

func init() { roleStarters[config.RoleWhatsApp] = startWhatsApp }

// startWhatsApp runs the WhatsApp adapter on the configured transport. Off
// (the default) leaves the role idle, so the default "all roles" never
// reaches out to WhatsApp unasked.
func startWhatsApp(env *serveEnv) error {
	log := env.log.With().Str("comp", "whatsapp").Logger()
	switch env.cfg.WhatsApp.Transport {
	case config.WhatsAppTransportOff:
		log.Info().Msg("whatsapp role idle: " + config.KeyWhatsAppTransport + " is off")
		return nil
	case config.WhatsAppTransportCloudAPI:
		return startWhatsAppCloud(env)
	}
	a := whatsapp.New(env.cfg.WhatsApp, env.bus, whatsapp.Options{Log: env.log, Metrics: whatsapp.NewMetrics(env.reg)})
	container, err := whatsapp.OpenStore(env.ctx, env.cfg.DatabaseURL, env.log)
	if err != nil {
		return err
	}
	lease := whatsapp.OpenLease(env.bus)
	s := whatsapp.NewSession(a, container, lease, env.cfg.WhatsApp, env.log)
	env.reg.MustRegister(lagGauge(env.bus, bus.StreamOutbound, whatsapp.SenderConsumer))
	for i := range whatsapp.Shards {
		env.reg.MustRegister(lagGauge(env.bus, bus.StreamWhatsmeowFetch, whatsapp.FetchConsumer(i)))
	}
	env.goRun("whatsapp", func(ctx context.Context) error {
		defer container.Close()
		return s.Run(ctx)
	})
	log.Info().Str("transport", config.WhatsAppTransportWhatsmeow).Msg("whatsapp adapter started")
	return nil
}

// startWhatsAppCloud runs the Cloud API transport: its webhooks come
// through the Meta webhook at /webhooks/meta, replies go to the Graph API.
func startWhatsAppCloud(env *serveEnv) error {
	log := env.log.With().Str("comp", "whatsapp").Logger()
	metrics := cloudapi.NewMetrics(env.reg)
	opt := cloudapi.Options{Log: env.log, Metrics: metrics}
	r := cloudapi.NewReceiver(env.cfg, env.bus, opt)
	s := cloudapi.NewSender(env.cfg, env.bus, opt)
	metaWebhook(env).HandleObject(cloudapi.Object, r.Handle)
	env.reg.MustRegister(lagGauge(env.bus, bus.StreamOutbound, cloudapi.SenderConsumer))
	for _, c := range cloudapi.FetchConsumers() {
		env.reg.MustRegister(lagGauge(env.bus, cloudapi.StreamFetch, c))
	}
	env.goRun("whatsapp", r.RunFetcher)
	env.goRun("whatsapp", s.Run)
	log.Info().Str("transport", config.WhatsAppTransportCloudAPI).Str("path", meta.Path).Msg("whatsapp adapter started")
	return nil
}
