package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/aduan-gateway/aduan/core/calendar"
	"github.com/aduan-gateway/aduan/core/workflow"
	"github.com/aduan-gateway/aduan/store"
)

// The calendar page (/admin/kalender): admins see the years of holiday data
// and where each comes from, and add or replace a year by pasting its lines
// in the year-file format (docs/calendar.md). A saved year is counted with
// at once in this process; other processes take it up on their next check
// (cmd/aduan reloadCalendar). Precedence: a folder file wins over the web,
// and the web over the built-in year; a folder year is refused here.

// Years a pasted year must lie in: a mistyped century is refused, not stored.
const (
	firstCalendarYear = 2000
	lastCalendarYear  = 2100
)

type calendarYearRow struct {
	Year int
	Days int
	From string
}

type calendarView struct {
	Years   []calendarYearRow
	Missing []int
	Saved   string // the year just saved, from the redirect
	Data    string // the pasted lines, kept after a preview or a mistake
	Error   string
	Preview *calendarPreview
}

// calendarPreview is what saving the pasted year will change.
type calendarPreview struct {
	Year     int
	Replaces string // where the year's current data comes from; "" for a new year
	Before   int
	Days     []previewDay
	Removed  []calendar.Holiday
}

type previewDay struct {
	calendar.Holiday
	New bool // not a day off of the current data, or named differently
}

func (s *Server) calendarPage(w http.ResponseWriter, r *http.Request, sess *session) {
	s.renderCalendar(w, r, sess, http.StatusOK, calendarView{Saved: r.URL.Query().Get("disimpan")})
}

func (s *Server) renderCalendar(w http.ResponseWriter, r *http.Request, sess *session, status int, v calendarView) {
	web, err := s.store.HolidayYears(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	cal := s.complaints.Calendar()
	for _, y := range cal.Years() {
		hs, _ := cal.Year(y)
		v.Years = append(v.Years, calendarYearRow{Year: y, Days: len(hs), From: originLabel(cal.Origin(y), y, web)})
	}
	v.Missing = cal.MissingYears(s.now(), workflow.ClassC.WorkingDays())
	s.render(w, r, status, "calendar", sess, "Kalender hari kerja", v)
}

// originLabel says in the officers' words where year y's data comes from.
func originLabel(origin string, y int, web []store.HolidayYear) string {
	switch origin {
	case calendar.Builtin:
		return "bawaan aplikasi"
	case calendar.Web:
		for _, h := range web {
			if h.Year == y {
				return fmt.Sprintf("dimasukkan lewat halaman ini oleh %s, %s", h.SavedBy, formatWhen(h.SavedAt))
			}
		}
		return "dimasukkan lewat halaman ini"
	}
	return "berkas " + origin + " di folder hari libur server"
}

// calendarSave previews (action "pratinjau") or saves ("simpan") a pasted
// year, after the checks of a folder file.
func (s *Server) calendarSave(w http.ResponseWriter, r *http.Request, sess *session) {
	v := calendarView{Data: r.PostFormValue("data")}
	y, days, err := calendar.ParseYear(calendar.Source{Name: calendar.Web, Data: []byte(v.Data)})
	if err != nil {
		var le *calendar.LineError
		if !errors.As(err, &le) {
			s.serverError(w, r, err)
			return
		}
		v.Error = lineProblem(le)
		s.renderCalendar(w, r, sess, http.StatusBadRequest, v)
		return
	}
	cal := s.complaints.Calendar()
	origin := cal.Origin(y)
	switch {
	case y < firstCalendarYear || y > lastCalendarYear:
		v.Error = fmt.Sprintf("Tahun %d di luar rentang yang diterima (%d–%d). Periksa tahun pada tanggal-tanggalnya.", y, firstCalendarYear, lastCalendarYear)
	case origin != "" && origin != calendar.Builtin && origin != calendar.Web:
		v.Error = fmt.Sprintf("Tahun %d diatur oleh berkas %s di folder hari libur server, yang selalu didahulukan. Ubah berkas itu di server (lalu jalankan ulang Aduan), bukan lewat halaman ini.", y, origin)
	}
	if v.Error != "" {
		s.renderCalendar(w, r, sess, http.StatusBadRequest, v)
		return
	}
	if r.PostFormValue("action") != "simpan" {
		v.Preview = previewYear(cal, y, days)
		s.renderCalendar(w, r, sess, http.StatusOK, v)
		return
	}
	ctx := r.Context()
	err = s.store.SaveHolidayYear(ctx, store.HolidayYear{Year: y, Data: v.Data, Days: len(days), SavedAt: s.now()}, sess.User.Username)
	if s.failed(w, r, sess, err) {
		return
	}
	fresh, _, err := s.store.Calendar(ctx, s.holidayFiles)
	if s.failed(w, r, sess, err) {
		return
	}
	s.complaints.SetCalendar(fresh)
	s.log.Info().Str("user", sess.User.Username).Int("year", y).Int("days", len(days)).Msg("holiday year saved")
	http.Redirect(w, r, Prefix+"/kalender?disimpan="+strconv.Itoa(y), http.StatusSeeOther)
}

// previewYear compares the pasted days of year y with the data in use.
func previewYear(cal *calendar.Calendar, y int, days []calendar.Holiday) *calendarPreview {
	p := &calendarPreview{Year: y}
	old, err := cal.Year(y)
	if err == nil {
		p.Before = len(old)
		if cal.Origin(y) == calendar.Builtin {
			p.Replaces = "data bawaan aplikasi"
		} else {
			p.Replaces = "data yang dimasukkan sebelumnya lewat halaman ini"
		}
	}
	pasted := map[calendar.Date]bool{}
	for _, h := range days {
		pasted[h.Date] = true
		prev, ok := cal.Holiday(h.Date)
		p.Days = append(p.Days, previewDay{Holiday: h, New: !ok || prev != h})
	}
	for _, h := range old {
		if !pasted[h.Date] {
			p.Removed = append(p.Removed, h)
		}
	}
	return p
}

// lineProblem explains a mistake in the pasted lines in Indonesian, with
// its line number.
func lineProblem(e *calendar.LineError) string {
	at := fmt.Sprintf("Baris %d: ", e.Line)
	switch e.Problem {
	case calendar.ProblemFormat:
		return at + fmt.Sprintf("%q tidak sesuai format. Tulis tanggal (TTTT-BB-HH), lalu libur atau cuti, lalu nama harinya, misalnya: 2027-01-01 libur Tahun Baru Masehi.", e.Text)
	case calendar.ProblemDate:
		return at + fmt.Sprintf("tanggal %q tidak sah. Tulis tanggal sebagai TTTT-BB-HH, misalnya 2027-01-01.", e.Text)
	case calendar.ProblemKind:
		return at + fmt.Sprintf("jenis %q tidak dikenal. Tulis libur (libur nasional) atau cuti (cuti bersama).", e.Text)
	case calendar.ProblemYear:
		return at + fmt.Sprintf("tanggal %s bukan tahun %d, tahun tanggal pertama. Satu isian memuat satu tahun saja.", e.Date, e.Year)
	case calendar.ProblemOrder:
		return at + fmt.Sprintf("tanggal %s berulang atau mendahului %s. Tulis setiap tanggal sekali, urut dari awal tahun.", e.Date, e.Prev)
	}
	return "Isian tidak memuat tanggal. Tempelkan semua hari libur nasional dan cuti bersama satu tahun, satu tanggal per baris."
}
