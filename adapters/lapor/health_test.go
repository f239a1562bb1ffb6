package lapor

import "github.com/aduan-gateway/aduan/core/event"

// Current returns the record as last written.
func (h *Health) Current() event.Health {
	h.mu.Lock()
	defer h.mu.Unlock()
	c := h.h
	c.Extra = make(map[string]string, len(h.h.Extra))
	for k, v := range h.h.Extra {
		c.Extra[k] = v
	}
	return c
}
