package meta

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	fb "github.com/huandu/facebook/v2"
	"github.com/rs/zerolog"

	"github.com/aduan-gateway/aduan/config"
	"github.com/aduan-gateway/aduan/core/event"
)

// graph holds one Graph API session per configured page or Instagram
// account, all signing their calls with the app secret (appsecret_proof).
type graph struct {
	timeout  time.Duration
	sessions map[string]*fb.Session
}

func newGraph(cfg config.MetaConfig, client *http.Client) *graph {
	if client == nil {
		client = &http.Client{}
	}
	app := fb.New("", cfg.AppSecret)
	app.EnableAppsecretProof = true
	g := &graph{timeout: cfg.GraphTimeout, sessions: make(map[string]*fb.Session, len(cfg.Pages))}
	for id, token := range cfg.Pages {
		s := app.Session(token)
		s.BaseURL = cfg.GraphURL
		s.Version = cfg.GraphVersion
		s.HttpClient = client
		// The token travels in a header, so no URL (and no error quoting one) holds it.
		s.UseAuthorizationHeader()
		s.AppsecretProof() // computed once here; the copies made per call share it read-only
		g.sessions[id] = s
	}
	return g
}

// session returns the account's session bound to ctx (and the Graph
// timeout), or false when the account is not configured.
func (g *graph) session(ctx context.Context, account string) (*fb.Session, context.CancelFunc, bool) {
	s, ok := g.sessions[account]
	if !ok {
		return nil, nil, false
	}
	ctx, cancel := context.WithTimeout(ctx, g.timeout)
	return s.WithContext(ctx), cancel, true
}

// names looks up citizens' profile names once and caches them. Look-ups run
// in the background: the webhook never waits for the Graph API, so the first
// message of a new sender may arrive without a name.
type names struct {
	g   *graph
	log zerolog.Logger

	mu      sync.Mutex
	cache   map[string]nameEntry
	pending map[string]bool
	work    chan nameRequest
}

type nameEntry struct {
	name    string
	expires time.Time
}

type nameRequest struct {
	ch               event.Channel
	account, citizen string
}

// Cache lifetimes: names change rarely; a failed look-up (no permission, a
// deleted profile) is not retried for a while.
const (
	nameTTL       = 24 * time.Hour
	nameFailedTTL = time.Hour
	nameQueue     = 256
)

func newNames(g *graph, log zerolog.Logger) *names {
	return &names{g: g, log: log, cache: map[string]nameEntry{}, pending: map[string]bool{}, work: make(chan nameRequest, nameQueue)}
}

func nameKey(r nameRequest) string { return string(r.ch) + "|" + r.account + "|" + r.citizen }

// get returns the cached name, or "" after queueing a look-up.
func (n *names) get(ch event.Channel, account, citizen string) string {
	if n == nil {
		return ""
	}
	if !scopedID(citizen) {
		return "" // not an id Meta gives; never put it into a Graph path
	}
	r := nameRequest{ch, account, citizen}
	k := nameKey(r)
	n.mu.Lock()
	defer n.mu.Unlock()
	if e, ok := n.cache[k]; ok && time.Now().Before(e.expires) {
		return e.name
	}
	if _, ok := n.g.sessions[account]; !ok || n.pending[k] {
		return ""
	}
	select {
	case n.work <- r:
		n.pending[k] = true
	default: // queue full: a later message asks again
	}
	return ""
}

// run answers queued look-ups until ctx ends.
func (n *names) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case r := <-n.work:
			name, err := n.lookup(ctx, r)
			ttl := nameTTL
			if err != nil {
				ttl = nameFailedTTL
				n.log.Debug().Err(err).Str("channel", string(r.ch)).Str("account", r.account).Msg("profile name look-up failed")
			}
			n.mu.Lock()
			n.cache[nameKey(r)] = nameEntry{name: name, expires: time.Now().Add(ttl)}
			delete(n.pending, nameKey(r))
			n.mu.Unlock()
		}
	}
}

// scopedID reports whether id looks like a page- or Instagram-scoped id:
// digits only, as Meta gives them.
func scopedID(id string) bool {
	if id == "" || len(id) > 32 {
		return false
	}
	for _, c := range id {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// lookup asks the Graph API for a profile: Messenger's user profile (name),
// Instagram's (name, else @username).
func (n *names) lookup(ctx context.Context, r nameRequest) (string, error) {
	s, cancel, ok := n.g.session(ctx, r.account)
	if !ok {
		return "", nil
	}
	defer cancel()
	fields := "name"
	if r.ch == event.ChannelInstagram {
		fields = "name,username"
	}
	res, err := s.Get("/"+url.PathEscape(r.citizen), fb.Params{"fields": fields})
	if err != nil {
		return "", err
	}
	var p struct {
		Name     string `facebook:"name"`
		Username string `facebook:"username"`
	}
	if err := res.Decode(&p); err != nil {
		return "", err
	}
	if name := strings.TrimSpace(p.Name); name != "" {
		return name, nil
	}
	if p.Username != "" {
		return "@" + p.Username, nil
	}
	return "", nil
}
