package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// WebConfig configures the admin web UI adapter.
type WebConfig struct {
	// SessionTTL is how long a sign-in lasts at most (ADUAN_WEB_SESSION_TTL).
	SessionTTL time.Duration
	// SessionIdle ends a session unused for this long (ADUAN_WEB_SESSION_IDLE).
	SessionIdle time.Duration
	// CookieSecure is auto, always or never (ADUAN_WEB_COOKIE_SECURE): auto
	// marks cookies Secure when the request came over TLS (directly, or per
	// X-Forwarded-Proto from a trusted proxy).
	CookieSecure string
	// TrustProxy makes the web role believe X-Forwarded-Proto and the
	// right-most X-Forwarded-For entry (ADUAN_WEB_TRUST_PROXY): set it only
	// behind exactly one proxy that appends the caller's address.
	TrustProxy bool
	// LoginMaxFailures failed sign-ins for one user name from one address
	// within LoginWindow block further tries of that pair until the window
	// passes; a user name from all addresses, and an address for all user
	// names, get four times as many, except for pairs that signed in
	// successfully in the last 30 days (ADUAN_WEB_LOGIN_MAX_FAILURES,
	// ADUAN_WEB_LOGIN_WINDOW). See docs/security.md.
	LoginMaxFailures int
	LoginWindow      time.Duration
	// LoginConcurrency bounds the password hashes computed at once, 19 MiB
	// each (ADUAN_WEB_LOGIN_CONCURRENCY); more sign-ins wait their turn.
	LoginConcurrency int
	// WalkinWait bounds how long the walk-in form waits for the core to
	// register the complaint before showing "still processing" (ADUAN_WEB_WALKIN_WAIT).
	WalkinWait time.Duration
}

// Values of ADUAN_WEB_COOKIE_SECURE.
const (
	CookieSecureAuto   = "auto"
	CookieSecureAlways = "always"
	CookieSecureNever  = "never"
)

// Keys of the web section.
const (
	KeyWebSessionTTL       = "ADUAN_WEB_SESSION_TTL"
	KeyWebSessionIdle      = "ADUAN_WEB_SESSION_IDLE"
	KeyWebCookieSecure     = "ADUAN_WEB_COOKIE_SECURE"
	KeyWebTrustProxy       = "ADUAN_WEB_TRUST_PROXY"
	KeyWebLoginMaxFailures = "ADUAN_WEB_LOGIN_MAX_FAILURES"
	KeyWebLoginWindow      = "ADUAN_WEB_LOGIN_WINDOW"
	KeyWebLoginConcurrency = "ADUAN_WEB_LOGIN_CONCURRENCY"
	KeyWebWalkinWait       = "ADUAN_WEB_WALKIN_WAIT"
)

// Defaults of the web section.
const (
	DefaultWebSessionTTL       = 12 * time.Hour
	DefaultWebSessionIdle      = 2 * time.Hour
	DefaultWebLoginMaxFailures = 5
	DefaultWebLoginWindow      = 15 * time.Minute
	DefaultWebLoginConcurrency = 4
	DefaultWebWalkinWait       = 10 * time.Second
)

var webSection = section{
	options: func() []option {
		return []option{
			durationOption(KeyWebSessionTTL, "Longest a sign-in to the admin inbox lasts (Go duration or seconds).",
				DefaultWebSessionTTL, func(c *Config) *time.Duration { return &c.Web.SessionTTL }),
			durationOption(KeyWebSessionIdle, "A session unused this long ends; the officer signs in again.",
				DefaultWebSessionIdle, func(c *Config) *time.Duration { return &c.Web.SessionIdle }),
			{
				key: KeyWebCookieSecure, def: CookieSecureAuto,
				doc: "Secure flag of the session cookie: auto (when the request came over HTTPS), always, or never.",
				set: func(c *Config, v string) error { c.Web.CookieSecure = strings.ToLower(v); return nil },
				get: func(c *Config) string { return c.Web.CookieSecure },
			},
			boolOption(KeyWebTrustProxy, "Believe X-Forwarded-Proto and the right-most X-Forwarded-For entry (true only behind exactly one reverse proxy that appends it).",
				false, func(c *Config) *bool { return &c.Web.TrustProxy }),
			{
				key: KeyWebLoginMaxFailures, def: strconv.Itoa(DefaultWebLoginMaxFailures),
				doc: "Failed sign-ins for one user name from one address within the window before that pair is refused (a user name, or an address, gets four times as many over pairs not signed in before).",
				set: func(c *Config, v string) error {
					n, err := strconv.Atoi(v)
					if err != nil {
						return fmt.Errorf("%q is not a whole number", v)
					}
					c.Web.LoginMaxFailures = n
					return nil
				},
				get: func(c *Config) string { return strconv.Itoa(c.Web.LoginMaxFailures) },
			},
			durationOption(KeyWebLoginWindow, "Window over which failed sign-ins are counted.",
				DefaultWebLoginWindow, func(c *Config) *time.Duration { return &c.Web.LoginWindow }),
			intOption(KeyWebLoginConcurrency, "Password hashes computed at once (19 MiB each); further sign-ins wait up to 15 seconds, then get 503.",
				DefaultWebLoginConcurrency, func(c *Config) *int { return &c.Web.LoginConcurrency }),
			durationOption(KeyWebWalkinWait, "How long the walk-in form waits for the ticket before showing that the report is still being processed.",
				DefaultWebWalkinWait, func(c *Config) *time.Duration { return &c.Web.WalkinWait }),
		}
	},
	defaults: func(c *Config) {
		c.Web = WebConfig{
			SessionTTL:       DefaultWebSessionTTL,
			SessionIdle:      DefaultWebSessionIdle,
			CookieSecure:     CookieSecureAuto,
			LoginMaxFailures: DefaultWebLoginMaxFailures,
			LoginWindow:      DefaultWebLoginWindow,
			LoginConcurrency: DefaultWebLoginConcurrency,
			WalkinWait:       DefaultWebWalkinWait,
		}
	},
	validate: func(c *Config) []error {
		var errs []error
		w := c.Web
		positive := map[string]time.Duration{
			KeyWebSessionTTL: w.SessionTTL, KeyWebSessionIdle: w.SessionIdle,
			KeyWebLoginWindow: w.LoginWindow, KeyWebWalkinWait: w.WalkinWait,
		}
		for _, key := range []string{KeyWebSessionTTL, KeyWebSessionIdle, KeyWebLoginWindow, KeyWebWalkinWait} {
			if positive[key] <= 0 {
				errs = append(errs, fmt.Errorf("%s: must be positive, got %s", key, positive[key]))
			}
		}
		if w.SessionIdle > w.SessionTTL {
			errs = append(errs, fmt.Errorf("%s: %s is longer than %s (%s)", KeyWebSessionIdle, w.SessionIdle, KeyWebSessionTTL, w.SessionTTL))
		}
		switch w.CookieSecure {
		case CookieSecureAuto, CookieSecureAlways, CookieSecureNever:
		default:
			errs = append(errs, fmt.Errorf("%s: %q is not auto, always or never", KeyWebCookieSecure, w.CookieSecure))
		}
		if w.LoginMaxFailures < 1 {
			errs = append(errs, fmt.Errorf("%s: must be at least 1, got %d", KeyWebLoginMaxFailures, w.LoginMaxFailures))
		}
		if w.LoginConcurrency < 1 {
			errs = append(errs, fmt.Errorf("%s: must be at least 1, got %d", KeyWebLoginConcurrency, w.LoginConcurrency))
		}
		return errs
	},
}
