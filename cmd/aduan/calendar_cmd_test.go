package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rs/zerolog"

	"github.com/aduan-gateway/aduan/config"
	"github.com/aduan-gateway/aduan/core/bus/bustest"
	"github.com/aduan-gateway/aduan/core/calendar"
	"github.com/aduan-gateway/aduan/core/workflow"
	"github.com/aduan-gateway/aduan/store"
	"github.com/aduan-gateway/aduan/store/pgtest"
)

// made-up 2027 data for tests: we do not have the real decree.
const test2027 = "# test data\n2027-01-01 libur Tahun Baru 2027 Masehi\n"

func writeHolidays(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCalendarCommand(t *testing.T) {
	cases := []struct {
		name string
		// files go to <data dir>/holidays, or with own to a folder named
		// by ADUAN_HOLIDAYS_DIR.
		files    map[string]string
		own      bool
		args     []string
		wantCode int
		stdout   []string // each must appear
		stderr   []string
	}{
		{"class A over the Idulfitri week", nil, false,
			[]string{"due", "--received", "2026-03-17T10:00:00+07:00", "--class", "A"}, 0, []string{"2026-03-31\n"}, nil},
		{"UTC time, lower-case class", nil, false,
			[]string{"due", "--class", "b", "--received", "2026-03-12T18:00:00Z"}, 0, []string{"2026-04-10\n"}, nil},
		{"year without data", nil, false,
			[]string{"due", "--received", "2026-12-21T10:00:00+07:00", "--class", "B"}, 1, nil,
			[]string{"no holiday data for 2027", "2027.txt", "holidays"}},
		{"admin's 2027 file in the data dir", map[string]string{"2027.txt": test2027, "README.md": "not a year file"}, false,
			[]string{"due", "--received", "2026-12-21T10:00:00+07:00", "--class", "B"}, 0, []string{"2027-01-13\n"}, nil},
		{"admin's 2027 file in ADUAN_HOLIDAYS_DIR", map[string]string{"2027.txt": test2027}, true,
			[]string{"due", "--received", "2026-12-28T10:00:00+07:00", "--class", "A"}, 0, []string{"2027-01-05\n"}, nil},
		{"bad admin file", map[string]string{"2027.txt": "2027-01-01 libur Tahun Baru\n2027-02-30 libur Salah\n"}, false,
			[]string{"due", "--received", "2026-03-17T10:00:00+07:00", "--class", "A"}, 1, nil,
			[]string{"2027.txt:2:", "2027-02-30"}},
		{"unknown class", nil, false,
			[]string{"due", "--received", "2026-03-17T10:00:00+07:00", "--class", "D"}, 1, nil, []string{"A, B and C"}},
		{"received not RFC 3339", nil, false,
			[]string{"due", "--received", "17-03-2026", "--class", "A"}, 1, nil, []string{"RFC 3339"}},
		{"due without flags", nil, false, []string{"due"}, 1, nil, []string{"--received and --class"}},
		{"show a year", nil, false, []string{"show", "2026"}, 0,
			[]string{"2026-03-19  Kamis   Libur nasional  Hari Suci Nyepi", "2026-03-24  Selasa  Cuti bersama    Cuti bersama Idulfitri"}, nil},
		{"show a year without data", nil, false, []string{"show", "2027"}, 1, nil, []string{"no holiday data for 2027"}},
		{"show an admin's year", map[string]string{"2027.txt": test2027}, false, []string{"show", "2027"}, 0,
			[]string{"2027-01-01  Jumat  Libur nasional  Tahun Baru 2027 Masehi"}, nil},
		{"show the years", map[string]string{"2027.txt": test2027}, false, []string{"show"}, 0,
			[]string{"2025  28        built-in", "2026  25        built-in", "2027  1         ", "2027.txt"}, nil},
		{"a year entered on the web", nil, false,
			[]string{"due", "--received", "2026-12-21T10:00:00+07:00", "--class", "B"}, 0, []string{"2027-01-14\n"}, nil},
		{"the folder's file wins over the web's", map[string]string{"2027.txt": test2027}, false,
			[]string{"due", "--received", "2026-12-21T10:00:00+07:00", "--class", "B"}, 0, []string{"2027-01-13\n"}, nil},
		{"show a word", nil, false, []string{"show", "tahun"}, 1, nil, []string{`year "tahun"`}},
		{"unknown subcommand", nil, false, []string{"list"}, 2, nil, []string{"Usage: aduan calendar due"}},
		{"no subcommand", nil, false, nil, 2, nil, []string{"Usage: aduan calendar due"}},
	}
	url := pgtest.URL(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data := t.TempDir()
			t.Setenv("ADUAN_DATA_DIR", data)
			t.Setenv("ADUAN_DATABASE_URL", url)
			t.Setenv("ADUAN_NIK_KEY", strings.Repeat("ab", 32))
			if strings.Contains(tc.name, "web") {
				saveWebYear(t, webTest2027)
			}
			t.Setenv("ADUAN_HOLIDAYS_DIR", "")
			dir := filepath.Join(data, "holidays")
			if tc.own {
				dir = filepath.Join(t.TempDir(), "libur")
				t.Setenv("ADUAN_HOLIDAYS_DIR", dir)
			}
			if tc.files != nil {
				writeHolidays(t, dir, tc.files)
			}
			var out, errOut bytes.Buffer
			code := run(context.Background(), append([]string{"calendar"}, tc.args...), &out, &errOut)
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.wantCode, out.String(), errOut.String())
			}
			for _, want := range tc.stdout {
				if !strings.Contains(out.String(), want) {
					t.Errorf("stdout lacks %q:\n%s", want, out.String())
				}
			}
			for _, want := range tc.stderr {
				if !strings.Contains(errOut.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, errOut.String())
				}
			}
		})
	}
}

// webTest2027 is made-up 2027 data entered "on the web", test data only: a
// cuti bersama on 2027-01-04 moves a 14-day deadline a day later than
// test2027's.
const webTest2027 = "# test data\n2027-01-01 libur Tahun Baru 2027 Masehi\n2027-01-04 cuti Cuti uji\n"

// saveWebYear stores data as a year entered on the web, as the calendar
// page does, in the database of ADUAN_DATABASE_URL; it is removed when the
// test ends so the other cases see no web year.
func saveWebYear(t *testing.T, data string) {
	t.Helper()
	ctx := context.Background()
	_, st, err := loadStore(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	y, hs, err := calendar.ParseYear(calendar.Source{Name: calendar.Web, Data: []byte(data)})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SaveHolidayYear(ctx, store.HolidayYear{Year: y, Data: data, Days: len(hs), SavedAt: time.Now()}, "siti"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, os.Getenv("ADUAN_DATABASE_URL"))
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DELETE FROM holiday_years"); err != nil {
			t.Error(err)
		}
	})
}

func TestWarnMissingHolidays(t *testing.T) {
	with2027, err := calendar.New(calendar.Source{Name: "2027.txt", Data: []byte(test2027)})
	if err != nil {
		t.Fatal(err)
	}
	builtin, err := calendar.New()
	if err != nil {
		t.Fatal(err)
	}
	cfg := &config.Config{DataDir: "/var/lib/aduan"}
	cases := []struct {
		name string
		cal  *calendar.Calendar
		now  time.Time
		want []int // nil: no warning
	}{
		{"mid 2026", builtin, time.Date(2026, 6, 1, 9, 0, 0, 0, calendar.WIB), nil},
		{"end of November 2026", builtin, time.Date(2026, 11, 29, 9, 0, 0, 0, calendar.WIB), []int{2027}},
		{"end of November 2026 with 2027 added", with2027, time.Date(2026, 11, 29, 9, 0, 0, 0, calendar.WIB), nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			warnMissingHolidays(zerolog.New(&buf), tc.cal, cfg, tc.now)
			if tc.want == nil {
				if buf.Len() > 0 {
					t.Fatalf("logged %s", buf.String())
				}
				return
			}
			var line struct {
				Level       string `json:"level"`
				Comp        string `json:"comp"`
				HolidaysDir string `json:"holidays_dir"`
				Years       []int  `json:"years"`
			}
			if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
				t.Fatalf("%v: %s", err, buf.String())
			}
			if !slices.Equal(line.Years, tc.want) || line.Level != "warn" || line.Comp != "calendar" ||
				line.HolidaysDir != "/var/lib/aduan/holidays" {
				t.Fatalf("logged %s", buf.String())
			}
		})
	}
}

// TestServeCalendar: serve refuses to start with a bad holiday file, and
// at start warns about the years without data that deadlines may reach
// from now (which years depends on today, so the test asks the calendar).
func TestServeCalendar(t *testing.T) {
	t.Run("bad holiday file", func(t *testing.T) {
		dir := t.TempDir()
		writeHolidays(t, dir, map[string]string{"2027.txt": "2027-01-01 cuti-bersama Tahun Baru\n"})
		t.Setenv("ADUAN_DATA_DIR", t.TempDir())
		t.Setenv("ADUAN_HOLIDAYS_DIR", dir)
		var out, errOut bytes.Buffer
		if code := run(context.Background(), []string{"serve"}, &out, &errOut); code == 0 ||
			!strings.Contains(errOut.String(), "2027.txt:1: kind \"cuti-bersama\"") {
			t.Fatalf("exit %d:\n%s", code, errOut.String())
		}
	})
	t.Run("warning at start", func(t *testing.T) {
		_, logs := startServe(t)
		cal, err := calendar.New()
		if err != nil {
			t.Fatal(err)
		}
		warned := regexp.MustCompile(`"comp":"calendar".*"years":\[[0-9,]+\]`)
		bustest.Eventually(t, 10*time.Second, func() bool { return strings.Contains(logs.String(), `"started"`) })
		if want := cal.MissingYears(time.Now(), workflow.ClassC.WorkingDays()); len(want) > 0 != warned.MatchString(logs.String()) {
			t.Fatalf("missing years %v, log:\n%s", want, logs.String())
		}
	})
}

// TestReloadCalendar: a year saved on the web by another process (here
// straight into the store) reaches this process's complaint service on the
// next check, without a restart.
func TestReloadCalendar(t *testing.T) {
	t.Setenv("ADUAN_DATABASE_URL", pgtest.URL(t))
	t.Setenv("ADUAN_DATA_DIR", t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	cfg, st, err := loadStore(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc, err := newComplaints(cfg, calendar.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- reloadCalendar(ctx, zerolog.New(io.Discard), cfg, st, svc, nil, 10*time.Millisecond)
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	saveWebYear(t, webTest2027)
	bustest.Eventually(t, 10*time.Second, func() bool { return svc.Calendar().Origin(2027) == calendar.Web })
	due, err := svc.Calendar().Due(time.Date(2026, 12, 21, 10, 0, 0, 0, calendar.WIB), workflow.ClassB.WorkingDays())
	if err != nil || due.String() != "2027-01-14" {
		t.Errorf("class B from 2026-12-21 after the reload: %s, %v; want 2027-01-14", due, err)
	}
}
