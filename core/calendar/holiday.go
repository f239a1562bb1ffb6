package calendar

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
)

// Kind says why a date is not a working day.
type Kind string

// The kinds of days off a joint decree (SKB) lists.
const (
	// KindHoliday is a national holiday (hari libur nasional).
	KindHoliday Kind = "libur"
	// KindCutiBersama is a collective leave day (cuti bersama) of the
	// civil service, usually next to a holiday.
	KindCutiBersama Kind = "cuti_bersama"
)

// Label is the kind's Indonesian name, as officers read it.
func (k Kind) Label() string {
	if k == KindCutiBersama {
		return "Cuti bersama"
	}
	return "Libur nasional"
}

// fileKinds are the kind words of a year file.
var fileKinds = map[string]Kind{"libur": KindHoliday, "cuti": KindCutiBersama}

// Holiday is one date off: a national holiday or a cuti bersama day.
type Holiday struct {
	Date Date
	Kind Kind
	Name string
}

// Source is one year file: its name (for error messages, e.g. a path) and its
// contents. The caller reads files; this package does no I/O.
type Source struct {
	Name string
	Data []byte
}

// ParseYear checks a year file the way New does and returns its year and
// days off in date order; a mistake is a *LineError. The web's year form
// validates and previews with it.
func ParseYear(src Source) (int, []Holiday, error) {
	f, err := parseSource(src)
	if err != nil {
		return 0, nil, err
	}
	return f.year, f.holidays, nil
}

// Problem is what is wrong with a line of a year file.
type Problem int

// The problems a year file can have.
const (
	ProblemFormat  Problem = iota + 1 // fewer than three fields; Text is the line
	ProblemDate                       // Text is not a YYYY-MM-DD date
	ProblemKind                       // Text is neither libur nor cuti
	ProblemYear                       // Date is not in Year, the year of the file's first date
	ProblemOrder                      // Date repeats or comes before Prev
	ProblemNoDates                    // the file lists no date (Line 0)
)

// LineError is a mistake in a year file, with its line (1-based; 0 for the
// file as a whole) and what the caller needs to explain it in its own words.
type LineError struct {
	Source  string
	Line    int
	Problem Problem
	Text    string
	Date    Date
	Year    int
	Prev    Date
}

func (e *LineError) Error() string {
	var msg string
	switch e.Problem {
	case ProblemFormat:
		msg = fmt.Sprintf("%q: want \"YYYY-MM-DD libur|cuti name\"", e.Text)
	case ProblemDate:
		msg = fmt.Sprintf("date %q: want YYYY-MM-DD", e.Text)
	case ProblemKind:
		msg = fmt.Sprintf("kind %q: want libur (national holiday) or cuti (cuti bersama)", e.Text)
	case ProblemYear:
		msg = fmt.Sprintf("%s is not in %d, the year of the file's first date: a file holds one year", e.Date, e.Year)
	case ProblemOrder:
		msg = fmt.Sprintf("%s repeats or comes before %s: list each date once, in date order", e.Date, e.Prev)
	case ProblemNoDates:
		return e.Source + ": no dates: a year file lists every national holiday and cuti bersama day of its year"
	}
	return fmt.Sprintf("%s:%d: %s", e.Source, e.Line, msg)
}

// yearFile is a parsed Source.
type yearFile struct {
	name     string
	year     int
	holidays []Holiday // in date order
}

// parseSource reads a year file: one date a line, "YYYY-MM-DD libur|cuti
// name", blank lines and lines starting with # ignored. Every date must lie
// in the same year, each at most once, in ascending order, so a mistyped
// year or a pasted line stands out.
func parseSource(src Source) (*yearFile, error) {
	f := &yearFile{name: src.Name}
	sc := bufio.NewScanner(bytes.NewReader(src.Data))
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		h, err := parseLine(text)
		if err != nil {
			err.Source, err.Line = src.Name, line
			return nil, err
		}
		if f.year == 0 {
			f.year = h.Date.Year
		}
		if h.Date.Year != f.year {
			return nil, &LineError{Source: src.Name, Line: line, Problem: ProblemYear, Date: h.Date, Year: f.year}
		}
		if n := len(f.holidays); n > 0 && !f.holidays[n-1].Date.Before(h.Date) {
			return nil, &LineError{Source: src.Name, Line: line, Problem: ProblemOrder, Date: h.Date, Prev: f.holidays[n-1].Date}
		}
		f.holidays = append(f.holidays, h)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", src.Name, err)
	}
	if f.year == 0 {
		return nil, &LineError{Source: src.Name, Problem: ProblemNoDates}
	}
	return f, nil
}

func parseLine(text string) (Holiday, *LineError) {
	fields := strings.Fields(text)
	if len(fields) < 3 {
		return Holiday{}, &LineError{Problem: ProblemFormat, Text: text}
	}
	d, err := ParseDate(fields[0])
	if err != nil {
		return Holiday{}, &LineError{Problem: ProblemDate, Text: fields[0]}
	}
	k, ok := fileKinds[fields[1]]
	if !ok {
		return Holiday{}, &LineError{Problem: ProblemKind, Text: fields[1]}
	}
	return Holiday{Date: d, Kind: k, Name: strings.Join(fields[2:], " ")}, nil
}
