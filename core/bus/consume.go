package bus

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"
)

// SubjectDeadLetterPrefix starts the subjects of the DEADLETTER stream.
const SubjectDeadLetterPrefix = "aduan.deadletter."

// DeadLetterSubject is where the consumer durable of stream puts the
// messages it gave up on.
func DeadLetterSubject(stream, durable string) string {
	return SubjectDeadLetterPrefix + stream + "." + durable
}

// Headers added to a dead-lettered message, beside its original headers.
const (
	HeaderError      = "Aduan-Error"      // the handler's last error
	HeaderSubject    = "Aduan-Subject"    // the original subject
	HeaderStreamSeq  = "Aduan-Stream-Seq" // the sequence in the original stream
	HeaderDeliveries = "Aduan-Deliveries" // how many times it was delivered
	HeaderMsgID      = "Aduan-Msg-Id"     // the original Nats-Msg-Id, if any
)

var defaultBackoff = []time.Duration{
	time.Second, 2 * time.Second, 5 * time.Second, 15 * time.Second,
	30 * time.Second, time.Minute, 2 * time.Minute,
}

// ConsumerSpec describes a durable pull consumer. Zero fields take defaults.
type ConsumerSpec struct {
	// Stream is the stream to consume, e.g. StreamInbound.
	Stream string
	// Durable names the consumer; processes using the same name share its
	// messages. No dots or spaces.
	Durable string
	// FilterSubjects limits the consumer to these subjects; empty takes the
	// whole stream. On the OUTBOUND work queue the filters of different
	// consumers must not overlap.
	FilterSubjects []string
	// MaxDeliver is how many times the handler may see a message before it
	// is dead-lettered. Default 8.
	MaxDeliver int
	// Backoff is the wait before redelivery after the n-th failure:
	// Backoff[n-1], the last entry repeating. Default 1s 2s 5s 15s 30s 1m 2m.
	Backoff []time.Duration
	// AckWait is how long the server waits for an answer before it assumes
	// the handler died and redelivers. While a handler runs the consumer
	// tells the server it is still working, so AckWait only bounds crashes.
	// Default 30s.
	AckWait time.Duration
	// MaxAckPending caps the messages delivered but not yet answered, across
	// all processes sharing the durable. Default 1000.
	MaxAckPending int
	// EraseDone erases each message from the stream (overwriting its bytes)
	// once it is done with: acknowledged, or copied to the dead letters. For
	// a stream whose content must not outlive its handling and that this
	// durable alone consumes: INBOUND holds citizens' words and NIKs, which
	// the database keeps once the intake committed. A failed erase is only
	// logged; the stream's MaxAge removes the message later.
	EraseDone bool
}

func (s ConsumerSpec) withDefaults() ConsumerSpec {
	if s.MaxDeliver == 0 {
		s.MaxDeliver = 8
	}
	if len(s.Backoff) == 0 {
		s.Backoff = defaultBackoff
	}
	if s.AckWait == 0 {
		s.AckWait = 30 * time.Second
	}
	if s.MaxAckPending == 0 {
		s.MaxAckPending = 1000
	}
	return s
}

func (s ConsumerSpec) validate() error {
	switch {
	case s.Stream == "":
		return fmt.Errorf("%w: consumer without a stream", ErrInvalidConfig)
	case s.Durable == "":
		return fmt.Errorf("%w: consumer of %s without a durable name", ErrInvalidConfig, s.Stream)
	case s.MaxDeliver < 1:
		return fmt.Errorf("%w: consumer %s: max deliver %d", ErrInvalidConfig, s.Durable, s.MaxDeliver)
	case s.AckWait < 0:
		return fmt.Errorf("%w: consumer %s: negative ack wait", ErrInvalidConfig, s.Durable)
	}
	for _, d := range s.Backoff {
		if d <= 0 {
			return fmt.Errorf("%w: consumer %s: backoff %v", ErrInvalidConfig, s.Durable, d)
		}
	}
	return nil
}

// backoff is the delay before the delivery that follows delivery n.
func (s ConsumerSpec) backoff(n uint64) time.Duration {
	i := min(int(n)-1, len(s.Backoff)-1)
	return s.Backoff[max(i, 0)]
}

// Msg is a message handed to a Handler.
type Msg struct {
	Subject string
	Data    []byte
	Headers nats.Header
	// NumDelivered counts deliveries, this one included (1 the first time).
	NumDelivered uint64
	// StreamSeq is the message's sequence in its stream.
	StreamSeq uint64
	// Timestamp is when the stream stored the message.
	Timestamp time.Time
	// Raw is the JetStream message. The consumer answers it (ack, nak,
	// term) after the handler returns; handlers must not.
	Raw jetstream.Msg
}

// Handler processes one message. Returning nil acknowledges it; an error
// has it redelivered after a backoff, or dead-lettered once MaxDeliver is
// reached or at once when the error is wrapped with Permanent. ctx is the one
// given to Consume.
type Handler func(ctx context.Context, m *Msg) error

// Consumer runs a Handler over a durable consumer's messages, one at a time.
// For parallel work start several Consumers with the same spec.
type Consumer struct {
	b       *Bus
	spec    ConsumerSpec
	h       Handler
	ctx     context.Context
	log     zerolog.Logger
	iter    jetstream.MessagesContext
	stream  jetstream.Stream // for EraseDone
	stopCtx func() bool
	done    chan struct{}
}

// answerTimeout bounds the consumer's own acks and dead-letter publishes.
const answerTimeout = 10 * time.Second

// Consume creates or updates the durable pull consumer of spec (explicit
// ack) and runs h for each of its messages until Stop, Bus.Close or the end
// of ctx.
//
// The server's MaxDeliver is spec.MaxDeliver+1: the extra delivery only
// happens when the last allowed one was never answered (the process died
// mid-handler), and it is dead-lettered without running the handler, so no
// message silently stops being delivered. JetStream's own BackOff is not
// used because it would also shorten the ack deadline of every delivery;
// failures are retried with NakWithDelay instead.
func (b *Bus) Consume(ctx context.Context, spec ConsumerSpec, h Handler) (*Consumer, error) {
	spec = spec.withDefaults()
	if err := spec.validate(); err != nil {
		return nil, err
	}
	if h == nil {
		return nil, fmt.Errorf("%w: consumer %s without a handler", ErrInvalidConfig, spec.Durable)
	}
	cons, err := b.js.CreateOrUpdateConsumer(ctx, spec.Stream, jetstream.ConsumerConfig{
		Durable:        spec.Durable,
		AckPolicy:      jetstream.AckExplicitPolicy,
		AckWait:        spec.AckWait,
		MaxDeliver:     spec.MaxDeliver + 1,
		MaxAckPending:  spec.MaxAckPending,
		FilterSubjects: spec.FilterSubjects,
	})
	if err != nil {
		return nil, fmt.Errorf("declaring consumer %s on %s: %w", spec.Durable, spec.Stream, err)
	}
	var stream jetstream.Stream
	if spec.EraseDone {
		if stream, err = b.js.Stream(ctx, spec.Stream); err != nil {
			return nil, fmt.Errorf("reading stream %s: %w", spec.Stream, err)
		}
	}
	// One message at a time: a prefetched message's ack deadline runs while
	// it waits, and only the one being handled is kept alive.
	iter, err := cons.Messages(jetstream.PullMaxMessages(1), jetstream.WithMessagesErrOnMissingHeartbeat(false))
	if err != nil {
		return nil, fmt.Errorf("consuming %s on %s: %w", spec.Durable, spec.Stream, err)
	}
	c := &Consumer{
		b:      b,
		spec:   spec,
		h:      h,
		ctx:    ctx,
		log:    b.log.With().Str("stream", spec.Stream).Str("consumer", spec.Durable).Logger(),
		iter:   iter,
		stream: stream,
		done:   make(chan struct{}),
	}
	b.mu.Lock()
	if b.closing {
		b.mu.Unlock()
		iter.Stop()
		return nil, fmt.Errorf("consuming %s on %s: %w", spec.Durable, spec.Stream, nats.ErrConnectionClosed)
	}
	b.consumers[c] = struct{}{}
	b.mu.Unlock()
	c.stopCtx = context.AfterFunc(ctx, iter.Drain)
	go c.run()
	return c, nil
}

// Stop stops fetching, lets the handler finish the messages already
// received, and returns when it has. Safe to call more than once.
func (c *Consumer) Stop() {
	c.stopCtx()
	c.iter.Drain()
	<-c.done
}

func (c *Consumer) run() {
	defer func() {
		c.b.mu.Lock()
		delete(c.b.consumers, c)
		c.b.mu.Unlock()
		close(c.done)
	}()
	for {
		m, err := c.iter.Next()
		if errors.Is(err, jetstream.ErrMsgIteratorClosed) {
			return
		}
		if err != nil {
			// Terminal errors (consumer deleted) close the iterator too,
			// and the next call returns.
			c.log.Error().Err(err).Msg("fetching messages")
			continue
		}
		c.handle(m)
	}
}

func (c *Consumer) handle(m jetstream.Msg) { c.process(m, false) }

// ErrLater, wrapped in a handler's error, says the message needs another
// that may come after it (an edit that overtook its original): a partition's
// worker hands it back for a later redelivery instead of retrying it in
// place, where it would wait for what it itself holds up.
var ErrLater = errors.New("waits for a later message")

// handleInOrder is handle for a partition's worker, which must not let a
// reporter's later message pass an earlier one: a transient failure is
// retried here after the same backoff, the server told meanwhile that the
// message is still in progress, instead of being handed back for a later
// redelivery while the worker goes on with the next messages.
func (c *Consumer) handleInOrder(m jetstream.Msg) { c.process(m, true) }

func (c *Consumer) process(m jetstream.Msg, inPlace bool) {
	md, err := m.Metadata()
	if err != nil {
		c.log.Error().Err(err).Str("subject", m.Subject()).Msg("message without jetstream metadata")
		_ = m.Term()
		return
	}
	for {
		log := c.log.With().Str("subject", m.Subject()).
			Uint64("stream_seq", md.Sequence.Stream).Uint64("deliveries", md.NumDelivered).Logger()
		if c.ctx.Err() != nil {
			// Shutting down: hand it back at once instead of after AckWait.
			_ = m.Nak()
			return
		}
		if md.NumDelivered > uint64(c.spec.MaxDeliver) {
			c.deadLetter(m, md, errors.New("last allowed delivery was never answered (process died or hung)"), log)
			return
		}
		err = c.call(newMsg(m, md))
		switch {
		case err == nil:
			ctx, cancel := c.answerCtx()
			defer cancel()
			// A double ack waits for the server, so a lost ack is noticed here.
			if err := m.DoubleAck(ctx); err != nil {
				log.Warn().Err(err).Msg("ack failed; the message will be redelivered")
				return
			}
			c.erase(ctx, md, log)
			return
		case c.ctx.Err() != nil:
			// The handler most likely failed because of the shutdown; that is
			// no reason to spend a delivery's backoff or dead-letter it.
			_ = m.Nak()
			return
		case isPermanent(err) || md.NumDelivered >= uint64(c.spec.MaxDeliver):
			c.deadLetter(m, md, err, log)
			return
		}
		delay := c.spec.backoff(md.NumDelivered)
		log.Warn().Err(err).Stringer("retry_in", delay).Msg("handler failed; will retry")
		if !inPlace || errors.Is(err, ErrLater) {
			if err := m.NakWithDelay(delay); err != nil {
				log.Warn().Err(err).Msg("nak failed; the message will be redelivered after ack wait")
			}
			return
		}
		stop := keepAlive(c.spec.AckWait/3, m)
		select {
		case <-time.After(delay):
		case <-c.ctx.Done():
		}
		stop()
		// The next attempt counts as a delivery, as a redelivery would.
		next := *md
		next.NumDelivered++
		md = &next
	}
}

func newMsg(m jetstream.Msg, md *jetstream.MsgMetadata) *Msg {
	return &Msg{
		Subject:      m.Subject(),
		Data:         m.Data(),
		Headers:      m.Headers(),
		NumDelivered: md.NumDelivered,
		StreamSeq:    md.Sequence.Stream,
		Timestamp:    md.Timestamp,
		Raw:          m,
	}
}

// call runs the handler, telling the server the message is in progress
// meanwhile, and turns a panic into an error so that a poison message is
// dead-lettered instead of crashing the process on every delivery.
func (c *Consumer) call(m *Msg) (err error) {
	stop := keepAlive(c.spec.AckWait/3, m.Raw)
	defer stop()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("handler panic: %v", r)
		}
	}()
	return c.h(c.ctx, m)
}

// keepAlive sends in-progress acks for ms every interval until stop is
// called. stop waits for the sender to finish, so that no in-progress ack
// follows the final answer (it would reset a nak's delay).
func keepAlive(interval time.Duration, ms ...jetstream.Msg) (stop func()) {
	quit, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				for _, m := range ms {
					_ = m.InProgress()
				}
			}
		}
	}()
	return func() {
		close(quit)
		<-finished
	}
}

// deadLetter copies m to the consumer's dead-letter subject, then
// terminates it. If the copy fails the message is nak'ed, never dropped.
func (c *Consumer) deadLetter(m jetstream.Msg, md *jetstream.MsgMetadata, cause error, log zerolog.Logger) {
	dl := nats.NewMsg(DeadLetterSubject(c.spec.Stream, c.spec.Durable))
	dl.Data = m.Data()
	for k, vs := range m.Headers() {
		// Nats-* headers would steer the new publish (dedup id, expectations).
		if strings.HasPrefix(strings.ToLower(k), "nats-") {
			continue
		}
		dl.Header[k] = append([]string(nil), vs...)
	}
	if id := m.Headers().Get(jetstream.MsgIDHeader); id != "" {
		dl.Header.Set(HeaderMsgID, id)
	}
	dl.Header.Set(HeaderError, headerValue(cause.Error()))
	dl.Header.Set(HeaderSubject, m.Subject())
	dl.Header.Set(HeaderStreamSeq, strconv.FormatUint(md.Sequence.Stream, 10))
	dl.Header.Set(HeaderDeliveries, strconv.FormatUint(md.NumDelivered, 10))

	ctx, cancel := c.answerCtx()
	defer cancel()
	// The id makes a repeat harmless if we die between publish and Term.
	id := c.spec.Stream + ":" + c.spec.Durable + ":" + strconv.FormatUint(md.Sequence.Stream, 10)
	if _, err := c.b.js.PublishMsg(ctx, dl, jetstream.WithMsgID(id)); err != nil {
		log.Error().Err(err).AnErr("cause", cause).Msg("dead-lettering failed; message kept")
		_ = m.NakWithDelay(c.spec.backoff(md.NumDelivered))
		return
	}
	if err := m.TermWithReason("dead-lettered"); err != nil {
		log.Warn().Err(err).Msg("term failed; the message may be delivered once more")
	} else {
		c.erase(ctx, md, log)
	}
	log.Error().Err(cause).Msg("message dead-lettered")
}

// erase removes a message that is done with from its stream, when the spec
// says so (EraseDone).
func (c *Consumer) erase(ctx context.Context, md *jetstream.MsgMetadata, log zerolog.Logger) {
	if !c.spec.EraseDone {
		return
	}
	if err := c.stream.SecureDeleteMsg(ctx, md.Sequence.Stream); err != nil && !errors.Is(err, jetstream.ErrMsgNotFound) {
		log.Warn().Err(err).Msg("erasing a handled message failed; the stream's max age removes it")
	}
}

// answerCtx bounds the consumer's own requests; it outlives ctx so that a
// handler's success is still acknowledged during shutdown.
func (c *Consumer) answerCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(c.ctx), answerTimeout)
}

// headerValue makes s safe as a single header line and keeps it short.
func headerValue(s string) string {
	s = strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
	if len(s) > 1024 {
		s = strings.ToValidUTF8(s[:1024], "")
	}
	return s
}

// Lag is how many messages the consumer has still to finish: those not yet
// delivered plus those delivered and not yet answered, over the durable and
// the partitions of a group of that name (see ConsumeGroup), whichever
// exist. For a metrics gauge.
func (b *Bus) Lag(ctx context.Context, stream, durable string) (uint64, error) {
	s, err := b.js.Stream(ctx, stream)
	if err != nil {
		return 0, fmt.Errorf("stream %s: %w", stream, err)
	}
	var lag uint64
	found := false
	infos := s.ListConsumers(ctx)
	for info := range infos.Info() {
		if info.Name == durable || strings.HasPrefix(info.Name, durable+"-p") {
			lag += info.NumPending + uint64(info.NumAckPending)
			found = true
		}
	}
	if err := infos.Err(); err != nil {
		return 0, fmt.Errorf("consumers of %s: %w", stream, err)
	}
	if !found {
		return 0, fmt.Errorf("consumer %s on %s: %w", durable, stream, jetstream.ErrConsumerNotFound)
	}
	return lag, nil
}
