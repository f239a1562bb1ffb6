package main

import (
	"context"
	"sync"

	"github.com/aduan-gateway/aduan/adapters/meta"
)

// metaShared is what the roles of one serve share on Meta's side: a single
// webhook at /webhooks/meta (Messenger, Instagram and the WhatsApp Cloud
// API all arrive there) and one set of metrics.
type metaShared struct {
	once    sync.Once
	webhook *meta.Webhook
	metrics *meta.Metrics
	err     error
}

var (
	metaSharedMu  sync.Mutex
	metaSharedFor = map[*serveEnv]*metaShared{}
)

// metaWebhook builds the Meta webhook once per serve, mounts it on env.mux
// and starts its attachment fetchers and name look-ups. The meta role calls
// it; the WhatsApp role calls it too and adds its object with
// HandleObject("whatsapp_business_account", ...).
func metaWebhook(env *serveEnv) (*meta.Webhook, error) {
	s := metaSharedOf(env)
	s.once.Do(func() {
		w, err := meta.NewWebhook(env.ctx, env.cfg.Meta, env.bus, meta.Options{Log: env.log, Metrics: s.metrics})
		if err != nil {
			s.err = err
			return
		}
		w.Mount(env.mux)
		env.goRun("meta", func(ctx context.Context) error { return w.RunFetcher(ctx, metaFetchWorkers) })
		env.goRun("meta", func(ctx context.Context) error { w.RunNames(ctx); return nil })
		s.webhook = w
	})
	return s.webhook, s.err
}

// metaFetchWorkers download attachments in parallel, so one slow file does
// not hold up the others.
const metaFetchWorkers = 4

// metaSharedOf returns env's shared Meta state, creating it (and
// registering the metrics) on first use.
func metaSharedOf(env *serveEnv) *metaShared {
	metaSharedMu.Lock()
	defer metaSharedMu.Unlock()
	s, ok := metaSharedFor[env]
	if !ok {
		s = &metaShared{metrics: meta.NewMetrics(env.reg)}
		metaSharedFor[env] = s
	}
	return s
}
