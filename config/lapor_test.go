package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/config"
)

func TestLaporDefaults(t *testing.T) {
	c, err := config.LoadFrom(env(nil), false)
	if err != nil {
		t.Fatal(err)
	}
	want := config.LaporConfig{
		Agency: "dinsos-babel", Interval: time.Minute, PageSize: 50, Timeout: 30 * time.Second, PushAttempts: 12,
	}
	if c.Lapor != want {
		t.Fatalf("Lapor = %+v, want %+v", c.Lapor, want)
	}
}

func TestLaporKeys(t *testing.T) {
	tokenFile := writeFile(t, "kunci-dari-file\n")
	tests := []struct {
		name  string
		env   map[string]string
		check func(t *testing.T, l config.LaporConfig)
	}{
		{"simulator", map[string]string{
			"ADUAN_LAPOR_URL": "http://127.0.0.1:8090/", "ADUAN_LAPOR_TOKEN": "sim",
			"ADUAN_LAPOR_INTERVAL": "5s", "ADUAN_LAPOR_PAGE_SIZE": "20", "ADUAN_LAPOR_AGENCY": "dinsos-babel-2",
			"ADUAN_LAPOR_TIMEOUT": "10", "ADUAN_LAPOR_PUSH_ATTEMPTS": "3",
		}, func(t *testing.T, l config.LaporConfig) {
			want := config.LaporConfig{URL: "http://127.0.0.1:8090", Token: "sim", Agency: "dinsos-babel-2",
				Interval: 5 * time.Second, PageSize: 20, Timeout: 10 * time.Second, PushAttempts: 3}
			if l != want {
				t.Fatalf("got %+v, want %+v", l, want)
			}
		}},
		{"token from file", map[string]string{
			"ADUAN_LAPOR_URL": "https://lapor.example.go.id/api", "ADUAN_LAPOR_TOKEN_FILE": tokenFile,
		}, func(t *testing.T, l config.LaporConfig) {
			if l.Token != "kunci-dari-file" {
				t.Fatalf("token = %q", l.Token)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := config.LoadFrom(env(tt.env), false)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c.Lapor)
		})
	}
}

func TestLaporInvalid(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		wantKey string
		hidden  string // must not appear in the error
	}{
		{"url without token", map[string]string{"ADUAN_LAPOR_URL": "http://127.0.0.1:8090"}, "ADUAN_LAPOR_TOKEN", ""},
		{"not http", map[string]string{"ADUAN_LAPOR_URL": "ftp://lapor", "ADUAN_LAPOR_TOKEN": "x"}, "ADUAN_LAPOR_URL", ""},
		{"no host", map[string]string{"ADUAN_LAPOR_URL": "http://", "ADUAN_LAPOR_TOKEN": "x"}, "ADUAN_LAPOR_URL", ""},
		{"credentials in url", map[string]string{"ADUAN_LAPOR_URL": "https://u:s3cr3t@lapor.example", "ADUAN_LAPOR_TOKEN": "x"},
			"ADUAN_LAPOR_URL", "s3cr3t"},
		{"interval too short", map[string]string{"ADUAN_LAPOR_INTERVAL": "100ms"}, "ADUAN_LAPOR_INTERVAL", ""},
		{"interval not a duration", map[string]string{"ADUAN_LAPOR_INTERVAL": "sebentar"}, "ADUAN_LAPOR_INTERVAL", ""},
		{"page size zero", map[string]string{"ADUAN_LAPOR_PAGE_SIZE": "0"}, "ADUAN_LAPOR_PAGE_SIZE", ""},
		{"page size huge", map[string]string{"ADUAN_LAPOR_PAGE_SIZE": "10000"}, "ADUAN_LAPOR_PAGE_SIZE", ""},
		{"agency with colon", map[string]string{"ADUAN_LAPOR_AGENCY": "dinsos:babel"}, "ADUAN_LAPOR_AGENCY", ""},
		{"timeout zero", map[string]string{"ADUAN_LAPOR_TIMEOUT": "0s"}, "ADUAN_LAPOR_TIMEOUT", ""},
		{"push attempts zero", map[string]string{"ADUAN_LAPOR_PUSH_ATTEMPTS": "0"}, "ADUAN_LAPOR_PUSH_ATTEMPTS", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { refused(t, tt.env, tt.wantKey, tt.hidden) })
	}
}

func TestLaporTokenRedacted(t *testing.T) {
	c, err := config.LoadFrom(env(map[string]string{
		"ADUAN_LAPOR_URL": "http://127.0.0.1:8090", "ADUAN_LAPOR_TOKEN": "kunci-rahasia-123",
	}), false)
	if err != nil {
		t.Fatal(err)
	}
	if s := c.String(); strings.Contains(s, "kunci-rahasia-123") || !strings.Contains(s, "ADUAN_LAPOR_TOKEN=[redacted]") {
		t.Fatalf("token not redacted:\n%s", s)
	}
}
