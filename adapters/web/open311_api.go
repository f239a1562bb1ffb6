package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/aduan-gateway/aduan/adapters/web/open311"
	"github.com/aduan-gateway/aduan/core/calendar"
	"github.com/aduan-gateway/aduan/store"
)

// Open311Prefix is where the GeoReport v2 read API lives.
const Open311Prefix = "/open311/v2"

// The specification's defaults for GET requests: the last 90 days, and at
// most 1000 requests in one answer.
const (
	open311Window = 90 * 24 * time.Hour
	open311Max    = 1000
	// open311MaxIDs bounds service_request_id lists.
	open311MaxIDs = 100
)

// open311Changeset dates this API's shape, as discovery reports it.
var open311Changeset = time.Date(2026, 11, 29, 0, 0, 0, 0, calendar.WIB)

// mountOpen311 registers the read API. Every method reaches the handlers,
// so that a write is refused in the specification's error format.
func (p *Public) mountOpen311(mux *http.ServeMux) {
	mux.Handle(Open311Prefix+"/{file}", p.open311(p.open311Root))
	mux.Handle(Open311Prefix+"/services/{file}", p.open311(p.open311Service))
	mux.Handle(Open311Prefix+"/requests/{file}", p.open311(p.open311Request))
}

// open311 checks the method and the format, then calls h with the file's
// base name.
func (p *Public) open311(h func(w http.ResponseWriter, r *http.Request, base string, f open311.Format)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		base, f, ok := open311.SplitFile(r.PathValue("file"))
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			open311.WriteError(w, f, http.StatusMethodNotAllowed, "read-only API: service requests are not accepted here")
			return
		}
		if !ok {
			open311.WriteError(w, open311.JSON, http.StatusNotFound, "unknown resource: use .json or .xml")
			return
		}
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Cache-Control", publicMaxAge)
		h(w, r, base, f)
	})
}

func (p *Public) open311Root(w http.ResponseWriter, r *http.Request, base string, f open311.Format) {
	switch base {
	case "discovery":
		p.open311Discovery(w, r, f)
	case "services":
		p.open311Services(w, r, f)
	case "requests":
		p.open311Requests(w, r, f)
	default:
		open311.WriteError(w, f, http.StatusNotFound, "unknown resource "+base)
	}
}

func (p *Public) open311Discovery(w http.ResponseWriter, r *http.Request, f open311.Format) {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	changeset := open311.Time(open311Changeset, calendar.WIB)
	contact := strings.TrimSpace(strings.Join([]string{p.office.Name, p.office.Address, p.office.Phone}, ", "))
	open311.Write(w, f, http.StatusOK, open311.Discovery{
		Changeset: changeset, Contact: strings.Trim(contact, ", "),
		Endpoints: []open311.Endpoint{{
			Specification: open311.Specification, URL: (&url.URL{Scheme: scheme, Host: r.Host, Path: Open311Prefix}).String(),
			Changeset: changeset, Type: "production",
			Formats: []string{open311.ContentTypes[open311.XML], open311.ContentTypes[open311.JSON]},
		}},
	})
}

// services are the complaint categories, retired ones too (published
// complaints may carry them).
func (p *Public) services(r *http.Request) ([]open311.Service, error) {
	cats, err := p.store.Categories(r.Context(), true)
	if err != nil {
		return nil, err
	}
	out := make([]open311.Service, 0, len(cats))
	for _, c := range cats {
		out = append(out, open311.Service{ServiceCode: c.Code, ServiceName: c.Label,
			Description: "Pengaduan layanan sosial: " + c.Label, Metadata: false, Type: "realtime",
			Keywords: "pengaduan," + strings.ReplaceAll(c.Code, "_", " "), Group: "Pengaduan layanan sosial"})
	}
	return out, nil
}

func (p *Public) open311Services(w http.ResponseWriter, r *http.Request, f open311.Format) {
	list, err := p.services(r)
	if err != nil {
		p.open311Fail(w, r, f, err)
		return
	}
	open311.Write(w, f, http.StatusOK, open311.Services{Service: list})
}

// open311Service is the service definition: no service has metadata, so
// its attributes are empty.
func (p *Public) open311Service(w http.ResponseWriter, r *http.Request, code string, f open311.Format) {
	list, err := p.services(r)
	if err != nil {
		p.open311Fail(w, r, f, err)
		return
	}
	if !slices.ContainsFunc(list, func(s open311.Service) bool { return s.ServiceCode == code }) {
		open311.WriteError(w, f, http.StatusNotFound, "unknown service_code "+code)
		return
	}
	open311.Write(w, f, http.StatusOK, open311.ServiceDefinition{ServiceCode: code, Attributes: []open311.Attribute{}})
}

// open311Requests lists published complaints: by service_request_id, or
// by service_code, status and a window of requested_datetime (default
// the last 90 days, at most 90 days long), newest finished first, at most
// 1000.
func (p *Public) open311Requests(w http.ResponseWriter, r *http.Request, f open311.Format) {
	q := r.URL.Query()
	if ids := q.Get("service_request_id"); ids != "" {
		var out []open311.Request
		list := strings.Split(ids, ",")
		if len(list) > open311MaxIDs {
			open311.WriteError(w, f, http.StatusBadRequest, fmt.Sprintf("at most %d service_request_id values", open311MaxIDs))
			return
		}
		for _, id := range list {
			c, err := p.store.PublishedComplaint(r.Context(), strings.ToUpper(strings.TrimSpace(id)))
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				p.open311Fail(w, r, f, err)
				return
			}
			out = append(out, p.open311Of(*c))
		}
		open311.Write(w, f, http.StatusOK, open311.ServiceRequests{Request: out})
		return
	}
	filter, err := open311Filter(q, p.now())
	if err != nil {
		open311.WriteError(w, f, http.StatusBadRequest, err.Error())
		return
	}
	var codes []string
	if sc := q.Get("service_code"); sc != "" {
		codes = strings.Split(sc, ",")
	}
	if st := q.Get("status"); st != "" {
		for _, s := range strings.Split(st, ",") {
			if s != "open" && s != "closed" {
				open311.WriteError(w, f, http.StatusBadRequest, "status must be open or closed")
				return
			}
		}
		if !slices.Contains(strings.Split(st, ","), "closed") {
			// Only finished complaints are published: none is open.
			open311.Write(w, f, http.StatusOK, open311.ServiceRequests{})
			return
		}
	}
	var out []open311.Request
	if len(codes) == 0 {
		codes = []string{""} // every category
	}
	for _, code := range codes {
		filter.Category = strings.TrimSpace(code)
		list, err := p.store.PublishedComplaints(r.Context(), filter)
		if err != nil {
			p.open311Fail(w, r, f, err)
			return
		}
		for _, c := range list {
			out = append(out, p.open311Of(c))
		}
	}
	if len(out) > open311Max {
		out = out[:open311Max]
	}
	open311.Write(w, f, http.StatusOK, open311.ServiceRequests{Request: out})
}

// open311Filter reads start_date and end_date.
func open311Filter(q url.Values, now time.Time) (store.PublishedFilter, error) {
	f := store.PublishedFilter{Limit: open311Max}
	var start, end time.Time
	var err error
	if s := q.Get("start_date"); s != "" {
		if start, err = open311.ParseTime(s); err != nil {
			return f, fmt.Errorf("start_date %q: want ISO 8601 with a zone, e.g. 2026-03-01T00:00:00+07:00", s)
		}
	}
	if s := q.Get("end_date"); s != "" {
		if end, err = open311.ParseTime(s); err != nil {
			return f, fmt.Errorf("end_date %q: want ISO 8601 with a zone, e.g. 2026-03-31T23:59:59+07:00", s)
		}
	}
	switch {
	case start.IsZero() && end.IsZero():
		end = now
		start = end.Add(-open311Window)
	case start.IsZero():
		start = end.Add(-open311Window)
	case end.IsZero():
		end = start.Add(open311Window)
	}
	if end.Before(start) {
		return f, errors.New("end_date is before start_date")
	}
	if end.Sub(start) > open311Window {
		return f, errors.New("start_date and end_date may not span more than 90 days")
	}
	f.ReceivedFrom, f.ReceivedBefore = start, end.Add(time.Second)
	return f, nil
}

func (p *Public) open311Request(w http.ResponseWriter, r *http.Request, id string, f open311.Format) {
	c, err := p.store.PublishedComplaint(r.Context(), strings.ToUpper(id))
	if errors.Is(err, store.ErrNotFound) {
		open311.WriteError(w, f, http.StatusNotFound, "no published service request "+id)
		return
	}
	if err != nil {
		p.open311Fail(w, r, f, err)
		return
	}
	open311.Write(w, f, http.StatusOK, open311.ServiceRequests{Request: []open311.Request{p.open311Of(*c)}})
}

// open311Of maps a published complaint to a service request. description
// would be the reporter's own words, which are never public: it stays
// empty, and the office's publication summary is status_notes.
func (p *Public) open311Of(c store.PublishedComplaint) open311.Request {
	req := open311.Request{
		ServiceRequestID: c.Ticket, Status: "closed", StatusNotes: c.Summary,
		ServiceName: c.CategoryLabel, ServiceCode: c.Category, AgencyResponsible: p.office.Name,
		RequestedDatetime: open311.Time(c.ReceivedAt, calendar.WIB),
		UpdatedDatetime:   open311.Time(c.UpdatedAt, calendar.WIB),
	}
	if c.Status.Open() {
		req.Status = "open"
	}
	if due, err := calendar.ParseDate(c.DueDate); err == nil {
		end := due.AddDays(1).Time().Add(-time.Second) // the end of the due day, WIB
		req.ExpectedDatetime = open311.Time(end, calendar.WIB)
		verdict := "selesai melewati batas waktu"
		if onTime(c) {
			verdict = "selesai tepat waktu"
		}
		req.ServiceNotice = fmt.Sprintf("Kelas %s: batas %d hari kerja; %s.", c.Class, c.Class.WorkingDays(), verdict)
	}
	return req
}

func (p *Public) open311Fail(w http.ResponseWriter, r *http.Request, f open311.Format, err error) {
	p.log.Error().Err(err).Str("path", r.URL.Path).Msg("open311 request failed")
	open311.WriteError(w, f, http.StatusInternalServerError, "server error")
}
