package web

import "testing"

func TestCanReply(t *testing.T) {
	for ch, want := range map[string]bool{"whatsapp": true, "messenger": true, "instagram": true, "walkin": false, "lapor": false} {
		if got := canReply(ch); got != want {
			t.Errorf("canReply(%s) = %v, want %v", ch, got, want)
		}
	}
}
