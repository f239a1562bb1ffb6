package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/aduan-gateway/aduan/core/calendar"
	"github.com/aduan-gateway/aduan/core/complaint"
	"github.com/aduan-gateway/aduan/core/workflow"
)

// complaintFlashes are the outcomes of the complaint page's forms.
var complaintFlashes = map[string]string{
	"verify":    "Pengaduan diverifikasi: kelas, kategori dan batas waktu ditetapkan.",
	"return":    "Pengaduan dikembalikan kepada pelapor untuk dilengkapi.",
	"redirect":  "Pengaduan ditutup sebagai bukan wewenang kantor ini.",
	"postpone":  "Penanganan pengaduan ditunda.",
	"resume":    "Penanganan pengaduan dilanjutkan.",
	"assign":    "Koordinator pengaduan ditetapkan.",
	"follow_up": "Tindak lanjut dicatat.",
	"resolve":   "Pengaduan selesai. Berita acara dibuat dan hasilnya dikirim kepada pelapor.",
	"archive":   "Pengaduan diarsipkan.",
	"message":   "Pesan dikirim kepada pelapor melalui salurannya.",
}

// complaintErrors say why an action was refused; the codes are those of
// complaint.Refused and of the forms' own checks.
var complaintErrors = map[string]string{
	"not_now":             "Tindakan ini tidak dapat dilakukan pada status pengaduan sekarang. Muat ulang halaman.",
	"not_assignee":        "Pengaduan ini ditugaskan kepada koordinator lain.",
	"no_class":            "Pilih kelas pengaduan (A, B atau C).",
	"no_category":         "Pilih kategori pengaduan.",
	"no_reason":           "Tuliskan alasannya: alasan ini disampaikan kepada pelapor.",
	"no_text":             "Tuliskan isi tindak lanjut.",
	"no_result":           "Tuliskan hasil penanganan.",
	"no_assignee":         "Pilih koordinator.",
	"not_koordinator":     "Petugas yang dipilih bukan koordinator aktif.",
	"no_calendar":         "Kalender hari kerja untuk tahun batas waktu belum tersedia. Minta admin menambahkannya di halaman Kalender hari kerja, lalu coba lagi.",
	"too_long":            "Teks terlalu panjang.",
	"no_inspection_date":  "Isi tanggal pemeriksaan lapangan.",
	"bad_inspection_date": "Tanggal pemeriksaan lapangan tidak sah.",
	"files":               "Lampiran tindak lanjut ditolak: unggah paling banyak 5 foto (JPG, PNG atau WebP) atau PDF, masing-masing paling besar 10 MB.",
	"empty":               "Pesan tidak boleh kosong.",
	"no_channel":          "Pelapor tidak dapat dihubungi melalui salurannya dari sini.",
}

// act handles the form of one workflow action (follow-up has its own, for
// the photos): core/complaint checks the role and the status and does the
// rest in one transaction.
func (s *Server) act(a workflow.Action) func(http.ResponseWriter, *http.Request, *session) {
	return func(w http.ResponseWriter, r *http.Request, sess *session) {
		req := complaint.Request{Ticket: r.PathValue("ticket"), Action: a, Actor: actorOf(sess)}
		form := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
		switch a {
		case workflow.Verify:
			if c, err := workflow.ParseClass(form("class")); err == nil {
				req.Class = c
			}
			req.Category, req.Note = form("category"), form("note")
		case workflow.Return, workflow.Redirect, workflow.Postpone:
			req.Reason = form("reason")
		case workflow.Assign:
			req.AssignTo = form("to")
		case workflow.Resolve:
			req.Text = form("result")
		}
		s.finishAct(w, r, sess, req)
	}
}

// finishAct takes the action and sends the officer back to the complaint
// with its outcome. A role the workflow never lets take the action gets
// 403: the page offered no such form.
func (s *Server) finishAct(w http.ResponseWriter, r *http.Request, sess *session, req complaint.Request) {
	out, err := s.complaints.Act(r.Context(), s.store, req)
	var refused *complaint.Refused
	switch {
	case errors.As(err, &refused) && refused.Code == "forbidden":
		s.forbidden(w, r, sess)
	case errors.As(err, &refused):
		code := refused.Code
		var nd *calendar.NoDataError
		if errors.As(err, &nd) {
			code += "&tahun=" + strconv.Itoa(nd.Year) // the page names the year to add
		}
		backToComplaint(w, r, req.Ticket, "err", code)
	case s.failed(w, r, sess, err):
	default:
		if out.Complaint.Conversation != 0 {
			s.changed(out.Complaint.Conversation, "state", true)
		}
		s.log.Info().Str("user", sess.User.Username).Str("ticket", req.Ticket).Str("action", string(req.Action)).
			Msg("complaint action")
		backToComplaint(w, r, req.Ticket, "ok", string(req.Action))
	}
}

// backToComplaint redirects to the complaint page with an outcome to show.
func backToComplaint(w http.ResponseWriter, r *http.Request, ticket, key, code string) {
	http.Redirect(w, r, complaintPath(ticket, "?"+key+"="+code), http.StatusSeeOther)
}
