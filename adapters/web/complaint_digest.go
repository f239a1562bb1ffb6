package web

import (
	"net/http"
	"time"

	"github.com/aduan-gateway/aduan/core/workflow"
	"github.com/aduan-gateway/aduan/store"
)

// digestLimit bounds the complaints a koordinator's digest reads.
const digestLimit = 500

// digest is "Tugas hari ini" at the top of the complaints page: for a
// koordinator what is assigned to them and late or due, for a verifikator
// what waits for verification.
type digest struct {
	Role Role
	// Koordinator: their open complaints by urgency; New are verified but
	// not yet followed up.
	Overdue, Near, New []complaintRow
	// Verifikator: complaints awaiting verification and when the oldest came.
	Awaiting int
	Oldest   time.Time
	// OldestWaiting is how long the oldest has waited ("3 hari").
	OldestWaiting string
}

// Empty reports a digest with nothing to do.
func (d *digest) Empty() bool {
	return len(d.Overdue)+len(d.Near)+len(d.New)+d.Awaiting == 0
}

func (s *Server) digest(r *http.Request, sess *session) (*digest, error) {
	ctx := r.Context()
	switch sess.Role {
	case RoleKoordinator:
		list, err := s.store.ListComplaints(ctx, store.ComplaintFilter{Statuses: workflow.OpenStatuses(),
			Assignee: sess.User.Username, Limit: digestLimit})
		if err != nil {
			return nil, err
		}
		d := &digest{Role: sess.Role}
		for _, c := range list {
			row := complaintRow{ComplaintSummary: c, Due: s.due(c.Status, c.DueDate)}
			switch {
			case row.Due.Overdue():
				d.Overdue = append(d.Overdue, row)
			case row.Due.Near():
				d.Near = append(d.Near, row)
			case c.Status == workflow.Verified:
				d.New = append(d.New, row)
			}
		}
		return d, nil
	case RoleVerifikator:
		n, oldest, err := s.store.Backlog(ctx, []workflow.Status{workflow.AwaitingVerification})
		if err != nil {
			return nil, err
		}
		d := &digest{Role: sess.Role, Awaiting: n, Oldest: oldest}
		if n > 0 {
			d.OldestWaiting = waitingFor(s.now().Sub(oldest))
		}
		return d, nil
	}
	return nil, nil
}
