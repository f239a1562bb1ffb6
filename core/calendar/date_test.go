package calendar

import (
	"testing"
	"time"
)

func TestDateOf(t *testing.T) {
	cases := []struct {
		name string
		t    time.Time
		want string
	}{
		{"16:59 UTC is 23:59 WIB the same day", time.Date(2026, 3, 16, 16, 59, 0, 0, time.UTC), "2026-03-16"},
		{"17:00 UTC is midnight WIB the next day", time.Date(2026, 3, 16, 17, 0, 0, 0, time.UTC), "2026-03-17"},
		{"new year's eve in UTC is new year in WIB", time.Date(2026, 12, 31, 18, 0, 0, 0, time.UTC), "2027-01-01"},
		{"a WIB time", time.Date(2026, 3, 17, 0, 0, 0, 0, WIB), "2026-03-17"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := DateOf(tc.t).String(); got != tc.want {
				t.Errorf("DateOf(%s) = %s, want %s", tc.t, got, tc.want)
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	cases := []struct {
		in      string
		wantErr bool
	}{
		{"2026-03-17", false},
		{"2024-02-29", false},
		{"2026-02-29", true},
		{"2026-3-17", true},
		{"17-03-2026", true},
		{"", true},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			d, err := ParseDate(tc.in)
			if tc.wantErr != (err != nil) {
				t.Fatalf("ParseDate(%q) = %v, %v", tc.in, d, err)
			}
			if err == nil && d.String() != tc.in {
				t.Errorf("round trip: %s", d)
			}
		})
	}
}

func TestDateArithmetic(t *testing.T) {
	d := Date{2026, time.March, 31}
	cases := []struct {
		name string
		got  Date
		want string
	}{
		{"next month", d.AddDays(1), "2026-04-01"},
		{"back over February", d.AddDays(-31), "2026-02-28"},
		{"into a leap day", Date{2028, time.February, 28}.AddDays(1), "2028-02-29"},
		{"next year", Date{2026, time.December, 31}.AddDays(1), "2027-01-01"},
		{"zero", d.AddDays(0), "2026-03-31"},
	}
	for _, tc := range cases {
		if tc.got.String() != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, tc.got, tc.want)
		}
	}
	e := d.AddDays(1)
	if !d.Before(e) || d.After(e) || !e.After(d) || d.Equal(e) || !d.Equal(Date{2026, time.March, 31}) {
		t.Error("comparisons of 2026-03-31 and 2026-04-01 wrong")
	}
	if (Date{2025, time.December, 31}).After(Date{2026, time.January, 1}) {
		t.Error("2025-12-31 after 2026-01-01")
	}
	if !d.Time().Equal(time.Date(2026, 3, 30, 17, 0, 0, 0, time.UTC)) {
		t.Errorf("Time() = %s, want midnight WIB", d.Time())
	}
	if d.Weekday() != time.Tuesday {
		t.Errorf("2026-03-31 is a %s, want Tuesday", d.Weekday())
	}
	if got := d.Long(); got != "Selasa, 31 Maret 2026" {
		t.Errorf("Long() = %q", got)
	}
	if got := (Date{}).Long(); got != "0000-00-00" {
		t.Errorf("zero Long() = %q", got)
	}
}
