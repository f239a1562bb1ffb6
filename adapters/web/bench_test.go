package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// seedInbox fills the database with n conversations straight in SQL (the
// core would take minutes): each with a reporter, the citizen's message and
// the bot's reply, spread over channels and states; every tenth has a
// ticket, every seventh is taken over, every eleventh has a failed reply.
func seedInbox(tb testing.TB, e *testEnv, dbURL string, n int) {
	tb.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `
		INSERT INTO reporters (id, name, profile_name, phone)
		SELECT i, CASE WHEN i % 3 = 0 THEN 'Warga Nomor ' || i ELSE '' END, 'profil' || i,
			'+62812' || lpad(i::text, 7, '0')
		FROM generate_series(1, $1) i;
		SELECT setval('reporters_id_seq', $1);
		INSERT INTO conversations (id, channel, account, conversation_key, reporter_id, status, ticket,
			human_takeover, missing, unread, last_message_at, last_inbound_at)
		SELECT i, (ARRAY['whatsapp','messenger','instagram','lapor','walkin'])[i % 5 + 1], '62811000',
			'62812' || lpad(i::text, 7, '0'), i,
			CASE WHEN i % 10 = 0 THEN 'submitted' ELSE 'collecting' END,
			CASE WHEN i % 10 = 0 THEN 'ADU-2026-' || lpad(i::text, 6, '0') END,
			i % 7 = 0, CASE WHEN i % 10 = 0 THEN '{}'::text[] ELSE '{nik,foto_ktp}'::text[] END,
			i % 4, now() - i * interval '1 minute', now() - i * interval '1 minute'
		FROM generate_series(1, $1) i;
		SELECT setval('conversations_id_seq', $1);
		INSERT INTO messages (event_id, conversation_id, direction, channel, account, external_id, sender_id,
			text, origin, delivery_status, delivery_reason, created_at)
		SELECT 'in-' || i, i, 'in', (ARRAY['whatsapp','messenger','instagram','lapor','walkin'])[i % 5 + 1],
			'62811000', 'ext-' || i, '62812' || lpad(i::text, 7, '0'),
			'Bantuan sosial untuk keluarga kami belum diterima sejak bulan lalu, mohon dibantu (' || i || ')',
			'', '', '', now() - i * interval '1 minute'
		FROM generate_series(1, $1) i;
		INSERT INTO messages (event_id, conversation_id, direction, channel, account, external_id,
			text, origin, delivery_status, delivery_reason, created_at)
		SELECT 'out-' || i, i, 'out', (ARRAY['whatsapp','messenger','instagram','lapor','walkin'])[i % 5 + 1],
			'62811000', 'out-' || i, 'Terima kasih, mohon lengkapi NIK dan foto KTP.', 'bot',
			CASE WHEN i % 11 = 0 THEN 'failed' ELSE 'read' END,
			CASE WHEN i % 11 = 0 THEN 'di luar jendela 24 jam' ELSE '' END,
			now() - i * interval '1 minute' + interval '1 second'
		FROM generate_series(1, $1) i;
		ANALYZE`, pgx.QueryExecModeSimpleProtocol, n)
	if err != nil {
		tb.Fatalf("seeding %d conversations: %v", n, err)
	}
}

// signedInRequest returns a request carrying c's session.
func signedInRequest(c *client, path string) *http.Request {
	req := httptest.NewRequest("GET", path, nil)
	u, _ := req.URL.Parse(c.e.ts.URL + Prefix + "/")
	for _, k := range c.http.Jar.Cookies(u) {
		req.AddCookie(k)
	}
	return req
}

// BenchmarkInbox measures the server time of inbox pages over 10,000
// conversations (handler only: no network, no browser).
func BenchmarkInbox(b *testing.B) {
	dbURL := ""
	e := newEnvURL(b, &dbURL)
	seedInbox(b, e, dbURL, 10000)
	h := e.srv.Handler()
	c := e.signIn("bench", RoleAdmin)
	for _, bc := range []struct{ name, path string }{
		{"first page", Prefix + "/"},
		{"live refresh", Prefix + "/inbox/rows"},
		{"channel filter", Prefix + "/?channel=instagram"},
		{"needs human", Prefix + "/?human=1"},
		{"search name", Prefix + "/?q=warga+nomor+99"},
		{"search phone", Prefix + "/?q=0812-0009-999"},
		{"search ticket", Prefix + "/?q=ADU-2026-009990"},
		{"conversation", Prefix + "/conversations/5000"},
	} {
		req := signedInRequest(c, bc.path)
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("status %d", w.Code)
				}
			}
		})
	}
}

// TestInboxPages pages through a seeded inbox: 50 rows a page, newest first,
// every conversation once.
func TestInboxPages(t *testing.T) {
	dbURL := ""
	e := newEnvURL(t, &dbURL)
	seedInbox(t, e, dbURL, 120)
	c := e.signIn("siti", RoleAdmin)
	rowRE := regexp.MustCompile(`data-id="(\d+)"`)
	more := regexp.MustCompile(`href="(/admin/\?[^"]+)">Tampilkan percakapan yang lebih lama`)
	seen := map[string]bool{}
	var order []string
	path := Prefix + "/"
	for pages := 0; path != ""; pages++ {
		if pages > 3 {
			t.Fatal("more pages than 120 conversations need")
		}
		_, body := c.get(path)
		rows := rowRE.FindAllStringSubmatch(body, -1)
		if len(rows) > pageSize {
			t.Fatalf("page of %d rows", len(rows))
		}
		for _, r := range rows {
			if seen[r[1]] {
				t.Fatalf("conversation %s on two pages", r[1])
			}
			seen[r[1]] = true
			order = append(order, r[1])
		}
		path = ""
		if m := more.FindStringSubmatch(body); m != nil {
			path = strings.ReplaceAll(m[1], "&amp;", "&")
		}
	}
	if len(seen) != 120 || order[0] != "1" || order[119] != "120" {
		t.Fatalf("paged through %d conversations, first %s last %s; want 120 from 1 (newest) to 120", len(seen), order[0], order[len(order)-1])
	}
}
