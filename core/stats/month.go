package stats

import (
	"fmt"
	"time"

	"github.com/aduan-gateway/aduan/core/calendar"
)

// Month is a calendar month of the office (WIB), the period of the monthly
// report.
type Month struct {
	Year  int
	Month time.Month
}

// MonthOf is the WIB month of t.
func MonthOf(t time.Time) Month {
	w := t.In(calendar.WIB)
	return Month{w.Year(), w.Month()}
}

// ParseMonth reads YYYY-MM.
func ParseMonth(s string) (Month, error) {
	t, err := time.Parse("2006-01", s)
	if err != nil || t.Year() < 2000 || t.Year() > 9999 {
		return Month{}, fmt.Errorf("month %q: want YYYY-MM, e.g. 2026-03", s)
	}
	return Month{t.Year(), t.Month()}, nil
}

// String is the month as YYYY-MM.
func (m Month) String() string { return fmt.Sprintf("%04d-%02d", m.Year, int(m.Month)) }

// Start is the first instant of the month in WIB.
func (m Month) Start() time.Time { return time.Date(m.Year, m.Month, 1, 0, 0, 0, 0, calendar.WIB) }

// End is the first instant after the month.
func (m Month) End() time.Time { return m.Add(1).Start() }

// Add is the month n months later (earlier for negative n).
func (m Month) Add(n int) Month {
	return MonthOf(time.Date(m.Year, m.Month+time.Month(n), 1, 12, 0, 0, 0, calendar.WIB))
}

// Label is the month in Indonesian, e.g. "Maret 2026".
func (m Month) Label() string { return fmt.Sprintf("%s %d", calendar.MonthName(m.Month), m.Year) }

// Short is the month shortly, for chart axes: "Mar 26".
func (m Month) Short() string {
	return fmt.Sprintf("%s %02d", calendar.MonthName(m.Month)[:3], m.Year%100)
}
