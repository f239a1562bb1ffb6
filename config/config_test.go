package config_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/config"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/identity"
)

// env turns a map into a getenv function.
func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// refused fails t unless the configuration in m is refused with an error
// naming key, and repeating none of the non-empty secrets.
func refused(t *testing.T, m map[string]string, key string, secrets ...string) {
	t.Helper()
	_, err := config.LoadFrom(env(m), false)
	if err == nil {
		t.Fatal("accepted")
	}
	if !strings.Contains(err.Error(), key+": ") {
		t.Fatalf("error does not name %s: %v", key, err)
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(err.Error(), s) {
			t.Fatalf("error repeats a secret: %v", err)
		}
	}
}

// writeFile writes content to a new file in a temporary folder and returns its path.
func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const (
	hexKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	b64Key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
)

func keyBytes() []byte {
	k := make([]byte, 32)
	for i := range k {
		k[i] = byte(i)
	}
	return k
}

func TestDefaults(t *testing.T) {
	c, err := config.LoadFrom(env(nil), false)
	if err != nil {
		t.Fatalf("LoadFrom with no keys: %v", err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"DatabaseURL", c.DatabaseURL, "postgres://postgres@127.0.0.1:5432/aduan?sslmode=disable"},
		{"NATSURL", c.NATSURL, ""},
		{"NATSListen", c.NATSListen, "127.0.0.1:4223"},
		{"DataDir", c.DataDir, "./data"},
		{"HTTPAddr", c.HTTPAddr, "127.0.0.1:8080"},
		{"LogLevel", c.LogLevel, "info"},
		{"LogFormat", c.LogFormat, "json"},
		{"TemplatesDir", c.TemplatesDir, ""},
		{"HolidaysPath", c.HolidaysPath(), "data/holidays"},
		{"TicketPrefix", c.TicketPrefix, "ADU"},
		{"NIKKeyEncoded", c.NIKKeyEncoded, ""},
		{"Roles", strings.Join(c.Roles, ","), "web,core,meta,whatsapp,lapor"},
		{"ShutdownTimeout", c.ShutdownTimeout, 15 * time.Second},
		{"IntakePartitions", c.IntakePartitions, 8},
		{"EmbeddedNATS", c.EmbeddedNATS(), true},
		{"ClientNATSURL", c.ClientNATSURL(), "nats://127.0.0.1:4223"},
	}
	for _, ch := range event.Channels {
		checks = append(checks, struct {
			name      string
			got, want any
		}{"Required(" + string(ch) + ")", fmt.Sprint(c.Required(ch)), "[nama nik alamat telepon foto_ktp isi_aduan]"})
	}
	for _, tc := range checks {
		if tc.got != tc.want {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}

	term, err := config.LoadFrom(env(nil), true)
	if err != nil {
		t.Fatal(err)
	}
	if term.LogFormat != "console" {
		t.Errorf("LogFormat on a terminal = %q, want console", term.LogFormat)
	}
}

func TestOverrides(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name  string
		env   map[string]string
		check func(*config.Config) (got, want any)
	}{
		{"database url", map[string]string{"ADUAN_DATABASE_URL": "postgres://u:p@db:5432/x"},
			func(c *config.Config) (any, any) { return c.DatabaseURL, "postgres://u:p@db:5432/x" }},
		{"database key=value", map[string]string{"ADUAN_DATABASE_URL": "host=/run/postgresql dbname=aduan"},
			func(c *config.Config) (any, any) { return c.DatabaseURL, "host=/run/postgresql dbname=aduan" }},
		{"value is trimmed", map[string]string{"ADUAN_HTTP_ADDR": "  0.0.0.0:9000\n"},
			func(c *config.Config) (any, any) { return c.HTTPAddr, "0.0.0.0:9000" }},
		{"empty value keeps default", map[string]string{"ADUAN_HTTP_ADDR": ""},
			func(c *config.Config) (any, any) { return c.HTTPAddr, "127.0.0.1:8080" }},
		{"external nats", map[string]string{"ADUAN_NATS_URL": "nats://a:4222,nats://b:4222"},
			func(c *config.Config) (any, any) { return c.ClientNATSURL(), "nats://a:4222,nats://b:4222" }},
		{"external nats is not embedded", map[string]string{"ADUAN_NATS_URL": "tls://nats.example:4222"},
			func(c *config.Config) (any, any) { return c.EmbeddedNATS(), false }},
		{"nats listen", map[string]string{"ADUAN_NATS_LISTEN": "127.0.0.1:14222"},
			func(c *config.Config) (any, any) { return c.ClientNATSURL(), "nats://127.0.0.1:14222" }},
		{"nats listen on all interfaces", map[string]string{"ADUAN_NATS_LISTEN": "0.0.0.0:4223"},
			func(c *config.Config) (any, any) { return c.ClientNATSURL(), "nats://127.0.0.1:4223" }},
		{"nats listen ipv6", map[string]string{"ADUAN_NATS_LISTEN": "[::1]:4223"},
			func(c *config.Config) (any, any) { return c.ClientNATSURL(), "nats://[::1]:4223" }},
		{"data dir", map[string]string{"ADUAN_DATA_DIR": "/var/lib/aduan"},
			func(c *config.Config) (any, any) { return c.DataDir, "/var/lib/aduan" }},
		{"log level upper case", map[string]string{"ADUAN_LOG_LEVEL": "DEBUG"},
			func(c *config.Config) (any, any) { return c.LogLevel, "debug" }},
		{"log format", map[string]string{"ADUAN_LOG_FORMAT": "console"},
			func(c *config.Config) (any, any) { return c.LogFormat, "console" }},
		{"templates dir", map[string]string{"ADUAN_TEMPLATES_DIR": dir},
			func(c *config.Config) (any, any) { return c.TemplatesDir, dir }},
		{"holidays dir", map[string]string{"ADUAN_HOLIDAYS_DIR": dir},
			func(c *config.Config) (any, any) { return c.HolidaysPath(), dir }},
		{"holidays under the data dir", map[string]string{"ADUAN_DATA_DIR": "/var/lib/aduan"},
			func(c *config.Config) (any, any) { return c.HolidaysPath(), "/var/lib/aduan/holidays" }},
		{"ticket prefix", map[string]string{"ADUAN_TICKET_PREFIX": "DINSOS1"},
			func(c *config.Config) (any, any) { return c.TicketPrefix, "DINSOS1" }},
		{"required fields in checklist order", map[string]string{"ADUAN_REQUIRED_FIELDS_WHATSAPP": "isi_aduan, NAMA,nik,nama"},
			func(c *config.Config) (any, any) {
				return fmt.Sprint(c.Required(event.ChannelWhatsApp)), "[nama nik isi_aduan]"
			}},
		{"required fields of one channel leave others", map[string]string{"ADUAN_REQUIRED_FIELDS_WALKIN": "nama"},
			func(c *config.Config) (any, any) { return len(c.Required(event.ChannelLapor)), 6 }},
		{"required none", map[string]string{"ADUAN_REQUIRED_FIELDS_LAPOR": "none"},
			func(c *config.Config) (any, any) { return len(c.Required(event.ChannelLapor)), 0 }},
		{"nik key hex", map[string]string{"ADUAN_NIK_KEY": hexKey},
			func(c *config.Config) (any, any) { return c.NIKKeyEncoded, hexKey }},
		{"roles", map[string]string{"ADUAN_ROLES": "lapor, web,web"},
			func(c *config.Config) (any, any) { return strings.Join(c.Roles, ","), "web,lapor" }},
		{"roles all", map[string]string{"ADUAN_ROLES": "ALL"},
			func(c *config.Config) (any, any) { return len(c.Roles), 5 }},
		{"has role", map[string]string{"ADUAN_ROLES": "core"},
			func(c *config.Config) (any, any) {
				return slices.Contains(c.Roles, "core") && !slices.Contains(c.Roles, "web"), true
			}},
		{"shutdown duration", map[string]string{"ADUAN_SHUTDOWN_TIMEOUT": "1m30s"},
			func(c *config.Config) (any, any) { return c.ShutdownTimeout, 90 * time.Second }},
		{"shutdown seconds", map[string]string{"ADUAN_SHUTDOWN_TIMEOUT": "5"},
			func(c *config.Config) (any, any) { return c.ShutdownTimeout, 5 * time.Second }},
		{"intake partitions", map[string]string{"ADUAN_INTAKE_PARTITIONS": "32"},
			func(c *config.Config) (any, any) { return c.IntakePartitions, 32 }},
		{"http port 0", map[string]string{"ADUAN_HTTP_ADDR": "127.0.0.1:0"},
			func(c *config.Config) (any, any) { return c.HTTPAddr, "127.0.0.1:0" }},
		{"http all interfaces", map[string]string{"ADUAN_HTTP_ADDR": ":8080"},
			func(c *config.Config) (any, any) { return c.HTTPAddr, ":8080" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := config.LoadFrom(env(tc.env), false)
			if err != nil {
				t.Fatalf("LoadFrom: %v", err)
			}
			if got, want := tc.check(c); got != want {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

func TestFileVariants(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		check   func(*config.Config) (got, want any)
		wantErr string
	}{
		{name: "database url from file, trimmed",
			env:   map[string]string{"ADUAN_DATABASE_URL_FILE": writeFile(t, "  postgres://u:s3cret@db/aduan\n")},
			check: func(c *config.Config) (any, any) { return c.DatabaseURL, "postgres://u:s3cret@db/aduan" }},
		{name: "nats url from file",
			env:   map[string]string{"ADUAN_NATS_URL_FILE": writeFile(t, "nats://user:pw@nats:4222\n")},
			check: func(c *config.Config) (any, any) { return c.NATSURL, "nats://user:pw@nats:4222" }},
		{name: "nik key from file",
			env:   map[string]string{"ADUAN_NIK_KEY_FILE": writeFile(t, b64Key+"\n")},
			check: func(c *config.Config) (any, any) { return c.NIKKeyEncoded, b64Key }},
		{name: "both set",
			env:     map[string]string{"ADUAN_DATABASE_URL": "postgres://a/b", "ADUAN_DATABASE_URL_FILE": writeFile(t, "postgres://c/d")},
			wantErr: "ADUAN_DATABASE_URL and ADUAN_DATABASE_URL_FILE are both set; set only one"},
		{name: "both set nik key",
			env:     map[string]string{"ADUAN_NIK_KEY": hexKey, "ADUAN_NIK_KEY_FILE": writeFile(t, hexKey)},
			wantErr: "ADUAN_NIK_KEY and ADUAN_NIK_KEY_FILE are both set"},
		{name: "missing file",
			env:     map[string]string{"ADUAN_NATS_URL_FILE": "/nonexistent/aduan/nats-url"},
			wantErr: "ADUAN_NATS_URL_FILE: open /nonexistent/aduan/nats-url"},
		{name: "empty file",
			env:     map[string]string{"ADUAN_NIK_KEY_FILE": writeFile(t, " \n")},
			wantErr: "ADUAN_NIK_KEY_FILE: file"},
		{name: "_FILE of a non-secret key is ignored",
			env:   map[string]string{"ADUAN_HTTP_ADDR_FILE": "/nonexistent"},
			check: func(c *config.Config) (any, any) { return c.HTTPAddr, "127.0.0.1:8080" }},
		{name: "wrong key in file",
			env:     map[string]string{"ADUAN_NIK_KEY_FILE": writeFile(t, "abcd")},
			wantErr: "ADUAN_NIK_KEY: key is 4 hex digits, want 64"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := config.LoadFrom(env(tc.env), false)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("LoadFrom: %v", err)
			}
			if got, want := tc.check(c); got != want {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

func TestInvalid(t *testing.T) {
	notDir := writeFile(t, "x")
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string
	}{
		{"http addr without port", map[string]string{"ADUAN_HTTP_ADDR": "abc"}, `ADUAN_HTTP_ADDR: "abc" is not host:port`},
		{"http addr named port", map[string]string{"ADUAN_HTTP_ADDR": "localhost:http"}, `ADUAN_HTTP_ADDR: "localhost:http" is not host:port (port must be a number 0-65535)`},
		{"http addr port too big", map[string]string{"ADUAN_HTTP_ADDR": "127.0.0.1:70000"}, `port must be a number 0-65535`},
		{"nats listen", map[string]string{"ADUAN_NATS_LISTEN": "4223"}, `ADUAN_NATS_LISTEN: "4223" is not host:port`},
		{"nats url scheme", map[string]string{"ADUAN_NATS_URL": "http://nats:4222"}, `ADUAN_NATS_URL: "http://nats:4222": want a nats://, tls://, ws:// or wss:// URL`},
		{"nats url without host", map[string]string{"ADUAN_NATS_URL": "nats://"}, `ADUAN_NATS_URL: "nats:" has no host`},
		{"database url", map[string]string{"ADUAN_DATABASE_URL": "mysql://root@db/aduan"}, `ADUAN_DATABASE_URL: want a postgres:// URL or a key=value connection string`},
		{"log level", map[string]string{"ADUAN_LOG_LEVEL": "verbose"}, `ADUAN_LOG_LEVEL: "verbose" is not a log level (want debug, info, warn or error)`},
		{"log format", map[string]string{"ADUAN_LOG_FORMAT": "logfmt"}, `ADUAN_LOG_FORMAT: "logfmt" is not a log format (want console or json)`},
		{"templates dir missing", map[string]string{"ADUAN_TEMPLATES_DIR": "/nonexistent/templates"}, `ADUAN_TEMPLATES_DIR: stat /nonexistent/templates`},
		{"templates dir is a file", map[string]string{"ADUAN_TEMPLATES_DIR": notDir}, `is not a directory`},
		{"holidays dir missing", map[string]string{"ADUAN_HOLIDAYS_DIR": "/nonexistent/holidays"}, `ADUAN_HOLIDAYS_DIR: stat /nonexistent/holidays`},
		{"holidays dir is a file", map[string]string{"ADUAN_HOLIDAYS_DIR": notDir}, `ADUAN_HOLIDAYS_DIR: "` + notDir + `" is not a directory`},
		{"data dir is a file", map[string]string{"ADUAN_DATA_DIR": notDir}, `ADUAN_DATA_DIR: "` + notDir + `" is not a directory`},
		{"ticket prefix lower case", map[string]string{"ADUAN_TICKET_PREFIX": "adu"}, `ADUAN_TICKET_PREFIX: "adu" must be 1 to 10 upper-case letters or digits, starting with a letter`},
		{"ticket prefix too long", map[string]string{"ADUAN_TICKET_PREFIX": "ABCDEFGHIJK"}, `ADUAN_TICKET_PREFIX`},
		{"unknown field", map[string]string{"ADUAN_REQUIRED_FIELDS_WHATSAPP": "nama,ktp"}, `ADUAN_REQUIRED_FIELDS_WHATSAPP: "ktp" is not a field (want some of nama,nik,alamat,telepon,foto_ktp,isi_aduan, or none)`},
		{"no field", map[string]string{"ADUAN_REQUIRED_FIELDS_MESSENGER": ", ,"}, `ADUAN_REQUIRED_FIELDS_MESSENGER: no field given (write none to require nothing)`},
		{"nik key too short", map[string]string{"ADUAN_NIK_KEY": "00112233"}, `ADUAN_NIK_KEY: key is 8 hex digits, want 64`},
		{"nik key base64 wrong length", map[string]string{"ADUAN_NIK_KEY": "c2hvcnQga2V5"}, `ADUAN_NIK_KEY: key is 9 bytes, want 32`},
		{"nik key garbage", map[string]string{"ADUAN_NIK_KEY": "not a key!"}, `ADUAN_NIK_KEY: key is neither hex nor base64`},
		{"unknown role", map[string]string{"ADUAN_ROLES": "web,sms"}, `ADUAN_ROLES: "sms" is not a role (want all, or some of web,core,meta,whatsapp,lapor)`},
		{"no role", map[string]string{"ADUAN_ROLES": ","}, `ADUAN_ROLES: no role given`},
		{"shutdown not a duration", map[string]string{"ADUAN_SHUTDOWN_TIMEOUT": "soon"}, `ADUAN_SHUTDOWN_TIMEOUT: "soon" is not a duration (e.g. 15s, 1m)`},
		{"shutdown zero", map[string]string{"ADUAN_SHUTDOWN_TIMEOUT": "0s"}, `ADUAN_SHUTDOWN_TIMEOUT: must be positive, got 0s`},
		{"no intake partitions", map[string]string{"ADUAN_INTAKE_PARTITIONS": "0"}, `ADUAN_INTAKE_PARTITIONS: "0" is not a number of partitions (1 to 256)`},
		{"nats creds for the embedded server", map[string]string{"ADUAN_NATS_CREDS": notDir}, `ADUAN_NATS_CREDS: only for an external NATS server (ADUAN_NATS_URL)`},
		{"nats creds missing", map[string]string{"ADUAN_NATS_URL": "nats://n:4222", "ADUAN_NATS_CREDS": "/nonexistent/a.creds"}, `ADUAN_NATS_CREDS: stat /nonexistent/a.creds`},
		{"nats client cert without key", map[string]string{"ADUAN_NATS_URL": "tls://n:4222", "ADUAN_NATS_TLS_CERT": notDir}, `ADUAN_NATS_TLS_CERT and ADUAN_NATS_TLS_KEY: set both or neither`},
		{"nats replicas on the embedded server", map[string]string{"ADUAN_NATS_REPLICAS": "3"}, `ADUAN_NATS_REPLICAS: 3 needs an external cluster (ADUAN_NATS_URL)`},
		{"nats replicas out of range", map[string]string{"ADUAN_NATS_URL": "nats://n:4222", "ADUAN_NATS_REPLICAS": "7"}, `ADUAN_NATS_REPLICAS: must be 1 to 5, got 7`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := config.LoadFrom(env(tc.env), false)
			if err == nil {
				t.Fatalf("LoadFrom succeeded (%+v), want error %q", c, tc.wantErr)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error = %q\nwant it to contain %q", err, tc.wantErr)
			}
			if c != nil {
				t.Errorf("LoadFrom returned a config with its error")
			}
		})
	}
}

func TestAllErrorsReported(t *testing.T) {
	_, err := config.LoadFrom(env(map[string]string{
		"ADUAN_HTTP_ADDR":        "abc",
		"ADUAN_LOG_LEVEL":        "loud",
		"ADUAN_SHUTDOWN_TIMEOUT": "later",
	}), false)
	if err == nil {
		t.Fatal("want an error")
	}
	for _, key := range []string{"ADUAN_HTTP_ADDR", "ADUAN_LOG_LEVEL", "ADUAN_SHUTDOWN_TIMEOUT"} {
		if !strings.Contains(err.Error(), key+": ") {
			t.Errorf("error does not mention %s:\n%v", key, err)
		}
	}
	if n := strings.Count(err.Error(), "\n") + 1; n != 3 {
		t.Errorf("error has %d lines, want 3:\n%v", n, err)
	}
}

func TestSecretsNotShown(t *testing.T) {
	const password = "hunter2secret"
	tests := []struct {
		name string
		env  map[string]string
	}{
		{"database url", map[string]string{"ADUAN_DATABASE_URL": "mysql://root:" + password + "@db/x"}},
		{"database url unparsable", map[string]string{"ADUAN_DATABASE_URL": "postgres://root:" + password + "@db:port/x"}},
		{"nats url", map[string]string{"ADUAN_NATS_URL": "http://u:" + password + "@nats"}},
		{"nik key", map[string]string{"ADUAN_NIK_KEY": password + "0000"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := config.LoadFrom(env(tc.env), false)
			if err == nil {
				t.Fatal("want an error")
			}
			if strings.Contains(err.Error(), password) {
				t.Errorf("error shows the secret: %v", err)
			}
		})
	}

	c, err := config.LoadFrom(env(map[string]string{
		"ADUAN_DATABASE_URL": "postgres://u:" + password + "@db/x",
		"ADUAN_NATS_URL":     "nats://u:" + password + "@nats:4222",
		"ADUAN_NIK_KEY":      hexKey,
	}), false)
	if err != nil {
		t.Fatal(err)
	}
	s := c.String()
	for _, secret := range []string{password, hexKey} {
		if strings.Contains(s, secret) {
			t.Errorf("String() shows a secret:\n%s", s)
		}
	}
	if !strings.Contains(s, "ADUAN_DATABASE_URL=[redacted]\n") {
		t.Errorf("String() does not redact the database URL:\n%s", s)
	}
}

func TestSettings(t *testing.T) {
	c, err := config.LoadFrom(env(map[string]string{"ADUAN_HTTP_ADDR": ":9999", "ADUAN_REQUIRED_FIELDS_LAPOR": "none"}), false)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]config.Setting{}
	for _, s := range c.Settings() {
		got[s.Key] = s
	}
	if len(got) != len(config.Document()) {
		t.Errorf("%d settings for %d documented keys", len(got), len(config.Document()))
	}
	for key, want := range map[string]config.Setting{
		"ADUAN_HTTP_ADDR":             {Key: "ADUAN_HTTP_ADDR", Value: ":9999"},
		"ADUAN_LOG_LEVEL":             {Key: "ADUAN_LOG_LEVEL", Value: "info", Default: true},
		"ADUAN_REQUIRED_FIELDS_LAPOR": {Key: "ADUAN_REQUIRED_FIELDS_LAPOR", Value: "none"},
		"ADUAN_ROLES":                 {Key: "ADUAN_ROLES", Value: "all", Default: true},
		"ADUAN_DATABASE_URL":          {Key: "ADUAN_DATABASE_URL", Value: "[redacted]", Default: true},
		"ADUAN_NIK_KEY":               {Key: "ADUAN_NIK_KEY", Value: "", Default: true},
	} {
		if got[key] != want {
			t.Errorf("setting %s = %+v, want %+v", key, got[key], want)
		}
	}
}

// TestDocumentedDefaults checks that every documented fixed default is the
// value LoadFrom uses when nothing is set.
func TestDocumentedDefaults(t *testing.T) {
	c, err := config.LoadFrom(env(nil), false)
	if err != nil {
		t.Fatal(err)
	}
	values := map[string]string{}
	for _, s := range c.Settings() {
		values[s.Key] = s.Value
	}
	computed := map[string]bool{"ADUAN_LOG_FORMAT": true, "ADUAN_NIK_KEY": true, "ADUAN_DATABASE_URL": true, "ADUAN_HOLIDAYS_DIR": true}
	seen := map[string]bool{}
	for _, d := range config.Document() {
		if seen[d.Key] {
			t.Errorf("%s documented twice", d.Key)
		}
		seen[d.Key] = true
		if !strings.HasPrefix(d.Key, "ADUAN_") || d.Description == "" {
			t.Errorf("bad doc entry %+v", d)
		}
		if computed[d.Key] {
			continue
		}
		if values[d.Key] != d.Default {
			t.Errorf("%s: documented default %q, loaded %q", d.Key, d.Default, values[d.Key])
		}
	}
	if c.DatabaseURL != documented(t, "ADUAN_DATABASE_URL") {
		t.Errorf("database URL default %q is not the documented one", c.DatabaseURL)
	}
	for _, ch := range event.Channels {
		if !seen["ADUAN_REQUIRED_FIELDS_"+strings.ToUpper(string(ch))] {
			t.Errorf("no doc for the required fields of %s", ch)
		}
	}
}

func documented(t *testing.T, key string) string {
	t.Helper()
	for _, d := range config.Document() {
		if d.Key == key {
			return d.Default
		}
	}
	t.Fatalf("%s not documented", key)
	return ""
}

func TestWriteHelpAndMarkdown(t *testing.T) {
	var help, md strings.Builder
	if err := config.WriteHelp(&help); err != nil {
		t.Fatal(err)
	}
	if err := config.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	for _, d := range config.Document() {
		if !strings.Contains(help.String(), "  "+d.Key) {
			t.Errorf("help lacks %s", d.Key)
		}
		if !strings.Contains(md.String(), "| `"+d.Key+"`") {
			t.Errorf("markdown lacks %s", d.Key)
		}
		if d.Secret && !strings.Contains(help.String(), d.Key+"_FILE") {
			t.Errorf("help lacks %s_FILE", d.Key)
		}
	}
	if !strings.Contains(help.String(), "default: postgres://postgres@127.0.0.1:5432/aduan?sslmode=disable") {
		t.Errorf("help lacks the database default:\n%s", help.String())
	}
}

func TestParseRoles(t *testing.T) {
	tests := []struct {
		in, want, wantErr string
	}{
		{in: "all", want: "web,core,meta,whatsapp,lapor"},
		{in: "web", want: "web"},
		{in: " lapor , core ", want: "core,lapor"},
		{in: "web,all", want: "web,core,meta,whatsapp,lapor"},
		{in: "", wantErr: "no role given"},
		{in: "sms", wantErr: `"sms" is not a role`},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := config.ParseRoles(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || strings.Join(got, ",") != tc.want {
				t.Errorf("ParseRoles(%q) = %v, %v; want %s", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestValidateHandBuilt(t *testing.T) {
	c, err := config.LoadFrom(env(nil), false)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("defaults do not validate: %v", err)
	}
	c.RequiredFields["sms"] = []identity.Field{identity.FieldName}
	c.RequiredFields[event.ChannelWhatsApp] = []identity.Field{identity.FieldName, "npwp"}
	c.Roles = nil
	c.NIKKeyEncoded = strings.Repeat("ab", 31)
	err = c.Validate()
	for _, want := range []string{
		`ADUAN_REQUIRED_FIELDS_SMS: "sms" is not a channel`,
		`ADUAN_REQUIRED_FIELDS_WHATSAPP: "npwp" is not a field`,
		`ADUAN_ROLES: no role given`,
		`ADUAN_NIK_KEY: key is 62 hex digits, want 64`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate error = %v\nwant it to contain %q", err, want)
		}
	}
}

func TestUnknownKeys(t *testing.T) {
	got := config.UnknownKeys([]string{
		"PATH=/bin",
		"ADUAN_HTTP_ADDR=:1",
		"ADUAN_HTTP_ADRR=:1",
		"ADUAN_NIK_KEY_FILE=/k",
		"ADUAN_HTTP_ADDR_FILE=/x",
		"ADUAN_REQUIRED_FIELDS_SMS=nama",
		"ADUAN_TEST_DATABASE_URL=postgres://x",
		"ADUAN_PG_PORT=5433",
	})
	want := []string{"ADUAN_HTTP_ADDR_FILE", "ADUAN_HTTP_ADRR", "ADUAN_REQUIRED_FIELDS_SMS"}
	if !slices.Equal(got, want) {
		t.Errorf("UnknownKeys = %v, want %v", got, want)
	}
}

// The embedded NATS server's password is made once, mode 0600, and kept.
func TestNATSPasswordGeneratedOnce(t *testing.T) {
	dir := t.TempDir()
	c, err := config.LoadFrom(env(map[string]string{"ADUAN_DATA_DIR": dir}), false)
	if err != nil {
		t.Fatal(err)
	}
	first, err := c.NATSPassword()
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.NATSPassword()
	if err != nil || again != first || len(first) != 64 {
		t.Fatalf("second read %q (%v), first %q: want the same 64 hex digits", again, err, first)
	}
	fi, err := os.Stat(filepath.Join(dir, "secrets", "nats.password"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("password file mode %04o, want 0600", fi.Mode().Perm())
	}
}
