package lapor

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rs/zerolog"

	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/workflow"
)

// PusherConsumer is the pusher's durable consumer on the COMPLAINTS stream.
const PusherConsumer = "lapor-pusher"

// pushedKinds maps the complaint events that LAPOR! hears about to the
// action pushed. Aduan's "archived" (filing a finished case) is not LAPOR!'s
// "diarsipkan" (dropping a report without follow-up), so it is not pushed.
var pushedKinds = map[event.ComplaintKind]ActionKind{
	event.ComplaintVerified:   ActionVerify,
	event.ComplaintPostponed:  ActionPostpone,
	event.ComplaintRedirected: ActionReturn,
	event.ComplaintFollowedUp: ActionFollowUp,
	event.ComplaintResolved:   ActionFinish,
	// Taken up again after verification: LAPOR!'s verifikasi moves a
	// ditunda report back to diverifikasi. Resumed before verification
	// there is nothing to tell; the verification later says it.
	event.ComplaintResumed: ActionVerify,
}

// defaultPushBackoff spreads a push's tries over about two and a half hours
// (with the default 12 attempts), enough to ride out a LAPOR! outage.
var defaultPushBackoff = []time.Duration{
	5 * time.Second, 15 * time.Second, 30 * time.Second, time.Minute, 2 * time.Minute,
	5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
}

// PusherOptions configure a Pusher. Zero fields take defaults.
type PusherOptions struct {
	// Attempts before a push is dead-lettered. Default 12.
	Attempts int
	// Backoff between attempts (last entry repeating). Default 5s up to 30m.
	Backoff []time.Duration
	Log     zerolog.Logger
	// Health records the channel's state; nil keeps none.
	Health *Health
}

// Pusher sends the agency's actions on complaints that came from LAPOR!
// back to LAPOR!. Each complaint event's id goes with its push as the
// request id, so a push repeated after a lost answer or a crash is applied
// once. A push that keeps failing ends in the dead letters and the channel's
// health says so.
type Pusher struct {
	api    API
	bus    *bus.Bus
	spec   bus.ConsumerSpec
	log    zerolog.Logger
	health *Health
}

// NewPusher returns a pusher of b's complaint events to api.
func NewPusher(api API, b *bus.Bus, opt PusherOptions) *Pusher {
	if opt.Attempts <= 0 {
		opt.Attempts = 12
	}
	if len(opt.Backoff) == 0 {
		opt.Backoff = defaultPushBackoff
	}
	subjects := make([]string, 0, len(pushedKinds))
	for _, k := range []event.ComplaintKind{event.ComplaintVerified, event.ComplaintPostponed,
		event.ComplaintRedirected, event.ComplaintFollowedUp, event.ComplaintResolved, event.ComplaintResumed} {
		subjects = append(subjects, event.ComplaintSubject(k))
	}
	return &Pusher{
		api: api,
		bus: b,
		spec: bus.ConsumerSpec{
			Stream: bus.StreamComplaints, Durable: PusherConsumer, FilterSubjects: subjects,
			MaxDeliver: opt.Attempts, Backoff: opt.Backoff,
			// An upload of follow-up files may take a while; in-progress
			// acks keep it alive, AckWait only bounds a crash.
			AckWait: time.Minute,
		},
		log:    opt.Log.With().Str("comp", "lapor").Logger(),
		health: opt.Health,
	}
}

// Run pushes until ctx ends.
func (p *Pusher) Run(ctx context.Context) error {
	if p.health != nil {
		p.health.countDeadLetters(ctx)
	}
	c, err := p.bus.Consume(ctx, p.spec, p.handle)
	if err != nil {
		return fmt.Errorf("starting LAPOR! pusher: %w", err)
	}
	<-ctx.Done()
	c.Stop()
	return nil
}

func (p *Pusher) handle(ctx context.Context, msg *bus.Msg) error {
	var ev event.Complaint
	if err := event.Unmarshal(msg.Data, &ev); err != nil {
		return bus.Permanent(err)
	}
	if ev.Channel != event.ChannelLapor {
		return nil // not a LAPOR! complaint: nothing to tell LAPOR!
	}
	kind, ok := pushedKinds[ev.Kind]
	if !ok || ev.Kind == event.ComplaintResumed && ev.Status != string(workflow.Verified) {
		return nil
	}
	log := p.log.With().Str("ticket", ev.Ticket).Str("tracking_id", ev.ExternalRef).
		Str("action", string(kind)).Uint64("attempt", msg.NumDelivered).Logger()
	a, err := p.action(ctx, &ev, kind)
	if err == nil {
		err = p.api.Push(ctx, a)
	}
	if err == nil {
		if p.health != nil {
			p.health.pushOK(ctx, msg.NumDelivered > 1)
		}
		log.Info().Msg("pushed to LAPOR!")
		return nil
	}
	if ctx.Err() != nil {
		return err // shutting down: handed back without counting
	}
	final := isPermanent(err) || msg.NumDelivered >= uint64(p.spec.MaxDeliver)
	if p.health != nil {
		p.health.pushFailed(ctx, err, final, msg.NumDelivered == 1)
	}
	// The bus logs the failure (its error names action and tracking id).
	if final {
		return bus.Permanent(err)
	}
	return err
}

// action builds the push for a complaint event, loading its files.
func (p *Pusher) action(ctx context.Context, ev *event.Complaint, kind ActionKind) (Action, error) {
	a := Action{RequestID: ev.ID, TrackingID: ev.ExternalRef, Kind: kind, Text: ev.Note, At: ev.OccurredAt}
	switch {
	case ev.ExternalRef == "":
		return a, permanentf("complaint %s came from LAPOR! but has no tracking id", ev.Ticket)
	case (kind == ActionPostpone || kind == ActionReturn) && ev.Note == "":
		return a, permanentf("%s of complaint %s needs a reason for LAPOR!", ev.Kind, ev.Ticket)
	case kind == ActionFollowUp && ev.Note == "":
		return a, permanentf("follow-up of complaint %s has no text for LAPOR!", ev.Ticket)
	}
	for _, att := range ev.Attachments {
		if att.ObjectKey == "" {
			continue
		}
		data, err := p.load(ctx, att.ObjectKey)
		if err != nil {
			return a, err
		}
		a.Files = append(a.Files, Upload{Name: att.Filename, MIME: att.MIME, Data: data})
	}
	return a, nil
}

func (p *Pusher) load(ctx context.Context, key string) ([]byte, error) {
	r, _, err := p.bus.GetAttachment(ctx, key)
	if errors.Is(err, bus.ErrAttachmentNotFound) {
		return nil, bus.Permanent(fmt.Errorf("loading follow-up file: %w", err))
	}
	if err != nil {
		return nil, err
	}
	defer r.Close()
	data, err := readBody(r, MaxFileBytes)
	if err != nil {
		return nil, fmt.Errorf("loading follow-up file %s: %w", key, err)
	}
	return data, nil
}
