package calendar

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// at is a WIB time on a date written YYYY-MM-DD.
func at(t *testing.T, date string, hour int) time.Time {
	t.Helper()
	d, err := ParseDate(date)
	if err != nil {
		t.Fatal(err)
	}
	return d.Time().Add(time.Duration(hour) * time.Hour)
}

func mustNew(t *testing.T, extra ...Source) *Calendar {
	t.Helper()
	c, err := New(extra...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// made-up 2027 data for tests: not the real decree, which we do not have.
var file2027 = Source{Name: "extra/2027.txt", Data: []byte(`# test data
2027-01-01 libur Tahun Baru 2027 Masehi
`)}

func wantNoData(t *testing.T, err error, year int) {
	t.Helper()
	var nd *NoDataError
	if !errors.As(err, &nd) || nd.Year != year {
		t.Fatalf("err = %v, want a *NoDataError for %d", err, year)
	}
	if !strings.Contains(err.Error(), "no holiday data for "+strconv.Itoa(year)) {
		t.Errorf("message %q does not name %d", err, year)
	}
}

func TestDue(t *testing.T) {
	cases := []struct {
		name     string
		extra    []Source
		received time.Time
		days     int
		want     string // YYYY-MM-DD, or "" with noData set
		noData   int
	}{
		{"Idulfitri 2026 week, class A", nil, at(t, "2026-03-17", 10), 5, "2026-03-31", 0},
		{"received 03:00 WIB is still that WIB date", nil, time.Date(2026, 3, 16, 20, 0, 0, 0, time.UTC), 5, "2026-03-31", 0},
		{"received 23:59 WIB", nil, at(t, "2026-03-17", 23).Add(59 * time.Minute), 5, "2026-03-31", 0},
		{"received on a Saturday", nil, at(t, "2026-03-07", 9), 5, "2026-03-13", 0},
		{"received on a Sunday", nil, at(t, "2026-03-08", 9), 5, "2026-03-13", 0},
		{"received on a holiday followed by cuti bersama", nil, at(t, "2026-05-14", 9), 5, "2026-05-22", 0},
		{"received on cuti bersama", nil, at(t, "2026-03-23", 9), 1, "2026-03-25", 0},
		{"one working day on a Friday is Monday", nil, at(t, "2026-03-06", 16), 1, "2026-03-09", 0},
		{"class B over the Idulfitri week and Good Friday", nil, at(t, "2026-03-13", 9), 14, "2026-04-10", 0},
		{"class C", nil, at(t, "2026-08-10", 9), 60, "2026-11-04", 0},
		{"class C ending mid-December", nil, at(t, "2026-09-22", 9), 60, "2026-12-15", 0},
		{"year end 2025 over Christmas and cuti bersama", nil, at(t, "2025-12-22", 9), 5, "2025-12-31", 0},
		{"year end 2025 into 2026 over New Year", nil, at(t, "2025-12-23", 9), 5, "2026-01-02", 0},
		{"class B from late December 2026 reaches 2027", nil, at(t, "2026-12-21", 9), 14, "", 2027},
		{"class A from 2026-12-28 reaches 2027", nil, at(t, "2026-12-28", 9), 5, "", 2027},
		{"admin's 2027 file makes it work", []Source{file2027}, at(t, "2026-12-28", 9), 5, "2027-01-05", 0},
		{"received in a year without data", nil, at(t, "2024-12-30", 9), 5, "", 2024},
		{"within 2026 from its last day off", nil, at(t, "2026-12-24", 9), 4, "2026-12-31", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := mustNew(t, tc.extra...).Due(tc.received, tc.days)
			if tc.noData != 0 {
				wantNoData(t, err, tc.noData)
				return
			}
			if err != nil || got.String() != tc.want {
				t.Fatalf("Due(%s, %d) = %s, %v; want %s", tc.received, tc.days, got, err, tc.want)
			}
			ok, err := mustNew(t, tc.extra...).IsWorkingDay(got)
			if !ok || err != nil {
				t.Errorf("due date %s is not a working day (%v)", got, err)
			}
		})
	}
}

func TestDueRefusesNoDays(t *testing.T) {
	for _, days := range []int{0, -3} {
		if d, err := mustNew(t).Due(at(t, "2026-03-17", 9), days); err == nil {
			t.Errorf("Due with %d days = %s, want an error", days, d)
		}
	}
}

func TestIsWorkingDay(t *testing.T) {
	cases := []struct {
		date string
		want bool
	}{
		{"2026-03-17", true},  // Tuesday
		{"2026-03-18", false}, // cuti bersama
		{"2026-03-19", false}, // Nyepi
		{"2026-03-21", false}, // Saturday and Idulfitri
		{"2026-03-25", true},
		{"2026-04-03", false}, // Good Friday
		{"2026-12-24", false},
		{"2026-12-31", true},
		{"2025-08-18", false}, // cuti bersama added by the amendment
		{"2025-12-26", false},
		{"2025-01-28", false},
		{"2026-03-14", false}, // plain Saturday
		{"2026-03-15", false}, // plain Sunday
	}
	c := mustNew(t)
	for _, tc := range cases {
		t.Run(tc.date, func(t *testing.T) {
			d, _ := ParseDate(tc.date)
			got, err := c.IsWorkingDay(d)
			if err != nil || got != tc.want {
				t.Fatalf("IsWorkingDay(%s) = %v, %v; want %v", tc.date, got, err, tc.want)
			}
		})
	}
	_, err := c.IsWorkingDay(Date{2027, time.January, 4})
	wantNoData(t, err, 2027)
}

func TestWorkingDaysLeft(t *testing.T) {
	cases := []struct {
		name string
		now  time.Time
		due  string
		want int
	}{
		{"on receipt of a class A report", at(t, "2026-03-17", 10), "2026-03-31", 5},
		{"during the Idulfitri days off", at(t, "2026-03-21", 10), "2026-03-31", 5},
		{"weekend before the due Tuesday", at(t, "2026-03-29", 10), "2026-03-31", 2},
		{"the working day before", at(t, "2026-03-30", 10), "2026-03-31", 1},
		{"due today, late evening", at(t, "2026-03-31", 23), "2026-03-31", 0},
		{"half past midnight WIB the next day", time.Date(2026, 3, 31, 17, 30, 0, 0, time.UTC), "2026-03-31", -1},
		{"two working days late", at(t, "2026-04-02", 10), "2026-03-31", -2},
		{"Good Friday adds nothing", at(t, "2026-04-03", 10), "2026-03-31", -2},
		{"Saturday after a Friday due date", at(t, "2026-03-13", 0).AddDate(0, 0, 1), "2026-03-13", -1},
		{"Monday after a Friday due date", at(t, "2026-03-16", 10), "2026-03-13", -1},
		{"cuti bersama adds nothing", at(t, "2026-03-18", 10), "2026-03-13", -2},
		{"weekend before a Monday due date", at(t, "2026-03-07", 10), "2026-03-09", 1},
	}
	c := mustNew(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			due, _ := ParseDate(tc.due)
			got, err := c.WorkingDaysLeft(tc.now, due)
			if err != nil || got != tc.want {
				t.Fatalf("WorkingDaysLeft(%s, %s) = %d, %v; want %d", tc.now, tc.due, got, err, tc.want)
			}
		})
	}
	_, err := c.WorkingDaysLeft(at(t, "2026-12-28", 9), Date{2027, time.January, 8})
	wantNoData(t, err, 2027)
}

func TestWorkingDaysBetween(t *testing.T) {
	cases := []struct {
		name     string
		from, to time.Time
		want     int
		noData   int
		wantErr  bool
	}{
		{"finished on the due date of class A", at(t, "2026-03-17", 10), at(t, "2026-03-31", 15), 5, 0, false},
		{"finished the same day", at(t, "2026-03-17", 10), at(t, "2026-03-17", 15), 0, 0, false},
		{"over the 2025 year end", at(t, "2025-12-23", 10), at(t, "2026-01-02", 15), 5, 0, false},
		{"into a year without data", at(t, "2026-12-28", 10), at(t, "2027-01-05", 15), 0, 2027, false},
		{"end before start", at(t, "2026-03-17", 10), at(t, "2026-03-16", 10), 0, 0, true},
	}
	c := mustNew(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.WorkingDaysBetween(tc.from, tc.to)
			switch {
			case tc.noData != 0:
				wantNoData(t, err, tc.noData)
			case tc.wantErr:
				if err == nil {
					t.Fatalf("got %d, want an error", got)
				}
			case err != nil || got != tc.want:
				t.Fatalf("got %d, %v; want %d", got, err, tc.want)
			}
		})
	}
}

func TestMissingYears(t *testing.T) {
	cases := []struct {
		name  string
		extra []Source
		now   time.Time
		days  int
		want  []int
	}{
		{"class C from June 2026", nil, at(t, "2026-06-01", 9), 60, nil},
		{"class C from the end of November 2026", nil, at(t, "2026-11-29", 9), 60, []int{2027}},
		{"class A from the end of November 2026", nil, at(t, "2026-11-29", 9), 5, nil},
		{"with the admin's 2027 file", []Source{file2027}, at(t, "2026-11-29", 9), 60, nil},
		{"today in a year without data", nil, at(t, "2024-06-01", 9), 60, []int{2024}},
		{"a horizon over two missing years", nil, at(t, "2026-12-01", 9), 300, []int{2027, 2028}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := mustNew(t, tc.extra...).MissingYears(tc.now, tc.days)
			if !slices.Equal(got, tc.want) {
				t.Fatalf("MissingYears = %v, want %v", got, tc.want)
			}
		})
	}
}
