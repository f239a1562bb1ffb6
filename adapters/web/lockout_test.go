package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// hashProbe wraps the server's password check to count the hashes run and
// the most run at once.
type hashProbe struct {
	total, running, peak atomic.Int64
}

// probe counts the real argon2 checks (an option for newEnv).
func (p *hashProbe) probe(o *Options) { o.CheckPassword = p.wrap(CheckPassword) }

// cheap replaces argon2 with a plain comparison of the test password:
// tests of the limits need not spend seconds hashing under -race.
func (p *hashProbe) cheap(o *Options) {
	o.CheckPassword = p.wrap(func(_, password string) (bool, error) { return password == testPassword, nil })
}

// cheapHashes is the option cheap without a probe to read.
func cheapHashes(o *Options) { new(hashProbe).cheap(o) }

func (p *hashProbe) wrap(check func(hash, password string) (bool, error)) func(hash, password string) (bool, error) {
	return func(hash, password string) (bool, error) {
		p.total.Add(1)
		n := p.running.Add(1)
		defer p.running.Add(-1)
		for {
			old := p.peak.Load()
			if n <= old || p.peak.CompareAndSwap(old, n) {
				break
			}
		}
		return check(hash, password)
	}
}

// formClient is a client that has fetched the sign-in form and can post it
// later, so many can be released at once.
func (e *testEnv) formClient() (*client, string) {
	c := e.client()
	_, body := c.get(Prefix + "/login")
	m := csrfInput.FindStringSubmatch(body)
	if m == nil {
		e.t.Fatal("sign-in form has no CSRF token")
	}
	return c, m[1]
}

// loginTry is a sign-in form fetched and ready to post.
type loginTry struct {
	c                  *client
	csrf               string
	username, password string
}

func (e *testEnv) loginTry(username, password string) loginTry {
	c, csrf := e.formClient()
	return loginTry{c, csrf, username, password}
}

// postAll releases every try at once and returns their statuses.
func (e *testEnv) postAll(tries []loginTry) []int {
	statuses := make([]int, len(tries))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, a := range tries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			res, err := a.c.http.PostForm(e.ts.URL+Prefix+"/login",
				url.Values{"username": {a.username}, "password": {a.password}, "csrf": {a.csrf}})
			if err != nil {
				e.t.Error(err)
				return
			}
			res.Body.Close()
			statuses[i] = res.StatusCode
		}()
	}
	close(start)
	wg.Wait()
	return statuses
}

// TestSignInLockoutConcurrent sends 80 wrong guesses at once: the attempts
// are counted before any hash, so no more than the limit are checked, and
// the right password afterwards is refused.
func TestSignInLockoutConcurrent(t *testing.T) {
	t.Parallel() // its own database and NATS server
	probe := &hashProbe{}
	e := newEnv(t, probe.cheap)
	e.addUser("dewi", RoleAdmin)
	const guesses = 80
	var tries []loginTry
	for i := range guesses {
		tries = append(tries, e.loginTry("dewi", fmt.Sprintf("tebakan-salah-%02d", i)))
	}
	statuses := e.postAll(tries)
	max := int64(e.srv.cfg.LoginMaxFailures)
	if n := probe.total.Load(); n > max {
		t.Errorf("%d passwords hashed for %d simultaneous tries; at most %d may be", n, guesses, max)
	}
	refused := 0
	for _, s := range statuses {
		if s == http.StatusTooManyRequests {
			refused++
		}
	}
	if refused < guesses-int(max) {
		t.Errorf("%d of %d simultaneous tries refused with 429, want at least %d", refused, guesses, guesses-int(max))
	}
	c, csrf := e.formClient()
	res := c.post(Prefix+"/login", url.Values{"username": {"dewi"}, "password": {testPassword}, "csrf": {csrf}})
	if res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("right password after the burst: %d, want 429", res.StatusCode)
	}
}

// TestSignInHashesBounded signs many users in at once: the hashes queue for
// a few slots instead of each taking its 19 MiB at the same time.
func TestSignInHashesBounded(t *testing.T) {
	t.Parallel() // its own database and NATS server
	probe := &hashProbe{}
	e := newEnv(t, probe.probe, func(o *Options) {
		o.Web.LoginConcurrency = 2
		o.HashWait = time.Minute // real argon2 under -race on a busy machine
	})
	const users = 6
	var tries []loginTry
	for i := range users {
		name := fmt.Sprintf("petugas-%02d", i)
		e.addUser(name, RoleAdmin)
		tries = append(tries, e.loginTry(name, testPassword))
	}
	statuses := e.postAll(tries)
	if p := probe.peak.Load(); p > 2 {
		t.Errorf("%d hashes ran at once with 2 slots", p)
	}
	for i, s := range statuses {
		if s != http.StatusSeeOther {
			t.Errorf("sign-in of %s: %d, want 303 after waiting for a slot", tries[i].username, s)
		}
	}
}

// loginFrom signs in with a fresh browser through a trusted proxy that
// reports addr as the caller: X-Forwarded-For carries what the caller sent,
// then addr.
func (e *testEnv) loginFrom(addr, spoofed, username, password string) int {
	e.t.Helper()
	c := e.client()
	_, body := c.get(Prefix + "/login")
	m := csrfInput.FindStringSubmatch(body)
	if m == nil {
		c.t.Fatal("sign-in form has no CSRF token")
	}
	form := url.Values{"username": {username}, "password": {password}, "csrf": {m[1]}}
	req, err := http.NewRequest(http.MethodPost, e.ts.URL+Prefix+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	xff := addr
	if spoofed != "" {
		xff = spoofed + ", " + addr
	}
	req.Header.Set("X-Forwarded-For", xff)
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// TestForwardedForSpoofing: behind the trusted proxy, the caller's address
// is the entry the proxy appended (the right-most), not one the caller
// wrote itself, so rotating a forged entry does not escape the limits.
func TestForwardedForSpoofing(t *testing.T) {
	t.Parallel() // its own database and NATS server
	e := newEnv(t, cheapHashes, func(o *Options) { o.Web.TrustProxy = true })
	tests := []struct {
		name, xff, want string
	}{
		{"proxy entry only", "203.0.113.7", "203.0.113.7"},
		{"forged entry before the proxy's", "1.2.3.4, 203.0.113.7", "203.0.113.7"},
		{"several forged entries", "1.1.1.1,2.2.2.2 , 203.0.113.7", "203.0.113.7"},
		{"IPv6 from the proxy", "1.2.3.4, 2001:db8::1", "2001:db8::1"},
		{"garbage from the proxy falls back to the peer", "1.2.3.4, not-an-address", "192.0.2.1"},
		{"empty entry falls back to the peer", "1.2.3.4, ", "192.0.2.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := http.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = "192.0.2.1:4321"
			r.Header.Set("X-Forwarded-For", tt.xff)
			if got := e.srv.clientIP(r); got != tt.want {
				t.Fatalf("clientIP with X-Forwarded-For %q = %q, want %q", tt.xff, got, tt.want)
			}
		})
	}
	t.Run("rotating forged entries stays limited", func(t *testing.T) {
		e.addUser("yanti", RoleAdmin)
		for i := range 5 {
			e.loginFrom("198.51.100.9", fmt.Sprintf("10.9.9.%d", i), "yanti", "tebakan-salah")
		}
		if got := e.loginFrom("198.51.100.9", "10.9.9.99", "yanti", testPassword); got != http.StatusTooManyRequests {
			t.Fatalf("sign-in after 5 failures with forged addresses: %d, want 429", got)
		}
	})
}

// TestSignInLockoutNotDenialOfService: an attacker's failures lock his own
// (user name, address) pairs; the user-wide and address-wide limits spare
// pairs that signed in before, so the owner of a name, and colleagues
// behind the same NAT, still get in.
func TestSignInLockoutNotDenialOfService(t *testing.T) {
	t.Parallel() // its own database and NATS server
	e := newEnv(t, cheapHashes, func(o *Options) { o.Web.TrustProxy = true })
	e.addUser("ani", RoleAdmin)
	e.addUser("budi", RoleAdmin)
	e.addUser("cici", RoleAdmin)
	const office = "203.0.113.10"
	for _, name := range []string{"ani", "budi"} {
		if got := e.loginFrom(office, "", name, testPassword); got != http.StatusSeeOther {
			t.Fatalf("first sign-in of %s: %d", name, got)
		}
	}
	for i := range 5 {
		e.loginFrom("198.51.100.66", "", "ani", fmt.Sprintf("tebakan-%d", i))
	}
	if got := e.loginFrom("198.51.100.66", "", "ani", testPassword); got != http.StatusTooManyRequests {
		t.Errorf("attacker's pair after 5 failures: %d, want 429", got)
	}
	if got := e.loginFrom(office, "", "ani", testPassword); got != http.StatusSeeOther {
		t.Errorf("ani from her office after an attacker's 5 failures elsewhere: %d, want 303", got)
	}
	for i := range 20 {
		e.loginFrom(fmt.Sprintf("198.51.100.%d", 100+i), "", "ani", "tebakan-salah")
	}
	if got := e.loginFrom("198.51.100.200", "", "ani", testPassword); got != http.StatusTooManyRequests {
		t.Errorf("ani from a new address after 25 failures from many: %d, want 429 (user-wide limit)", got)
	}
	if got := e.loginFrom(office, "", "ani", testPassword); got != http.StatusSeeOther {
		t.Errorf("ani from her office after 25 failures from many addresses: %d, want 303", got)
	}
	// A guesser behind the office NAT tries many names.
	for i := range 20 {
		e.loginFrom(office, "", fmt.Sprintf("tamu-%d", i), "tebakan-salah")
	}
	if got := e.loginFrom(office, "", "budi", testPassword); got != http.StatusSeeOther {
		t.Errorf("budi behind the office NAT after 20 failures there: %d, want 303", got)
	}
	if got := e.loginFrom(office, "", "cici", testPassword); got != http.StatusTooManyRequests {
		t.Errorf("cici, new behind the office NAT, after 20 failures there: %d, want 429 until the window passes", got)
	}
	e.advance(16 * time.Minute)
	defer e.advance(-16 * time.Minute)
	if got := e.loginFrom(office, "", "cici", testPassword); got != http.StatusSeeOther {
		t.Errorf("cici after the window: %d, want 303", got)
	}
}
