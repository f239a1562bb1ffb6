package export

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/aduan-gateway/aduan/core/calendar"
	"github.com/aduan-gateway/aduan/core/stats"
	"github.com/aduan-gateway/aduan/core/workflow"
)

var july = stats.Month{Year: 2026, Month: time.July}

func sampleReport() stats.Report {
	return stats.Compute(stats.Input{Month: july, Now: at(7, 15, 10), Calendar: calendar.Embedded(),
		Trend:      []stats.MonthCount{{Month: july, Received: 2, Finished: 2, WithinDue: 1}},
		Categories: map[string]string{"x": "=HYPERLINK(\"http://evil\")"},
		Received:   []stats.Received{{Channel: "whatsapp", Category: "x", Class: workflow.ClassA}, {Channel: "whatsapp"}},
		Finished: []stats.Finished{
			{ReceivedAt: at(7, 6, 9), ResolvedAt: at(7, 10, 15), DueDate: "2026-07-10"},
			{ReceivedAt: at(7, 1, 9), ResolvedAt: at(7, 31, 8), DueDate: "2026-07-08"},
		},
	})
}

func TestTablesEmptyReport(t *testing.T) {
	tables := stats.Compute(stats.Input{Month: july}).Tables()
	sheets := map[string]stats.Table{}
	for _, tb := range tables {
		sheets[tb.Sheet] = tb
		if len(tb.Sheet) > 31 || len(tb.Header) == 0 {
			t.Errorf("table %q: sheet name too long or no header", tb.Sheet)
		}
	}
	for _, row := range sheets["Ringkasan"].Rows {
		if (row[0] == "Kepatuhan batas waktu (%)" || row[0] == "Median hari kerja sampai selesai") && row[1] != "" {
			t.Errorf("%s = %v with nothing finished; want an empty cell", row[0], row[1])
		}
	}
	for _, row := range sheets["Kepuasan"].Rows {
		if strings.HasPrefix(row[0].(string), "Rata-rata") || strings.HasPrefix(row[0].(string), "Indeks") {
			if row[1] != "" {
				t.Errorf("%s = %v without answers; want an empty cell", row[0], row[1])
			}
		} else if row[1] != 0 {
			t.Errorf("%s = %v without answers; want 0", row[0], row[1])
		}
	}
}

func TestCSV(t *testing.T) {
	var b bytes.Buffer
	if err := CSV(&b, sampleReport().Tables()); err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(strings.NewReader(b.String()))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]string{}
	for _, rec := range recs {
		if len(rec) == 2 {
			found[rec[0]] = rec[1]
		}
		for _, c := range rec {
			if c != "" && strings.ContainsRune("=+-@", rune(c[0])) {
				t.Errorf("cell %q could run as a formula", c)
			}
		}
	}
	for k, want := range map[string]string{"Pengaduan diterima": "2", "Kepatuhan batas waktu (%)": "50",
		"Median hari kerja sampai selesai": "13", "'=HYPERLINK(\"http://evil\")": "1", "WhatsApp": "2"} {
		if found[k] != want {
			t.Errorf("%s = %q, want %q", k, found[k], want)
		}
	}
}

func TestXLSX(t *testing.T) {
	rep := sampleReport()
	var b bytes.Buffer
	if err := XLSX(&b, rep.Tables()); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := []string{"Ringkasan", "Saluran", "Kategori", "Kelas", "Tunggakan", "Tren", "Kepuasan"}
	if got := f.GetSheetList(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("sheets %v, want %v", got, want)
	}
	cases := []struct {
		name, sheet, cell, want string
		typ                     excelize.CellType
	}{
		{"received is a number", "Ringkasan", "B4", "2", excelize.CellTypeNumber},
		{"compliance is a number", "Ringkasan", "B8", "50", excelize.CellTypeNumber},
		{"month is text", "Ringkasan", "B3", "2026-07", excelize.CellTypeSharedString},
		{"header row", "Saluran", "A2", "Saluran", excelize.CellTypeSharedString},
		{"formula-looking label stays text", "Kategori", "A3", "=HYPERLINK(\"http://evil\")", excelize.CellTypeSharedString},
		{"trend month", "Tren", "A14", "2026-07", excelize.CellTypeSharedString},
		{"trend received", "Tren", "B14", "2", excelize.CellTypeNumber},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v, err := f.GetCellValue(tc.sheet, tc.cell)
			if err != nil || v != tc.want {
				t.Fatalf("%s!%s = %q, %v; want %q", tc.sheet, tc.cell, v, err, tc.want)
			}
			typ, err := f.GetCellType(tc.sheet, tc.cell)
			// excelize reads a number cell back without a type attribute.
			if typ == excelize.CellTypeUnset {
				typ = excelize.CellTypeNumber
			}
			if err != nil || typ != tc.typ {
				t.Errorf("%s!%s type %v, want %v", tc.sheet, tc.cell, typ, tc.typ)
			}
			if formula, _ := f.GetCellFormula(tc.sheet, tc.cell); formula != "" {
				t.Errorf("%s!%s holds formula %q", tc.sheet, tc.cell, formula)
			}
		})
	}
	style, err := f.GetCellStyle("Saluran", "B2")
	if err != nil || style == 0 {
		t.Errorf("header cell unstyled: %d, %v", style, err)
	}
}

func at(month time.Month, day, hour int) time.Time {
	return time.Date(2026, month, day, hour, 0, 0, 0, calendar.WIB)
}

// TestText: aligned columns for a terminal; a figure that cannot be
// computed is "–"; an admin-typed name cannot send escape sequences.
func TestText(t *testing.T) {
	tables := []stats.Table{{Title: "Kategori", Header: []string{"Kategori", "Jumlah"}, Rows: [][]any{
		{"PKH", 3}, {"Lansia\x1b[2J", 12}, {"Kepatuhan", ""}, {"Rata-rata", 2.5},
	}}}
	var b bytes.Buffer
	if err := Text(&b, tables); err != nil {
		t.Fatal(err)
	}
	want := "Kategori\nKategori    Jumlah\nPKH         3\nLansia?[2J  12\nKepatuhan   –\nRata-rata   2.5\n"
	if b.String() != want {
		t.Errorf("text:\n%q\nwant\n%q", b.String(), want)
	}
}
