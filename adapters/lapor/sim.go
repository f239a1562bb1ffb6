package lapor

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"maps"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// SimOptions configure a Simulator. Zero fields take defaults.
type SimOptions struct {
	// Token is the key clients must send; empty accepts any.
	Token string
	// Reports is how many reports are disposed to the agency at start.
	Reports int
	// Rate is how many new reports or reporter replies arrive per minute
	// while the simulator runs (see Run); 0 for none.
	Rate float64
	// ErrorRate is the share of API requests that fail (0 to 1): a third
	// answer 429, a third 503 before doing anything, a third 502 after
	// doing it (the answer is lost; an action is applied all the same).
	ErrorRate float64
	// Latency is the mean delay added to each API request.
	Latency time.Duration
	// RateLimit is how many API requests per second are served before 429
	// (burst of the same size); 0 for no limit.
	RateLimit float64
	// Seed makes the reports and the faults repeatable. Default 1.
	Seed uint64
	// Now defaults to time.Now.
	Now func() time.Time
}

// Simulator serves the assumed LAPOR! agency API (wire.go) from memory:
// seeded reports, new ones and reporter replies over time, the agency's
// actions applied with LAPOR!'s rules, and fault injection. It also shows
// the pushes it received, as HTML at / and as JSON at /sim/pushes.
type Simulator struct {
	opt     SimOptions
	limiter *rate.Limiter

	mu      sync.Mutex
	gen     *simGen
	faults  *rand.Rand
	epoch   string
	seq     int64 // the change feed's last position
	answers int64
	reports map[int64]*simReport
	files   map[string]simFile
	pushes  []SimPush
	byReq   map[string]int // request id → index in pushes
	refused []SimPush
	stats   SimStats
}

type simReport struct {
	w   wireReport
	seq int64 // position in the change feed
}

type simFile struct {
	name, mime string
	data       []byte
}

// SimPush is an action the simulator received.
type SimPush struct {
	RequestID  string    `json:"id_permintaan"`
	TrackingID int64     `json:"nomor_pelacakan"`
	Action     string    `json:"tindakan"`
	Reason     string    `json:"alasan,omitempty"`
	Text       string    `json:"isi,omitempty"`
	Files      []string  `json:"lampiran,omitempty"` // "name (mime, bytes)"
	At         time.Time `json:"waktu"`
	ReceivedAt time.Time `json:"diterima"`
	// StatusAfter is the report's status once applied.
	StatusAfter string `json:"status_setelah,omitempty"`
	// Repeats counts later deliveries of the same request id, answered
	// without applying it again.
	Repeats int `json:"diulang"`
	// Refusal is why a refused push was refused.
	Refusal string `json:"ditolak,omitempty"`
}

// SimStats counts what the simulator served.
type SimStats struct {
	Requests       int `json:"permintaan"`
	InjectedErrors int `json:"galat_disuntikkan"`
	RateLimited    int `json:"dibatasi"`
	Unauthorized   int `json:"tidak_sah"`
}

// NewSimulator returns a simulator with opt.Reports reports disposed.
func NewSimulator(opt SimOptions) *Simulator {
	if opt.Seed == 0 {
		opt.Seed = 1
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	s := &Simulator{
		opt:     opt,
		gen:     newSimGen(opt.Seed),
		faults:  rand.New(rand.NewPCG(opt.Seed+1, opt.Seed*31)),
		epoch:   strconv.FormatInt(opt.Now().UnixNano(), 36),
		reports: map[int64]*simReport{},
		files:   map[string]simFile{},
		byReq:   map[string]int{},
	}
	if opt.RateLimit > 0 {
		s.limiter = rate.NewLimiter(rate.Limit(opt.RateLimit), max(1, int(opt.RateLimit)))
	}
	now := opt.Now()
	for i := range opt.Reports {
		// Filed over the last two weeks, oldest first.
		filed := now.Add(-time.Duration(opt.Reports-i) * 14 * 24 * time.Hour / time.Duration(opt.Reports+1))
		s.AddReport(filed.Truncate(time.Minute))
	}
	return s
}

// AddReport files a new report at filed and disposes it to the agency at
// once (with the national admin's note), returning its tracking id.
func (s *Simulator) AddReport(filed time.Time) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.gen.report(filed, s.addFile)
	disposed := filed.Add(time.Duration(1+s.gen.rng.IntN(48)) * time.Hour)
	if now := s.opt.Now(); disposed.After(now) {
		disposed = now
	}
	w.Revision = 2
	w.DisposedAt, w.UpdatedAt = disposed, disposed
	w.Thread = append(w.Thread, wireAnswer{ID: s.nextAnswerID(), Revision: 2, From: wireFromAdmin, At: disposed,
		Text: "Laporan didisposisikan kepada Dinas Sosial dan PMD Provinsi Kepulauan Bangka Belitung untuk ditindaklanjuti."})
	s.seq++
	s.reports[w.TrackingID] = &simReport{w: w, seq: s.seq}
	return w.TrackingID
}

// AddReply adds a reporter's reply to a report: text, or a generated one
// when text is empty. It returns the report's new revision.
func (s *Simulator) AddReply(trackingID int64, text string) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.reports[trackingID]
	if !ok {
		return 0, fmt.Errorf("no report %d", trackingID)
	}
	var files []wireFile
	if text == "" {
		text, files = s.gen.reply(trackingID, s.addFile)
	}
	s.change(r, func(now time.Time) {
		r.w.Thread = append(r.w.Thread, wireAnswer{ID: s.nextAnswerID(), Revision: r.w.Revision, From: wireFromReporter,
			Text: text, At: now, Files: files})
	})
	return r.w.Revision, nil
}

// change applies fn to r as one new revision at the end of the feed.
// Callers hold s.mu.
func (s *Simulator) change(r *simReport, fn func(now time.Time)) {
	now := s.opt.Now()
	r.w.Revision++
	r.w.UpdatedAt = now
	fn(now)
	s.seq++
	r.seq = s.seq
}

// nextAnswerID numbers thread entries; callers hold s.mu.
func (s *Simulator) nextAnswerID() int64 {
	s.answers++
	return s.answers
}

// addFile stores an attachment and returns its wire reference; callers hold s.mu.
func (s *Simulator) addFile(name, mime string, data []byte) wireFile {
	id := strconv.Itoa(len(s.files) + 1)
	s.files[id] = simFile{name: name, mime: mime, data: data}
	return wireFile{URL: pathFiles + id, Name: name, MIME: mime, Size: int64(len(data))}
}

// Pushes returns the actions applied, one per request id, in arrival order.
func (s *Simulator) Pushes() []SimPush {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.pushes)
}

// Refused returns the pushes refused (wrong status, unknown report, ...).
func (s *Simulator) Refused() []SimPush {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.refused)
}

// Stats returns the counters.
func (s *Simulator) Stats() SimStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// TrackingIDs lists the reports, oldest first.
func (s *Simulator) TrackingIDs() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Sorted(maps.Keys(s.reports))
}

// Report returns a report's wire form as JSON (with file URLs relative to
// the simulator), or nil.
func (s *Simulator) Report(trackingID int64) json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.reports[trackingID]
	if !ok {
		return nil
	}
	b, _ := json.Marshal(r.w)
	return b
}

// Run makes reports and replies arrive at the configured rate until ctx
// ends: about one in four arrivals is a reporter's reply to a report the
// agency is working on, the rest are new reports.
func (s *Simulator) Run(ctx context.Context) {
	if s.opt.Rate <= 0 {
		return
	}
	every := time.Duration(float64(time.Minute) / s.opt.Rate)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if id, ok := s.replyCandidate(); ok {
			_, _ = s.AddReply(id, "")
			continue
		}
		s.AddReport(s.opt.Now().Truncate(time.Second))
	}
}

// replyCandidate picks, one time in four, a report a reporter would answer.
func (s *Simulator) replyCandidate() (int64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gen.rng.IntN(4) != 0 {
		return 0, false
	}
	var ids []int64
	for id, r := range s.reports {
		switch r.w.Status {
		case "diverifikasi", "ditindaklanjuti", "selesai", "ditunda":
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return 0, false
	}
	slices.Sort(ids)
	return ids[s.gen.rng.IntN(len(ids))], true
}

// Handler serves the API and the simulator's own pages.
func (s *Simulator) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST "+pathReports, s.api(s.serveReports))
	mux.Handle("POST "+pathAction, s.api(s.serveAction))
	mux.Handle("GET "+pathFiles+"{id}", s.api(s.serveFile))
	mux.HandleFunc("GET /{$}", s.servePage)
	mux.HandleFunc("GET /sim/pushes", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(map[string]any{"tindakan": s.Pushes(), "ditolak": s.Refused(), "statistik": s.Stats()})
	})
	mux.HandleFunc("POST /sim/laporan", func(w http.ResponseWriter, _ *http.Request) {
		id := s.AddReport(s.opt.Now().Truncate(time.Second))
		writeWire(w, http.StatusCreated, map[string]int64{"nomor_pelacakan": id}, "", "")
	})
	mux.HandleFunc("POST /sim/laporan/{id}/balasan", func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
		var body struct {
			Text string `json:"isi"`
		}
		_ = json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&body)
		rev, err := s.AddReply(id, body.Text)
		if err != nil {
			writeWire(w, http.StatusNotFound, nil, "tidak_ditemukan", err.Error())
			return
		}
		writeWire(w, http.StatusCreated, map[string]any{"nomor_pelacakan": id, "revisi": rev}, "", "")
	})
	return mux
}

// fault is what happens to one API request.
type fault int

const (
	faultNone fault = iota
	faultRateLimit
	faultBefore // fails before doing anything
	faultAfter  // does the work, then the answer is lost
)

// api wraps an API handler with latency, auth, the rate limit and faults.
func (s *Simulator) api(h func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.stats.Requests++
		var delay time.Duration
		if s.opt.Latency > 0 {
			delay = time.Duration(s.faults.Int64N(2*int64(s.opt.Latency) + 1))
		}
		f := faultNone
		if s.opt.ErrorRate > 0 && s.faults.Float64() < s.opt.ErrorRate {
			f = fault(1 + s.faults.IntN(3))
			s.stats.InjectedErrors++
		}
		s.mu.Unlock()
		if delay > 0 {
			select {
			case <-r.Context().Done():
				return
			case <-time.After(delay):
			}
		}
		if s.limiter != nil && !s.limiter.Allow() {
			s.count(func(st *SimStats) { st.RateLimited++ })
			w.Header().Set("Retry-After", "1")
			writeWire(w, http.StatusTooManyRequests, nil, "terlalu_banyak_permintaan", "batas permintaan terlampaui")
			return
		}
		if s.opt.Token != "" && tokenOf(r) != s.opt.Token {
			s.count(func(st *SimStats) { st.Unauthorized++ })
			writeWire(w, http.StatusUnauthorized, nil, "token_tidak_valid", "kunci API tidak dikenal")
			return
		}
		switch f {
		case faultRateLimit:
			w.Header().Set("Retry-After", "1")
			writeWire(w, http.StatusTooManyRequests, nil, "terlalu_banyak_permintaan", "batas permintaan terlampaui")
			return
		case faultBefore:
			writeWire(w, http.StatusServiceUnavailable, nil, "gangguan", "layanan sedang dalam pemeliharaan")
			return
		case faultAfter:
			_ = h(discard{header: http.Header{}}, r)
			writeWire(w, http.StatusBadGateway, nil, "gangguan", "gateway timeout")
			return
		}
		if err := h(w, r); err != nil {
			writeWire(w, http.StatusInternalServerError, nil, "internal", err.Error())
		}
	})
}

func (s *Simulator) count(fn func(*SimStats)) {
	s.mu.Lock()
	fn(&s.stats)
	s.mu.Unlock()
}

// discard is a ResponseWriter that drops the answer of a faultAfter request.
type discard struct{ header http.Header }

func (d discard) Header() http.Header         { return d.header }
func (d discard) Write(b []byte) (int, error) { return len(b), nil }
func (d discard) WriteHeader(int)             {}

func (s *Simulator) serveReports(w http.ResponseWriter, r *http.Request) error {
	var req wireListRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
		writeWire(w, http.StatusBadRequest, nil, "permintaan_tidak_valid", err.Error())
		return nil
	}
	if req.Limit < 1 || req.Limit > 500 {
		writeWire(w, http.StatusBadRequest, nil, "permintaan_tidak_valid", "batas harus 1 sampai 500")
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var after int64
	if req.Cursor != "" {
		epoch, n, ok := strings.Cut(req.Cursor, "-")
		seq, err := strconv.ParseInt(n, 10, 64)
		if !ok || err != nil {
			writeWire(w, http.StatusBadRequest, nil, "permintaan_tidak_valid", "kursor tidak dikenal")
			return nil
		}
		if epoch != s.epoch {
			writeWire(w, http.StatusGone, nil, wireCursorExpired, "kursor sudah tidak berlaku; mulai dari awal")
			return nil
		}
		after = seq
	}
	var changed []*simReport
	for _, rp := range s.reports {
		if rp.seq > after {
			changed = append(changed, rp)
		}
	}
	slices.SortFunc(changed, func(a, b *simReport) int { return int(a.seq - b.seq) })
	page := struct {
		Reports []wireReport `json:"laporan"`
		Next    string       `json:"kursor_berikut"`
		More    bool         `json:"ada_lagi"`
	}{Reports: []wireReport{}, Next: s.epoch + "-" + strconv.FormatInt(after, 10)}
	base := "http://" + r.Host
	for i, rp := range changed {
		if i == req.Limit {
			page.More = true
			break
		}
		page.Reports = append(page.Reports, withBase(rp.w, base))
		page.Next = s.epoch + "-" + strconv.FormatInt(rp.seq, 10)
	}
	writeWire(w, http.StatusOK, page, "", "")
	return nil
}

// withBase makes a report's file URLs absolute, as LAPOR! gives them.
func withBase(w wireReport, base string) wireReport {
	abs := func(fs []wireFile) []wireFile {
		out := slices.Clone(fs)
		for i := range out {
			out[i].URL = base + out[i].URL
		}
		return out
	}
	w.Files = abs(w.Files)
	w.Thread = slices.Clone(w.Thread)
	for i := range w.Thread {
		w.Thread[i].Files = abs(w.Thread[i].Files)
	}
	return w
}

func (s *Simulator) serveFile(w http.ResponseWriter, r *http.Request) error {
	s.mu.Lock()
	f, ok := s.files[r.PathValue("id")]
	s.mu.Unlock()
	if !ok {
		writeWire(w, http.StatusNotFound, nil, "tidak_ditemukan", "lampiran tidak ditemukan")
		return nil
	}
	w.Header().Set("Content-Type", f.mime)
	w.Header().Set("Content-Length", strconv.Itoa(len(f.data)))
	_, err := w.Write(f.data)
	return err
}

// simTransitions says from which statuses each action may be taken, and
// the status it leads to.
var simTransitions = map[string]struct {
	from []string
	to   string
}{
	"verifikasi":     {[]string{"didisposisikan", "ditunda"}, "diverifikasi"},
	"tunda":          {[]string{"didisposisikan", "diverifikasi"}, "ditunda"},
	"bukan_wewenang": {[]string{"didisposisikan", "diverifikasi", "ditunda"}, "dikembalikan"},
	"tindak_lanjut":  {[]string{"diverifikasi", "ditindaklanjuti"}, "ditindaklanjuti"},
	"selesai":        {[]string{"ditindaklanjuti"}, "selesai"},
}

func (s *Simulator) serveAction(w http.ResponseWriter, r *http.Request) error {
	var req wireActionRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<20)).Decode(&req); err != nil {
		writeWire(w, http.StatusBadRequest, nil, "permintaan_tidak_valid", err.Error())
		return nil
	}
	p := SimPush{RequestID: req.RequestID, TrackingID: req.TrackingID, Action: req.Action, Reason: req.Reason,
		Text: req.Text, At: req.At, ReceivedAt: s.opt.Now()}
	var files []simFile
	for _, f := range req.Files {
		data, err := base64.StdEncoding.DecodeString(f.Data)
		if err != nil {
			return s.refuse(w, p, http.StatusBadRequest, "permintaan_tidak_valid", "lampiran "+f.Name+" bukan base64")
		}
		files = append(files, simFile{name: f.Name, mime: f.MIME, data: data})
		p.Files = append(p.Files, fmt.Sprintf("%s (%s, %d bytes)", f.Name, f.MIME, len(data)))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if i, ok := s.byReq[req.RequestID]; ok && req.RequestID != "" {
		s.pushes[i].Repeats++
		done := s.pushes[i]
		writeWire(w, http.StatusOK, wireActionResult{TrackingID: done.TrackingID, Status: done.StatusAfter,
			Revision: s.reports[done.TrackingID].w.Revision}, "", "")
		return nil
	}
	tr, known := simTransitions[req.Action]
	rp, found := s.reports[req.TrackingID]
	switch {
	case req.RequestID == "":
		return s.refuseLocked(w, p, http.StatusUnprocessableEntity, "data_tidak_lengkap", "id_permintaan wajib diisi")
	case !known:
		return s.refuseLocked(w, p, http.StatusUnprocessableEntity, "data_tidak_lengkap", "tindakan tidak dikenal")
	case !found:
		return s.refuseLocked(w, p, http.StatusNotFound, "tidak_ditemukan", "laporan tidak ditemukan")
	case (req.Action == "tunda" || req.Action == "bukan_wewenang") && strings.TrimSpace(req.Reason) == "":
		return s.refuseLocked(w, p, http.StatusUnprocessableEntity, "data_tidak_lengkap", "alasan wajib diisi")
	case req.Action == "tindak_lanjut" && strings.TrimSpace(req.Text) == "":
		return s.refuseLocked(w, p, http.StatusUnprocessableEntity, "data_tidak_lengkap", "isi tindak lanjut wajib diisi")
	case !slices.Contains(tr.from, rp.w.Status):
		return s.refuseLocked(w, p, http.StatusConflict, "status_tidak_sesuai",
			fmt.Sprintf("laporan berstatus %s; tindakan %s tidak dapat dilakukan", rp.w.Status, req.Action))
	}
	s.change(rp, func(now time.Time) {
		rp.w.Status = tr.to
		if req.Action == "tindak_lanjut" {
			var refs []wireFile
			for _, f := range files {
				refs = append(refs, s.addFile(f.name, f.mime, f.data))
			}
			rp.w.Thread = append(rp.w.Thread, wireAnswer{ID: s.nextAnswerID(), Revision: rp.w.Revision,
				From: wireFromAgency, Text: req.Text, At: now, Files: refs})
		}
	})
	p.StatusAfter = tr.to
	s.byReq[req.RequestID] = len(s.pushes)
	s.pushes = append(s.pushes, p)
	writeWire(w, http.StatusOK, wireActionResult{TrackingID: rp.w.TrackingID, Status: tr.to, Revision: rp.w.Revision}, "", "")
	return nil
}

func (s *Simulator) refuse(w http.ResponseWriter, p SimPush, status int, code, msg string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refuseLocked(w, p, status, code, msg)
}

func (s *Simulator) refuseLocked(w http.ResponseWriter, p SimPush, status int, code, msg string) error {
	p.Refusal = fmt.Sprintf("%d %s: %s", status, code, msg)
	if len(s.refused) < 500 {
		s.refused = append(s.refused, p)
	}
	writeWire(w, status, nil, code, msg)
	return nil
}

var simPage = template.Must(template.New("sim").Parse(`<!doctype html>
<html lang="id"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
<title>Simulator LAPOR!</title>
<style>body{font-family:sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse;margin-bottom:2em}
td,th{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top;font-size:.9em}th{background:#eee}
.tag{font-size:.8em;background:#fde68a;padding:0 .3em;border-radius:3px}</style></head><body>
<h1>Simulator SP4N-LAPOR!</h1>
<p>{{.Stats.Requests}} permintaan API · {{.Stats.InjectedErrors}} galat disuntikkan · {{.Stats.RateLimited}} dibatasi · {{.Stats.Unauthorized}} kunci ditolak.
JSON: <a href="/sim/pushes">/sim/pushes</a></p>
<h2>Tindakan instansi yang diterima ({{len .Pushes}})</h2>
<table><tr><th>Diterima</th><th>Nomor</th><th>Tindakan</th><th>Alasan / isi</th><th>Lampiran</th><th>Status sesudah</th><th>Diulang</th></tr>
{{range .Pushes}}<tr><td>{{.ReceivedAt.Format "02-01-2006 15:04:05"}}</td><td>{{.TrackingID}}</td><td>{{.Action}}</td>
<td>{{.Reason}}{{.Text}}</td><td>{{range .Files}}{{.}}<br>{{end}}</td><td>{{.StatusAfter}}</td><td>{{.Repeats}}</td></tr>
{{else}}<tr><td colspan="7">Belum ada.</td></tr>{{end}}</table>
{{if .Refused}}<h2>Tindakan ditolak ({{len .Refused}})</h2>
<table><tr><th>Diterima</th><th>Nomor</th><th>Tindakan</th><th>Alasan penolakan</th></tr>
{{range .Refused}}<tr><td>{{.ReceivedAt.Format "02-01-2006 15:04:05"}}</td><td>{{.TrackingID}}</td><td>{{.Action}}</td><td>{{.Refusal}}</td></tr>{{end}}</table>{{end}}
<h2>Laporan yang didisposisikan ({{len .Reports}})</h2>
<table><tr><th>Nomor</th><th>Judul</th><th>Kategori</th><th>Status</th><th>Revisi</th><th></th></tr>
{{range .Reports}}<tr><td>{{.TrackingID}}</td><td>{{.Title}}</td><td>{{.Category}}</td><td>{{.Status}}</td><td>{{.Revision}}</td>
<td>{{if .Confidential}}<span class="tag">rahasia</span> {{end}}{{if .Anonymous}}<span class="tag">anonim</span> {{end}}{{if .Files}}<span class="tag">lampiran</span>{{end}}</td></tr>{{end}}</table>
</body></html>`))

func (s *Simulator) servePage(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	reports := make([]wireReport, 0, len(s.reports))
	for _, r := range s.reports {
		reports = append(reports, r.w)
	}
	data := struct {
		Stats           SimStats
		Pushes, Refused []SimPush
		Reports         []wireReport
	}{s.stats, slices.Clone(s.pushes), slices.Clone(s.refused), reports}
	s.mu.Unlock()
	slices.SortFunc(data.Reports, func(a, b wireReport) int { return int(b.TrackingID - a.TrackingID) })
	slices.Reverse(data.Pushes)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := simPage.Execute(w, data); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}
