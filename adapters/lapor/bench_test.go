package lapor

import (
	"context"
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/core/bus/bustest"
	"github.com/aduan-gateway/aduan/core/event"
)

// BenchmarkPollToComplaints measures b.N reports (a third with a photo)
// going from the simulator through the client, the poller, NATS and the
// core's intake into complaints, 100 per page.
func BenchmarkPollToComplaints(b *testing.B) {
	r := newRig(b, SimOptions{Reports: b.N, Seed: 13})
	p := r.poller(100, nil)
	ctx := context.Background()
	b.ResetTimer()
	start := time.Now()
	if _, err := p.Sync(ctx); err != nil {
		b.Fatal(err)
	}
	polled := time.Since(start)
	bustest.Eventually(b, 10*time.Minute, func() bool {
		n, _ := r.st.CountComplaints(ctx)
		return n == b.N
	})
	total := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/polled.Seconds(), "polled/s")
	b.ReportMetric(float64(b.N)/total.Seconds(), "complaints/s")
}

// BenchmarkPush measures b.N verifications pushed to the simulator, one
// complaint event each.
func BenchmarkPush(b *testing.B) {
	r := newPushRig(b, SimOptions{Reports: b.N, Seed: 17}, 5)
	ids := r.sim.TrackingIDs()
	b.ResetTimer()
	start := time.Now()
	for _, id := range ids {
		r.publish(event.ComplaintVerified, event.ChannelLapor, id, "")
	}
	bustest.Eventually(b, 10*time.Minute, func() bool { return len(r.sim.Pushes()) == b.N })
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "pushes/s")
}
