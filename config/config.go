// Package config holds Aduan's configuration: one typed struct read from
// ADUAN_* environment variables, with defaults that run out of the box.
//
// Secrets (the database URL, the NATS URL, the NIK key) may instead be read
// from a file named by the same key with a _FILE suffix, for Docker and
// Kubernetes secrets. Setting both the key and its _FILE variant is an error.
//
// Every key is described in one table (see Document), which drives loading,
// the help text and the README, so they cannot drift apart.
//
// Channel names and identity field codes are the typed values of core/event
// and core/identity (leaf packages with no I/O), parsed once here from the
// environment.
package config

import (
	"errors"
	"fmt"
	"maps"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/identity"
)

// Config is Aduan's whole configuration. Build it with Load or LoadFrom; a
// Config built by hand (in tests) should be checked with Validate.
// Pass it explicitly: there is no global configuration.
type Config struct {
	// DatabaseURL is the PostgreSQL connection string (ADUAN_DATABASE_URL),
	// a postgres:// URL or a key=value string. The store creates the
	// database if it is missing.
	DatabaseURL string

	// NATSURL is the address of an external NATS server or cluster
	// (ADUAN_NATS_URL; a comma-separated list for a cluster). Empty means
	// Aduan runs an embedded NATS server listening on NATSListen.
	NATSURL string

	// NATSListen is the client address (host:port) of the embedded NATS
	// server (ADUAN_NATS_LISTEN). Unused when NATSURL is set.
	NATSListen string

	// DataDir is where Aduan keeps local state (ADUAN_DATA_DIR): the embedded
	// NATS server's files under jetstream/, the generated NIK key under
	// secrets/, and the private PostgreSQL of deploy/postgres.sh under
	// postgres/.
	DataDir string

	// HTTPAddr is where the web server listens (ADUAN_HTTP_ADDR), host:port.
	HTTPAddr string

	// LogLevel is one of debug, info, warn, error (ADUAN_LOG_LEVEL).
	LogLevel string

	// LogFormat is console (human-readable) or json (ADUAN_LOG_FORMAT).
	LogFormat string

	// TemplatesDir, when not empty, is a folder whose files override the
	// built-in reply templates (ADUAN_TEMPLATES_DIR).
	TemplatesDir string

	// HolidaysDir is a folder of holiday year files for the working-day
	// calendar (ADUAN_HOLIDAYS_DIR). Empty means <DataDir>/holidays, which
	// may be missing; use HolidaysPath.
	HolidaysDir string

	// TicketPrefix starts every complaint's ticket number, e.g. "ADU"
	// (ADUAN_TICKET_PREFIX): 1 to 10 upper-case letters and digits,
	// starting with a letter.
	TicketPrefix string

	// RequiredFields maps a channel to the identity fields a reporter on
	// that channel must give, in checklist order
	// (ADUAN_REQUIRED_FIELDS_<CHANNEL>). Load fills every channel; use
	// Required to read it.
	RequiredFields map[event.Channel][]identity.Field

	// NIKKeyEncoded is the NIK encryption key as configured (ADUAN_NIK_KEY):
	// 32 bytes written as 64 hex digits or in base64. Empty means a key
	// generated once under DataDir (see NIKKey). Never log it.
	NIKKeyEncoded string

	// Roles lists the parts this process runs (ADUAN_ROLES), a subset of
	// Roles in canonical order.
	Roles []string

	// ShutdownTimeout bounds a graceful shutdown (ADUAN_SHUTDOWN_TIMEOUT).
	ShutdownTimeout time.Duration

	// RetentionDays is the retention period (ADUAN_RETENTION_DAYS): after
	// it, an archived complaint's messages and files, an idle reporter's
	// identity and old rejected input are erased; 0 keeps them.
	RetentionDays int

	// IntakePartitions is how many partitions INBOUND is split into
	// (ADUAN_INTAKE_PARTITIONS): a conversation's messages stay in order
	// within its partition, and the partitions are handled in parallel and
	// shared among the core processes.
	IntakePartitions int

	// NATS holds the credentials and TLS files for an external NATS.
	NATS NATSConfig

	// Per-adapter sections, each defined (with its keys) in its own file.
	Meta     MetaConfig
	WhatsApp WhatsAppConfig
	Lapor    LaporConfig
	Web      WebConfig

	// Office is the letterhead of the documents Aduan issues.
	Office OfficeConfig
}

// The roles a process can run (ADUAN_ROLES, aduan serve --roles).
const (
	RoleWeb      = "web"
	RoleCore     = "core"
	RoleMeta     = "meta"
	RoleWhatsApp = "whatsapp"
	RoleLapor    = "lapor"
)

// Roles lists every role in canonical order; "all" stands for all of them.
var Roles = []string{RoleWeb, RoleCore, RoleMeta, RoleWhatsApp, RoleLapor}

// The log levels and formats Aduan accepts.
const (
	LogFormatConsole = "console"
	LogFormatJSON    = "json"
)

// LogLevels lists the accepted values of ADUAN_LOG_LEVEL.
var LogLevels = []string{"debug", "info", "warn", "error"}

// Load reads the configuration from the process environment and validates it.
// Console logging is the default when stderr is a terminal.
func Load() (*Config, error) {
	return LoadFrom(os.Getenv, StderrIsTerminal())
}

// LoadFrom reads the configuration through getenv (os.Getenv, or a map in
// tests) and validates it. stderrTerminal chooses the default log format:
// console when true, json otherwise. Files named by _FILE keys are read from
// the file system.
//
// The error, if any, lists every problem found, one per line, each starting
// with the key at fault.
func LoadFrom(getenv func(string) string, stderrTerminal bool) (*Config, error) {
	c := defaults(stderrTerminal)
	var errs []error
	for _, o := range options {
		v, err := lookup(getenv, o)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if v == "" {
			continue // unset or empty: keep the default
		}
		if err := o.set(c, v); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", o.key, err))
		}
	}
	if err := c.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c, nil
}

// defaults returns the configuration used when no key is set.
func defaults(stderrTerminal bool) *Config {
	c := &Config{
		DatabaseURL:      DefaultDatabaseURL,
		NATSListen:       DefaultNATSListen,
		DataDir:          DefaultDataDir,
		HTTPAddr:         DefaultHTTPAddr,
		LogLevel:         DefaultLogLevel,
		LogFormat:        LogFormatJSON,
		TicketPrefix:     DefaultTicketPrefix,
		RequiredFields:   make(map[event.Channel][]identity.Field, len(event.Channels)),
		Roles:            slices.Clone(Roles),
		ShutdownTimeout:  DefaultShutdownTimeout,
		RetentionDays:    DefaultRetentionDays,
		IntakePartitions: DefaultIntakePartitions,
	}
	if stderrTerminal {
		c.LogFormat = LogFormatConsole
	}
	for _, ch := range event.Channels {
		c.RequiredFields[ch] = slices.Clone(identity.Fields)
	}
	for _, s := range sections {
		if s.defaults != nil {
			s.defaults(c)
		}
	}
	return c
}

// Defaults of the keys that have a fixed one.
const (
	DefaultDatabaseURL      = "postgres://postgres@127.0.0.1:5432/aduan?sslmode=disable"
	DefaultNATSListen       = "127.0.0.1:4223"
	DefaultRetentionDays    = 365
	DefaultIntakePartitions = 8
	DefaultDataDir          = "./data"
	DefaultHTTPAddr         = "127.0.0.1:8080"
	DefaultLogLevel         = "info"
	DefaultTicketPrefix     = "ADU"
	DefaultShutdownTimeout  = 15 * time.Second
)

// lookup returns the value of o's key, or for a secret the trimmed content
// of the file named by its _FILE variant. Both set is an error.
func lookup(getenv func(string) string, o option) (string, error) {
	v := strings.TrimSpace(getenv(o.key))
	if !o.secret {
		return v, nil
	}
	fileKey := o.key + "_FILE"
	path := strings.TrimSpace(getenv(fileKey))
	if path == "" {
		return v, nil
	}
	if v != "" {
		return "", fmt.Errorf("%s and %s are both set; set only one", o.key, fileKey)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("%s: %w", fileKey, err)
	}
	v = strings.TrimSpace(string(b))
	if v == "" {
		return "", fmt.Errorf("%s: file %s is empty", fileKey, path)
	}
	return v, nil
}

// StderrIsTerminal reports whether the process's standard error is a
// terminal (a character device), which makes console logging the default.
func StderrIsTerminal() bool {
	fi, err := os.Stderr.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

var ticketPrefixRE = regexp.MustCompile(`^[A-Z][A-Z0-9]{0,9}$`)

// Validate checks every field and returns all problems found, joined, one
// per line, each naming the environment key at fault. Secret values are
// never repeated in the messages.
func (c *Config) Validate() error {
	var errs problems
	bad := errs.add

	if err := checkDatabaseURL(c.DatabaseURL); err != nil {
		bad(KeyDatabaseURL, "%v", err)
	}
	if c.NATSURL != "" {
		if err := checkNATSURL(c.NATSURL); err != nil {
			bad(KeyNATSURL, "%v", err)
		}
	}
	if err := checkHostPort(c.NATSListen); err != nil {
		bad(KeyNATSListen, "%v", err)
	}
	if err := checkHostPort(c.HTTPAddr); err != nil {
		bad(KeyHTTPAddr, "%v", err)
	}
	if strings.TrimSpace(c.DataDir) == "" {
		bad(KeyDataDir, "must not be empty")
	} else if fi, err := os.Stat(c.DataDir); err == nil && !fi.IsDir() {
		bad(KeyDataDir, "%q is not a directory", c.DataDir)
	}
	if !slices.Contains(LogLevels, c.LogLevel) {
		bad(KeyLogLevel, "%q is not a log level (want debug, info, warn or error)", c.LogLevel)
	}
	if c.LogFormat != LogFormatConsole && c.LogFormat != LogFormatJSON {
		bad(KeyLogFormat, "%q is not a log format (want console or json)", c.LogFormat)
	}
	errs.optionalDir(KeyTemplatesDir, c.TemplatesDir)
	errs.optionalDir(KeyHolidaysDir, c.HolidaysDir)
	if !ticketPrefixRE.MatchString(c.TicketPrefix) {
		bad(KeyTicketPrefix, "%q must be 1 to 10 upper-case letters or digits, starting with a letter", c.TicketPrefix)
	}
	for _, ch := range slices.Sorted(maps.Keys(c.RequiredFields)) {
		key := KeyRequiredFieldsPrefix + strings.ToUpper(string(ch))
		if !ch.Valid() {
			bad(key, "%q is not a channel (want one of %s)", ch, join(event.Channels, ", "))
			continue
		}
		for _, f := range c.RequiredFields[ch] {
			if !slices.Contains(identity.Fields, f) {
				bad(key, "%q is not a field (want some of %s, or none)", f, join(identity.Fields, ","))
			}
		}
	}
	if c.NIKKeyEncoded != "" {
		if _, err := parseNIKKey(c.NIKKeyEncoded); err != nil {
			bad(KeyNIKKey, "%v", err)
		}
	}
	if len(c.Roles) == 0 {
		bad(KeyRoles, "no role given (want all, or some of %s)", strings.Join(Roles, ","))
	}
	for _, r := range c.Roles {
		if !slices.Contains(Roles, r) {
			bad(KeyRoles, "%q is not a role (want all, or some of %s)", r, strings.Join(Roles, ","))
		}
	}
	if c.ShutdownTimeout <= 0 {
		bad(KeyShutdownTimeout, "must be positive, got %s", c.ShutdownTimeout)
	}
	for _, s := range sections {
		if s.validate != nil {
			errs = append(errs, s.validate(c)...)
		}
	}
	return errors.Join(errs...)
}

// checkDatabaseURL accepts a postgres:// or postgresql:// URL, or a libpq
// key=value string. The value is a secret and is never quoted back.
func checkDatabaseURL(s string) error {
	if s == "" {
		return errors.New("must not be empty")
	}
	if strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://") {
		if _, err := url.Parse(s); err != nil {
			return errors.New("not a valid URL (value not shown: it may hold a password)")
		}
		return nil
	}
	if strings.Contains(s, "=") && !strings.Contains(s, "://") {
		return nil // key=value connection string, parsed by pgx
	}
	return errors.New("want a postgres:// URL or a key=value connection string (value not shown: it may hold a password)")
}

// checkNATSURL accepts a comma-separated list of nats://, tls://, ws:// or
// wss:// URLs with a host.
func checkNATSURL(s string) error {
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		u, err := url.Parse(part)
		if err != nil {
			return errors.New("not a valid URL (value not shown: it may hold credentials)")
		}
		switch u.Scheme {
		case "nats", "tls", "ws", "wss":
		default:
			return fmt.Errorf("%q: want a nats://, tls://, ws:// or wss:// URL", u.Redacted())
		}
		if u.Host == "" {
			return fmt.Errorf("%q has no host", u.Redacted())
		}
	}
	return nil
}

// checkHostPort accepts host:port with a numeric port (0 picks a free port).
// The host may be empty (all interfaces), an IP address or a name.
func checkHostPort(s string) error {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return fmt.Errorf("%q is not host:port", s)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("%q is not host:port (port must be a number 0-65535)", s)
	}
	if strings.ContainsAny(host, " /\\@") {
		return fmt.Errorf("%q is not host:port (bad host)", s)
	}
	return nil
}

// EmbeddedNATS reports whether Aduan runs its own NATS server, that is
// whether ADUAN_NATS_URL is empty.
func (c *Config) EmbeddedNATS() bool { return c.NATSURL == "" }

// ClientNATSURL is the URL a client (a CLI command, another process) uses to
// reach this installation's NATS: NATSURL when set, otherwise the embedded
// server's listen address as nats://host:port, with a wildcard host
// (empty, 0.0.0.0, ::) replaced by 127.0.0.1.
func (c *Config) ClientNATSURL() string {
	if c.NATSURL != "" {
		return c.NATSURL
	}
	host, port, err := net.SplitHostPort(c.NATSListen)
	if err != nil {
		return "nats://" + c.NATSListen
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return "nats://" + net.JoinHostPort(host, port)
}

// HolidaysPath is the folder of holiday year files: HolidaysDir, or
// holidays/ under DataDir when that is not set.
func (c *Config) HolidaysPath() string {
	if c.HolidaysDir != "" {
		return c.HolidaysDir
	}
	return filepath.Join(c.DataDir, "holidays")
}

// Required returns the identity fields a reporter on channel ch must give,
// in checklist order: all of identity.Fields for a channel RequiredFields
// lacks.
func (c *Config) Required(ch event.Channel) []identity.Field {
	if f, ok := c.RequiredFields[ch]; ok {
		return slices.Clone(f)
	}
	return slices.Clone(identity.Fields)
}

// ParseRoles parses a comma-separated role list such as "web,core" or
// "all" (also for aduan serve --roles) into roles in canonical order,
// without duplicates.
func ParseRoles(s string) ([]string, error) {
	seen := map[string]bool{}
	for part := range strings.SplitSeq(s, ",") {
		r := strings.ToLower(strings.TrimSpace(part))
		switch {
		case r == "":
		case r == "all":
			for _, x := range Roles {
				seen[x] = true
			}
		case slices.Contains(Roles, r):
			seen[r] = true
		default:
			return nil, fmt.Errorf("%q is not a role (want all, or some of %s)", r, strings.Join(Roles, ","))
		}
	}
	var out []string
	for _, r := range Roles {
		if seen[r] {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no role given (want all, or some of %s)", strings.Join(Roles, ","))
	}
	return out, nil
}

// ParseFields parses a comma-separated list of identity field codes such as
// "nama,nik,isi_aduan" into checklist order without duplicates. "none"
// gives an empty list: nothing is required.
func ParseFields(s string) ([]identity.Field, error) {
	if strings.EqualFold(strings.TrimSpace(s), "none") {
		return []identity.Field{}, nil
	}
	seen := map[identity.Field]bool{}
	for part := range strings.SplitSeq(s, ",") {
		f := identity.Field(strings.ToLower(strings.TrimSpace(part)))
		if f == "" {
			continue
		}
		if !slices.Contains(identity.Fields, f) {
			return nil, fmt.Errorf("%q is not a field (want some of %s, or none)", f, join(identity.Fields, ","))
		}
		seen[f] = true
	}
	out := []identity.Field{}
	for _, f := range identity.Fields {
		if seen[f] {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no field given (write none to require nothing)")
	}
	return out, nil
}

// join writes typed codes as a separated list.
func join[T ~string](codes []T, sep string) string {
	s := make([]string, len(codes))
	for i, c := range codes {
		s[i] = string(c)
	}
	return strings.Join(s, sep)
}

// parseDuration accepts a Go duration ("15s", "1m30s") or whole seconds.
func parseDuration(s string) (time.Duration, error) {
	if d, err := time.ParseDuration(s); err == nil {
		return d, nil
	}
	if n, err := strconv.Atoi(s); err == nil {
		return time.Duration(n) * time.Second, nil
	}
	return 0, fmt.Errorf("%q is not a duration (e.g. 15s, 1m)", s)
}
