package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/store"
)

// hub fans inbox change notices out to the open live streams of this
// process; each stream belongs to a session, named by its token hash.
type hub struct {
	mu     sync.Mutex
	subs   map[chan event.InboxChange]string
	closed bool
}

func newHub() *hub { return &hub{subs: map[chan event.InboxChange]string{}} }

// subscribe returns a channel of notices for the session, closed when the
// hub closes or the session ends, and a function to stop listening.
func (h *hub) subscribe(session string) (<-chan event.InboxChange, func()) {
	ch := make(chan event.InboxChange, 64)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		close(ch)
		return ch, func() {}
	}
	h.subs[ch] = session
	return ch, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if _, ok := h.subs[ch]; ok {
			delete(h.subs, ch)
			close(ch)
		}
	}
}

// broadcast hands c to every subscriber; a browser too slow to keep up
// misses notices rather than holding up the others (its next one refreshes).
func (h *hub) broadcast(c event.InboxChange) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		select {
		case ch <- c:
		default:
		}
	}
}

// endSession closes the streams of a session that signed out here; those
// open on other processes notice at their next keep-alive.
func (h *hub) endSession(session string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch, s := range h.subs {
		if s == session {
			delete(h.subs, ch)
			close(ch)
		}
	}
}

func (h *hub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for ch := range h.subs {
		delete(h.subs, ch)
		close(ch)
	}
}

// keepAlive is how often an idle stream gets a comment line, so proxies
// do not cut it, and its session is checked again.
const keepAlive = 25 * time.Second

// events streams inbox changes as Server-Sent Events ("change", with the
// conversation id); the page then fetches what it shows afresh. The stream
// ends when its session does: at once on sign-out in this process, at the
// next keep-alive otherwise. The server's read and write timeouts would cut
// it, so it clears the read deadline and moves the write deadline along
// before each write.
func (s *Server) events(w http.ResponseWriter, r *http.Request, sess *session) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	rc := http.NewResponseController(w)
	// Errors mean the connection has no deadlines to move (tests' recorders).
	_ = rc.SetReadDeadline(time.Time{})
	extend := func() { _ = rc.SetWriteDeadline(time.Now().Add(2 * keepAlive)) }
	extend()
	changes, stop := s.hub.subscribe(sess.key)
	defer stop()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 3000\n: connected\n\n")
	flusher.Flush()
	tick := time.NewTicker(keepAlive)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case c, ok := <-changes:
			if !ok {
				return // shutting down, or signed out
			}
			data, _ := json.Marshal(c)
			extend()
			if _, err := fmt.Fprintf(w, "event: change\ndata: %s\n\n", data); err != nil {
				return
			}
			flusher.Flush()
		case <-tick.C:
			if live, err := s.sessionOf(r); err != nil || live.key != sess.key {
				return
			}
			extend()
			if _, err := fmt.Fprint(w, ": ping\n\n"); err != nil {
				return
			}
			flusher.Flush()
		}
	}
}

// changed announces a change to every process's open inboxes, this one's
// included (through NATS), and kicks the outbox relay so staff replies leave
// at once rather than at the relay's next tick.
func (s *Server) changed(conv store.ConversationID, what string, relay bool) {
	if relay {
		s.kick()
	}
	data, _ := json.Marshal(event.InboxChange{ConversationID: int64(conv), What: what})
	if err := s.bus.Conn().Publish(event.SubjectInboxChanged, data); err != nil {
		s.log.Warn().Err(err).Msg("announcing inbox change")
	}
}
