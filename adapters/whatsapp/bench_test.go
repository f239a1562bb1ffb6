package whatsapp

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"google.golang.org/protobuf/proto"

	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/bus/bustest"
)

// BenchmarkInboundText measures text messages from the whatsmeow event
// handler to JetStream's acknowledgement, spread over 64 chats (embedded
// NATS, file storage), one call at a time as whatsmeow makes them. The
// handler returns after the acknowledgement, so its time per call is the
// whole cost of a message.
func BenchmarkInboundText(b *testing.B) {
	h := newHarness(b, testConfig(), true)
	h.a.cfg.MarkRead = false
	stream, err := h.b.JetStream().Stream(context.Background(), bus.StreamInbound)
	if err != nil {
		b.Fatal(err)
	}
	events := make([]any, b.N)
	for i := range events {
		chat := fmt.Sprintf("62812%08d", i%64)
		events[i] = incoming(fmt.Sprintf("B%d", i), pn(chat), &waE2E.Message{Conversation: proto.String("Halo min, bantuan PKH ibu saya belum cair")})
	}
	b.ResetTimer()
	start := time.Now()
	var inHandler time.Duration
	calls := 0
	for _, e := range events {
		for {
			t0 := time.Now()
			ok := h.a.HandleEvent(e)
			inHandler += time.Since(t0)
			calls++
			if ok {
				break
			}
			time.Sleep(time.Millisecond) // refused: WhatsApp would deliver again
		}
	}
	bustest.Eventually(b, 5*time.Minute, func() bool {
		info, err := stream.Info(context.Background())
		return err == nil && info.State.Msgs >= uint64(b.N)
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
	b.ReportMetric(float64(inHandler.Nanoseconds())/float64(calls), "handler-ns/call")
	b.ReportMetric(float64(calls-b.N)/float64(b.N), "refused/msg")
}
