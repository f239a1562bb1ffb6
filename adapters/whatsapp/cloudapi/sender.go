package cloudapi

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rs/zerolog"

	"github.com/aduan-gateway/aduan/adapters/whatsapp/internal/wasent"
	"github.com/aduan-gateway/aduan/config"
	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/event"
)

// SenderConsumer is the durable name of the reply consumer: the same as the
// whatsmeow transport's, since one installation runs one transport.
const SenderConsumer = "whatsapp"

// ServiceWindow is WhatsApp's customer service window: a free-form reply
// may be sent within 24 hours of the citizen's last message. Outside it
// only approved message templates may be sent, which Aduan does not (yet).
const ServiceWindow = 24 * time.Hour

// textLimit is the Cloud API's maximum text body, in characters.
const textLimit = 4096

var defaultBackoff = []time.Duration{
	2 * time.Second, 5 * time.Second, 15 * time.Second, 30 * time.Second, time.Minute, 2 * time.Minute, 5 * time.Minute,
}

// Sender consumes aduan.outbound.whatsapp and sends each reply through the
// Cloud API, reporting the outcome on aduan.delivery.whatsapp.
type Sender struct {
	b        *bus.Bus
	g        *graph
	sent     *wasent.Store
	log      zerolog.Logger
	metrics  *Metrics
	attempts int
	backoff  []time.Duration
	now      func() time.Time
}

// NewSender builds the sender and opens the sent-messages bucket.
func NewSender(ctx context.Context, cfg *config.Config, b *bus.Bus, opt Options) (*Sender, error) {
	s := &Sender{b: b, g: newGraph(cfg, opt.HTTPClient), sent: wasent.Open(b), log: opt.Log.With().Str("comp", "whatsapp").Logger(),
		metrics: opt.Metrics, attempts: max(cfg.WhatsApp.SendAttempts, 1), backoff: opt.Backoff, now: opt.Now}
	if len(s.backoff) == 0 {
		s.backoff = defaultBackoff
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s, nil
}

// Run sends replies until ctx ends.
func (s *Sender) Run(ctx context.Context) error {
	c, err := s.b.Consume(ctx, bus.ConsumerSpec{
		Stream:         bus.StreamOutbound,
		Durable:        SenderConsumer,
		FilterSubjects: []string{event.OutboundSubject(event.ChannelWhatsApp)},
		MaxDeliver:     s.attempts + 3,
		Backoff:        s.backoff,
	}, s.handle)
	if err != nil {
		return fmt.Errorf("starting cloud api sender: %w", err)
	}
	<-ctx.Done()
	c.Stop()
	return nil
}

// sendError is a reply that did not go out, with what to do about it.
type sendError struct {
	reason string
	again  bool // worth retrying now (rate limit, Meta's trouble, network)
	err    error
}

func (e *sendError) Error() string {
	if e.err != nil {
		return e.reason + ": " + e.err.Error()
	}
	return e.reason
}

func (e *sendError) Unwrap() error { return e.err }

func (s *Sender) handle(ctx context.Context, m *bus.Msg) error {
	var out event.Outbound
	if err := event.Unmarshal(m.Data, &out); err != nil {
		return bus.Permanent(err)
	}
	if out.Channel != event.ChannelWhatsApp {
		return bus.Permanent(fmt.Errorf("outbound %s for channel %q on the whatsapp subject", out.ID, out.Channel))
	}
	log := s.log.With().Str("outbound_id", out.ID).Logger()
	id, err := s.send(ctx, &out)
	if err == nil {
		d := &event.Delivery{ID: event.NewID(), OutboundID: out.ID, Channel: out.Channel, Account: out.Account,
			ExternalID: id, Status: event.DeliverySent, At: s.now().UTC()}
		if _, err := s.b.PublishEvent(ctx, d, d.Subject(), "whatsapp:"+out.ID+":sent"); err != nil {
			return err
		}
		s.metrics.send("sent")
		return nil
	}
	var se *sendError
	if !errors.As(err, &se) {
		se = &sendError{reason: "could not record the reply's progress", again: true, err: err}
	}
	if ctx.Err() != nil {
		return err
	}
	if se.again && m.NumDelivered < uint64(s.attempts) {
		s.metrics.send("retried")
		log.Warn().Err(err).Uint64("deliveries", m.NumDelivered).Msg("cloud api reply not sent; retrying")
		return err
	}
	d := &event.Delivery{ID: event.NewID(), OutboundID: out.ID, Channel: out.Channel, Account: out.Account,
		Status: event.DeliveryFailed, Reason: se.reason, Retryable: se.again, At: s.now().UTC()}
	if _, err := s.b.PublishEvent(ctx, d, d.Subject(), "whatsapp:"+out.ID+":failed"); err != nil {
		return err
	}
	s.metrics.send("failed")
	log.Warn().Err(err).Msg("cloud api reply failed")
	return nil
}

// send sends out's text (split at the Cloud API's limit) and returns the
// wamid of its first part.
func (s *Sender) send(ctx context.Context, out *event.Outbound) (string, error) {
	first, err := s.sent.SentPart(ctx, out.ID, 0)
	if err != nil {
		return "", err
	}
	// A redelivery after some parts went out sends only the rest, and is
	// not judged by the reply window again.
	if first == "" {
		if last := out.CustomerLastMessageAt; last.IsZero() || s.now().Sub(last) > ServiceWindow {
			return "", &sendError{reason: "outside WhatsApp's 24-hour customer service window: the citizen has to write first " +
				"(message templates are not supported yet)"}
		}
	}
	to := digits(out.Recipient)
	if to == "" || to != strings.TrimPrefix(out.Recipient, "+") {
		return "", &sendError{reason: "the recipient is not a WhatsApp number"}
	}
	if len(out.Attachments) > 0 {
		return "", &sendError{reason: "sending files on WhatsApp is not supported yet; send the text alone"}
	}
	text := strings.TrimSpace(out.Text)
	if text == "" {
		return "", &sendError{reason: "the reply is empty"}
	}
	for i, part := range split(text, textLimit) {
		done, err := s.sent.SentPart(ctx, out.ID, i)
		if err != nil {
			return "", err
		}
		if done != "" {
			continue // sent by an earlier delivery whose report was lost
		}
		replyTo := ""
		if i == 0 {
			replyTo = out.InReplyTo
		}
		id, err := s.g.sendText(ctx, to, part, replyTo)
		if err != nil {
			return "", classify(err)
		}
		if err := s.sent.PutPart(ctx, out.ID, i, id); err != nil {
			s.log.Warn().Err(err).Str("outbound_id", out.ID).Int("part", i).Msg("cloud api reply part sent but not recorded")
		}
		if i == 0 {
			first = id
		}
	}
	return first, nil
}

// classify turns a Cloud API failure into what to do about it.
func classify(err error) *sendError {
	var ae *apiError
	var ne netError
	switch {
	case errors.As(err, &ne):
		return &sendError{reason: "the Cloud API could not be reached", again: true, err: err}
	case errors.As(err, &ae) && ae.Code == 131047:
		return &sendError{reason: "outside WhatsApp's 24-hour customer service window: the citizen has to write first", err: err}
	case errors.As(err, &ae) && ae.tokenProblem():
		return &sendError{reason: "the Cloud API refused the access token or its permissions; check " + config.KeyWhatsAppCloudToken, err: err}
	case errors.As(err, &ae) && ae.retryable():
		return &sendError{reason: "the Cloud API is busy or failing", again: true, err: err}
	case errors.As(err, &ae):
		return &sendError{reason: "the Cloud API refused the message: " + ae.Message, err: err}
	}
	return &sendError{reason: "the Cloud API's answer was not understood", again: true, err: err}
}

// split cuts text into parts of at most limit characters, at a line break
// or space when one is near.
func split(text string, limit int) []string {
	var parts []string
	for utf8.RuneCountInString(text) > limit {
		cut := len(string([]rune(text)[:limit]))
		if i := strings.LastIndexAny(text[:cut], "\n "); i > cut/2 {
			cut = i
		}
		parts = append(parts, strings.TrimSpace(text[:cut]))
		text = strings.TrimSpace(text[cut:])
	}
	return append(parts, text)
}
