// Package whatsapp connects Aduan to WhatsApp as a linked device of the
// office's phone, through go.mau.fi/whatsmeow: citizens' messages become
// inbound events, replies on aduan.outbound.whatsapp are sent, receipts
// become delivery events. The session keys live in the same PostgreSQL
// (whatsmeow's sqlstore); one process at a time holds the session, by a
// lease in NATS KV. The official Cloud API is the sibling package cloudapi.
//
// The Adapter does the translation and is driven by events; the Session
// owns the whatsmeow client (pairing, connection, lease) and feeds it.
package whatsapp

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/aduan-gateway/aduan/adapters/internal/fetchqueue"
	"github.com/aduan-gateway/aduan/adapters/whatsapp/internal/wasent"
	"github.com/aduan-gateway/aduan/config"
	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/identity"
)

// Client is what the adapter needs of a WhatsApp connection. *whatsmeow.Client
// satisfies it; tests use a fake, since WhatsApp's servers are out of reach.
type Client interface {
	IsConnected() bool
	IsLoggedIn() bool
	SendMessage(ctx context.Context, to types.JID, message *waE2E.Message, extra ...whatsmeow.SendRequestExtra) (whatsmeow.SendResponse, error)
	SendChatPresence(ctx context.Context, jid types.JID, state types.ChatPresence, media types.ChatPresenceMedia) error
	MarkRead(ctx context.Context, ids []types.MessageID, timestamp time.Time, chat, sender types.JID, receiptTypeExtra ...types.ReceiptType) error
	Download(ctx context.Context, msg whatsmeow.DownloadableMessage) ([]byte, error)
}

var _ Client = (*whatsmeow.Client)(nil)

// LIDMap finds the phone number behind a LID (whatsmeow's Store.LIDs).
type LIDMap interface {
	GetPNForLID(ctx context.Context, lid types.JID) (types.JID, error)
}

// Stop reasons: WhatsApp ended the session and it must be paired again.
const (
	StopLoggedOut      = "logged_out"
	StopStreamReplaced = "stream_replaced"
)

// Shards is the number of download workers. Messages with files go to them
// through the download queue (a download takes seconds; whatsmeow's event
// handler must not wait for it), and so do later messages of a chat while
// one of its files is still being fetched. A chat always goes to the same
// worker, so a citizen's messages reach the bus in the order they were sent
// while one slow download does not hold up other chats. The subjects are
// the shared fetch queue's (adapters/internal/fetchqueue), shards included.
const Shards = fetchqueue.Shards

// Options are the adapter's collaborators; zero values work.
type Options struct {
	Log     zerolog.Logger
	Metrics *Metrics
	// Now is the clock (tests).
	Now func() time.Time
	// PublishBackoff paces retries of a publish that failed (NATS down).
	PublishBackoff []time.Duration
	// PublishTimeout bounds one try of a publish. Default 5s.
	PublishTimeout time.Duration
	// SendBackoff paces redelivery of a reply that could not be sent.
	SendBackoff []time.Duration
	// ConnectWait is how long a reply waits for a lost connection to come
	// back before it is handed back for a later try. Default 20s.
	ConnectWait time.Duration
}

// Adapter translates between WhatsApp and the bus.
type Adapter struct {
	b       *bus.Bus
	cfg     config.WhatsAppConfig
	log     zerolog.Logger
	metrics *Metrics
	sent    *wasent.Store
	health  *bus.HealthWriter
	now     func() time.Time

	publishBackoff []time.Duration
	publishTimeout time.Duration
	sendBackoff    []time.Duration
	connectWait    time.Duration

	// backlog tells chats with messages on the download queue; their next
	// messages queue behind them.
	backlog *fetchqueue.Backlog

	mu        sync.Mutex
	client    Client
	lids      LIDMap
	account   string
	connected chan struct{} // closed while connected
	stopped   chan string
	pairer    PhonePairer
}

// New builds the adapter and opens the sent-messages bucket.
func New(cfg config.WhatsAppConfig, b *bus.Bus, opt Options) *Adapter {
	a := &Adapter{
		b: b, cfg: cfg, log: opt.Log.With().Str("comp", "whatsapp").Logger(), metrics: opt.Metrics, sent: wasent.Open(b),
		now: opt.Now, publishBackoff: opt.PublishBackoff, sendBackoff: opt.SendBackoff, connectWait: opt.ConnectWait,
		publishTimeout: opt.PublishTimeout,
		connected:      make(chan struct{}),
		stopped:        make(chan string, 1),
	}
	if a.now == nil {
		a.now = time.Now
	}
	a.health = b.NewHealthWriter(a.log)
	if len(a.publishBackoff) == 0 {
		a.publishBackoff = []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 30 * time.Second}
	}
	if len(a.sendBackoff) == 0 {
		a.sendBackoff = []time.Duration{2 * time.Second, 5 * time.Second, 15 * time.Second, 30 * time.Second, time.Minute, 2 * time.Minute, 5 * time.Minute}
	}
	if a.publishTimeout == 0 {
		a.publishTimeout = 5 * time.Second
	}
	if a.connectWait == 0 {
		a.connectWait = 20 * time.Second
	}
	a.backlog = fetchqueue.NewBacklog(b, bus.StreamWhatsmeowFetch)
	return a
}

// Attach hands the adapter a client logged in as account (our number,
// digits), with the LID map of its store (nil: none).
func (a *Adapter) Attach(c Client, lids LIDMap, account string) {
	a.mu.Lock()
	prev := a.account
	a.client, a.lids, a.account = c, lids, account
	a.mu.Unlock()
	if prev != account && prev != "" {
		a.forgetHealth(prev)
	}
	if account != "" {
		a.forgetHealth("") // the "not paired yet" entry
	}
	a.log.Info().Str("account", identity.MaskPhone(account)).Msg("whatsapp session attached")
}

// Detach takes the client away (the session ended); replies wait.
func (a *Adapter) Detach() {
	a.mu.Lock()
	a.client, a.lids = nil, nil
	a.markDisconnected()
	a.mu.Unlock()
}

// Account is our number, or "" before pairing.
func (a *Adapter) Account() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.account
}

// Stopped delivers the reason when WhatsApp ended the session
// (StopLoggedOut, StopStreamReplaced).
func (a *Adapter) Stopped() <-chan string { return a.stopped }

// HandleEvent takes a whatsmeow event. whatsmeow acknowledges a message to
// WhatsApp only when this returns true, so a message is made durable first:
// published to JetStream here (bounded by the publish timeout), to INBOUND
// or, when it carries files, to the download queue. It returns false when
// that failed (NATS unreachable): whatsmeow then withholds the
// acknowledgement and WhatsApp delivers the message again later.
func (a *Adapter) HandleEvent(evt any) (ok bool) {
	defer func() {
		// whatsmeow recovers a handler's panic and acknowledges the message
		// anyway; refusing it instead keeps it at WhatsApp.
		if r := recover(); r != nil {
			a.log.Error().Interface("panic", r).Type("event", evt).Msg("whatsapp event handler panicked; message left for WhatsApp to deliver again")
			ok = false
		}
	}()
	switch v := evt.(type) {
	case *events.Message:
		account := a.Account()
		if account == "" {
			// Between pairing and attaching: leave it unacknowledged for
			// WhatsApp to deliver again.
			return false
		}
		j, skip := convert(v, account, a.now())
		if skip != "" {
			a.metrics.ignore(skip)
			return true
		}
		return a.take(j)
	case *events.Receipt:
		r := receiptOf(v)
		if r == nil {
			return true
		}
		return a.storeNow(func(ctx context.Context) error { return a.publishReceipt(ctx, r) })
	case *events.Connected:
		a.mu.Lock()
		select {
		case <-a.connected:
		default:
			close(a.connected)
		}
		a.mu.Unlock()
		a.setHealth(event.HealthOK, "", nil)
		a.log.Info().Msg("connected to WhatsApp")
	case *events.Disconnected:
		a.mu.Lock()
		a.markDisconnected()
		a.mu.Unlock()
		a.setHealth(event.HealthDown, "connection to WhatsApp lost; reconnecting", nil)
		a.log.Warn().Msg("disconnected from WhatsApp; reconnecting")
	case *events.LoggedOut:
		a.stop(StopLoggedOut, "the office phone unlinked Aduan ("+v.Reason.String()+"); pair again")
	case *events.StreamReplaced:
		a.stop(StopStreamReplaced, "another connection took over this WhatsApp session; Aduan stopped it here. Make sure only one Aduan runs the whatsapp role per number, then pair again")
	case *events.TemporaryBan:
		a.setHealth(event.HealthNeedsAttention, "WhatsApp temporarily banned this number: "+v.String(), nil)
		a.log.Error().Str("ban", v.String()).Msg("whatsapp temporarily banned the number")
	case *events.ClientOutdated:
		a.setHealth(event.HealthNeedsAttention, "WhatsApp refuses this client version: update Aduan", nil)
		a.log.Error().Msg("whatsapp says the client is outdated")
	case *events.ConnectFailure:
		a.setHealth(event.HealthDown, "WhatsApp refused the connection: "+v.Reason.String(), nil)
		a.log.Warn().Str("reason", v.Reason.String()).Msg("whatsapp connect failure")
	case *events.PairSuccess:
		a.mu.Lock()
		a.account = v.ID.User
		a.mu.Unlock()
		a.log.Info().Str("account", identity.MaskPhone(v.ID.User)).Str("platform", v.Platform).Msg("paired with WhatsApp")
	}
	return true
}

// markDisconnected makes later replies wait for the next connection; a.mu held.
func (a *Adapter) markDisconnected() {
	select {
	case <-a.connected:
		a.connected = make(chan struct{})
	default:
	}
}

func (a *Adapter) stop(reason, detail string) {
	a.mu.Lock()
	a.markDisconnected()
	a.mu.Unlock()
	a.metrics.stop(reason)
	a.setHealth(event.HealthNeedsPairing, detail, nil)
	a.log.Error().Str("reason", reason).Msg("whatsapp session stopped: " + detail)
	select {
	case a.stopped <- reason:
	default: // one pending reason is enough
	}
}

// take makes a message durable: one without files is published at once;
// one with files, or one of a chat whose earlier message waits for its
// files, goes to the download queue.
func (a *Adapter) take(j *job) bool {
	subject := fetchSubject(j.in.ConversationKey)
	return a.storeNow(func(ctx context.Context) error {
		behind, err := a.backlog.Has(ctx, subject)
		if err != nil {
			return err
		}
		if len(j.media) > 0 || behind {
			return a.enqueue(ctx, subject, j)
		}
		return a.publishMessage(ctx, j, false)
	})
}

// storeNow runs publish within the publish timeout, for the event handler.
func (a *Adapter) storeNow(publish func(ctx context.Context) error) bool {
	ctx, cancel := context.WithTimeout(context.Background(), a.publishTimeout)
	defer cancel()
	if err := publish(ctx); err != nil {
		a.metrics.retry()
		a.log.Warn().Err(err).Msg("whatsapp event not stored; left for WhatsApp to deliver again")
		return false
	}
	return true
}

// liveClient returns the client if it is connected and logged in.
func (a *Adapter) liveClient() (Client, <-chan struct{}) {
	a.mu.Lock()
	defer a.mu.Unlock()
	c := a.client
	if c != nil && c.IsConnected() && c.IsLoggedIn() {
		return c, nil
	}
	return nil, a.connected
}

// waitClient waits up to connectWait for a live client.
func (a *Adapter) waitClient(ctx context.Context) (Client, error) {
	deadline := time.NewTimer(a.connectWait)
	defer deadline.Stop()
	for {
		c, next := a.liveClient()
		if c != nil {
			return c, nil
		}
		// Connected events close next; the poll covers a client that
		// reconnected by itself without one reaching us.
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-deadline.C:
			return nil, errNotConnected
		case <-next:
		case <-time.After(250 * time.Millisecond):
		}
	}
}

var errNotConnected = errors.New("WhatsApp is not connected")

// SetState records a state of the session that the adapter did not see in
// an event (standby, waiting for pairing), with extra facts for the admin UI.
func (a *Adapter) SetState(state event.HealthState, detail string, extra map[string]string) {
	a.setHealth(state, detail, extra)
}

// setHealth records the session's state for the admin UI. extra replaces
// the pairing facts (QR, pair code); nil clears them.
func (a *Adapter) setHealth(state event.HealthState, detail string, extra map[string]string) {
	a.metrics.setState(string(state))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	now := a.now().UTC()
	a.health.Set(ctx, event.ChannelWhatsApp, a.Account(), func(h *event.Health) {
		h.State, h.Detail, h.Extra = state, detail, extra
		if state != event.HealthOK && state != event.HealthStandby {
			h.LastError, h.LastErrorAt = detail, now
		}
	})
}

// forgetHealth removes the health entry of an account no longer served
// (the "not paired yet" entry once a number is paired).
func (a *Adapter) forgetHealth(account string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	a.health.Forget(ctx, event.ChannelWhatsApp, account)
}
