package meta

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the adapter's Prometheus series. A nil *Metrics records nothing.
type Metrics struct {
	requests  *prometheus.CounterVec
	duration  prometheus.Histogram
	items     *prometheus.CounterVec
	rejected  *prometheus.CounterVec
	downloads *prometheus.CounterVec
	sends     *prometheus.CounterVec
}

// NewMetrics creates the series and registers them with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aduan_meta_webhook_requests_total",
			Help: "Webhook requests at /webhooks/meta by HTTP status answered.",
		}, []string{"status"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "aduan_meta_webhook_seconds",
			Help:    "Time to answer a signed webhook POST, JetStream acknowledgements included.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}),
		items: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aduan_meta_webhook_items_total",
			Help: "Elements of webhook bodies by channel and kind (message, echo, delivery, unsupported, ...).",
		}, []string{"channel", "kind"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aduan_meta_webhook_rejected_total",
			Help: "Signed webhook bodies (or parts) not understood, kept whole as rejected input.",
		}, []string{"channel"}),
		downloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aduan_meta_attachment_downloads_total",
			Help: "Attachment downloads from Meta's CDN by result (ok, failed, retried).",
		}, []string{"result"}),
		sends: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aduan_meta_sends_total",
			Help: "Replies sent through the Graph API by channel and result (sent, failed, retried).",
		}, []string{"channel", "result"}),
	}
	reg.MustRegister(m.requests, m.duration, m.items, m.rejected, m.downloads, m.sends)
	return m
}

func (m *Metrics) request(status string, seconds float64) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(status).Inc()
	if seconds >= 0 {
		m.duration.Observe(seconds)
	}
}

func (m *Metrics) item(channel, kind string, n int) {
	if m != nil && n > 0 {
		m.items.WithLabelValues(channel, kind).Add(float64(n))
	}
}

func (m *Metrics) reject(channel string) {
	if m != nil {
		m.rejected.WithLabelValues(channel).Inc()
	}
}

func (m *Metrics) download(result string) {
	if m != nil {
		m.downloads.WithLabelValues(result).Inc()
	}
}

func (m *Metrics) send(channel, result string) {
	if m != nil {
		m.sends.WithLabelValues(channel, result).Inc()
	}
}
