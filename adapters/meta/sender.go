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

	"github.com/aduan-gateway/aduan/adapters/channel"
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
	health   *bus.HealthWriter
	attempts int
	backoff  []time.Duration
	now      func() time.Time

	// blocked holds the accounts whose token Meta rejected, with the reason:
	// nothing more is sent on them until the configuration is fixed and the
	// process restarted.
	blocked sync.Map
}

// NewSender builds the sender and opens the sent-messages bucket.
func NewSender(cfg config.MetaConfig, b *bus.Bus, opt SenderOptions) *Sender {
	opt.Options = opt.withDefaults()
	sent := openSentStore(b, opt.Now)
	log := opt.Log.With().Str("comp", "meta").Logger()
	s := &Sender{
		b: b, log: log, metrics: opt.Metrics, g: newGraph(cfg, opt.HTTPClient), sent: sent,
		health: b.NewHealthWriter(log), attempts: cfg.SendAttempts, backoff: opt.Backoff, now: opt.Now,
	}
	if len(s.backoff) == 0 {
		s.backoff = defaultSendBackoff
	}
	s.attempts = max(s.attempts, 1)
	return s
}

// Run sends replies until ctx ends.
func (s *Sender) Run(ctx context.Context) error {
	return channel.Run(ctx, s.b, channel.Config{
		Durable:  SenderConsumer,
		Channels: []event.Channel{event.ChannelMessenger, event.ChannelInstagram},
		Attempts: s.attempts,
		Backoff:  s.backoff,
		Send:     s.send,
		Health:   s.health,
		Observe:  func(ch event.Channel, result string) { s.metrics.send(string(ch), result) },
		Log:      s.log,
		Now:      s.now,
	})
}

// send sends out (its text, split to Meta's limits, then its files) and
// returns the platform id of the first message. Parts already sent by an
// earlier delivery of the same event are skipped, so a redelivery after a
// crash does not send twice.
func (s *Sender) send(ctx context.Context, out *event.Outbound) (string, error) {
	if reason, ok := s.blocked.Load(out.Account); ok {
		return "", &bus.SendError{Reason: reason.(string), Retryable: true, NeedsAdmin: true}
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
		return "", &bus.SendError{Reason: "the reply is empty"}
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
		return nil, &bus.SendError{Reason: fmt.Sprintf("not sent: the citizen last wrote %s ago, and Meta lets staff reply only within 7 days of the citizen's last message", roundAge(age))}
	default:
		return nil, &bus.SendError{Reason: fmt.Sprintf("not sent: the citizen last wrote %s ago, outside Meta's 24-hour window for automatic replies; a staff member can still reply within 7 days", roundAge(age))}
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
		return &bus.SendError{Reason: "the attached file " + a.Filename + " is no longer stored", Err: err}
	}
	if err != nil {
		return &bus.SendError{Reason: "could not read the attached file", Retryable: true, Err: err}
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	if err != nil {
		return &bus.SendError{Reason: "could not read the attached file", Retryable: true, Err: err}
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
		return "", &bus.SendError{Reason: "account " + account + " is not configured in " + config.KeyMetaPages}
	}
	defer cancel()
	res, err := sess.Post("/me/messages", params)
	if err != nil {
		se := classify(err, account)
		if tokenInvalid(err) {
			// Nothing more is sent on the account until the configuration
			// is fixed and the process restarted.
			s.blocked.Store(account, se.Reason)
		}
		return "", se
	}
	var r struct {
		MessageID string `facebook:"message_id"`
	}
	if err := res.Decode(&r); err != nil || r.MessageID == "" {
		return "", &bus.SendError{Reason: "Meta's answer had no message id", Retryable: true, Err: err}
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
func classify(err error, account string) *bus.SendError {
	var fe *fb.Error
	if !errors.As(err, &fe) {
		// The network or a non-JSON answer (a proxy's 502): try again.
		return &bus.SendError{Reason: "the Graph API could not be reached", Retryable: true, Err: err}
	}
	code, sub := fe.Code, fe.ErrorSubcode
	switch {
	case tokenInvalid(err):
		return &bus.SendError{Retryable: true, NeedsAdmin: true, Err: err,
			Reason: "Meta rejected the access token of account " + account + " (expired or revoked): sending on it is paused until an administrator sets a new token in " + config.KeyMetaPages + " and restarts Aduan"}
	case code == codeAppRateLimit || code == codeUserRateLimit || code == codePageRateLimit ||
		code == codeCallRateLimit || code >= 80000 && code <= 80014:
		return &bus.SendError{Reason: "Meta's rate limit was reached; try again later", Retryable: true, Err: err}
	case code == codeUnknown || code == codeService || code == codeTemporarySend || fe.IsTransient:
		return &bus.SendError{Reason: "Meta's servers did not accept the message for now; try again later", Retryable: true, Err: err}
	case code == codePermission && (sub == subOutsideWindow || sub == subOutsideWindowOld || sub == subIGOutsideWindow):
		return &bus.SendError{Reason: "Meta refused the reply as outside the allowed reply window (24 hours, or 7 days for staff)", Err: err}
	case code == codeUnavailable || sub == subUnavailable ||
		code == codeInvalidParam && (sub == subNoMatchingUser || sub == subIGNoMatchingUser):
		return &bus.SendError{Reason: "the citizen cannot be reached on this channel right now (account closed, page blocked, or not available)", Err: err}
	case code == codePermission || code >= 200 && code <= 299:
		return &bus.SendError{NeedsAdmin: true, Err: err,
			Reason: "Meta refused the reply for a missing permission of the app or page; an administrator must check the Meta app (" + fe.Message + ")"}
	}
	return &bus.SendError{Reason: "Meta refused the reply: " + fe.Message, Err: err}
}

// tokenInvalid tells an error of an expired or revoked access token.
func tokenInvalid(err error) bool {
	var fe *fb.Error
	return errors.As(err, &fe) && (fe.Code == codeTokenInvalid || fe.Code == codeSessionInvalid)
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
