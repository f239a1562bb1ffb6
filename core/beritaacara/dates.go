package beritaacara

import (
	"fmt"
	"time"

	"github.com/aduan-gateway/aduan/core/calendar"
)

var monthNames = [...]string{"Januari", "Februari", "Maret", "April", "Mei", "Juni",
	"Juli", "Agustus", "September", "Oktober", "November", "Desember"}

// LongDate formats t's date in WIB the way official letters do, without
// the weekday: "17 Maret 2026". The zero time gives "-".
func LongDate(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return longDate(calendar.DateOf(t))
}

func longDate(d calendar.Date) string {
	if d.Month < time.January || d.Month > time.December {
		return "-"
	}
	return fmt.Sprintf("%d %s %d", d.Day, monthNames[d.Month-1], d.Year)
}

// LongDateTime is LongDate with the time of day: "17 Maret 2026 pukul
// 09.15 WIB". The zero time gives "-".
func LongDateTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	w := t.In(calendar.WIB)
	return fmt.Sprintf("%s pukul %02d.%02d WIB", LongDate(t), w.Hour(), w.Minute())
}
