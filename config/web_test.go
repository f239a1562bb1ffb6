package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/config"
)

func TestWebDefaults(t *testing.T) {
	c, err := config.LoadFrom(env(nil), false)
	if err != nil {
		t.Fatal(err)
	}
	want := config.WebConfig{
		SessionTTL: 12 * time.Hour, SessionIdle: 2 * time.Hour, CookieSecure: "auto",
		LoginMaxFailures: 5, LoginWindow: 15 * time.Minute, LoginConcurrency: 4, WalkinWait: 10 * time.Second,
	}
	if c.Web != want {
		t.Fatalf("web defaults = %+v, want %+v", c.Web, want)
	}
}

func TestWebOverrides(t *testing.T) {
	c, err := config.LoadFrom(env(map[string]string{
		"ADUAN_WEB_SESSION_TTL":        "8h",
		"ADUAN_WEB_SESSION_IDLE":       "1800",
		"ADUAN_WEB_COOKIE_SECURE":      "Always",
		"ADUAN_WEB_TRUST_PROXY":        "true",
		"ADUAN_WEB_LOGIN_MAX_FAILURES": "3",
		"ADUAN_WEB_LOGIN_WINDOW":       "1h",
		"ADUAN_WEB_WALKIN_WAIT":        "30s",
	}), false)
	if err != nil {
		t.Fatal(err)
	}
	want := config.WebConfig{
		SessionTTL: 8 * time.Hour, SessionIdle: 30 * time.Minute, CookieSecure: "always", TrustProxy: true,
		LoginMaxFailures: 3, LoginWindow: time.Hour, LoginConcurrency: 4, WalkinWait: 30 * time.Second,
	}
	if c.Web != want {
		t.Fatalf("web config = %+v, want %+v", c.Web, want)
	}
}

func TestWebInvalid(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"idle longer than lifetime", map[string]string{"ADUAN_WEB_SESSION_TTL": "1h", "ADUAN_WEB_SESSION_IDLE": "2h"}, "ADUAN_WEB_SESSION_IDLE"},
		{"zero lifetime", map[string]string{"ADUAN_WEB_SESSION_TTL": "0s"}, "ADUAN_WEB_SESSION_TTL: must be positive"},
		{"bad duration", map[string]string{"ADUAN_WEB_WALKIN_WAIT": "soon"}, "ADUAN_WEB_WALKIN_WAIT"},
		{"bad secure mode", map[string]string{"ADUAN_WEB_COOKIE_SECURE": "sometimes"}, "ADUAN_WEB_COOKIE_SECURE"},
		{"bad bool", map[string]string{"ADUAN_WEB_TRUST_PROXY": "ya"}, "ADUAN_WEB_TRUST_PROXY"},
		{"no failures allowed", map[string]string{"ADUAN_WEB_LOGIN_MAX_FAILURES": "0"}, "ADUAN_WEB_LOGIN_MAX_FAILURES"},
		{"not a number", map[string]string{"ADUAN_WEB_LOGIN_MAX_FAILURES": "lima"}, "ADUAN_WEB_LOGIN_MAX_FAILURES"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.LoadFrom(env(tt.env), false)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}
