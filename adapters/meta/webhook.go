package meta

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/aduan-gateway/aduan/adapters/internal/fetchqueue"
	"github.com/aduan-gateway/aduan/config"
	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/event"
)

// Path is where Meta delivers webhooks, for Messenger, Instagram and the
// WhatsApp Cloud API alike.
const Path = "/webhooks/meta"

// MaxBodySize is the largest webhook body read; a larger one gets 413.
const MaxBodySize = 1 << 20

// defaultPublishTimeout bounds waiting for JetStream while Meta waits for the
// answer: past it the webhook answers 503 and Meta retries.
const defaultPublishTimeout = 5 * time.Second

// rejectedSource names the webhook in rejected-input events.
const rejectedSource = "webhook " + Path

// ObjectHandler takes a webhook body, already signature-checked, of an
// object this package does not handle itself (the WhatsApp Cloud API's
// "whatsapp_business_account"). It returns nil once everything in the body
// is durable (it keeps what it cannot parse as rejected input itself); an
// error answers 503 so that Meta retries.
type ObjectHandler func(ctx context.Context, body []byte) error

// Webhook receives Meta's webhooks: the subscription handshake, and signed
// POSTs whose messages it publishes to JetStream before it answers 200.
// Messages with files go to the fetch queue first (see RunFetcher).
type Webhook struct {
	secret      []byte
	verifyToken []byte
	b           *bus.Bus
	log         zerolog.Logger
	metrics     *Metrics
	sent        *sentStore
	names       *names
	health      *bus.HealthWriter
	fetch       fetchConfig
	fetchq      *fetchqueue.Queue
	// pages are the configured page and Instagram account ids.
	pages          map[string]bool
	publishTimeout time.Duration

	mu      sync.RWMutex
	objects map[string]ObjectHandler
}

// Options are the webhook's and the sender's collaborators beside the
// configuration. Zero values work.
type Options struct {
	Log     zerolog.Logger
	Metrics *Metrics
	// HTTPClient makes Graph API calls and CDN downloads; nil uses one
	// with the configured timeouts.
	HTTPClient *http.Client
	// FetchBackoff paces download retries (tests shorten it).
	FetchBackoff []time.Duration
	// PublishTimeout bounds the webhook's wait for JetStream; zero is
	// defaultPublishTimeout (tests of huge bodies on a loaded machine
	// lengthen it).
	PublishTimeout time.Duration
	// Now is the clock of the reply window and of the sent records' ageing;
	// nil is time.Now (tests fix it to their payloads' times).
	Now func() time.Time
}

// withDefaults fills in the zero values.
func (opt Options) withDefaults() Options {
	if opt.PublishTimeout <= 0 {
		opt.PublishTimeout = defaultPublishTimeout
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return opt
}

// NewWebhook builds the webhook. Without an app secret every POST is
// refused.
func NewWebhook(cfg config.MetaConfig, b *bus.Bus, opt Options) *Webhook {
	opt = opt.withDefaults()
	sent := openSentStore(b, opt.Now)
	log := opt.Log.With().Str("comp", "meta").Logger()
	w := &Webhook{
		secret:      []byte(cfg.AppSecret),
		verifyToken: []byte(cfg.VerifyToken),
		b:           b,
		log:         log,
		metrics:     opt.Metrics,
		sent:        sent,
		health:      b.NewHealthWriter(log),
		fetch:       newFetchConfig(cfg, opt.HTTPClient, opt.FetchBackoff),
		objects:     map[string]ObjectHandler{},
		pages:       map[string]bool{},

		publishTimeout: opt.PublishTimeout,
	}
	w.fetchq = w.newFetchQueue()
	for id := range cfg.Pages {
		w.pages[id] = true
	}
	if cfg.ProfileLookup && len(cfg.Pages) > 0 {
		w.names = newNames(newGraph(cfg, opt.HTTPClient), log)
	}
	return w
}

// HandleObject hands bodies of object to h. Setting "page" or "instagram"
// replaces this package's own handling.
func (w *Webhook) HandleObject(object string, h ObjectHandler) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.objects[object] = h
}

// Mount registers the webhook's routes on mux.
func (w *Webhook) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET "+Path, w.verify)
	mux.HandleFunc("POST "+Path, w.receive)
}

// RunNames runs the profile-name look-ups until ctx ends (a no-op when
// look-ups are off).
func (w *Webhook) RunNames(ctx context.Context) {
	if w.names != nil {
		w.names.run(ctx)
	}
}

// verify answers Meta's subscription handshake.
func (w *Webhook) verify(rw http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	token := []byte(q.Get("hub.verify_token"))
	if q.Get("hub.mode") != "subscribe" || len(w.verifyToken) == 0 ||
		subtle.ConstantTimeCompare(token, w.verifyToken) != 1 {
		w.log.Warn().Str("mode", q.Get("hub.mode")).Msg("webhook verification refused")
		w.metrics.request("403", -1)
		http.Error(rw, "forbidden", http.StatusForbidden)
		return
	}
	w.log.Info().Msg("webhook verified by Meta")
	w.metrics.request("200", -1)
	rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(rw, q.Get("hub.challenge"))
}

// receive handles a webhook POST: read at most MaxBodySize, check the
// signature before parsing anything, then publish; 200 only once all of it
// is durable.
func (w *Webhook) receive(rw http.ResponseWriter, r *http.Request) {
	start := time.Now()
	answer := func(code int, msg string) {
		w.metrics.request(strconv.Itoa(code), time.Since(start).Seconds())
		if code == http.StatusOK {
			rw.WriteHeader(code)
			return
		}
		http.Error(rw, msg, code)
	}
	body, err := io.ReadAll(http.MaxBytesReader(rw, r.Body, MaxBodySize))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			w.log.Warn().Int64("limit", tooBig.Limit).Msg("webhook body too large")
			answer(http.StatusRequestEntityTooLarge, "body too large")
			return
		}
		answer(http.StatusBadRequest, "cannot read body")
		return
	}
	if !validSignature(w.secret, r.Header.Get(SignatureHeader), body) {
		w.log.Warn().Bool("header_present", r.Header.Get(SignatureHeader) != "").
			Int("bytes", len(body)).Msg("webhook signature missing or wrong; nothing published")
		answer(http.StatusForbidden, "bad signature")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), w.publishTimeout)
	defer cancel()
	if err := w.handle(ctx, body, r.Header.Get("Content-Type")); err != nil {
		w.log.Error().Err(err).Msg("webhook not stored; answering 503 so Meta retries")
		answer(http.StatusServiceUnavailable, "temporarily unavailable")
		return
	}
	answer(http.StatusOK, "")
}

// handle routes a signed body by its object. An error means something could
// not be made durable.
func (w *Webhook) handle(ctx context.Context, body []byte, contentType string) error {
	var head struct {
		Object string `json:"object"`
	}
	if err := json.Unmarshal(body, &head); err != nil {
		return w.reject(ctx, event.ChannelMessenger, body, contentType, "not JSON: "+err.Error())
	}
	w.mu.RLock()
	h := w.objects[head.Object]
	w.mu.RUnlock()
	if h != nil {
		return h(ctx, body)
	}
	ch, ok := channelOf(head.Object)
	if !ok {
		rejectCh := event.ChannelMessenger
		if head.Object == "whatsapp_business_account" {
			rejectCh = event.ChannelWhatsApp
		}
		return w.reject(ctx, rejectCh, body, contentType, fmt.Sprintf("object %q not handled", head.Object))
	}
	p, err := parseBody(body, time.Now().UTC())
	if err != nil {
		return w.reject(ctx, ch, body, contentType, err.Error())
	}
	for kind, n := range p.skipped {
		w.metrics.item(string(ch), kind, n)
	}
	for _, it := range p.items {
		if acct := it.account(); !w.pages[acct] {
			// Not one of our pages: no conversation for it, the body is kept.
			p.problems = append(p.problems, fmt.Sprintf("page or account %q is not configured", acct))
			continue
		}
		if err := w.publishItem(ctx, it); err != nil {
			return err
		}
		w.metrics.item(string(ch), it.kind, 1)
	}
	if len(p.problems) > 0 {
		return w.reject(ctx, ch, body, contentType, strings.Join(p.problems, "; "))
	}
	return nil
}

func (w *Webhook) publishItem(ctx context.Context, it item) error {
	if it.receipt != nil {
		return w.publishReceipt(ctx, it.receipt)
	}
	in := it.in
	if it.kind == kindEcho {
		ours := it.ours
		if !ours {
			var err error
			if _, ours, err = w.sent.sentBy(ctx, in.Channel, in.Account, in.ConversationKey, in.ExternalID); err != nil {
				return err
			}
		}
		if ours {
			// The core stored our reply when it queued it; the delivery
			// report carries the mid.
			return nil
		}
	} else {
		in.Sender.Name = w.names.get(in.Channel, in.Account, in.Sender.ID)
		w.health.Received(in.Channel, in.Account, in.ReceivedAt)
	}
	return w.fetchq.Publish(ctx, in, it.fetch)
}

// publishReceipt turns a delivery or read report into delivery events for
// the messages it covers.
func (w *Webhook) publishReceipt(ctx context.Context, r *receipt) error {
	reached, unknown, err := w.sent.settle(ctx, r)
	if err != nil {
		return err
	}
	at := r.watermark
	if at.IsZero() {
		at = time.Now().UTC()
	}
	publish := func(outboundID, mid string) error {
		d := &event.Delivery{ID: event.NewID(), OutboundID: outboundID, Channel: r.channel, Account: r.account,
			ExternalID: mid, Status: r.status, At: at}
		_, err := w.b.PublishEvent(ctx, d, d.Subject(), event.DeliveryMsgID(r.channel, mid, r.status))
		return err
	}
	for _, e := range reached {
		if err := publish(e.OutboundID, e.MID); err != nil {
			return err
		}
	}
	// Sent outside Aduan (the page inbox): the core matches the mid with
	// the echo it stored.
	for _, mid := range unknown {
		if err := publish("", mid); err != nil {
			return err
		}
	}
	return nil
}

// reject keeps a body that could not be understood, whole, as rejected
// input; Meta gets 200 so it does not disable the webhook.
func (w *Webhook) reject(ctx context.Context, ch event.Channel, body []byte, contentType, reason string) error {
	sum := sha256.Sum256(body)
	rej := &event.Rejected{ID: event.NewID(), Channel: ch, Source: rejectedSource, Reason: reason,
		ContentType: contentType, Body: body, ReceivedAt: time.Now().UTC()}
	// The digest as id: a retried delivery of the same body is kept once.
	if err := w.b.PublishRejected(ctx, rej, "meta:rejected:"+hex.EncodeToString(sum[:])); err != nil {
		return err
	}
	w.metrics.reject(string(ch))
	w.log.Warn().Str("channel", string(ch)).Str("reason", reason).Int("bytes", len(body)).
		Str("rejected_id", rej.ID).Msg("signed webhook body not understood; kept as rejected input")
	return nil
}
