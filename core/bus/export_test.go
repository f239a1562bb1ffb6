package bus

import "time"

// SetHealthEvery changes w's spacing of routine writes (tests).
func SetHealthEvery(w *HealthWriter, d time.Duration) { w.every = d }

// ClientConfig is what another connection needs to reach the same NATS as
// b: its client URL and credentials.
func (b *Bus) ClientConfig() Config {
	c := b.cfg
	return Config{URL: b.ClientURL(), Replicas: c.Replicas, LeaseTTL: c.LeaseTTL, User: c.User, Password: c.Password,
		CredsFile: c.CredsFile, TLSCA: c.TLSCA, TLSCert: c.TLSCert, TLSKey: c.TLSKey}
}
