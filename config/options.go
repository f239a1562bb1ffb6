package config

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/identity"
)

// The environment keys. Secret keys also have a _FILE variant.
const (
	KeyDatabaseURL      = "ADUAN_DATABASE_URL"
	KeyNATSURL          = "ADUAN_NATS_URL"
	KeyNATSListen       = "ADUAN_NATS_LISTEN"
	KeyDataDir          = "ADUAN_DATA_DIR"
	KeyHTTPAddr         = "ADUAN_HTTP_ADDR"
	KeyLogLevel         = "ADUAN_LOG_LEVEL"
	KeyLogFormat        = "ADUAN_LOG_FORMAT"
	KeyTemplatesDir     = "ADUAN_TEMPLATES_DIR"
	KeyHolidaysDir      = "ADUAN_HOLIDAYS_DIR"
	KeyTicketPrefix     = "ADUAN_TICKET_PREFIX"
	KeyNIKKey           = "ADUAN_NIK_KEY"
	KeyRoles            = "ADUAN_ROLES"
	KeyShutdownTimeout  = "ADUAN_SHUTDOWN_TIMEOUT"
	KeyRetentionDays    = "ADUAN_RETENTION_DAYS"
	KeyIntakePartitions = "ADUAN_INTAKE_PARTITIONS"

	// KeyRequiredFieldsPrefix is followed by the channel name in upper case,
	// e.g. ADUAN_REQUIRED_FIELDS_WHATSAPP.
	KeyRequiredFieldsPrefix = "ADUAN_REQUIRED_FIELDS_"
)

// Keys read by the deploy scripts and test helpers, not by Config; listed so
// UnknownKeys does not report them.
const (
	KeyTestDatabaseURL = "ADUAN_TEST_DATABASE_URL"
	KeyPGPort          = "ADUAN_PG_PORT"
)

// option is one row of the configuration table: it drives loading,
// documentation and the redacted dump.
type option struct {
	key    string
	def    string // the default as documented
	secret bool   // has a _FILE variant; value redacted in Settings
	doc    string
	set    func(c *Config, v string) error // v is trimmed and not empty
	get    func(c *Config) string
}

// options is the table of every key, in the order documentation shows them.
var options = buildOptions()

func buildOptions() []option {
	opts := []option{
		{
			key: KeyDatabaseURL, def: DefaultDatabaseURL, secret: true,
			doc: "PostgreSQL connection URL (or key=value string). The database is created if missing.",
			set: func(c *Config, v string) error { c.DatabaseURL = v; return nil },
			get: func(c *Config) string { return c.DatabaseURL },
		},
		{
			key: KeyNATSURL, def: "", secret: true,
			doc: "External NATS server or cluster (comma-separated nats:// URLs). Empty: run the embedded server.",
			set: func(c *Config, v string) error { c.NATSURL = v; return nil },
			get: func(c *Config) string { return c.NATSURL },
		},
		{
			key: KeyNATSListen, def: DefaultNATSListen,
			doc: "Client address (host:port) of the embedded NATS server; 4223 so it never clashes with a system NATS on 4222.",
			set: func(c *Config, v string) error { c.NATSListen = v; return nil },
			get: func(c *Config) string { return c.NATSListen },
		},
		{
			key: KeyDataDir, def: DefaultDataDir,
			doc: "Local state: embedded NATS files (jetstream/, encrypted), generated secrets mode 0600 (secrets/: the NIK key, the embedded NATS password and JetStream key; back them up), the private PostgreSQL of deploy/postgres.sh (postgres/).",
			set: func(c *Config, v string) error { c.DataDir = v; return nil },
			get: func(c *Config) string { return c.DataDir },
		},
		{
			key: KeyHTTPAddr, def: DefaultHTTPAddr,
			doc: "Address (host:port) of the web server: admin UI, webhooks, walk-in form.",
			set: func(c *Config, v string) error { c.HTTPAddr = v; return nil },
			get: func(c *Config) string { return c.HTTPAddr },
		},
		{
			key: KeyLogLevel, def: DefaultLogLevel,
			doc: "Log level: debug, info, warn or error.",
			set: func(c *Config, v string) error { c.LogLevel = strings.ToLower(v); return nil },
			get: func(c *Config) string { return c.LogLevel },
		},
		{
			key: KeyLogFormat, def: "console on a terminal, else json",
			doc: "Log format: console (human-readable) or json.",
			set: func(c *Config, v string) error { c.LogFormat = strings.ToLower(v); return nil },
			get: func(c *Config) string { return c.LogFormat },
		},
		{
			key: KeyTemplatesDir, def: "",
			doc: "Folder of reply templates overriding the built-in ones (same file names). Empty: built-in only.",
			set: func(c *Config, v string) error { c.TemplatesDir = v; return nil },
			get: func(c *Config) string { return c.TemplatesDir },
		},
		{
			key: KeyHolidaysDir, def: "<data dir>/holidays",
			doc: "Folder of holiday year files (2027.txt, ...; docs/calendar.md) adding years to the built-in working-day calendar or replacing one. A missing default folder means built-in years only.",
			set: func(c *Config, v string) error { c.HolidaysDir = v; return nil },
			get: func(c *Config) string { return c.HolidaysDir },
		},
		{
			key: KeyTicketPrefix, def: DefaultTicketPrefix,
			doc: "Prefix of complaint ticket numbers: 1-10 upper-case letters or digits, starting with a letter.",
			set: func(c *Config, v string) error { c.TicketPrefix = v; return nil },
			get: func(c *Config) string { return c.TicketPrefix },
		},
	}
	for _, ch := range event.Channels {
		opts = append(opts, option{
			key: KeyRequiredFieldsPrefix + strings.ToUpper(string(ch)), def: join(identity.Fields, ","),
			doc: fmt.Sprintf("Identity fields a reporter on %s must give (some of %s, or none).", ch, join(identity.Fields, ",")),
			set: func(c *Config, v string) error {
				f, err := ParseFields(v)
				if err != nil {
					return err
				}
				c.RequiredFields[ch] = f
				return nil
			},
			get: func(c *Config) string {
				f := c.Required(ch)
				if len(f) == 0 {
					return "none"
				}
				return join(f, ",")
			},
		})
	}
	opts = append(opts,
		option{
			key: KeyNIKKey, def: "generated in <data dir>/secrets/nik.key", secret: true,
			doc: "Key encrypting NIKs at rest and keying their look-up hash: 32 bytes as 64 hex digits or base64. Losing it makes stored NIKs unreadable: back it up. The database records a check value of its key; any other key is refused at start.",
			set: func(c *Config, v string) error { c.NIKKeyEncoded = v; return nil },
			get: func(c *Config) string { return c.NIKKeyEncoded },
		},
		option{
			key: KeyRoles, def: "all",
			doc: "Parts this process runs: all, or a comma list of " + strings.Join(Roles, ",") + ". aduan serve --roles overrides it.",
			set: func(c *Config, v string) error {
				r, err := ParseRoles(v)
				if err != nil {
					return err
				}
				c.Roles = r
				return nil
			},
			get: func(c *Config) string {
				if slices.Equal(c.Roles, Roles) {
					return "all"
				}
				return strings.Join(c.Roles, ",")
			},
		},
		option{
			key: KeyShutdownTimeout, def: DefaultShutdownTimeout.String(),
			doc: "How long a graceful shutdown may take before work in flight is abandoned (Go duration or seconds).",
			set: func(c *Config, v string) error {
				d, err := parseDuration(v)
				if err != nil {
					return err
				}
				c.ShutdownTimeout = d
				return nil
			},
			get: func(c *Config) string { return c.ShutdownTimeout.String() },
		},
		option{
			key: KeyRetentionDays, def: strconv.Itoa(DefaultRetentionDays),
			doc: "Retention period in days (docs/privacy.md): a complaint archived (diarsipkan) that long ago loses the reporter's messages and files (KTP photos and others), a reporter with no open complaint and no activity that long is anonymised, rejected input that old is deleted; 0 keeps everything.",
			set: func(c *Config, v string) error {
				n, err := strconv.Atoi(v)
				if err != nil || n < 0 {
					return fmt.Errorf("%q is not a number of days (0 or more)", v)
				}
				c.RetentionDays = n
				return nil
			},
			get: func(c *Config) string { return strconv.Itoa(c.RetentionDays) },
		},
		option{
			key: KeyIntakePartitions, def: strconv.Itoa(DefaultIntakePartitions),
			doc: "Partitions of the INBOUND stream (1 to 256): each conversation's messages are handled in order within its partition, partitions in parallel, shared among the core processes. Use the same value in every process; lower it only once INBOUND is drained.",
			set: func(c *Config, v string) error {
				n, err := strconv.Atoi(v)
				if err != nil || n < 1 || n > 256 {
					return fmt.Errorf("%q is not a number of partitions (1 to 256)", v)
				}
				c.IntakePartitions = n
				return nil
			},
			get: func(c *Config) string { return strconv.Itoa(c.IntakePartitions) },
		},
	)
	for _, s := range sections {
		if s.options != nil {
			opts = append(opts, s.options()...)
		}
	}
	return opts
}

// Doc describes one environment key.
type Doc struct {
	// Key is the environment variable, e.g. ADUAN_HTTP_ADDR.
	Key string
	// Default is the value used when the key is unset or empty, as text
	// (empty when the default is "nothing").
	Default string
	// Secret is true when the key may instead be read from a file named by
	// Key+"_FILE", and its value is never shown.
	Secret bool
	// Description says what the key does.
	Description string
}

// Document returns a description of every key in documentation order, for
// aduan serve --help and the README.
func Document() []Doc {
	docs := make([]Doc, len(options))
	for i, o := range options {
		docs[i] = Doc{Key: o.key, Default: o.def, Secret: o.secret, Description: o.doc}
	}
	return docs
}

// WriteHelp writes every key with its default and meaning as plain text,
// for a command's --help output.
func WriteHelp(w io.Writer) error {
	var b strings.Builder
	b.WriteString("Environment (secrets may instead be read from the file named by KEY_FILE):\n")
	for _, d := range Document() {
		b.WriteString("  " + d.Key)
		if d.Secret {
			b.WriteString(", " + d.Key + "_FILE")
		}
		b.WriteString("\n      " + d.Description + "\n")
		def := d.Default
		if def == "" {
			def = "(empty)"
		}
		b.WriteString("      default: " + def + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Setting is one key with its effective value.
type Setting struct {
	Key string
	// Value is the effective value; a set secret shows as "[redacted]".
	Value string
	// Default is true when Value is the key's default.
	Default bool
}

// Redacted is what Settings shows instead of a secret's value.
const Redacted = "[redacted]"

// Settings lists every key with its effective value, secrets redacted: what
// String prints.
func (c *Config) Settings() []Setting {
	def := defaults(c.LogFormat == LogFormatConsole)
	out := make([]Setting, 0, len(options))
	for _, o := range options {
		v := o.get(c)
		s := Setting{Key: o.key, Value: v, Default: v == o.get(def)}
		if o.secret && v != "" {
			s.Value = Redacted
		}
		out = append(out, s)
	}
	return out
}

// String lists the settings as KEY=value lines, secrets redacted, so a
// Config printed by mistake leaks nothing.
func (c *Config) String() string {
	var b strings.Builder
	for _, s := range c.Settings() {
		b.WriteString(s.Key + "=" + s.Value + "\n")
	}
	return b.String()
}

// UnknownKeys returns the ADUAN_* variables in environ (as os.Environ gives
// it) that no part of Aduan reads, sorted: most likely typing mistakes,
// worth a warning at start-up.
func UnknownKeys(environ []string) []string {
	known := map[string]bool{KeyTestDatabaseURL: true, KeyPGPort: true}
	for _, o := range options {
		known[o.key] = true
		if o.secret {
			known[o.key+"_FILE"] = true
		}
	}
	var out []string
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "ADUAN_") && !known[k] {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
