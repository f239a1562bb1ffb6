package privacy

import (
	"errors"
	"testing"

	"github.com/aduan-gateway/aduan/core/workflow"
)

func TestParseNIK(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"digits", "1971015708900003", "1971015708900003"},
		{"groups with spaces", "1971 0157 0890 0003", "1971015708900003"},
		{"dots and dashes", "19.71.01-570890-0003", "1971015708900003"},
		{"too short", "197101570890003", ""},
		{"too long", "19710157089000031", ""},
		{"a letter", "1971O15708900003", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		got, err := ParseNIK(tt.in)
		if got != tt.want || (tt.want == "") != errors.Is(err, ErrBadNIK) {
			t.Errorf("%s: ParseNIK(%q) = %q, %v; want %q", tt.name, tt.in, got, err, tt.want)
		}
	}
}

// TestOnlyAdminAnswersRequests: every role but admin, and the core itself,
// is refused.
func TestOnlyAdminAnswersRequests(t *testing.T) {
	for _, r := range append(workflow.Roles(), workflow.RoleSystem) {
		err := Authorize(workflow.Actor{Name: "u", Role: r})
		if (r == workflow.RoleAdmin) != (err == nil) || err != nil && !errors.Is(err, workflow.ErrForbidden) {
			t.Errorf("%s: %v", r, err)
		}
	}
}
