package main

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// tally is what one load run measured: each citizen's messages with when
// they were sent and acknowledged, and each reply the Graph fake received,
// matched to the message it answers.
//
// A reply is matched exactly when it names the message it answers (the
// WhatsApp context id); otherwise to the citizen's oldest unanswered
// message, since the core answers a citizen's messages in order with one
// reply each. A reply already seen is a duplicate: the same key (the
// Messenger metadata, which carries the outbound event id; the WhatsApp
// context id; for Instagram, whose requests carry neither, the outbound
// event the text belongs to) and the same text; the same key with another
// text is the next part of a long reply. A reply without a key (an
// Instagram reply whose outbound event was not seen, as while NATS
// restarts) is a duplicate only when every message already has a reply:
// two replies may rightly have the same text.
type tally struct {
	mu        sync.Mutex
	start     time.Time
	citizens  map[string]*citizenLog // by recipient id
	kinds     map[string]*kindTally
	lastReply time.Time
	strangers int // replies to recipients not in this run
	sendSpan  time.Duration
}

// kindTally is one kind of citizen's figures (messenger, instagram, ...).
type kindTally struct {
	sent, acked, replies, dups int
	refused                    map[string]int // failed attempts by HTTP status or "error"
	webhook, e2e               []time.Duration
}

type citizenLog struct {
	kind string
	msgs []*msgLog
	seen map[string]map[string]bool // reply key → texts of its parts
}

type msgLog struct {
	ext     string
	start   time.Time
	acked   bool
	replied bool
}

func newTally() *tally {
	return &tally{start: time.Now(), citizens: map[string]*citizenLog{}, kinds: map[string]*kindTally{}}
}

func (t *tally) kind(k string) *kindTally {
	kt, ok := t.kinds[k]
	if !ok {
		kt = &kindTally{refused: map[string]int{}}
		t.kinds[k] = kt
	}
	return kt
}

// citizen registers a citizen of kind k reached at recipient.
func (t *tally) citizen(k, recipient string) *citizenLog {
	t.mu.Lock()
	defer t.mu.Unlock()
	c := &citizenLog{kind: k, seen: map[string]map[string]bool{}}
	t.citizens[recipient] = c
	t.kind(k)
	return c
}

// sending records that c's message ext is about to be sent for the first time.
func (t *tally) sending(c *citizenLog, ext string) *msgLog {
	t.mu.Lock()
	defer t.mu.Unlock()
	m := &msgLog{ext: ext, start: time.Now()}
	c.msgs = append(c.msgs, m)
	t.kind(c.kind).sent++
	return m
}

// acked records the platform's acknowledgement of m (the webhook's 200 or
// JetStream's ack) after an attempt that took took.
func (t *tally) acked(c *citizenLog, m *msgLog, took time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	m.acked = true
	kt := t.kind(c.kind)
	kt.acked++
	kt.webhook = append(kt.webhook, took)
}

// refused records a failed attempt (to be retried) by its HTTP status, or
// "error" when there was no answer.
func (t *tally) refused(c *citizenLog, why string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.kind(c.kind).refused[why]++
}

// reply records a send the Graph fake received.
func (t *tally) reply(r fakeReply) {
	t.mu.Lock()
	defer t.mu.Unlock()
	c, ok := t.citizens[r.Recipient]
	if !ok {
		t.strangers++
		return
	}
	kt := t.kind(c.kind)
	if key := r.Key; key != "" {
		if texts, ok := c.seen[key]; ok {
			// A long reply goes out in parts sharing the key: only the
			// same part again is a duplicate.
			if texts[r.Text] {
				kt.dups++
			}
			texts[r.Text] = true
			return
		}
		c.seen[key] = map[string]bool{r.Text: true}
	}
	var m *msgLog
	for _, x := range c.msgs {
		if r.InReplyTo != "" && x.ext == r.InReplyTo {
			m = x
			break
		}
		if r.InReplyTo == "" && !x.replied {
			m = x
			break
		}
	}
	if m == nil || m.replied {
		kt.dups++ // more replies than messages
		return
	}
	m.replied = true
	kt.replies++
	kt.e2e = append(kt.e2e, r.At.Sub(m.start))
	if r.At.After(t.lastReply) {
		t.lastReply = r.At
	}
}

// counts are a run's totals over every kind.
type counts struct {
	Sent, Acked, Replies, Duplicates int
	// Lost are acknowledged messages without a reply.
	Lost int
	// Strangers are replies to recipients this run does not know.
	Strangers int
}

func (t *tally) counts() counts {
	t.mu.Lock()
	defer t.mu.Unlock()
	var n counts
	for _, kt := range t.kinds {
		n.Sent += kt.sent
		n.Acked += kt.acked
		n.Replies += kt.replies
		n.Duplicates += kt.dups
	}
	for _, l := range t.lostByKind() {
		n.Lost += l
	}
	n.Strangers = t.strangers
	return n
}

// lostByKind counts each kind's acknowledged messages without a reply.
// The caller holds t.mu.
func (t *tally) lostByKind() map[string]int {
	lost := map[string]int{}
	for _, c := range t.citizens {
		for _, m := range c.msgs {
			if m.acked && !m.replied {
				lost[c.kind]++
			}
		}
	}
	return lost
}

// citizenAcks is a citizen's acknowledged message ids, in the order sent.
type citizenAcks struct {
	kind string
	ids  []string
}

// ackedByCitizen returns each citizen's acknowledged messages.
func (t *tally) ackedByCitizen() []citizenAcks {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []citizenAcks
	for _, c := range t.citizens {
		a := citizenAcks{kind: c.kind}
		for _, m := range c.msgs {
			if m.acked {
				a.ids = append(a.ids, m.ext)
			}
		}
		if len(a.ids) > 0 {
			out = append(out, a)
		}
	}
	return out
}

// refusals sums the failed attempts of every kind by status.
func (t *tally) refusals() map[string]int {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := map[string]int{}
	for _, kt := range t.kinds {
		for k, n := range kt.refused {
			out[k] += n
		}
	}
	return out
}

// waitReplies waits until every acknowledged message has a reply, ctx-free
// for at most wait, returning early when nothing moved for idle.
func (t *tally) waitReplies(wait, idle time.Duration) bool {
	deadline := time.Now().Add(wait)
	last, lastChange := -1, time.Now()
	for time.Now().Before(deadline) {
		n := t.counts()
		if n.Lost == 0 {
			return true
		}
		if n.Replies != last {
			last, lastChange = n.Replies, time.Now()
		} else if time.Since(lastChange) > idle {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

// summary is a run's figures for the report and the ratio to a baseline.
type summary struct {
	counts
	// WebhookRate is acknowledged messages per second of sending; ReplyRate
	// replies per second from the start to the last reply.
	WebhookRate, ReplyRate float64
	Webhook, E2E           percentiles
}

type percentiles struct{ P50, P99, Max time.Duration }

func percentilesOf(d []time.Duration) percentiles {
	if len(d) == 0 {
		return percentiles{}
	}
	s := slices.Clone(d)
	slices.Sort(s)
	at := func(p float64) time.Duration { return s[min(len(s)-1, int(p*float64(len(s))))] }
	return percentiles{P50: at(0.50), P99: at(0.99), Max: s[len(s)-1]}
}

func (p percentiles) String() string {
	r := func(d time.Duration) string {
		switch {
		case d >= 10*time.Second:
			return d.Round(100 * time.Millisecond).String()
		case d >= 10*time.Millisecond:
			return d.Round(100 * time.Microsecond).String()
		}
		return d.Round(10 * time.Microsecond).String()
	}
	return r(p.P50) + " / " + r(p.P99)
}

func (t *tally) summary() summary {
	n := t.counts()
	t.mu.Lock()
	defer t.mu.Unlock()
	var webhook, e2e []time.Duration
	for _, kt := range t.kinds {
		webhook = append(webhook, kt.webhook...)
		e2e = append(e2e, kt.e2e...)
	}
	s := summary{counts: n, Webhook: percentilesOf(webhook), E2E: percentilesOf(e2e)}
	if t.sendSpan > 0 {
		s.WebhookRate = float64(n.Acked) / t.sendSpan.Seconds()
	}
	if span := t.lastReply.Sub(t.start); span > 0 {
		s.ReplyRate = float64(n.Replies) / span.Seconds()
	}
	return s
}

// finishSending records how long the sending phase lasted.
func (t *tally) finishSending() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sendSpan = time.Since(t.start)
}

// print writes a table of the run by kind of citizen, then the totals.
func (t *tally) print(w io.Writer, title string) summary {
	s := t.summary()
	t.mu.Lock()
	kinds := make([]string, 0, len(t.kinds))
	for k := range t.kinds {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	fmt.Fprintf(w, "%s\n  %-10s %7s %7s %7s %5s %5s  %-21s %-21s %s\n", title,
		"citizens", "sent", "acked", "replies", "lost", "dup", "webhook p50 / p99", "reply p50 / p99", "refused attempts")
	lost := t.lostByKind()
	for _, k := range kinds {
		kt := t.kinds[k]
		fmt.Fprintf(w, "  %-10s %7d %7d %7d %5d %5d  %-21s %-21s %s\n", k, kt.sent, kt.acked, kt.replies, lost[k], kt.dups,
			percentilesOf(kt.webhook), percentilesOf(kt.e2e), formatRefused(kt.refused))
	}
	t.mu.Unlock()
	fmt.Fprintf(w, "  %-10s %7d %7d %7d %5d %5d  %-21s %-21s\n", "total", s.Sent, s.Acked, s.Replies, s.Lost, s.Duplicates,
		s.Webhook, s.E2E)
	fmt.Fprintf(w, "  throughput: %.0f webhooks/s accepted, %.0f replies/s end to end; reply max %s\n",
		s.WebhookRate, s.ReplyRate, s.E2E.Max.Round(time.Millisecond))
	if s.Strangers > 0 {
		fmt.Fprintf(w, "  %d replies went to recipients this run does not know\n", s.Strangers)
	}
	return s
}

func formatRefused(m map[string]int) string {
	if len(m) == 0 {
		return "-"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s×%d", k, m[k])
	}
	return strings.Join(parts, " ")
}
