package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/config"
)

func TestMetaDefaults(t *testing.T) {
	c, err := config.LoadFrom(env(nil), false)
	if err != nil {
		t.Fatal(err)
	}
	m := c.Meta
	if len(m.Pages) != 0 || m.AppSecret != "" || m.VerifyToken != "" {
		t.Fatalf("accounts or secrets set by default: %+v", m)
	}
	if m.GraphURL != "https://graph.facebook.com/" || m.GraphVersion != "v23.0" || m.GraphTimeout != 20*time.Second ||
		m.MaxAttachmentSize != 25<<20 || m.DownloadTimeout != time.Minute || m.SendAttempts != 8 || !m.ProfileLookup {
		t.Fatalf("defaults %+v", m)
	}
}

func TestMetaKeys(t *testing.T) {
	pagesFile := writeFile(t, "1122334455=EAAGtokenhalaman,17841400000000001=IGQtokeninstagram\n")
	tests := []struct {
		name  string
		env   map[string]string
		check func(t *testing.T, m config.MetaConfig)
	}{
		{"pages, secrets and a local Graph fake", map[string]string{
			"ADUAN_META_PAGES":         " 1122334455=EAAGtokenhalaman , 17841400000000001=IGQtokeninstagram ",
			"ADUAN_META_APP_SECRET":    "rahasia",
			"ADUAN_META_VERIFY_TOKEN":  "kata-verifikasi",
			"ADUAN_META_GRAPH_URL":     "http://127.0.0.1:9999",
			"ADUAN_META_GRAPH_VERSION": "v21.0", "ADUAN_META_GRAPH_TIMEOUT": "5s",
			"ADUAN_META_MAX_ATTACHMENT_SIZE": "1048576", "ADUAN_META_DOWNLOAD_TIMEOUT": "30",
			"ADUAN_META_SEND_ATTEMPTS": "3", "ADUAN_META_PROFILE_LOOKUP": "false",
		}, func(t *testing.T, m config.MetaConfig) {
			if m.Pages["1122334455"] != "EAAGtokenhalaman" || m.Pages["17841400000000001"] != "IGQtokeninstagram" || len(m.Pages) != 2 {
				t.Fatalf("pages %v", m.Pages)
			}
			if m.AppSecret != "rahasia" || m.VerifyToken != "kata-verifikasi" {
				t.Fatal("secrets not read")
			}
			if m.GraphURL != "http://127.0.0.1:9999/" {
				t.Fatalf("graph URL %q, want a trailing slash added", m.GraphURL)
			}
			if m.GraphVersion != "v21.0" || m.GraphTimeout != 5*time.Second || m.MaxAttachmentSize != 1<<20 ||
				m.DownloadTimeout != 30*time.Second || m.SendAttempts != 3 || m.ProfileLookup {
				t.Fatalf("got %+v", m)
			}
		}},
		{"pages from a file", map[string]string{
			"ADUAN_META_PAGES_FILE": pagesFile, "ADUAN_META_APP_SECRET": "rahasia", "ADUAN_META_VERIFY_TOKEN": "v",
		}, func(t *testing.T, m config.MetaConfig) {
			if len(m.Pages) != 2 || m.Pages["17841400000000001"] != "IGQtokeninstagram" {
				t.Fatalf("pages %v", m.Pages)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := config.LoadFrom(env(tt.env), false)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c.Meta)
		})
	}
}

func TestMetaInvalid(t *testing.T) {
	ok := map[string]string{"ADUAN_META_PAGES": "1122334455=EAAGtokenrahasia", "ADUAN_META_APP_SECRET": "s", "ADUAN_META_VERIFY_TOKEN": "v"}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range ok {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name    string
		env     map[string]string
		wantKey string
	}{
		{"pages without app secret", with("ADUAN_META_APP_SECRET", ""), "ADUAN_META_APP_SECRET"},
		{"pages without verify token", with("ADUAN_META_VERIFY_TOKEN", ""), "ADUAN_META_VERIFY_TOKEN"},
		{"pair without token", with("ADUAN_META_PAGES", "1122334455="), "ADUAN_META_PAGES"},
		{"pair without equals", with("ADUAN_META_PAGES", "1122334455"), "ADUAN_META_PAGES"},
		{"account id not numeric", with("ADUAN_META_PAGES", "halaman-dinsos=EAAGtokenrahasia"), "ADUAN_META_PAGES"},
		{"account twice", with("ADUAN_META_PAGES", "1=EAAGtokenrahasia,1=EAAGtokenrahasia2"), "ADUAN_META_PAGES"},
		{"only commas", with("ADUAN_META_PAGES", ",,"), "ADUAN_META_PAGES"},
		{"graph URL not http", with("ADUAN_META_GRAPH_URL", "ftp://graph"), "ADUAN_META_GRAPH_URL"},
		{"graph URL with query", with("ADUAN_META_GRAPH_URL", "https://graph.facebook.com/?x=1"), "ADUAN_META_GRAPH_URL"},
		{"graph version", with("ADUAN_META_GRAPH_VERSION", "23"), "ADUAN_META_GRAPH_VERSION"},
		{"graph timeout", with("ADUAN_META_GRAPH_TIMEOUT", "0s"), "ADUAN_META_GRAPH_TIMEOUT"},
		{"attachment size tiny", with("ADUAN_META_MAX_ATTACHMENT_SIZE", "10"), "ADUAN_META_MAX_ATTACHMENT_SIZE"},
		{"attachment size huge", with("ADUAN_META_MAX_ATTACHMENT_SIZE", "1073741824"), "ADUAN_META_MAX_ATTACHMENT_SIZE"},
		{"attachment size words", with("ADUAN_META_MAX_ATTACHMENT_SIZE", "25MB"), "ADUAN_META_MAX_ATTACHMENT_SIZE"},
		{"send attempts zero", with("ADUAN_META_SEND_ATTEMPTS", "0"), "ADUAN_META_SEND_ATTEMPTS"},
		{"profile lookup", with("ADUAN_META_PROFILE_LOOKUP", "kadang"), "ADUAN_META_PROFILE_LOOKUP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { refused(t, tt.env, tt.wantKey, "EAAGtokenrahasia") })
	}
}

func TestMetaSecretsRedacted(t *testing.T) {
	c, err := config.LoadFrom(env(map[string]string{
		"ADUAN_META_PAGES": "1122334455=EAAGtokenrahasia", "ADUAN_META_APP_SECRET": "appsecret123", "ADUAN_META_VERIFY_TOKEN": "verif456",
	}), false)
	if err != nil {
		t.Fatal(err)
	}
	s := c.String()
	for _, secret := range []string{"EAAGtokenrahasia", "appsecret123", "verif456"} {
		if strings.Contains(s, secret) {
			t.Fatalf("%s shown in the settings:\n%s", secret, s)
		}
	}
	for _, key := range []string{"ADUAN_META_PAGES=[redacted]", "ADUAN_META_APP_SECRET=[redacted]", "ADUAN_META_VERIFY_TOKEN=[redacted]"} {
		if !strings.Contains(s, key) {
			t.Fatalf("settings lack %s:\n%s", key, s)
		}
	}
	if got := c.MetaAccounts(); len(got) != 1 || got[0] != "1122334455" {
		t.Fatalf("MetaAccounts = %v", got)
	}
}
