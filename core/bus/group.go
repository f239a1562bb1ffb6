package bus

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"
	"github.com/synadia-io/orbit.go/pcgroups"

	"github.com/aduan-gateway/aduan/core/event"
)

// BatchHandler handles messages of one partition together, in stream order
// and all or nothing (one database transaction, say). Returning nil
// acknowledges them all; an error has each handled again on its own by the
// Handler, so that one bad message cannot hold up or dead-letter the others.
type BatchHandler func(ctx context.Context, msgs []*Msg) error

// GroupSpec describes a partitioned consumer group. Its ConsumerSpec names
// the stream and the group (Durable); each partition n is a durable of its
// own, <Durable>-p<n>.
type GroupSpec struct {
	ConsumerSpec
	// Batch is the most messages of one partition handled together.
	// Default 64.
	Batch int
}

// Group consumes a partitioned stream (INBOUND, see Config.Partitions):
// one ordered consumer per partition, the partitions shared among the
// processes that run the same group.
//
// The consumers are a static partitioned consumer group of
// github.com/synadia-io/orbit.go/pcgroups: partition n is consumed by the
// member p<n>, pinned (a NATS 2.11 priority group), so however many
// processes pull on a partition only one receives its messages, one batch at
// a time. Which partitions a process pulls on follows from the processes
// alive: each writes a heartbeat in BucketGroupMembers every AckWait/3 and takes
// the partitions n with n mod (processes alive) = its rank among them.
// A process stopping hands its partitions back at once (unpinned); one that
// died loses them when its heartbeat and its pin lapse, after AckWait.
type Group struct {
	b     *Bus
	spec  GroupSpec
	c     *Consumer // answers messages: ack, retry, dead letter, erase
	bh    BatchHandler
	ctx   context.Context
	stop  context.CancelFunc
	log   zerolog.Logger
	id    string               // this process in BucketGroupMembers
	mu    sync.Mutex           // guards beats, and held for Partitions
	beats map[string]time.Time // heartbeats of the group's processes, by id
	parts int
	held  map[int]*partition
	done  chan struct{}
	err   error // why the group stopped by itself; read after done
}

// partition is one partition this process pulls on.
type partition struct {
	n  int
	cc pcgroups.ConsumerGroupConsumeContext
	// endWatch ends pcgroups' watch of the group's config, once cc stopped.
	endWatch context.CancelFunc
	mu       sync.Mutex
	queue    []jetstream.Msg // received, in stream order, not yet taken by the worker
	quit     bool            // released: no more messages are taken in
	ready    chan struct{}   // a message was queued, or the partition released
	idle     chan struct{}   // closed once released and no longer pulling
	done     chan struct{}   // closed when the worker has answered everything it took
	ended    chan error      // pcgroups' end of consumption, nil error when stopped
}

// receive queues m. It never blocks, so that pcgroups keeps pulling, which
// keeps the pin; the queue is bounded by the consumer's MaxAckPending.
func (p *partition) receive(m jetstream.Msg) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.quit {
		// Left unanswered: it comes back after AckWait, after the queue
		// handed back (nak'ed) in order, so the order holds.
		return
	}
	p.queue = append(p.queue, m)
	p.wake()
}

func (p *partition) wake() {
	select {
	case p.ready <- struct{}{}:
	default:
	}
}

// take returns up to max queued messages, or what is left once released.
func (p *partition) take(max int) (batch []jetstream.Msg, released bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.quit {
		batch, p.queue = p.queue, nil
		return batch, true
	}
	n := min(len(p.queue), max)
	batch = slices.Clone(p.queue[:n])
	p.queue = p.queue[n:]
	return batch, false
}

// minGroupAckWait keeps pinning stable: pcgroups derives the pin's lifetime
// and pull expiry from AckWait and warns that below 2 s the pin flaps.
const minGroupAckWait = 2 * time.Second

// ConsumeGroup joins the partitioned consumer group of spec on the bus's
// partitions, creating it if needed, and handles its messages until Stop,
// Bus.Close or the end of ctx: batches of one partition with bh (if not nil),
// and one message at a time with h (a batch that failed, a redelivery).
// Answers follow ConsumerSpec as for Consume.
func (b *Bus) ConsumeGroup(ctx context.Context, spec GroupSpec, h Handler, bh BatchHandler) (*Group, error) {
	spec.ConsumerSpec = spec.withDefaults()
	spec.AckWait = max(spec.AckWait, minGroupAckWait)
	if spec.Batch == 0 {
		spec.Batch = 64
	}
	if err := spec.validate(); err != nil {
		return nil, err
	}
	if h == nil || spec.Batch < 1 {
		return nil, fmt.Errorf("%w: group %s: handler and a batch of at least 1 required", ErrInvalidConfig, spec.Durable)
	}
	// A cluster electing its JetStream leader answers no one for a moment:
	// a core process starting then waits for it rather than exiting.
	for {
		err := b.ensureGroup(ctx, spec.Stream, spec.Durable)
		if err == nil {
			break
		}
		// pcgroups does not always wrap the client's error, hence the text.
		if !errors.Is(err, nats.ErrNoResponders) && !errors.Is(err, nats.ErrTimeout) &&
			!strings.Contains(err.Error(), nats.ErrNoResponders.Error()) {
			return nil, err
		}
		b.log.Warn().Err(err).Str("consumer", spec.Durable).Msg("JetStream not answering yet; retrying")
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(time.Second):
		}
	}
	stream, err := b.js.Stream(ctx, spec.Stream)
	if err != nil {
		return nil, fmt.Errorf("reading stream %s: %w", spec.Stream, err)
	}
	gctx, stop := context.WithCancel(ctx)
	w, err := b.Bucket(BucketGroupMembers).Watch(gctx, spec.Stream+"."+spec.Durable+".>")
	if err != nil {
		stop()
		return nil, fmt.Errorf("watching the members of group %s: %w", spec.Durable, err)
	}
	log := b.log.With().Str("stream", spec.Stream).Str("consumer", spec.Durable).Logger()
	g := &Group{
		b: b, spec: spec, bh: bh, ctx: gctx, stop: stop, log: log,
		c:     &Consumer{b: b, spec: spec.ConsumerSpec, h: h, ctx: gctx, log: log, stream: stream},
		id:    event.NewID(),
		parts: b.cfg.Partitions,
		held:  make(map[int]*partition),
		beats: make(map[string]time.Time),
		done:  make(chan struct{}),
	}
	go g.watchBeats(w)
	b.mu.Lock()
	if b.closing {
		b.mu.Unlock()
		stop()
		return nil, fmt.Errorf("consuming group %s on %s: bus closing", spec.Durable, spec.Stream)
	}
	b.consumers[g] = struct{}{}
	b.mu.Unlock()
	go g.run()
	return g, nil
}

// member names partition n's member in the pcgroups group.
func member(n int) string { return fmt.Sprintf("p%d", n) }

// ensureGroup creates the static group of stream with one member per
// partition, or recreates it when the partition count changed. Lowering the
// count is refused while the stream still holds messages of the partitions
// that would go, since nothing would consume them any more.
func (b *Bus) ensureGroup(ctx context.Context, stream, name string) error {
	n := b.cfg.Partitions
	mappings := make([]pcgroups.MemberMapping, n)
	for i := range mappings {
		mappings[i] = pcgroups.MemberMapping{Member: member(i), Partitions: []int{i}}
	}
	cur, err := pcgroups.GetStaticConsumerGroupConfig(ctx, b.js, stream, name)
	if err == nil {
		if reflect.DeepEqual(cur.MemberMappings, mappings) && len(cur.Members) == 0 && len(cur.Filters) == 0 {
			return nil
		}
		if err := b.checkDrained(ctx, stream, n, int(cur.MaxMembers)); err != nil {
			return err
		}
		b.log.Warn().Str("stream", stream).Str("consumer", name).Uint("from", cur.MaxMembers).Int("to", n).
			Msg("partition count changed: recreating the consumer group")
		if err := pcgroups.DeleteStatic(ctx, b.js, stream, name); err != nil {
			return fmt.Errorf("deleting consumer group %s on %s: %w", name, stream, err)
		}
	}
	if _, err := pcgroups.CreateStatic(ctx, b.js, stream, name, uint(n), nil, nil, mappings); err != nil {
		return fmt.Errorf("creating consumer group %s on %s: %w", name, stream, err)
	}
	return nil
}

// checkDrained refuses to drop partitions [n, old) that still hold messages.
func (b *Bus) checkDrained(ctx context.Context, stream string, n, old int) error {
	s, err := b.js.Stream(ctx, stream)
	if err != nil {
		return fmt.Errorf("reading stream %s: %w", stream, err)
	}
	for p := n; p < old; p++ {
		info, err := s.Info(ctx, jetstream.WithSubjectFilter(fmt.Sprintf("%d.>", p)))
		if err != nil {
			return fmt.Errorf("reading stream %s: %w", stream, err)
		}
		if len(info.State.Subjects) > 0 {
			return fmt.Errorf("%w: %s still holds messages of partition %d; run with %d partitions until they are handled",
				ErrInvalidConfig, stream, p, old)
		}
	}
	return nil
}

// Stop hands this process's partitions back, after answering the messages
// it took, and returns when it has. Safe to call more than once.
func (g *Group) Stop() {
	g.stop()
	<-g.done
}

// Partitions are the partitions this process pulls on now, sorted.
func (g *Group) Partitions() []int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Sorted(maps.Keys(g.held))
}

// Done is closed when the group stopped: by Stop, ctx or an error (Err).
func (g *Group) Done() <-chan struct{} { return g.done }

// Err is why the group stopped by itself (another process recreated it
// with a different partition count, say); nil after Stop. Read after Done.
func (g *Group) Err() error { return g.err }

func (g *Group) run() {
	defer func() {
		g.release(slices.Collect(maps.Keys(g.held))...)
		ctx, cancel := g.c.answerCtx()
		_ = g.b.Bucket(BucketGroupMembers).Delete(ctx, g.key(g.id))
		cancel()
		g.b.mu.Lock()
		delete(g.b.consumers, g)
		g.b.mu.Unlock()
		close(g.done)
	}()
	t := time.NewTicker(g.spec.AckWait / 3)
	defer t.Stop()
	for {
		if err := g.rebalance(); err != nil {
			g.err = err
			g.log.Error().Err(err).Msg("consumer group stopped")
			return
		}
		select {
		case <-g.ctx.Done():
			return
		case <-t.C:
		}
	}
}

// key is a process's heartbeat key.
func (g *Group) key(id string) string { return g.spec.Stream + "." + g.spec.Durable + "." + id }

// rebalance writes this process's heartbeat and pulls on the partitions it
// should hold among the processes alive. Failing to reach NATS is logged and
// tried again at the next tick; only the group's own end is an error.
func (g *Group) rebalance() error {
	for n, p := range g.held {
		select {
		case err := <-p.ended:
			// pcgroups stops on a change of the group's configuration.
			p.ended <- err
			g.release(n)
			if err != nil {
				return fmt.Errorf("partition %d: %w", n, err)
			}
		default:
		}
	}
	ctx, cancel := context.WithTimeout(g.ctx, g.spec.AckWait)
	alive, err := g.alive(ctx)
	cancel()
	if err != nil {
		if g.ctx.Err() == nil {
			g.log.Warn().Err(err).Msg("reading the group's members; partitions unchanged")
		}
		return nil
	}
	rank := slices.Index(alive, g.id)
	var gone []int
	for n := range g.held {
		if n%len(alive) != rank {
			gone = append(gone, n)
		}
	}
	g.release(gone...)
	// Joining takes a few round trips each: join in parallel.
	var wg sync.WaitGroup
	for n := rank; n < g.parts; n += len(alive) {
		g.mu.Lock()
		_, ok := g.held[n]
		g.mu.Unlock()
		if ok {
			continue
		}
		wg.Go(func() {
			if err := g.acquire(n); err != nil && g.ctx.Err() == nil {
				g.log.Warn().Err(err).Int("partition", n).Msg("joining a partition; trying again")
			}
		})
	}
	wg.Wait()
	return nil
}

// watchBeats keeps g.beats up to date with the group's heartbeats.
func (g *Group) watchBeats(w jetstream.KeyWatcher) {
	defer w.Stop()
	for {
		select {
		case <-g.ctx.Done():
			return
		case e, ok := <-w.Updates():
			if !ok {
				return
			}
			if e == nil {
				continue // the initial values are in
			}
			id := strings.TrimPrefix(e.Key(), g.key(""))
			g.mu.Lock()
			if e.Operation() == jetstream.KeyValuePut {
				g.beats[id] = e.Created()
			} else {
				delete(g.beats, id)
			}
			g.mu.Unlock()
		}
	}
}

// alive writes this process's heartbeat and returns the ids of the
// processes whose heartbeat is younger than AckWait, sorted. Ages are
// measured against the newest heartbeat, all timestamps being the server's,
// so the processes' clocks do not matter.
func (g *Group) alive(ctx context.Context) ([]string, error) {
	if _, err := g.b.Bucket(BucketGroupMembers).Put(ctx, g.key(g.id), nil); err != nil {
		return nil, err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	var now time.Time
	for _, at := range g.beats {
		if at.After(now) {
			now = at
		}
	}
	alive := []string{g.id} // just written, whether or not the watcher has seen it yet
	for id, at := range g.beats {
		if id != g.id && now.Sub(at) < g.spec.AckWait {
			alive = append(alive, id)
		}
	}
	slices.Sort(alive)
	return alive, nil
}

// acquire starts pulling on partition n. The pin decides whether this
// process receives its messages: another may still hold it for a moment.
func (g *Group) acquire(n int) error {
	p := &partition{
		n:     n,
		ready: make(chan struct{}, 1),
		idle:  make(chan struct{}),
		done:  make(chan struct{}),
		ended: make(chan error, 1),
	}
	cfg := jetstream.ConsumerConfig{
		AckPolicy:  jetstream.AckExplicitPolicy,
		AckWait:    g.spec.AckWait,
		MaxDeliver: g.spec.MaxDeliver + 1,
		// Two batches: one being handled, the next arriving meanwhile. A
		// small window also bounds what a dying process leaves to be
		// redelivered after AckWait.
		MaxAckPending: 2 * g.spec.Batch,
	}
	// pcgroups watches the group's config with this context for as long as
	// it consumes; were it to end (a join timeout) the watch would close
	// and pcgroups' routine spin on the closed channel, a core per few
	// partitions. So it lives as long as the partition is held (JetStream
	// calls without a deadline still time out).
	ctx, endWatch := context.WithCancel(g.ctx)
	cc, err := pcgroups.StaticConsume(ctx, g.b.js, g.spec.Stream, g.spec.Durable, member(n), p.receive, cfg)
	if err != nil {
		endWatch()
		return err
	}
	p.cc, p.endWatch = cc, endWatch
	go func() { p.ended <- <-cc.Done() }()
	go g.work(p)
	go g.keepQueued(p)
	g.mu.Lock()
	g.held[n] = p
	g.mu.Unlock()
	g.log.Debug().Int("partition", n).Msg("partition joined")
	return nil
}

// release gives partitions ns up, in parallel (each takes a few round
// trips). For each it stops pulling and hands back (nak, in order) what the
// worker had not started. If nothing else is outstanding the partition is
// unpinned, so that the process that should hold it gets it at once;
// otherwise the pin lapses after AckWait, after those messages come back,
// and the order holds.
func (g *Group) release(ns ...int) {
	var wg sync.WaitGroup
	for _, n := range ns {
		wg.Go(func() { g.releaseOne(n) })
	}
	wg.Wait()
}

func (g *Group) releaseOne(n int) {
	g.mu.Lock()
	p := g.held[n]
	delete(g.held, n)
	g.mu.Unlock()
	p.mu.Lock()
	p.quit = true
	p.wake()
	p.mu.Unlock()
	p.cc.Stop()
	err := <-p.ended
	p.endWatch()
	close(p.idle)
	<-p.done
	g.log.Debug().Err(err).Int("partition", n).Msg("partition released")
	ctx, cancel := g.c.answerCtx()
	defer cancel()
	durable := g.spec.Durable + "-" + member(n)
	_ = g.b.nc.FlushWithContext(ctx)
	cons, cerr := g.b.js.Consumer(ctx, g.spec.Stream, durable)
	if cerr != nil || cons.CachedInfo().NumAckPending > 0 {
		return
	}
	if err := pcgroups.StaticMemberStepDown(ctx, g.b.js, g.spec.Stream, g.spec.Durable, member(n)); err != nil {
		g.log.Debug().Err(err).Int("partition", n).Msg("unpinning a released partition")
	}
}

// keepQueued tells the server that messages waiting in p's queue are in
// hand, so that a slow batch ahead of them does not get them redelivered.
func (g *Group) keepQueued(p *partition) {
	t := time.NewTicker(g.spec.AckWait / 3)
	defer t.Stop()
	for {
		select {
		case <-p.done:
			return
		case <-t.C:
			p.mu.Lock()
			for _, m := range p.queue {
				_ = m.InProgress()
			}
			p.mu.Unlock()
		}
	}
}

// work handles partition p's messages in order: each time all that have
// arrived, up to a batch, until p is released.
func (g *Group) work(p *partition) {
	defer close(p.done)
	for {
		batch, released := p.take(g.spec.Batch)
		if released {
			// Handed back only once nothing pulls here any more: a nak'ed
			// message must go to the next holder, not come back to us.
			<-p.idle
			for _, m := range batch {
				_ = m.Nak()
			}
			return
		}
		if len(batch) == 0 {
			<-p.ready
			continue
		}
		stop := keepAlive(g.spec.AckWait/3, batch...)
		g.handle(batch)
		stop()
	}
}

// handle answers a batch: runs of first deliveries go to the BatchHandler,
// redeliveries (which failed before, or whose process died) one at a time.
func (g *Group) handle(batch []jetstream.Msg) {
	for len(batch) > 0 {
		i := 0
		for i < len(batch) && firstDelivery(batch[i]) {
			i++
		}
		if i < 2 || g.bh == nil {
			g.c.handleInOrder(batch[0])
			batch = batch[1:]
			continue
		}
		g.handleRun(batch[:i])
		batch = batch[i:]
	}
}

func firstDelivery(m jetstream.Msg) bool {
	md, err := m.Metadata()
	return err == nil && md.NumDelivered == 1
}

// handleRun gives ms to the BatchHandler and acknowledges them all, or
// falls back to handling each on its own.
func (g *Group) handleRun(ms []jetstream.Msg) {
	c := g.c
	if c.ctx.Err() != nil {
		for _, m := range ms {
			_ = m.Nak()
		}
		return
	}
	msgs := make([]*Msg, len(ms))
	mds := make([]*jetstream.MsgMetadata, len(ms))
	for i, m := range ms {
		mds[i], _ = m.Metadata() // firstDelivery read it already
		msgs[i] = newMsg(m, mds[i])
	}
	err := g.callBatch(msgs)
	switch {
	case err == nil:
		ctx, cancel := c.answerCtx()
		defer cancel()
		var wg sync.WaitGroup
		for i, m := range ms {
			wg.Go(func() {
				if err := m.DoubleAck(ctx); err != nil {
					c.log.Warn().Err(err).Uint64("stream_seq", mds[i].Sequence.Stream).
						Msg("ack failed; the message will be redelivered")
					return
				}
				c.erase(ctx, mds[i], c.log)
			})
		}
		wg.Wait()
	case c.ctx.Err() != nil:
		for _, m := range ms {
			_ = m.Nak()
		}
	default:
		c.log.Debug().Err(err).Int("messages", len(ms)).Msg("batch failed; handling its messages one by one")
		for _, m := range ms {
			c.handleInOrder(m)
		}
	}
}

// callBatch runs the BatchHandler and turns a panic into an error (the
// fallback then finds the culprit). The messages are kept alive by work,
// around the whole batch.
func (g *Group) callBatch(msgs []*Msg) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("batch handler panic: %v", r)
		}
	}()
	return g.bh(g.ctx, msgs)
}
