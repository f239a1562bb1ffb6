package web

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/core/calendar"
	"github.com/aduan-gateway/aduan/store"
)

var auditRow = regexp.MustCompile(`<tr><td>[^<]*</td><td>([^<]*)</td><td><code>([^<]*)</code></td><td>([^<]*)</td>`)

func TestAuditViewer(t *testing.T) {
	e := statsEnv(t)
	ctx := context.Background()
	t1, err := e.st.ComplaintByTicket(ctx, "ADU-2026-000001")
	if err != nil {
		t.Fatal(err)
	}
	// A KTP view of the first complaint's conversation, as attachment.go
	// writes it; a row whose values would be markup or a formula.
	err = e.st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.Audit(ctx, "vera", "ktp.viewed", "conversation", idString(t1.ConversationID), map[string]any{"attachment": 1}); err != nil {
			return err
		}
		return tx.Audit(ctx, "=HYPERLINK(\"x\")", "note.test", "conversation", "999", map[string]any{"note": "<script>alert(1)</script>"})
	})
	if err != nil {
		t.Fatal(err)
	}
	c := e.signIn("audi", RoleAuditor)
	today := calendar.DateOf(time.Now())

	rowsOf := func(t *testing.T, query url.Values) [][]string {
		t.Helper()
		res, body := c.get(Prefix + "/audit?" + query.Encode())
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status %d", res.StatusCode)
		}
		var out [][]string
		for _, m := range auditRow.FindAllStringSubmatch(body, -1) {
			out = append(out, m[1:])
		}
		return out
	}
	cases := []struct {
		name  string
		query url.Values
		want  int
		each  func(row []string) bool
	}{
		{"by user", url.Values{"pengguna": {"kiki"}}, 6, func(r []string) bool { return r[0] == "kiki" }},
		{"by action", url.Values{"tindakan": {"complaint.verify"}}, 7, func(r []string) bool { return r[1] == "complaint.verify" }},
		{"by ticket, with its conversation's KTP view", url.Values{"objek": {"ADU-2026-000001"}}, 5, func(r []string) bool {
			return r[2] == "complaint ADU-2026-000001" || r[2] == "conversation "+idString(t1.ConversationID)
		}},
		{"user and action together", url.Values{"pengguna": {"vera"}, "tindakan": {"ktp.viewed"}}, 1, nil},
		{"from today", url.Values{"dari": {today.String()}, "tindakan": {"complaint.submitted"}}, 8, nil},
		{"until yesterday", url.Values{"sampai": {today.AddDays(-1).String()}}, 0, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rows := rowsOf(t, tc.query)
			if len(rows) != tc.want {
				t.Fatalf("%d rows, want %d: %v", len(rows), tc.want, rows)
			}
			for _, r := range rows {
				if tc.each != nil && !tc.each(r) {
					t.Errorf("row %v does not match the filter", r)
				}
			}
		})
	}

	t.Run("details escaped", func(t *testing.T) {
		_, body := c.get(Prefix + "/audit?tindakan=note.test")
		if strings.Contains(body, "<script>alert") || !strings.Contains(body, "&lt;script&gt;") {
			t.Error("the detail is not escaped")
		}
	})
	t.Run("a bad date", func(t *testing.T) {
		if res, _ := c.get(Prefix + "/audit?dari=kemarin"); res.StatusCode != http.StatusBadRequest {
			t.Errorf("status %d, want 400", res.StatusCode)
		}
	})

	t.Run("paging", func(t *testing.T) {
		err := e.st.InTx(ctx, func(tx *store.Tx) error {
			for i := range 60 {
				if err := tx.Audit(ctx, "pager", "page.test", "conversation", strconv.Itoa(i), nil); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		_, body := c.get(Prefix + "/audit?pengguna=pager")
		if n := len(auditRow.FindAllString(body, -1)); n != auditPageSize || !strings.Contains(body, "halaman=2") {
			t.Fatalf("page 1: %d rows, next link %v", n, strings.Contains(body, "halaman=2"))
		}
		_, body = c.get(Prefix + "/audit?pengguna=pager&halaman=2")
		if n := len(auditRow.FindAllString(body, -1)); n != 10 || strings.Contains(body, "halaman=3") || !strings.Contains(body, "halaman=1") {
			t.Errorf("page 2: %d rows", n)
		}
	})

	t.Run("csv export, formula-safe and audited", func(t *testing.T) {
		res, body := c.get(Prefix + "/audit.csv?objek=999")
		if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Disposition"), "log-audit-") {
			t.Fatalf("status %d %v", res.StatusCode, res.Header)
		}
		recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 2 || recs[0][2] != "pengguna" || recs[1][2] != `'=HYPERLINK("x")` || recs[1][3] != "note.test" {
			t.Fatalf("csv %q", recs)
		}
		rows := rowsOf(t, url.Values{"tindakan": {"audit.exported"}})
		if len(rows) != 1 || rows[0][0] != "audi" {
			t.Errorf("export not audited: %v", rows)
		}
	})
}
