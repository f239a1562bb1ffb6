package stats

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/aduan-gateway/aduan/core/calendar"
)

// Table is one table of the report as the exports write it: a CSV section,
// a worksheet. Cells are string, int or float64.
type Table struct {
	// Sheet is the worksheet's name (at most 31 characters).
	Sheet  string
	Title  string
	Header []string
	Rows   [][]any
}

// Tables lays the report out as the tables of the monthly report, in order.
// A figure that cannot be computed (no finished complaint) is an empty cell.
func (r Report) Tables() []Table {
	ringkasan := Table{Sheet: "Ringkasan", Title: "Ringkasan " + r.Month.Label(), Header: []string{"Butir", "Nilai"},
		Rows: [][]any{
			{"Bulan", r.Month.String()},
			{"Pengaduan diterima", r.Received},
			{"Pengaduan selesai", r.Finished},
			{"Selesai dalam batas waktu", r.WithinDue},
			{"Selesai tanpa batas waktu", r.NoDueDate},
			{"Kepatuhan batas waktu (%)", optional(r.HasCompliance, round1(r.Compliance))},
			{"Median hari kerja sampai selesai", optional(r.DaysCounted > 0, r.MedianDays)},
			{"Pengaduan yang dihitung hari kerjanya", r.DaysCounted},
			{"Tunggakan terbuka saat ini", r.BacklogTotal},
			{"Dihitung pada", r.Generated.In(calendar.WIB).Format("2006-01-02 15:04") + " WIB"},
		}}
	if len(r.MissingYears) > 0 {
		years := make([]string, len(r.MissingYears))
		for i, y := range r.MissingYears {
			years[i] = strconv.Itoa(y)
		}
		ringkasan.Rows = append(ringkasan.Rows, []any{"Tahun tanpa data hari libur", strings.Join(years, ", ")})
	}
	out := []Table{
		ringkasan,
		countTable("Saluran", "Pengaduan diterima per saluran", "Saluran", r.ByChannel),
		countTable("Kategori", "Pengaduan diterima per kategori", "Kategori", r.ByCategory),
		countTable("Kelas", "Pengaduan diterima per kelas", "Kelas", r.ByClass),
		countTable("Tunggakan", "Tunggakan terbuka menurut batas waktu", "Keadaan", r.Backlog),
	}
	tr := Table{Sheet: "Tren", Title: "Tren 12 bulan", Header: []string{"Bulan", "Diterima", "Selesai",
		"Selesai dalam batas waktu", "Kepatuhan batas waktu (%)"}}
	for _, m := range r.Trend {
		tr.Rows = append(tr.Rows, []any{m.Month.String(), m.Received, m.Finished, m.WithinDue,
			optional(m.Finished > 0, round1(100*float64(m.WithinDue)/float64(max(m.Finished, 1))))})
	}
	out = append(out, tr)
	s := r.Satisfaction
	sat := Table{Sheet: "Kepuasan", Title: "Survei kepuasan", Header: []string{"Butir", "Nilai"}, Rows: [][]any{
		{"Pelapor yang ditanya", s.Asked},
		{"Responden", s.Responses},
	}}
	for i, n := range s.ByScore {
		sat.Rows = append(sat.Rows, []any{ScoreLabel(i + 1), n})
	}
	sat.Rows = append(sat.Rows,
		[]any{"Rata-rata skor (1–4)", optional(s.Responses > 0, round2(s.Mean))},
		[]any{"Indeks kepuasan (25–100)", optional(s.Responses > 0, round2(s.Index))})
	return append(out, sat)
}

// scoreWords name the survey's scores 1 to 4 as the reporter is asked.
var scoreWords = [4]string{"tidak puas", "kurang puas", "puas", "sangat puas"}

// ScoreLabel names score n (1–4) of the survey: "Skor 4 (sangat puas)".
func ScoreLabel(n int) string { return fmt.Sprintf("Skor %d (%s)", n, scoreWords[n-1]) }

func countTable(sheet, title, what string, cs []Count) Table {
	t := Table{Sheet: sheet, Title: title, Header: []string{what, "Jumlah"}}
	for _, c := range cs {
		t.Rows = append(t.Rows, []any{c.Label, c.N})
	}
	return t
}

// optional is v when ok, else an empty cell.
func optional(ok bool, v any) any {
	if !ok {
		return ""
	}
	return v
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }
func round2(x float64) float64 { return math.Round(x*100) / 100 }
