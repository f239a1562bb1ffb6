package lapor

import (
	"context"
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/core/bus/bustest"
	"github.com/aduan-gateway/aduan/core/calendar"
	"github.com/aduan-gateway/aduan/core/complaint"
	"github.com/aduan-gateway/aduan/core/workflow"
)

// TestWorkflowReachesLapor carries two LAPOR! reports through the office's
// procedure with the complaint service and checks that the simulator
// receives each step once, in order, with the report ending where LAPOR!
// should show it.
func TestWorkflowReachesLapor(t *testing.T) {
	r := newRig(t, SimOptions{Reports: 8, Seed: 17})
	r.run(r.poller(10, nil))
	r.settled(8, r.expectedMessages())
	var fresh []int64
	for _, id := range r.sim.TrackingIDs() {
		rep, err := decodeReport(r.sim.Report(id))
		if err != nil {
			t.Fatal(err)
		}
		if rep.Status == StatusDisposed {
			fresh = append(fresh, id)
		}
	}
	if len(fresh) < 2 {
		t.Fatalf("the seeded reports hold %d newly disposed ones, want 2", len(fresh))
	}
	resolved, redirected := fresh[0], fresh[1]

	c, err := NewClient(r.client.base, testToken, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	p := NewPusher(c, r.bus, PusherOptions{Attempts: 5, Backoff: []time.Duration{20 * time.Millisecond}, Log: r.log})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = p.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	if _, err := r.st.CreateUser(context.Background(), "kiki", "x", "koordinator"); err != nil {
		t.Fatal(err)
	}
	svc := complaint.New(calendar.Embedded(), complaint.Options{})
	act := func(id int64, a workflow.Action, user string, role workflow.Role, mod func(*complaint.Request)) {
		t.Helper()
		req := complaint.Request{Ticket: r.ticketOf(id), Action: a, Actor: workflow.Actor{Name: user, Role: role}}
		if mod != nil {
			mod(&req)
		}
		if _, err := svc.Act(context.Background(), r.st, req); err != nil {
			t.Fatalf("%s: %v", a, err)
		}
	}
	vera, kiki := workflow.RoleVerifikator, workflow.RoleKoordinator
	// LAPOR! has no step that returns a report to its reporter before verification.
	if _, err := svc.Act(context.Background(), r.st, complaint.Request{Ticket: r.ticketOf(resolved),
		Action: workflow.Return, Actor: workflow.Actor{Name: "vera", Role: vera}, Reason: "Lengkapi alamat."}); err == nil {
		t.Fatal("a LAPOR! report was returned to its reporter")
	}
	act(resolved, workflow.Verify, "vera", vera, func(q *complaint.Request) { q.Class, q.Category = workflow.ClassB, "bpnt" })
	act(redirected, workflow.Redirect, "vera", vera, func(q *complaint.Request) { q.Reason = "Kewenangan Dinas PUPR Kabupaten Bangka." })
	act(resolved, workflow.FollowUp, "kiki", kiki, func(q *complaint.Request) { q.Text = "Data KPM diperiksa bersama pendamping." })
	act(resolved, workflow.Resolve, "kiki", kiki, func(q *complaint.Request) { q.Text = "Bantuan BPNT disalurkan kembali bulan ini." })

	want := map[int64][]string{resolved: {"verifikasi", "tindak_lanjut", "selesai"}, redirected: {"bukan_wewenang"}}
	bustest.Eventually(t, 20*time.Second, func() bool { return len(r.sim.Pushes()) >= 4 })
	got := map[int64][]string{}
	for _, push := range r.sim.Pushes() {
		got[push.TrackingID] = append(got[push.TrackingID], push.Action)
		if push.Repeats != 0 {
			t.Errorf("push %+v applied more than once", push)
		}
	}
	for id, actions := range want {
		if len(got[id]) != len(actions) {
			t.Fatalf("report %d received %v, want %v", id, got[id], actions)
		}
		for i := range actions {
			if got[id][i] != actions[i] {
				t.Fatalf("report %d received %v, want %v", id, got[id], actions)
			}
		}
	}
	for id, status := range map[int64]Status{resolved: StatusFinished, redirected: StatusReturned} {
		rep, err := decodeReport(r.sim.Report(id))
		if err != nil || rep.Status != status {
			t.Errorf("report %d is %q on LAPOR!, want %q (%v)", id, rep.Status, status, err)
		}
	}
}
