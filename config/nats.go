package config

import (
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
)

// NATSConfig says how Aduan proves itself to an external NATS server
// (ADUAN_NATS_URL). A user and password or a token go in the URL itself
// (nats://user:password@host:4222); the embedded server's credentials are
// generated (see NATSPassword).
type NATSConfig struct {
	// CredsFile is a NATS .creds file, a user JWT and its NKey seed
	// (ADUAN_NATS_CREDS).
	CredsFile string
	// TLSCA verifies the server's certificate (ADUAN_NATS_TLS_CA); TLSCert
	// and TLSKey are a client certificate for servers that ask for one
	// (ADUAN_NATS_TLS_CERT, ADUAN_NATS_TLS_KEY). All are PEM file paths.
	TLSCA, TLSCert, TLSKey string
	// Replicas is how many servers of an external cluster keep each
	// stream and bucket (ADUAN_NATS_REPLICAS): 3 on a three-node cluster
	// survives the loss of one node. The embedded server is one node: 1.
	Replicas int
}

// Keys of the NATS section.
const (
	KeyNATSCreds    = "ADUAN_NATS_CREDS"
	KeyNATSTLSCA    = "ADUAN_NATS_TLS_CA"
	KeyNATSTLSCert  = "ADUAN_NATS_TLS_CERT"
	KeyNATSTLSKey   = "ADUAN_NATS_TLS_KEY"
	KeyNATSReplicas = "ADUAN_NATS_REPLICAS"
)

// NATSUser is the one user of the embedded NATS server.
const NATSUser = "aduan"

// NATSPassword returns the embedded NATS server's password, kept in
// <data dir>/secrets/nats.password and created there (mode 0600) on first
// use: every role and every command on this data dir uses the same one, and
// nothing else on the machine gets in.
func (c *Config) NATSPassword() (string, error) {
	k, err := loadOrCreateKey(filepath.Join(c.DataDir, "secrets", "nats.password"), "NATS password")
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(k), nil
}

// JetStreamKey returns the key that encrypts the embedded NATS server's
// file store, kept in <data dir>/secrets/jetstream.key and created there
// (mode 0600) on first use. Losing it loses what JetStream holds (messages
// not yet handled, attachments): back it up with the NIK key.
func (c *Config) JetStreamKey() (string, error) {
	k, err := loadOrCreateKey(filepath.Join(c.DataDir, "secrets", "jetstream.key"), "JetStream key")
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(k), nil
}

func pathOption(key, doc string, field func(c *Config) *string) option {
	return option{
		key: key, doc: doc,
		set: func(c *Config, v string) error { *field(c) = v; return nil },
		get: func(c *Config) string { return *field(c) },
	}
}

var natsSection = section{
	options: func() []option {
		return []option{
			pathOption(KeyNATSCreds, "Credentials file (.creds: user JWT and NKey seed) for the external NATS of ADUAN_NATS_URL. A user and password or a token go in the URL. The embedded server needs none: it admits only the password generated in <data dir>/secrets/nats.password.",
				func(c *Config) *string { return &c.NATS.CredsFile }),
			pathOption(KeyNATSTLSCA, "PEM file of the CA that signed the external NATS server's certificate (for tls:// URLs with a private CA).",
				func(c *Config) *string { return &c.NATS.TLSCA }),
			pathOption(KeyNATSTLSCert, "PEM client certificate for an external NATS server that asks for one (with ADUAN_NATS_TLS_KEY).",
				func(c *Config) *string { return &c.NATS.TLSCert }),
			pathOption(KeyNATSTLSKey, "PEM private key of ADUAN_NATS_TLS_CERT.",
				func(c *Config) *string { return &c.NATS.TLSKey }),
			intOption(KeyNATSReplicas, "Servers of the external NATS cluster that keep each stream and bucket (1 to 5; 3 on a three-node cluster survives losing a node). Declared at start; the embedded server takes only 1.",
				1, func(c *Config) *int { return &c.NATS.Replicas }),
		}
	},
	defaults: func(c *Config) { c.NATS.Replicas = 1 },
	validate: func(c *Config) []error {
		var errs []error
		n := c.NATS
		files := []struct{ key, path string }{
			{KeyNATSCreds, n.CredsFile}, {KeyNATSTLSCA, n.TLSCA}, {KeyNATSTLSCert, n.TLSCert}, {KeyNATSTLSKey, n.TLSKey},
		}
		for _, f := range files {
			if f.path == "" {
				continue
			}
			if c.NATSURL == "" {
				errs = append(errs, fmt.Errorf("%s: only for an external NATS server (%s); the embedded one uses its generated password", f.key, KeyNATSURL))
			} else if _, err := os.Stat(f.path); err != nil {
				errs = append(errs, fmt.Errorf("%s: %v", f.key, err))
			}
		}
		if n.Replicas < 1 || n.Replicas > 5 {
			errs = append(errs, fmt.Errorf("%s: must be 1 to 5, got %d", KeyNATSReplicas, n.Replicas))
		} else if n.Replicas > 1 && c.NATSURL == "" {
			errs = append(errs, fmt.Errorf("%s: %d needs an external cluster (%s); the embedded server is a single node", KeyNATSReplicas, n.Replicas, KeyNATSURL))
		}
		if (n.TLSCert == "") != (n.TLSKey == "") {
			errs = append(errs, fmt.Errorf("%s and %s: set both or neither", KeyNATSTLSCert, KeyNATSTLSKey))
		}
		return errs
	},
}
