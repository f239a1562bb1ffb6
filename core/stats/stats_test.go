package stats

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/core/calendar"
	"github.com/aduan-gateway/aduan/core/workflow"
)

// at is a WIB time on a day of 2026 (whose holidays are built in).
func at(month time.Month, day, hour int) time.Time {
	return time.Date(2026, month, day, hour, 0, 0, 0, calendar.WIB)
}

func count(cs []Count, key string) int {
	for _, c := range cs {
		if c.Key == key {
			return c.N
		}
	}
	return -1
}

// fixedDue stands in for complaint.Service.DueAt: the state by due date,
// and no holiday data for 2030.
func fixedDue(_ workflow.Status, due string, _ time.Time) (string, error) {
	switch due {
	case "2026-07-01":
		return "overdue", nil
	case "2026-07-20":
		return "near", nil
	case "2030-01-10":
		return "", &calendar.NoDataError{Year: 2030}
	}
	return "on_track", nil
}

func TestCompute(t *testing.T) {
	july := Month{2026, time.July}
	cal := calendar.Embedded()
	cases := []struct {
		name  string
		in    Input
		check func(t *testing.T, r Report)
	}{
		{"no data at all", Input{Month: july, Calendar: cal}, func(t *testing.T, r Report) {
			if r.Received != 0 || r.Finished != 0 || r.HasCompliance || r.DaysCounted != 0 || r.BacklogTotal != 0 {
				t.Errorf("figures from nothing: %+v", r)
			}
			if len(r.ByChannel) != 5 || count(r.ByChannel, "whatsapp") != 0 {
				t.Errorf("every channel should be listed with 0: %+v", r.ByChannel)
			}
			if len(r.ByCategory) != 0 {
				t.Errorf("categories from nothing: %+v", r.ByCategory)
			}
			if len(r.Trend) != TrendMonths || r.Trend[11].Month != july || r.Trend[0].Month != (Month{2025, time.August}) {
				t.Errorf("trend months: %+v", r.Trend)
			}
			if r.Satisfaction != (Satisfaction{}) || len(r.MissingYears) != 0 {
				t.Errorf("satisfaction %+v, missing years %v", r.Satisfaction, r.MissingYears)
			}
			if len(r.Backlog) != 4 {
				t.Errorf("backlog rows %+v, want overdue, near, on_track, unverified", r.Backlog)
			}
		}},
		{"received per channel, category and class", Input{Month: july, Categories: map[string]string{"pkh": "PKH"},
			Received: []Received{
				{"whatsapp", "pkh", workflow.ClassA}, {"whatsapp", "pkh", workflow.ClassB},
				{"lapor", "lansia", workflow.ClassB}, {"walkin", "", ""}, {"fax", "", ""},
			}}, func(t *testing.T, r Report) {
			if r.Received != 5 || count(r.ByChannel, "whatsapp") != 2 || count(r.ByChannel, "lapor") != 1 ||
				count(r.ByChannel, "instagram") != 0 || count(r.ByChannel, "fax") != 1 {
				t.Errorf("by channel: %+v", r.ByChannel)
			}
			want := []Count{{"pkh", "PKH", 2}, {"lansia", "lansia", 1}, {"", "Belum diklasifikasi", 2}}
			if !slices.Equal(r.ByCategory, want) {
				t.Errorf("by category %+v, want %+v", r.ByCategory, want)
			}
			if count(r.ByClass, "A") != 1 || count(r.ByClass, "B") != 2 || count(r.ByClass, "C") != 0 || count(r.ByClass, "") != 2 {
				t.Errorf("by class: %+v", r.ByClass)
			}
		}},
		{"compliance and median working days", Input{Month: july, Calendar: cal, Finished: []Finished{
			{at(7, 6, 9), at(7, 10, 15), "2026-07-10"}, // on the due date: within, 4 days
			{at(7, 1, 9), at(7, 31, 8), "2026-07-08"},  // late, 22 days
			{at(7, 6, 9), at(7, 20, 8), "2026-07-24"},  // early, 10 days
			{at(7, 3, 20), at(7, 6, 1), ""},            // no due date: out of the ratio, 1 day
		}}, func(t *testing.T, r Report) {
			if r.Finished != 4 || r.WithinDue != 2 || r.NoDueDate != 1 || !r.HasCompliance {
				t.Fatalf("finished %d within %d no due %d has %v", r.Finished, r.WithinDue, r.NoDueDate, r.HasCompliance)
			}
			if got := round1(r.Compliance); got != 66.7 {
				t.Errorf("compliance %v, want 66.7 (2 of 3 with a due date)", got)
			}
			if r.DaysCounted != 4 || r.MedianDays != 7 {
				t.Errorf("median %v over %d, want 7 over 4 (days 1, 4, 10, 22)", r.MedianDays, r.DaysCounted)
			}
		}},
		{"odd count median, resolved late in the WIB evening", Input{Month: july, Calendar: cal, Finished: []Finished{
			// 23:30 WIB on the 10th is 16:30 UTC: still the 10th, within.
			{at(7, 6, 9), time.Date(2026, 7, 10, 16, 30, 0, 0, time.UTC), "2026-07-10"},
			// 00:30 WIB on the 11th is the 10th in UTC: the 11th counts, late.
			{at(7, 6, 9), time.Date(2026, 7, 10, 17, 30, 0, 0, time.UTC), "2026-07-10"},
			{at(7, 6, 9), at(7, 7, 9), "2026-07-10"},
		}}, func(t *testing.T, r Report) {
			if r.WithinDue != 2 || r.MedianDays != 4 {
				t.Errorf("within %d median %v, want 2 and 4", r.WithinDue, r.MedianDays)
			}
		}},
		{"years without holiday data are reported", Input{Month: Month{2024, time.March}, Calendar: cal, DueAt: fixedDue,
			Finished: []Finished{{time.Date(2024, 3, 1, 9, 0, 0, 0, calendar.WIB), time.Date(2024, 3, 8, 9, 0, 0, 0, calendar.WIB), "2024-03-08"}},
			Open:     []Open{{workflow.Verified, "2030-01-10"}},
		}, func(t *testing.T, r Report) {
			if r.Finished != 1 || r.WithinDue != 1 || r.DaysCounted != 0 {
				t.Errorf("finished %d within %d counted %d", r.Finished, r.WithinDue, r.DaysCounted)
			}
			if !slices.Equal(r.MissingYears, []int{2024, 2030}) {
				t.Errorf("missing years %v, want [2024 2030]", r.MissingYears)
			}
			if count(r.Backlog, NoCalendar) != 1 || r.BacklogTotal != 1 {
				t.Errorf("backlog %+v", r.Backlog)
			}
		}},
		{"no calendar given: compliance still, no median", Input{Month: july, Finished: []Finished{
			{at(7, 6, 9), at(7, 10, 15), "2026-07-10"},
		}}, func(t *testing.T, r Report) {
			if r.Compliance != 100 || r.DaysCounted != 0 {
				t.Errorf("compliance %v counted %d", r.Compliance, r.DaysCounted)
			}
		}},
		{"backlog by due state", Input{Month: july, DueAt: fixedDue, Open: []Open{
			{workflow.Verified, "2026-07-01"}, {workflow.FollowingUp, "2026-07-01"}, {workflow.Postponed, "2026-07-20"},
			{workflow.Verified, "2026-08-30"}, {workflow.AwaitingVerification, ""}, {workflow.AwaitingVerification, ""},
		}}, func(t *testing.T, r Report) {
			want := []Count{{"overdue", "Melewati batas waktu", 2}, {"near", "Mendekati batas waktu", 1},
				{"on_track", "Dalam batas waktu", 1}, {Unverified, "Belum diverifikasi", 2}}
			if !slices.Equal(r.Backlog, want) || r.BacklogTotal != 6 {
				t.Errorf("backlog %+v (total %d), want %+v", r.Backlog, r.BacklogTotal, want)
			}
		}},
		{"a due function failing otherwise counts without calendar", Input{Month: july,
			DueAt: func(workflow.Status, string, time.Time) (string, error) { return "", errors.New("bad date") },
			Open:  []Open{{workflow.Verified, "2026-13-01"}},
		}, func(t *testing.T, r Report) {
			if count(r.Backlog, NoCalendar) != 1 || len(r.MissingYears) != 0 {
				t.Errorf("backlog %+v missing %v", r.Backlog, r.MissingYears)
			}
		}},
		{"satisfaction scores, out-of-range answers ignored", Input{Month: july, Satisfaction: []int{4, 4, 3, 1, 0, 5}},
			func(t *testing.T, r Report) {
				s := r.Satisfaction
				if s.Responses != 4 || s.ByScore != [4]int{1, 0, 1, 2} || s.Mean != 3 || s.Index != 75 {
					t.Errorf("satisfaction %+v", s)
				}
			}},
		{"asked, nobody answered", Input{Month: july, Satisfaction: []int{}, SurveyAsked: 3}, func(t *testing.T, r Report) {
			if r.Satisfaction.Asked != 3 || r.Satisfaction.Responses != 0 || r.Satisfaction.Mean != 0 {
				t.Errorf("satisfaction %+v", r.Satisfaction)
			}
		}},
		{"trend across the new year, gaps filled", Input{Month: Month{2026, time.February}, Trend: []MonthCount{
			{Month: Month{2025, time.December}, Received: 7, Finished: 3, WithinDue: 2},
			{Month: Month{2026, time.February}, Received: 1},
			{Month: Month{2024, time.January}, Received: 99}, // outside the twelve months
		}}, func(t *testing.T, r Report) {
			if len(r.Trend) != 12 || r.Trend[0].Month != (Month{2025, time.March}) {
				t.Fatalf("trend %+v", r.Trend)
			}
			if r.Trend[9] != (MonthCount{Month{2025, time.December}, 7, 3, 2}) || r.Trend[10].Received != 0 || r.Trend[11].Received != 1 {
				t.Errorf("trend %+v", r.Trend[9:])
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.Now = at(7, 15, 10)
			tc.check(t, Compute(tc.in))
		})
	}
}

func TestMonth(t *testing.T) {
	cases := []struct {
		name, in string
		want     Month
		wantErr  bool
	}{
		{"plain", "2026-03", Month{2026, time.March}, false},
		{"december", "2025-12", Month{2025, time.December}, false},
		{"month 13", "2026-13", Month{}, true},
		{"day given", "2026-03-01", Month{}, true},
		{"empty", "", Month{}, true},
		{"year 1", "0001-01", Month{}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseMonth(tc.in)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Fatalf("ParseMonth(%q) = %v, %v", tc.in, got, err)
			}
			if !tc.wantErr && got.String() != tc.in {
				t.Errorf("String() = %q", got.String())
			}
		})
	}
	m := Month{2026, time.January}
	if m.Add(-1) != (Month{2025, time.December}) || m.Add(12) != (Month{2027, time.January}) {
		t.Errorf("Add: %v %v", m.Add(-1), m.Add(12))
	}
	// 31 January 23:30 WIB is still January, though February has begun in no zone yet.
	if MonthOf(time.Date(2026, 1, 31, 16, 30, 0, 0, time.UTC)) != m || MonthOf(time.Date(2026, 1, 31, 17, 0, 0, 0, time.UTC)) == m {
		t.Error("MonthOf does not follow WIB")
	}
	if m.Label() != "Januari 2026" || m.End() != (Month{2026, time.February}).Start() {
		t.Errorf("Label %q End %v", m.Label(), m.End())
	}
}
