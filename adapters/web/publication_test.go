package web

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestPublicationDecisionByRole records uji konsekuensi decisions through
// the complaint's publication page as each role: pimpinan and admin may,
// the others are refused and offered no form.
func TestPublicationDecisionByRole(t *testing.T) {
	e := newPublicEnv(t)
	recv := time.Now().AddDate(0, 0, -20)
	done := e.file(0, people[0], recv)
	e.resolve(done, "pkh", people[0].result, recv, recv.AddDate(0, 0, 2))
	open := e.file(1, people[1], recv)
	path := complaintPath(done, "/publikasi")
	summary := "Bantuan yang tertunda telah disalurkan kembali."
	tests := []struct {
		name     string
		role     Role
		decision string
		status   int // of the POST
		form     bool
	}{
		{"pak_kepala", RolePimpinan, "publish", http.StatusSeeOther, true},
		{"admin2", RoleAdmin, "withhold", http.StatusSeeOther, true},
		{"koor2", RoleKoordinator, "publish", http.StatusForbidden, false},
		{"veri2", RoleVerifikator, "publish", http.StatusForbidden, false},
		{"audit2", RoleAuditor, "withhold", http.StatusForbidden, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.role), func(t *testing.T) {
			c := e.signIn(tt.name, tt.role)
			res, body := c.get(path)
			if res.StatusCode != http.StatusOK || strings.Contains(body, `id="form-publication"`) != tt.form {
				t.Fatalf("page: status %d, form shown %v, want %v", res.StatusCode, !tt.form, tt.form)
			}
			if res := c.postForm(path, url.Values{"decision": {tt.decision}, "reason": {"Alasan " + tt.name},
				"summary": {summary}}); res.StatusCode != tt.status {
				t.Errorf("decision: status %d, want %d", res.StatusCode, tt.status)
			}
		})
	}
	ds, err := e.st.PublicationDecisions(context.Background(), done)
	if err != nil || len(ds) != 2 || ds[0].DecidedBy != "admin2" || ds[1].DecidedBy != "pak_kepala" || !ds[0].Current {
		t.Fatalf("decisions %+v, %v", ds, err)
	}
	c := e.signIn("pak_wakil", RolePimpinan)
	_, body := c.get(path)
	for _, want := range []string{"Tidak dipublikasikan", "Alasan admin2", "Alasan pak_kepala", "(digantikan)", summary} {
		if !strings.Contains(body, want) {
			t.Errorf("the history lacks %q", want)
		}
	}
	if _, page := c.get(complaintPath(done, "")); !strings.Contains(page, `id="publication-link"`) {
		t.Error("the complaint page has no way to the publication page")
	}
	if _, page := c.get(complaintPath(open, "")); strings.Contains(page, `id="publication-link"`) {
		t.Error("an open complaint's page offers publication")
	}

	refusals := []struct {
		label, ticket string
		form          url.Values
		want          string
	}{
		{"no summary", done, url.Values{"decision": {"publish"}, "reason": {"r"}}, "Tuliskan ringkasan untuk publik"},
		{"personal data", done, url.Values{"decision": {"publish"}, "reason": {"r"}, "summary": {"Untuk " + people[0].name}}, "data pribadi"},
		{"not finished", open, url.Values{"decision": {"withhold"}, "reason": {"r"}}, "sudah selesai"},
	}
	for _, rt := range refusals {
		t.Run(rt.label, func(t *testing.T) {
			rt.form.Set("csrf", c.csrf)
			res, err := c.http.PostForm(e.ts.URL+complaintPath(rt.ticket, "/publikasi"), rt.form)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b := new(strings.Builder)
			if _, err := io.Copy(b, res.Body); err != nil {
				t.Fatal(err)
			}
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(b.String(), rt.want) {
				t.Errorf("status %d, want 422 with %q", res.StatusCode, rt.want)
			}
			if v := rt.form.Get("summary"); v != "" && !strings.Contains(b.String(), v) {
				t.Error("the typed summary is lost")
			}
		})
	}
	if ds, _ := e.st.PublicationDecisions(context.Background(), done); len(ds) != 2 {
		t.Errorf("refusals recorded decisions: %+v", ds)
	}
}
