// Package cloudapi is WhatsApp's second transport: Meta's official
// WhatsApp Business Cloud API. Its webhooks arrive at /webhooks/meta (the
// Meta adapter checks the signature and hands over bodies of the object
// "whatsapp_business_account"); media is fetched with the access token;
// replies go out with POST /{phone-number-id}/messages.
package cloudapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/aduan-gateway/aduan/adapters/internal/fetchqueue"
	"github.com/aduan-gateway/aduan/adapters/whatsapp/internal/wasent"
	"github.com/aduan-gateway/aduan/config"
	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/event"
)

// Messages with media wait in the fetch queue (adapters/internal/fetchqueue)
// while workers look the media ids up and download the files; so do their
// senders' later messages, to keep their order.
const (
	StreamFetch = bus.StreamWhatsAppFetch // declared by the bus
	// FetchConsumer names the fetch workers: FetchConsumer-<shard>, and
	// FetchConsumer for the jobs queued before shards.
	FetchConsumer = "whatsapp-fetch"
)

// fetchAttempts is how many deliveries a media download gets on transient
// errors before the message goes on with the failure noted.
const fetchAttempts = 4

// rejectedSource names the entry point in rejected-input events.
const rejectedSource = "webhook /webhooks/meta (whatsapp_business_account)"

// Metrics are the transport's Prometheus series; nil records nothing.
type Metrics struct {
	items *prometheus.CounterVec
	sends *prometheus.CounterVec
}

// NewMetrics creates the series and registers them with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		items: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aduan_whatsapp_cloud_items_total",
			Help: "Cloud API webhook items by kind (text, image, status_read, rejected, ...).",
		}, []string{"kind"}),
		sends: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aduan_whatsapp_cloud_sends_total",
			Help: "Replies through the Cloud API by result (sent, retried, failed).",
		}, []string{"result"}),
	}
	reg.MustRegister(m.items, m.sends)
	return m
}

func (m *Metrics) item(kind string, n int) {
	if m != nil {
		m.items.WithLabelValues(kind).Add(float64(n))
	}
}

func (m *Metrics) send(result string) {
	if m != nil {
		m.sends.WithLabelValues(result).Inc()
	}
}

// Options are the collaborators beside the configuration; zero values work.
type Options struct {
	Log     zerolog.Logger
	Metrics *Metrics
	// HTTPClient makes Cloud API calls and downloads (tests: a fake's).
	HTTPClient *http.Client
	// Backoff paces redelivery of downloads and sends.
	Backoff []time.Duration
	// Now is the clock (the reply window; tests).
	Now func() time.Time
}

// Receiver takes Cloud API webhook bodies and publishes what they hold.
type Receiver struct {
	b       *bus.Bus
	fetchq  *fetchqueue.Queue
	g       *graph
	sent    *wasent.Store
	log     zerolog.Logger
	metrics *Metrics
	backoff []time.Duration
	now     func() time.Time
}

// NewReceiver builds the receiver.
func NewReceiver(cfg *config.Config, b *bus.Bus, opt Options) *Receiver {
	r := &Receiver{b: b, g: newGraph(cfg, opt.HTTPClient), sent: wasent.Open(b), log: opt.Log.With().Str("comp", "whatsapp").Logger(),
		metrics: opt.Metrics, backoff: opt.Backoff, now: opt.Now}
	if r.now == nil {
		r.now = time.Now
	}
	r.fetchq = fetchqueue.New(b, fetchqueue.Config{
		Stream: StreamFetch, Prefix: bus.SubjectWhatsAppFetchPrefix, Legacy: bus.SubjectWhatsAppFetch,
		Durable: FetchConsumer, Attempts: fetchAttempts, Backoff: opt.Backoff,
		Fetch: func(ctx context.Context, s fetchqueue.Source, att *event.Attachment) error {
			return r.fetchOne(ctx, s.MediaID, att)
		},
		Retryable: retryable,
		Reason:    mediaError,
		Log:       r.log,
	})
	return r
}

// Handle takes a signature-checked webhook body. It returns nil once all of
// it is durable on the bus (what it cannot understand is kept as rejected
// input); an error means Meta should retry.
func (r *Receiver) Handle(ctx context.Context, body []byte) error {
	p, err := parseBody(body, r.now())
	if err != nil {
		return r.reject(ctx, body, err.Error())
	}
	for kind, n := range p.skipped {
		r.metrics.item(kind, n)
	}
	for _, it := range p.items {
		if it.numberID != r.g.phoneNumberID {
			// Not our number: no conversation for it, the body is kept.
			p.problems = append(p.problems, fmt.Sprintf("phone number id %q is not the configured one", it.numberID))
			continue
		}
		if err := r.publish(ctx, it); err != nil {
			return err
		}
		r.metrics.item(it.kind, 1)
	}
	if len(p.problems) > 0 {
		return r.reject(ctx, body, strings.Join(p.problems, "; "))
	}
	return nil
}

func (r *Receiver) publish(ctx context.Context, it item) error {
	if d := it.delivery; d != nil {
		outboundID, err := r.sent.Outbound(ctx, d.ExternalID)
		if err != nil {
			return err
		}
		d.OutboundID = outboundID
		_, err = r.b.PublishEvent(ctx, d, d.Subject(), event.DeliveryMsgID(d.Channel, d.ExternalID, d.Status))
		return err
	}
	return r.fetchq.Publish(ctx, it.in, it.media)
}

// reject keeps a body that could not be understood, whole; Meta gets 200.
func (r *Receiver) reject(ctx context.Context, body []byte, reason string) error {
	sum := sha256.Sum256(body)
	rej := &event.Rejected{ID: event.NewID(), Channel: event.ChannelWhatsApp, Source: rejectedSource, Reason: reason,
		ContentType: "application/json", Body: body, ReceivedAt: r.now().UTC()}
	if err := r.b.PublishRejected(ctx, rej, "whatsapp:rejected:"+hex.EncodeToString(sum[:])); err != nil {
		return err
	}
	r.metrics.item("rejected", 1)
	r.log.Warn().Str("reason", reason).Int("bytes", len(body)).Str("rejected_id", rej.ID).
		Msg("cloud api webhook body not fully understood; kept as rejected input")
	return nil
}

// FetchConsumers names the fetch queue's consumers (for lag gauges).
func FetchConsumers() []string { return fetchqueue.Consumers(FetchConsumer) }

// RunFetcher downloads media of queued messages, one worker per shard, and
// publishes the messages, until ctx ends.
func (r *Receiver) RunFetcher(ctx context.Context) error {
	return r.fetchq.Run(ctx)
}

// fetchOne downloads a media id, checks its digest and stores it.
func (r *Receiver) fetchOne(ctx context.Context, id string, att *event.Attachment) error {
	data, info, err := r.g.fetchMedia(ctx, id)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	if info.SHA256 != "" && !digestMatches(info.SHA256, sum[:]) {
		return errors.New("the downloaded file does not match its digest")
	}
	if att.MIME == "" {
		att.MIME = info.MIMEType
	}
	if att.MIME == "" {
		att.MIME = http.DetectContentType(data)
	}
	if att.Filename == "" {
		att.Filename = string(att.Kind) + event.ExtensionOfMIME(att.MIME)
	}
	key, sha, size, err := r.b.PutAttachment(ctx, bytes.NewReader(data), att.Filename, att.MIME)
	if err != nil {
		return netError{err}
	}
	att.ObjectKey, att.SHA256, att.Size = key, sha, size
	return nil
}

// digestMatches compares Meta's sha256, given in hex or base64, with sum.
func digestMatches(given string, sum []byte) bool {
	if strings.EqualFold(given, hex.EncodeToString(sum)) {
		return true
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(given); err == nil && bytes.Equal(b, sum) {
			return true
		}
	}
	return false
}

func retryable(err error) bool {
	var ne netError
	var ae *apiError
	return errors.As(err, &ne) || errors.As(err, &ae) && ae.retryable()
}

// mediaError is the reason shown in the inbox, in plain words.
func mediaError(err error) string {
	var ae *apiError
	switch {
	case errors.Is(err, errTooLarge):
		return "file too large to fetch: " + err.Error()
	case errors.As(err, &ae) && ae.tokenProblem():
		return "the Cloud API refused the access token; check " + config.KeyWhatsAppCloudToken
	case errors.As(err, &ae) && (ae.Status == http.StatusNotFound || ae.Status == http.StatusGone):
		return "the file is no longer available at Meta; ask the citizen to send it again"
	}
	return "could not fetch the file from the Cloud API: " + err.Error()
}
