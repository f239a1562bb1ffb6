package workflow

import (
	"strings"
	"testing"
)

func TestParseClass(t *testing.T) {
	cases := []struct {
		name, in string
		want     Class
		days     int
		wantErr  bool
	}{
		{"upper A", "A", ClassA, 5, false},
		{"lower b", "b", ClassB, 14, false},
		{"padded c", " c ", ClassC, 60, false},
		{"unknown letter", "D", "", 0, true},
		{"empty", "", "", 0, true},
		{"word", "AB", "", 0, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseClass(tc.in)
			if tc.wantErr {
				if err == nil || !strings.Contains(err.Error(), "A, B and C") {
					t.Fatalf("ParseClass(%q) = %q, %v; want an error naming the valid classes", tc.in, got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseClass(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
			if d := got.WorkingDays(); d != tc.days {
				t.Errorf("%s.WorkingDays() = %d, want %d", got, d, tc.days)
			}
		})
	}
}

func TestClassesHaveDaysAndLabels(t *testing.T) {
	labels := map[string]bool{}
	for _, c := range Classes() {
		if c.WorkingDays() <= 0 || c.Label() == "" {
			t.Errorf("class %s: days %d, label %q", c, c.WorkingDays(), c.Label())
		}
		if labels[c.Label()] {
			t.Errorf("class %s repeats label %q", c, c.Label())
		}
		labels[c.Label()] = true
	}
	if Class("X").WorkingDays() != 0 || Class("X").Label() != "" {
		t.Error("unknown class has days or a label")
	}
}
