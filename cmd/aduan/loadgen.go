package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aduan-gateway/aduan/adapters/meta"
	"github.com/aduan-gateway/aduan/config"
	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/event"
)

func init() {
	c := &command{
		name:    "loadgen",
		summary: "drive a running Aduan as the platforms do and report latency, throughput, loss, CPU and memory",
		usage: `Usage: aduan loadgen [--rate R] [--duration D] [--baseline] [--target URL --serve-pid PID]

Simulated citizens each send the four-message script (complaint, identity,
KTP photo, STATUS), one message after the platform acknowledged the one
before, as signed Messenger and Instagram webhooks, signed WhatsApp Cloud API
webhooks, and WhatsApp events published on INBOUND as the whatsmeow adapter
does (--channels picks among messenger, instagram, cloudapi, whatsmeow).
They send at --rate messages per second, or with --rate 0 as fast as
--concurrency senders can, for --duration (or until --citizens are done).

loadgen runs its own fake of Meta's Graph API: every reply the server sends
(Send API, Cloud API) lands there and is timed. It reports, per kind of
citizen and in total: messages sent and acknowledged, replies, lost replies
(acknowledged messages never answered), duplicated replies, webhook latency
(the POST's answer, or JetStream's ack for whatsmeow events) and end-to-end
latency (first send to reply at the fake), throughput, and the CPU time and
peak RSS of the server process (from /proc). It exits non-zero when a reply
was lost.

Without --target, loadgen starts "aduan serve" itself (this binary) with a
fresh database on the configured PostgreSQL server, a temporary data
directory, its embedded NATS, and the Meta and Cloud API settings pointing at
the fake; both are removed afterwards unless --keep. With --target, the
running server must be configured like this shell (loadgen reads the same
ADUAN_* variables for the app secret and NATS): ADUAN_META_PAGES with
` + loadPageID + ` (page) and ` + loadInstagramID + ` (Instagram),
ADUAN_WHATSAPP_TRANSPORT=cloudapi with phone number id ` + loadPhoneNumberID + `,
ADUAN_FETCH_ALLOW_PRIVATE=true, and ADUAN_META_GRAPH_URL naming the fake's
address (--graph-addr, by default taken from ADUAN_META_GRAPH_URL).

--baseline then runs the same load, with the same client, through a bare
pipeline built into loadgen (signed webhook, JetStream publish, one consumer
storing batches with one multi-row INSERT into its own table, a reply per
message to the fake) on the same NATS and PostgreSQL, and prints the ratio.`,
	}
	c.run = func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
		fs := newFlags(c, stderr)
		o := loadOptions{}
		fs.Float64Var(&o.rate, "rate", 0, "messages per second offered (0: as fast as the senders go)")
		fs.DurationVar(&o.duration, "duration", 30*time.Second, "how long to send")
		fs.IntVar(&o.concurrency, "concurrency", 64, "citizens sending at the same time")
		fs.IntVar(&o.citizens, "citizens", 0, "stop after this many citizens (0: as many as --duration allows)")
		fs.IntVar(&o.steps, "steps", len(script), "messages of the script each citizen sends (1: the complaint only, so no report completes and no ticket is taken)")
		channels := fs.String("channels", strings.Join(citizenKinds, ","), "kinds of citizens, taken in turn")
		fs.BoolVar(&o.baseline, "baseline", false, "also run the bare baseline pipeline with the same load and print the ratio")
		fs.StringVar(&o.target, "target", "", "HTTP base URL of a running Aduan (empty: start aduan serve)")
		fs.IntVar(&o.servePID, "serve-pid", 0, "process id of the running Aduan, for its CPU and memory (with --target)")
		fs.StringVar(&o.graphAddr, "graph-addr", "", "address of the Graph API fake (default: 127.0.0.1:0, or ADUAN_META_GRAPH_URL's with --target)")
		fs.DurationVar(&o.wait, "wait", 2*time.Minute, "longest wait for the replies once sending stopped")
		fs.BoolVar(&o.keep, "keep", false, "keep the started server's database and data directory")
		fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write the started server's CPU profile over the load to this file")
		if err := fs.Parse(args); err != nil {
			return err
		}
		var err error
		if o.kinds, err = parseKinds(*channels); err != nil {
			return err
		}
		if o.steps < 1 || o.steps > len(script) {
			return fmt.Errorf("--steps: %d is not 1 to %d", o.steps, len(script))
		}
		return loadgen(ctx, o, stdout)
	}
	register(c)
}

type loadOptions struct {
	rate                            float64
	duration, wait                  time.Duration
	concurrency, citizens, servePID int
	steps                           int
	kinds                           []string
	baseline, keep                  bool
	target, graphAddr, cpuProfile   string
}

func parseKinds(s string) ([]string, error) {
	var out []string
	for k := range strings.SplitSeq(s, ",") {
		k = strings.TrimSpace(k)
		if k == "" {
			continue
		}
		known := false
		for _, c := range citizenKinds {
			known = known || c == k
		}
		if !known {
			return nil, fmt.Errorf("--channels: %q is none of %s", k, strings.Join(citizenKinds, ", "))
		}
		out = append(out, k)
	}
	if len(out) == 0 {
		return nil, errors.New("--channels: name at least one kind of citizen")
	}
	return out, nil
}

// loadTarget is the server under load as loadgen reaches it.
type loadTarget struct {
	httpURL string
	cfg     *config.Config // its configuration: app secret, NATS, database
	pid     int
	proc    *serveProc // when loadgen started it
	cleanup func()
}

func loadgen(ctx context.Context, o loadOptions, stdout io.Writer) error {
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	graphAddr := o.graphAddr
	if graphAddr == "" {
		graphAddr = "127.0.0.1:0"
		if o.target != "" {
			u, err := url.Parse(cfg.Meta.GraphURL)
			if err != nil || u.Scheme != "http" {
				return fmt.Errorf("with --target, %s must be the fake's http:// address (or give --graph-addr)", config.KeyMetaGraphURL)
			}
			graphAddr = u.Host
		}
	}
	fake, err := newGraphFake(graphAddr)
	if err != nil {
		return err
	}
	defer fake.Close()

	run := 100 + rand.IntN(900)
	var tg *loadTarget
	if o.target == "" {
		args := []string{}
		if o.cpuProfile != "" {
			args = append(args, "--cpuprofile", o.cpuProfile)
		}
		tg, err = startLoadServer(ctx, cfg, fake.URL(), fmt.Sprint(run), o.keep, args...)
	} else {
		tg, err = attachLoadServer(cfg, o)
	}
	if err != nil {
		return err
	}
	defer tg.cleanup()

	b, err := openLoadBus(ctx, tg.cfg, fake)
	if err != nil {
		return err
	}
	defer b.close()
	client := newLoadClient(o.concurrency)
	newDriver := func(t *tally, webhookURL string, kinds []string, run int) *driver {
		d := b.newDriver(fake, t, client, webhookURL, tg.cfg.Meta.AppSecret)
		d.kinds, d.steps, d.run, d.rate, d.concurrency, d.citizens, d.duration, d.retryFor =
			kinds, o.steps, run, o.rate, o.concurrency, o.citizens, o.duration, o.wait/2
		return d
	}

	offered := "as fast as they go"
	if o.rate > 0 {
		offered = fmt.Sprintf("at %.0f messages/s", o.rate)
	}
	fmt.Fprintf(stdout, "loadgen run %d: %d senders %s for %s; citizens: %s; load average %s\n",
		run, o.concurrency, offered, o.duration, strings.Join(o.kinds, ","), loadAverage())

	t := newTally()
	fake.tally.Store(t)
	var watch *procWatch
	if tg.pid > 0 {
		if watch, err = watchProc(tg.pid); err != nil {
			return fmt.Errorf("reading the server's /proc: %w", err)
		}
	}
	newDriver(t, tg.httpURL+meta.Path, o.kinds, run).drive(ctx)
	t.waitReplies(o.wait, 30*time.Second)
	aduan := t.print(stdout, fmt.Sprintf("Aduan at %s (load average %s)", tg.httpURL, loadAverage()))
	if watch != nil {
		fmt.Fprintln(stdout, "  "+watch.finish(time.Since(t.start)))
	}
	if st, serr := checkStored(ctx, tg.cfg.DatabaseURL, t); serr != nil {
		fmt.Fprintf(stdout, "  stored: cannot read the database: %v\n", serr)
	} else {
		fmt.Fprintf(stdout, "  stored: %d of %d acknowledged messages, %d more than once; %s\n", st.Stored, aduan.Acked, st.Twice, st.order())
	}
	if aduan.Lost > 0 {
		err = fmt.Errorf("%d acknowledged messages got no reply", aduan.Lost)
	}
	if !o.baseline {
		return err
	}

	bl, berr := startBaseline(ctx, b.JetStream(), tg.cfg.DatabaseURL, []byte(tg.cfg.Meta.AppSecret), fake.URL())
	if berr != nil {
		return errors.Join(err, fmt.Errorf("baseline: %w", berr))
	}
	bt := newTally()
	fake.tally.Store(bt)
	newDriver(bt, bl.URL(), []string{kindMessenger}, run+1000).drive(ctx)
	bt.waitReplies(o.wait, 30*time.Second)
	bl.close()
	base := bt.print(stdout, fmt.Sprintf("baseline: webhook → JetStream → consumer → batched INSERT → reply (load average %s)", loadAverage()))
	fmt.Fprintf(stdout, "Aduan / baseline: replies/s %s, webhooks/s %s; reply p99 %s vs %s; webhook p99 %s vs %s\n",
		ratio(aduan.ReplyRate, base.ReplyRate), ratio(aduan.WebhookRate, base.WebhookRate),
		aduan.E2E.P99.Round(100*time.Microsecond), base.E2E.P99.Round(100*time.Microsecond),
		aduan.Webhook.P99.Round(10*time.Microsecond), base.Webhook.P99.Round(10*time.Microsecond))
	return err
}

func ratio(a, b float64) string {
	if b == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2f (%.0f%%)", a/b, 100*a/b)
}

// storeKTP puts the KTP photo in the attachment store once, as the whatsmeow
// adapter stores a downloaded file, for whatsmeow-shaped citizens to send.
func storeKTP(ctx context.Context, b *bus.Bus, jpeg []byte) (event.Attachment, error) {
	key, sum, size, err := b.PutAttachment(ctx, bytes.NewReader(jpeg), "ktp.jpg", "image/jpeg")
	if err != nil {
		return event.Attachment{}, fmt.Errorf("storing the KTP photo: %w", err)
	}
	return event.Attachment{Kind: event.AttachmentImage, MIME: "image/jpeg", Filename: "ktp.jpg", Size: size, SHA256: sum, ObjectKey: key}, nil
}

// attachLoadServer checks that the running server answers for the accounts
// the load speaks to.
func attachLoadServer(cfg *config.Config, o loadOptions) (*loadTarget, error) {
	for _, id := range []string{loadPageID, loadInstagramID} {
		if _, ok := cfg.Meta.Pages[id]; !ok {
			return nil, fmt.Errorf("%s has no account %s: loadgen speaks to page %s and Instagram account %s",
				config.KeyMetaPages, id, loadPageID, loadInstagramID)
		}
	}
	if cfg.Meta.AppSecret == "" {
		return nil, fmt.Errorf("%s is empty: loadgen signs webhooks with the server's app secret", config.KeyMetaAppSecret)
	}
	return &loadTarget{httpURL: strings.TrimRight(o.target, "/"), cfg: cfg, pid: o.servePID, cleanup: func() {}}, nil
}

// loadServerEnv is the environment of an `aduan serve` under load: every
// channel's settings pointing at the Graph fake, a data directory and a
// database of its own. Callers add or change keys (NATS, roles).
func loadServerEnv(dbURL, dataDir, graphURL, secret string) (map[string]string, error) {
	httpAddr, err := freeLoopbackAddr()
	if err != nil {
		return nil, err
	}
	natsAddr, err := freeLoopbackAddr()
	if err != nil {
		return nil, err
	}
	env := map[string]string{
		config.KeyDatabaseURL: dbURL, config.KeyDatabaseURL + "_FILE": "",
		config.KeyDataDir: dataDir, config.KeyHTTPAddr: httpAddr,
		config.KeyNATSURL: "", config.KeyNATSURL + "_FILE": "", config.KeyNATSListen: natsAddr,
		config.KeyLogLevel: "warn", config.KeyLogFormat: "json", config.KeyRoles: "all",
		config.KeyMetaPages:           loadPageID + "=EAAloadgenpage," + loadInstagramID + "=EAAloadgenig",
		config.KeyMetaPages + "_FILE": "",
		config.KeyMetaAppSecret:       secret, config.KeyMetaAppSecret + "_FILE": "",
		config.KeyMetaVerifyToken: "loadgen", config.KeyMetaVerifyToken + "_FILE": "",
		config.KeyMetaGraphURL: graphURL, config.KeyMetaProfileLookup: "false", config.KeyFetchAllowPrivate: "true",
		config.KeyWhatsAppTransport:          config.WhatsAppTransportCloudAPI,
		config.KeyWhatsAppCloudPhoneNumberID: loadPhoneNumberID,
		config.KeyWhatsAppCloudToken:         "EAAloadgencloud", config.KeyWhatsAppCloudToken + "_FILE": "",
	}
	return env, nil
}

// configOf is the configuration a server with env (over this process's
// environment) reads.
func configOf(env map[string]string) (*config.Config, error) {
	return config.LoadFrom(func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		return os.Getenv(k)
	}, false)
}

// startLoadServer starts `aduan serve` for a load run: a database named
// after the run on cfg's PostgreSQL server, a temporary data directory.
func startLoadServer(ctx context.Context, cfg *config.Config, graphURL, run string, keep bool, args ...string) (*loadTarget, error) {
	dataDir, err := os.MkdirTemp("", "aduan-loadgen-")
	if err != nil {
		return nil, err
	}
	dbURL, err := withDatabase(cfg.DatabaseURL, "aduan_loadgen_"+run)
	if err != nil {
		return nil, err
	}
	env, err := loadServerEnv(dbURL, dataDir, graphURL, "loadgen-"+randomHex(8))
	if err != nil {
		return nil, err
	}
	cleanup := func() {
		if keep {
			return
		}
		_ = os.RemoveAll(dataDir)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = dropDatabase(ctx, dbURL)
	}
	p := newServeProc("aduan serve", env, filepath.Join(dataDir, "serve.log"))
	if err := p.start(ctx, time.Minute, args...); err != nil {
		p.kill()
		cleanup()
		return nil, err
	}
	scfg, err := configOf(env)
	if err != nil {
		p.stop()
		cleanup()
		return nil, err
	}
	return &loadTarget{httpURL: "http://" + p.httpAddr, cfg: scfg, pid: p.pid(), proc: p,
		cleanup: func() { p.stop(); cleanup() }}, nil
}

// withDatabase returns dbURL (URL or key=value form) naming database name.
func withDatabase(dbURL, name string) (string, error) {
	if !strings.Contains(dbURL, "://") {
		return strings.TrimSpace(dbURL) + " dbname=" + name, nil
	}
	u, err := url.Parse(dbURL)
	if err != nil {
		return "", errors.New("the database URL does not parse")
	}
	u.Path = "/" + name
	return u.String(), nil
}

// dropDatabase removes the database dbURL names, through the server's
// "postgres" database.
func dropDatabase(ctx context.Context, dbURL string) error {
	c, err := pgx.ParseConfig(dbURL)
	if err != nil {
		return err
	}
	name := c.Database
	c.Database = "postgres"
	conn, err := pgx.ConnectConfig(ctx, c)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	return err
}

// newLoadClient is the HTTP client of the simulated platforms, keeping a
// connection per concurrent sender.
func newLoadClient(senders int) *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConnsPerHost: senders, DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext}}
}
