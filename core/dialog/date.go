package dialog

import (
	"fmt"
	"time"
)

var monthNames = [...]string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli",
	"Agustus", "September", "Oktober", "November", "Desember"}

// longDate writes a "YYYY-MM-DD" date the Indonesian way ("31 Maret 2026");
// anything else (empty, malformed) gives "".
func longDate(ymd string) string {
	d, err := time.Parse(time.DateOnly, ymd)
	if err != nil {
		return ""
	}
	return fmt.Sprintf("%d %s %d", d.Day(), monthNames[d.Month()-1], d.Year())
}
