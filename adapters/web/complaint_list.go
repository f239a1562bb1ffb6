package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/aduan-gateway/aduan/core/complaint"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/workflow"
	"github.com/aduan-gateway/aduan/store"
)

// complaintPageSize is how many complaints one page of the list shows.
const complaintPageSize = 50

// complaintFilter is what the complaints list is narrowed to; every field
// comes from the query string and is checked against the known values.
type complaintFilter struct {
	Status   workflow.Status
	Class    workflow.Class
	Category string
	Channel  event.Channel
	Due      complaint.DueState
	Mine     bool
	Query    string
	Page     int
}

func (f complaintFilter) query() url.Values {
	return queryValues("status", string(f.Status), "class", string(f.Class), "category", f.Category,
		"channel", string(f.Channel), "due", string(f.Due), "q", f.Query, "mine", checked(f.Mine))
}

// Encoded is the filter without the page, "" when nothing is filtered.
func (f complaintFilter) Encoded() string { return f.query().Encode() }

// pageURL is the list at page n with the same filter.
func (f complaintFilter) pageURL(n int) string {
	v := f.query()
	if n > 1 {
		v.Set("page", strconv.Itoa(n))
	}
	return withQuery(Prefix+"/complaints", v)
}

func parseComplaintFilter(r *http.Request, categories []store.Category) complaintFilter {
	q := r.URL.Query()
	f := complaintFilter{Category: q.Get("category"), Mine: q.Get("mine") == "1",
		Query: strings.TrimSpace(q.Get("q"))}
	if st, ok := workflow.ParseStatus(q.Get("status")); ok {
		f.Status = st
	}
	if c, err := workflow.ParseClass(q.Get("class")); err == nil && len(q.Get("class")) == 1 {
		f.Class = c
	}
	if !slices.ContainsFunc(categories, func(c store.Category) bool { return c.Code == f.Category }) {
		f.Category = ""
	}
	f.Channel, _ = event.ParseChannel(q.Get("channel"))
	f.Due, _ = complaint.ParseDueState(q.Get("due"))
	if r := []rune(f.Query); len(r) > 100 {
		f.Query = string(r[:100])
	}
	f.Page, _ = strconv.Atoi(q.Get("page"))
	f.Page = min(max(f.Page, 1), 1000)
	return f
}

type complaintRow struct {
	store.ComplaintSummary
	Due dueView
	// CategoryLabel is the category's name ("" before verification).
	CategoryLabel string
}

type complaintsPage struct {
	Filter     complaintFilter
	Rows       []complaintRow
	Prev, Next string // URLs of the neighbouring pages, "" when none
	Page       int
	Statuses   []channelOption
	Classes    []channelOption
	Categories []channelOption
	Channels   []channelOption
	DueStates  []channelOption
	Digest     *digest
	// Problem explains an empty list the filter cannot give (the calendar).
	Problem string
}

// complaintsList is the list of complaints with their deadlines, filtered.
func (s *Server) complaintsList(w http.ResponseWriter, r *http.Request, sess *session) {
	ctx := r.Context()
	cats, err := s.store.Categories(ctx, true)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	f := parseComplaintFilter(r, cats)
	p := &complaintsPage{Filter: f, Page: f.Page}
	sf := store.ComplaintFilter{Class: f.Class, Category: f.Category, Channel: f.Channel,
		Search: f.Query, Limit: complaintPageSize + 1, Offset: (f.Page - 1) * complaintPageSize}
	if f.Status != "" {
		sf.Statuses = []workflow.Status{f.Status}
	}
	if f.Mine {
		sf.Assignee = sess.User.Username
	}
	empty := false
	if f.Due != "" {
		// A due state belongs to open complaints only.
		if f.Status == "" {
			sf.Statuses = workflow.OpenStatuses()
		} else if !f.Status.Open() {
			empty = true
		}
		if sf.DueFrom, sf.DueBy, err = s.complaints.DueBounds(f.Due, s.now()); err != nil {
			empty, p.Problem = true, "Kalender hari kerja tahun ini atau tahun depan belum lengkap: saringan batas waktu belum dapat dipakai."
		}
	}
	var list []store.ComplaintSummary
	if !empty {
		if list, err = s.store.ListComplaints(ctx, sf); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	if len(list) > complaintPageSize {
		list = list[:complaintPageSize]
		p.Next = f.pageURL(f.Page + 1)
	}
	if f.Page > 1 {
		p.Prev = f.pageURL(f.Page - 1)
	}
	labels := map[string]string{}
	for _, c := range cats {
		labels[c.Code] = c.Label
		p.Categories = append(p.Categories, channelOption{c.Code, c.Label})
	}
	for _, c := range list {
		p.Rows = append(p.Rows, complaintRow{ComplaintSummary: c, Due: s.due(c.Status, c.DueDate),
			CategoryLabel: labels[c.Category]})
	}
	for _, st := range workflow.Statuses() {
		p.Statuses = append(p.Statuses, channelOption{string(st), statusName(st)})
	}
	for _, c := range workflow.Classes() {
		p.Classes = append(p.Classes, channelOption{string(c), "Kelas " + string(c)})
	}
	for _, c := range event.Channels {
		p.Channels = append(p.Channels, channelOption{string(c), c.Label()})
	}
	for _, d := range complaint.DueStates() {
		p.DueStates = append(p.DueStates, channelOption{string(d), dueStateNames[d]})
	}
	if p.Digest, err = s.digest(r, sess); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "complaints", sess, "Pengaduan", p)
}

// dueStateNames are the due states as the filter offers them.
var dueStateNames = map[complaint.DueState]string{
	complaint.DueOverdue: "Lewat batas waktu",
	complaint.DueNear:    "Mendekati batas (≤ 1 hari kerja)",
	complaint.DueOnTrack: "Masih dalam batas",
}
