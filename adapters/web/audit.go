package web

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aduan-gateway/aduan/core/calendar"
	"github.com/aduan-gateway/aduan/core/stats/export"
	"github.com/aduan-gateway/aduan/store"
)

const (
	auditPageSize = 50
	// auditExportMax bounds one CSV export; a narrower filter gets the rest.
	auditExportMax = 100000
)

type auditView struct {
	Rows              []store.AuditRow
	Actors, Actions   []string
	Actor, Action     string
	Object, From, To  string
	Page              int
	PrevURL, NextURL  string
	CSVURL            string
	Error             string
	FirstRow, LastRow int
}

// auditFilter reads the viewer's filter from the query: pengguna, tindakan,
// objek, dari and sampai (YYYY-MM-DD, WIB, inclusive).
func auditFilter(q url.Values) (store.AuditFilter, string) {
	f := store.AuditFilter{
		Actor:  strings.TrimSpace(q.Get("pengguna")),
		Action: strings.TrimSpace(q.Get("tindakan")),
		Object: strings.TrimSpace(q.Get("objek")),
	}
	if v := q.Get("dari"); v != "" {
		d, err := calendar.ParseDate(v)
		if err != nil {
			return f, "Tanggal awal tidak dikenali (TTTT-BB-HH)."
		}
		f.From = d.Time()
	}
	if v := q.Get("sampai"); v != "" {
		d, err := calendar.ParseDate(v)
		if err != nil {
			return f, "Tanggal akhir tidak dikenali (TTTT-BB-HH)."
		}
		f.To = d.AddDays(1).Time()
	}
	return f, ""
}

func (s *Server) auditLog(w http.ResponseWriter, r *http.Request, sess *session) {
	q := r.URL.Query()
	f, problem := auditFilter(q)
	page, _ := strconv.Atoi(q.Get("halaman"))
	page = max(page, 1)
	v := auditView{Actor: f.Actor, Action: f.Action, Object: f.Object, From: q.Get("dari"), To: q.Get("sampai"),
		Page: page, Error: problem}
	var err error
	if v.Actors, v.Actions, err = s.store.AuditNames(r.Context()); err != nil {
		s.serverError(w, r, err)
		return
	}
	status := http.StatusOK
	if problem != "" {
		status = http.StatusBadRequest
	} else {
		f.Limit, f.Offset = auditPageSize+1, (page-1)*auditPageSize
		if v.Rows, err = s.store.ListAudit(r.Context(), f); err != nil {
			s.serverError(w, r, err)
			return
		}
		more := len(v.Rows) > auditPageSize
		if more {
			v.Rows = v.Rows[:auditPageSize]
		}
		link := func(p int) string {
			q2 := url.Values{}
			for k, vs := range q {
				q2[k] = vs
			}
			q2.Set("halaman", strconv.Itoa(p))
			return Prefix + "/audit?" + q2.Encode()
		}
		if page > 1 {
			v.PrevURL = link(page - 1)
		}
		if more {
			v.NextURL = link(page + 1)
		}
		q2 := url.Values{}
		for k, vs := range q {
			if k != "halaman" {
				q2[k] = vs
			}
		}
		v.CSVURL = Prefix + "/audit.csv?" + q2.Encode()
		v.FirstRow, v.LastRow = f.Offset+1, f.Offset+len(v.Rows)
	}
	s.render(w, r, status, "audit", sess, "Log audit", v)
}

// auditCSV exports the rows the filter selects, oldest last as on the page.
// The export itself is audited.
func (s *Server) auditCSV(w http.ResponseWriter, r *http.Request, sess *session) {
	f, problem := auditFilter(r.URL.Query())
	if problem != "" {
		s.renderError(w, r, sess, http.StatusBadRequest, problem)
		return
	}
	f.Limit = auditExportMax
	rows, err := s.store.ListAudit(r.Context(), f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	err = s.store.InTx(r.Context(), func(tx *store.Tx) error {
		return tx.Audit(r.Context(), sess.User.Username, "audit.exported", "audit_log", "", map[string]any{
			"actor": f.Actor, "action": f.Action, "object": f.Object, "from": r.URL.Query().Get("dari"),
			"to": r.URL.Query().Get("sampai"), "rows": len(rows)})
	})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	cw.Write([]string{"id", "waktu_wib", "pengguna", "tindakan", "jenis_objek", "objek", "rincian"}) //nolint:errcheck // reported by Flush
	for _, a := range rows {
		cw.Write([]string{strconv.FormatInt(a.ID, 10), a.At.In(calendar.WIB).Format(time.DateTime), //nolint:errcheck
			export.SafeCell(a.Actor), export.SafeCell(a.Action), export.SafeCell(a.ObjectType),
			export.SafeCell(a.ObjectID), export.SafeCell(a.Detail)})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		s.serverError(w, r, err)
		return
	}
	sendBytes(w, "text/csv; charset=utf-8", "log-audit-"+s.now().In(calendar.WIB).Format("20060102-1504")+".csv", b.Bytes())
}
