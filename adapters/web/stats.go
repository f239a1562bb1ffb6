package web

import (
	"bytes"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/aduan-gateway/aduan/core/stats"
	"github.com/aduan-gateway/aduan/core/stats/export"
)

// reportRoutes are the statistics and the admin pages of issue 12.
func (s *Server) reportRoutes() []route {
	return []route{
		{pattern: "GET " + Prefix + "/statistik", perm: PermViewStats, handle: s.statsPage},
		{pattern: "GET " + Prefix + "/statistik.csv", perm: PermViewStats, handle: s.statsFile(fileCSV)},
		{pattern: "GET " + Prefix + "/statistik.xlsx", perm: PermViewStats, handle: s.statsFile(fileXLSX)},
		{pattern: "GET " + Prefix + "/audit", perm: PermViewAudit, handle: s.auditLog},
		{pattern: "GET " + Prefix + "/audit.csv", perm: PermViewAudit, handle: s.auditCSV},
		{pattern: "GET " + Prefix + "/pengguna", perm: PermManageUsers, handle: s.usersPage},
		{pattern: "POST " + Prefix + "/pengguna", perm: PermManageUsers, handle: s.userAdd},
		{pattern: "POST " + Prefix + "/pengguna/{name}/{change}", perm: PermManageUsers, handle: s.userChange},
		{pattern: "GET " + Prefix + "/balasan-cepat", perm: PermManageCanned, handle: s.cannedPage},
		{pattern: "POST " + Prefix + "/balasan-cepat", perm: PermManageCanned, handle: s.cannedChange},
		{pattern: "POST " + Prefix + "/balasan-cepat/{id}/{change}", perm: PermManageCanned, handle: s.cannedChange},
	}
}

// monthReport reads and computes the figures of the month the request
// names in bulan (YYYY-MM), this month when it names none; on false it has
// answered the request.
func (s *Server) monthReport(w http.ResponseWriter, r *http.Request, sess *session) (stats.Report, bool) {
	m := stats.MonthOf(s.now())
	if v := r.URL.Query().Get("bulan"); v != "" {
		var err error
		if m, err = stats.ParseMonth(v); err != nil {
			s.renderError(w, r, sess, http.StatusBadRequest, "Bulan tidak dikenali. Pilih bulan dengan format TTTT-BB, misalnya 2026-03.")
			return stats.Report{}, false
		}
	}
	rep, err := s.complaints.Report(r.Context(), s.store, m, s.now())
	if err != nil {
		s.serverError(w, r, err)
		return stats.Report{}, false
	}
	return rep, true
}

type statsView struct {
	R                               stats.Report
	Month, Prev, Next               string
	NextOK                          bool
	Channels, Categories, Classes   template.HTML
	Backlog, Trend, Scores          template.HTML
	Compliance, Median, MissingList string
	// Mean (two decimals) and Index of the satisfaction survey, as the page writes numbers.
	Mean, Index string
	TrendRows   []trendRow
}

type trendRow struct {
	Month                         string
	Received, Finished, WithinDue int
	Compliance                    string
}

func (s *Server) statsPage(w http.ResponseWriter, r *http.Request, sess *session) {
	rep, ok := s.monthReport(w, r, sess)
	if !ok {
		return
	}
	v := statsView{R: rep, Month: rep.Month.String(), Prev: rep.Month.Add(-1).String(), Next: rep.Month.Add(1).String(),
		NextOK: rep.Month != stats.MonthOf(s.now())}
	v.Channels = barChart("saluran", "Pengaduan diterima per saluran, "+rep.Month.Label(), rep.ByChannel)
	v.Categories = barChart("kategori", "Pengaduan diterima per kategori, "+rep.Month.Label(), rep.ByCategory)
	v.Classes = barChart("kelas", "Pengaduan diterima per kelas, "+rep.Month.Label(), rep.ByClass)
	v.Backlog = barChart("tunggakan", "Tunggakan terbuka menurut batas waktu, saat ini", rep.Backlog)
	scores := make([]stats.Count, len(rep.Satisfaction.ByScore))
	for i, n := range rep.Satisfaction.ByScore {
		scores[i] = stats.Count{Key: strconv.Itoa(i + 1), Label: stats.ScoreLabel(i + 1), N: n}
	}
	v.Mean = strings.ReplaceAll(strconv.FormatFloat(rep.Satisfaction.Mean, 'f', 2, 64), ".", ",")
	v.Index = decimal(rep.Satisfaction.Index)
	v.Scores = barChart("kepuasan", "Jawaban survei kepuasan per skor, "+rep.Month.Label(), scores)
	months := make([]stats.Month, len(rep.Trend))
	received, finished := make([]int, len(rep.Trend)), make([]int, len(rep.Trend))
	for i, t := range rep.Trend {
		months[i], received[i], finished[i] = t.Month, t.Received, t.Finished
		v.TrendRows = append(v.TrendRows, trendRow{Month: t.Month.Label(), Received: t.Received, Finished: t.Finished,
			WithinDue: t.WithinDue, Compliance: percent(t.Finished > 0, t.WithinDue, t.Finished)})
	}
	v.Trend = lineChart("tren", "Tren 12 bulan sampai "+rep.Month.Label(), months, []series{
		{Name: "Diterima", Class: "chart-line-a", Values: received},
		{Name: "Selesai", Class: "chart-line-b", Values: finished},
	})
	v.Compliance = percent(rep.HasCompliance, rep.WithinDue, rep.Finished-rep.NoDueDate)
	if rep.DaysCounted > 0 {
		v.Median = decimal(rep.MedianDays) + " hari kerja"
	} else {
		v.Median = "–"
	}
	years := make([]string, len(rep.MissingYears))
	for i, y := range rep.MissingYears {
		years[i] = strconv.Itoa(y)
	}
	v.MissingList = joinAnd(years)
	s.render(w, r, http.StatusOK, "stats", sess, "Statistik "+rep.Month.Label(), v)
}

// percent is n of d in percent with one decimal (comma), "–" when not ok.
func percent(ok bool, n, d int) string {
	if !ok || d == 0 {
		return "–"
	}
	return decimal(100*float64(n)/float64(d)) + "%"
}

// decimal writes x with at most one decimal, the Indonesian way (comma).
func decimal(x float64) string {
	s := strconv.FormatFloat(x, 'f', 1, 64)
	if s[len(s)-2:] == ".0" {
		s = s[:len(s)-2]
	}
	return strings.ReplaceAll(s, ".", ",")
}

type fileKind int

const (
	fileCSV fileKind = iota
	fileXLSX
)

// statsFile serves the month's tables as CSV or as an Excel workbook.
func (s *Server) statsFile(kind fileKind) func(http.ResponseWriter, *http.Request, *session) {
	return func(w http.ResponseWriter, r *http.Request, sess *session) {
		rep, ok := s.monthReport(w, r, sess)
		if !ok {
			return
		}
		var b bytes.Buffer
		name := "statistik-pengaduan-" + rep.Month.String()
		ctype := "text/csv; charset=utf-8"
		write := export.CSV
		if kind == fileXLSX {
			name += ".xlsx"
			ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
			write = export.XLSX
		} else {
			name += ".csv"
		}
		if err := write(&b, rep.Tables()); err != nil {
			s.serverError(w, r, err)
			return
		}
		sendBytes(w, ctype, name, b.Bytes())
	}
}
