package web

import (
	"fmt"

	"github.com/aduan-gateway/aduan/core/calendar"
	"github.com/aduan-gateway/aduan/core/complaint"
	"github.com/aduan-gateway/aduan/core/workflow"
)

// dueView is where a complaint stands against its deadline, as a list row
// or the complaint page says it.
type dueView struct {
	State complaint.DueState
	// Date is the due date in words ("Rabu, 10 Juni 2026"), "" before verification.
	Date string
	// Left says the working days left or overdue, "" when none apply.
	Left string
}

// Near and Overdue choose the badges.
func (d dueView) Near() bool    { return d.State == complaint.DueNear }
func (d dueView) Overdue() bool { return d.State == complaint.DueOverdue }

// due says how a complaint with status and dueDate (YYYY-MM-DD or "")
// stands now. A year without holiday data is said, not hidden: the
// channels page tells the admin to add it.
func (s *Server) due(status workflow.Status, dueDate string) dueView {
	if dueDate == "" {
		return dueView{}
	}
	v := dueView{Date: longDate(dueDate)}
	st, err := s.complaints.DueAt(status, dueDate, s.now())
	switch {
	case err != nil:
		v.Left = "kalender hari kerja belum lengkap"
	case st.State == complaint.DueNone:
	case st.DaysLeft < 0:
		v.Left = fmt.Sprintf("lewat %d hari kerja", -st.DaysLeft)
	case st.DaysLeft == 0:
		v.Left = "batas waktu hari ini"
	default:
		v.Left = fmt.Sprintf("sisa %d hari kerja", st.DaysLeft)
	}
	v.State = st.State
	return v
}

// longDate writes YYYY-MM-DD in words ("Selasa, 23 Juni 2026"), or as is
// when it is not a date.
func longDate(s string) string {
	if d, err := calendar.ParseDate(s); err == nil {
		return d.Long()
	}
	return s
}
