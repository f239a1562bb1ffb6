// Package web is the admin inbox: officers sign in, see every channel's
// conversations live in one list, answer citizens on their own channel,
// take a conversation over from the bot, correct the identity checklist,
// forward reports to verification, enter walk-in complaints and watch the
// channels' health. Pages are html/template with embedded assets and a
// little vanilla JavaScript; live updates come over Server-Sent Events.
package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/rs/zerolog"

	"github.com/aduan-gateway/aduan/config"
	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/calendar"
	"github.com/aduan-gateway/aduan/core/complaint"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/identity"
	"github.com/aduan-gateway/aduan/core/workflow"
	"github.com/aduan-gateway/aduan/store"
)

// Prefix is where the admin inbox lives on the HTTP server.
const Prefix = "/admin"

// wib is the office's time zone (UTC+7): the times officers read, and the
// ticket year, follow it.
var wib = calendar.WIB

// Options configure a Server.
type Options struct {
	Store *store.Store
	Bus   *bus.Bus
	Web   config.WebConfig
	// Complaints files and carries complaints; nil: Calendar and the
	// ticket prefix ADU.
	Complaints *complaint.Service
	// Required returns the identity fields a channel requires (config.Required).
	Required func(event.Channel) []identity.Field
	Log      zerolog.Logger
	// Calendar counts working days when Complaints is nil; nil means the
	// built-in years only. The web counts with Complaints' calendar, which
	// the calendar page replaces when an admin saves a year.
	Calendar *calendar.Calendar
	// HolidaysDir is the folder of holiday year files (config HolidaysPath),
	// named in the channels page's warning about years without data.
	HolidaysDir string
	// HolidayFiles are that folder's year files as read at start: the
	// calendar page rebuilds the calendar with them when it saves a year.
	HolidayFiles []calendar.Source
	// Now defaults to time.Now.
	Now func() time.Time
	// KickOutbox asks the process's outbox relay to publish now, so a staff
	// reply leaves at once; nil leaves it to the relay's next tick.
	KickOutbox func()
	// ChannelsOff are the channels whose transport this deployment leaves
	// off, each with the settings that turn it on (config ChannelsOff):
	// replies there are shown as not sent, and the channels page says how
	// to enable them.
	ChannelsOff map[event.Channel][]string
	// CheckPassword checks a password against its hash; nil is
	// CheckPassword (tests wrap it to watch the hashing).
	CheckPassword func(hash, password string) (bool, error)
	// HashWait bounds a sign-in's wait for a free hashing slot; zero is
	// defaultHashWait.
	HashWait time.Duration
	// UploadTime bounds reading a large upload (the walk-in form's), in
	// place of the server's shorter read timeout; zero is defaultUploadTime.
	UploadTime time.Duration
}

// Server serves the admin inbox.
type Server struct {
	store      *store.Store
	bus        *bus.Bus
	cfg        config.WebConfig
	complaints *complaint.Service
	kick       func()
	required   func(event.Channel) []identity.Field
	log        zerolog.Logger
	now        func() time.Time
	holidays   string
	// holidayFiles: Options.HolidayFiles.
	holidayFiles []calendar.Source
	off          map[event.Channel][]string
	pages        *pages
	hub          *hub
	// checkPassword is Options.CheckPassword.
	checkPassword func(hash, password string) (bool, error)
	// hashSlots bounds the argon2 hashes running at once; a sign-in waits
	// hashWait for one.
	hashSlots  chan struct{}
	hashWait   time.Duration
	uploadTime time.Duration
}

// New checks the options and parses the templates.
func New(opt Options) (*Server, error) {
	if opt.Store == nil || opt.Bus == nil {
		return nil, errors.New("web: store and bus are required")
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.KickOutbox == nil {
		opt.KickOutbox = func() {}
	}
	if opt.Required == nil {
		opt.Required = func(event.Channel) []identity.Field { return identity.Fields }
	}
	if opt.CheckPassword == nil {
		opt.CheckPassword = CheckPassword
	}
	if opt.HashWait <= 0 {
		opt.HashWait = defaultHashWait
	}
	if opt.UploadTime <= 0 {
		opt.UploadTime = defaultUploadTime
	}
	if opt.Web.SessionTTL <= 0 || opt.Web.SessionIdle <= 0 || opt.Web.LoginWindow <= 0 ||
		opt.Web.LoginMaxFailures <= 0 || opt.Web.LoginConcurrency <= 0 || opt.Web.WalkinWait <= 0 {
		return nil, errors.New("web: incomplete configuration (session, sign-in and walk-in settings must be positive)")
	}
	if opt.Calendar == nil {
		opt.Calendar = calendar.Embedded()
	}
	if opt.Complaints == nil {
		opt.Complaints = complaint.New(opt.Calendar, complaint.Options{Now: opt.Now})
	}
	p, err := parsePages()
	if err != nil {
		return nil, err
	}
	return &Server{
		store:        opt.Store,
		bus:          opt.Bus,
		cfg:          opt.Web,
		complaints:   opt.Complaints,
		kick:         opt.KickOutbox,
		required:     opt.Required,
		log:          opt.Log.With().Str("comp", "web").Logger(),
		now:          opt.Now,
		holidays:     opt.HolidaysDir,
		holidayFiles: opt.HolidayFiles,
		off:          opt.ChannelsOff,
		pages:        p,
		hub:          newHub(),

		checkPassword: opt.CheckPassword,
		hashSlots:     make(chan struct{}, opt.Web.LoginConcurrency),
		hashWait:      opt.HashWait,
		uploadTime:    opt.UploadTime,
	}, nil
}

// Run relays inbox change notices to open browsers, marks replies to
// walk-in reporters sent and prunes old sessions until ctx ends; live
// streams close when it does.
func (s *Server) Run(ctx context.Context) error {
	sub, err := s.bus.Conn().Subscribe(event.SubjectInboxChanged, func(m *nats.Msg) {
		var c event.InboxChange
		if json.Unmarshal(m.Data, &c) == nil {
			s.hub.broadcast(c)
		}
	})
	if err != nil {
		return fmt.Errorf("subscribing to inbox changes: %w", err)
	}
	defer sub.Unsubscribe() //nolint:errcheck // the connection may be closing
	defer s.hub.close()
	walkin := make(chan error, 1)
	go func() { walkin <- s.runWalkinReplies(ctx) }()
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		s.prune(ctx)
		select {
		case <-ctx.Done():
			return <-walkin
		case err := <-walkin:
			return err
		case <-tick.C:
		}
	}
}

func (s *Server) prune(ctx context.Context) {
	now := s.now()
	failuresBefore := now.Add(-max(24*time.Hour, s.cfg.LoginWindow))
	if err := s.store.PruneSessions(ctx, now, now.Add(-s.cfg.SessionIdle), failuresBefore, now.Add(-knownFor)); err != nil && ctx.Err() == nil {
		s.log.Warn().Err(err).Msg("pruning sessions")
	}
}

// route is one entry of the route table. Every route needs a signed-in user
// unless public; perm, when set, is the permission it needs on top.
type route struct {
	pattern string
	public  bool
	perm    Permission
	// maxBody bounds a POST body; 0 means defaultMaxBody.
	maxBody int64
	handle  func(w http.ResponseWriter, r *http.Request, sess *session)
}

const (
	defaultMaxBody = 1 << 20
	walkinMaxBody  = 30 << 20
	// defaultUploadTime bounds reading a body larger than defaultMaxBody.
	defaultUploadTime = 10 * time.Minute
)

// routes is the route table; TestRoutesRequireSignIn walks it.
func (s *Server) routes() []route {
	return append([]route{
		{pattern: "GET " + Prefix + "/login", public: true, handle: s.loginForm},
		{pattern: "POST " + Prefix + "/login", public: true, handle: s.login},
		{pattern: "GET " + Prefix + "/static/", public: true, handle: serveStatic},
		{pattern: "POST " + Prefix + "/logout", handle: s.logout},
		{pattern: "GET " + Prefix + "/{$}", perm: PermViewInbox, handle: s.inbox},
		{pattern: "GET " + Prefix + "/inbox/rows", perm: PermViewInbox, handle: s.inboxRows},
		{pattern: "GET " + Prefix + "/events", perm: PermViewInbox, handle: s.events},
		{pattern: "GET " + Prefix + "/conversations/{id}", perm: PermViewInbox, handle: s.conversation},
		{pattern: "GET " + Prefix + "/conversations/{id}/thread", perm: PermViewInbox, handle: s.thread},
		{pattern: "POST " + Prefix + "/conversations/{id}/reply", perm: PermReply, handle: s.reply},
		{pattern: "POST " + Prefix + "/conversations/{id}/messages/{msg}/retry", perm: PermReply, handle: s.retry},
		{pattern: "POST " + Prefix + "/conversations/{id}/takeover", perm: PermTakeover, handle: s.takeover},
		{pattern: "POST " + Prefix + "/conversations/{id}/handback", perm: PermTakeover, handle: s.handback},
		{pattern: "POST " + Prefix + "/conversations/{id}/assign", perm: PermAssign, handle: s.assign},
		{pattern: "POST " + Prefix + "/conversations/{id}/notes", perm: PermNote, handle: s.addNote},
		{pattern: "POST " + Prefix + "/conversations/{id}/identity", perm: PermEditIdentity, handle: s.identity},
		{pattern: "POST " + Prefix + "/conversations/{id}/forward", perm: PermForward, handle: s.forward},
		{pattern: "POST " + Prefix + "/conversations/{id}/complaint-text", perm: PermEditIdentity, handle: s.complaintText},
		{pattern: "POST " + Prefix + "/conversations/{id}/officer-seen", perm: PermReply, handle: s.officerSeen},
		{pattern: "GET " + Prefix + "/attachments/{id}", handle: s.attachment},
		{pattern: "GET " + Prefix + "/walkin", perm: PermWalkin, handle: s.walkinForm},
		{pattern: "POST " + Prefix + "/walkin", perm: PermWalkin, maxBody: walkinMaxBody, handle: s.walkin},
		{pattern: "GET " + Prefix + "/walkin/{key}", perm: PermWalkin, handle: s.receipt},
		{pattern: "GET " + Prefix + "/channels", perm: PermViewChannels, handle: s.channels},
		{pattern: "GET " + Prefix + "/channels/panel", perm: PermViewChannels, handle: s.channelsPanel},
		{pattern: "POST " + Prefix + "/channels/whatsapp/pair", perm: PermPairWhatsApp, handle: s.pairPhone},
		{pattern: "GET " + Prefix + "/kalender", perm: PermManageCalendar, handle: s.calendarPage},
		{pattern: "POST " + Prefix + "/kalender", perm: PermManageCalendar, handle: s.calendarSave},
	}, append(append(s.complaintRoutes(), s.reportRoutes()...), s.publicationRoutes()...)...)
}

// complaintRoutes are the complaints list and a complaint's page, files and
// forms. Every form needs complaint.act; core/workflow then decides, by the
// user's role and the complaint's status, whether the action may be taken.
func (s *Server) complaintRoutes() []route {
	c := Prefix + "/complaints"
	routes := []route{
		{pattern: "GET " + c, perm: PermViewComplaints, handle: s.complaintsList},
		{pattern: "GET " + c + "/{ticket}", perm: PermViewComplaints, handle: s.complaintView},
		{pattern: "GET " + c + "/{ticket}/berita-acara.pdf", perm: PermViewComplaints, handle: s.beritaAcara},
		{pattern: "GET " + c + "/{ticket}/berkas.zip", perm: PermDossier, handle: s.dossierZip},
		{pattern: "GET " + c + "/{ticket}/files/{sha}", perm: PermViewAttachments, handle: s.followUpFile},
		{pattern: "POST " + c + "/{ticket}/follow-up", perm: PermActComplaint, maxBody: followUpMaxBody, handle: s.followUp},
		{pattern: "POST " + c + "/{ticket}/message", perm: PermMessageReporter, handle: s.messageReporter},
	}
	for _, a := range []workflow.Action{workflow.Verify, workflow.Return, workflow.Redirect, workflow.Postpone,
		workflow.Resume, workflow.Assign, workflow.Resolve, workflow.Archive} {
		routes = append(routes, route{pattern: "POST " + c + "/{ticket}/" + string(a), perm: PermActComplaint, handle: s.act(a)})
	}
	return routes
}

// Mount registers every route on mux, behind sign-in, permission and CSRF
// checks, with security headers on every answer.
func (s *Server) Mount(mux *http.ServeMux) {
	cop := http.NewCrossOriginProtection()
	for _, rt := range s.routes() {
		mux.Handle(rt.pattern, secureHeaders(cop.Handler(s.guard(rt))))
	}
}

// secureHeaders forbids framing, inline scripts and styles and MIME sniffing.
func secureHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; "+
			"script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "same-origin")
		h.ServeHTTP(w, r)
	})
}
