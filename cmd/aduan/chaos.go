package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/aduan-gateway/aduan/adapters/meta"
	"github.com/aduan-gateway/aduan/config"
	"github.com/aduan-gateway/aduan/core/bus"
)

func init() {
	c := &command{
		name:    "chaos",
		summary: "fault tests: kill the server, stop PostgreSQL, restart NATS under load; count what was lost",
		usage: `Usage: aduan chaos [--scenarios kill,postgres,nats,cluster] [--rate R]

Runs "aduan serve" (this binary) under load from the loadgen's citizens and
Graph API fake, breaks something mid-load, and checks the outcome:

  kill      kill -9 of aduan serve, restarted 2 s later
  postgres  PostgreSQL stopped for 30 s (webhooks must keep being accepted)
  nats      an external nats-server (--nats-server) stopped for 8 s and
            restarted (webhooks answer 503 meanwhile)
  cluster   three nats-servers as a cluster, streams at 3 replicas, an edge
            process (web,meta,whatsapp,lapor) and two core processes: one
            NATS node stopped for good, then one core process killed -9;
            the other core process must take over its work

Everything runs on loopback under a temporary directory: a private
PostgreSQL cluster started with deploy/postgres.sh on a free port (never the
machine's own server), and for "nats" a nats-server of its own on free ports.
Refused webhooks are retried, as Meta does. After the load, each scenario
prints its counts — sent, acknowledged, stored, replies, duplicates — and
fails when an acknowledged message was not stored exactly once or got no
reply. Duplicated replies (a send in flight when the fault struck) are
counted, not failed.`,
	}
	c.run = func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
		fs := newFlags(c, stderr)
		scenarios := fs.String("scenarios", "kill,postgres,nats,cluster", "scenarios to run, in order")
		o := chaosOptions{}
		fs.Float64Var(&o.rate, "rate", 20, "messages per second offered")
		fs.StringVar(&o.natsServer, "nats-server", "bin/nats-server", "nats-server binary for the nats scenario (make chaos builds it)")
		fs.StringVar(&o.pgScript, "postgres-script", "deploy/postgres.sh", "script that starts and stops the private PostgreSQL")
		fs.DurationVar(&o.wait, "wait", 90*time.Second, "longest wait for the replies after the load")
		if err := fs.Parse(args); err != nil {
			return err
		}
		var run []chaosScenario
		for name := range strings.SplitSeq(*scenarios, ",") {
			s, ok := chaosScenarios[strings.TrimSpace(name)]
			if !ok {
				return fmt.Errorf("--scenarios: unknown scenario %q", name)
			}
			run = append(run, s)
		}
		return chaos(ctx, o, run, stdout)
	}
	register(c)
}

type chaosOptions struct {
	rate                 float64
	natsServer, pgScript string
	wait                 time.Duration
}

// chaosScenario is one fault under load: how long the load lasts, what
// runs, and the fault, started with the load.
type chaosScenario struct {
	name string
	load time.Duration
	// natsNodes is 0 for serve's embedded NATS, else how many nats-server
	// processes run (more than one: a cluster, streams on all of them).
	natsNodes int
	// processes are the roles of each aduan serve; the first takes the
	// webhooks. Empty: one process with every role.
	processes []string
	fault     func(ctx context.Context, r *chaosRun) error
}

var chaosScenarios = map[string]chaosScenario{
	"kill": {name: "kill", load: 20 * time.Second, fault: func(ctx context.Context, r *chaosRun) error {
		if !sleepCtx(ctx, 8*time.Second) {
			return ctx.Err()
		}
		r.logf("kill -9 aduan serve (pid %d)", r.serves[0].pid())
		r.serves[0].kill()
		sleepCtx(ctx, 2*time.Second)
		r.logf("restarting aduan serve")
		return r.serves[0].start(ctx, time.Minute)
	}},
	"postgres": {name: "postgres", load: 45 * time.Second, fault: func(ctx context.Context, r *chaosRun) error {
		if !sleepCtx(ctx, 5*time.Second) {
			return ctx.Err()
		}
		r.logf("stopping PostgreSQL for 30 s")
		if err := r.pg.stop(ctx); err != nil {
			return err
		}
		before := r.tally.counts().Acked
		sleepCtx(ctx, 30*time.Second)
		during := r.tally.counts().Acked - before
		r.logf("%d messages acknowledged while PostgreSQL was down; starting it again", during)
		if during == 0 {
			r.problems = append(r.problems, "no webhook was accepted while PostgreSQL was down")
		}
		_, err := r.pg.start(ctx)
		return err
	}},
	"nats": {name: "nats", load: 20 * time.Second, natsNodes: 1, fault: func(ctx context.Context, r *chaosRun) error {
		if !sleepCtx(ctx, 8*time.Second) {
			return ctx.Err()
		}
		r.logf("stopping nats-server for 8 s")
		r.nats[0].kill()
		before := r.tally.refusals()["503"]
		sleepCtx(ctx, 8*time.Second)
		refused := r.tally.refusals()["503"] - before
		r.logf("%d webhooks answered 503 while NATS was down; restarting it", refused)
		if refused == 0 {
			r.problems = append(r.problems, "no webhook was answered 503 while NATS was down")
		}
		return r.nats[0].start(ctx)
	}},
	"cluster": {name: "cluster", load: 30 * time.Second, natsNodes: 3,
		processes: []string{"web,meta,whatsapp,lapor", "core", "core"},
		fault: func(ctx context.Context, r *chaosRun) error {
			if !sleepCtx(ctx, 8*time.Second) {
				return ctx.Err()
			}
			r.logf("stopping NATS node 3 of 3 for good")
			r.nats[2].kill()
			if !sleepCtx(ctx, 6*time.Second) {
				return ctx.Err()
			}
			r.logf("kill -9 of core process 1 (pid %d); core process 2 must take its work", r.serves[1].pid())
			r.serves[1].kill()
			return nil
		}},
}

// chaosRun is one scenario's moving parts.
type chaosRun struct {
	name     string
	out      io.Writer
	start    time.Time
	serves   []*serveProc
	pg       *privatePG
	nats     []*natsProc
	tally    *tally
	problems []string
}

func (r *chaosRun) logf(format string, args ...any) {
	fmt.Fprintf(r.out, "  [%s +%4.1fs] %s\n", r.name, time.Since(r.start).Seconds(), fmt.Sprintf(format, args...))
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	select {
	case <-ctx.Done():
		return false
	case <-time.After(d):
		return true
	}
}

func chaos(ctx context.Context, o chaosOptions, scenarios []chaosScenario, stdout io.Writer) error {
	dir, err := os.MkdirTemp("", "aduan-chaos-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	pg := &privatePG{script: o.pgScript, dataDir: filepath.Join(dir, "pg")}
	if pg.port, err = freePort(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "chaos: private PostgreSQL on 127.0.0.1:%s under %s\n", pg.port, dir)
	adminURL, err := pg.start(ctx)
	if err != nil {
		return err
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = pg.stop(ctx)
	}()
	var failed []string
	for _, s := range scenarios {
		if err := runChaosScenario(ctx, o, s, dir, pg, adminURL, stdout); err != nil {
			fmt.Fprintf(stdout, "chaos %s: FAIL: %v\n", s.name, err)
			failed = append(failed, s.name)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("failed: %s", strings.Join(failed, ", "))
	}
	fmt.Fprintln(stdout, "chaos: every scenario passed")
	return nil
}

func runChaosScenario(ctx context.Context, o chaosOptions, s chaosScenario, dir string, pg *privatePG, adminURL string, out io.Writer) error {
	r := &chaosRun{name: s.name, out: out, start: time.Now(), pg: pg, tally: newTally()}
	fake, err := newGraphFake("127.0.0.1:0")
	if err != nil {
		return err
	}
	defer fake.Close()
	fake.tally.Store(r.tally)

	sdir := filepath.Join(dir, s.name)
	if err := os.MkdirAll(sdir, 0o700); err != nil {
		return err
	}
	dbURL, err := withDatabase(adminURL, "chaos_"+s.name)
	if err != nil {
		return err
	}
	env, err := loadServerEnv(dbURL, sdir, fake.URL(), "chaos-"+randomHex(8))
	if err != nil {
		return err
	}
	// Every process of an installation shares the NIK key.
	env[config.KeyNIKKey], env[config.KeyNIKKey+"_FILE"] = randomHex(32), ""
	if s.natsNodes > 0 {
		if r.nats, err = startNATSNodes(ctx, o.natsServer, sdir, s.natsNodes); err != nil {
			return err
		}
		defer func() {
			for _, n := range r.nats {
				n.kill()
			}
		}()
		var urls []string
		for _, n := range r.nats {
			urls = append(urls, n.url())
		}
		env[config.KeyNATSURL] = strings.Join(urls, ",")
		env[config.KeyNATSReplicas] = fmt.Sprint(s.natsNodes)
	}
	processes := s.processes
	if len(processes) == 0 {
		processes = []string{"all"}
	}
	for i, roles := range processes {
		penv := maps.Clone(env)
		penv[config.KeyRoles] = roles
		penv[config.KeyDataDir] = filepath.Join(sdir, fmt.Sprintf("serve-%d", i))
		if i > 0 {
			if penv[config.KeyHTTPAddr], err = freeLoopbackAddr(); err != nil {
				return err
			}
		}
		p := newServeProc(fmt.Sprintf("aduan serve --roles=%s", roles), penv, filepath.Join(sdir, fmt.Sprintf("serve-%d.log", i)))
		defer p.stop()
		if err := os.MkdirAll(penv[config.KeyDataDir], 0o700); err != nil {
			return err
		}
		if err := p.start(ctx, time.Minute); err != nil {
			return err
		}
		r.serves = append(r.serves, p)
	}
	cfg, err := configOf(r.serves[0].env)
	if err != nil {
		return err
	}
	b, err := openLoadBus(ctx, cfg, fake)
	if err != nil {
		return err
	}
	defer b.close()
	if s.natsNodes > 1 {
		info, err := b.JetStream().Stream(ctx, bus.StreamInbound)
		if err != nil {
			return err
		}
		if got := info.CachedInfo().Config.Replicas; got != s.natsNodes {
			return fmt.Errorf("%s has %d replicas, want %d", bus.StreamInbound, got, s.natsNodes)
		}
		r.logf("%d NATS nodes, %s at %d replicas", s.natsNodes, bus.StreamInbound, s.natsNodes)
	}
	r.logf("load at %.0f messages/s for %s (logs: %s)", o.rate, s.load, sdir)
	d := b.newDriver(fake, r.tally, newLoadClient(16), "http://"+r.serves[0].httpAddr+meta.Path, cfg.Meta.AppSecret)
	d.kinds, d.run, d.rate, d.concurrency, d.duration, d.retryFor = citizenKinds, 100+len(s.name), o.rate, 16, s.load, time.Minute
	faultDone := make(chan error, 1)
	go func() { faultDone <- s.fault(ctx, r) }()
	d.drive(ctx)
	if err := <-faultDone; err != nil {
		return fmt.Errorf("injecting the fault: %w", err)
	}
	r.logf("load over; waiting for the replies")
	if r.tally.waitReplies(o.wait, 45*time.Second) {
		r.logf("every acknowledged message answered")
	}
	n := r.tally.counts()
	st, err := checkStored(ctx, dbURL, r.tally)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "chaos %s: sent %d, acknowledged %d, stored %d, replies %d, duplicates %d (lost replies %d, refused attempts %s; %s)\n",
		s.name, n.Sent, n.Acked, st.Stored, n.Replies, n.Duplicates, n.Lost, formatRefused(r.tally.refusals()), st.order())
	if st.Stored != n.Acked {
		r.problems = append(r.problems, fmt.Sprintf("%d acknowledged messages not stored", n.Acked-st.Stored))
	}
	if st.Twice > 0 {
		r.problems = append(r.problems, fmt.Sprintf("%d messages stored more than once", st.Twice))
	}
	if n.Lost > 0 {
		r.problems = append(r.problems, fmt.Sprintf("%d acknowledged messages got no reply", n.Lost))
	}
	if len(r.problems) > 0 {
		return fmt.Errorf("%s (logs: %s)", strings.Join(r.problems, "; "), sdir)
	}
	return nil
}

// privatePG is a PostgreSQL cluster of chaos's own, run by
// deploy/postgres.sh under a temporary data directory on a free port.
type privatePG struct {
	script, dataDir, port string
}

func (p *privatePG) cmd(ctx context.Context, verb string) (string, error) {
	cmd := exec.CommandContext(ctx, p.script, verb)
	cmd.Env = mergeEnv(os.Environ(), map[string]string{config.KeyDataDir: p.dataDir, config.KeyPGPort: p.port})
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s %s: %w\n%s", p.script, verb, err, stderr.String())
	}
	return strings.TrimSpace(string(out)), nil
}

// start starts the cluster (made at the first start) and returns its admin URL.
func (p *privatePG) start(ctx context.Context) (string, error) { return p.cmd(ctx, "ensure") }

func (p *privatePG) stop(ctx context.Context) error {
	_, err := p.cmd(ctx, "stop")
	return err
}

func freePort() (string, error) {
	addr, err := freeLoopbackAddr()
	if err != nil {
		return "", err
	}
	return addr[strings.LastIndexByte(addr, ':')+1:], nil
}

// natsProc is a nats-server with JetStream run as a separate process.
type natsProc struct {
	bin, storeDir, port string
	args                []string // cluster options
	cmd                 *exec.Cmd
	done                chan struct{}
}

// startNATSNodes starts n nats-servers on loopback, as a cluster when n > 1.
func startNATSNodes(ctx context.Context, bin, dir string, n int) ([]*natsProc, error) {
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("nats-server: %w (make chaos builds it: go build -o bin/nats-server github.com/nats-io/nats-server/v2)", err)
	}
	nodes := make([]*natsProc, n)
	routes := make([]string, n)
	for i := range nodes {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		cport, err := freePort()
		if err != nil {
			return nil, err
		}
		nodes[i] = &natsProc{bin: bin, storeDir: filepath.Join(dir, fmt.Sprintf("nats-%d", i+1)), port: port}
		if n > 1 {
			nodes[i].args = []string{"--server_name", fmt.Sprintf("nats-%d", i+1), "--cluster_name", "aduan",
				"--cluster", "nats://127.0.0.1:" + cport}
		}
		routes[i] = "nats://127.0.0.1:" + cport
	}
	for _, node := range nodes {
		if n > 1 {
			node.args = append(node.args, "--routes", strings.Join(routes, ","))
		}
		if err := node.start(ctx); err != nil {
			for _, started := range nodes {
				started.kill()
			}
			return nil, err
		}
	}
	return nodes, nil
}

func (n *natsProc) url() string { return "nats://127.0.0.1:" + n.port }

// start runs the server (again, on the same port and store) and waits for
// its port.
func (n *natsProc) start(ctx context.Context) error {
	if err := os.MkdirAll(n.storeDir, 0o700); err != nil {
		return err
	}
	logf, err := os.OpenFile(n.storeDir+".log", os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	args := append([]string{"-a", "127.0.0.1", "-p", n.port, "-js", "-sd", n.storeDir}, n.args...)
	cmd := exec.Command(n.bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		_ = logf.Close()
		return err
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); _ = logf.Close(); close(done) }()
	n.cmd, n.done = cmd, done
	return waitPort(ctx, "127.0.0.1:"+n.port, 30*time.Second, done)
}

func (n *natsProc) kill() {
	if n.cmd == nil {
		return
	}
	_ = n.cmd.Process.Kill()
	<-n.done
	n.cmd = nil
}

// waitPort waits until addr accepts connections, or the process ends.
func waitPort(ctx context.Context, addr string, wait time.Duration, exited <-chan struct{}) error {
	deadline := time.Now().Add(wait)
	for {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			_ = c.Close()
			return nil
		}
		select {
		case <-exited:
			return errors.New(addr + ": the server exited at start")
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: nothing listening after %s", addr, wait)
		}
	}
}
