package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aduan-gateway/aduan/core/dialog"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/store"
)

// pageSize is how many conversations one inbox page lists.
const pageSize = 50

type inboxFilter struct {
	Channel    event.Channel
	Status     dialog.Status
	Mine       bool
	Unassigned bool
	Human      bool
	Query      string
}

// query is the filter as URL parameters, for links and live refreshes.
func (f inboxFilter) query() url.Values {
	return queryValues("channel", string(f.Channel), "status", string(f.Status), "q", f.Query,
		"mine", checked(f.Mine), "unassigned", checked(f.Unassigned), "human", checked(f.Human))
}

// queryValues holds the key/value pairs whose value is not empty.
func queryValues(pairs ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			v.Set(pairs[i], pairs[i+1])
		}
	}
	return v
}

// checked is a checkbox's query value: "1" when set, "" (left out) otherwise.
func checked(on bool) string {
	if on {
		return "1"
	}
	return ""
}

// Encoded is the filter as a query string.
func (f inboxFilter) Encoded() string { return f.query().Encode() }

// RowsURL is where the page fetches its list afresh. Whole URLs go into
// the templates: html/template escapes a query glued after "?" as one value.
func (f inboxFilter) RowsURL() string { return withQuery(Prefix+"/inbox/rows", f.query()) }

func withQuery(path string, v url.Values) string {
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

type inboxRow struct {
	store.InboxRow
	// Waiting is how long the citizen's last message has waited for an
	// officer ("" once staff answered it); the bot's replies do not count.
	Waiting string
	// Late marks a wait over an hour.
	Late bool
	// Due is the complaint's deadline, for rows with a ticket.
	Due dueView
}

type inboxPage struct {
	Filter   inboxFilter
	Rows     []inboxRow
	More     string // URL of the next page, "" when none
	Channels []channelOption
	Statuses []channelOption
}

type channelOption struct{ Value, Label string }

func parseInboxFilter(r *http.Request) inboxFilter {
	q := r.URL.Query()
	f := inboxFilter{
		Mine:       q.Get("mine") == "1",
		Unassigned: q.Get("unassigned") == "1",
		Human:      q.Get("human") == "1",
		Query:      strings.TrimSpace(q.Get("q")),
	}
	f.Channel, _ = event.ParseChannel(q.Get("channel"))
	if st := dialog.Status(q.Get("status")); slices.Contains(conversationStatuses, st) {
		f.Status = st
	}
	// Cut on a character boundary and cleaned: PostgreSQL refuses broken
	// UTF-8 and NUL in a parameter.
	f.Query = event.CleanText(cutBytes(f.Query, 100))
	return f
}

// loadInbox reads one page of the inbox for sess with the request's filter.
func (s *Server) loadInbox(r *http.Request, sess *session) (*inboxPage, error) {
	f := parseInboxFilter(r)
	sf := store.InboxFilter{
		Channel: f.Channel, Status: f.Status, Unassigned: f.Unassigned, NeedsHuman: f.Human,
		Query: f.Query, Limit: pageSize + 1,
	}
	if f.Mine {
		sf.AssignedTo = sess.User.ID
	}
	if b := r.URL.Query().Get("before"); b != "" {
		at, id, ok := strings.Cut(b, "_")
		ns, err1 := strconv.ParseInt(at, 10, 64)
		n, err2 := strconv.ParseInt(id, 10, 64)
		if ok && err1 == nil && err2 == nil {
			sf.BeforeAt, sf.BeforeID = time.Unix(0, ns), store.ConversationID(n)
		}
	}
	rows, err := s.store.Inbox(r.Context(), sf)
	if err != nil {
		return nil, err
	}
	p := &inboxPage{Filter: f}
	if len(rows) > pageSize {
		rows = rows[:pageSize]
		last := rows[len(rows)-1]
		v := f.query()
		v.Set("before", strconv.FormatInt(last.LastMessageAt.UnixNano(), 10)+"_"+strconv.FormatInt(int64(last.ID), 10))
		p.More = withQuery(Prefix+"/", v)
	}
	now := s.now()
	p.Rows = make([]inboxRow, len(rows))
	for i, row := range rows {
		p.Rows[i] = inboxRow{InboxRow: row}
		if !row.LastInboundAt.IsZero() && row.LastStaffAt.Before(row.LastInboundAt) && row.Status != dialog.StatusCancelled {
			d := now.Sub(row.LastInboundAt)
			p.Rows[i].Waiting = waitingFor(d)
			p.Rows[i].Late = d > time.Hour
		}
	}
	if err := s.inboxDues(r, p.Rows); err != nil {
		return nil, err
	}
	for _, c := range event.Channels {
		p.Channels = append(p.Channels, channelOption{string(c), c.Label()})
	}
	for _, st := range conversationStatuses {
		p.Statuses = append(p.Statuses, channelOption{string(st), statusNames[st]})
	}
	return p, nil
}

// inbox is the page officers land on: every conversation, newest activity first.
func (s *Server) inbox(w http.ResponseWriter, r *http.Request, sess *session) {
	p, err := s.loadInbox(r, sess)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "inbox", sess, "Kotak masuk", p)
}

// inboxRows is the list alone, fetched by the page when a change arrives.
func (s *Server) inboxRows(w http.ResponseWriter, r *http.Request, sess *session) {
	p, err := s.loadInbox(r, sess)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.renderPartial(w, r, "inbox_rows", sess, p)
}

// inboxDues gives the rows with a ticket their complaint's deadline.
func (s *Server) inboxDues(r *http.Request, rows []inboxRow) error {
	var tickets []string
	for _, row := range rows {
		if row.Ticket != "" {
			tickets = append(tickets, row.Ticket)
		}
	}
	dues, err := s.store.TicketDues(r.Context(), tickets)
	if err != nil {
		return err
	}
	for i, row := range rows {
		if d, ok := dues[row.Ticket]; ok {
			rows[i].Due = s.due(d.Status, d.DueDate)
		}
	}
	return nil
}
