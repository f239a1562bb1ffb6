package whatsapp

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the adapter's Prometheus series. A nil *Metrics records nothing.
type Metrics struct {
	messages  *prometheus.CounterVec
	ignored   *prometheus.CounterVec
	retries   prometheus.Counter
	downloads *prometheus.CounterVec
	sends     *prometheus.CounterVec
	stops     *prometheus.CounterVec
	state     *prometheus.GaugeVec
}

// sessionStates are the values of the state gauge's label.
var sessionStates = []string{"ok", "down", "needs_pairing", "needs_attention", "standby"}

// NewMetrics creates the series and registers them with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aduan_whatsapp_messages_total",
			Help: "WhatsApp messages and receipts published to the bus, by kind (text, image, echo, edit, receipt, ...).",
		}, []string{"kind"}),
		ignored: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aduan_whatsapp_ignored_total",
			Help: "WhatsApp messages not handed to the core, by reason (group, status_broadcast, newsletter, unsupported, ...).",
		}, []string{"reason"}),
		retries: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "aduan_whatsapp_publish_retries_total",
			Help: "Failed attempts to store a WhatsApp message on the bus; each is retried.",
		}),
		downloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aduan_whatsapp_attachment_downloads_total",
			Help: "WhatsApp attachment downloads by result (ok, failed, too_large).",
		}, []string{"result"}),
		sends: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aduan_whatsapp_sends_total",
			Help: "WhatsApp replies by result (sent, retried, failed).",
		}, []string{"result"}),
		stops: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aduan_whatsapp_session_stops_total",
			Help: "WhatsApp sessions stopped by WhatsApp, by reason (logged_out, stream_replaced); each needs pairing again.",
		}, []string{"reason"}),
		state: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "aduan_whatsapp_session_state",
			Help: "1 for the WhatsApp session's current state (ok, down, needs_pairing, needs_attention, standby), 0 for the others.",
		}, []string{"state"}),
	}
	reg.MustRegister(m.messages, m.ignored, m.retries, m.downloads, m.sends, m.stops, m.state)
	return m
}

func (m *Metrics) message(kind string) {
	if m != nil {
		m.messages.WithLabelValues(kind).Inc()
	}
}

func (m *Metrics) ignore(reason string) {
	if m != nil {
		m.ignored.WithLabelValues(reason).Inc()
	}
}

func (m *Metrics) retry() {
	if m != nil {
		m.retries.Inc()
	}
}

func (m *Metrics) download(result string) {
	if m != nil {
		m.downloads.WithLabelValues(result).Inc()
	}
}

func (m *Metrics) send(result string) {
	if m != nil {
		m.sends.WithLabelValues(result).Inc()
	}
}

func (m *Metrics) stop(reason string) {
	if m != nil {
		m.stops.WithLabelValues(reason).Inc()
	}
}

func (m *Metrics) setState(state string) {
	if m == nil {
		return
	}
	for _, s := range sessionStates {
		v := 0.0
		if s == state {
			v = 1
		}
		m.state.WithLabelValues(s).Set(v)
	}
}
