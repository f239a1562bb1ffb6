package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/aduan-gateway/aduan/core/workflow"
	"github.com/aduan-gateway/aduan/store"
)

// The users page: admins add staff, disable and enable them, reset their
// passwords (ending their sessions) and change their roles. Every change is
// audited by the store; an admin may not disable or demote themself, and
// the last enabled admin always remains.

type usersView struct {
	Users   []store.User
	Roles   []Role
	Self    string
	Message string
	Error   string
}

var userMessages = map[string]string{
	"added": "Pengguna ditambahkan.", "disabled": "Pengguna dinonaktifkan; sesinya diakhiri.",
	"enabled": "Pengguna diaktifkan kembali.", "password": "Kata sandi diganti; sesi pengguna itu diakhiri.",
	"role": "Peran pengguna diubah.",
}

func (s *Server) usersPage(w http.ResponseWriter, r *http.Request, sess *session) {
	s.renderUsers(w, r, sess, http.StatusOK, userMessages[r.URL.Query().Get("ok")], "")
}

func (s *Server) renderUsers(w http.ResponseWriter, r *http.Request, sess *session, status int, msg, problem string) {
	users, err := s.store.ListUsers(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, status, "users", sess, "Pengguna", usersView{Users: users, Roles: Roles,
		Self: sess.User.Username, Message: msg, Error: problem})
}

// usersDone is the users page saying what was done.
func usersDone(code string) string { return Prefix + "/pengguna?" + url.Values{"ok": {code}}.Encode() }

func (s *Server) userAdd(w http.ResponseWriter, r *http.Request, sess *session) {
	name := strings.TrimSpace(r.PostFormValue("username"))
	role, ok := workflow.ParseRole(r.PostFormValue("role"))
	switch {
	case name == "" || strings.ContainsAny(name, " \t\r\n") || len(name) > 64:
		s.renderUsers(w, r, sess, http.StatusBadRequest, "", "Nama pengguna wajib diisi, tanpa spasi, paling banyak 64 karakter.")
		return
	case !ok:
		s.renderUsers(w, r, sess, http.StatusBadRequest, "", "Pilih peran pengguna.")
		return
	}
	hash, ok := s.hashFromForm(w, r, sess)
	if !ok {
		return
	}
	if _, err := s.store.AddUser(r.Context(), sess.User.Username, name, hash, role); errors.Is(err, store.ErrUserExists) {
		s.renderUsers(w, r, sess, http.StatusConflict, "", "Nama pengguna itu sudah dipakai.")
		return
	} else if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, usersDone("added"), http.StatusSeeOther)
}

// userChange applies one change to the user named in the path.
func (s *Server) userChange(w http.ResponseWriter, r *http.Request, sess *session) {
	name := r.PathValue("name")
	self := name == sess.User.Username
	var err error
	var done string
	switch r.PathValue("change") {
	case "nonaktif":
		if self {
			s.renderUsers(w, r, sess, http.StatusConflict, "", "Anda tidak dapat menonaktifkan akun Anda sendiri.")
			return
		}
		err, done = s.store.SetUserDisabled(r.Context(), sess.User.Username, name, true, true), "disabled"
	case "aktif":
		err, done = s.store.SetUserDisabled(r.Context(), sess.User.Username, name, false, true), "enabled"
	case "sandi":
		hash, ok := s.hashFromForm(w, r, sess)
		if !ok {
			return
		}
		err, done = s.store.SetPassword(r.Context(), sess.User.Username, name, hash), "password"
	case "peran":
		role, ok := workflow.ParseRole(r.PostFormValue("role"))
		if !ok {
			s.renderUsers(w, r, sess, http.StatusBadRequest, "", "Pilih peran pengguna.")
			return
		}
		if self && role != RoleAdmin {
			s.renderUsers(w, r, sess, http.StatusConflict, "", "Anda tidak dapat menurunkan peran akun Anda sendiri.")
			return
		}
		err, done = s.store.SetUserRole(r.Context(), sess.User.Username, name, role), "role"
	default:
		s.notFound(w, r, sess)
		return
	}
	if errors.Is(err, store.ErrLastAdmin) {
		s.renderUsers(w, r, sess, http.StatusConflict, "", "Harus tetap ada paling sedikit satu admin yang aktif.")
		return
	}
	s.answerChange(w, r, sess, err, usersDone(done))
}

// hashFromForm hashes the form's password; on false it has answered.
func (s *Server) hashFromForm(w http.ResponseWriter, r *http.Request, sess *session) (string, bool) {
	hash, err := HashPassword(r.PostFormValue("password"))
	if errors.Is(err, ErrPasswordTooShort) {
		s.renderUsers(w, r, sess, http.StatusBadRequest, "", "Kata sandi paling sedikit 10 karakter.")
		return "", false
	}
	if err != nil {
		s.serverError(w, r, err)
		return "", false
	}
	return hash, true
}
