package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/store"
)

// hub fans inbox change notices out to the open live streams of this process.
type hub struct {
	mu     sync.Mutex
	subs   map[chan event.InboxChange]struct{}
	closed bool
}

func newHub() *hub { return &hub{subs: map[chan event.InboxChange]struct{}{}} }

// subscribe returns a channel of notices, closed when the hub closes, and a
// function to stop listening.
func (h *hub) subscribe() (<-chan event.InboxChange, func()) {
	ch := make(chan event.InboxChange, 64)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		close(ch)
		return ch, func() {}
	}
	h.subs[ch] = struct{}{}
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
// do not cut it.
const keepAlive = 25 * time.Second

// events streams inbox changes as Server-Sent Events ("change", with the
// conversation id); the page then fetches what it shows afresh.
func (s *Server) events(w http.ResponseWriter, r *http.Request, _ *session) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	changes, stop := s.hub.subscribe()
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
				return // shutting down
			}
			data, _ := json.Marshal(c)
			if _, err := fmt.Fprintf(w, "event: change\ndata: %s\n\n", data); err != nil {
				return
			}
			flusher.Flush()
		case <-tick.C:
			if _, err := fmt.Fprint(w, ": ping\n\n"); err != nil {
				return
			}
			flusher.Flush()
		}
	}
}

// changed announces a change to every process's open inboxes, this one's
// included (through NATS), and relays the outbox so staff replies leave at
// once rather than at the core's next relay tick.
func (s *Server) changed(ctx context.Context, conv store.ConversationID, what string, relay bool) {
	if relay {
		publish := func(ctx context.Context, subject, msgID string, data []byte) error {
			_, err := s.bus.Publish(ctx, subject, msgID, data)
			return err
		}
		if _, err := s.store.RelayOutbox(ctx, publish, 100); err != nil {
			s.log.Warn().Err(err).Msg("relaying outbox; the core's relay will retry")
		}
	}
	data, _ := json.Marshal(event.InboxChange{ConversationID: int64(conv), What: what})
	if err := s.bus.Conn().Publish(event.SubjectInboxChanged, data); err != nil {
		s.log.Warn().Err(err).Msg("announcing inbox change")
	}
}
