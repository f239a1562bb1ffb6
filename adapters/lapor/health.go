package lapor

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"

	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/event"
)

// pollFailuresDown is how many polls in a row must fail before the channel
// shows as down; one failed poll is routine on a public network.
const pollFailuresDown = 3

// Health keeps the LAPOR! channel's health record (bus health bucket, key
// lapor.<agency>) for the channels page. The poller and the pusher share one,
// each updating its own facts; every update writes the whole record.
type Health struct {
	b      *bus.Bus
	w      *bus.HealthWriter
	log    zerolog.Logger
	mu     sync.Mutex
	h      event.Health
	now    func() time.Time
	poll   pollFacts
	pushes pushFacts
}

type pollFacts struct {
	failures     int
	unauthorized bool
	cursor       string
	lastSync     time.Time
	lastReports  int
}

type pushFacts struct {
	deadLetters  int
	unauthorized bool
	failing      int // pushes whose last try failed and that will be tried again
	lastPush     time.Time
}

// NewHealth returns the health record of agency's LAPOR! channel.
func NewHealth(b *bus.Bus, agency string, log zerolog.Logger) *Health {
	return &Health{
		b:   b,
		w:   b.NewHealthWriter(log),
		log: log,
		h:   event.Health{Channel: event.ChannelLapor, Account: agency},
		now: time.Now,
	}
}

func (h *Health) pollOK(ctx context.Context, cursor string, reports int) {
	h.update(ctx, func(now time.Time) {
		h.poll.failures, h.poll.unauthorized = 0, false
		h.poll.cursor, h.poll.lastSync, h.poll.lastReports = cursor, now, reports
		if reports > 0 {
			h.h.LastInboundAt = now
		}
	})
}

func (h *Health) pollFailed(ctx context.Context, err error) {
	h.update(ctx, func(now time.Time) {
		h.poll.failures++
		h.poll.unauthorized = isUnauthorized(err)
		h.h.LastError, h.h.LastErrorAt = err.Error(), now
	})
}

func (h *Health) pushOK(ctx context.Context, wasFailing bool) {
	h.update(ctx, func(now time.Time) {
		h.pushes.unauthorized = false
		h.pushes.lastPush = now
		if wasFailing && h.pushes.failing > 0 {
			h.pushes.failing--
		}
		h.h.LastOutboundAt = now
	})
}

// pushFailed records a failed try; final says the push goes to the dead
// letters now, firstFailure that it had not failed before.
func (h *Health) pushFailed(ctx context.Context, err error, final, firstFailure bool) {
	h.update(ctx, func(now time.Time) {
		h.pushes.unauthorized = isUnauthorized(err)
		switch {
		case final:
			h.pushes.deadLetters++
			if !firstFailure && h.pushes.failing > 0 {
				h.pushes.failing--
			}
		case firstFailure:
			h.pushes.failing++
		}
		h.h.LastError, h.h.LastErrorAt = err.Error(), now
	})
}

// countDeadLetters sets the number of dead-lettered pushes from the
// DEADLETTER stream, which stays right across restarts and after an admin
// replays or removes them.
func (h *Health) countDeadLetters(ctx context.Context) {
	subject := bus.DeadLetterSubject(bus.StreamComplaints, PusherConsumer)
	st, err := h.b.JetStream().Stream(ctx, bus.StreamDeadLetter)
	if err != nil {
		h.log.Warn().Err(err).Msg("reading dead letters for the channel health")
		return
	}
	info, err := st.Info(ctx, jetstream.WithSubjectFilter(subject))
	if err != nil {
		h.log.Warn().Err(err).Msg("reading dead letters for the channel health")
		return
	}
	h.update(ctx, func(time.Time) { h.pushes.deadLetters = int(info.State.Subjects[subject]) })
}

// update applies change, derives the state and writes the record, all
// under the lock so that the poller's and the pusher's writes land in order.
func (h *Health) update(ctx context.Context, change func(now time.Time)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := h.now().UTC()
	change(now)
	h.h.State, h.h.Detail = h.state()
	h.h.Extra = h.extra()
	h.h.UpdatedAt = now
	// The record is all this process's: it replaces what the bucket holds.
	rec := h.h
	h.w.Set(ctx, rec.Channel, rec.Account, func(cur *event.Health) { *cur = rec })
}

// state says how the channel is doing, in words an admin can act on.
func (h *Health) state() (event.HealthState, string) {
	switch {
	case h.poll.unauthorized || h.pushes.unauthorized:
		return event.HealthNeedsAttention, "LAPOR! menolak kunci API instansi. Periksa ADUAN_LAPOR_TOKEN."
	case h.pushes.deadLetters > 0:
		return event.HealthNeedsAttention, fmt.Sprintf(
			"%d pembaruan status/tindak lanjut gagal dikirim ke LAPOR! setelah beberapa kali dicoba dan menunggu tindakan admin.",
			h.pushes.deadLetters)
	case h.poll.failures >= pollFailuresDown:
		return event.HealthDown, fmt.Sprintf("LAPOR! tidak dapat dihubungi (%d kali berturut-turut); Aduan terus mencoba.", h.poll.failures)
	}
	return event.HealthOK, ""
}

func (h *Health) extra() map[string]string {
	e := map[string]string{
		"cursor":              h.poll.cursor,
		"poll_failures":       strconv.Itoa(h.poll.failures),
		"last_sync_reports":   strconv.Itoa(h.poll.lastReports),
		"push_dead_letters":   strconv.Itoa(h.pushes.deadLetters),
		"push_retries_queued": strconv.Itoa(h.pushes.failing),
	}
	if !h.poll.lastSync.IsZero() {
		e["last_sync_at"] = h.poll.lastSync.Format(time.RFC3339)
	}
	if !h.pushes.lastPush.IsZero() {
		e["last_push_at"] = h.pushes.lastPush.Format(time.RFC3339)
	}
	return e
}
