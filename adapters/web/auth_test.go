package web

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/core/event"
)

// TestRoutesRequireSignIn walks the route table: every route but the sign-in
// form and the static files refuses a visitor who is not signed in.
func TestRoutesRequireSignIn(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	public := []string{"GET /admin/login", "POST /admin/login", "GET /admin/static/"}
	fill := strings.NewReplacer("{id}", "1", "{msg}", "1", "{key}", "walkin-X", "{$}", "")
	for _, rt := range e.srv.routes() {
		if rt.public {
			if !slices.Contains(public, rt.pattern) {
				t.Errorf("%s is public; only %v may be", rt.pattern, public)
			}
			continue
		}
		method, path, _ := strings.Cut(rt.pattern, " ")
		path = fill.Replace(path)
		t.Run(rt.pattern, func(t *testing.T) {
			var res *http.Response
			if method == http.MethodGet {
				res, _ = c.get(path)
				if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), Prefix+"/login?next=") {
					t.Fatalf("GET %s without sign-in: %d %s, want a redirect to the sign-in form", path, res.StatusCode, res.Header.Get("Location"))
				}
				return
			}
			res = c.post(path, url.Values{"csrf": {"x"}, "text": {"halo"}})
			if res.StatusCode != http.StatusUnauthorized {
				t.Fatalf("POST %s without sign-in: %d, want 401", path, res.StatusCode)
			}
		})
	}
}

// TestRolePermissions checks what each role may open, through real requests.
func TestRolePermissions(t *testing.T) {
	e := newEnv(t)
	conv := e.citizen(event.ChannelWhatsApp, "6281234500001", "Halo, bantuan PKH saya belum cair")
	clients := map[Role]*client{}
	for _, r := range Roles {
		clients[r] = e.signIn("user-"+string(r), r)
	}
	tests := []struct {
		role   Role
		method string
		path   string
		want   int
	}{
		{RoleVerifikator, "GET", Prefix + "/walkin", http.StatusForbidden},
		{RoleVerifikator, "POST", Prefix + "/walkin", http.StatusForbidden},
		{RoleVerifikator, "POST", convPath(conv, "/reply"), http.StatusForbidden},
		{RoleVerifikator, "POST", convPath(conv, "/takeover"), http.StatusForbidden},
		{RoleVerifikator, "GET", Prefix + "/channels", http.StatusForbidden},
		{RoleVerifikator, "GET", convPath(conv, ""), http.StatusOK},
		{RolePimpinan, "GET", Prefix + "/", http.StatusOK},
		{RolePimpinan, "GET", Prefix + "/channels", http.StatusOK},
		{RolePimpinan, "POST", convPath(conv, "/notes"), http.StatusForbidden},
		{RolePimpinan, "POST", convPath(conv, "/identity"), http.StatusForbidden},
		{RoleKoordinator, "POST", convPath(conv, "/forward"), http.StatusForbidden},
		{RoleAuditor, "POST", convPath(conv, "/assign"), http.StatusForbidden},
		{RoleAuditor, "GET", convPath(conv, ""), http.StatusOK},
		{RoleAdmin, "GET", Prefix + "/walkin", http.StatusOK},
		{RoleAdmin, "GET", Prefix + "/channels", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(string(tt.role)+" "+tt.method+" "+tt.path, func(t *testing.T) {
			c := clients[tt.role]
			var status int
			if tt.method == "GET" {
				res, _ := c.get(tt.path)
				status = res.StatusCode
			} else {
				status = c.postForm(tt.path, url.Values{"text": {"uji"}}).StatusCode
			}
			if status != tt.want {
				t.Fatalf("status %d, want %d", status, tt.want)
			}
		})
	}
}

// TestRolesDocumented keeps docs/roles.md's table equal to the one in code.
func TestRolesDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/roles.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `([a-z_]+\\.[a-z_]+)` \\|(.*)\\|\\s*$")
	seen := map[Permission]bool{}
	for _, m := range row.FindAllStringSubmatch(string(doc), -1) {
		p := Permission(m[1])
		if _, ok := permissions[p]; !ok {
			t.Errorf("docs/roles.md lists unknown permission %s", p)
			continue
		}
		seen[p] = true
		cells := strings.Split(m[2], "|")
		// Columns after the description: one per role, in Roles order.
		cells = cells[len(cells)-len(Roles):]
		for i, r := range Roles {
			documented := strings.TrimSpace(cells[i]) == "✓"
			if documented != can(r, p) {
				t.Errorf("docs/roles.md says %s may %s: %v; code says %v", r, p, documented, can(r, p))
			}
		}
	}
	for p := range permissions {
		if !seen[p] {
			t.Errorf("permission %s missing from docs/roles.md", p)
		}
	}
}

func TestSignIn(t *testing.T) {
	e := newEnv(t)
	e.addUser("siti", RoleAdmin)

	t.Run("wrong password refused", func(t *testing.T) {
		c := e.client()
		if res := c.login("siti", "salah-sekali"); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("status %d, want 401", res.StatusCode)
		}
		if res, _ := c.get(Prefix + "/"); res.StatusCode != http.StatusSeeOther {
			t.Fatal("inbox reachable after a refused sign-in")
		}
	})
	t.Run("form without token refused", func(t *testing.T) {
		c := e.client()
		res := c.post(Prefix+"/login", url.Values{"username": {"siti"}, "password": {testPassword}})
		if res.StatusCode != http.StatusForbidden {
			t.Fatalf("status %d, want 403", res.StatusCode)
		}
	})
	t.Run("cookie flags", func(t *testing.T) {
		c := e.client()
		res := c.login("siti", testPassword)
		var sc *http.Cookie
		for _, k := range res.Cookies() {
			if k.Name == sessionCookie {
				sc = k
			}
		}
		if sc == nil || !sc.HttpOnly || sc.SameSite != http.SameSiteLaxMode || sc.Secure || sc.Path != Prefix {
			t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Lax, not Secure over plain HTTP, Path=/admin", sc)
		}
		if res.Header.Get("Location") != Prefix+"/" {
			t.Fatalf("redirected to %q after sign-in", res.Header.Get("Location"))
		}
	})
	t.Run("secure behind TLS proxy", func(t *testing.T) {
		e.srv.cfg.TrustProxy = true
		defer func() { e.srv.cfg.TrustProxy = false }()
		r, _ := http.NewRequest("GET", "/", nil)
		r.Header.Set("X-Forwarded-Proto", "https")
		if !e.srv.secure(r) {
			t.Fatal("cookie not Secure for a request that came over HTTPS through a trusted proxy")
		}
		e.srv.cfg.TrustProxy = false
		if e.srv.secure(r) {
			t.Fatal("X-Forwarded-Proto believed without a trusted proxy")
		}
	})
	t.Run("open redirect refused", func(t *testing.T) {
		for _, next := range []string{"https://evil.example/", "//evil.example/x", "/elsewhere", `/admin/\evil`} {
			if got := safeNext(next); got != Prefix+"/" {
				t.Errorf("safeNext(%q) = %q", next, got)
			}
		}
		if got := safeNext(Prefix + "/conversations/3?x=1"); got != Prefix+"/conversations/3?x=1" {
			t.Errorf("safeNext dropped a good target: %q", got)
		}
	})
	t.Run("sign-out ends the session", func(t *testing.T) {
		c := e.client()
		c.login("siti", testPassword)
		_, body := c.get(Prefix + "/")
		c.csrf = bodyCSRF.FindStringSubmatch(body)[1]
		if res := c.postForm(Prefix+"/logout", nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("logout status %d", res.StatusCode)
		}
		if res, _ := c.get(Prefix + "/"); res.StatusCode != http.StatusSeeOther {
			t.Fatal("inbox reachable after sign-out")
		}
	})
	t.Run("idle session expires", func(t *testing.T) {
		c := e.client()
		c.login("siti", testPassword)
		if res, _ := c.get(Prefix + "/"); res.StatusCode != http.StatusOK {
			t.Fatalf("inbox status %d after sign-in", res.StatusCode)
		}
		e.advance(3 * time.Hour) // past the 2-hour idle limit
		defer e.advance(-3 * time.Hour)
		if res, _ := c.get(Prefix + "/"); res.StatusCode != http.StatusSeeOther {
			t.Fatal("idle session still accepted")
		}
	})
	t.Run("disabled user signed out", func(t *testing.T) {
		e.addUser("budi", RoleVerifikator)
		c := e.client()
		c.login("budi", testPassword)
		if err := e.st.SetUserDisabled(context.Background(), "test", "budi", true, false); err != nil {
			t.Fatal(err)
		}
		if res, _ := c.get(Prefix + "/"); res.StatusCode != http.StatusSeeOther {
			t.Fatal("disabled user's session still accepted")
		}
		if res := c.login("budi", testPassword); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("disabled user signed in: %d", res.StatusCode)
		}
	})
	t.Run("rate limited after failures", func(t *testing.T) {
		e.addUser("rina", RoleAdmin)
		c := e.client()
		for range 5 {
			c.login("rina", "tebakan-salah")
		}
		if res := c.login("rina", testPassword); res.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("right password after 5 failures: %d, want 429", res.StatusCode)
		}
		e.advance(16 * time.Minute)
		defer e.advance(-16 * time.Minute)
		if res := c.login("rina", testPassword); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign-in after the window: %d, want 303", res.StatusCode)
		}
	})
}

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") || strings.Contains(h, testPassword) {
		t.Fatalf("hash %q", h)
	}
	h2, _ := HashPassword(testPassword)
	if h == h2 {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	tests := []struct {
		name, hash, password string
		ok                   bool
		err                  bool
	}{
		{"right", h, testPassword, true, false},
		{"wrong", h, testPassword + "x", false, false},
		{"malformed", "$argon2id$v=19$m=1$x$y", testPassword, false, true},
		{"other scheme", "$2a$10$abcdefghijklmnopqrstuv", testPassword, false, true},
	}
	for _, tt := range tests {
		ok, err := CheckPassword(tt.hash, tt.password)
		if ok != tt.ok || (err != nil) != tt.err {
			t.Errorf("%s: ok=%v err=%v", tt.name, ok, err)
		}
	}
	if _, err := HashPassword("pendek"); err == nil {
		t.Error("short password accepted")
	}
}
