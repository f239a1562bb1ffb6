package workflow

// Status is where a complaint stands in the office's procedure.
type Status string

// The statuses, in procedure order, then the side roads.
const (
	// AwaitingVerification: complete and submitted; the verifier has not looked yet.
	AwaitingVerification Status = "menunggu_verifikasi"
	// Verified: classified (deadline class and category), waiting for follow-up.
	Verified Status = "terverifikasi"
	// FollowingUp: the koordinator is examining and acting on it.
	FollowingUp Status = "ditindaklanjuti"
	// Resolved: the result is recorded in a berita acara and told to the reporter.
	Resolved Status = "selesai"
	// Archived: the office filed the finished case.
	Archived Status = "diarsipkan"
	// Returned: back to the reporter for more information; their next message reopens it.
	Returned Status = "dikembalikan"
	// NotOurMatter: not this office's matter; closed with an explanation (a
	// LAPOR! report goes back to the national admin).
	NotOurMatter Status = "bukan_wewenang"
	// Postponed: handling is put off, with a reason.
	Postponed Status = "ditunda"
)

// Statuses lists every status in the order filters show them.
func Statuses() []Status {
	return []Status{AwaitingVerification, Verified, FollowingUp, Postponed, Returned, Resolved, NotOurMatter, Archived}
}

// OpenStatuses are the statuses whose deadline runs.
func OpenStatuses() []Status { return statusesWhere(Status.Open) }

// UnfinishedStatuses are the statuses whose handling has not ended:
// the open ones and Returned, which the reporter's answer reopens.
func UnfinishedStatuses() []Status {
	return statusesWhere(func(s Status) bool { return !s.Finished() })
}

func statusesWhere(keep func(Status) bool) []Status {
	var out []Status
	for _, st := range Statuses() {
		if keep(st) {
			out = append(out, st)
		}
	}
	return out
}

// ParseStatus returns the status with code s.
func ParseStatus(s string) (Status, bool) {
	for _, st := range Statuses() {
		if string(st) == s {
			return st, true
		}
	}
	return "", false
}

// Label is the status in plain Indonesian, as staff and citizens read it.
func (s Status) Label() string {
	switch s {
	case AwaitingVerification:
		return "menunggu verifikasi"
	case Verified:
		return "sudah diverifikasi, menunggu tindak lanjut"
	case FollowingUp:
		return "sedang ditindaklanjuti"
	case Resolved:
		return "selesai"
	case Archived:
		return "selesai dan diarsipkan"
	case Returned:
		return "dikembalikan kepada pelapor untuk dilengkapi"
	case NotOurMatter:
		return "bukan wewenang kantor ini"
	case Postponed:
		return "ditunda"
	}
	return string(s)
}

// Open reports whether the office still owes the reporter an answer: the
// deadline runs and the complaint counts in the backlog.
func (s Status) Open() bool {
	switch s {
	case AwaitingVerification, Verified, FollowingUp, Postponed:
		return true
	}
	return false
}

// Finished reports whether the complaint's handling has ended with a result
// or a closing explanation.
func (s Status) Finished() bool {
	return s == Resolved || s == Archived || s == NotOurMatter
}
