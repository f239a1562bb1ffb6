package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/aduan-gateway/aduan/core/calendar"
	"github.com/aduan-gateway/aduan/core/stats"
	"github.com/aduan-gateway/aduan/store/pgtest"
)

// TestStatsCLI prints a month's figures as text, CSV and an Excel workbook
// (read back with excelize): two walk-in complaints received in March 2026,
// one of them resolved now, so finished this month.
func TestStatsCLI(t *testing.T) {
	t.Setenv("ADUAN_DATABASE_URL", pgtest.URL(t))
	t.Setenv("ADUAN_DATA_DIR", t.TempDir())
	addUsers(t, [2]string{"vera", "verifikator"}, [2]string{"kiki", "koordinator"})
	fileComplaint(t, time.Date(2026, 3, 17, 9, 0, 0, 0, calendar.WIB))
	done := fileComplaint(t, time.Date(2026, 3, 18, 10, 0, 0, 0, calendar.WIB))
	runCmd(t, "complaint", "verify", done, "--class", "C", "--category", "pkh", "--as", "vera")
	runCmd(t, "complaint", "follow-up", done, "--text", "Telaah.", "--as", "kiki")
	runCmd(t, "complaint", "resolve", done, "--result", "Rekening diaktifkan kembali.", "--as", "kiki")
	thisMonth := stats.MonthOf(time.Now()).String()

	march := runCmd(t, "stats", "--month", "2026-03")
	for _, want := range []string{`Ringkasan Maret 2026\n`, `Pengaduan diterima\s+2\n`, `Pengaduan selesai\s+0\n`,
		`Kepatuhan batas waktu \(%\)\s+–\n`, `Datang langsung\s+2\n`, `Kelas C \(\S.*\)\s+1\n`, `Belum diklasifikasi\s+1\n`,
		`Pelapor yang ditanya\s+0\n`, `2026-03\s+2\s+0\s+0\s+–\n`} {
		if !regexp.MustCompile(want).MatchString(march) {
			t.Errorf("March lacks %s:\n%s", want, march)
		}
	}
	if now := runCmd(t, "stats", "--month", thisMonth); !regexp.MustCompile(`Pengaduan selesai\s+1\n`).MatchString(now) ||
		!regexp.MustCompile(`Tunggakan terbuka saat ini\s+1\n`).MatchString(now) {
		t.Errorf("this month:\n%s", now)
	}
	if csv := runCmd(t, "stats", "--month", "2026-03", "--format", "csv"); !strings.Contains(csv, "Pengaduan diterima,2\n") ||
		!strings.Contains(csv, "Kepatuhan batas waktu (%),\n") {
		t.Errorf("csv:\n%s", csv)
	}

	out := filepath.Join(t.TempDir(), "maret.xlsx")
	runCmd(t, "stats", "--month", "2026-03", "--format", "xlsx", "--out", out)
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Ringkasan")
	if err != nil {
		t.Fatal(err)
	}
	var received string
	for _, r := range rows {
		if len(r) == 2 && r[0] == "Pengaduan diterima" {
			received = r[1]
		}
	}
	if received != "2" {
		t.Errorf("workbook: received %q, want 2 (rows %v)", received, rows)
	}

	for _, tt := range []struct {
		label, want string
		args        []string
	}{
		{"a workbook to the terminal", "needs --out", []string{"--format", "xlsx"}},
		{"an unknown format", "text, csv or xlsx", []string{"--format", "pdf"}},
		{"a bad month", "--month", []string{"--month", "2026-13"}},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), append([]string{"stats"}, tt.args...), &stdout, &stderr); code == 0 ||
			!strings.Contains(stderr.String(), tt.want) {
			t.Errorf("%s: exit %d, stderr %q; want a refusal naming %q", tt.label, code, stderr.String(), tt.want)
		}
	}
}
