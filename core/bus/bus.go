// Package bus is Aduan's link to NATS JetStream: it runs an embedded server
// (or connects to an external one), declares the streams of the event
// contract, publishes with de-duplication ids and runs durable consumers
// with bounded redelivery and dead letters. It also keeps attachments in the
// JetStream object store.
//
// Durability: Publish returns only after JetStream stored the message, so a
// caller may acknowledge its own upstream (a webhook, an outbox row) as soon
// as Publish returns nil, and must not before.
package bus

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"
)

// DefaultListen is the client address of the embedded server. It is not
// NATS's usual 4222 so that a local nats-server can run beside Aduan.
const DefaultListen = "127.0.0.1:4223"

// DuplicateWindow is how long JetStream remembers a Nats-Msg-Id. A webhook
// retried later than this is caught by the store's unique keys instead.
const DuplicateWindow = 2 * time.Hour

// Config says where the bus lives.
type Config struct {
	// URL of an external NATS server or cluster (comma-separated URLs are
	// accepted). Empty starts an embedded server in this process.
	URL string
	// Listen is the embedded server's client address, host:port. Port 0 or
	// -1 picks a free port. Default DefaultListen.
	Listen string
	// DataDir holds the embedded server's file store (under DataDir/jetstream).
	// Required when URL is empty.
	DataDir string
	// Replicas of every stream and bucket (see declare.go). Default 1; a
	// 3-node cluster wants 3. The embedded server is a single node, so 1 only.
	Replicas int
	// LeaseTTL is how long an entry of BucketWhatsAppLease outlives the
	// process that stopped renewing it. Default 15s.
	LeaseTTL time.Duration
	// User and Password: the embedded server admits this user only (both
	// are required when URL is empty); a client of URL presents them when
	// set, e.g. a command reaching the embedded server of `aduan serve`.
	User, Password string
	// StoreKey encrypts the embedded server's file store at rest (streams,
	// the object store, key-value buckets) with JetStream's own AES-GCM
	// encryption. A store written without a key is encrypted when it is
	// first opened with one; opened with another key it cannot be read.
	// Empty: no encryption.
	StoreKey string
	// CredsFile is a NATS .creds file (user JWT and NKey seed) for URL.
	CredsFile string
	// TLSCA (a PEM CA bundle) verifies URL's server; TLSCert and TLSKey are
	// a client certificate for servers that require one.
	TLSCA, TLSCert, TLSKey string
	// Partitions of INBOUND: the stream stores each message under a
	// partition number computed from its conversation's key (see
	// InboundFilter), and the intake runs one ordered consumer per
	// partition. Every process on one NATS must use the same number.
	// Default DefaultPartitions.
	Partitions int
}

// DefaultPartitions is the default number of INBOUND partitions: enough to
// keep two or three core processes busy, few enough that each partition's
// batches stay full under load.
const DefaultPartitions = 8

// MaxPartitions bounds Config.Partitions (a partition is a consumer and a
// goroutine in each process that may hold it).
const MaxPartitions = 256

// authOptions are the client options for the configured credentials.
func (c Config) authOptions() []nats.Option {
	var opts []nats.Option
	if c.Password != "" {
		opts = append(opts, nats.UserInfo(c.User, c.Password))
	}
	if c.CredsFile != "" {
		opts = append(opts, nats.UserCredentials(c.CredsFile))
	}
	if c.TLSCA != "" {
		opts = append(opts, nats.RootCAs(c.TLSCA))
	}
	if c.TLSCert != "" {
		opts = append(opts, nats.ClientCert(c.TLSCert, c.TLSKey))
	}
	return opts
}

func (c Config) withDefaults() Config {
	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	if c.Replicas == 0 {
		c.Replicas = 1
	}
	if c.LeaseTTL == 0 {
		c.LeaseTTL = 15 * time.Second
	}
	if c.Partitions == 0 {
		c.Partitions = DefaultPartitions
	}
	return c
}

func (c Config) validate() error {
	if c.Replicas < 1 || c.Replicas > 5 {
		return fmt.Errorf("%w: replicas %d, want 1 to 5", ErrInvalidConfig, c.Replicas)
	}
	if c.Partitions < 1 || c.Partitions > MaxPartitions {
		return fmt.Errorf("%w: partitions %d, want 1 to %d", ErrInvalidConfig, c.Partitions, MaxPartitions)
	}
	if c.URL != "" {
		return nil
	}
	if c.DataDir == "" {
		return fmt.Errorf("%w: the embedded server needs a data directory", ErrInvalidConfig)
	}
	if c.User == "" || c.Password == "" {
		return fmt.Errorf("%w: the embedded server needs a user and password; it admits nobody else", ErrInvalidConfig)
	}
	if c.Replicas != 1 {
		return fmt.Errorf("%w: the embedded server is a single node, replicas must be 1 (got %d)", ErrInvalidConfig, c.Replicas)
	}
	if _, _, err := splitListen(c.Listen); err != nil {
		return err
	}
	return nil
}

// splitListen parses host:port, mapping port 0 to nats-server's "random port"
// (the server itself reads 0 as its default 4222).
func splitListen(listen string) (string, int, error) {
	host, p, err := net.SplitHostPort(listen)
	if err != nil {
		return "", 0, fmt.Errorf("%w: listen address %q: %v", ErrInvalidConfig, listen, err)
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < -1 || port > 65535 {
		return "", 0, fmt.Errorf("%w: listen address %q: bad port", ErrInvalidConfig, listen)
	}
	if port == 0 {
		port = server.RANDOM_PORT
	}
	return host, port, nil
}

// Bus is an open connection to JetStream, with the embedded server it runs,
// if any. It is safe for concurrent use.
type Bus struct {
	cfg        Config
	log        zerolog.Logger
	ns         *server.Server // nil when connected to an external URL
	nc         *nats.Conn
	js         jetstream.JetStream
	obj        jetstream.ObjectStore
	buckets    map[string]jetstream.KeyValue
	connClosed chan struct{}

	mu        sync.Mutex
	consumers map[stopper]struct{} // Consumers and Groups, stopped by Close
	closing   bool
	closeOnce sync.Once
}

// Open starts the embedded server or connects to cfg.URL, waits until
// JetStream answers, and creates or updates every stream and bucket
// (declare.go). With an external URL it keeps trying until ctx is done, so
// give ctx a deadline.
func Open(ctx context.Context, cfg Config, log zerolog.Logger) (*Bus, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	b := &Bus{
		cfg:        cfg,
		log:        log.With().Str("comp", "bus").Logger(),
		connClosed: make(chan struct{}),
		consumers:  make(map[stopper]struct{}),
	}
	if err := b.open(ctx, log); err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

func (b *Bus) open(ctx context.Context, log zerolog.Logger) error {
	opts := []nats.Option{
		nats.Name("aduan"),
		// Close drains; a subscriber that stopped reading must not hold
		// shutdown for the default 30 seconds.
		nats.DrainTimeout(5 * time.Second),
		nats.ClosedHandler(func(*nats.Conn) { close(b.connClosed) }),
		nats.ErrorHandler(func(_ *nats.Conn, sub *nats.Subscription, err error) {
			ev := b.log.Error().Err(err)
			if sub != nil {
				ev = ev.Str("subject", sub.Subject)
			}
			ev.Msg("nats async error")
		}),
	}
	var err error
	if b.cfg.URL == "" {
		if b.ns, err = startServer(b.cfg, log); err != nil {
			return err
		}
		opts = append(opts, nats.InProcessServer(b.ns), nats.UserInfo(b.cfg.User, b.cfg.Password))
		b.nc, err = nats.Connect("", opts...)
	} else {
		opts = append(opts,
			nats.MaxReconnects(-1),
			nats.ReconnectWait(time.Second),
			nats.RetryOnFailedConnect(true),
			nats.DisconnectErrHandler(func(nc *nats.Conn, err error) {
				if err != nil { // nil when we close the connection ourselves
					b.log.Warn().Err(err).Msg("disconnected from nats")
				}
			}),
			nats.ReconnectHandler(func(nc *nats.Conn) {
				b.log.Info().Str("url", nc.ConnectedUrlRedacted()).Msg("reconnected to nats")
			}),
		)
		opts = append(opts, b.cfg.authOptions()...)
		b.nc, err = nats.Connect(b.cfg.URL, opts...)
	}
	if err != nil {
		return fmt.Errorf("connecting to nats: %w", err)
	}
	if b.js, err = jetstream.New(b.nc); err != nil {
		return fmt.Errorf("jetstream context: %w", err)
	}
	if err := b.waitReady(ctx); err != nil {
		return err
	}
	if err := b.declare(ctx); err != nil {
		return err
	}
	url := b.nc.ConnectedUrlRedacted()
	if b.ns != nil {
		url = b.ClientURL() // the in-process connection has no URL of its own
	}
	b.log.Info().Str("url", url).Bool("embedded", b.ns != nil).Msg("bus ready")
	return nil
}

// waitReady polls until JetStream answers: an external server may still be
// starting, or a cluster electing its meta leader.
func (b *Bus) waitReady(ctx context.Context) error {
	logged := false
	for {
		_, err := b.js.AccountInfo(ctx)
		if err == nil {
			return nil
		}
		if !logged {
			b.log.Warn().Err(err).Msg("waiting for jetstream")
			logged = true
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for jetstream: %w (last error: %v)", ctx.Err(), err)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// ClientURL is the URL other clients can connect to: the embedded server's
// actual listen address, or the configured URL.
func (b *Bus) ClientURL() string {
	if b.ns == nil {
		return b.cfg.URL
	}
	addr, ok := b.ns.Addr().(*net.TCPAddr)
	if !ok {
		return b.ns.ClientURL()
	}
	host := addr.IP
	if host.IsUnspecified() {
		host = net.IPv4(127, 0, 0, 1)
	}
	return "nats://" + net.JoinHostPort(host.String(), strconv.Itoa(addr.Port))
}

// Conn is the underlying NATS connection, for core NATS use (KV leases,
// request/reply). Do not close it; Close the Bus.
func (b *Bus) Conn() *nats.Conn { return b.nc }

// JetStream is the JetStream context of the connection.
func (b *Bus) JetStream() jetstream.JetStream { return b.js }

// stopper is a consumer or a consumer group started by a Bus.
type stopper interface{ Stop() }

// Close stops the consumers started by this Bus (waiting for their in-flight
// handlers), drains the connection and shuts the embedded server down.
// It is safe to call more than once.
func (b *Bus) Close() {
	b.closeOnce.Do(func() {
		b.mu.Lock()
		b.closing = true
		consumers := make([]stopper, 0, len(b.consumers))
		for c := range b.consumers {
			consumers = append(consumers, c)
		}
		b.mu.Unlock()
		for _, c := range consumers {
			c.Stop()
		}
		if b.nc != nil {
			if err := b.nc.Drain(); err != nil && !errors.Is(err, nats.ErrConnectionClosed) {
				b.log.Warn().Err(err).Msg("draining nats connection")
				b.nc.Close()
			}
			<-b.connClosed
		}
		if b.ns != nil {
			b.ns.Shutdown()
			b.ns.WaitForShutdown()
		}
	})
}

// ClientConfig is what another connection needs to reach the same NATS as
// b: its client URL and credentials. Tests of several packages open second
// connections with it, so it lives here rather than in a test file.
func (b *Bus) ClientConfig() Config {
	c := b.cfg
	return Config{URL: b.ClientURL(), Replicas: c.Replicas, LeaseTTL: c.LeaseTTL, User: c.User, Password: c.Password,
		CredsFile: c.CredsFile, TLSCA: c.TLSCA, TLSCert: c.TLSCert, TLSKey: c.TLSKey, Partitions: c.Partitions}
}
