package meta

import (
	"bytes"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkWebhook measures signed Messenger webhooks handled per second,
// each answered only after JetStream acknowledged its message: signature
// check, parsing and publish over real HTTP to an embedded NATS server
// with file storage.
//
//	go test -run '^$' -bench BenchmarkWebhook -benchtime 5000x ./adapters/meta/
func BenchmarkWebhook(b *testing.B) {
	template := readTestdata(b, "messenger_text.json")
	original := []byte(mid("01"))
	run := func(b *testing.B, parallel bool) {
		h := newHarness(b, testConfig("http://127.0.0.1:1/"))
		h.sub.Unsubscribe() // not read here
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
		var n atomic.Int64
		post := func() {
			body := bytes.Replace(template, original, []byte("m_bench"+strconv.FormatInt(n.Add(1), 10)), 1)
			req, _ := http.NewRequest(http.MethodPost, h.srv.URL+Path, bytes.NewReader(body))
			req.Header.Set(SignatureHeader, Sign([]byte(testSecret), body))
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("status %d", resp.StatusCode)
			}
		}
		b.ResetTimer()
		start := time.Now()
		if parallel {
			b.SetParallelism(8)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					post()
				}
			})
		} else {
			for b.Loop() {
				post()
			}
		}
		b.ReportMetric(float64(n.Load())/time.Since(start).Seconds(), "webhooks/s")
	}
	b.Run("serial", func(b *testing.B) { run(b, false) })
	b.Run("parallel", func(b *testing.B) { run(b, true) })
}
