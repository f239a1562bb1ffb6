package complaint

import (
	"fmt"
	"time"

	"github.com/aduan-gateway/aduan/core/calendar"
	"github.com/aduan-gateway/aduan/core/workflow"
)

// DueState says how an open complaint stands against its deadline.
type DueState string

// The due states. A complaint without a due date (not verified yet) or no
// longer open has none.
const (
	DueNone    DueState = ""
	DueOnTrack DueState = "on_track" // more than one working day left
	DueNear    DueState = "near"     // one working day left or the due date itself
	DueOverdue DueState = "overdue"  // past the due date
)

// DueStates lists the due states a filter offers.
func DueStates() []DueState { return []DueState{DueOverdue, DueNear, DueOnTrack} }

// Label is the due state in Indonesian.
func (d DueState) Label() string {
	switch d {
	case DueOnTrack:
		return "dalam batas waktu"
	case DueNear:
		return "mendekati batas waktu"
	case DueOverdue:
		return "melewati batas waktu"
	}
	return ""
}

// ParseDueState reads a due state name.
func ParseDueState(s string) (DueState, error) {
	for _, d := range DueStates() {
		if string(d) == s {
			return d, nil
		}
	}
	return DueNone, fmt.Errorf("unknown due state %q: valid are overdue, near and on_track", s)
}

// Due is where an open complaint stands against its due date at now.
type Due struct {
	State DueState
	// DaysLeft is the working days left (0 on the due date, negative when
	// overdue); meaningful only when State is set.
	DaysLeft int
}

// DueAt says how a complaint with status and dueDate (YYYY-MM-DD or "")
// stands at now. A year without holiday data is an error.
func (s *Service) DueAt(status workflow.Status, dueDate string, now time.Time) (Due, error) {
	if dueDate == "" || !status.Open() {
		return Due{}, nil
	}
	d, err := calendar.ParseDate(dueDate)
	if err != nil {
		return Due{}, err
	}
	left, err := s.Calendar().WorkingDaysLeft(now, d)
	if err != nil {
		return Due{}, err
	}
	switch {
	case left < 0:
		return Due{DueOverdue, left}, nil
	case left <= 1:
		return Due{DueNear, left}, nil
	}
	return Due{DueOnTrack, left}, nil
}

// DueBounds are the due dates (YYYY-MM-DD, inclusive, "" for unbounded)
// of open complaints in state at now, for a list filter.
func (s *Service) DueBounds(state DueState, now time.Time) (from, by string, err error) {
	today := calendar.DateOf(now)
	next, err := s.Calendar().Due(now, 1) // the first working day after today
	if err != nil {
		return "", "", err
	}
	switch state {
	case DueOverdue:
		return "", today.AddDays(-1).String(), nil
	case DueNear:
		return today.String(), next.String(), nil
	case DueOnTrack:
		return next.AddDays(1).String(), "", nil
	}
	return "", "", fmt.Errorf("no bounds for due state %q", state)
}
