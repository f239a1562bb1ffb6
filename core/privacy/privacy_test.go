package privacy

import (
	"errors"
	"testing"

	"github.com/aduan-gateway/aduan/core/workflow"
)

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
