package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/rs/zerolog"
	qrcode "github.com/skip2/go-qrcode"
	"go.mau.fi/whatsmeow"
	wastore "go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/store/sqlstore"

	"github.com/aduan-gateway/aduan/adapters/whatsapp"
	"github.com/aduan-gateway/aduan/config"
	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/identity"
)

func init() {
	c := &command{
		name:    "whatsapp",
		summary: "WhatsApp session (whatsapp pair [--phone 62…] | status | logout [--local])",
		usage: `Usage: aduan whatsapp pair [--phone NUMBER]
       aduan whatsapp status
       aduan whatsapp logout [--local]

pair links Aduan to the office's WhatsApp number as a linked device
(ADUAN_WHATSAPP_TRANSPORT=whatsmeow). It prints a QR code: on the office
phone open WhatsApp → Linked devices → Link a device and scan it. With
--phone it prints an 8-character code instead, to type after "Link with
phone number instead". It exits once paired. The session keys are kept in
the database (tables whatsmeow_*). When "aduan serve" is reachable, the
QR code is also shown on the admin UI's Saluran page.

While a running "aduan serve" holds the WhatsApp session, pair here is
refused: pair from its Saluran page instead, or stop its whatsapp role.

status shows whether a number is paired and how the running session is.
logout unlinks Aduan from the phone and deletes the session keys; --local
only deletes the keys here (when WhatsApp cannot be reached; remove the
device on the phone too).`,
	}
	c.run = func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
		if done, err := subcommandUsage(c, args, stderr); done {
			return err
		}
		fs := newFlags(c, stderr)
		phone := fs.String("phone", "", "pair with a code for this number (international, e.g. 6281100000000) instead of a QR code")
		local := fs.Bool("local", false, "logout: only delete the session keys here")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		switch args[0] {
		case "pair":
			return waPair(ctx, *phone, stdout, stderr)
		case "status":
			return waStatus(ctx, stdout)
		case "logout":
			return waLogout(ctx, *local, stdout)
		}
		fs.Usage()
		return errUsage
	}
	register(c)
}

// waSession is what the whatsapp commands work on: the session store and,
// when "aduan serve" is reachable, the bus with the lease and the health.
type waSession struct {
	cfg       *config.Config
	log       zerolog.Logger
	container *sqlstore.Container
	// dev is the session's device; its ID is nil until paired.
	dev   *wastore.Device
	bus   *bus.Bus // nil when no server is reachable
	lease *whatsapp.Lease
}

func openWASession(ctx context.Context, logs io.Writer) (*waSession, error) {
	cfg, st, err := loadStore(ctx) // creates and migrates the database if needed
	if err != nil {
		return nil, err
	}
	st.Close()
	if cfg.WhatsApp.Transport == config.WhatsAppTransportCloudAPI {
		return nil, errors.New("ADUAN_WHATSAPP_TRANSPORT is cloudapi: the Cloud API needs no pairing (see docs/channels/whatsapp.md)")
	}
	s := &waSession{cfg: cfg, log: newLogger(cfg, logs)}
	if s.container, err = whatsapp.OpenStore(ctx, cfg.DatabaseURL, s.log); err != nil {
		return nil, err
	}
	if s.dev, err = s.container.GetFirstDevice(ctx); err != nil {
		_ = s.container.Close()
		return nil, err
	}
	bctx, cancel := context.WithTimeout(ctx, 1500*time.Millisecond)
	defer cancel()
	if b, err := openClientBus(bctx, cfg); err == nil {
		s.bus = b
		s.lease = whatsapp.OpenLease(b)
	}
	return s, nil
}

func (s *waSession) close() {
	if s.bus != nil {
		s.bus.Close()
	}
	_ = s.container.Close()
}

// take acquires the session lease, so that no serve connects meanwhile.
// Without a reachable bus there is no serve to collide with.
func (s *waSession) take(ctx context.Context) (release func(), err error) {
	if s.lease == nil {
		return func() {}, nil
	}
	holder, err := s.lease.Acquire(ctx)
	if errors.Is(err, whatsapp.ErrLeaseHeld) {
		return nil, fmt.Errorf("the WhatsApp session is held by a running Aduan (%s): pair from its admin UI (Saluran), or stop its whatsapp role first", holder)
	}
	if err != nil {
		return nil, err
	}
	kctx, cancel := context.WithCancel(ctx)
	go func() { _ = s.lease.Keep(kctx) }()
	return func() {
		cancel()
		rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		s.lease.Release(rctx)
		rcancel()
	}, nil
}

// report records the pairing state for the admin UI when a bus is reachable.
func (s *waSession) report(account string) func(event.HealthState, string, map[string]string) {
	return func(state event.HealthState, detail string, extra map[string]string) {
		if s.bus == nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		_ = s.bus.SetHealth(ctx, event.Health{Channel: event.ChannelWhatsApp, Account: account, State: state, Detail: detail, Extra: extra})
	}
}

func waPair(ctx context.Context, phone string, stdout, logs io.Writer) error {
	var digits string
	if phone != "" {
		var err error
		if digits, err = identity.InternationalPhone(phone); err != nil {
			return fmt.Errorf("--phone: %w", err)
		}
	}
	s, err := openWASession(ctx, logs)
	if err != nil {
		return err
	}
	defer s.close()
	dev := s.dev
	if dev.ID != nil {
		return fmt.Errorf("already paired as +%s: run \"aduan whatsapp logout\" first to pair another number", dev.ID.User)
	}
	release, err := s.take(ctx)
	if err != nil {
		return err
	}
	defer release()

	whatsapp.SetDeviceName(s.cfg.WhatsApp.DeviceName)
	cli := whatsapp.NewClient(dev, s.log)
	items, err := cli.GetQRChannel(ctx)
	if err != nil {
		return err
	}
	if err := cli.ConnectContext(ctx); err != nil {
		return fmt.Errorf("connecting to WhatsApp: %w", err)
	}
	defer cli.Disconnect()
	report := s.report("")
	show := func(code string, valid time.Duration) {
		q, err := qrcode.New(code, qrcode.Low)
		if err != nil {
			fmt.Fprintf(stdout, "QR code: %s\n", code)
			return
		}
		fmt.Fprintf(stdout, "%s\nScan with the office phone: WhatsApp → Linked devices → Link a device (valid %s).\n",
			q.ToSmallString(false), valid.Round(time.Second))
	}
	if digits != "" {
		// The first item means the connection is ready for a code request.
		first, ok := <-items
		if !ok || first.Event != whatsmeow.QRChannelEventCode {
			return fmt.Errorf("WhatsApp did not offer pairing (%s)", first.Event)
		}
		code, err := cli.PairPhone(ctx, digits, true, whatsmeow.PairClientChrome, "Chrome (Linux)")
		if err != nil {
			return fmt.Errorf("requesting a pairing code: %w", err)
		}
		code = whatsapp.FormatPairCode(code)
		report(event.HealthNeedsPairing, "not paired: on the office phone open WhatsApp → Linked devices → Link a device → Link with phone number instead, and type this code",
			map[string]string{whatsapp.ExtraPairCode: code})
		fmt.Fprintf(stdout, "Pairing code: %s\nOn the phone of +%s: WhatsApp → Linked devices → Link a device → Link with phone number instead, then type the code.\n", code, digits)
		show = nil
	}
	if err := whatsapp.FollowQR(ctx, items, report, show); err != nil {
		if errors.Is(err, whatsapp.ErrQRTimeout) {
			return errors.New("no code was used in time; run \"aduan whatsapp pair\" again")
		}
		return err
	}
	fmt.Fprintf(stdout, "Paired as +%s. Start (or restart) \"aduan serve\" with ADUAN_WHATSAPP_TRANSPORT=whatsmeow.\n", cli.Store.ID.User)
	return nil
}

func waStatus(ctx context.Context, stdout io.Writer) error {
	s, err := openWASession(ctx, io.Discard)
	if err != nil {
		return err
	}
	defer s.close()
	dev := s.dev
	if dev.ID == nil {
		fmt.Fprintln(stdout, "WhatsApp: not paired (run \"aduan whatsapp pair\", or scan the QR code on the admin UI's Saluran page)")
	} else {
		fmt.Fprintf(stdout, "WhatsApp: paired as +%s (device %d", dev.ID.User, dev.ID.Device)
		if dev.PushName != "" {
			fmt.Fprintf(stdout, ", name %q", dev.PushName)
		}
		fmt.Fprintln(stdout, ")")
	}
	fmt.Fprintf(stdout, "Transport: %s\n", s.cfg.WhatsApp.Transport)
	if s.bus == nil {
		fmt.Fprintln(stdout, "Session: no running Aduan reachable at "+s.cfg.ClientNATSURL())
		return nil
	}
	if holder, err := s.lease.Current(ctx); err == nil && holder != "" {
		fmt.Fprintf(stdout, "Session held by: %s\n", holder)
	} else if err == nil {
		fmt.Fprintln(stdout, "Session held by: nobody")
	}
	account := ""
	if dev.ID != nil {
		account = dev.ID.User
	}
	if h, ok, err := s.bus.Health(ctx, event.ChannelWhatsApp, account); err == nil && ok {
		fmt.Fprintf(stdout, "State: %s (%s, %s)\n", h.State, h.Detail, wibTime(h.UpdatedAt))
	}
	return nil
}

func waLogout(ctx context.Context, local bool, stdout io.Writer) error {
	s, err := openWASession(ctx, io.Discard)
	if err != nil {
		return err
	}
	defer s.close()
	dev := s.dev
	if dev.ID == nil {
		fmt.Fprintln(stdout, "WhatsApp: not paired; nothing to do")
		return nil
	}
	account := dev.ID.User
	release, err := s.take(ctx)
	if err != nil {
		return err
	}
	defer release()
	if local {
		if err := dev.Delete(ctx); err != nil {
			return fmt.Errorf("deleting the session keys: %w", err)
		}
		fmt.Fprintf(stdout, "Session keys of +%s deleted here. Remove \"%s\" under Linked devices on the phone too.\n", account, s.cfg.WhatsApp.DeviceName)
	} else {
		cli := whatsapp.NewClient(dev, s.log)
		if err := cli.ConnectContext(ctx); err != nil {
			return fmt.Errorf("connecting to WhatsApp (use --local to delete the keys here only): %w", err)
		}
		defer cli.Disconnect()
		if !cli.WaitForConnection(30 * time.Second) {
			return errors.New("WhatsApp did not answer in 30s (use --local to delete the keys here only)")
		}
		if err := cli.Logout(ctx); err != nil {
			return fmt.Errorf("logging out: %w", err)
		}
		fmt.Fprintf(stdout, "Logged out: +%s no longer lists Aduan as a linked device.\n", account)
	}
	s.report(account)(event.HealthNeedsPairing, "logged out with aduan whatsapp logout; pair again", nil)
	return nil
}
