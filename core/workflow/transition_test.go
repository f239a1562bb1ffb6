package workflow

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// allowed is the procedure written out by hand, one line per status,
// action and role that may act, with the status after. Every combination
// not listed must be refused.
var allowed = map[string]Status{
	"menunggu_verifikasi verify verifikator":   Verified,
	"menunggu_verifikasi return verifikator":   Returned,
	"menunggu_verifikasi redirect verifikator": NotOurMatter,
	"menunggu_verifikasi postpone verifikator": Postponed,
	"terverifikasi redirect verifikator":       NotOurMatter,
	"terverifikasi postpone koordinator":       Postponed,
	"ditunda resume verifikator":               Verified, // PostponedFrom below
	"ditunda resume koordinator":               Verified,
	"dikembalikan reopen system":               AwaitingVerification,
	"dikembalikan reopen verifikator":          AwaitingVerification,
	"terverifikasi assign verifikator":         Verified,
	"terverifikasi assign koordinator":         Verified,
	"ditindaklanjuti assign verifikator":       FollowingUp,
	"ditindaklanjuti assign koordinator":       FollowingUp,
	"ditunda assign verifikator":               Postponed,
	"ditunda assign koordinator":               Postponed,
	"terverifikasi follow_up koordinator":      FollowingUp,
	"ditindaklanjuti follow_up koordinator":    FollowingUp,
	"ditindaklanjuti resolve koordinator":      Resolved,
	"selesai archive admin":                    Archived,
	"bukan_wewenang archive admin":             Archived,
}

func TestCheckEveryCombination(t *testing.T) {
	roles := append(Roles(), RoleSystem)
	seen := 0
	for _, st := range Statuses() {
		for _, a := range Actions() {
			for _, r := range roles {
				key := fmt.Sprintf("%s %s %s", st, a, r)
				c := Case{Status: st, PostponedFrom: Verified}
				got, err := Check(c, a, Actor{Name: "u", Role: r})
				want, ok := allowed[key]
				switch {
				case ok && err != nil:
					t.Errorf("%s: refused (%v), want %s", key, err, want)
				case ok && got != want:
					t.Errorf("%s: → %s, want %s", key, got, want)
				case !ok && err == nil:
					t.Errorf("%s: allowed (→ %s), want refused", key, got)
				case !ok && !errors.Is(err, ErrForbidden) && !errors.Is(err, ErrNotNow):
					t.Errorf("%s: error %v is neither ErrForbidden nor ErrNotNow", key, err)
				}
				if ok {
					seen++
				}
			}
		}
	}
	if seen != len(allowed) {
		t.Errorf("the table names %d combinations, only %d exist", len(allowed), seen)
	}
}

func TestReadOnlyRolesNeverAct(t *testing.T) {
	for _, r := range []Role{RolePimpinan, RoleAuditor} {
		for _, st := range Statuses() {
			if got := Allowed(Case{Status: st}, Actor{Name: "x", Role: r}); len(got) != 0 {
				t.Errorf("%s on %s may %v", r, st, got)
			}
		}
	}
}

func TestRefusalsSayWhy(t *testing.T) {
	tests := []struct {
		label string
		c     Case
		a     Action
		actor Actor
		want  error
	}{
		{"admin verifies", Case{Status: AwaitingVerification}, Verify, Actor{"a", RoleAdmin}, ErrForbidden},
		{"verify twice", Case{Status: Verified}, Verify, Actor{"v", RoleVerifikator}, ErrNotNow},
		{"archive before the end", Case{Status: FollowingUp}, Archive, Actor{"a", RoleAdmin}, ErrNotNow},
		{"resolve another's", Case{Status: FollowingUp, Assignee: "budi"}, Resolve, Actor{"sari", RoleKoordinator}, ErrNotAssignee},
		{"follow up another's", Case{Status: Verified, Assignee: "budi"}, FollowUp, Actor{"sari", RoleKoordinator}, ErrNotAssignee},
		{"system verifies", Case{Status: AwaitingVerification}, Verify, Actor{"system:intake", RoleSystem}, ErrForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.label, func(t *testing.T) {
			if _, err := Check(tt.c, tt.a, tt.actor); !errors.Is(err, tt.want) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
		})
	}
}

func TestAssigneeMayActAndReassign(t *testing.T) {
	c := Case{Status: FollowingUp, Assignee: "budi"}
	if _, err := Check(c, Resolve, Actor{"budi", RoleKoordinator}); err != nil {
		t.Errorf("the assignee resolves: %v", err)
	}
	if _, err := Check(c, Assign, Actor{"sari", RoleKoordinator}); err != nil {
		t.Errorf("another koordinator hands it over: %v", err)
	}
}

func TestResumeGoesBackWhereItWas(t *testing.T) {
	for _, from := range []Status{AwaitingVerification, Verified, FollowingUp} {
		got, err := Check(Case{Status: Postponed, PostponedFrom: from}, Resume, Actor{"v", RoleVerifikator})
		if err != nil || got != from {
			t.Errorf("resume after postponing from %s: %s, %v", from, got, err)
		}
	}
	if got, _ := Check(Case{Status: Postponed}, Resume, Actor{"v", RoleVerifikator}); got != AwaitingVerification {
		t.Errorf("resume without a record of where it was: %s, want %s", got, AwaitingVerification)
	}
}

func TestStatusCodesParse(t *testing.T) {
	for _, s := range Statuses() {
		if got, ok := ParseStatus(string(s)); !ok || got != s {
			t.Errorf("ParseStatus(%q) = %q, %v", s, got, ok)
		}
		if l := s.Label(); l == "" || strings.Contains(l, "_") {
			t.Errorf("%s has no label in words: %q", s, l)
		}
	}
	if _, ok := ParseStatus("closed"); ok {
		t.Error("ParseStatus accepted an unknown code")
	}
}
