package config

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// LaporConfig configures the SP4N-LAPOR! adapter: the poller that brings
// reports disposed to the agency in, and the pusher that sends the agency's
// actions back.
type LaporConfig struct {
	// URL is the base URL of the LAPOR! agency API, or of `aduan lapor-sim`
	// (ADUAN_LAPOR_URL). Empty leaves the lapor role idle.
	URL string
	// Token is the agency's static API key (ADUAN_LAPOR_TOKEN). Never log it.
	Token string
	// Agency is the agency's id on LAPOR!, the account of every LAPOR!
	// event (ADUAN_LAPOR_AGENCY).
	Agency string
	// Interval is the pause between two polls (ADUAN_LAPOR_INTERVAL).
	Interval time.Duration
	// PageSize is how many reports one poll request asks for (ADUAN_LAPOR_PAGE_SIZE).
	PageSize int
	// Timeout bounds one HTTP request to LAPOR! (ADUAN_LAPOR_TIMEOUT).
	Timeout time.Duration
	// PushAttempts is how often a push is tried before it goes to the dead
	// letters and the channel shows it to admins (ADUAN_LAPOR_PUSH_ATTEMPTS).
	PushAttempts int
}

// Keys of the LAPOR! section.
const (
	KeyLaporURL          = "ADUAN_LAPOR_URL"
	KeyLaporToken        = "ADUAN_LAPOR_TOKEN"
	KeyLaporAgency       = "ADUAN_LAPOR_AGENCY"
	KeyLaporInterval     = "ADUAN_LAPOR_INTERVAL"
	KeyLaporPageSize     = "ADUAN_LAPOR_PAGE_SIZE"
	KeyLaporTimeout      = "ADUAN_LAPOR_TIMEOUT"
	KeyLaporPushAttempts = "ADUAN_LAPOR_PUSH_ATTEMPTS"
)

// Defaults of the LAPOR! section.
const (
	DefaultLaporAgency       = "dinsos-babel"
	DefaultLaporInterval     = time.Minute
	DefaultLaporPageSize     = 50
	DefaultLaporTimeout      = 30 * time.Second
	DefaultLaporPushAttempts = 12
)

// MinLaporInterval keeps a mistyped interval from hammering LAPOR!.
const MinLaporInterval = time.Second

var laporSection = section{
	options: func() []option {
		return []option{
			{
				key: KeyLaporURL, def: "",
				doc: "Base URL of the SP4N-LAPOR! agency API (or of aduan lapor-sim, e.g. http://127.0.0.1:8090). Empty: LAPOR! sync is off.",
				set: func(c *Config, v string) error { c.Lapor.URL = strings.TrimRight(v, "/"); return nil },
				get: func(c *Config) string { return c.Lapor.URL },
			},
			{
				key: KeyLaporToken, def: "", secret: true,
				doc: "The agency's LAPOR! API key; required with ADUAN_LAPOR_URL.",
				set: func(c *Config, v string) error { c.Lapor.Token = v; return nil },
				get: func(c *Config) string { return c.Lapor.Token },
			},
			{
				key: KeyLaporAgency, def: DefaultLaporAgency,
				doc: "The agency's id on LAPOR!: the account of LAPOR! reports in Aduan.",
				set: func(c *Config, v string) error { c.Lapor.Agency = v; return nil },
				get: func(c *Config) string { return c.Lapor.Agency },
			},
			durationOption(KeyLaporInterval, "Pause between two polls of LAPOR! for reports disposed to the agency or changed (at least 1s).",
				DefaultLaporInterval, func(c *Config) *time.Duration { return &c.Lapor.Interval }),
			intOption(KeyLaporPageSize, "Reports asked for per poll request (1-500).",
				DefaultLaporPageSize, func(c *Config) *int { return &c.Lapor.PageSize }),
			durationOption(KeyLaporTimeout, "Longest one request to LAPOR! may take, attachment downloads included.",
				DefaultLaporTimeout, func(c *Config) *time.Duration { return &c.Lapor.Timeout }),
			intOption(KeyLaporPushAttempts, "Tries of a status or follow-up push before it is dead-lettered and shown to admins.",
				DefaultLaporPushAttempts, func(c *Config) *int { return &c.Lapor.PushAttempts }),
		}
	},
	defaults: func(c *Config) {
		c.Lapor = LaporConfig{
			Agency:       DefaultLaporAgency,
			Interval:     DefaultLaporInterval,
			PageSize:     DefaultLaporPageSize,
			Timeout:      DefaultLaporTimeout,
			PushAttempts: DefaultLaporPushAttempts,
		}
	},
	validate: func(c *Config) []error {
		var errs problems
		bad := errs.add
		l := c.Lapor
		if l.URL != "" {
			if err := checkLaporURL(l.URL); err != nil {
				bad(KeyLaporURL, "%v", err)
			}
			if l.Token == "" {
				bad(KeyLaporToken, "required when %s is set", KeyLaporURL)
			}
		}
		if l.Agency == "" || strings.ContainsAny(l.Agency, " \t\n:") {
			bad(KeyLaporAgency, "%q must be a non-empty id without spaces or colons", l.Agency)
		}
		if l.Interval < MinLaporInterval {
			bad(KeyLaporInterval, "must be at least %s, got %s", MinLaporInterval, l.Interval)
		}
		if l.PageSize < 1 || l.PageSize > 500 {
			bad(KeyLaporPageSize, "must be 1 to 500, got %d", l.PageSize)
		}
		if l.Timeout <= 0 {
			bad(KeyLaporTimeout, "must be positive, got %s", l.Timeout)
		}
		if l.PushAttempts < 1 || l.PushAttempts > 100 {
			bad(KeyLaporPushAttempts, "must be 1 to 100, got %d", l.PushAttempts)
		}
		return errs
	},
}

// checkLaporURL accepts an http:// or https:// URL with a host and no
// credentials (the token travels in a header, never in the URL).
func checkLaporURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return errors.New("not a valid URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%q: want an http:// or https:// URL", u.Redacted())
	}
	if u.Host == "" {
		return fmt.Errorf("%q has no host", u.Redacted())
	}
	if u.User != nil {
		return fmt.Errorf("%q carries credentials; put the key in %s", u.Redacted(), KeyLaporToken)
	}
	return nil
}
