package workflow

import (
	"errors"
	"testing"
)

func TestCheckDecision(t *testing.T) {
	roles := append(Roles(), RoleSystem)
	for _, st := range Statuses() {
		for _, r := range roles {
			err := CheckDecision(st, Actor{Name: "u", Role: r})
			mayDecide := r == RolePimpinan || r == RoleAdmin
			hasResult := st == Resolved || st == Archived
			switch {
			case hasResult && mayDecide && err != nil:
				t.Errorf("%s by %s: refused (%v), want allowed", st, r, err)
			case hasResult && !mayDecide && !errors.Is(err, ErrForbidden):
				t.Errorf("%s by %s: %v, want ErrForbidden", st, r, err)
			case !hasResult && !errors.Is(err, ErrNotNow):
				t.Errorf("%s by %s: %v, want ErrNotNow", st, r, err)
			}
		}
	}
}

func TestCheckDecisionCases(t *testing.T) {
	tests := []struct {
		label string
		st    Status
		role  Role
		want  error
	}{
		{"pimpinan on a resolved complaint", Resolved, RolePimpinan, nil},
		{"admin on an archived complaint", Archived, RoleAdmin, nil},
		{"koordinator who resolved it", Resolved, RoleKoordinator, ErrForbidden},
		{"auditor", Archived, RoleAuditor, ErrForbidden},
		{"verifikator", Resolved, RoleVerifikator, ErrForbidden},
		{"the core", Resolved, RoleSystem, ErrForbidden},
		{"not yet finished", FollowingUp, RolePimpinan, ErrNotNow},
		{"closed without a result", NotOurMatter, RoleAdmin, ErrNotNow},
		{"returned to the reporter", Returned, RoleAdmin, ErrNotNow},
	}
	for _, tt := range tests {
		t.Run(tt.label, func(t *testing.T) {
			err := CheckDecision(tt.st, Actor{Name: "u", Role: tt.role})
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("CheckDecision(%s, %s) = %v, want %v", tt.st, tt.role, err, tt.want)
			}
		})
	}
}

func TestParseDecision(t *testing.T) {
	for _, s := range []string{"publish", "withhold"} {
		if d, ok := ParseDecision(s); !ok || string(d) != s || d.Label() == s {
			t.Errorf("ParseDecision(%q) = %q, %v (label %q)", s, d, ok, d.Label())
		}
	}
	for _, s := range []string{"", "Publish", "yes"} {
		if _, ok := ParseDecision(s); ok {
			t.Errorf("ParseDecision(%q) accepted", s)
		}
	}
}
