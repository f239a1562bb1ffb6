package web

import (
	"errors"
	"net/http"
	"strings"

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
	username := strings.TrimSpace(r.PostFormValue("username"))
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
	byUser, byIP, err := s.store.FailedLogins(ctx, username, ip, now.Add(-s.cfg.LoginWindow))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if byUser >= s.cfg.LoginMaxFailures || byIP >= 4*s.cfg.LoginMaxFailures {
		s.log.Warn().Str("user", username).Str("ip", ip).Msg("sign-in refused: too many failures")
		page.Error = "Terlalu banyak percobaan masuk yang gagal. Silakan tunggu beberapa menit lalu coba lagi."
		s.showLogin(w, r, http.StatusTooManyRequests, page)
		return
	}
	u, err := s.store.UserByName(ctx, username)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.serverError(w, r, err)
		return
	}
	hash := dummyHash()
	if u != nil {
		hash = u.PasswordHash
	}
	ok, err := CheckPassword(hash, password)
	if err != nil {
		s.log.Error().Err(err).Str("user", username).Msg("stored password hash unreadable")
	}
	ok = ok && u != nil && !u.Disabled
	if err := s.store.RecordLoginAttempt(ctx, username, ip, ok, now); err != nil {
		s.serverError(w, r, err)
		return
	}
	if !ok {
		s.log.Info().Str("user", username).Str("ip", ip).Msg("sign-in failed")
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
	s.log.Info().Str("user", u.Username).Str("role", u.Role).Msg("signed in")
	http.Redirect(w, r, page.Next, http.StatusSeeOther)
}

// logout ends the session.
func (s *Server) logout(w http.ResponseWriter, r *http.Request, sess *session) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.store.DeleteSession(r.Context(), tokenHash(c.Value)); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	s.setCookie(w, r, sessionCookie, "", Prefix, -1, http.SameSiteLaxMode)
	s.log.Info().Str("user", sess.User.Username).Msg("signed out")
	http.Redirect(w, r, Prefix+"/login", http.StatusSeeOther)
}
