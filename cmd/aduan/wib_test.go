package main

import (
	"testing"
	"time"
)

func TestWIBTime(t *testing.T) {
	cases := []struct {
		name string
		at   time.Time
		want string
	}{
		{"UTC afternoon", time.Date(2026, 3, 31, 7, 5, 0, 0, time.UTC), "2026-03-31 14:05 WIB"},
		{"UTC evening is the next day in WIB", time.Date(2026, 12, 31, 18, 0, 0, 0, time.UTC), "2027-01-01 01:00 WIB"},
		{"another zone", time.Date(2026, 3, 31, 9, 0, 0, 0, time.FixedZone("WITA", 8*3600)), "2026-03-31 08:00 WIB"},
	}
	for _, tc := range cases {
		if got := wibTime(tc.at); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}
