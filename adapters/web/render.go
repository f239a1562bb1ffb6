package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/aduan-gateway/aduan/core/dialog"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/identity"
	"github.com/aduan-gateway/aduan/core/workflow"
	"github.com/aduan-gateway/aduan/store"
)

//go:embed templates static
var assets embed.FS

// pages holds every page template, each a clone of the layout and the
// partials with the page's own file added.
type pages struct {
	byName map[string]*template.Template
}

// partials are fragments also served alone for live updates.
var partialFiles = []string{"templates/partials/*.html"}

func parsePages() (*pages, error) {
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(assets, append([]string{"templates/layout.html"}, partialFiles...)...)
	if err != nil {
		return nil, fmt.Errorf("parsing templates: %w", err)
	}
	files, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(assets, f)
		if err != nil {
			return nil, fmt.Errorf("parsing template %s: %w", f, err)
		}
		p.byName[name] = t
	}
	return p, nil
}

// view is what every page template receives.
type view struct {
	Title string
	Sess  *session
	Page  any
}

// render executes page into a buffer first, so a template error becomes a
// clean 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page string, sess *session, title string, data any) {
	t, ok := s.pages.byName[page]
	if !ok {
		s.serverError(w, r, fmt.Errorf("no page template %q", page))
		return
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout", view{Title: title, Sess: sess, Page: data}); err != nil {
		s.serverError(w, r, fmt.Errorf("rendering %s: %w", page, err))
		return
	}
	writeHTML(w, status, b.Bytes())
}

// renderPartial executes a fragment alone (for live updates).
func (s *Server) renderPartial(w http.ResponseWriter, r *http.Request, name string, sess *session, data any) {
	t := s.pages.byName["inbox"] // every page has the partials
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, name, view{Sess: sess, Page: data}); err != nil {
		s.serverError(w, r, fmt.Errorf("rendering %s: %w", name, err))
		return
	}
	writeHTML(w, http.StatusOK, b.Bytes())
}

func writeHTML(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(body) //nolint:errcheck // the client went away
}

type errorPage struct{ Message string }

func (s *Server) renderError(w http.ResponseWriter, r *http.Request, sess *session, status int, msg string) {
	s.render(w, r, status, "error", sess, "Terjadi masalah", errorPage{Message: msg})
}

func (s *Server) forbidden(w http.ResponseWriter, r *http.Request, sess *session) {
	s.log.Info().Str("user", sess.User.Username).Str("role", string(sess.Role)).Str("path", r.URL.Path).Msg("access refused")
	s.renderError(w, r, sess, http.StatusForbidden, "Anda tidak memiliki akses ke halaman atau tindakan ini.")
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request, sess *session) {
	s.renderError(w, r, sess, http.StatusNotFound, "Data yang Anda cari tidak ditemukan.")
}

// failed answers a store error: 404 for a missing object, 500 otherwise. It
// reports whether there was an error (and so an answer).
func (s *Server) failed(w http.ResponseWriter, r *http.Request, sess *session, err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, store.ErrNotFound):
		s.notFound(w, r, sess)
	default:
		s.serverError(w, r, err)
	}
	return true
}

func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error().Err(err).Str("path", r.URL.Path).Msg("request failed")
	http.Error(w, "Terjadi kesalahan di server. Silakan coba lagi.", http.StatusInternalServerError)
}

// serveStatic serves the embedded stylesheet, script and icons.
func serveStatic(w http.ResponseWriter, r *http.Request, _ *session) {
	sub, _ := fs.Sub(assets, "static")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	http.StripPrefix(Prefix+"/static/", http.FileServerFS(sub)).ServeHTTP(w, r)
}

// statusNames are conversation statuses in words, in the order filters
// offer them.
var statusNames = map[dialog.Status]string{
	dialog.StatusCollecting: "Melengkapi data", dialog.StatusSubmitted: "Diteruskan", dialog.StatusCancelled: "Dibatalkan",
}

var conversationStatuses = []dialog.Status{dialog.StatusCollecting, dialog.StatusSubmitted, dialog.StatusCancelled}

// statusName is a conversation's or a complaint's status in words.
func statusName(code any) string {
	c := fmt.Sprint(code)
	if st, ok := workflow.ParseStatus(c); ok {
		l := st.Label()
		return strings.ToUpper(l[:1]) + l[1:]
	}
	return orCode(statusNames, dialog.Status(c))
}

var deliveryNames = map[event.DeliveryStatus]string{
	store.DeliveryPending: "menunggu dikirim", event.DeliverySent: "terkirim", event.DeliveryDelivered: "diterima",
	event.DeliveryRead: "dibaca", event.DeliveryFailed: "gagal",
}

var fieldNames = map[identity.Field]string{
	identity.FieldName: "nama", identity.FieldNIK: "NIK", identity.FieldAddress: "alamat",
	identity.FieldPhone: "no. HP", identity.FieldKTPPhoto: "foto KTP", identity.FieldComplaint: "isi aduan",
}

var funcs = template.FuncMap{
	"channelName":  event.Channel.Label,
	"statusName":   statusName,
	"deliveryName": func(c event.DeliveryStatus) string { return orCode(deliveryNames, c) },
	"fieldName":    func(f identity.Field) string { return orCode(fieldNames, f) },
	"when":         func(t time.Time) string { return formatWhen(t) },
	"whenFull": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(wib).Format("02-01-2006 15:04") + " WIB"
	},
	"iso":          func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"size":         formatSize,
	"isImage":      func(mime string) bool { return strings.HasPrefix(mime, "image/") },
	"channelShort": func(c event.Channel) string { return orCode(channelShort, c) },
	"stepLabel":    stepLabel,
	"longDate":     longDate,
	"maskNIKs":     identity.MaskNIKs,
	// textFor shows a message's text, its NIKs masked for roles that may
	// not see them whole.
	"textFor": func(sess *session, text string) string {
		if sess.can(PermViewNIK) {
			return text
		}
		return identity.MaskNIKs(text)
	},
	// ktpLink gives the ktp_link partial the photo and what the user may
	// do with it, from inside a range over attachments.
	"ktpLink": func(id int64, open, verifier bool) ktpLink {
		return ktpLink{ID: id, Open: open, Verifier: verifier}
	},
	"clip": func(s string, n int) string {
		if r := []rune(s); len(r) > n {
			return string(r[:n]) + "…"
		}
		return s
	},
}

// ktpLink is what the ktp_link partial shows for one KTP photo: Open when
// the user may open it now (mayOpenKTP), Verifier when their role may in
// another state of the complaint.
type ktpLink struct {
	ID             int64
	Open, Verifier bool
}

// channelShort are the letters of the channel icons.
var channelShort = map[event.Channel]string{
	event.ChannelWhatsApp: "WA", event.ChannelMessenger: "FB", event.ChannelInstagram: "IG",
	event.ChannelLapor: "LP", event.ChannelWalkin: "DL",
}

func orCode[K ~string](m map[K]string, k K) string {
	if v, ok := m[k]; ok {
		return v
	}
	return strings.ReplaceAll(string(k), "_", " ")
}

// formatWhen shows a time of today as the clock time, otherwise the date.
func formatWhen(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(wib)
	now := time.Now().In(wib)
	if t.Year() == now.Year() && t.YearDay() == now.YearDay() {
		return t.Format("15:04")
	}
	months := [...]string{"Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"}
	return fmt.Sprintf("%d %s %02d:%02d", t.Day(), months[t.Month()-1], t.Hour(), t.Minute())
}

// waitingFor says how long the citizen has waited, shortly: 5 mnt, 2 jam, 3 hari.
func waitingFor(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "baru saja"
	case d < time.Hour:
		return fmt.Sprintf("%d mnt", int(d/time.Minute))
	case d < 24*time.Hour:
		return fmt.Sprintf("%d jam", int(d/time.Hour))
	}
	return fmt.Sprintf("%d hari", int(d/(24*time.Hour)))
}

func formatSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}
