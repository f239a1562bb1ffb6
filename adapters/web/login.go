package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/store"
)

type loginPage struct {
	Next     string
	Username string
	Error    string
	Token    string
}

// loginForm shows the sign-in form with a fresh anti-forgery token, kept in
// a cookie that only the form's own POST sends back.
func (s *Server) loginForm(w http.ResponseWriter, r *http.Request, _ *session) {
	if sess, err := s.sessionOf(r); err == nil && sess != nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	s.showLogin(w, r, http.StatusOK, loginPage{Next: safeNext(r.URL.Query().Get("next"))})
}

func (s *Server) showLogin(w http.ResponseWriter, r *http.Request, status int, p loginPage) {
	p.Token = newToken()
	s.setCookie(w, r, loginCookie, p.Token, Prefix+"/login", s.cfg.LoginWindow, http.SameSiteStrictMode)
	s.render(w, r, status, "login", nil, "Masuk", p)
}

// login checks the form's token, the rate limit and the password, then
// starts a session.
func (s *Server) login(w http.ResponseWriter, r *http.Request, _ *session) {
	r.Body = http.MaxBytesReader(w, r.Body, defaultMaxBody)
	username := event.CleanText(strings.TrimSpace(r.PostFormValue("username")))
	password := r.PostFormValue("password")
	page := loginPage{Next: safeNext(r.PostFormValue("next")), Username: username}
	c, err := r.Cookie(loginCookie)
	if err != nil || !sameToken(r.PostFormValue("csrf"), c.Value) {
		page.Error = "Formulir kedaluwarsa atau tidak sah. Silakan coba masuk lagi."
		s.showLogin(w, r, http.StatusForbidden, page)
		return
	}
	ctx := r.Context()
	ip := s.clientIP(r)
	now := s.now()
	key := boundedName(username)
	attempt, err := s.store.BeginLogin(ctx, key, ip, now, s.loginLimits(now))
	if errors.Is(err, store.ErrLoginLimited) {
		s.log.Warn().Str("user", logName(username)).Str("ip", ip).Msg("sign-in refused: too many failures")
		page.Error = "Terlalu banyak percobaan masuk yang gagal. Silakan tunggu beberapa menit lalu coba lagi."
		s.showLogin(w, r, http.StatusTooManyRequests, page)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var u *store.User
	if key == username {
		if u, err = s.store.UserByName(ctx, username); err != nil && !errors.Is(err, store.ErrNotFound) {
			s.serverError(w, r, err)
			return
		}
	}
	hash := dummyHash()
	if u != nil {
		hash = u.PasswordHash
	}
	ok, err := s.hashBounded(ctx, hash, password)
	if errors.Is(err, errHashBusy) {
		// Not the password's fault: the attempt stays counted (pending
		// ones count as failures) and the caller is asked to come back.
		w.Header().Set("Retry-After", "5")
		page.Error = "Server sedang sibuk. Silakan coba masuk lagi sebentar lagi."
		s.showLogin(w, r, http.StatusServiceUnavailable, page)
		return
	}
	if err != nil {
		s.log.Error().Err(err).Str("user", logName(username)).Msg("stored password hash unreadable")
	}
	ok = ok && u != nil && !u.Disabled
	if err := s.store.FinishLogin(ctx, attempt, ok); err != nil {
		s.serverError(w, r, err)
		return
	}
	if !ok {
		s.log.Info().Str("user", logName(username)).Str("ip", ip).Msg("sign-in failed")
		page.Error = "Nama pengguna atau kata sandi salah."
		s.showLogin(w, r, http.StatusUnauthorized, page)
		return
	}
	token := newToken()
	if err := s.store.CreateSession(ctx, tokenHash(token), u.ID, newToken(), now.Add(s.cfg.SessionTTL)); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.setCookie(w, r, loginCookie, "", Prefix+"/login", -1, http.SameSiteStrictMode)
	s.setCookie(w, r, sessionCookie, token, Prefix, s.cfg.SessionTTL, http.SameSiteLaxMode)
	s.log.Info().Str("user", u.Username).Str("role", string(u.Role)).Msg("signed in")
	http.Redirect(w, r, page.Next, http.StatusSeeOther)
}

// logout ends the session.
func (s *Server) logout(w http.ResponseWriter, r *http.Request, sess *session) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.store.DeleteSession(r.Context(), tokenHash(c.Value)); err != nil {
			s.serverError(w, r, err)
			return
		}
		s.hub.endSession(sess.key)
	}
	s.setCookie(w, r, sessionCookie, "", Prefix, -1, http.SameSiteLaxMode)
	s.log.Info().Str("user", sess.User.Username).Msg("signed out")
	http.Redirect(w, r, Prefix+"/login", http.StatusSeeOther)
}
