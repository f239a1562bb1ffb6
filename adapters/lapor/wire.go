package lapor

// This file is the assumed LAPOR! agency API (docs/channels/lapor.md): the
// paths, the auth header, the JSON of requests and answers, and the words
// LAPOR! uses for statuses and actions. Adapting Aduan to the real API once
// the agency has its developer credentials means changing this file (and its
// testdata); the poller, the pusher and the core do not know the wire. The
// simulator serves the same structures, so it changes along.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Paths under the base URL (ADUAN_LAPOR_URL).
const (
	pathReports = "/v1/laporan/disposisi" // POST: reports disposed to the agency or changed since a cursor
	pathAction  = "/v1/laporan/tindakan"  // POST: one agency action on a report
	pathFiles   = "/v1/lampiran/"         // GET <id>: an attachment (URLs come in the reports)
)

// authorize adds the agency's static key to a request.
func authorize(req *http.Request, token string) {
	req.Header.Set("Authorization", "Bearer "+token)
}

// tokenOf is the key a request carries, for the simulator.
func tokenOf(req *http.Request) string {
	return strings.TrimPrefix(req.Header.Get("Authorization"), "Bearer ")
}

// wireListRequest asks for the reports changed after Cursor.
type wireListRequest struct {
	Cursor string `json:"kursor"`
	Limit  int    `json:"batas"`
}

// wireEnvelope wraps every JSON answer.
type wireEnvelope struct {
	Status  string          `json:"status"`          // "sukses" or "gagal"
	Code    string          `json:"kode,omitempty"`  // error code when gagal
	Message string          `json:"pesan,omitempty"` // error text when gagal
	Data    json.RawMessage `json:"data,omitempty"`
}

const (
	wireOK     = "sukses"
	wireFailed = "gagal"
	// wireCursorExpired is the code of a 410 answer to an unknown cursor.
	wireCursorExpired = "kursor_kedaluwarsa"
)

type wirePage struct {
	Reports []json.RawMessage `json:"laporan"`
	Next    string            `json:"kursor_berikut"`
	More    bool              `json:"ada_lagi"`
}

type wireReport struct {
	TrackingID     int64        `json:"nomor_pelacakan"`
	Revision       int          `json:"revisi"`
	Title          string       `json:"judul"`
	Text           string       `json:"isi"`
	Classification string       `json:"klasifikasi"`
	Category       string       `json:"kategori"`
	Location       string       `json:"lokasi"`
	EventAt        *time.Time   `json:"waktu_kejadian"`
	FiledAt        time.Time    `json:"waktu_lapor"`
	DisposedAt     time.Time    `json:"waktu_disposisi"`
	UpdatedAt      time.Time    `json:"diperbarui"`
	Status         string       `json:"status"`
	Confidential   bool         `json:"rahasia"`
	Anonymous      bool         `json:"anonim"`
	Reporter       *wirePerson  `json:"pelapor"`
	Files          []wireFile   `json:"lampiran"`
	Thread         []wireAnswer `json:"tanggapan"`
}

type wirePerson struct {
	UserID string `json:"id_pengguna"`
	Name   string `json:"nama"`
	Phone  string `json:"telepon"`
}

type wireFile struct {
	URL  string `json:"url"`
	Name string `json:"nama_file"`
	MIME string `json:"mime"`
	Size int64  `json:"ukuran"`
}

// wireAnswer is an entry of a report's thread, from the reporter, the
// agency or the national admin.
type wireAnswer struct {
	ID       int64      `json:"id"`
	Revision int        `json:"revisi"`
	From     string     `json:"dari"`
	Text     string     `json:"isi"`
	At       time.Time  `json:"waktu"`
	Files    []wireFile `json:"lampiran"`
}

// Authors of thread entries.
const (
	wireFromReporter = "pelapor"
	wireFromAgency   = "instansi"
	wireFromAdmin    = "admin_nasional"
)

// wireStatuses maps LAPOR!'s status words to ours.
var wireStatuses = map[string]Status{
	"didisposisikan":  StatusDisposed,
	"diverifikasi":    StatusVerified,
	"ditunda":         StatusPostponed,
	"dikembalikan":    StatusReturned,
	"diarsipkan":      StatusArchived,
	"ditindaklanjuti": StatusFollowedUp,
	"selesai":         StatusFinished,
}

// wireClassifications are the classifications LAPOR! uses.
var wireClassifications = map[string]string{
	"pengaduan":            "pengaduan",
	"aspirasi":             "aspirasi",
	"permintaan_informasi": "permintaan_informasi",
	"permintaan informasi": "permintaan_informasi",
}

type wireActionRequest struct {
	RequestID  string           `json:"id_permintaan"`
	TrackingID int64            `json:"nomor_pelacakan"`
	Action     string           `json:"tindakan"`
	Reason     string           `json:"alasan,omitempty"`
	Text       string           `json:"isi,omitempty"`
	Files      []wireFileUpload `json:"lampiran,omitempty"`
	At         time.Time        `json:"waktu"`
}

type wireFileUpload struct {
	Name string `json:"nama_file"`
	MIME string `json:"mime"`
	Data string `json:"data"` // base64
}

type wireActionResult struct {
	TrackingID int64  `json:"nomor_pelacakan"`
	Status     string `json:"status_laporan"`
	Revision   int    `json:"revisi"`
}

// wireActions maps our actions to LAPOR!'s words.
var wireActions = map[ActionKind]string{
	ActionVerify:   "verifikasi",
	ActionPostpone: "tunda",
	ActionReturn:   "bukan_wewenang",
	ActionFollowUp: "tindak_lanjut",
	ActionFinish:   "selesai",
}

// newReportsRequest builds the request for one page.
func newReportsRequest(ctx context.Context, base, token, cursor string, limit int) (*http.Request, error) {
	return newJSONRequest(ctx, base+pathReports, token, wireListRequest{Cursor: cursor, Limit: limit})
}

// newActionRequest builds the request that pushes a.
func newActionRequest(ctx context.Context, base, token string, a Action) (*http.Request, error) {
	word, ok := wireActions[a.Kind]
	if !ok {
		return nil, fmt.Errorf("unknown action %q", a.Kind)
	}
	id, err := strconv.ParseInt(a.TrackingID, 10, 64)
	if err != nil || id <= 0 {
		return nil, fmt.Errorf("tracking id %q is not a LAPOR! number", a.TrackingID)
	}
	req := wireActionRequest{RequestID: a.RequestID, TrackingID: id, Action: word, At: a.At}
	switch a.Kind {
	case ActionPostpone, ActionReturn:
		req.Reason = a.Text
	default:
		req.Text = a.Text
	}
	for _, f := range a.Files {
		req.Files = append(req.Files, wireFileUpload{Name: f.Name, MIME: f.MIME, Data: base64.StdEncoding.EncodeToString(f.Data)})
	}
	return newJSONRequest(ctx, base+pathAction, token, req)
}

func newJSONRequest(ctx context.Context, url, token string, body any) (*http.Request, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	authorize(req, token)
	return req, nil
}

// decodeError turns a non-2xx answer into an APIError.
func decodeError(op string, status int, h http.Header, body []byte) error {
	e := &APIError{Op: op, Status: status}
	var env wireEnvelope
	if json.Unmarshal(body, &env) == nil {
		e.Code, e.Message = env.Code, env.Message
	}
	if v := h.Get("Retry-After"); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n >= 0 {
			e.RetryAfter = time.Duration(n) * time.Second
		} else if t, err := http.ParseTime(v); err == nil {
			e.RetryAfter = max(time.Until(t), 0)
		}
	}
	if status == http.StatusGone && e.Code == wireCursorExpired {
		return fmt.Errorf("%w: %w", ErrCursorExpired, e)
	}
	return e
}

// decodeData checks the envelope of a 2xx answer and returns its data.
func decodeData(op string, body []byte) (json.RawMessage, error) {
	var env wireEnvelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("%s: decoding LAPOR! answer: %w", op, err)
	}
	if env.Status != wireOK {
		return nil, fmt.Errorf("%s: LAPOR! answered status %q: %s", op, env.Status, env.Message)
	}
	return env.Data, nil
}

// decodePage decodes the answer to a reports request. A report that cannot
// be mapped goes to Rejected with its raw JSON; it does not fail the page.
func decodePage(body []byte) (*Page, error) {
	data, err := decodeData("listing reports", body)
	if err != nil {
		return nil, err
	}
	var wp wirePage
	if err := json.Unmarshal(data, &wp); err != nil {
		return nil, fmt.Errorf("listing reports: decoding page: %w", err)
	}
	p := &Page{Next: wp.Next, More: wp.More}
	for _, raw := range wp.Reports {
		r, err := decodeReport(raw)
		if err != nil {
			p.Rejected = append(p.Rejected, RejectedReport{Raw: raw, Reason: err.Error()})
			continue
		}
		p.Reports = append(p.Reports, *r)
	}
	return p, nil
}

// decodeReport maps one report of a page.
func decodeReport(raw json.RawMessage) (*Report, error) {
	var w wireReport
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, fmt.Errorf("decoding report: %w", err)
	}
	switch {
	case w.TrackingID <= 0:
		return nil, errors.New("report without nomor_pelacakan")
	case w.Revision < 1:
		return nil, fmt.Errorf("report %d: revisi %d, want 1 or more", w.TrackingID, w.Revision)
	case strings.TrimSpace(w.Title) == "" && strings.TrimSpace(w.Text) == "":
		return nil, fmt.Errorf("report %d: no judul and no isi", w.TrackingID)
	case w.FiledAt.IsZero():
		return nil, fmt.Errorf("report %d: no waktu_lapor", w.TrackingID)
	}
	r := &Report{
		TrackingID:     strconv.FormatInt(w.TrackingID, 10),
		Revision:       w.Revision,
		Title:          strings.TrimSpace(w.Title),
		Text:           strings.TrimSpace(w.Text),
		Classification: wireClassifications[strings.ToLower(strings.TrimSpace(w.Classification))],
		Category:       strings.TrimSpace(w.Category),
		Location:       strings.TrimSpace(w.Location),
		FiledAt:        w.FiledAt,
		DisposedAt:     w.DisposedAt,
		UpdatedAt:      w.UpdatedAt,
		Confidential:   w.Confidential,
		Anonymous:      w.Anonymous,
		Files:          decodeFiles(w.Files),
	}
	if w.EventAt != nil {
		r.EventAt = *w.EventAt
	}
	word := strings.ToLower(strings.TrimSpace(w.Status))
	if s, ok := wireStatuses[word]; ok {
		r.Status = s
	} else {
		r.Status = Status(word)
	}
	if p := w.Reporter; p != nil && (p.UserID != "" || p.Name != "" || p.Phone != "") {
		r.Reporter = &Reporter{ID: strings.TrimSpace(p.UserID), Name: strings.TrimSpace(p.Name), Phone: e164(p.Phone)}
	}
	for _, a := range w.Thread {
		if a.From != wireFromReporter {
			continue // the agency's own answers and the national admin's notes
		}
		if a.Revision <= 1 || a.Revision > w.Revision {
			return nil, fmt.Errorf("report %d: reply %d has revisi %d, want 2 to %d", w.TrackingID, a.ID, a.Revision, w.Revision)
		}
		if strings.TrimSpace(a.Text) == "" && len(a.Files) == 0 {
			continue // nothing to add
		}
		r.Replies = append(r.Replies, Reply{Revision: a.Revision, Text: strings.TrimSpace(a.Text), At: a.At, Files: decodeFiles(a.Files)})
	}
	return r, nil
}

func decodeFiles(ws []wireFile) []File {
	var out []File
	for _, f := range ws {
		if f.URL == "" {
			continue
		}
		out = append(out, File{URL: f.URL, Name: f.Name, MIME: f.MIME, Size: f.Size})
	}
	return out
}

// e164 turns an Indonesian number as LAPOR! shows it (0812..., 62812...,
// +62 812-...) into +62812...; anything else gives "".
func e164(s string) string {
	var digits strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			digits.WriteRune(r)
		}
	}
	d := digits.String()
	switch {
	case strings.HasPrefix(d, "62"):
	case strings.HasPrefix(d, "0"):
		d = "62" + d[1:]
	default:
		return ""
	}
	if len(d) < 10 || len(d) > 15 {
		return ""
	}
	return "+" + d
}

// decodeActionResult checks the answer to a push.
func decodeActionResult(body []byte) error {
	data, err := decodeData("pushing action", body)
	if err != nil {
		return err
	}
	var r wireActionResult
	if err := json.Unmarshal(data, &r); err != nil {
		return fmt.Errorf("pushing action: decoding result: %w", err)
	}
	return nil
}

// writeWire writes a JSON answer; the simulator's side of the envelope.
func writeWire(w http.ResponseWriter, status int, data any, code, message string) {
	env := wireEnvelope{Status: wireOK}
	if status >= 300 {
		env.Status, env.Code, env.Message = wireFailed, code, message
	}
	if data != nil {
		b, err := json.Marshal(data)
		if err != nil {
			status, env = http.StatusInternalServerError, wireEnvelope{Status: wireFailed, Code: "internal", Message: err.Error()}
		} else {
			env.Data = b
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(env)
}

// readBody reads at most limit bytes of r; more is an error.
func readBody(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("answer larger than %d bytes", limit)
	}
	return b, nil
}
