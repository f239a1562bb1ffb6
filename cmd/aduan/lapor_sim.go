package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/aduan-gateway/aduan/adapters/lapor"
)

// DefaultLaporSimToken is the key the simulator expects unless told otherwise.
const DefaultLaporSimToken = "aduan-sim"

func init() {
	c := &command{
		name:    "lapor-sim",
		summary: "serve a simulated SP4N-LAPOR! agency API with Indonesian reports, for trying and testing the LAPOR! sync",
		usage: `Usage: aduan lapor-sim [--addr HOST:PORT] [--reports N] [--rate PER_MINUTE] [flags]

Serves the LAPOR! agency API that Aduan assumes (docs/channels/lapor.md) from
memory: N reports disposed to the agency at start (realistic Indonesian
complaints across social-service categories, some rahasia, some anonim, some
with attachments), new reports and reporter replies arriving at --rate per
minute, and the agency's actions applied with LAPOR!'s rules. Faults can be
injected. Point Aduan at it with

  ADUAN_LAPOR_URL=http://HOST:PORT ADUAN_LAPOR_TOKEN=<--token> aduan serve

The pushes it received are at http://HOST:PORT/ (HTML) and /sim/pushes (JSON);
POST /sim/laporan adds a report, POST /sim/laporan/{id}/balasan a reply.`,
	}
	c.run = func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
		fs := newFlags(c, stderr)
		addr := fs.String("addr", "127.0.0.1:8090", "address to listen on")
		var o lapor.SimOptions
		fs.IntVar(&o.Reports, "reports", 20, "reports disposed to the agency at start")
		fs.Float64Var(&o.Rate, "rate", 0, "new reports or reporter replies per minute (0: none)")
		fs.Float64Var(&o.ErrorRate, "error-rate", 0, "share of API requests that fail, 0 to 1 (429, 503, or 502 after applying)")
		fs.DurationVar(&o.Latency, "latency", 0, "mean delay added to each API request, e.g. 200ms")
		fs.Float64Var(&o.RateLimit, "rate-limit", 0, "API requests per second served before 429 (0: no limit)")
		fs.StringVar(&o.Token, "token", DefaultLaporSimToken, "API key clients must send (empty: any)")
		fs.Uint64Var(&o.Seed, "seed", 1, "seed of the reports and the faults")
		if err := fs.Parse(args); err != nil {
			return err
		}
		switch {
		case o.Reports < 0 || o.Rate < 0 || o.RateLimit < 0 || o.Latency < 0:
			return errors.New("--reports, --rate, --rate-limit and --latency must not be negative")
		case o.ErrorRate < 0 || o.ErrorRate > 1:
			return fmt.Errorf("--error-rate %v: want 0 to 1", o.ErrorRate)
		}
		return runLaporSim(ctx, *addr, o, stdout)
	}
	register(c)
}

func runLaporSim(ctx context.Context, addr string, o lapor.SimOptions, stdout io.Writer) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	sim := lapor.NewSimulator(o)
	srv := &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go sim.Run(ctx)
	url := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "LAPOR! simulator on %s: %d reports disposed, %.1f new per minute.\n"+
		"Point Aduan at it:  ADUAN_LAPOR_URL=%s ADUAN_LAPOR_TOKEN=%s aduan serve\n"+
		"Pushes received:    %s/  (JSON: %s/sim/pushes)\nStop with Ctrl+C.\n",
		url, o.Reports, o.Rate, url, o.Token, url, url)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}
