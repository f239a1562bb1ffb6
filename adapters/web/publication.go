package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/aduan-gateway/aduan/core/complaint"
	"github.com/aduan-gateway/aduan/core/workflow"
	"github.com/aduan-gateway/aduan/store"
)

// publicationRoutes are the uji konsekuensi page of a complaint and its
// form. Every staff role may read the decisions; core/workflow says who
// may decide (pimpinan or admin) and on which complaints (finished with a
// result).
func (s *Server) publicationRoutes() []route {
	p := Prefix + "/complaints/{ticket}/publikasi"
	return []route{
		{pattern: "GET " + p, perm: PermViewComplaints, handle: s.publication},
		{pattern: "POST " + p, perm: PermViewComplaints, handle: s.decidePublication},
	}
}

// publicationErrors say why a decision was refused.
var publicationErrors = map[string]string{
	"not_now":       "Hanya pengaduan yang sudah selesai dengan hasil penanganan yang dapat dipublikasikan.",
	"no_decision":   "Pilih keputusan: dipublikasikan atau tidak.",
	"no_reason":     "Tuliskan alasan keputusan uji konsekuensi.",
	"no_summary":    "Tuliskan ringkasan untuk publik: wajib bila hasil dipublikasikan.",
	"personal_data": "Ringkasan memuat data pribadi (nama atau alamat pelapor, atau nomor seperti NIK atau nomor HP). Hapus data itu lalu simpan lagi.",
	"too_long":      "Teks terlalu panjang.",
}

type publicationPage struct {
	File      *store.ComplaintFile
	Category  string
	Decisions []store.PublicationDecision
	// CanDecide: the user may record a decision now.
	CanDecide bool
	// Finished: the complaint has a result to publish.
	Finished bool
	Flash    string
	Error    string
	// Form keeps what was typed when a decision was refused.
	Form struct{ Decision, Reason, Summary string }
}

// Current is the decision in force, nil when none was taken.
func (p *publicationPage) Current() *store.PublicationDecision {
	if len(p.Decisions) > 0 && p.Decisions[0].Current {
		return &p.Decisions[0]
	}
	return nil
}

func (s *Server) publication(w http.ResponseWriter, r *http.Request, sess *session) {
	s.renderPublication(w, r, sess, http.StatusOK, nil, "")
}

// renderPublication shows the page; refused, when set, is a decision
// refused with code, shown again with what was typed.
func (s *Server) renderPublication(w http.ResponseWriter, r *http.Request, sess *session, status int,
	refused *complaint.PublishRequest, code string) {
	f, ok := s.complaintFile(w, r, sess)
	if !ok {
		return
	}
	p := &publicationPage{File: f, Finished: f.Status == workflow.Resolved || f.Status == workflow.Archived}
	p.CanDecide = workflow.CheckDecision(f.Status, actorOf(sess)) == nil
	if r.URL.Query().Get("ok") != "" {
		p.Flash = "Keputusan uji konsekuensi dicatat."
	}
	if refused != nil {
		p.Form.Decision, p.Form.Reason, p.Form.Summary = string(refused.Decision), refused.Reason, refused.Summary
		p.Error = publicationErrors[code]
	}
	var err error
	if p.Decisions, err = s.store.PublicationDecisions(r.Context(), f.Ticket); err != nil {
		s.serverError(w, r, err)
		return
	}
	cats, err := s.store.Categories(r.Context(), true)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, c := range cats {
		if c.Code == f.Category {
			p.Category = c.Label
		}
	}
	s.render(w, r, status, "publication", sess, "Uji konsekuensi "+f.Ticket, p)
}

// decidePublication records an uji konsekuensi decision through
// core/complaint, which checks the role and the status. A refused one
// shows the form again with what was typed.
func (s *Server) decidePublication(w http.ResponseWriter, r *http.Request, sess *session) {
	form := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	req := complaint.PublishRequest{Ticket: r.PathValue("ticket"), Decision: workflow.Decision(form("decision")),
		Reason: form("reason"), Summary: form("summary"), Actor: actorOf(sess)}
	_, err := s.complaints.Decide(r.Context(), s.store, req)
	var refused *complaint.Refused
	switch {
	case errors.As(err, &refused) && refused.Code == "forbidden":
		s.forbidden(w, r, sess)
	case errors.As(err, &refused):
		s.renderPublication(w, r, sess, http.StatusUnprocessableEntity, &req, refused.Code)
	case s.failed(w, r, sess, err):
	default:
		s.log.Info().Str("user", sess.User.Username).Str("ticket", req.Ticket).Str("decision", string(req.Decision)).
			Msg("publication decision")
		http.Redirect(w, r, complaintPath(req.Ticket, "/publikasi?ok=1"), http.StatusSeeOther)
	}
}
