package workflow

import "slices"

// Role is what a staff member is in the complaint procedure.
type Role string

// The roles; docs/roles.md explains them.
const (
	RoleAdmin       Role = "admin"       // petugas/admin pengaduan: intake, archive
	RoleVerifikator Role = "verifikator" // verifies and classifies complete reports
	RoleKoordinator Role = "koordinator" // follows reports up and resolves them
	RolePimpinan    Role = "pimpinan"    // heads of office: read-only overview
	RoleAuditor     Role = "auditor"     // checks the record
)

// RoleSystem is the core itself acting on a reporter's message (reopening
// a returned complaint). No staff member has it.
const RoleSystem Role = "system"

// Roles lists every staff role, in the order forms show them.
func Roles() []Role {
	return []Role{RoleAdmin, RoleVerifikator, RoleKoordinator, RolePimpinan, RoleAuditor}
}

// ParseRole returns the staff role named s.
func ParseRole(s string) (Role, bool) {
	r := Role(s)
	return r, slices.Contains(Roles(), r)
}

// Label is the role's name in the interface.
func (r Role) Label() string {
	switch r {
	case RoleAdmin:
		return "Admin pengaduan"
	case RoleVerifikator:
		return "Verifikator"
	case RoleKoordinator:
		return "Koordinator"
	case RolePimpinan:
		return "Pimpinan"
	case RoleAuditor:
		return "Auditor"
	}
	return string(r)
}
