package meta

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	fb "github.com/huandu/facebook/v2"
	"github.com/rs/zerolog"

	"github.com/aduan-gateway/aduan/config"
	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/event"
)

// SenderConsumer is the durable name of the reply consumer.
const SenderConsumer = "meta-sender"

// Meta's reply windows: any reply within 24 hours of the citizen's last
// message; a human agent's (HUMAN_AGENT tag) within 7 days.
const (
	ResponseWindow   = 24 * time.Hour
	HumanAgentWindow = 7 * 24 * time.Hour
)

// Text limits per message: Messenger counts characters, Instagram bytes.
const (
	messengerTextLimit = 2000
	instagramTextLimit = 1000
)

var defaultSendBackoff = []time.Duration{
	2 * time.Second, 5 * time.Second, 15 * time.Second, 30 * time.Second, time.Minute, 2 * time.Minute, 5 * time.Minute,
}

// SenderOptions tune the sender beyond Options; zero values take defaults.
type SenderOptions struct {
	Options
	// Backoff paces retries after rate limits and transient errors.
	Backoff []time.Duration
	// Now is the clock for the reply window (tests).
	Now func() time.Time
}

// Sender consumes aduan.outbound.messenger and aduan.outbound.instagram and
// sends each reply through the Graph API, reporting the outcome on
// aduan.delivery.<channel>.
type Sender struct {
	b        *bus.Bus
	log      zerolog.Logger
	metrics  *Metrics
	g        *graph
	sent     *sentStore
	health   *healthBook
	attempts int
	backoff  []time.Duration
	now      func() time.Time

	// blocked holds the accounts whose token Meta rejected, with the reason:
	// nothing more is sent on them until the configuration is fixed and the
	// process restarted.
	blocked sync.Map
}

// NewSender builds the sender and opens the sent-messages bucket.
func NewSender(ctx context.Context, cfg config.MetaConfig, b *bus.Bus, opt SenderOptions) (*Sender, error) {
	sent := openSentStore(b)
	log := opt.Log.With().Str("comp", "meta").Logger()
	s := &Sender{
		b: b, log: log, metrics: opt.Metrics, g: newGraph(cfg, opt.HTTPClient), sent: sent,
		health: newHealthBook(b, log), attempts: cfg.SendAttempts, backoff: opt.Backoff, now: opt.Now,
	}
	if len(s.backoff) == 0 {
		s.backoff = defaultSendBackoff
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.attempts = max(s.attempts, 1)
	return s, nil
}

// Run sends replies until ctx ends.
func (s *Sender) Run(ctx context.Context) error {
	c, err := s.b.Consume(ctx, bus.ConsumerSpec{
		Stream:  bus.StreamOutbound,
		Durable: SenderConsumer,
		FilterSubjects: []string{
			event.OutboundSubject(event.ChannelMessenger), event.OutboundSubject(event.ChannelInstagram),
		},
		// The handler reports the failure itself on the last attempt; the
		// extra deliveries only cover a failing report.
		MaxDeliver: s.attempts + 3,
		Backoff:    s.backoff,
	}, s.handle)
	if err != nil {
		return fmt.Errorf("starting meta sender: %w", err)
	}
	<-ctx.Done()
	c.Stop()
	return nil
}

// sendError is a reply that did not go out, with what to do about it.
type sendError struct {
	// reason is for the inbox: plain words an admin can act on.
	reason string
	// again: worth retrying now (rate limit, transient).
	again bool
	// retryable: an admin's retry may succeed later (Delivery.Retryable).
	retryable bool
	// tokenInvalid: stop sending on the account.
	tokenInvalid bool
	// attention: the account needs an administrator (token, permissions).
	attention bool
	err       error
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
	if out.Channel != event.ChannelMessenger && out.Channel != event.ChannelInstagram {
		return bus.Permanent(fmt.Errorf("outbound %s for channel %q on a meta subject", out.ID, out.Channel))
	}
	log := s.log.With().Str("channel", string(out.Channel)).Str("account", out.Account).Str("outbound_id", out.ID).Logger()
	mid, err := s.send(ctx, &out)
	if err == nil {
		d := &event.Delivery{ID: event.NewID(), OutboundID: out.ID, Channel: out.Channel, Account: out.Account,
			ExternalID: mid, Status: event.DeliverySent, At: s.now().UTC()}
		if _, err := s.b.PublishEvent(ctx, d, d.Subject(), "meta:"+out.ID+":sent"); err != nil {
			return err // redelivered; what was sent is recorded and not sent again
		}
		s.metrics.send(string(out.Channel), "sent")
		s.health.touch(ctx, out.Channel, out.Account, func(h *event.Health) {
			h.LastOutboundAt = d.At
			if h.State != event.HealthOK {
				h.State, h.Detail = event.HealthOK, ""
			}
		})
		return nil
	}
	var se *sendError
	if !errors.As(err, &se) {
		se = &sendError{reason: "could not record the reply's progress", again: true, retryable: true, err: err}
	}
	if se.again && m.NumDelivered < uint64(s.attempts) && ctx.Err() == nil {
		s.metrics.send(string(out.Channel), "retried")
		return err // the bus logs it and redelivers after a backoff
	}
	if ctx.Err() != nil {
		return err // shutting down: handed back, not failed
	}
	if se.tokenInvalid {
		s.blocked.Store(out.Account, se.reason)
	}
	if se.attention {
		now := s.now().UTC()
		s.health.set(ctx, out.Channel, out.Account, func(h *event.Health) {
			h.State, h.Detail = event.HealthNeedsAttention, se.reason
			h.LastError, h.LastErrorAt = se.Error(), now
		})
	}
	d := &event.Delivery{ID: event.NewID(), OutboundID: out.ID, Channel: out.Channel, Account: out.Account,
		Status: event.DeliveryFailed, Reason: se.reason, Retryable: se.retryable || se.again, At: s.now().UTC()}
	if _, err := s.b.PublishEvent(ctx, d, d.Subject(), "meta:"+out.ID+":failed"); err != nil {
		return err
	}
	s.metrics.send(string(out.Channel), "failed")
	log.Warn().Err(err).Msg("reply failed")
	return nil
}

// send sends out (its text, split to Meta's limits, then its files) and
// returns the platform id of the first message. Parts already sent by an
// earlier delivery of the same event are skipped, so a redelivery after a
// crash does not send twice.
func (s *Sender) send(ctx context.Context, out *event.Outbound) (string, error) {
	if reason, ok := s.blocked.Load(out.Account); ok {
		return "", &sendError{reason: reason.(string), retryable: true}
	}
	base, err := s.windowParams(out)
	if err != nil {
		return "", err
	}
	limit, byteLimit := messengerTextLimit, false
	if out.Channel == event.ChannelInstagram {
		limit, byteLimit = instagramTextLimit, true
	}
	parts := splitText(out.Text, limit, byteLimit)
	total := len(parts) + len(out.Attachments)
	if total == 0 {
		return "", &sendError{reason: "the reply is empty"}
	}
	done, err := s.sentParts(ctx, out)
	if err != nil {
		return "", err
	}
	for i := len(done); i < total; i++ {
		params := fb.Params{}
		for k, v := range base {
			params[k] = v
		}
		if i < len(parts) {
			msg := map[string]string{"text": parts[i]}
			if out.Channel == event.ChannelMessenger {
				msg["metadata"] = metadataPrefix + out.ID
			}
			params["message"] = msg
		} else if err := s.attachParams(ctx, params, out.Attachments[i-len(parts)]); err != nil {
			return "", err
		}
		at := s.now()
		mid, err := s.post(ctx, out.Account, params)
		if err != nil {
			return "", err
		}
		if err := s.sent.record(ctx, out.Channel, out.Account, out.Recipient, mid, out.ID, at); err != nil {
			return "", err
		}
		done = append(done, mid)
	}
	return done[0], nil
}

// sentParts returns the mids already sent for out, oldest first.
func (s *Sender) sentParts(ctx context.Context, out *event.Outbound) ([]string, error) {
	l, _, err := s.sent.load(ctx, sentKey(out.Channel, out.Account, out.Recipient))
	if err != nil {
		return nil, err
	}
	var mids []string
	for _, e := range l.Sent {
		if e.OutboundID == out.ID {
			mids = append(mids, e.MID)
		}
	}
	return mids, nil
}

// windowParams applies Meta's reply window: a plain response within 24
// hours of the citizen's last message, a staff reply with the HUMAN_AGENT
// tag within 7 days, nothing after that. An unknown last-message time is
// sent as a response and left for Meta to judge.
func (s *Sender) windowParams(out *event.Outbound) (fb.Params, error) {
	p := fb.Params{"recipient": map[string]string{"id": out.Recipient}}
	age := s.now().Sub(out.CustomerLastMessageAt)
	switch {
	case out.CustomerLastMessageAt.IsZero() || age <= ResponseWindow:
		p["messaging_type"] = "RESPONSE"
	case out.Origin == event.OriginAgent && age <= HumanAgentWindow:
		p["messaging_type"] = "MESSAGE_TAG"
		p["tag"] = "HUMAN_AGENT"
	case out.Origin == event.OriginAgent:
		return nil, &sendError{reason: fmt.Sprintf("not sent: the citizen last wrote %s ago, and Meta lets staff reply only within 7 days of the citizen's last message", roundAge(age))}
	default:
		return nil, &sendError{reason: fmt.Sprintf("not sent: the citizen last wrote %s ago, outside Meta's 24-hour window for automatic replies; a staff member can still reply within 7 days", roundAge(age))}
	}
	return p, nil
}

func roundAge(d time.Duration) string {
	if d >= 48*time.Hour {
		return strconv.Itoa(int(d/(24*time.Hour))) + " days"
	}
	return strconv.Itoa(int(d/time.Hour)) + " hours"
}

// attachParams adds a stored file to params as an upload (filedata).
func (s *Sender) attachParams(ctx context.Context, params fb.Params, a event.Attachment) error {
	r, info, err := s.b.GetAttachment(ctx, a.ObjectKey)
	if errors.Is(err, bus.ErrAttachmentNotFound) {
		return &sendError{reason: "the attached file " + a.Filename + " is no longer stored", err: err}
	}
	if err != nil {
		return &sendError{reason: "could not read the attached file", again: true, retryable: true, err: err}
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	if err != nil {
		return &sendError{reason: "could not read the attached file", again: true, retryable: true, err: err}
	}
	typ := "file"
	switch a.Kind {
	case event.AttachmentImage, event.AttachmentSticker:
		typ = "image"
	case event.AttachmentVideo:
		typ = "video"
	case event.AttachmentAudio:
		typ = "audio"
	}
	params["message"] = map[string]any{"attachment": map[string]any{"type": typ, "payload": map[string]bool{"is_reusable": false}}}
	params["filedata"] = fb.DataWithContentType(info.Filename, bytes.NewReader(data), info.MIME)
	return nil
}

// post calls the Send API and returns the new message's id.
func (s *Sender) post(ctx context.Context, account string, params fb.Params) (string, error) {
	sess, cancel, ok := s.g.session(ctx, account)
	if !ok {
		return "", &sendError{reason: "account " + account + " is not configured in " + config.KeyMetaPages}
	}
	defer cancel()
	res, err := sess.Post("/me/messages", params)
	if err != nil {
		return "", classify(err, account)
	}
	var r struct {
		MessageID string `facebook:"message_id"`
	}
	if err := res.Decode(&r); err != nil || r.MessageID == "" {
		return "", &sendError{reason: "Meta's answer had no message id", again: true, retryable: true, err: err}
	}
	return r.MessageID, nil
}

// Graph API error codes the sender tells apart (Messenger Platform and
// Instagram messaging error references).
const (
	codeUnknown         = 1
	codeService         = 2
	codeAppRateLimit    = 4
	codePermission      = 10
	codeUserRateLimit   = 17
	codePageRateLimit   = 32
	codeInvalidParam    = 100
	codeSessionInvalid  = 102
	codeTokenInvalid    = 190
	codeUnavailable     = 551
	codeCallRateLimit   = 613
	codeTemporarySend   = 1200
	subNoMatchingUser   = 2018001
	subIGNoMatchingUser = 2534014
	subOutsideWindow    = 2018278
	subOutsideWindowOld = 2018065
	subIGOutsideWindow  = 2534022
	subUnavailable      = 1545041
)

// classify turns a Graph API error into what to do about it.
func classify(err error, account string) *sendError {
	var fe *fb.Error
	if !errors.As(err, &fe) {
		// The network or a non-JSON answer (a proxy's 502): try again.
		return &sendError{reason: "the Graph API could not be reached", again: true, retryable: true, err: err}
	}
	code, sub := fe.Code, fe.ErrorSubcode
	switch {
	case code == codeTokenInvalid || code == codeSessionInvalid:
		return &sendError{tokenInvalid: true, attention: true, retryable: true, err: err,
			reason: "Meta rejected the access token of account " + account + " (expired or revoked): sending on it is paused until an administrator sets a new token in " + config.KeyMetaPages + " and restarts Aduan"}
	case code == codeAppRateLimit || code == codeUserRateLimit || code == codePageRateLimit ||
		code == codeCallRateLimit || code >= 80000 && code <= 80014:
		return &sendError{reason: "Meta's rate limit was reached; try again later", again: true, retryable: true, err: err}
	case code == codeUnknown || code == codeService || code == codeTemporarySend || fe.IsTransient:
		return &sendError{reason: "Meta's servers did not accept the message for now; try again later", again: true, retryable: true, err: err}
	case code == codePermission && (sub == subOutsideWindow || sub == subOutsideWindowOld || sub == subIGOutsideWindow):
		return &sendError{reason: "Meta refused the reply as outside the allowed reply window (24 hours, or 7 days for staff)", err: err}
	case code == codeUnavailable || sub == subUnavailable ||
		code == codeInvalidParam && (sub == subNoMatchingUser || sub == subIGNoMatchingUser):
		return &sendError{reason: "the citizen cannot be reached on this channel right now (account closed, page blocked, or not available)", err: err}
	case code == codePermission || code >= 200 && code <= 299:
		return &sendError{attention: true, err: err,
			reason: "Meta refused the reply for a missing permission of the app or page; an administrator must check the Meta app (" + fe.Message + ")"}
	}
	return &sendError{reason: "Meta refused the reply: " + fe.Message, err: err}
}

// splitText cuts text into parts of at most limit characters (or bytes),
// at a paragraph, line or word break where there is one.
func splitText(text string, limit int, inBytes bool) []string {
	text = strings.TrimSpace(text)
	size := utf8.RuneCountInString
	if inBytes {
		size = func(s string) int { return len(s) }
	}
	var parts []string
	for text != "" {
		if size(text) <= limit {
			parts = append(parts, text)
			break
		}
		// The longest prefix within the limit, on a rune boundary.
		cut, n := 0, 0
		for i, r := range text {
			w := 1
			if inBytes {
				w = utf8.RuneLen(r)
			}
			if n+w > limit {
				break
			}
			n += w
			cut = i + utf8.RuneLen(r)
		}
		head := text[:cut]
		for _, sep := range []string{"\n\n", "\n", " "} {
			if i := strings.LastIndex(head, sep); i > cut/2 {
				head = head[:i]
				break
			}
		}
		parts = append(parts, strings.TrimSpace(head))
		text = strings.TrimSpace(text[len(head):])
	}
	return parts
}
