package web

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/aduan-gateway/aduan/config"
	"github.com/aduan-gateway/aduan/core/beritaacara"
	"github.com/aduan-gateway/aduan/core/calendar"
	"github.com/aduan-gateway/aduan/store"
)

// PublicPrefix is where the public results live: no sign-in.
const PublicPrefix = "/publikasi"

// publicPageSize is how many results a page of /publikasi lists.
const publicPageSize = 20

// publicMaxAge is how long browsers and proxies may keep a public answer:
// results change rarely, and a cache in front takes the load of crawlers.
const publicMaxAge = "public, max-age=300"

// PublicOptions configure the public results pages and the Open311 API.
type PublicOptions struct {
	Store *store.Store
	// Office names the agency responsible (ADUAN_OFFICE_NAME).
	Office config.OfficeConfig
	Log    zerolog.Logger
	// Now defaults to time.Now.
	Now func() time.Time
}

// Public serves the published complaint results to everyone: the pages
// under /publikasi and the Open311 GeoReport v2 read API. It reads only
// store.PublishedComplaint, which holds no personal data.
type Public struct {
	store  *store.Store
	office config.OfficeConfig
	log    zerolog.Logger
	now    func() time.Time
	pages  map[string]*template.Template
}

// NewPublic parses the public templates.
func NewPublic(opt PublicOptions) (*Public, error) {
	if opt.Store == nil {
		return nil, errors.New("web: the public pages need the store")
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	p := &Public{store: opt.Store, office: opt.Office, log: opt.Log.With().Str("comp", "publikasi").Logger(),
		now: opt.Now, pages: map[string]*template.Template{}}
	for _, name := range []string{"list", "result"} {
		t, err := template.New("public_layout.html").Funcs(funcs).Funcs(publicFuncs).ParseFS(assets,
			"templates/public/public_layout.html", "templates/public/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("parsing public template %s: %w", name, err)
		}
		p.pages[name] = t
	}
	return p, nil
}

// Mount registers the public pages and the Open311 API on mux.
func (p *Public) Mount(mux *http.ServeMux) {
	mux.Handle("GET "+PublicPrefix+"/{$}", secureHeaders(http.HandlerFunc(p.list)))
	mux.Handle("GET "+PublicPrefix, http.RedirectHandler(PublicPrefix+"/", http.StatusMovedPermanently))
	mux.Handle("GET "+PublicPrefix+"/publikasi.css", secureHeaders(http.HandlerFunc(servePublicCSS)))
	mux.Handle("GET "+PublicPrefix+"/{ticket}", secureHeaders(http.HandlerFunc(p.result)))
	p.mountOpen311(mux)
}

// publicResult is a published complaint as the pages show it.
type publicResult struct {
	store.PublishedComplaint
	// OnTime: finished on or before the due date (WIB dates).
	OnTime bool
}

func newPublicResult(c store.PublishedComplaint) publicResult {
	return publicResult{PublishedComplaint: c, OnTime: onTime(c)}
}

// onTime reports whether the complaint was finished on or before its due
// date, both as WIB calendar dates.
func onTime(c store.PublishedComplaint) bool {
	return c.DueDate != "" && calendar.DateOf(c.ResolvedAt).String() <= c.DueDate
}

type publicList struct {
	Results    []publicResult
	Page       int
	Prev, Next int
	Office     string
}

func (p *Public) list(w http.ResponseWriter, r *http.Request) {
	page, err := strconv.Atoi(r.URL.Query().Get("halaman"))
	if err != nil || page < 1 {
		page = 1
	}
	list, err := p.store.PublishedComplaints(r.Context(), store.PublishedFilter{
		Limit: publicPageSize + 1, Offset: (page - 1) * publicPageSize})
	if err != nil {
		p.fail(w, r, err)
		return
	}
	v := publicList{Page: page, Office: p.office.Name}
	if len(list) > publicPageSize {
		list, v.Next = list[:publicPageSize], page+1
	}
	if page > 1 {
		v.Prev = page - 1
	}
	for _, c := range list {
		v.Results = append(v.Results, newPublicResult(c))
	}
	p.render(w, r, http.StatusOK, "list", "Hasil tindak lanjut pengaduan", v)
}

type publicOne struct {
	Result publicResult
	Office string
}

func (p *Public) result(w http.ResponseWriter, r *http.Request) {
	ticket := strings.ToUpper(r.PathValue("ticket"))
	c, err := p.store.PublishedComplaint(r.Context(), ticket)
	if errors.Is(err, store.ErrNotFound) {
		p.render(w, r, http.StatusNotFound, "result", "Tidak ditemukan", publicOne{Office: p.office.Name})
		return
	}
	if err != nil {
		p.fail(w, r, err)
		return
	}
	p.render(w, r, http.StatusOK, "result", "Pengaduan "+c.Ticket, publicOne{Result: newPublicResult(*c), Office: p.office.Name})
}

type publicView struct {
	Title string
	Page  any
}

func (p *Public) render(w http.ResponseWriter, r *http.Request, status int, page, title string, data any) {
	var b bytes.Buffer
	if err := p.pages[page].ExecuteTemplate(&b, "public_layout", publicView{Title: title, Page: data}); err != nil {
		p.fail(w, r, fmt.Errorf("rendering %s: %w", page, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if status == http.StatusOK {
		w.Header().Set("Cache-Control", publicMaxAge)
	} else {
		w.Header().Set("Cache-Control", "no-store")
	}
	w.WriteHeader(status)
	w.Write(b.Bytes()) //nolint:errcheck // the client went away
}

func (p *Public) fail(w http.ResponseWriter, r *http.Request, err error) {
	p.log.Error().Err(err).Str("path", r.URL.Path).Msg("request failed")
	http.Error(w, "Terjadi kesalahan di server. Silakan coba lagi.", http.StatusInternalServerError)
}

// publicFuncs write dates as the public reads them: "17 Maret 2026".
var publicFuncs = template.FuncMap{
	"tanggal": beritaacara.LongDate,
	"tanggalISO": func(s string) string {
		d, err := calendar.ParseDate(s)
		if err != nil {
			return "-"
		}
		return beritaacara.LongDate(d.Time())
	},
}

func servePublicCSS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "public, max-age=86400")
	http.ServeFileFS(w, r, assets, "static/publikasi.css")
}
