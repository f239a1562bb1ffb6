package intake

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/aduan-gateway/aduan/core/event"
)

// Metrics counts what the intake does, for Prometheus.
type Metrics struct {
	messagesIn        *prometheus.CounterVec
	duplicates        *prometheus.CounterVec
	repliesOut        *prometheus.CounterVec
	complaintsCreated *prometheus.CounterVec
}

// NewMetrics registers the intake's metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		messagesIn: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aduan_messages_in_total", Help: "Citizens' messages stored, per channel.",
		}, []string{"channel"}),
		duplicates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aduan_messages_duplicate_total", Help: "Inbound messages dropped as already stored, per channel.",
		}, []string{"channel"}),
		repliesOut: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aduan_replies_out_total", Help: "Replies written by the dialog, per channel.",
		}, []string{"channel"}),
		complaintsCreated: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aduan_complaints_created_total", Help: "Complaints created, per channel.",
		}, []string{"channel"}),
	}
	reg.MustRegister(m.messagesIn, m.duplicates, m.repliesOut, m.complaintsCreated)
	return m
}

func (m *Metrics) handled(ch event.Channel, r Result) {
	if m == nil {
		return
	}
	c := string(ch)
	if r.Duplicate {
		m.duplicates.WithLabelValues(c).Inc()
		return
	}
	m.messagesIn.WithLabelValues(c).Inc()
	m.repliesOut.WithLabelValues(c).Add(float64(len(r.Replies)))
	if r.Ticket != "" {
		m.complaintsCreated.WithLabelValues(c).Inc()
	}
}
