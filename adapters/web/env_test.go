package web

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/aduan-gateway/aduan/config"
	"github.com/aduan-gateway/aduan/core/beritaacara"
	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/bus/bustest"
	"github.com/aduan-gateway/aduan/core/calendar"
	"github.com/aduan-gateway/aduan/core/complaint"
	"github.com/aduan-gateway/aduan/core/dialog"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/identity"
	"github.com/aduan-gateway/aduan/core/intake"
	"github.com/aduan-gateway/aduan/core/outbox"
	"github.com/aduan-gateway/aduan/store"
	"github.com/aduan-gateway/aduan/store/pgtest"
)

// testEnv is the admin inbox over a real database, a real embedded NATS
// server and the real core, so injected messages flow as in production.
type testEnv struct {
	t   testing.TB
	st  *store.Store
	bus *bus.Bus
	srv *Server
	ts  *httptest.Server
	// clock is added to the real time: tests move it to expire sessions.
	mu    sync.Mutex
	shift time.Duration
}

// testPassword is the password of every test user.
const testPassword = "kata-sandi-rahasia"

func testWebConfig() config.WebConfig {
	return config.WebConfig{
		SessionTTL: 12 * time.Hour, SessionIdle: 2 * time.Hour, CookieSecure: config.CookieSecureAuto,
		LoginMaxFailures: 5, LoginWindow: 15 * time.Minute, LoginConcurrency: 4, WalkinWait: 10 * time.Second,
	}
}

// newEnv starts the environment; adjust, if any, change the server's options.
func newEnv(t testing.TB, adjust ...func(*Options)) *testEnv {
	t.Helper()
	var url string
	return newEnvURL(t, &url, adjust...)
}

// newEnvURL is newEnv telling the test its database's URL.
func newEnvURL(t testing.TB, dbURL *string, adjust ...func(*Options)) *testEnv {
	t.Helper()
	b := bustest.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	*dbURL = pgtest.URL(t)
	st, err := store.Open(ctx, *dbURL, bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	e := &testEnv{t: t, st: st, bus: b}
	required := func(event.Channel) []identity.Field { return identity.Fields }
	relay := outbox.New(st, b, bustest.Logger(t))
	opt := Options{
		Store: st, Bus: b, Web: testWebConfig(), Required: required, Log: bustest.Logger(t),
		Now: e.now, KickOutbox: relay.Kick,
		Complaints: complaint.New(calendar.Embedded(), complaint.Options{Now: e.now, BeritaAcara: beritaacara.Render}),
	}
	for _, f := range adjust {
		f(&opt)
	}
	e.srv, err = New(opt)
	if err != nil {
		t.Fatal(err)
	}
	svc := intake.New(st, dialog.New(nil, nil), intake.Options{Log: bustest.Logger(t), Relay: relay})
	var wg sync.WaitGroup
	for _, run := range []func(context.Context) error{
		func(ctx context.Context) error { return svc.Run(ctx, b, bus.ConsumerSpec{}) },
		func(ctx context.Context) error { return svc.RunDelivery(ctx, b) },
		e.srv.Run,
	} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// A test over before a consumer finished starting cancels it: no failure.
			if err := run(ctx); err != nil && ctx.Err() == nil {
				t.Error(err)
			}
		}()
	}
	e.ts = httptest.NewServer(e.srv.Handler())
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		e.ts.Close()
		st.Close()
	})
	return e
}

func (e *testEnv) now() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return time.Now().Add(e.shift)
}

func (e *testEnv) advance(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.shift += d
}

func (e *testEnv) addUser(name string, role Role) store.UserID {
	e.t.Helper()
	hash, err := HashPassword(testPassword)
	if err != nil {
		e.t.Fatal(err)
	}
	id, err := e.st.CreateUser(context.Background(), name, hash, role)
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

// client is a browser stand-in: a cookie jar that does not follow redirects.
type client struct {
	t    testing.TB
	e    *testEnv
	http *http.Client
	csrf string
}

func (e *testEnv) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: e.t, e: e, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

var (
	csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	bodyCSRF  = regexp.MustCompile(`data-csrf="([^"]+)"`)
)

// signIn signs in as a new user of role and returns the signed-in client.
func (e *testEnv) signIn(name string, role Role) *client {
	e.t.Helper()
	e.addUser(name, role)
	c := e.client()
	res := c.login(name, testPassword)
	if res.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("sign-in of %s: status %d", name, res.StatusCode)
	}
	_, body := c.get(Prefix + "/")
	m := bodyCSRF.FindStringSubmatch(body)
	if m == nil {
		e.t.Fatalf("no CSRF token on the inbox page of %s", name)
	}
	c.csrf = m[1]
	return c
}

// login fills in the sign-in form as a browser would.
func (c *client) login(username, password string) *http.Response {
	c.t.Helper()
	_, body := c.get(Prefix + "/login")
	m := csrfInput.FindStringSubmatch(body)
	if m == nil {
		c.t.Fatal("sign-in form has no CSRF token")
	}
	return c.post(Prefix+"/login", url.Values{"username": {username}, "password": {password}, "csrf": {m[1]}})
}

func (c *client) get(path string) (*http.Response, string) {
	c.t.Helper()
	res, err := c.http.Get(c.e.ts.URL + path)
	return c.read(res, err)
}

// postPage sends a form with the session's CSRF token and returns the
// answer's body too.
func (c *client) postPage(path string, form url.Values) (*http.Response, string) {
	c.t.Helper()
	form.Set("csrf", c.csrf)
	res, err := c.http.PostForm(c.e.ts.URL+path, form)
	return c.read(res, err)
}

// read reads and closes the body of an answer.
func (c *client) read(res *http.Response, err error) (*http.Response, string) {
	c.t.Helper()
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return res, string(b)
}

// post sends a form as is; postForm adds the session's CSRF token.
func (c *client) post(path string, form url.Values) *http.Response {
	c.t.Helper()
	res, err := c.http.PostForm(c.e.ts.URL+path, form)
	if err != nil {
		c.t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

func (c *client) postForm(path string, form url.Values) *http.Response {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", c.csrf)
	return c.post(path, form)
}

// citizen injects a citizen's message through the bus, as a channel adapter
// would, and waits until the core has stored it.
func (e *testEnv) citizen(ch event.Channel, from, text string, atts ...event.Attachment) store.ConversationID {
	e.t.Helper()
	return e.citizenNamed(ch, from, "Profil "+from, text, atts...)
}

// citizenNamed is citizen with the profile name the platform gives.
func (e *testEnv) citizenNamed(ch event.Channel, from, name, text string, atts ...event.Attachment) store.ConversationID {
	e.t.Helper()
	m := &event.Inbound{
		ID: event.NewID(), Channel: ch, Account: "62811000", ConversationKey: from,
		Sender: event.Sender{ID: from, Name: name}, Text: text, Attachments: atts,
		ReceivedAt: time.Now().UTC(),
	}
	m.ExternalID = m.ID
	ctx := context.Background()
	if _, err := e.bus.PublishEvent(ctx, m, m.Subject(), m.MsgID()); err != nil {
		e.t.Fatal(err)
	}
	var id store.ConversationID
	bustest.Eventually(e.t, 10*time.Second, func() bool {
		_, err := e.st.InboundByExternalID(ctx, ch, m.Account, m.ExternalID)
		if err != nil {
			return false
		}
		v, err := e.st.FindConversation(ctx, store.ConversationKey{Channel: ch, Account: m.Account, Key: from})
		if err != nil {
			return false
		}
		id = v.ID
		return true
	})
	return id
}

// image stores a small PNG in the object store and returns its attachment.
func (e *testEnv) image(caption string) event.Attachment {
	e.t.Helper()
	key, sha, size, err := e.bus.PutAttachment(context.Background(), bytes.NewReader(pngBytes), "ktp.png", "image/png")
	if err != nil {
		e.t.Fatal(err)
	}
	return event.Attachment{Kind: event.AttachmentImage, MIME: "image/png", Filename: "ktp.png", Size: size,
		SHA256: sha, ObjectKey: key, Caption: caption}
}

// pngBytes is a 1×1 PNG.
var pngBytes = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde" +
	"\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82")

// channelFake receives what the adapter of ch would send: it consumes the
// OUTBOUND work queue for that channel, as the real adapter does.
type channelFake struct {
	mu   sync.Mutex
	msgs []event.Outbound
}

func (e *testEnv) channelFake(ch event.Channel) *channelFake {
	e.t.Helper()
	f := &channelFake{}
	ctx, cancel := context.WithCancel(context.Background())
	c, err := e.bus.JetStream().CreateOrUpdateConsumer(ctx, bus.StreamOutbound, jetstream.ConsumerConfig{
		Durable: "fake-" + string(ch), FilterSubject: event.OutboundSubject(ch), AckPolicy: jetstream.AckExplicitPolicy,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	cc, err := c.Consume(func(m jetstream.Msg) {
		var ob event.Outbound
		if event.Unmarshal(m.Data(), &ob) == nil {
			f.mu.Lock()
			f.msgs = append(f.msgs, ob)
			f.mu.Unlock()
		}
		m.Ack() //nolint:errcheck
	})
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { cc.Stop(); cancel() })
	return f
}

// waitFor returns the first message whose text contains s.
func (f *channelFake) waitFor(t testing.TB, s string) event.Outbound {
	t.Helper()
	var got event.Outbound
	bustest.Eventually(t, 10*time.Second, func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, m := range f.msgs {
			if strings.Contains(m.Text, s) {
				got = m
				return true
			}
		}
		return false
	})
	return got
}

func (f *channelFake) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.msgs)
}

func convPath(id store.ConversationID, rest string) string {
	return Prefix + "/conversations/" + idString(id) + rest
}

// Handler returns the admin inbox alone, for tests and benchmarks.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.Mount(mux)
	return mux
}
