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
			return nil, fmt.Errorf("%s:%d: %w", src.Name, line, err)
		}
		if f.year == 0 {
			f.year = h.Date.Year
		}
		if h.Date.Year != f.year {
			return nil, fmt.Errorf("%s:%d: %s is not in %d, the year of the file's first date: a file holds one year", src.Name, line, h.Date, f.year)
		}
		if n := len(f.holidays); n > 0 && !f.holidays[n-1].Date.Before(h.Date) {
			return nil, fmt.Errorf("%s:%d: %s repeats or comes before %s: list each date once, in date order", src.Name, line, h.Date, f.holidays[n-1].Date)
		}
		f.holidays = append(f.holidays, h)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", src.Name, err)
	}
	if f.year == 0 {
		return nil, fmt.Errorf("%s: no dates: a year file lists every national holiday and cuti bersama day of its year", src.Name)
	}
	return f, nil
}

func parseLine(text string) (Holiday, error) {
	fields := strings.Fields(text)
	if len(fields) < 3 {
		return Holiday{}, fmt.Errorf("%q: want \"YYYY-MM-DD libur|cuti name\"", text)
	}
	d, err := ParseDate(fields[0])
	if err != nil {
		return Holiday{}, err
	}
	k, ok := fileKinds[fields[1]]
	if !ok {
		return Holiday{}, fmt.Errorf("kind %q: want libur (national holiday) or cuti (cuti bersama)", fields[1])
	}
	return Holiday{Date: d, Kind: k, Name: strings.Join(fields[2:], " ")}, nil
}
