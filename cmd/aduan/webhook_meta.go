package main

import (
	"context"

	"github.com/aduan-gateway/aduan/adapters/meta"
)

// metaShared is what the roles of one serve share on Meta's side: a single
// webhook at /webhooks/meta (Messenger, Instagram and the WhatsApp Cloud
// API all arrive there) and one set of metrics. Roles start one after
// another, so no lock guards it.
type metaShared struct {
	webhook *meta.Webhook
	metrics *meta.Metrics
}

// metaWebhook builds the Meta webhook once per serve, mounts it on env.mux
// and starts its attachment fetchers and name look-ups. The meta role calls
// it; the WhatsApp role calls it too and adds its object with
// HandleObject("whatsapp_business_account", ...).
func metaWebhook(env *serveEnv) *meta.Webhook {
	if env.meta.webhook != nil {
		return env.meta.webhook
	}
	w := meta.NewWebhook(env.cfg.Meta, env.bus, meta.Options{Log: env.log, Metrics: metaMetrics(env)})
	w.Mount(env.mux)
	env.goRun("meta", w.RunFetcher)
	env.goRun("meta", func(ctx context.Context) error { w.RunNames(ctx); return nil })
	env.meta.webhook = w
	return w
}

// metaMetrics returns the serve's Meta metrics, registering them on first use.
func metaMetrics(env *serveEnv) *meta.Metrics {
	if env.meta.metrics == nil {
		env.meta.metrics = meta.NewMetrics(env.reg)
	}
	return env.meta.metrics
}
