// Package fetchqueue is the queue the webhook adapters keep messages in while
// their files are still at the platform. The webhook publishes a Job to a
// work-queue stream, durable before it answers the platform; workers download
// the files, store them and only then publish the message to the core. A
// webhook so answers in milliseconds, and a slow or failing download loses
// nothing: a file that cannot be had is noted on its attachment and the
// message goes on without it.
//
// The streams are declared by core/bus with every other; this package only
// publishes to them and consumes them.
package fetchqueue

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/rs/zerolog"

	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/event"
)

// Job is a message whose files are still at the platform.
type Job struct {
	Inbound event.Inbound `json:"inbound"`
	Sources []Source      `json:"sources"`
	// Media is how the Cloud API queued its jobs before this package: media
	// ids by attachment index. A job an older process queued during a
	// rolling upgrade is still fetched, not published without its files.
	Media []string `json:"media,omitempty"`
}

// Validate reports the first thing the queue would refuse: a message the
// core does not accept, or a source that points at no attachment.
func (j *Job) Validate() error {
	if err := j.Inbound.Validate(); err != nil {
		return err
	}
	for _, s := range j.Sources {
		if s.Index < 0 || s.Index >= len(j.Inbound.Attachments) {
			return fmt.Errorf("fetch job %s: attachment index %d out of range", j.Inbound.MsgID(), s.Index)
		}
	}
	return nil
}

// Source says where one attachment's file is.
type Source struct {
	// Index is the attachment's position in Inbound.Attachments.
	Index int `json:"index"`
	// URL is a download link (Messenger and Instagram CDN links).
	URL string `json:"url,omitempty"`
	// MediaID is a WhatsApp Cloud API media id, looked up with the access token.
	MediaID string `json:"media_id,omitempty"`
}

// Results a Config.Observe hears, one per file.
const (
	ResultOK      = "ok"
	ResultRetried = "retried"
	ResultFailed  = "failed"
)

// Config is one channel's queue.
type Config struct {
	// Stream is the work-queue stream; Durable the consumer its workers share.
	Stream, Durable string
	// Attempts is how many deliveries a file gets on retryable errors before
	// the message goes on with the failure noted.
	Attempts int
	// Backoff paces redeliveries; AckWait (0: the bus's) bounds one delivery.
	Backoff []time.Duration
	AckWait time.Duration

	// Fetch downloads one file, stores it and fills att (MIME, file name,
	// object key, ...).
	Fetch func(ctx context.Context, src Source, att *event.Attachment) error
	// Retryable tells a failure worth another delivery (network, 5xx).
	Retryable func(error) bool
	// Reason is the failure as the inbox shows it, in plain words and
	// without the link (it may carry the platform's access parameters);
	// nil uses the error's text.
	Reason func(error) string
	// Observe, when set, hears each file's result (metrics).
	Observe func(result string)
	// Log is the adapter's component logger.
	Log zerolog.Logger
}

// Queue publishes jobs and runs the workers of one channel's fetch stream.
type Queue struct {
	b   *bus.Bus
	cfg Config
}

// New returns the queue of cfg on b.
func New(b *bus.Bus, cfg Config) *Queue {
	if cfg.Reason == nil {
		cfg.Reason = func(err error) string { return err.Error() }
	}
	if cfg.Observe == nil {
		cfg.Observe = func(string) {}
	}
	return &Queue{b: b, cfg: cfg}
}

// Enqueue makes a message with files durable on subject, a subject of the
// queue's stream; a retried webhook enqueues it once.
func (q *Queue) Enqueue(ctx context.Context, subject string, in *event.Inbound, src []Source) error {
	data, err := json.Marshal(Job{Inbound: *in, Sources: src})
	if err != nil {
		return err
	}
	_, err = q.b.Publish(ctx, subject, "fetch:"+in.MsgID(), data)
	return err
}

// Run runs workers parallel download workers until ctx ends.
func (q *Queue) Run(ctx context.Context, workers int) error {
	spec := bus.ConsumerSpec{
		Stream: q.cfg.Stream, Durable: q.cfg.Durable,
		// Past Attempts the handler publishes the message itself, so these
		// extra deliveries only cover a failing publish.
		MaxDeliver: q.cfg.Attempts + 5,
		Backoff:    q.cfg.Backoff,
		AckWait:    q.cfg.AckWait,
	}
	var cs []*bus.Consumer
	defer func() {
		for _, c := range cs {
			c.Stop()
		}
	}()
	for range max(workers, 1) {
		c, err := q.b.Consume(ctx, spec, q.handle)
		if err != nil {
			return fmt.Errorf("starting %s fetcher: %w", q.cfg.Durable, err)
		}
		cs = append(cs, c)
	}
	<-ctx.Done()
	return nil
}

// handle downloads a job's files and publishes its message.
func (q *Queue) handle(ctx context.Context, m *bus.Msg) error {
	var job Job
	if err := json.Unmarshal(m.Data, &job); err != nil {
		return bus.Permanent(fmt.Errorf("decoding fetch job: %w", err))
	}
	for i, id := range job.Media {
		job.Sources = append(job.Sources, Source{Index: i, MediaID: id})
	}
	if err := job.Validate(); err != nil {
		return bus.Permanent(err)
	}
	in := &job.Inbound
	lastTry := m.NumDelivered >= uint64(q.cfg.Attempts)
	for _, s := range job.Sources {
		att := &in.Attachments[s.Index]
		err := q.cfg.Fetch(ctx, s, att)
		switch {
		case err == nil:
			q.cfg.Observe(ResultOK)
		case q.cfg.Retryable(err) && !lastTry && ctx.Err() == nil:
			q.cfg.Observe(ResultRetried)
			return fmt.Errorf("fetching %s attachment of %s: %w", att.Kind, in.MsgID(), err)
		default:
			q.cfg.Observe(ResultFailed)
			att.Error = q.cfg.Reason(err)
			q.cfg.Log.Warn().Err(err).Str("channel", string(in.Channel)).Str("external_id", in.ExternalID).
				Str("kind", string(att.Kind)).Msg("attachment not fetched; message delivered without it")
		}
	}
	_, err := q.b.PublishEvent(ctx, in, in.Subject(), in.MsgID())
	return err
}
