package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/aduan-gateway/aduan/store"
)

func TestCannedResponsesPage(t *testing.T) {
	e := newEnv(t)
	admin := e.signIn("ani", RoleAdmin)
	ctx := context.Background()
	titles := func() []string {
		list, err := e.st.ListCanned(ctx)
		if err != nil {
			t.Fatal(err)
		}
		out := make([]string, len(list))
		for i, c := range list {
			out[i] = c.Title
		}
		return out
	}
	idOf := func(title string) string {
		list, _ := e.st.ListCanned(ctx)
		for _, c := range list {
			if c.Title == title {
				return strconv.FormatInt(c.ID, 10)
			}
		}
		t.Fatalf("no canned response %q", title)
		return ""
	}
	start := len(titles())
	steps := []struct {
		name   string
		path   func() string
		form   url.Values
		status int
		check  func(t *testing.T, got []string)
	}{
		{"add", func() string { return "/balasan-cepat" }, url.Values{"title": {"Jam layanan"}, "text": {"Senin–Jumat 08.00–16.00 WIB."}}, 303,
			func(t *testing.T, got []string) {
				if len(got) != start+1 || got[len(got)-1] != "Jam layanan" {
					t.Errorf("after add: %v", got)
				}
			}},
		{"add without text", func() string { return "/balasan-cepat" }, url.Values{"title": {"Kosong"}}, 400, nil},
		{"move up", func() string { return "/balasan-cepat/" + idOf("Jam layanan") + "/naik" }, nil, 303,
			func(t *testing.T, got []string) {
				if got[len(got)-2] != "Jam layanan" {
					t.Errorf("after moving up: %v", got)
				}
			}},
		{"edit", func() string { return "/balasan-cepat/" + idOf("Jam layanan") + "/ubah" }, url.Values{"title": {"Jam buka"}, "text": {"Senin–Jumat."}}, 303,
			func(t *testing.T, got []string) {
				if got[len(got)-2] != "Jam buka" {
					t.Errorf("after edit: %v", got)
				}
			}},
		{"delete", func() string { return "/balasan-cepat/" + idOf("Jam buka") + "/hapus" }, nil, 303,
			func(t *testing.T, got []string) {
				if len(got) != start {
					t.Errorf("after delete: %v", got)
				}
			}},
		{"delete a missing one", func() string { return "/balasan-cepat/999999/hapus" }, nil, 404, nil},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if res := admin.postForm(Prefix+st.path(), st.form); res.StatusCode != st.status {
				t.Fatalf("status %d, want %d", res.StatusCode, st.status)
			}
			if st.check != nil {
				st.check(t, titles())
			}
		})
	}
	rows, err := e.st.ListAudit(ctx, store.AuditFilter{Actor: "ani"})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, r := range rows {
		actions = append(actions, r.Action)
	}
	if len(actions) != 4 || actions[0] != "canned.deleted" || actions[3] != "canned.added" {
		t.Errorf("audited %v", actions)
	}
	c := e.signIn("kiki", RoleKoordinator)
	if res := c.postForm(Prefix+"/balasan-cepat", url.Values{"title": {"x"}, "text": {"y"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("koordinator adding: status %d, want 403", res.StatusCode)
	}
}
