package web

import (
	"context"
	"html/template"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aduan-gateway/aduan/core/bus"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/intake"
	"github.com/aduan-gateway/aduan/core/workflow"
	"github.com/aduan-gateway/aduan/store"
)

type extra struct{ Key, Value string }

type healthView struct {
	event.Health
	OK         bool
	StateLabel string
	// QR is the WhatsApp pairing code drawn as SVG, when pairing is pending.
	QR       template.HTML
	PairCode string
	Extras   []extra
}

type serviceState struct {
	OK     bool
	Detail string
}

type channelsPage struct {
	WhatsApp, Meta, Lapor, Other []healthView
	// The cards' channels whose transport this deployment leaves off, with
	// how to turn them on; nil when on.
	WhatsAppOff, MetaOff, LaporOff *offChannel
	NATS, Postgres                 serviceState
	Counts                         []store.ChannelCount
	PendingOutbox                  int
	IntakeLag                      int64
	Rejected                       []store.RejectedInput
	// CalendarGap, when set, warns that deadlines reach years without
	// holiday data.
	CalendarGap *calendarGap
}

// calendarGap is the warning about years without holiday data, in words.
type calendarGap struct {
	Years string // "2027", or "2027 dan 2028"
	Files string // "2027.txt", or "2027.txt dan 2028.txt"
	Dir   string
	First int
}

// missingHolidays names the years without holiday data that a deadline of
// the longest class, counted from today, may reach; nil when there are none.
func (s *Server) missingHolidays() *calendarGap {
	years := s.complaints.Calendar().MissingYears(s.now(), workflow.ClassC.WorkingDays())
	if len(years) == 0 {
		return nil
	}
	names, files := make([]string, len(years)), make([]string, len(years))
	for i, y := range years {
		names[i] = strconv.Itoa(y)
		files[i] = names[i] + ".txt"
	}
	return &calendarGap{Years: joinAnd(names), Files: joinAnd(files), Dir: s.holidays, First: years[0]}
}

// joinAnd lists words the Indonesian way: "a, b dan c".
func joinAnd(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " dan " + words[len(words)-1]
}

var healthLabels = map[event.HealthState]string{
	event.HealthOK:             "Terhubung",
	event.HealthNeedsAttention: "Perlu perhatian",
	event.HealthNeedsPairing:   "Perlu ditautkan",
	event.HealthDown:           "Terputus, mencoba lagi",
	event.HealthStandby:        "Siaga (proses lain aktif)",
}

// channels shows the channels' health; the page refreshes its panel by itself.
func (s *Server) channels(w http.ResponseWriter, r *http.Request, sess *session) {
	p := s.loadChannels(r.Context())
	s.render(w, r, http.StatusOK, "channels", sess, "Saluran", p)
}

// channelsPanel is the page's content alone, for its periodic refresh (the
// pairing QR changes every few seconds).
func (s *Server) channelsPanel(w http.ResponseWriter, r *http.Request, sess *session) {
	s.renderPartial(w, r, "channels_panel", sess, s.loadChannels(r.Context()))
}

// loadChannels gathers what the page shows; a part that cannot be read is
// shown as a problem rather than failing the page, since this is where an
// administrator looks when something is down.
func (s *Server) loadChannels(ctx context.Context) *channelsPage {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	p := &channelsPage{NATS: serviceState{OK: true, Detail: "JetStream menjawab"}, Postgres: serviceState{OK: true},
		CalendarGap: s.missingHolidays(), WhatsAppOff: s.channelOff(event.ChannelWhatsApp),
		MetaOff: s.channelOff(event.ChannelMessenger), LaporOff: s.channelOff(event.ChannelLapor)}
	if p.MetaOff != nil {
		p.MetaOff.Name = "Facebook dan Instagram" // one setting turns both on
	}
	if _, err := s.bus.JetStream().AccountInfo(ctx); err != nil {
		p.NATS = serviceState{Detail: err.Error()}
	}
	if err := s.store.Ping(ctx); err != nil {
		p.Postgres = serviceState{Detail: err.Error()}
	} else if v, err := s.store.SchemaVersion(ctx); err == nil {
		p.Postgres.Detail = "skema versi " + strconv.Itoa(v)
	}
	healths, err := s.bus.Healths(ctx)
	if err != nil {
		p.NATS = serviceState{Detail: err.Error()}
	}
	sort.Slice(healths, func(i, j int) bool {
		return slices.Index(event.Channels, healths[i].Channel) < slices.Index(event.Channels, healths[j].Channel) ||
			healths[i].Channel == healths[j].Channel && healths[i].Account < healths[j].Account
	})
	for _, h := range healths {
		v := s.healthView(h)
		switch h.Channel {
		case event.ChannelWhatsApp:
			p.WhatsApp = append(p.WhatsApp, v)
		case event.ChannelMessenger, event.ChannelInstagram:
			p.Meta = append(p.Meta, v)
		case event.ChannelLapor:
			p.Lapor = append(p.Lapor, v)
		default:
			p.Other = append(p.Other, v)
		}
	}
	start := s.now().In(wib)
	start = time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, wib)
	counts, err := s.store.CountsSince(ctx, start)
	if err != nil {
		s.log.Warn().Err(err).Msg("counting today's traffic")
	}
	for _, c := range event.Channels {
		cc := counts[c]
		cc.Channel = c
		p.Counts = append(p.Counts, cc)
	}
	if n, err := s.store.PendingOutbox(ctx); err == nil {
		p.PendingOutbox = n
	}
	if n, err := s.bus.Lag(ctx, bus.StreamInbound, intake.ConsumerName); err == nil {
		p.IntakeLag = int64(n)
	} else {
		p.IntakeLag = -1
	}
	if rej, err := s.store.RecentRejected(ctx, 5); err == nil {
		p.Rejected = rej
	}
	return p
}

func (s *Server) healthView(h event.Health) healthView {
	v := healthView{Health: h, OK: h.State == event.HealthOK, StateLabel: orCode(healthLabels, h.State)}
	if code := h.Extra["qr"]; code != "" && h.State != event.HealthOK {
		if svg, err := qrSVG(code); err == nil {
			v.QR = svg
		} else {
			s.log.Warn().Err(err).Msg("drawing the WhatsApp pairing QR")
		}
	}
	v.PairCode = h.Extra["pair_code"]
	keys := make([]string, 0, len(h.Extra))
	for k := range h.Extra {
		if k != "qr" && k != "pair_code" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		v.Extras = append(v.Extras, extra{orCode(extraLabels, k), extraValue(h.Extra[k])})
	}
	return v
}

// extraLabels names the adapters' health facts for officers; a fact not
// listed shows under its own key.
var extraLabels = map[string]string{
	"cursor":              "Posisi sinkron (kursor)",
	"poll_failures":       "Gagal mengambil berturut-turut",
	"last_sync_reports":   "Laporan pada sinkron terakhir",
	"last_sync_at":        "Sinkron terakhir",
	"last_push_at":        "Pembaruan terakhir ke LAPOR!",
	"push_dead_letters":   "Pembaruan gagal (perlu tindakan)",
	"push_retries_queued": "Pembaruan menunggu dicoba lagi",
}

// extraValue shows a timestamp in the office's time, and anything else as is.
func extraValue(v string) string {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.In(wib).Format("02-01-2006 15:04 WIB")
	}
	return v
}
