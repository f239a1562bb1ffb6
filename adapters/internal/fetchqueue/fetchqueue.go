// Package fetchqueue is the queue the webhook adapters keep messages in while
// their files are still at the platform. The webhook publishes a Job to a
// work-queue stream, durable before it answers the platform; workers download
// the files, store them and only then publish the message to the core. A
// webhook so answers in milliseconds, and a slow or failing download loses
// nothing: a file that cannot be had is noted on its attachment and the
// message goes on without it.
//
// A sender's messages reach the core in the order they were sent. Each
// sender has its own subject (a hash of channel, account and conversation,
// never the id itself) in one of Shards shards; a sender with anything
// queued sends its later messages, texts too, through the queue behind it;
// and one worker per shard takes one message at a time. A slow download
// holds up only the senders of its shard.
//
// The streams are declared by core/bus with every other; this package only
// publishes to them and consumes them.
package fetchqueue

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"

	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/event"
)

// Shards is how many ordered workers a queue has. Queued subjects carry
// their shard, so it cannot change while messages are queued.
const Shards = 4

// Subject is key's subject under prefix: its shard and a hash of key, so
// that no phone number or account id is in a subject.
func Subject(prefix, key string) string {
	sum := sha256.Sum256([]byte(key))
	return prefix + strconv.Itoa(int(sum[0])%Shards) + "." + hex.EncodeToString(sum[:10])
}

// Consumers names the consumers of a queue whose Config.Durable is durable:
// each shard's worker, then the one of jobs queued before shards.
func Consumers(durable string) []string {
	names := make([]string, 0, Shards+1)
	for i := range Shards {
		names = append(names, durable+"-"+strconv.Itoa(i))
	}
	return append(names, durable)
}

// ShardFilter is the subject filter of shard i's senders under prefix.
func ShardFilter(prefix string, i int) string { return prefix + strconv.Itoa(i) + ".*" }

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
	// Stream is the work-queue stream and Prefix its subjects' (Subject).
	// Durable names the workers: shard i's is Durable-i.
	Stream, Prefix, Durable string
	// Legacy, when set, is the subject filter of jobs queued before the
	// queue kept senders' order; the Durable consumer still works them off.
	Legacy string
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
	b       *bus.Bus
	cfg     Config
	backlog *Backlog
}

// New returns the queue of cfg on b.
func New(b *bus.Bus, cfg Config) *Queue {
	if cfg.Reason == nil {
		cfg.Reason = func(err error) string { return err.Error() }
	}
	if cfg.Observe == nil {
		cfg.Observe = func(string) {}
	}
	return &Queue{b: b, cfg: cfg, backlog: NewBacklog(b, cfg.Stream)}
}

// Backlog tells whether a sender has messages on a queue stream. The
// stream, not memory, is asked: another process may have queued them, and
// a worker publishes a message before it takes it off the queue, so a
// sender found with nothing queued has had everything published.
type Backlog struct {
	b    *bus.Bus
	name string

	mu     sync.Mutex
	stream jetstream.Stream // looked up on first use
}

// NewBacklog returns the backlog of the work-queue stream name on b.
func NewBacklog(b *bus.Bus, name string) *Backlog { return &Backlog{b: b, name: name} }

// Has tells whether subject has a message on the stream.
func (bl *Backlog) Has(ctx context.Context, subject string) (bool, error) {
	bl.mu.Lock()
	s := bl.stream
	bl.mu.Unlock()
	if s == nil {
		var err error
		if s, err = bl.b.JetStream().Stream(ctx, bl.name); err != nil {
			return false, fmt.Errorf("reading %s: %w", bl.name, err)
		}
		bl.mu.Lock()
		bl.stream = s
		bl.mu.Unlock()
	}
	_, err := s.GetLastMsgForSubject(ctx, subject)
	switch {
	case errors.Is(err, jetstream.ErrMsgNotFound):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("reading %s: %w", bl.name, err)
	}
	return true, nil
}

// Publish makes a message durable: on the queue when it has files to fetch
// (src) or its sender has messages queued still, so that it comes out
// behind them; else straight to the core. A retried webhook publishes it
// once.
func (q *Queue) Publish(ctx context.Context, in *event.Inbound, src []Source) error {
	subject := Subject(q.cfg.Prefix, string(in.Channel)+"\x00"+in.Account+"\x00"+in.ConversationKey)
	if len(src) == 0 {
		queued, err := q.backlog.Has(ctx, subject)
		if err != nil {
			return err
		}
		if !queued {
			_, err := q.b.PublishEvent(ctx, in, in.Subject(), in.MsgID())
			return err
		}
	}
	data, err := json.Marshal(Job{Inbound: *in, Sources: src})
	if err != nil {
		return err
	}
	_, err = q.b.Publish(ctx, subject, "fetch:"+in.MsgID(), data)
	return err
}

// Run runs one worker per shard until ctx ends.
func (q *Queue) Run(ctx context.Context) error {
	spec := bus.ConsumerSpec{
		Stream: q.cfg.Stream,
		// Past Attempts the handler publishes the message itself, so these
		// extra deliveries only cover a failing publish.
		MaxDeliver: q.cfg.Attempts + 5,
		Backoff:    q.cfg.Backoff,
		AckWait:    q.cfg.AckWait,
	}
	var specs []bus.ConsumerSpec
	if q.cfg.Legacy != "" {
		// First: the consumer took the whole stream before, and on a work
		// queue the shards' filters must not overlap it.
		s := spec
		s.Durable, s.FilterSubjects = q.cfg.Durable, []string{q.cfg.Legacy}
		specs = append(specs, s)
	}
	for i, name := range Consumers(q.cfg.Durable)[:Shards] {
		s := spec
		s.Durable = name
		s.FilterSubjects = []string{ShardFilter(q.cfg.Prefix, i)}
		// One at a time, across processes: a failed message is delivered
		// again before the next one, which keeps each sender in order.
		s.MaxAckPending = 1
		specs = append(specs, s)
	}
	var cs []*bus.Consumer
	defer func() {
		for _, c := range cs {
			c.Stop()
		}
	}()
	for _, s := range specs {
		c, err := q.b.Consume(ctx, s, q.handle)
		if err != nil && ctx.Err() != nil {
			return nil // stopped while starting
		}
		if err != nil {
			return fmt.Errorf("starting %s fetcher: %w", s.Durable, err)
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
