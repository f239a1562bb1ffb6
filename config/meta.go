package config

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// MetaConfig configures the Facebook Messenger and Instagram adapter: the
// webhook Meta calls at /webhooks/meta and the Graph API replies go through.
type MetaConfig struct {
	// Pages maps each Facebook page id or Instagram account id Aduan answers
	// for to its access token (ADUAN_META_PAGES). Empty leaves the meta role
	// idle. Never log a token.
	Pages map[string]string
	// AppSecret is the Meta app's secret (ADUAN_META_APP_SECRET): it checks
	// the signature of every webhook and signs Graph calls (appsecret_proof).
	AppSecret string
	// VerifyToken is the word Meta echoes when the webhook is subscribed
	// (ADUAN_META_VERIFY_TOKEN).
	VerifyToken string
	// GraphURL is the Graph API's base URL with a trailing slash
	// (ADUAN_META_GRAPH_URL); tests point it at a local fake.
	GraphURL string
	// GraphVersion is the Graph API version, e.g. v23.0 (ADUAN_META_GRAPH_VERSION).
	GraphVersion string
	// GraphTimeout bounds one Graph API call (ADUAN_META_GRAPH_TIMEOUT).
	GraphTimeout time.Duration
	// MaxAttachmentSize is the largest file fetched from Meta's CDN, in
	// bytes (ADUAN_META_MAX_ATTACHMENT_SIZE).
	MaxAttachmentSize int64
	// DownloadTimeout bounds one attachment download (ADUAN_META_DOWNLOAD_TIMEOUT).
	DownloadTimeout time.Duration
	// SendAttempts is how often a reply is tried on rate limits and
	// transient errors before it is marked failed (ADUAN_META_SEND_ATTEMPTS).
	SendAttempts int
	// ProfileLookup asks the Graph API once for each new sender's name
	// (ADUAN_META_PROFILE_LOOKUP).
	ProfileLookup bool
	// FetchAllowPrivate lets attachment downloads reach addresses that are
	// not public (ADUAN_FETCH_ALLOW_PRIVATE): loopback, private, link-local.
	// Off, a signed payload cannot make Aduan fetch from the office network
	// or a cloud metadata service. The WhatsApp Cloud API's downloads
	// follow it too.
	FetchAllowPrivate bool
}

// Keys of the Meta section.
const (
	KeyMetaPages             = "ADUAN_META_PAGES"
	KeyMetaAppSecret         = "ADUAN_META_APP_SECRET"
	KeyMetaVerifyToken       = "ADUAN_META_VERIFY_TOKEN"
	KeyMetaGraphURL          = "ADUAN_META_GRAPH_URL"
	KeyMetaGraphVersion      = "ADUAN_META_GRAPH_VERSION"
	KeyMetaGraphTimeout      = "ADUAN_META_GRAPH_TIMEOUT"
	KeyMetaMaxAttachmentSize = "ADUAN_META_MAX_ATTACHMENT_SIZE"
	KeyMetaDownloadTimeout   = "ADUAN_META_DOWNLOAD_TIMEOUT"
	KeyMetaSendAttempts      = "ADUAN_META_SEND_ATTEMPTS"
	KeyMetaProfileLookup     = "ADUAN_META_PROFILE_LOOKUP"
	KeyFetchAllowPrivate     = "ADUAN_FETCH_ALLOW_PRIVATE"
)

// Defaults of the Meta section.
const (
	DefaultMetaGraphURL          = "https://graph.facebook.com/"
	DefaultMetaGraphVersion      = "v23.0"
	DefaultMetaGraphTimeout      = 20 * time.Second
	DefaultMetaMaxAttachmentSize = 25 << 20 // Messenger's own limit
	DefaultMetaDownloadTimeout   = time.Minute
	DefaultMetaSendAttempts      = 8
)

// MaxMetaAttachmentSize caps ADUAN_META_MAX_ATTACHMENT_SIZE: files travel
// through the NATS object store, and Meta sends nothing larger.
const MaxMetaAttachmentSize = 100 << 20

var (
	metaAccountRE = regexp.MustCompile(`^[0-9]{1,32}$`)
	metaVersionRE = regexp.MustCompile(`^v[0-9]{1,3}\.[0-9]{1,2}$`)
)

// ParseMetaPages reads ADUAN_META_PAGES: comma-separated ACCOUNT_ID=ACCESS_TOKEN
// pairs. Errors never repeat a token.
func ParseMetaPages(s string) (map[string]string, error) {
	out := map[string]string{}
	for i, pair := range strings.Split(s, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		id, token, ok := strings.Cut(pair, "=")
		id, token = strings.TrimSpace(id), strings.TrimSpace(token)
		switch {
		case !ok || token == "":
			return nil, fmt.Errorf("entry %d: want ACCOUNT_ID=ACCESS_TOKEN", i+1)
		case !metaAccountRE.MatchString(id):
			return nil, fmt.Errorf("entry %d: account id %q is not a numeric page or Instagram account id", i+1, id)
		case out[id] != "":
			return nil, fmt.Errorf("entry %d: account %s given twice", i+1, id)
		}
		out[id] = token
	}
	if len(out) == 0 {
		return nil, errors.New("no ACCOUNT_ID=ACCESS_TOKEN pair")
	}
	return out, nil
}

// MetaAccounts returns the configured page and Instagram account ids, sorted.
func (c *Config) MetaAccounts() []string {
	ids := make([]string, 0, len(c.Meta.Pages))
	for id := range c.Meta.Pages {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

var metaSection = section{
	options: func() []option {
		return []option{
			{
				key: KeyMetaPages, def: "", secret: true,
				doc: "Facebook pages and Instagram accounts answered: comma-separated ACCOUNT_ID=ACCESS_TOKEN pairs (page id or Instagram account id). Empty: the meta role is idle.",
				set: func(c *Config, v string) error {
					p, err := ParseMetaPages(v)
					if err != nil {
						return err
					}
					c.Meta.Pages = p
					return nil
				},
				get: func(c *Config) string {
					pairs := make([]string, 0, len(c.Meta.Pages))
					for _, id := range c.MetaAccounts() {
						pairs = append(pairs, id+"="+c.Meta.Pages[id])
					}
					return strings.Join(pairs, ",")
				},
			},
			{
				key: KeyMetaAppSecret, def: "", secret: true,
				doc: "Secret of the Meta app: checks the X-Hub-Signature-256 of webhooks and signs Graph API calls. Required with ADUAN_META_PAGES.",
				set: func(c *Config, v string) error { c.Meta.AppSecret = v; return nil },
				get: func(c *Config) string { return c.Meta.AppSecret },
			},
			{
				key: KeyMetaVerifyToken, def: "", secret: true,
				doc: "Verify token typed into the Meta app's webhook settings; /webhooks/meta answers the subscription check only with it. Required with ADUAN_META_PAGES.",
				set: func(c *Config, v string) error { c.Meta.VerifyToken = v; return nil },
				get: func(c *Config) string { return c.Meta.VerifyToken },
			},
			{
				key: KeyMetaGraphURL, def: DefaultMetaGraphURL,
				doc: "Base URL of the Graph API (tests and the dev fake point it elsewhere).",
				set: func(c *Config, v string) error { c.Meta.GraphURL = strings.TrimRight(v, "/") + "/"; return nil },
				get: func(c *Config) string { return c.Meta.GraphURL },
			},
			{
				key: KeyMetaGraphVersion, def: DefaultMetaGraphVersion,
				doc: "Graph API version used for replies and profile look-ups, e.g. v23.0.",
				set: func(c *Config, v string) error { c.Meta.GraphVersion = v; return nil },
				get: func(c *Config) string { return c.Meta.GraphVersion },
			},
			durationOption(KeyMetaGraphTimeout, "Longest one Graph API call may take.",
				DefaultMetaGraphTimeout, func(c *Config) *time.Duration { return &c.Meta.GraphTimeout }),
			{
				key: KeyMetaMaxAttachmentSize, def: strconv.Itoa(DefaultMetaMaxAttachmentSize),
				doc: "Largest attachment fetched from Meta's CDN, in bytes; a larger one reaches the inbox as a message saying so.",
				set: func(c *Config, v string) error {
					n, err := strconv.ParseInt(v, 10, 64)
					if err != nil {
						return fmt.Errorf("%q is not a whole number of bytes", v)
					}
					c.Meta.MaxAttachmentSize = n
					return nil
				},
				get: func(c *Config) string { return strconv.FormatInt(c.Meta.MaxAttachmentSize, 10) },
			},
			durationOption(KeyMetaDownloadTimeout, "Longest one attachment download from Meta's CDN may take.",
				DefaultMetaDownloadTimeout, func(c *Config) *time.Duration { return &c.Meta.DownloadTimeout }),
			{
				key: KeyMetaSendAttempts, def: strconv.Itoa(DefaultMetaSendAttempts),
				doc: "Tries of a reply on Graph API rate limits and transient errors before it is marked failed (1-50).",
				set: func(c *Config, v string) error {
					n, err := strconv.Atoi(v)
					if err != nil {
						return fmt.Errorf("%q is not a whole number", v)
					}
					c.Meta.SendAttempts = n
					return nil
				},
				get: func(c *Config) string { return strconv.Itoa(c.Meta.SendAttempts) },
			},
			boolOption(KeyMetaProfileLookup, "Ask the Graph API once for each new sender's profile name (true or false).",
				true, func(c *Config) *bool { return &c.Meta.ProfileLookup }),
			boolOption(KeyFetchAllowPrivate, "Let attachment downloads (Messenger, Instagram, WhatsApp Cloud API) reach loopback, private and link-local addresses: only for tests and closed networks.",
				false, func(c *Config) *bool { return &c.Meta.FetchAllowPrivate }),
		}
	},
	defaults: func(c *Config) {
		c.Meta = MetaConfig{
			GraphURL:          DefaultMetaGraphURL,
			GraphVersion:      DefaultMetaGraphVersion,
			GraphTimeout:      DefaultMetaGraphTimeout,
			MaxAttachmentSize: DefaultMetaMaxAttachmentSize,
			DownloadTimeout:   DefaultMetaDownloadTimeout,
			SendAttempts:      DefaultMetaSendAttempts,
			ProfileLookup:     true,
		}
	},
	validate: func(c *Config) []error {
		var errs problems
		bad := errs.add
		m := c.Meta
		if len(m.Pages) > 0 {
			if m.AppSecret == "" {
				bad(KeyMetaAppSecret, "required when %s is set", KeyMetaPages)
			}
			if m.VerifyToken == "" {
				bad(KeyMetaVerifyToken, "required when %s is set", KeyMetaPages)
			}
		}
		if err := checkGraphURL(m.GraphURL); err != nil {
			bad(KeyMetaGraphURL, "%v", err)
		}
		if !metaVersionRE.MatchString(m.GraphVersion) {
			bad(KeyMetaGraphVersion, "%q is not a Graph API version like %s", m.GraphVersion, DefaultMetaGraphVersion)
		}
		if m.GraphTimeout <= 0 {
			bad(KeyMetaGraphTimeout, "must be positive, got %s", m.GraphTimeout)
		}
		if m.MaxAttachmentSize < 1024 || m.MaxAttachmentSize > MaxMetaAttachmentSize {
			bad(KeyMetaMaxAttachmentSize, "must be 1024 to %d bytes, got %d", MaxMetaAttachmentSize, m.MaxAttachmentSize)
		}
		if m.DownloadTimeout <= 0 {
			bad(KeyMetaDownloadTimeout, "must be positive, got %s", m.DownloadTimeout)
		}
		if m.SendAttempts < 1 || m.SendAttempts > 50 {
			bad(KeyMetaSendAttempts, "must be 1 to 50, got %d", m.SendAttempts)
		}
		return errs
	},
}

// checkGraphURL accepts an http:// or https:// URL with a host, no
// credentials and no query.
func checkGraphURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return errors.New("not a valid URL")
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("%q: want an http:// or https:// URL", u.Redacted())
	case u.Host == "":
		return fmt.Errorf("%q has no host", u.Redacted())
	case u.User != nil:
		return fmt.Errorf("%q carries credentials; tokens go in %s", u.Redacted(), KeyMetaPages)
	case u.RawQuery != "" || u.Fragment != "":
		return fmt.Errorf("%q: want a base URL without query or fragment", u.Redacted())
	}
	return nil
}
