package web

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/aduan-gateway/aduan/config"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/store"
)

// Cookie names. The session cookie holds a random token; the database keeps
// only its hash.
const (
	sessionCookie = "aduan_session"
	loginCookie   = "aduan_login"
)

// session is the signed-in user of a request.
type session struct {
	User store.User
	Role Role
	CSRF string
	// key names the session in the hub: its token hash, hex-encoded.
	key string
}

// can reports whether the user has permission p.
func (s *session) can(p Permission) bool { return s != nil && can(s.Role, p) }

// Can is can for templates: {{if $.Sess.Can "conversation.reply"}}.
func (s *session) Can(p string) bool { return s.can(Permission(p)) }

// guard wraps a route: it finds the session, refuses a visitor who is not
// signed in or lacks the route's permission, bounds POST bodies and checks
// their CSRF token.
func (s *Server) guard(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rt.public {
			rt.handle(w, r, nil)
			return
		}
		sess, err := s.sessionOf(r)
		if err != nil {
			if !errors.Is(err, store.ErrNotFound) {
				s.serverError(w, r, err)
				return
			}
			if r.Method == http.MethodGet && r.Header.Get("Accept") != "text/event-stream" {
				http.Redirect(w, r, Prefix+"/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			http.Error(w, "Silakan masuk terlebih dahulu.", http.StatusUnauthorized)
			return
		}
		if rt.perm != "" && !sess.can(rt.perm) {
			s.forbidden(w, r, sess)
			return
		}
		if r.Method == http.MethodPost {
			max := rt.maxBody
			if max == 0 {
				max = defaultMaxBody
			}
			if max > defaultMaxBody {
				// A large upload may outlast the server's read and write
				// timeouts; it gets its own, still bounded.
				rc := http.NewResponseController(w)
				_ = rc.SetReadDeadline(time.Now().Add(s.uploadTime))
				_ = rc.SetWriteDeadline(time.Now().Add(s.uploadTime + time.Minute))
			}
			r.Body = http.MaxBytesReader(w, r.Body, max)
			var err error
			if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
				err = r.ParseMultipartForm(8 << 20) // larger files wait on disk, not in memory
			} else {
				err = r.ParseForm()
			}
			if tooBig := (*http.MaxBytesError)(nil); errors.As(err, &tooBig) {
				s.renderError(w, r, sess, http.StatusRequestEntityTooLarge,
					fmt.Sprintf("Kiriman terlalu besar: paling banyak %d MB sekaligus.", max>>20))
				return
			}
			if err != nil && !errors.Is(err, http.ErrNotMultipart) {
				// A body cut off (the read timeout, a dropped connection) must
				// not be acted on as a shorter form.
				s.renderError(w, r, sess, http.StatusBadRequest, "Kiriman tidak terbaca utuh. Silakan kirim ulang.")
				return
			}
			cleanForm(r)
			token := r.Header.Get("X-CSRF-Token")
			if token == "" {
				token = r.PostFormValue("csrf")
			}
			if !sameToken(token, sess.CSRF) {
				s.log.Warn().Str("user", sess.User.Username).Str("path", r.URL.Path).Msg("form refused: CSRF token missing or wrong")
				s.renderError(w, r, sess, http.StatusForbidden, "Formulir ditolak karena token keamanan tidak cocok. Muat ulang halaman lalu coba lagi.")
				return
			}
		}
		rt.handle(w, r, sess)
	})
}

// cleanForm makes every submitted value fit to store (event.CleanText):
// PostgreSQL refuses NUL and broken UTF-8, and a reply or a note with one
// would otherwise end in a 500.
func cleanForm(r *http.Request) {
	vals := []url.Values{r.Form, r.PostForm}
	if r.MultipartForm != nil {
		vals = append(vals, r.MultipartForm.Value)
	}
	for _, v := range vals {
		for _, vs := range v {
			for i := range vs {
				vs[i] = event.CleanText(vs[i])
			}
		}
	}
}

// sessionOf returns the live session of the request's cookie.
func (s *Server) sessionOf(r *http.Request) (*session, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil, store.ErrNotFound
	}
	now := s.now()
	hash := tokenHash(c.Value)
	ss, err := s.store.SessionByToken(r.Context(), hash, now, now.Add(-s.cfg.SessionIdle))
	if err != nil {
		return nil, err
	}
	return &session{User: ss.User, Role: ss.User.Role, CSRF: ss.CSRFToken, key: hex.EncodeToString(hash)}, nil
}

func sameToken(got, want string) bool {
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func newToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// secure tells whether cookies should carry the Secure flag for r.
func (s *Server) secure(r *http.Request) bool {
	switch s.cfg.CookieSecure {
	case config.CookieSecureAlways:
		return true
	case config.CookieSecureNever:
		return false
	}
	if r.TLS != nil {
		return true
	}
	return s.cfg.TrustProxy && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

func (s *Server) setCookie(w http.ResponseWriter, r *http.Request, name, value, path string, maxAge time.Duration, site http.SameSite) {
	age := int(maxAge / time.Second)
	if maxAge < 0 {
		age = -1 // delete now
	}
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: path, MaxAge: age,
		HttpOnly: true, Secure: s.secure(r), SameSite: site,
	})
}

// clientIP is the caller's address. Behind the trusted proxy it is the
// right-most X-Forwarded-For entry, the one our proxy appended: entries to
// its left were written by the caller and prove nothing. Exactly one proxy
// is supported; a missing or unreadable entry falls back to the peer.
func (s *Server) clientIP(r *http.Request) string {
	if s.cfg.TrustProxy {
		if f := r.Header.Values("X-Forwarded-For"); len(f) > 0 {
			last := f[len(f)-1]
			if i := strings.LastIndexByte(last, ','); i >= 0 {
				last = last[i+1:]
			}
			if ip, err := netip.ParseAddr(strings.TrimSpace(last)); err == nil {
				return ip.Unmap().String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// safeNext keeps a post-sign-in redirect inside the admin inbox.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || u.IsAbs() || u.Host != "" || !strings.HasPrefix(u.Path, Prefix+"/") ||
		strings.HasPrefix(next, "//") || strings.Contains(next, `\`) {
		return Prefix + "/"
	}
	return u.RequestURI()
}
