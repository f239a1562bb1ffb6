package beritaacara

import (
	"fmt"
	"time"
)

// wib is Western Indonesia Time, the office's zone; it has no daylight
// saving, so a fixed zone needs no tz database.
var wib = time.FixedZone("WIB", 7*3600)

var monthNames = [...]string{"Januari", "Februari", "Maret", "April", "Mei", "Juni",
	"Juli", "Agustus", "September", "Oktober", "November", "Desember"}

var dayNames = [...]string{"Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"}

// LongDate formats t's date in WIB the Indonesian way: "17 Maret 2026".
// The zero time gives "-".
func LongDate(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	t = t.In(wib)
	return fmt.Sprintf("%d %s %d", t.Day(), monthNames[t.Month()-1], t.Year())
}

// LongDateTime is LongDate with the time of day: "17 Maret 2026 pukul
// 09.15 WIB". The zero time gives "-".
func LongDateTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	w := t.In(wib)
	return fmt.Sprintf("%s pukul %02d.%02d WIB", LongDate(t), w.Hour(), w.Minute())
}

// longDueDate formats a "YYYY-MM-DD" due date; anything else is printed
// as given, so a malformed value is still visible rather than lost.
func longDueDate(due string) string {
	d, err := time.ParseInLocation(time.DateOnly, due, wib)
	if err != nil {
		return orDash(due)
	}
	return LongDate(d)
}
