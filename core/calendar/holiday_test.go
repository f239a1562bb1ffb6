package calendar

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestEmbeddedYears checks the shipped files against the dates of the joint
// decrees as issue 9 lists them.
func TestEmbeddedYears(t *testing.T) {
	decrees := map[int]map[Kind]string{
		2025: {
			KindHoliday:     "01-01 01-27 01-29 03-29 03-31 04-01 04-18 04-20 05-01 05-12 05-29 06-01 06-06 06-27 08-17 09-05 12-25",
			KindCutiBersama: "01-28 03-28 04-02 04-03 04-04 04-07 05-13 05-30 06-09 08-18 12-26",
		},
		2026: {
			KindHoliday:     "01-01 01-16 02-17 03-19 03-21 03-22 04-03 04-05 05-01 05-14 05-27 05-31 06-01 06-16 08-17 08-25 12-25",
			KindCutiBersama: "02-16 03-18 03-20 03-23 03-24 05-15 05-28 12-24",
		},
	}
	c := mustNew(t)
	if got := c.Years(); !slices.Equal(got, []int{2025, 2026}) {
		t.Fatalf("Years() = %v, want [2025 2026]: no year is shipped without its decree", got)
	}
	for year, kinds := range decrees {
		hs, err := c.Year(year)
		if err != nil {
			t.Fatal(err)
		}
		got := map[Kind][]string{}
		for _, h := range hs {
			got[h.Kind] = append(got[h.Kind], h.Date.String()[5:])
			if h.Name == "" {
				t.Errorf("%s has no name", h.Date)
			}
		}
		for k, want := range kinds {
			if g := strings.Join(got[k], " "); g != want {
				t.Errorf("%d %s:\n got %s\nwant %s", year, k, g, want)
			}
		}
	}
	_, err := c.Year(2027)
	wantNoData(t, err, 2027)
}

func TestAdminFiles(t *testing.T) {
	src := func(name, data string) Source { return Source{Name: name, Data: []byte(data)} }
	cases := []struct {
		name    string
		extra   []Source
		wantErr string // substring; empty for success
	}{
		{"adds a year", []Source{file2027}, ""},
		{"comments, blank lines and spacing", []Source{src("2027.txt", "\n  # SKB 2027\n\n2027-01-01   libur   Tahun Baru  \n2027-02-08 cuti Cuti bersama\n")}, ""},
		{"bad date", []Source{src("2027.txt", "# x\n2027-01-01 libur Tahun Baru\n2027-13-01 libur Salah\n")}, "2027.txt:3: date \"2027-13-01\""},
		{"unknown kind", []Source{src("2027.txt", "2027-01-01 holiday Tahun Baru\n")}, "2027.txt:1: kind \"holiday\""},
		{"missing name", []Source{src("2027.txt", "2027-01-01 libur\n")}, "2027.txt:1:"},
		{"two years in one file", []Source{src("2027.txt", "2027-01-01 libur A\n2028-01-01 libur B\n")}, "2027.txt:2: 2028-01-01 is not in 2027"},
		{"repeated date", []Source{src("2027.txt", "2027-01-01 libur A\n2027-01-01 cuti B\n")}, "2027.txt:2: 2027-01-01 repeats"},
		{"out of order", []Source{src("2027.txt", "2027-03-01 libur A\n2027-01-01 libur B\n")}, "2027.txt:2:"},
		{"no dates", []Source{src("2027.txt", "# only a comment\n")}, "2027.txt: no dates"},
		{"two files for one year", []Source{file2027, src("other.txt", "2027-05-01 libur Hari Buruh\n")}, "extra/2027.txt and other.txt both hold 2027"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := New(tc.extra...)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Contains(c.Years(), 2027) {
					t.Errorf("Years() = %v, want 2027 among them", c.Years())
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestAdminFileReplacesAYear(t *testing.T) {
	c := mustNew(t, Source{Name: "2026.txt", Data: []byte("2026-01-01 libur Tahun Baru 2026 Masehi\n2026-03-19 libur Hari Suci Nyepi\n")})
	cases := []struct {
		date string
		want bool
	}{
		{"2026-03-18", true}, // cuti bersama of the embedded file, not in the admin's
		{"2026-03-19", false},
		{"2025-12-26", false}, // other years untouched
	}
	for _, tc := range cases {
		d, _ := ParseDate(tc.date)
		if got, err := c.IsWorkingDay(d); err != nil || got != tc.want {
			t.Errorf("IsWorkingDay(%s) = %v, %v; want %v", tc.date, got, err, tc.want)
		}
	}
	if c.Origin(2026) != "2026.txt" || c.Origin(2025) != Builtin || c.Origin(2027) != "" {
		t.Errorf("origins: 2025 %q, 2026 %q, 2027 %q", c.Origin(2025), c.Origin(2026), c.Origin(2027))
	}
	hs, _ := c.Year(2026)
	if len(hs) != 2 {
		t.Errorf("2026 has %d days off, want the admin's 2", len(hs))
	}
	if h, ok := c.Holiday(Date{2026, time.March, 19}); !ok || h.Kind != KindHoliday || h.Name != "Hari Suci Nyepi" {
		t.Errorf("Holiday(2026-03-19) = %+v, %v", h, ok)
	}
}

// TestLayered: a year comes from the folder, else the web, else the binary;
// a web entry for a folder year is set aside and named.
func TestLayered(t *testing.T) {
	// made-up data for tests, not any decree
	folder := []Source{{Name: "data/holidays/2027.txt", Data: []byte("2027-01-01 libur Tahun Baru (uji)\n")}}
	web := []Source{
		{Name: Web, Data: []byte("2026-01-01 libur Tahun Baru (uji)\n")},
		{Name: Web, Data: []byte("2027-01-04 cuti Cuti (uji)\n")},
		{Name: Web, Data: []byte("2028-01-03 cuti Cuti (uji)\n")},
	}
	c, shadowed, err := Layered(folder, web)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]string{2025: Builtin, 2026: Web, 2027: folder[0].Name, 2028: Web}
	for y, o := range want {
		if c.Origin(y) != o {
			t.Errorf("Origin(%d) = %q, want %q", y, c.Origin(y), o)
		}
	}
	if !slices.Equal(shadowed, []int{2027}) {
		t.Errorf("shadowed = %v, want [2027]", shadowed)
	}
	_, _, err = Layered(nil, []Source{{Name: Web, Data: []byte("2027-01-04 cuti\n")}})
	var le *LineError
	if !errors.As(err, &le) || le.Line != 1 || le.Problem != ProblemFormat {
		t.Errorf("Layered with a bad web line: %v, want a *LineError for line 1", err)
	}
}
