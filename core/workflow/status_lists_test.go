package workflow

import (
	"slices"
	"testing"
)

// The deadline runs for the open statuses only; a returned complaint is not
// open but not finished either, so erasure and retention still wait for it.
func TestStatusLists(t *testing.T) {
	open := []Status{AwaitingVerification, Verified, FollowingUp, Postponed}
	if got := OpenStatuses(); !slices.Equal(got, open) {
		t.Errorf("OpenStatuses() = %v, want %v", got, open)
	}
	if got, want := UnfinishedStatuses(), append(open, Returned); !slices.Equal(got, want) {
		t.Errorf("UnfinishedStatuses() = %v, want %v", got, want)
	}
}
