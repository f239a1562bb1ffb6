package workflow

import (
	"errors"
	"fmt"
	"slices"
)

// Action is something staff (or the core, for a reporter) do to a complaint.
type Action string

// The actions. Each moves a complaint between statuses; the table in
// transitions says from where, to where, and by whom.
const (
	Verify   Action = "verify"    // classify (class and category): the deadline starts to show
	Return   Action = "return"    // back to the reporter for more information
	Redirect Action = "redirect"  // not this office's matter
	Postpone Action = "postpone"  // put off, with a reason
	Resume   Action = "resume"    // take a postponed complaint up again where it stood
	Reopen   Action = "reopen"    // the reporter answered a returned complaint
	Assign   Action = "assign"    // give it to a koordinator
	FollowUp Action = "follow_up" // record a follow-up (telaah, field inspection)
	Resolve  Action = "resolve"   // record the result
	Archive  Action = "archive"   // file the finished case
)

// Actions lists every action.
func Actions() []Action {
	return []Action{Verify, Return, Redirect, Postpone, Resume, Reopen, Assign, FollowUp, Resolve, Archive}
}

// ParseAction returns the action named s.
func ParseAction(s string) (Action, bool) {
	a := Action(s)
	return a, slices.Contains(Actions(), a)
}

// Event is the complaint event the action publishes, aduan.complaint.<Event>.
func (a Action) Event() string {
	switch a {
	case Verify:
		return "verified"
	case Return:
		return "returned"
	case Redirect:
		return "redirected"
	case Postpone:
		return "postponed"
	case Resume:
		return "resumed"
	case Reopen:
		return "reopened"
	case Assign:
		return "assigned"
	case FollowUp:
		return "followed_up"
	case Resolve:
		return "resolved"
	case Archive:
		return "archived"
	}
	return string(a)
}

// Label is the action as a button or a timeline line says it.
func (a Action) Label() string {
	switch a {
	case Verify:
		return "Verifikasi dan klasifikasi"
	case Return:
		return "Kembalikan ke pelapor"
	case Redirect:
		return "Bukan wewenang"
	case Postpone:
		return "Tunda"
	case Resume:
		return "Lanjutkan"
	case Reopen:
		return "Dibuka kembali"
	case Assign:
		return "Tugaskan koordinator"
	case FollowUp:
		return "Tindak lanjut"
	case Resolve:
		return "Selesaikan"
	case Archive:
		return "Arsipkan"
	}
	return string(a)
}

// NeedsReason reports whether the action must say why (told to the
// reporter, or to LAPOR!).
func (a Action) NeedsReason() bool {
	return a == Return || a == Redirect || a == Postpone
}

// rule is one allowed move. to "" keeps the status (assign, a later
// follow-up); Resume goes back to where the complaint was postponed from.
type rule struct {
	action Action
	from   []Status
	to     Status
	roles  []Role
}

// rules is the procedure: verifikator verifies, classifies, returns and
// redirects; koordinator is assigned, follows up and resolves; admin
// archives; pimpinan and auditor only read. A result comes after at least
// one follow-up, and handling is postponed before follow-up starts: the
// procedure's order, which LAPOR! enforces for its reports too.
var rules = []rule{
	{Verify, []Status{AwaitingVerification}, Verified, []Role{RoleVerifikator}},
	{Return, []Status{AwaitingVerification}, Returned, []Role{RoleVerifikator}},
	{Redirect, []Status{AwaitingVerification, Verified}, NotOurMatter, []Role{RoleVerifikator}},
	{Postpone, []Status{AwaitingVerification}, Postponed, []Role{RoleVerifikator}},
	{Postpone, []Status{Verified}, Postponed, []Role{RoleKoordinator}},
	{Resume, []Status{Postponed}, "", []Role{RoleVerifikator, RoleKoordinator}},
	{Reopen, []Status{Returned}, AwaitingVerification, []Role{RoleSystem, RoleVerifikator}},
	{Assign, []Status{Verified, FollowingUp, Postponed}, "", []Role{RoleVerifikator, RoleKoordinator}},
	{FollowUp, []Status{Verified, FollowingUp}, FollowingUp, []Role{RoleKoordinator}},
	{Resolve, []Status{FollowingUp}, Resolved, []Role{RoleKoordinator}},
	{Archive, []Status{Resolved, NotOurMatter}, Archived, []Role{RoleAdmin}},
}

// Errors of Check. Callers tell them apart to answer "not allowed for
// your role" or "not possible now".
var (
	// ErrForbidden: the actor's role may not take this action.
	ErrForbidden = errors.New("not allowed for this role")
	// ErrNotNow: the action does not apply to a complaint in this status.
	ErrNotNow = errors.New("not possible in the complaint's status")
	// ErrNotAssignee: another koordinator is assigned to the complaint.
	ErrNotAssignee = errors.New("assigned to another koordinator")
)

// Case is what Check needs to know of a complaint.
type Case struct {
	Status Status
	// Assignee is the user name of the koordinator assigned ("" if none).
	Assignee string
	// PostponedFrom is the status a postponed complaint had before.
	PostponedFrom Status
}

// Actor is who acts.
type Actor struct {
	Name string
	Role Role
}

// Check returns the status the complaint has after actor takes action a, or
// why not. A koordinator acts only on complaints assigned to them or to
// nobody (taking them up); the status is checked before the role, so a
// read-only role hears ErrForbidden only where the action could happen.
func Check(c Case, a Action, actor Actor) (Status, error) {
	var fromOK bool
	for _, r := range rules {
		if r.action != a || !slices.Contains(r.from, c.Status) {
			continue
		}
		fromOK = true
		if !slices.Contains(r.roles, actor.Role) {
			continue
		}
		if actor.Role == RoleKoordinator && a != Assign && c.Assignee != "" && c.Assignee != actor.Name {
			return "", fmt.Errorf("%s %s: %w (%s)", a, c.Status, ErrNotAssignee, c.Assignee)
		}
		switch {
		case r.to != "":
			return r.to, nil
		case a == Resume:
			if c.PostponedFrom == "" || c.PostponedFrom == Postponed {
				return AwaitingVerification, nil
			}
			return c.PostponedFrom, nil
		default:
			return c.Status, nil
		}
	}
	if !fromOK {
		return "", fmt.Errorf("%s on a complaint %s: %w", a, c.Status, ErrNotNow)
	}
	return "", fmt.Errorf("%s by %s: %w", a, actor.Role, ErrForbidden)
}

// Allowed lists the actions actor may take on c now, in table order: what
// the complaint page offers as buttons.
func Allowed(c Case, actor Actor) []Action {
	var out []Action
	for _, a := range Actions() {
		if _, err := Check(c, a, actor); err == nil {
			out = append(out, a)
		}
	}
	return out
}
