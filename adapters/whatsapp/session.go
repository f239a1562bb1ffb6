package whatsapp

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx" for whatsmeow's sqlstore
	"github.com/rs/zerolog"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/store/sqlstore"
	waLog "go.mau.fi/whatsmeow/util/log"

	"github.com/aduan-gateway/aduan/config"
	"github.com/aduan-gateway/aduan/core/event"
)

// OpenStore opens whatsmeow's session store in Aduan's PostgreSQL database
// (tables whatsmeow_*, created and upgraded by whatsmeow itself). Close the
// container when done.
func OpenStore(ctx context.Context, databaseURL string, log zerolog.Logger) (*sqlstore.Container, error) {
	db, err := sql.Open("pgx", databaseURL)
	if err != nil {
		return nil, fmt.Errorf("opening the whatsapp session store: %w", err)
	}
	db.SetMaxOpenConns(8)
	c := sqlstore.NewWithDB(db, "postgres", clientLog(log))
	if err := c.Upgrade(ctx); err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("upgrading the whatsapp session store: %w", err)
	}
	return c, nil
}

// clientLog is whatsmeow's logger: at least info, since its debug output
// dumps protocol traffic, and under comp=whatsmeow.
func clientLog(log zerolog.Logger) waLog.Logger {
	l := log.With().Str("comp", "whatsmeow").Logger()
	if l.GetLevel() < zerolog.InfoLevel {
		l = l.Level(zerolog.InfoLevel)
	}
	return waLog.Zerolog(l)
}

// SetDeviceName sets how Aduan appears under Linked devices on the phone.
// It applies to pairings made after the call.
func SetDeviceName(name string) { store.DeviceProps.Os = &name }

// NewClient makes a whatsmeow client for device with Aduan's settings:
// reconnect by itself, keep decrypted messages until handled (so one left
// unacknowledged can be decrypted when WhatsApp delivers it again).
func NewClient(device *store.Device, log zerolog.Logger) *whatsmeow.Client {
	c := whatsmeow.NewClient(device, clientLog(log))
	c.EnableAutoReconnect = true
	c.InitialAutoReconnect = true
	c.EnableDecryptedEventBuffer = true
	return c
}

// pairPause separates pairing rounds in serve: each round shows QR codes for
// about three minutes, then WhatsApp closes the connection.
const pairPause = 10 * time.Second

// Session runs the whatsmeow client for the adapter: it holds the lease,
// pairs (QR codes shown on the admin UI's channel page) when the store has
// no device, connects, and stops when WhatsApp ends the session.
type Session struct {
	a         *Adapter
	container *sqlstore.Container
	lease     *Lease
	log       zerolog.Logger
}

// NewSession ties the adapter, the session store and the lease together.
func NewSession(a *Adapter, container *sqlstore.Container, lease *Lease, cfg config.WhatsAppConfig, log zerolog.Logger) *Session {
	SetDeviceName(cfg.DeviceName)
	return &Session{a: a, container: container, lease: lease, log: log.With().Str("comp", "whatsapp").Logger()}
}

// Run runs the session until ctx ends, as the active process or as standby.
func (s *Session) Run(ctx context.Context) error {
	waiting := ""
	return s.lease.Run(ctx, func(ctx context.Context) error {
		waiting = ""
		s.log.Info().Str("holder", s.lease.Holder()).Msg("whatsapp session lease taken; this process runs the session")
		err := s.active(ctx)
		if ctx.Err() != nil && err == nil {
			s.log.Warn().Msg("whatsapp session lease ended; stopping the session here")
		}
		return err
	}, func(holder string) {
		if holder != waiting {
			waiting = holder
			s.log.Info().Str("holder", holder).Msg("whatsapp session held by another process; standing by")
			s.a.SetState(event.HealthStandby, "another Aduan process ("+holder+") runs the WhatsApp session; this one takes over if it stops", nil)
		}
	})
}

// active runs while this process holds the lease. Replies are sent and
// files downloaded only here: a standby process leaves them on their
// queues for the active one.
func (s *Session) active(ctx context.Context) error {
	sctx, stopWorkers := context.WithCancel(ctx)
	var workers sync.WaitGroup
	for what, run := range map[string]func(context.Context) error{
		"whatsapp replies not sent":                 s.a.RunSender,
		"whatsapp files not downloaded":             s.a.RunFetcher,
		"pairing codes not offered to the admin UI": s.a.ServePairRequests,
	} {
		workers.Go(func() {
			if err := run(sctx); err != nil {
				s.log.Error().Err(err).Msg(what)
			}
		})
	}
	defer func() { stopWorkers(); workers.Wait() }()
	for {
		device, err := s.container.GetFirstDevice(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("reading the whatsapp session store: %w", err)
		}
		cli := NewClient(device, s.log)
		cli.AddEventHandlerWithSuccessStatus(s.a.HandleEvent)
		if device.ID == nil {
			paired := s.pair(ctx, cli)
			if !paired {
				cli.Disconnect()
				if !sleep(ctx, pairPause) {
					return nil
				}
				continue
			}
		} else {
			s.a.Attach(cli, cli.Store.LIDs, device.ID.User)
			s.a.SetState(event.HealthDown, "connecting to WhatsApp", nil)
			if err := cli.ConnectContext(ctx); err != nil {
				s.log.Warn().Err(err).Msg("connecting to whatsapp; retrying")
				s.a.SetState(event.HealthDown, "cannot reach WhatsApp: "+err.Error(), nil)
				s.a.Detach()
				if !sleep(ctx, pairPause) {
					return nil
				}
				continue
			}
		}
		select {
		case <-ctx.Done():
			cli.Disconnect()
			s.a.Detach()
			return nil
		case reason := <-s.a.Stopped():
			cli.Disconnect()
			s.a.Detach()
			if reason == StopStreamReplaced {
				// Reconnecting would fight whoever replaced us; wait for
				// an administrator (restart after checking).
				<-ctx.Done()
				return nil
			}
			// Logged out: whatsmeow deleted the device; pair anew.
		}
	}
}

// pair shows QR codes on the admin UI until the office phone scans one.
// The client is connected and attached when it returns true.
func (s *Session) pair(ctx context.Context, cli *whatsmeow.Client) bool {
	qr, err := cli.GetQRChannel(ctx)
	if err != nil {
		s.log.Error().Err(err).Msg("starting whatsapp pairing")
		return false
	}
	if err := cli.ConnectContext(ctx); err != nil {
		s.log.Warn().Err(err).Msg("connecting to whatsapp for pairing")
		s.a.SetState(event.HealthNeedsPairing, "cannot reach WhatsApp to pair: "+err.Error(), nil)
		return false
	}
	// Once the first code arrives the connection can also issue phone
	// pairing codes, which the admin UI may ask for.
	defer s.a.SetPairer(nil)
	err = s.a.FollowQR(ctx, qr, func(string, time.Duration) {
		s.a.SetPairer(func(ctx context.Context, phone string) (string, error) {
			return cli.PairPhone(ctx, phone, true, whatsmeow.PairClientChrome, "Chrome (Linux)")
		})
	})
	if err != nil {
		if !errors.Is(err, ErrQRTimeout) && ctx.Err() == nil {
			s.log.Warn().Err(err).Msg("whatsapp pairing failed")
		}
		return false
	}
	// Logged once by the adapter: the PairSuccess event, then the attach.
	s.a.Attach(cli, cli.Store.LIDs, cli.Store.ID.User)
	return true
}

func sleep(ctx context.Context, d time.Duration) bool {
	select {
	case <-ctx.Done():
		return false
	case <-time.After(d):
		return true
	}
}
