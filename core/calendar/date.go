package calendar

import (
	"fmt"
	"time"
)

// WIB is the office's time zone (UTC+7, no daylight saving): the civil
// dates of deadlines, tickets and the times officers read follow it.
var WIB = time.FixedZone("WIB", 7*3600)

// Date is a civil date in WIB, without a time of day. The zero Date is not a
// real date. Dates compare with == and can be map keys.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf is the date t falls on in WIB.
func DateOf(t time.Time) Date {
	y, m, d := t.In(WIB).Date()
	return Date{y, m, d}
}

// ParseDate reads a date written YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.ParseInLocation(time.DateOnly, s, WIB)
	if err != nil {
		return Date{}, fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	return DateOf(t), nil
}

// String writes the date as YYYY-MM-DD.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// Time is the start of the date (midnight) in WIB.
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, WIB) }

// AddDays is the date n calendar days later (earlier when n < 0).
func (d Date) AddDays(n int) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, WIB))
}

// Compare is -1 when d is before e, 0 when equal, +1 when after.
func (d Date) Compare(e Date) int {
	switch {
	case d.Year != e.Year:
		return cmpInt(d.Year, e.Year)
	case d.Month != e.Month:
		return cmpInt(int(d.Month), int(e.Month))
	}
	return cmpInt(d.Day, e.Day)
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Before reports whether d is earlier than e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is later than e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// Equal reports whether d and e are the same date.
func (d Date) Equal(e Date) bool { return d == e }

// Weekday is the day of the week of d.
func (d Date) Weekday() time.Weekday { return d.Time().Weekday() }

// Long writes the date for reporters and officers, in Indonesian:
// "Selasa, 31 Maret 2026". The zero Date writes as 0000-00-00.
func (d Date) Long() string {
	if d.Month < time.January || d.Month > time.December {
		return d.String()
	}
	return fmt.Sprintf("%s, %d %s %d", DayName(d.Weekday()), d.Day, MonthName(d.Month), d.Year)
}

var (
	dayNames   = [...]string{"Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"}
	monthNames = [...]string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli",
		"Agustus", "September", "Oktober", "November", "Desember"}
)

// DayName is the Indonesian name of a weekday: Senin for Monday.
func DayName(w time.Weekday) string { return dayNames[w] }

// MonthName is the Indonesian name of a month: Maret for March.
func MonthName(m time.Month) string { return monthNames[m-1] }
