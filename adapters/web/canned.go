package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/aduan-gateway/aduan/store"
)

// The canned responses page: admins add, edit, delete and reorder the
// ready-made replies officers pick from; every change is audited.

type cannedView struct {
	List  []store.Canned
	Error string
}

func (s *Server) cannedPage(w http.ResponseWriter, r *http.Request, sess *session) {
	s.renderCanned(w, r, sess, http.StatusOK, "")
}

func (s *Server) renderCanned(w http.ResponseWriter, r *http.Request, sess *session, status int, problem string) {
	list, err := s.store.ListCanned(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, status, "canned", sess, "Balasan cepat", cannedView{List: list, Error: problem})
}

// cannedChange adds (no id), edits, deletes or moves a reply.
func (s *Server) cannedChange(w http.ResponseWriter, r *http.Request, sess *session) {
	var id int64
	if v := r.PathValue("id"); v != "" {
		var err error
		if id, err = strconv.ParseInt(v, 10, 64); err != nil {
			s.notFound(w, r, sess)
			return
		}
	}
	actor := sess.User.Username
	var err error
	switch r.PathValue("change") {
	case "", "ubah":
		c := store.Canned{ID: id, Title: strings.TrimSpace(r.PostFormValue("title")), Text: strings.TrimSpace(r.PostFormValue("text"))}
		if c.Title == "" || c.Text == "" || len([]rune(c.Title)) > 80 || len([]rune(c.Text)) > 4000 {
			s.renderCanned(w, r, sess, http.StatusBadRequest, "Judul (paling banyak 80 karakter) dan isi balasan (paling banyak 4000 karakter) wajib diisi.")
			return
		}
		err = s.store.SaveCanned(r.Context(), actor, c)
	case "hapus":
		err = s.store.DeleteCanned(r.Context(), actor, id)
	case "naik":
		err = s.store.MoveCanned(r.Context(), actor, id, -1)
	case "turun":
		err = s.store.MoveCanned(r.Context(), actor, id, 1)
	default:
		s.notFound(w, r, sess)
		return
	}
	s.answerChange(w, r, sess, err, Prefix+"/balasan-cepat")
}

// answerChange answers a form that changed something: back to the page at to
// when err is nil, 404 for a missing object, 500 otherwise.
func (s *Server) answerChange(w http.ResponseWriter, r *http.Request, sess *session, err error, to string) {
	if !s.failed(w, r, sess, err) {
		http.Redirect(w, r, to, http.StatusSeeOther)
	}
}
