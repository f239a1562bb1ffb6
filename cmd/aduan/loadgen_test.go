package main

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/store/pgtest"
)

// TestMain lets loadgen and chaos start this test binary as `aduan serve`:
// with ADUAN_TEST_MAIN set it is the aduan command.
func TestMain(m *testing.M) {
	if os.Getenv("ADUAN_TEST_MAIN") == "1" {
		main()
	}
	os.Exit(m.Run())
}

func TestTallyMatchesRepliesToMessages(t *testing.T) {
	tl := newTally()
	c := tl.citizen(kindMessenger, "psid1")
	w := tl.citizen(kindCloudAPI, "628770001")
	i := tl.citizen(kindInstagram, "igsid1")
	var msgs []*msgLog
	for _, ext := range []string{"m1", "m2", "m3"} {
		m := tl.sending(c, ext)
		tl.acked(c, m, time.Millisecond)
		msgs = append(msgs, m)
	}
	w1, w2 := tl.sending(w, "wamid.1"), tl.sending(w, "wamid.2")
	tl.acked(w, w1, time.Millisecond)
	tl.acked(w, w2, time.Millisecond)
	i1 := tl.sending(i, "ig1")
	tl.acked(i, i1, time.Millisecond)
	tl.sending(i, "ig2") // never acknowledged: not counted lost

	at := msgs[0].start.Add(time.Second)
	for _, r := range []fakeReply{
		{At: at, Recipient: "psid1", Key: "out1", Text: "a"},
		{At: at, Recipient: "psid1", Key: "out1", Text: "a"},                              // resent: duplicate
		{At: at, Recipient: "psid1", Key: "out2", Text: "b1"},                             // m2
		{At: at, Recipient: "psid1", Key: "out2", Text: "b2"},                             // second part of m2's reply
		{At: at, Recipient: "628770001", Key: "wamid.2", InReplyTo: "wamid.2", Text: "y"}, // out of order, matched exactly
		{At: at, Recipient: "igsid1", Text: "z"},
		{At: at, Recipient: "igsid1", Text: "z"}, // no key: answers ig2, whose ack was lost
		{At: at, Recipient: "igsid1", Text: "z"}, // no message left: duplicate
		{At: at, Recipient: "stranger", Text: "?"},
	} {
		tl.reply(r)
	}
	n := tl.counts()
	want := counts{Sent: 7, Acked: 6, Replies: 5, Duplicates: 2, Lost: 2, Strangers: 1}
	if n != want {
		t.Fatalf("counts = %+v, want %+v", n, want)
	}
	if !msgs[0].replied || !msgs[1].replied || msgs[2].replied || w1.replied || !w2.replied {
		t.Errorf("replied: m %v %v %v, wamid %v %v; want true true false false true",
			msgs[0].replied, msgs[1].replied, msgs[2].replied, w1.replied, w2.replied)
	}
	if d := tl.kinds[kindMessenger].e2e[0]; d != time.Second {
		t.Errorf("end-to-end latency = %s, want 1s (from the first send)", d)
	}
}

func TestReadProc(t *testing.T) {
	s, err := readProc(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if s.RSS <= 0 || s.HWM < s.RSS {
		t.Errorf("RSS %d, VmHWM %d: want 0 < RSS <= VmHWM", s.RSS, s.HWM)
	}
	// Burn some CPU: the counter must move.
	deadline := time.Now().Add(300 * time.Millisecond)
	for x := 0; time.Now().Before(deadline); x++ {
		_ = strconv.Itoa(x)
	}
	s2, err := readProc(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if s2.CPU <= s.CPU {
		t.Errorf("CPU time did not grow: %s then %s", s.CPU, s2.CPU)
	}
}

// TestLoadgenAgainstServe runs loadgen as a user would: it starts a real
// `aduan serve` (this binary) with a fresh database, drives every kind of
// citizen and the baseline, and reports every message answered once.
func TestLoadgenAgainstServe(t *testing.T) {
	if testing.Short() {
		t.Skip("starts aduan serve")
	}
	t.Setenv("ADUAN_TEST_MAIN", "1")
	t.Setenv("ADUAN_DATABASE_URL", pgtest.URL(t))
	t.Setenv("ADUAN_NATS_URL", "")
	var out, errOut bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	code := run(ctx, []string{"loadgen", "--citizens", "8", "--concurrency", "4", "--duration", "2m", "--wait", "90s", "--baseline"}, &out, &errOut)
	t.Log(out.String())
	if code != 0 {
		t.Fatalf("loadgen exited %d: %s", code, errOut.String())
	}
	// 8 citizens, two of each kind, four messages each; the baseline the same
	// as Messenger citizens.
	totals := regexp.MustCompile(`(?m)^  total +(\d+) +(\d+) +(\d+) +(\d+) +(\d+) `).FindAllStringSubmatch(out.String(), -1)
	if len(totals) != 2 {
		t.Fatalf("want two total rows (Aduan, baseline), got %d", len(totals))
	}
	for i, row := range totals {
		if got := strings.Join(row[1:], " "); got != "32 32 32 0 0" {
			t.Errorf("total row %d: sent acked replies lost dup = %s, want 32 32 32 0 0", i, got)
		}
	}
	for _, kind := range citizenKinds {
		if !regexp.MustCompile(`(?m)^  ` + kind + ` +8 +8 +8 +0 +0 `).MatchString(out.String()) {
			t.Errorf("no row for %s with 8 sent, acknowledged and answered", kind)
		}
	}
	for _, want := range []string{"serve (pid ", "RSS idle ", "Aduan / baseline: replies/s ",
		"stored: 32 of 32 acknowledged messages, 0 more than once; "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q", want)
		}
	}
}
