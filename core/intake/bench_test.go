package intake

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/core/event"
)

// BenchmarkPipeline measures messages per second from publish to committed
// reply: each op is one citizen's first message published to INBOUND and
// handled by the core (stored, dialog run, reply written to the outbox).
func BenchmarkPipeline(b *testing.B) {
	h := newHarness(b)
	h.start(h.svc)
	ctx := context.Background()
	base, err := h.st.CountMessages(ctx, 0, "in")
	if err != nil {
		b.Fatal(err)
	}
	msgs := make([]*event.Inbound, b.N)
	for i := range msgs {
		msgs[i] = wa(fmt.Sprintf("62813%08d", base+i), "Bantuan PKH keluarga saya belum cair sejak bulan lalu, mohon dibantu")
	}
	b.ResetTimer()
	start := time.Now()
	for _, m := range msgs {
		if _, err := h.bus.PublishEvent(ctx, m, m.Subject(), m.MsgID()); err != nil {
			b.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Minute)
	for {
		n, err := h.st.CountMessages(ctx, 0, "in")
		if err != nil {
			b.Fatal(err)
		}
		if n >= base+b.N {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("only %d of %d messages handled", n-base, b.N)
		}
		time.Sleep(5 * time.Millisecond)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
}
