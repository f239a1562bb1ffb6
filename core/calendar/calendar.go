// Package calendar counts working days for complaint deadlines: Monday to
// Friday in WIB, minus the national holidays and cuti bersama days of the
// joint decree (SKB) of each year.
//
// Holiday data comes in year files (format in docs/calendar.md). The files
// for the years the project knows are embedded; an administrator adds or
// replaces a year with a file of their own, read by the caller and handed to
// New. A year is known only when it has a file: a date in any other year is
// refused with a *NoDataError rather than guessed.
package calendar

import (
	"embed"
	"fmt"
	"maps"
	"path"
	"slices"
	"time"
)

//go:embed holidays/*.txt
var embedded embed.FS

// NoDataError is returned for a date in a year without holiday data.
type NoDataError struct {
	Year int
}

func (e *NoDataError) Error() string {
	return fmt.Sprintf("no holiday data for %d: add the joint decree (SKB) on national holidays and cuti bersama for %d as a year file (docs/calendar.md)", e.Year, e.Year)
}

// Calendar knows the days off of some years. It is read-only once built and
// safe for concurrent use.
type Calendar struct {
	years  map[int][]Holiday
	origin map[int]string // year → name of its Source, or "built-in"
	off    map[Date]Holiday
}

// New builds a calendar from the embedded year files and extra, the
// administrator's files: a file for a year the binary knows replaces that
// year, any other adds its year. Two extra files for one year, or a file
// that does not parse, are an error naming the file (and line).
func New(extra ...Source) (*Calendar, error) {
	c := &Calendar{years: map[int][]Holiday{}, origin: map[int]string{}, off: map[Date]Holiday{}}
	entries, err := embedded.ReadDir("holidays")
	if err != nil {
		return nil, fmt.Errorf("reading embedded holidays: %w", err)
	}
	for _, e := range entries {
		name := path.Join("holidays", e.Name())
		data, err := embedded.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("reading embedded holidays: %w", err)
		}
		f, err := parseSource(Source{Name: name, Data: data})
		if err != nil {
			return nil, fmt.Errorf("embedded holidays: %w", err)
		}
		c.years[f.year] = f.holidays
		c.origin[f.year] = Builtin
	}
	for _, src := range extra {
		f, err := parseSource(src)
		if err != nil {
			return nil, err
		}
		if other := c.origin[f.year]; other != Builtin && other != "" {
			return nil, fmt.Errorf("%s and %s both hold %d: keep one file per year", other, src.Name, f.year)
		}
		c.years[f.year] = f.holidays
		c.origin[f.year] = src.Name
	}
	for _, hs := range c.years {
		for _, h := range hs {
			c.off[h.Date] = h
		}
	}
	return c, nil
}

// Web is the Source name, and so the Origin, of a year entered on the
// admin's calendar page (/admin/kalender) and kept in the database.
const Web = "web"

// Layered builds the calendar of the three places years come from, each
// year taken from the first that has it: the holidays folder's files
// (folder), then the years entered on the web (web, each named Web), then
// the embedded years. A folder file thus wins over a web entry for its
// year, whose page refuses such a year; shadowed lists the web entries set
// aside so, ascending, for the caller to warn about.
func Layered(folder, web []Source) (c *Calendar, shadowed []int, err error) {
	files, err := New(folder...)
	if err != nil {
		return nil, nil, err
	}
	kept := slices.Clone(folder)
	for _, src := range web {
		y, _, err := ParseYear(src)
		if err != nil {
			return nil, nil, err
		}
		if o := files.Origin(y); o != "" && o != Builtin {
			shadowed = append(shadowed, y)
			continue
		}
		kept = append(kept, src)
	}
	c, err = New(kept...)
	slices.Sort(shadowed)
	return c, shadowed, err
}

// Embedded is the calendar of the embedded year files alone, for callers
// that take no administrator's files (tests, tools). The embedded files are
// checked by this package's tests, so a failure here is a broken build.
func Embedded() *Calendar {
	c, err := New()
	if err != nil {
		panic(err)
	}
	return c
}

// Years lists the years with holiday data, ascending.
func (c *Calendar) Years() []int { return slices.Sorted(maps.Keys(c.years)) }

// Builtin is the Origin of a year whose data is embedded in the binary.
const Builtin = "built-in"

// Origin says where year y's data came from: Builtin, or the Name of the
// administrator's Source; "" for a year without data.
func (c *Calendar) Origin(y int) string { return c.origin[y] }

// Year lists the days off of year y in date order, or a *NoDataError.
func (c *Calendar) Year(y int) ([]Holiday, error) {
	hs, ok := c.years[y]
	if !ok {
		return nil, &NoDataError{Year: y}
	}
	return slices.Clone(hs), nil
}

// Holiday is the day off on d, if d is one.
func (c *Calendar) Holiday(d Date) (Holiday, bool) {
	h, ok := c.off[d]
	return h, ok
}

// IsWorkingDay reports whether d is a Monday to Friday that is neither a
// national holiday nor cuti bersama; a *NoDataError when d's year has no data.
func (c *Calendar) IsWorkingDay(d Date) (bool, error) {
	if _, ok := c.years[d.Year]; !ok {
		return false, &NoDataError{Year: d.Year}
	}
	return weekday(d) && !c.isOff(d), nil
}

// weekday reports whether d is a Monday to Friday.
func weekday(d Date) bool {
	w := d.Weekday()
	return w != time.Saturday && w != time.Sunday
}

func (c *Calendar) isOff(d Date) bool {
	_, off := c.off[d]
	return off
}

// Due is the deadline of a report received at received (any zone) with
// days working days: day 1 is the first working day after the WIB date of
// receipt, whatever that date is (a Saturday or a holiday too), and the due
// date is day number days. A report received on Tuesday 2026-03-17 with 5
// working days is due on 2026-03-31. days must be at least 1. A
// *NoDataError names the first year without data the count reaches.
func (c *Calendar) Due(received time.Time, days int) (Date, error) {
	if days < 1 {
		return Date{}, fmt.Errorf("deadline of %d working days: must be at least 1", days)
	}
	d := DateOf(received)
	for n := 0; n < days; {
		d = d.AddDays(1)
		ok, err := c.IsWorkingDay(d)
		if err != nil {
			return Date{}, err
		}
		if ok {
			n++
		}
	}
	return d, nil
}

// WorkingDaysLeft says how far due is from now's WIB date (today), in
// working days:
//   - on or before due: the working days after today up to and including
//     due, so 0 on the due date itself and 1 on the last working day before
//     it (or on the weekend before a Monday due date);
//   - after due (overdue): minus the working days after due up to and
//     including today, and at least 1, so -1 on the first working day after
//     due and on the days off before it, -2 on the next working day.
//
// The web shows "sisa N hari kerja", near due when N ≤ 1 and overdue when
// N < 0. A *NoDataError names a year in between without data.
func (c *Calendar) WorkingDaysLeft(now time.Time, due Date) (int, error) {
	today := DateOf(now)
	if !today.After(due) {
		return c.count(today, due)
	}
	n, err := c.count(due, today)
	if err != nil {
		return 0, err
	}
	return -max(n, 1), nil
}

// WorkingDaysBetween counts the working days after from's WIB date up to and
// including to's: how many working days a complaint received at from and
// finished at to took, on the same count as Due (finishing on the due date
// of an N-day deadline took N). to before from is an error; a *NoDataError
// names a year in between without data.
func (c *Calendar) WorkingDaysBetween(from, to time.Time) (int, error) {
	a, b := DateOf(from), DateOf(to)
	if b.Before(a) {
		return 0, fmt.Errorf("working days from %s to %s: the end is before the start", a, b)
	}
	return c.count(a, b)
}

// count is the number of working days d with a < d ≤ b.
func (c *Calendar) count(a, b Date) (int, error) {
	n := 0
	for d := a.AddDays(1); !d.After(b); d = d.AddDays(1) {
		ok, err := c.IsWorkingDay(d)
		if err != nil {
			return 0, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}

// MissingYears lists, ascending, the years without data that a deadline of
// days working days counted from now may reach: now's own year when it has
// no data, and every later year the count enters. Within a year without data
// every Monday to Friday counts as a working day, the shortest reach the
// missing decree could give. Empty when every deadline of that length can be
// computed. The serve log and the channels page warn with it.
func (c *Calendar) MissingYears(now time.Time, days int) []int {
	var missing []int
	note := func(y int) {
		if _, ok := c.years[y]; !ok && !slices.Contains(missing, y) {
			missing = append(missing, y)
		}
	}
	d := DateOf(now)
	note(d.Year)
	for n := 0; n < days; {
		d = d.AddDays(1)
		note(d.Year)
		if weekday(d) && !c.isOff(d) {
			n++
		}
	}
	return missing
}
