// Package stats computes the monthly figures of the complaint service from
// rows the store reads: complaints received per channel, category and
// class, deadline compliance, working days to finish, the open backlog by
// due state, satisfaction, and a twelve-month trend. It does no I/O; the
// definitions are in docs/statistics.md.
package stats

import (
	"errors"
	"slices"
	"sort"
	"time"

	"github.com/aduan-gateway/aduan/core/calendar"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/workflow"
)

// Received is a complaint received in the month.
type Received struct {
	Channel  string
	Category string         // "" while not verified
	Class    workflow.Class // "" while not verified
}

// Finished is a complaint resolved in the month.
type Finished struct {
	ReceivedAt, ResolvedAt time.Time
	// DueDate is YYYY-MM-DD, "" when it was never set.
	DueDate string
}

// Open is a complaint still open now.
type Open struct {
	Status  workflow.Status
	DueDate string // "" while not verified
}

// MonthCount is what the trend shows of one month.
type MonthCount struct {
	Month     Month
	Received  int
	Finished  int
	WithinDue int
}

// DueFunc says how an open complaint stands against its due date at now:
// "overdue", "near" or "on_track" (complaint.Service.DueAt).
type DueFunc func(status workflow.Status, dueDate string, now time.Time) (string, error)

// Input is everything the figures of one month are computed from.
type Input struct {
	Month    Month
	Now      time.Time
	Received []Received
	Finished []Finished
	Open     []Open
	// Trend is the months of the trend, oldest first, as the store counted
	// them; months without complaints may be missing.
	Trend []MonthCount
	// Categories names the category codes; a code without a name shows as
	// itself.
	Categories map[string]string
	// Satisfaction is the survey's scores (1–4) answered in the month;
	// SurveyAsked how many reporters were asked in the month.
	Satisfaction []int
	SurveyAsked  int
	Calendar     *calendar.Calendar
	DueAt        DueFunc
}

// Count is one bar of a chart: a key, its Indonesian label, a number.
type Count struct {
	Key   string
	Label string
	N     int
}

// The keys of the backlog that are not due states.
const (
	Unverified = "unverified" // open and not verified yet: no due date
	NoCalendar = "no_calendar"
)

// Satisfaction is the survey's result of the month.
type Satisfaction struct {
	// Asked counts the reporters asked in the month; Responses the answers
	// given in it (an answer may come in the month after the question).
	Asked     int
	Responses int
	// ByScore counts the answers 1 to 4 (index 0 is score 1).
	ByScore [4]int
	// Mean is the average score (1–4); Index is Mean × 25 (25–100), the
	// scale of the national public-service satisfaction index (IKM).
	Mean, Index float64
}

// Report holds the figures of one month.
type Report struct {
	Month Month
	// Generated is when the figures were computed (the backlog's "now").
	Generated time.Time

	Received   int
	ByChannel  []Count
	ByCategory []Count
	ByClass    []Count

	// Finished counts the complaints resolved in the month; WithinDue those
	// of them resolved on or before their due date; NoDueDate those
	// without a due date (left out of the compliance ratio).
	Finished, WithinDue, NoDueDate int
	// Compliance is WithinDue / (Finished − NoDueDate) in percent; valid
	// when HasCompliance.
	Compliance    float64
	HasCompliance bool

	// MedianDays is the median of the working days from receipt to
	// resolution over DaysCounted complaints; valid when DaysCounted > 0.
	MedianDays  float64
	DaysCounted int

	Backlog      []Count
	BacklogTotal int

	Trend        []MonthCount
	Satisfaction Satisfaction

	// MissingYears are years without holiday data that some complaint
	// needed: those complaints are left out of the working-day median and
	// counted under NoCalendar in the backlog.
	MissingYears []int
}

// Compute computes the report of in.Month.
func Compute(in Input) Report {
	r := Report{Month: in.Month, Generated: in.Now, Received: len(in.Received)}
	missing := map[int]bool{}
	noteMissing := func(err error) bool {
		var nd *calendar.NoDataError
		if errors.As(err, &nd) {
			missing[nd.Year] = true
			return true
		}
		return false
	}

	channels := map[string]int{}
	categories := map[string]int{}
	classes := map[string]int{}
	for _, c := range in.Received {
		channels[c.Channel]++
		categories[c.Category]++
		classes[string(c.Class)]++
	}
	r.ByChannel = channelCounts(channels)
	r.ByCategory = categoryCounts(categories, in.Categories)
	r.ByClass = classCounts(classes)

	var days []int
	for _, f := range in.Finished {
		r.Finished++
		due, err := calendar.ParseDate(f.DueDate)
		switch {
		case err != nil:
			r.NoDueDate++
		case !calendar.DateOf(f.ResolvedAt).After(due):
			r.WithinDue++
		}
		if in.Calendar == nil {
			continue
		}
		n, err := in.Calendar.WorkingDaysBetween(f.ReceivedAt, f.ResolvedAt)
		if err != nil {
			noteMissing(err)
			continue
		}
		days = append(days, n)
	}
	if d := r.Finished - r.NoDueDate; d > 0 {
		r.HasCompliance = true
		r.Compliance = 100 * float64(r.WithinDue) / float64(d)
	}
	r.DaysCounted = len(days)
	r.MedianDays = median(days)

	backlog := map[string]int{}
	for _, o := range in.Open {
		r.BacklogTotal++
		if o.DueDate == "" {
			backlog[Unverified]++
			continue
		}
		state := NoCalendar
		if in.DueAt != nil {
			st, err := in.DueAt(o.Status, o.DueDate, in.Now)
			if err == nil && st != "" {
				state = st
			} else {
				noteMissing(err)
			}
		}
		backlog[state]++
	}
	r.Backlog = []Count{
		{"overdue", "Melewati batas waktu", backlog["overdue"]},
		{"near", "Mendekati batas waktu", backlog["near"]},
		{"on_track", "Dalam batas waktu", backlog["on_track"]},
		{Unverified, "Belum diverifikasi", backlog[Unverified]},
	}
	if n := backlog[NoCalendar]; n > 0 {
		r.Backlog = append(r.Backlog, Count{NoCalendar, "Tanpa data hari libur", n})
	}

	r.Trend = trend(in.Month, in.Trend)
	r.Satisfaction = satisfaction(in.Satisfaction)
	r.Satisfaction.Asked = in.SurveyAsked
	for y := range missing {
		r.MissingYears = append(r.MissingYears, y)
	}
	slices.Sort(r.MissingYears)
	return r
}

// TrendMonths is how many months the trend shows, the chosen one last.
const TrendMonths = 12

// trend is the twelve months up to m, with zeros where the store counted
// nothing.
func trend(m Month, counted []MonthCount) []MonthCount {
	by := map[Month]MonthCount{}
	for _, c := range counted {
		by[c.Month] = c
	}
	out := make([]MonthCount, TrendMonths)
	for i := range out {
		mm := m.Add(i - TrendMonths + 1)
		c := by[mm]
		c.Month = mm
		out[i] = c
	}
	return out
}

func median(xs []int) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	mid := len(s) / 2
	if len(s)%2 == 1 {
		return float64(s[mid])
	}
	return float64(s[mid-1]+s[mid]) / 2
}

func satisfaction(scores []int) Satisfaction {
	var s Satisfaction
	sum := 0
	for _, v := range scores {
		if v < 1 || v > 4 {
			continue
		}
		s.ByScore[v-1]++
		s.Responses++
		sum += v
	}
	if s.Responses > 0 {
		s.Mean = float64(sum) / float64(s.Responses)
		s.Index = s.Mean * 25
	}
	return s
}

// channelCounts lists every channel, in the admins' order, then any
// unknown one.
func channelCounts(n map[string]int) []Count {
	var out []Count
	for _, c := range event.Channels {
		out = append(out, Count{string(c), c.Label(), n[string(c)]})
		delete(n, string(c))
	}
	return append(out, rest(n, func(k string) string { return event.Channel(k).Label() })...)
}

// categoryCounts lists the categories complaints have, most first; the
// unverified last.
func categoryCounts(n map[string]int, labels map[string]string) []Count {
	unverified := n[""]
	delete(n, "")
	out := rest(n, func(k string) string {
		if l, ok := labels[k]; ok {
			return l
		}
		return k
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].N > out[j].N })
	if unverified > 0 {
		out = append(out, Count{"", "Belum diklasifikasi", unverified})
	}
	return out
}

// classCounts lists the classes A, B, C and the unverified.
func classCounts(n map[string]int) []Count {
	var out []Count
	for _, c := range workflow.Classes() {
		out = append(out, Count{string(c), "Kelas " + string(c) + " (" + c.Label() + ")", n[string(c)]})
	}
	return append(out, Count{"", "Belum diklasifikasi", n[""]})
}

// rest lists the keys of n in order with their labels.
func rest(n map[string]int, label func(string) string) []Count {
	keys := make([]string, 0, len(n))
	for k := range n {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]Count, 0, len(keys))
	for _, k := range keys {
		out = append(out, Count{k, label(k), n[k]})
	}
	return out
}
