package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/adapters/meta"
	"github.com/aduan-gateway/aduan/config"
	"github.com/aduan-gateway/aduan/core/bus/bustest"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/intake"
	"github.com/aduan-gateway/aduan/store"
)

const (
	hostileSecret = "rahasia-aplikasi-uji"
	hostilePage   = "1122334455"
)

// hostile is one hostile input: what it sends, the status it must get, and
// what must (or must not) be stored afterwards.
type hostile struct {
	name  string
	send  func(t *testing.T) int
	want  int
	check func(t *testing.T) string // "" when what is stored is right
}

// messengerBody is a signed-webhook body of one Messenger text.
func messengerBody(page, sender, mid, text string) []byte {
	return []byte(fmt.Sprintf(`{"object":"page","entry":[{"id":%q,"time":1764221400000,"messaging":[`+
		`{"sender":{"id":%q},"recipient":{"id":%q},"timestamp":1764221400000,"message":{"mid":%q,"text":%s}}]}]}`,
		page, sender, page, mid, text))
}

// TestHostileInputs sends what an attacker would to the webhook, the admin
// inbox and the chat path (events as adapters publish them), and checks the
// answer, what is kept, and that nothing panics (a panic would break the
// connection: send fails the test). docs/security.md lists the same cases.
func TestHostileInputs(t *testing.T) {
	t.Parallel() // its own database and NATS server
	e := newEnv(t)
	ctx := context.Background()
	wh := meta.NewWebhook(config.MetaConfig{Pages: map[string]string{hostilePage: "token"}, AppSecret: hostileSecret,
		VerifyToken: "verifikasi", GraphURL: "http://127.0.0.1:1/", GraphVersion: "v23.0", GraphTimeout: time.Second,
		MaxAttachmentSize: 1 << 20, DownloadTimeout: time.Second, SendAttempts: 1}, e.bus, meta.Options{Log: bustest.Logger(t)})
	mux := http.NewServeMux()
	wh.Mount(mux)
	hooks := httptest.NewServer(mux)
	defer hooks.Close()
	rejectedCtx, stopRejected := context.WithCancel(ctx)
	defer stopRejected()
	go intake.New(e.st, nil, intake.Options{Log: bustest.Logger(t)}).RunRejected(rejectedCtx, e.bus) //nolint:errcheck // ends with the test

	post := func(body []byte, sig string) int {
		req, _ := http.NewRequest(http.MethodPost, hooks.URL+meta.Path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if sig != "" {
			req.Header.Set(meta.SignatureHeader, sig)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("webhook connection broken (a panic?): %v", err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	signed := func(body []byte) func(*testing.T) int {
		return func(*testing.T) int { return post(body, meta.Sign([]byte(hostileSecret), body)) }
	}
	stored := func(ch event.Channel, account, ext string, want func(text string) bool) func(*testing.T) string {
		return func(t *testing.T) string {
			var m *store.Message
			// A 128 KiB text goes through identity extraction: slow under -race.
			bustest.Eventually(t, 45*time.Second, func() bool {
				var err error
				m, err = e.st.InboundByExternalID(ctx, ch, account, ext)
				return err == nil
			})
			if !want(m.Text) {
				return fmt.Sprintf("stored text %q", m.Text)
			}
			return ""
		}
	}
	notStored := func(ch event.Channel, account, ext string) func(*testing.T) string {
		return func(t *testing.T) string {
			if _, err := e.st.InboundByExternalID(ctx, ch, account, ext); err == nil {
				return "message " + ext + " stored"
			}
			return ""
		}
	}
	rejectedWith := func(reason string) func(*testing.T) string {
		return func(t *testing.T) string {
			bustest.Eventually(t, 10*time.Second, func() bool {
				kept, err := e.st.RecentRejected(ctx, 50)
				for _, k := range kept {
					if err == nil && strings.Contains(k.Reason, reason) {
						return true
					}
				}
				return false
			})
			return ""
		}
	}
	nothing := func(*testing.T) string { return "" }

	officer := e.signIn("petugas", RoleAdmin)
	get := func(path string) func(*testing.T) int {
		return func(t *testing.T) int {
			res, err := officer.http.Get(e.ts.URL + path)
			if err != nil {
				t.Fatalf("connection broken (a panic?): %v", err)
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			return res.StatusCode
		}
	}
	form := func(c *client, path string, v url.Values) func(*testing.T) int {
		return func(t *testing.T) int {
			res, err := c.http.PostForm(e.ts.URL+path, v)
			if err != nil {
				t.Fatalf("connection broken (a panic?): %v", err)
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			return res.StatusCode
		}
	}
	withCSRF := func(v url.Values) url.Values { v.Set("csrf", officer.csrf); return v }
	login := func(username string) func(*testing.T) int {
		return func(t *testing.T) int {
			c, csrf := e.formClient()
			return form(c, Prefix+"/login", url.Values{"username": {username}, "password": {"salah-sekali-ya"}, "csrf": {csrf}})(t)
		}
	}
	conv := e.citizen(event.ChannelWhatsApp, "6281234500099", "Halo, bantuan PKH saya belum cair")
	pageShows := func(path string, bad ...string) func(*testing.T) string {
		return func(t *testing.T) string {
			res, body := officer.get(path)
			if res.StatusCode != http.StatusOK {
				return fmt.Sprintf("%s: status %d", path, res.StatusCode)
			}
			for _, b := range bad {
				if strings.Contains(body, b) {
					return fmt.Sprintf("%s shows %q", path, b)
				}
			}
			return ""
		}
	}
	chat := func(from, name, text string) func(*testing.T) int {
		return func(t *testing.T) int {
			m := &event.Inbound{ID: event.NewID(), Channel: event.ChannelWhatsApp, Account: "62811000",
				ExternalID: "chat-" + from, ConversationKey: from, Sender: event.Sender{ID: from, Name: name},
				Text: text, ReceivedAt: time.Now().UTC()}
			if _, err := e.bus.PublishEvent(ctx, m, m.Subject(), m.MsgID()); err != nil {
				t.Fatal(err)
			}
			return 0
		}
	}
	chatRaw := func(ext, data string) func(*testing.T) int {
		return func(t *testing.T) int {
			if _, err := e.bus.Publish(ctx, event.InboundSubject(event.ChannelWhatsApp), "whatsapp:62811000:"+ext, []byte(data)); err != nil {
				t.Fatal(err)
			}
			return 0
		}
	}
	chatStored := func(from string, want func(string) bool) func(*testing.T) string {
		return stored(event.ChannelWhatsApp, "62811000", "chat-"+from, want)
	}
	long := strings.Repeat("Bantuan belum cair. ", 10_000) // 200 KB
	valid := func(s string) bool { return !strings.ContainsRune(s, 0) && strings.ToValidUTF8(s, "") == s }

	cases := []hostile{
		// The Meta webhook.
		{"webhook: no signature", func(*testing.T) int { return post(messengerBody(hostilePage, "1", "m_a1", `"x"`), "") }, 403, notStored("messenger", hostilePage, "m_a1")},
		{"webhook: wrong signature", func(*testing.T) int {
			return post(messengerBody(hostilePage, "1", "m_a2", `"x"`), "sha256="+strings.Repeat("0", 64))
		}, 403, notStored("messenger", hostilePage, "m_a2")},
		{"webhook: signature of another body", func(*testing.T) int {
			return post(messengerBody(hostilePage, "1", "m_a3", `"x"`), meta.Sign([]byte(hostileSecret), []byte("{}")))
		}, 403, notStored("messenger", hostilePage, "m_a3")},
		{"webhook: signature not hex", func(*testing.T) int {
			return post(messengerBody(hostilePage, "1", "m_a4", `"x"`), "sha256=zz")
		}, 403, notStored("messenger", hostilePage, "m_a4")},
		{"webhook: sha1 signature only", func(*testing.T) int {
			return post(messengerBody(hostilePage, "1", "m_a5", `"x"`), "sha1=abc")
		}, 403, notStored("messenger", hostilePage, "m_a5")},
		{"webhook: body over 1 MiB", func(*testing.T) int { return post(bytes.Repeat([]byte("a"), 2<<20), "sha256=00") }, 413, nothing},
		{"webhook: signed, not JSON", signed([]byte("bukan json")), 200, rejectedWith("not JSON")},
		{"webhook: signed, empty body", signed([]byte{}), 200, rejectedWith("not JSON")},
		{"webhook: signed, JSON array", signed([]byte(`[1,2,3]`)), 200, rejectedWith("not JSON")},
		{"webhook: signed, unknown object", signed([]byte(`{"object":"user","entry":[]}`)), 200, rejectedWith(`object "user" not handled`)},
		{"webhook: signed, JSON nested 100000 deep", signed([]byte(strings.Repeat("[", 100000))), 200, rejectedWith("not JSON")},
		{"webhook: page not configured", signed(messengerBody("9988776655", "2", "m_b1", `"halo"`)), 200, rejectedWith(`"9988776655" is not configured`)},
		{"webhook: text with NUL", signed(messengerBody(hostilePage, "3", "m_b2", `"ha\u0000lo"`)), 200,
			stored("messenger", hostilePage, "m_b2", func(s string) bool { return s == "halo" })},
		{"webhook: text with invalid UTF-8", signed(messengerBody(hostilePage, "4", "m_b3", "\"ha\xfflo\"")), 200,
			stored("messenger", hostilePage, "m_b3", valid)},
		{"webhook: right-to-left override", signed(messengerBody(hostilePage, "5", "m_b4", `"foto\u202egpj.exe"`)), 200,
			stored("messenger", hostilePage, "m_b4", func(s string) bool { return s == "fotogpj.exe" })},
		{"webhook: 200 KB text", signed(messengerBody(hostilePage, "6", "m_b5", fmt.Sprintf("%q", long))), 200,
			stored("messenger", hostilePage, "m_b5", func(s string) bool { return len(s) <= event.MaxTextBytes && strings.HasPrefix(long, s) })},
		{"webhook: sender id with a path", signed(messengerBody(hostilePage, "1/../../me", "m_b6", `"halo"`)), 200,
			stored("messenger", hostilePage, "m_b6", func(s string) bool { return s == "halo" })},
		{"webhook: message without mid", signed(messengerBody(hostilePage, "7", "", `"halo"`)), 200, rejectedWith("entry[0]")},
		{"webhook: text is a number", signed(messengerBody(hostilePage, "8", "m_b7", `12345`)), 200, rejectedWith("entry[0]")},
		{"webhook: script in text", signed(messengerBody(hostilePage, "9", "m_b8", `"<script>alert(1)</script>"`)), 200,
			stored("messenger", hostilePage, "m_b8", func(s string) bool { return s == "<script>alert(1)</script>" })},
		{"webhook: same mid twice", func(t *testing.T) int {
			body := messengerBody(hostilePage, "10", "m_b9", `"sekali"`)
			signed(body)(t)
			return signed(body)(t)
		}, 200, stored("messenger", hostilePage, "m_b9", func(s string) bool { return s == "sekali" })},
		{"webhook: GET verify with wrong token", func(t *testing.T) int {
			res, err := http.Get(hooks.URL + meta.Path + "?hub.mode=subscribe&hub.verify_token=salah&hub.challenge=x")
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			return res.StatusCode
		}, 403, nothing},

		// The admin inbox.
		{"web: search cut mid-character", get(Prefix + "/?q=Sit%C3"), 200, nothing},
		{"web: search with NUL", get(Prefix + "/?q=a%00b"), 200, nothing},
		{"web: search with invalid UTF-8", get(Prefix + "/?q=%FF%FE"), 200, nothing},
		{"web: search of 10 KB", get(Prefix + "/?q=" + strings.Repeat("a", 10_000)), 200, nothing},
		{"web: search with SQL", get(Prefix + "/?q=%27%20OR%201%3D1%20--"), 200, nothing},
		{"web: search with LIKE wildcards", get(Prefix + "/?q=%25%25_%5C"), 200, nothing},
		{"web: inbox rows with unknown filters", get(Prefix + "/inbox/rows?channel=x%00&status=%FF&before=zz"), 200, nothing},
		{"web: conversation id not a number", get(Prefix + "/conversations/abc"), 404, nothing},
		{"web: conversation id too large", get(Prefix + "/conversations/99999999999999999999999"), 404, nothing},
		{"web: conversation id negative", get(Prefix + "/conversations/-1"), 404, nothing},
		{"web: attachment that does not exist", get(Prefix + "/attachments/424242"), 404, nothing},
		{"web: static path traversal (cleaned by the mux, outside /admin)", get(Prefix + "/static/../../../etc/passwd"), 307, nothing},
		{"web: reply with NUL", form(officer, convPath(conv, "/reply"), withCSRF(url.Values{"text": {"ba\x00ik"}})), 303, nothing},
		{"web: reply with invalid UTF-8", form(officer, convPath(conv, "/reply"), withCSRF(url.Values{"text": {"ba\xffik"}})), 303, nothing},
		{"web: note with NUL", form(officer, convPath(conv, "/notes"), withCSRF(url.Values{"text": {"ca\x00tatan"}})), 303, nothing},
		{"web: reply of 2 MB", form(officer, convPath(conv, "/reply"), withCSRF(url.Values{"text": {strings.Repeat("a", 2<<20)}})), 413, nothing},
		{"web: reply without CSRF token", form(officer, convPath(conv, "/reply"), url.Values{"text": {"x"}}), 403, nothing},
		{"web: reply with another session's token", form(officer, convPath(conv, "/reply"), url.Values{"text": {"x"}, "csrf": {newToken()}}), 403, nothing},
		{"web: sign-in with a 100 KB name", login(strings.Repeat("a", 100_000)), 401, nothing},
		{"web: sign-in with NUL in the name", login("ad\x00min"), 401, nothing},
		{"web: sign-in with invalid UTF-8 name", login("ad\xffmin"), 401, nothing},
		{"web: sign-in with control characters", login("admin\r\n\x1b[2J"), 401, nothing},
		{"web: sign-in form without token", form(e.client(), Prefix+"/login", url.Values{"username": {"a"}, "password": {"b"}}), 403, nothing},
		{"web: live stream without a session", func(t *testing.T) int {
			req, _ := http.NewRequest(http.MethodGet, e.ts.URL+Prefix+"/events", nil)
			req.Header.Set("Accept", "text/event-stream")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			return res.StatusCode
		}, 401, nothing},

		// The chat path: events as an adapter publishes them.
		{"chat: NUL in text and name", chat("6281200000001", "Bu\x00di", "to\x00long"), 0,
			chatStored("6281200000001", func(s string) bool { return s == "tolong" })},
		{"chat: invalid UTF-8", chat("6281200000002", "\xff", "to\xfflong"), 0, chatStored("6281200000002", valid)},
		{"chat: 200 KB text", chat("6281200000003", "Siti", long), 0,
			chatStored("6281200000003", func(s string) bool { return len(s) <= event.MaxTextBytes })},
		{"chat: script and SQL kept as words", chat("6281200000004", "<b>x</b>", "'); DROP TABLE messages; --"), 0,
			chatStored("6281200000004", func(s string) bool { return s == "'); DROP TABLE messages; --" })},
		{"chat: escape sequences kept for the record", chat("6281200000005", "Siti", "\x1b[2Jhalo"), 0,
			chatStored("6281200000005", func(s string) bool { return s == "\x1b[2Jhalo" })},
		{"chat: emoji and joiners", chat("6281200000006", "👩‍👩‍👧", "🙏🏽 tolong"), 0,
			chatStored("6281200000006", func(s string) bool { return s == "🙏🏽 tolong" })},
		{"chat: encoded event with NUL", chatRaw("chat-raw-1", `{"schema":"aduan.inbound.v1","id":"01JRAW0000000000000000000A","channel":"whatsapp",`+
			`"account":"62811000","external_id":"chat-raw-1","conversation_key":"6281200000007","sender":{"id":"6281200000007"},`+
			`"text":"a\u0000b","received_at":"2026-11-27T09:00:00Z"}`), 0,
			stored(event.ChannelWhatsApp, "62811000", "chat-raw-1", func(s string) bool { return s == "ab" })},
		{"chat: event with no text and nothing else", chatRaw("chat-raw-2", `{"schema":"aduan.inbound.v1","id":"01JRAW0000000000000000000B","channel":"whatsapp",`+
			`"account":"62811000","external_id":"chat-raw-2","conversation_key":"6281200000008","sender":{"id":"6281200000008"},`+
			`"received_at":"2026-11-27T09:00:00Z"}`), 0, nothing},
		{"chat: event of another schema", chatRaw("chat-raw-3", `{"schema":"aduan.inbound.v9","text":"x"}`), 0, nothing},
		{"chat: not JSON", chatRaw("chat-raw-4", `bukan json`), 0, nothing},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.send(t); got != tc.want {
				t.Fatalf("status %d, want %d", got, tc.want)
			}
			if problem := tc.check(t); problem != "" {
				t.Fatal(problem)
			}
		})
	}
	t.Run("pages after all of it", func(t *testing.T) {
		e.citizenNamed(event.ChannelWhatsApp, "6281200000010", "Budi\u202egnp.exe<script>", "Foto\u202egpj.exe")
		if problem := pageShows(Prefix+"/", "\u202e", "<script>")(t); problem != "" {
			t.Fatal(problem)
		}
		if problem := pageShows(convPath(conv, ""), "\x00")(t); problem != "" {
			t.Fatal(problem)
		}
	})
	if n := len(cases) + 1; n < 50 {
		t.Errorf("%d hostile cases; the issue asks for at least 50", n)
	}
}
