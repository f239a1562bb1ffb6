package cloudapi

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rs/zerolog"

	"github.com/aduan-gateway/aduan/adapters/channel"
	"github.com/aduan-gateway/aduan/adapters/whatsapp/internal/wasent"
	"github.com/aduan-gateway/aduan/config"
	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/identity"
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
func NewSender(cfg *config.Config, b *bus.Bus, opt Options) *Sender {
	s := &Sender{b: b, g: newGraph(cfg, opt.HTTPClient), sent: wasent.Open(b), log: opt.Log.With().Str("comp", "whatsapp").Logger(),
		metrics: opt.Metrics, attempts: max(cfg.WhatsApp.SendAttempts, 1), backoff: opt.Backoff, now: opt.Now}
	if len(s.backoff) == 0 {
		s.backoff = defaultBackoff
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// Run sends replies until ctx ends.
func (s *Sender) Run(ctx context.Context) error {
	return channel.Run(ctx, s.b, channel.Config{
		Durable:  SenderConsumer,
		Channels: []event.Channel{event.ChannelWhatsApp},
		Attempts: s.attempts,
		Backoff:  s.backoff,
		Send:     s.send,
		Observe:  func(_ event.Channel, result string) { s.metrics.send(result) },
		Log:      s.log,
		Now:      s.now,
	})
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
			return "", &bus.SendError{Reason: "outside WhatsApp's 24-hour customer service window: the citizen has to write first " +
				"(message templates are not supported yet)"}
		}
	}
	to := identity.Digits(out.Recipient)
	if to == "" || to != strings.TrimPrefix(out.Recipient, "+") {
		return "", &bus.SendError{Reason: "the recipient is not a WhatsApp number"}
	}
	if len(out.Attachments) > 0 {
		return "", &bus.SendError{Reason: "sending files on WhatsApp is not supported yet; send the text alone"}
	}
	text := strings.TrimSpace(out.Text)
	if text == "" {
		return "", &bus.SendError{Reason: "the reply is empty"}
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
func classify(err error) *bus.SendError {
	var ae *apiError
	var ne netError
	switch {
	case errors.As(err, &ne):
		return &bus.SendError{Reason: "the Cloud API could not be reached", Retryable: true, Err: err}
	case errors.As(err, &ae) && ae.Code == 131047:
		return &bus.SendError{Reason: "outside WhatsApp's 24-hour customer service window: the citizen has to write first", Err: err}
	case errors.As(err, &ae) && ae.tokenProblem():
		return &bus.SendError{Reason: "the Cloud API refused the access token or its permissions; check " + config.KeyWhatsAppCloudToken, NeedsAdmin: true, Err: err}
	case errors.As(err, &ae) && ae.retryable():
		return &bus.SendError{Reason: "the Cloud API is busy or failing", Retryable: true, Err: err}
	case errors.As(err, &ae):
		return &bus.SendError{Reason: "the Cloud API refused the message: " + ae.Message, Err: err}
	}
	return &bus.SendError{Reason: "the Cloud API's answer was not understood", Retryable: true, Err: err}
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
