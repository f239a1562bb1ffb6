package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/aduan-gateway/aduan/config"
	"github.com/aduan-gateway/aduan/core/beritaacara"
	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/calendar"
	"github.com/aduan-gateway/aduan/core/complaint"
	"github.com/aduan-gateway/aduan/core/dialog"
	"github.com/aduan-gateway/aduan/store"
)

// newLogger builds the process logger from the configuration.
func newLogger(cfg *config.Config, w io.Writer) zerolog.Logger {
	level, err := zerolog.ParseLevel(cfg.LogLevel)
	if err != nil {
		level = zerolog.InfoLevel
	}
	w = redactWriter{w: w}
	if cfg.LogFormat == config.LogFormatConsole {
		w = zerolog.ConsoleWriter{Out: w, TimeFormat: time.TimeOnly}
	}
	return zerolog.New(w).Level(level).With().Timestamp().Logger()
}

// openStore opens the database with the configured NIK key.
func openStore(ctx context.Context, cfg *config.Config) (*store.Store, error) {
	key, err := cfg.NIKKey()
	if err != nil {
		return nil, err
	}
	return store.Open(ctx, cfg.DatabaseURL, key)
}

// loadStore reads the configuration and opens the database, for commands
// that work on the store; the caller closes it.
func loadStore(ctx context.Context) (*config.Config, *store.Store, error) {
	cfg, err := loadConfig()
	if err != nil {
		return nil, nil, err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	return cfg, st, nil
}

// loadComplaints opens the store and the complaint service, for commands
// that act on complaints or read their figures; the caller closes the store.
func loadComplaints(ctx context.Context) (*store.Store, *complaint.Service, error) {
	cfg, st, err := loadStore(ctx)
	if err != nil {
		return nil, nil, err
	}
	cal, _, err := loadCalendar(ctx, cfg, st)
	if err == nil {
		var svc *complaint.Service
		if svc, err = newComplaints(cfg, cal); err == nil {
			return st, svc, nil
		}
	}
	st.Close()
	return nil, nil, err
}

// newComplaints is the service that files complaints and carries them
// through the workflow, with the configured ticket prefix and calendar, and
// the reply templates' satisfaction question (ADUAN_TEMPLATES_DIR).
func newComplaints(cfg *config.Config, cal *calendar.Calendar) (*complaint.Service, error) {
	tpl, err := dialog.LoadTemplates(cfg.TemplatesDir)
	if err != nil {
		return nil, err
	}
	return complaint.New(cal, complaint.Options{
		TicketPrefix: cfg.TicketPrefix,
		BeritaAcara:  beritaacara.Render,
		Office:       beritaacara.Office(cfg.Office),
		Survey:       tpl,
	}), nil
}

// busConfig is how this process reaches NATS at url (ADUAN_NATS_URL, or for
// a command the embedded server of `aduan serve`): with the external
// server's credentials and TLS files, or the embedded server's generated
// password, which serve requires of every client.
func busConfig(cfg *config.Config, url string) (bus.Config, error) {
	n := cfg.NATS
	bc := bus.Config{URL: url, LeaseTTL: cfg.WhatsApp.LeaseTTL,
		CredsFile: n.CredsFile, TLSCA: n.TLSCA, TLSCert: n.TLSCert, TLSKey: n.TLSKey, Replicas: n.Replicas,
		Partitions: cfg.IntakePartitions}
	if cfg.EmbeddedNATS() {
		pw, err := cfg.NATSPassword()
		if err != nil {
			return bus.Config{}, err
		}
		bc.User, bc.Password = config.NATSUser, pw
	}
	return bc, nil
}

// openClientBus connects a command to the NATS of a running `aduan serve`.
func openClientBus(ctx context.Context, cfg *config.Config) (*bus.Bus, error) {
	bc, err := busConfig(cfg, cfg.ClientNATSURL())
	if err != nil {
		return nil, err
	}
	b, err := bus.Open(ctx, bc, zerolog.Nop())
	if err != nil {
		return nil, fmt.Errorf("reaching Aduan's NATS at %s (is \"aduan serve\" running?): %w", cfg.ClientNATSURL(), err)
	}
	return b, nil
}

// warnUnknownKeys points out ADUAN_* variables nothing reads: likely typos.
func warnUnknownKeys(log zerolog.Logger) {
	if unknown := config.UnknownKeys(os.Environ()); len(unknown) > 0 {
		log.Warn().Str("keys", strings.Join(unknown, ",")).Msg("unknown ADUAN_* environment variables ignored")
	}
}

// loadConfig reads and validates the configuration.
func loadConfig() (*config.Config, error) {
	cfg, err := config.Load()
	if err != nil {
		return nil, fmt.Errorf("configuration: %w", err)
	}
	return cfg, nil
}
