package web

import (
	"context"
	"net/http"
	"net/url"
	"testing"
)

func TestUsersPage(t *testing.T) {
	e := newEnv(t)
	admin := e.signIn("ani", RoleAdmin)
	ctx := context.Background()
	trail := func(name string) []string {
		t.Helper()
		es, err := e.st.AuditTrail(ctx, "user", name)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, a := range es {
			out = append(out, a.Actor+" "+a.Action)
		}
		return out
	}
	cases := []struct {
		name   string
		path   string
		form   url.Values
		status int
		check  func(t *testing.T)
	}{
		{"add with a short password", "/pengguna", url.Values{"username": {"budi"}, "role": {"verifikator"}, "password": {"pendek"}}, 400, nil},
		{"add with an unknown role", "/pengguna", url.Values{"username": {"budi"}, "role": {"raja"}, "password": {"kata-sandi-baru-1"}}, 400, nil},
		{"add", "/pengguna", url.Values{"username": {"budi"}, "role": {"verifikator"}, "password": {"kata-sandi-baru-1"}}, 303, func(t *testing.T) {
			u, err := e.st.UserByName(ctx, "budi")
			if err != nil || u.Role != "verifikator" {
				t.Fatalf("budi: %+v %v", u, err)
			}
			if c := e.client(); c.login("budi", "kata-sandi-baru-1").StatusCode != http.StatusSeeOther {
				t.Error("the new user cannot sign in")
			}
		}},
		{"add a taken name", "/pengguna", url.Values{"username": {"budi"}, "role": {"admin"}, "password": {"kata-sandi-baru-1"}}, 409, nil},
		{"change role", "/pengguna/budi/peran", url.Values{"role": {"koordinator"}}, 303, func(t *testing.T) {
			if u, _ := e.st.UserByName(ctx, "budi"); u.Role != "koordinator" {
				t.Errorf("role %s", u.Role)
			}
		}},
		{"reset password", "/pengguna/budi/sandi", url.Values{"password": {"sandi-pengganti-2"}}, 303, func(t *testing.T) {
			if c := e.client(); c.login("budi", "sandi-pengganti-2").StatusCode != http.StatusSeeOther {
				t.Error("the new password does not sign in")
			}
		}},
		{"disable", "/pengguna/budi/nonaktif", nil, 303, func(t *testing.T) {
			if u, _ := e.st.UserByName(ctx, "budi"); !u.Disabled {
				t.Error("not disabled")
			}
		}},
		{"enable", "/pengguna/budi/aktif", nil, 303, nil},
		{"disable oneself", "/pengguna/ani/nonaktif", nil, 409, nil},
		{"demote oneself", "/pengguna/ani/peran", url.Values{"role": {"auditor"}}, 409, nil},
		{"an unknown user", "/pengguna/tidakada/aktif", nil, 404, nil},
		{"an unknown change", "/pengguna/budi/hapus", nil, 404, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if res := admin.postForm(Prefix+tc.path, tc.form); res.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tc.status)
			}
			if tc.check != nil {
				tc.check(t)
			}
		})
	}
	want := []string{"ani user.created", "ani user.role_changed", "ani user.password_changed", "ani user.disabled", "ani user.enabled"}
	if got := trail("budi"); len(got) != len(want) || got[0] != want[0] || got[4] != want[4] {
		t.Errorf("audit of budi %v, want %v", got, want)
	}
	if u, _ := e.st.UserByName(ctx, "ani"); u.Disabled || u.Role != "admin" {
		t.Errorf("ani changed: %+v", u)
	}
	for _, r := range []Role{RoleVerifikator, RoleKoordinator, RolePimpinan, RoleAuditor} {
		c := e.signIn("x_"+string(r), r)
		if res := c.postForm(Prefix+"/pengguna/budi/nonaktif", nil); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s disabling a user: status %d, want 403", r, res.StatusCode)
		}
	}
	// The last enabled admin stays, even when another admin would demote them.
	e.addUser("dewi", RoleAdmin)
	if err := e.st.SetUserDisabled(ctx, "test", "dewi", true, true); err != nil {
		t.Fatal(err)
	}
	if err := e.st.SetUserRole(ctx, "test", "ani", "auditor"); err == nil {
		t.Error("the last enabled admin was demoted")
	}
}
