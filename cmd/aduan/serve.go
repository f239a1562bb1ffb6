package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rs/zerolog"

	"github.com/aduan-gateway/aduan/config"
	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/calendar"
	"github.com/aduan-gateway/aduan/core/complaint"
	"github.com/aduan-gateway/aduan/core/dialog"
	"github.com/aduan-gateway/aduan/core/intake"
	"github.com/aduan-gateway/aduan/core/outbox"
	"github.com/aduan-gateway/aduan/store"
)

func init() {
	c := &command{
		name:    "serve",
		summary: "run Aduan: the core service, HTTP endpoints and (by default) an embedded NATS server",
		usage: `Usage: aduan serve [--roles LIST]

Runs Aduan until interrupted (SIGINT/SIGTERM shut it down gracefully). With
ADUAN_NATS_URL empty it starts an embedded NATS server with JetStream (files
under ADUAN_DATA_DIR) listening on ADUAN_NATS_LISTEN; other aduan commands on
this machine reach it there. The database is created and migrated at start.

HTTP endpoints on ADUAN_HTTP_ADDR: /healthz (the process is up), /readyz
(NATS and PostgreSQL answer), /metrics (Prometheus).`,
	}
	c.run = func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
		fs := newFlags(c, stderr)
		roles := fs.String("roles", "", "comma-separated roles to run (web,core,meta,whatsapp,lapor or all); default ADUAN_ROLES")
		cpuProfile := fs.String("cpuprofile", "", "write a CPU profile to this file from start to shutdown (aduan loadgen uses it)")
		usage := fs.Usage
		fs.Usage = func() {
			usage()
			fmt.Fprintln(stderr)
			_ = config.WriteHelp(stderr)
		}
		if err := fs.Parse(args); err != nil {
			return err
		}
		cfg, err := loadConfig()
		if err != nil {
			return err
		}
		if *roles != "" {
			if cfg.Roles, err = config.ParseRoles(*roles); err != nil {
				return err
			}
		}
		if *cpuProfile != "" {
			f, err := os.Create(*cpuProfile)
			if err != nil {
				return err
			}
			defer f.Close()
			if err := pprof.StartCPUProfile(f); err != nil {
				return err
			}
			defer pprof.StopCPUProfile()
		}
		return serve(ctx, cfg, stdout, newLogger(cfg, stderr))
	}
	register(c)
}

func serve(ctx context.Context, cfg *config.Config, stdout io.Writer, log zerolog.Logger) error {
	warnUnknownKeys(log)
	files, err := holidayFiles(cfg)
	if err != nil {
		return err
	}
	if _, err := calendar.New(files...); err != nil {
		return err // a mistake in the folder stops serve before it touches anything
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	cal, shadowed, err := st.Calendar(ctx, files)
	if err != nil {
		return err
	}
	if len(shadowed) > 0 {
		log.Warn().Str("comp", "calendar").Ints("years", shadowed).Str("holidays_dir", cfg.HolidaysPath()).
			Msg("years entered on the web are overridden by the holidays folder's files of the same years")
	}
	warnMissingHolidays(log, cal, cfg, time.Now())

	bcfg, err := busConfig(cfg, cfg.NATSURL)
	if err != nil {
		return err
	}
	bcfg.Listen, bcfg.DataDir = cfg.NATSListen, cfg.DataDir
	if cfg.EmbeddedNATS() {
		if bcfg.StoreKey, err = cfg.JetStreamKey(); err != nil {
			return err
		}
	}
	b, err := bus.Open(ctx, bcfg, log)
	if err != nil {
		return err
	}
	defer b.Close()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	var wg sync.WaitGroup
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()

	complaints, err := newComplaints(cfg, cal)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	env := &serveEnv{cfg: cfg, log: log, store: st, bus: b, holidayFiles: files, mux: mux, reg: reg, ctx: runCtx, fail: cancel, wg: &wg,
		complaints: complaints, relay: outbox.New(st, b, log)}
	env.goRun("calendar", func(ctx context.Context) error {
		return reloadCalendar(ctx, log, cfg, st, complaints, files, calendarReload)
	})
	for _, role := range cfg.Roles {
		start, ok := roleStarters[role]
		if !ok {
			log.Warn().Str("comp", "serve").Str("role", role).Msg("role not available in this build; skipped")
			continue
		}
		if err := start(env); err != nil {
			return fmt.Errorf("starting role %s: %w", role, err)
		}
	}

	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		var problems []string
		if _, err := b.JetStream().AccountInfo(ctx); err != nil {
			problems = append(problems, "nats: "+err.Error())
		}
		if err := st.Ping(ctx); err != nil {
			problems = append(problems, "postgresql: "+err.Error())
		}
		if len(problems) > 0 {
			http.Error(w, strings.Join(problems, "\n"), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))

	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("HTTP listener: %w", err)
	}
	srv := newHTTPServer(mux, defaultHTTPLimits)
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error().Err(err).Str("comp", "http").Msg("HTTP server stopped")
			cancel()
		}
	}()

	natsMode := "external"
	if cfg.EmbeddedNATS() {
		natsMode = "embedded"
	}
	self := os.Args[0]
	fmt.Fprintf(stdout, `Aduan %s is running (roles: %s)
  Admin inbox: http://%s/admin/   (first user: %s user add --username NAME --role admin)
  Health:      http://%s/healthz  /readyz  /metrics
  NATS:        %s (%s)
  Data dir:    %s
Try it:  %s simulate --channel whatsapp --from 6281234567890 --text "Halo, bantuan PKH saya belum cair"
Stop with Ctrl+C.
`, version, strings.Join(cfg.Roles, ","), ln.Addr(), self, ln.Addr(), b.ClientURL(), natsMode, cfg.DataDir, self)
	log.Info().Str("comp", "serve").Str("http", ln.Addr().String()).Str("nats", b.ClientURL()).Msg("started")

	<-runCtx.Done()
	log.Info().Str("comp", "serve").Msg("shutting down")
	shutdownCtx, stop := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
	defer stop()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Warn().Err(err).Str("comp", "http").Msg("HTTP shutdown")
	}
	cancel()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-shutdownCtx.Done():
		log.Warn().Str("comp", "serve").Msg("shutdown timed out; in-flight work will be redelivered")
	}
	return nil
}

// serveEnv is what a role gets to start with: shared connections, the public
// HTTP mux to mount its routes on, the metrics registry, and the process's
// run context and wait group for its goroutines.
type serveEnv struct {
	cfg   *config.Config
	log   zerolog.Logger
	store *store.Store
	bus   *bus.Bus
	// holidayFiles are the holidays folder's year files, read at start;
	// the calendar page rebuilds the calendar with them.
	holidayFiles []calendar.Source
	mux          *http.ServeMux
	reg          prometheus.Registerer
	// complaints files complaints and carries them through the workflow.
	complaints *complaint.Service
	// relay publishes the outbox; the core role runs it, the web kicks it
	// (a web-only process leaves replies to the core process's next tick).
	relay *outbox.Relay
	// meta is the Meta webhook and metrics the meta and WhatsApp roles share.
	meta metaShared
	ctx  context.Context
	// fail stops the whole process: a role whose goroutine dies calls it.
	fail context.CancelFunc
	wg   *sync.WaitGroup
}

// goRun runs fn in the background until the process stops; an error from fn
// is logged and shuts the process down.
func (e *serveEnv) goRun(comp string, fn func(ctx context.Context) error) {
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		if err := fn(e.ctx); err != nil && e.ctx.Err() == nil {
			e.log.Error().Err(err).Str("comp", comp).Msg("stopped")
			e.fail()
		}
	}()
}

// roleStarters maps a role (config.RoleCore, ...) to what starts it; each
// role registers itself from its own file.
var roleStarters = map[string]func(env *serveEnv) error{
	config.RoleCore: startCore,
}

// startCore runs the intake: dialog over the INBOUND stream, outbox relay.
func startCore(env *serveEnv) error {
	tpl, err := dialog.LoadTemplates(env.cfg.TemplatesDir)
	if err != nil {
		return err
	}
	svc := intake.New(env.store, dialog.New(tpl, env.cfg.RequiredFields), intake.Options{
		Complaints: env.complaints, Relay: env.relay, Log: env.log, Metrics: intake.NewMetrics(env.reg),
	})
	env.reg.MustRegister(lagGauge(env.bus, bus.StreamInbound, intake.ConsumerName))
	env.goRun("intake", func(ctx context.Context) error {
		return svc.Run(ctx, env.bus, bus.ConsumerSpec{})
	})
	env.goRun("intake", func(ctx context.Context) error { return svc.RunDelivery(ctx, env.bus) })
	env.goRun("intake", func(ctx context.Context) error { return svc.RunRejected(ctx, env.bus) })
	if days := env.cfg.RetentionDays; days > 0 {
		env.goRun("retention", func(ctx context.Context) error {
			return svc.RunRetention(ctx, env.bus, time.Duration(days)*24*time.Hour)
		})
	}
	return nil
}

// lagGauge reports how many messages a consumer has not yet acknowledged.
func lagGauge(b *bus.Bus, stream, consumer string) prometheus.Collector {
	return prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name:        "aduan_consumer_lag",
		Help:        "Messages not yet acknowledged by a consumer (pending plus in flight).",
		ConstLabels: prometheus.Labels{"stream": stream, "consumer": consumer},
	}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		n, err := b.Lag(ctx, stream, consumer)
		if err != nil {
			return -1
		}
		return float64(n)
	})
}
