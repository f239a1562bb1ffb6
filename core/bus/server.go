package bus

import (
	"fmt"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/rs/zerolog"
	"golang.org/x/crypto/bcrypt"
)

// startServer runs a single-node nats-server with JetStream on cfg.DataDir and
// waits until it accepts clients.
func startServer(cfg Config, log zerolog.Logger) (*server.Server, error) {
	host, port, err := splitListen(cfg.Listen)
	if err != nil {
		return nil, err
	}
	// The server keeps a bcrypt hash of the password, not the password (it
	// warns at every start otherwise). The password is 256 random bits, so
	// the lowest cost is enough and keeps each connect cheap.
	hash, err := bcrypt.GenerateFromPassword([]byte(cfg.Password), bcrypt.MinCost)
	if err != nil {
		return nil, fmt.Errorf("hashing the embedded nats server's password: %w", err)
	}
	ns, err := server.NewServer(&server.Options{
		ServerName: "aduan",
		Host:       host,
		Port:       port,
		JetStream:  true,
		// Nobody else: INBOUND holds NIKs, the object store KTP photos, and
		// whoever may publish could forge citizens' messages.
		Username: cfg.User,
		Password: string(hash),
		// Citizens' words and KTP photos stay unreadable on a stolen disk
		// or backup without the key (kept in the data dir's secrets).
		JetStreamKey:    cfg.StoreKey,
		JetStreamCipher: server.AES,
		// The server adds "jetstream" itself.
		StoreDir: cfg.DataDir,
		// The process owns signal handling, not the library.
		NoSigs: true,
	})
	if err != nil {
		return nil, fmt.Errorf("configuring embedded nats server: %w", err)
	}
	ns.SetLoggerV2(serverLogger{log.With().Str("comp", "nats").Logger()}, false, false, false)
	// Start enables JetStream (recovering the file store) before it returns.
	ns.Start()
	if !ns.JetStreamEnabled() {
		ns.Shutdown()
		return nil, fmt.Errorf("embedded nats server: jetstream did not start on %s (see the nats log; is another server using this directory?)", cfg.DataDir)
	}
	// The listener is opened within Start too, so a short wait suffices; a
	// failure (address in use) would otherwise wait forever.
	if !ns.ReadyForConnections(5 * time.Second) {
		ns.Shutdown()
		return nil, fmt.Errorf("embedded nats server: not accepting clients on %s (address in use?)", cfg.Listen)
	}
	return ns, nil
}

// serverLogger sends the embedded server's log to zerolog. Fatal becomes an
// error: the default logger would exit the process, which a library must not.
type serverLogger struct{ log zerolog.Logger }

// Notices (the start-up banner, listen addresses) are debug detail for Aduan.
func (l serverLogger) Noticef(format string, v ...any) { l.log.Debug().Msgf(format, v...) }
func (l serverLogger) Warnf(format string, v ...any)   { l.log.Warn().Msgf(format, v...) }
func (l serverLogger) Fatalf(format string, v ...any)  { l.log.Error().Msgf(format, v...) }
func (l serverLogger) Errorf(format string, v ...any)  { l.log.Error().Msgf(format, v...) }
func (l serverLogger) Debugf(format string, v ...any)  { l.log.Debug().Msgf(format, v...) }
func (l serverLogger) Tracef(format string, v ...any)  { l.log.Trace().Msgf(format, v...) }
