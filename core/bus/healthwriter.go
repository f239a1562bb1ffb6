package bus

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"

	"github.com/aduan-gateway/aduan/core/event"
)

// HealthEvery spaces out routine health writes (a message in or out moving
// a timestamp on); a change of state is written at once.
const HealthEvery = 30 * time.Second

// healthTimeout bounds one health write.
const healthTimeout = 5 * time.Second

// HealthWriter is how adapters record their channel accounts' health in the
// health bucket, for the channels page. Every write starts from what the
// bucket holds, so news from one process (a webhook's last inbound time)
// never undoes a state another recorded (the sender's "needs attention").
// Routine news costs no I/O at the call: it is folded into the next write,
// at most one every HealthEvery per account. Failing to write is logged
// here, never returned: health is a view, not the work.
type HealthWriter struct {
	b     *Bus
	log   zerolog.Logger
	every time.Duration

	mu   sync.Mutex
	news map[string]*healthNews
}

// healthNews is what an account's next write adds.
type healthNews struct {
	ch       event.Channel
	account  string
	in, out  time.Time // latest message times not yet written
	working  bool      // a reply went out: "needs attention" is over
	written  time.Time // last write
	flushing bool      // a write of the news is scheduled
}

// NewHealthWriter returns a writer logging with log (the adapter's).
func (b *Bus) NewHealthWriter(log zerolog.Logger) *HealthWriter {
	return &HealthWriter{b: b, log: log, every: HealthEvery, news: map[string]*healthNews{}}
}

// Set applies change to the account's record, with any news not yet
// written, and writes it at once: a change of state.
func (w *HealthWriter) Set(ctx context.Context, ch event.Channel, account string, change func(*event.Health)) {
	w.mu.Lock()
	n := w.entry(ch, account)
	news := *n
	n.in, n.out, n.working, n.written = time.Time{}, time.Time{}, false, time.Now()
	w.mu.Unlock()
	w.write(ctx, ch, account, func(h *event.Health) {
		news.apply(h)
		if change != nil {
			change(h)
		}
	})
}

// Received records a citizen's message at time at.
func (w *HealthWriter) Received(ch event.Channel, account string, at time.Time) {
	w.note(ch, account, func(n *healthNews) {
		if at.After(n.in) {
			n.in = at
		}
	})
}

// Sent records a reply that went out at time at: it also ends a "needs
// attention" state, since the account evidently works.
func (w *HealthWriter) Sent(ch event.Channel, account string, at time.Time) {
	w.note(ch, account, func(n *healthNews) {
		if at.After(n.out) {
			n.out = at
		}
		n.working = true
	})
}

// note adds routine news. The first news after a quiet spell is written at
// once, later news when HealthEvery has passed since the last write; the
// call itself never waits for NATS.
func (w *HealthWriter) note(ch event.Channel, account string, add func(*healthNews)) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := w.entry(ch, account)
	add(n)
	if n.flushing {
		return
	}
	n.flushing = true
	wait := max(w.every-time.Since(n.written), 0)
	time.AfterFunc(wait, func() { w.flush(ch, account) })
}

// flush writes the news of an account, unless it was forgotten meanwhile:
// a write would bring its record back.
func (w *HealthWriter) flush(ch event.Channel, account string) {
	w.mu.Lock()
	n, ok := w.news[event.HealthKey(ch, account)]
	if !ok {
		w.mu.Unlock()
		return
	}
	news := *n
	n.in, n.out, n.working, n.flushing, n.written = time.Time{}, time.Time{}, false, false, time.Now()
	w.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), healthTimeout)
	defer cancel()
	w.write(ctx, ch, account, news.apply)
}

// Forget removes an account's record (an account no longer served).
func (w *HealthWriter) Forget(ctx context.Context, ch event.Channel, account string) {
	w.mu.Lock()
	delete(w.news, event.HealthKey(ch, account))
	w.mu.Unlock()
	err := w.b.Bucket(HealthBucket).Delete(ctx, event.HealthKey(ch, account))
	if err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		w.log.Debug().Err(err).Str("channel", string(ch)).Msg("removing an old health entry")
	}
}

func (w *HealthWriter) entry(ch event.Channel, account string) *healthNews {
	key := event.HealthKey(ch, account)
	n, ok := w.news[key]
	if !ok {
		n = &healthNews{ch: ch, account: account}
		w.news[key] = n
	}
	return n
}

func (n healthNews) apply(h *event.Health) {
	if n.in.After(h.LastInboundAt) {
		h.LastInboundAt = n.in
	}
	if n.out.After(h.LastOutboundAt) {
		h.LastOutboundAt = n.out
	}
	if n.working && h.State == event.HealthNeedsAttention {
		h.State, h.Detail = event.HealthOK, ""
	}
}

// write applies change to the recorded health (a new account starts OK).
func (w *HealthWriter) write(ctx context.Context, ch event.Channel, account string, change func(*event.Health)) {
	cur, found, err := w.b.Health(ctx, ch, account)
	if err != nil || !found {
		cur = event.Health{Channel: ch, Account: account, State: event.HealthOK}
	}
	change(&cur)
	cur.UpdatedAt = time.Time{}
	if err := w.b.SetHealth(ctx, cur); err != nil && ctx.Err() == nil && !errors.Is(err, nats.ErrConnectionClosed) {
		w.log.Warn().Err(err).Str("channel", string(ch)).Msg("recording channel health")
	}
}
