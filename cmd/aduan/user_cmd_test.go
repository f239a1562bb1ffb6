package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aduan-gateway/aduan/store/pgtest"
)

func TestUserCommand(t *testing.T) {
	t.Setenv("ADUAN_DATABASE_URL", pgtest.URL(t))
	t.Setenv("ADUAN_DATA_DIR", t.TempDir())
	pw := filepath.Join(t.TempDir(), "password")
	if err := os.WriteFile(pw, []byte("sandi-yang-panjang\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	fail := func(args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		if code := run(context.Background(), args, &out, &errOut); code == 0 {
			t.Fatalf("aduan %s succeeded", strings.Join(args, " "))
		}
		return errOut.String()
	}

	if out := runCmd(t, "user", "add", "--username", "siti", "--role", "admin", "--password-file", pw); !strings.Contains(out, "siti (admin) added") {
		t.Fatalf("add printed %q", out)
	}
	if msg := fail("user", "add", "--username", "siti", "--role", "admin", "--password-file", pw); !strings.Contains(msg, "already taken") {
		t.Errorf("duplicate user: %q", msg)
	}
	if msg := fail("user", "add", "--username", "budi", "--role", "lurah", "--password-file", pw); !strings.Contains(msg, "not a role") {
		t.Errorf("unknown role: %q", msg)
	}
	short := filepath.Join(t.TempDir(), "short")
	os.WriteFile(short, []byte("pendek"), 0o600)
	if msg := fail("user", "add", "--username", "budi", "--role", "auditor", "--password-file", short); !strings.Contains(msg, "at least 10") {
		t.Errorf("short password: %q", msg)
	}
	list := runCmd(t, "user", "list")
	if !regexp.MustCompile(`siti\s+admin\s+active\s+never`).MatchString(list) || strings.Contains(list, "budi") {
		t.Fatalf("list:\n%s", list)
	}
	runCmd(t, "user", "disable", "siti")
	if list := runCmd(t, "user", "list"); !regexp.MustCompile(`siti\s+admin\s+disabled`).MatchString(list) {
		t.Fatalf("list after disable:\n%s", list)
	}
	if msg := fail("user", "disable", "nobody"); !strings.Contains(msg, "not found") {
		t.Errorf("disable unknown user: %q", msg)
	}
	runCmd(t, "user", "enable", "siti")
	pw2 := filepath.Join(t.TempDir(), "new")
	os.WriteFile(pw2, []byte("sandi-baru-yang-panjang"), 0o600)
	if out := runCmd(t, "user", "password", "--password-file", pw2, "siti"); !strings.Contains(out, "Password of siti changed") {
		t.Fatalf("password printed %q", out)
	}
	if msg := fail("user", "password", "--password-file", pw2, "nobody"); !strings.Contains(msg, "not found") {
		t.Errorf("password of unknown user: %q", msg)
	}
}

// TestServeMountsAdminInbox: aduan serve with the web role answers /admin,
// and a user made with aduan user add can sign in there.
func TestServeMountsAdminInbox(t *testing.T) {
	addr, _ := startServe(t)
	pw := filepath.Join(t.TempDir(), "password")
	os.WriteFile(pw, []byte("sandi-yang-panjang"), 0o600)
	runCmd(t, "user", "add", "--username", "siti", "--role", "admin", "--password-file", pw)

	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	res, err := c.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.Request.URL.Path != "/admin/login" || !strings.Contains(string(body), "Masuk ke Aduan") {
		t.Fatalf("/ led to %s", res.Request.URL)
	}
	token := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(string(body))
	if token == nil {
		t.Fatal("no CSRF token on the sign-in form")
	}
	res, err = c.PostForm("http://"+addr+"/admin/login", url.Values{
		"username": {"siti"}, "password": {"sandi-yang-panjang"}, "csrf": {token[1]}, "next": {"/admin/"},
	})
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "Kotak masuk") {
		t.Fatalf("after sign-in: %d %s", res.StatusCode, res.Request.URL)
	}
}
