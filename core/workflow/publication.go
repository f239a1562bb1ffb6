package workflow

import (
	"fmt"
	"slices"
)

// Decision is the outcome of the uji konsekuensi (consequence test) on a
// finished complaint: whether its follow-up result may be made public.
type Decision string

// The decisions.
const (
	Publish  Decision = "publish"
	Withhold Decision = "withhold"
)

// ParseDecision returns the decision named s.
func ParseDecision(s string) (Decision, bool) {
	d := Decision(s)
	return d, d == Publish || d == Withhold
}

// Label is the decision as the admin pages say it.
func (d Decision) Label() string {
	switch d {
	case Publish:
		return "Dipublikasikan"
	case Withhold:
		return "Tidak dipublikasikan"
	}
	return string(d)
}

// deciders are the roles that may decide on publication: the heads of
// office and the complaint admin, as the office's standard assigns the
// publication of follow-up results.
var deciders = []Role{RolePimpinan, RoleAdmin}

// CheckDecision reports whether actor may record an uji konsekuensi
// decision on a complaint in status st. Only a complaint with a result
// (selesai, or diarsipkan after it) has anything to publish: one closed as
// bukan_wewenang has no follow-up result, and an open one none yet. The
// status is checked before the role, as Check does.
func CheckDecision(st Status, actor Actor) error {
	if st != Resolved && st != Archived {
		return fmt.Errorf("publication decision on a complaint %s: %w", st, ErrNotNow)
	}
	if !slices.Contains(deciders, actor.Role) {
		return fmt.Errorf("publication decision by %s: %w", actor.Role, ErrForbidden)
	}
	return nil
}
