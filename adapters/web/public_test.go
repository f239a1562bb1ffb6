package web

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/config"
	"github.com/aduan-gateway/aduan/core/calendar"
	"github.com/aduan-gateway/aduan/core/complaint"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/workflow"
	"github.com/aduan-gateway/aduan/store"
)

// person is a made-up reporter whose every detail must stay off the
// public pages.
type person struct {
	name, nik, phone, address, text, result, reason string
}

func (p person) secrets() []string {
	return []string{p.name, p.nik, p.phone, p.address, p.text, p.result, p.reason,
		p.nik[:4] + "xxxxxxxx" + p.nik[12:]} // even the masked NIK is not public
}

var people = []person{
	{"Rahmawati Kusumadewi", "1971025506880004", "6281377712345", "Jl. Kenanga Raya 17, Sungailiat",
		"Bantuan PKH ibu saya tidak cair sejak Januari padahal masih terdaftar.",
		"Rekening KPM dibuka blokirnya oleh bank penyalur pada rapat koordinasi.", "Ringkasan aman untuk umum."},
	{"Baharuddin Syamsuri", "1906031203750002", "6285266601234", "Dusun Parit Tiga RT 04, Jebus",
		"Petugas kecamatan membentak saya waktu mengurus BPNT.",
		"Petugas yang bersangkutan telah diberi teguran tertulis oleh kepala UPT.", "Disetujui pimpinan rapat."},
	{"Yuliana Tjhin", "1971046812910001", "6282180009876", "Perumahan Bukit Intan Blok C2, Pangkalpinang",
		"Lansia di sebelah rumah kami terlantar dan tidak pernah didata.",
		"Lansia sudah dijangkau tim dan dirujuk ke panti sosial provinsi.", "Keberatan keluarga; tidak dipublikasikan."},
	{"Hendra Gunawan Lim", "1903052207830005", "6281929901122", "Jl. Sudirman Gg. Mawar 3, Toboali",
		"Dana desa untuk pelatihan UMKM tidak jelas penggunaannya.", "", ""},
}

// publicEnv is the admin environment with the public pages on their own
// server, and complaints carried through by a service with a movable clock.
type publicEnv struct {
	*testEnv
	pub   *httptest.Server
	svc   *complaint.Service
	clock time.Time
}

func newPublicEnv(t *testing.T) *publicEnv {
	t.Helper()
	e := &publicEnv{testEnv: newEnv(t)}
	e.svc = complaint.New(calendar.Embedded(), complaint.Options{Now: func() time.Time { return e.clock }})
	pub, err := NewPublic(PublicOptions{Store: e.st, Office: config.OfficeConfig{Name: "Dinas Sosial Uji",
		Address: "Air Itam", Phone: "0717-000"}})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	pub.Mount(mux)
	e.pub = httptest.NewServer(mux)
	t.Cleanup(e.pub.Close)
	for _, u := range []struct {
		name string
		role Role
	}{{"vera", RoleVerifikator}, {"kiki", RoleKoordinator}, {"pipit", RolePimpinan}, {"ani", RoleAdmin}} {
		e.addUser(u.name, u.role)
	}
	return e
}

// file files p's complaint received at received, as the chat would.
func (e *publicEnv) file(i int, p person, received time.Time) string {
	e.t.Helper()
	ctx := context.Background()
	var ticket complaint.Ticket
	err := e.st.InTx(ctx, func(tx *store.Tx) error {
		key := fmt.Sprintf("pub-%d", i)
		rep, err := tx.ReporterFor(ctx, store.ReporterKey{Channel: "whatsapp", Account: "acc", SenderID: key}, p.name)
		if err != nil {
			return err
		}
		rep.Name, rep.NIK, rep.Phone, rep.Address = p.name, p.nik, p.phone, p.address
		if err := tx.SaveReporter(ctx, rep); err != nil {
			return err
		}
		conv, err := tx.ConversationFor(ctx, store.ConversationKey{Channel: "whatsapp", Account: "acc", Key: key}, rep.ID)
		if err != nil {
			return err
		}
		ticket, err = e.svc.Create(ctx, tx, complaint.NewComplaint{Channel: event.ChannelWhatsApp, Account: "acc",
			Conversation: conv.ID, Reporter: rep.ID, Text: p.text, ReceivedAt: received, Actor: complaint.ActorIntake})
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return ticket.Number
}

func (e *publicEnv) act(ticket string, a workflow.Action, user string, role workflow.Role, mod func(*complaint.Request)) {
	e.t.Helper()
	req := complaint.Request{Ticket: ticket, Action: a, Actor: workflow.Actor{Name: user, Role: role}}
	if mod != nil {
		mod(&req)
	}
	if _, err := e.svc.Act(context.Background(), e.st, req); err != nil {
		e.t.Fatalf("%s %s: %v", a, ticket, err)
	}
}

// resolve carries ticket through verification (class A) to selesai at resolved.
func (e *publicEnv) resolve(ticket, category, result string, received, resolved time.Time) {
	e.t.Helper()
	e.clock = received.Add(time.Hour)
	e.act(ticket, workflow.Verify, "vera", workflow.RoleVerifikator, func(r *complaint.Request) {
		r.Class, r.Category = workflow.ClassA, category
	})
	e.act(ticket, workflow.FollowUp, "kiki", workflow.RoleKoordinator, func(r *complaint.Request) { r.Text = "Telaah berkas." })
	e.clock = resolved
	e.act(ticket, workflow.Resolve, "kiki", workflow.RoleKoordinator, func(r *complaint.Request) { r.Text = result })
}

func (e *publicEnv) decide(ticket string, d workflow.Decision, reason, summary string) {
	e.t.Helper()
	e.clock = e.clock.Add(time.Hour)
	if _, err := e.svc.Decide(context.Background(), e.st, complaint.PublishRequest{Ticket: ticket, Decision: d,
		Reason: reason, Summary: summary, Actor: workflow.Actor{Name: "pipit", Role: workflow.RolePimpinan}}); err != nil {
		e.t.Fatalf("deciding %s: %v", ticket, err)
	}
}

// seeded is what seedPublic made.
type seeded struct {
	onTime, late, withheld, open, republished string
	summaries                                 map[string]string
}

// seedPublic files the people's complaints: one published finished on
// time, one published finished late (and archived), one withheld, one
// still open; the on-time one is withheld and published again.
func (e *publicEnv) seedPublic() seeded {
	e.t.Helper()
	now := time.Now().In(calendar.WIB)
	recv := time.Date(now.Year(), now.Month(), now.Day(), 9, 0, 0, 0, calendar.WIB).AddDate(0, 0, -40)
	s := seeded{summaries: map[string]string{}}
	s.onTime = e.file(0, people[0], recv)
	e.resolve(s.onTime, "pkh", people[0].result, recv, recv.AddDate(0, 0, 2))
	s.late = e.file(1, people[1], recv.Add(time.Hour))
	e.resolve(s.late, "layanan_petugas", people[1].result, recv.Add(time.Hour), recv.AddDate(0, 0, 30))
	e.act(s.late, workflow.Archive, "ani", workflow.RoleAdmin, nil)
	s.withheld = e.file(2, people[2], recv.Add(2*time.Hour))
	e.resolve(s.withheld, "lansia", people[2].result, recv.Add(2*time.Hour), recv.AddDate(0, 0, 3))
	s.open = e.file(3, people[3], recv.Add(3*time.Hour))

	s.summaries[s.onTime] = "Bantuan PKH yang tertunda telah disalurkan kembali setelah rekening diaktifkan."
	s.summaries[s.late] = "Petugas layanan telah dibina; prosedur pelayanan di kecamatan diperbaiki."
	e.decide(s.onTime, workflow.Publish, people[0].reason, "Ringkasan pertama yang kemudian diganti.")
	e.decide(s.onTime, workflow.Withhold, "Ditinjau ulang.", "")
	e.decide(s.onTime, workflow.Publish, people[0].reason, s.summaries[s.onTime])
	e.decide(s.late, workflow.Publish, people[1].reason, s.summaries[s.late])
	e.decide(s.withheld, workflow.Withhold, people[2].reason, "")
	s.republished = s.onTime
	return s
}

func (e *publicEnv) fetch(method, path string) (*http.Response, string) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.pub.URL+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return res, string(b)
}

func TestPublicPageShowsOnlyPublished(t *testing.T) {
	e := newPublicEnv(t)
	s := e.seedPublic()
	res, body := e.fetch("GET", "/publikasi/")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Cache-Control"), "public") {
		t.Fatalf("status %d, cache %q", res.StatusCode, res.Header.Get("Cache-Control"))
	}
	for _, want := range []string{s.onTime, s.late, s.summaries[s.onTime], s.summaries[s.late], "PKH (Program Keluarga Harapan)",
		"Layanan petugas", "WhatsApp", "Tepat waktu", "Melewati batas waktu"} {
		if !strings.Contains(body, want) {
			t.Errorf("the list lacks %q", want)
		}
	}
	for _, absent := range []string{s.withheld, s.open, "Ringkasan pertama yang kemudian diganti."} {
		if strings.Contains(body, absent) {
			t.Errorf("the list shows %q", absent)
		}
	}
	tests := []struct {
		label, path string
		status      int
		want        string
	}{
		{"on time", "/publikasi/" + s.onTime, 200, "Tepat waktu"},
		{"late, lower-case ticket", "/publikasi/" + strings.ToLower(s.late), 200, "Melewati batas waktu"},
		{"withheld", "/publikasi/" + s.withheld, 404, "Tidak ditemukan"},
		{"open", "/publikasi/" + s.open, 404, "Tidak ditemukan"},
		{"unknown", "/publikasi/ADU-1999-000001", 404, "Tidak ditemukan"},
		{"stylesheet", "/publikasi/publikasi.css", 200, "@media print"},
		{"page 2 is empty", "/publikasi/?halaman=2", 200, "Tidak ada hasil di halaman ini"},
	}
	for _, tt := range tests {
		t.Run(tt.label, func(t *testing.T) {
			res, body := e.fetch("GET", tt.path)
			if res.StatusCode != tt.status || !strings.Contains(body, tt.want) {
				t.Errorf("status %d, want %d with %q:\n%s", res.StatusCode, tt.status, tt.want, body)
			}
		})
	}
}

func TestPublicPagesPage(t *testing.T) {
	e := newPublicEnv(t)
	recv := time.Now().AddDate(0, 0, -30)
	var tickets []string
	for i := range publicPageSize + 2 {
		p := people[0]
		tk := e.file(i, p, recv)
		e.resolve(tk, "pkh", p.result, recv, recv.Add(time.Duration(i+1)*time.Hour))
		e.decide(tk, workflow.Publish, "Aman.", "Ringkasan nomor "+fmt.Sprint(i))
		tickets = append(tickets, tk)
	}
	_, first := e.fetch("GET", "/publikasi/")
	_, second := e.fetch("GET", "/publikasi/?halaman=2")
	rows := regexp.MustCompile(`<tr>\s*<td data-label="Tiket">`)
	if n := len(rows.FindAllString(first, -1)); n != publicPageSize || !strings.Contains(first, `rel="next"`) {
		t.Errorf("first page has %d rows, next link %v", n, strings.Contains(first, `rel="next"`))
	}
	if n := len(rows.FindAllString(second, -1)); n != 2 || !strings.Contains(second, `rel="prev"`) || strings.Contains(second, `rel="next"`) {
		t.Errorf("second page has %d rows", n)
	}
	// Newest finished first: the last one resolved opens the first page.
	if !strings.Contains(first, tickets[len(tickets)-1]) || !strings.Contains(second, tickets[0]) {
		t.Error("pages not ordered newest finished first")
	}
}

// open311Fields are the GeoReport v2 service request fields every
// request carries here, with their JSON types.
var open311Fields = map[string]string{
	"service_request_id": "string", "status": "string", "status_notes": "string", "service_name": "string",
	"service_code": "string", "description": "string", "agency_responsible": "string", "service_notice": "string",
	"requested_datetime": "date", "updated_datetime": "date", "expected_datetime": "date", "address": "string",
	"media_url": "string",
}

var isoWithOffset = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$`)

func checkOpen311Request(t *testing.T, label string, m map[string]any) {
	t.Helper()
	for field, typ := range open311Fields {
		v, ok := m[field]
		if !ok {
			t.Errorf("%s: no %s", label, field)
			continue
		}
		s, isString := v.(string)
		if !isString {
			t.Errorf("%s: %s is %T, want a string", label, field, v)
		}
		if typ == "date" && !isoWithOffset.MatchString(s) {
			t.Errorf("%s: %s = %q, want ISO 8601 with +07:00", label, field, s)
		}
	}
	for _, personal := range []string{"lat", "long", "address_id", "zipcode"} {
		if _, ok := m[personal]; ok {
			t.Errorf("%s: carries %s", label, personal)
		}
	}
	if m["status"] != "closed" || m["description"] != "" || m["agency_responsible"] != "Dinas Sosial Uji" {
		t.Errorf("%s: status %v, description %q, agency %v", label, m["status"], m["description"], m["agency_responsible"])
	}
}

// xmlRequests reads a <service_requests> document into field maps.
func xmlRequests(t *testing.T, body string) []map[string]any {
	t.Helper()
	if !strings.HasPrefix(body, `<?xml version="1.0" encoding="UTF-8"?>`) {
		t.Errorf("no XML declaration: %.60s", body)
	}
	var doc struct {
		XMLName xml.Name `xml:"service_requests"`
		Request []struct {
			Fields []struct {
				XMLName xml.Name
				Value   string `xml:",chardata"`
			} `xml:",any"`
		} `xml:"request"`
	}
	if err := xml.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	var out []map[string]any
	for _, r := range doc.Request {
		m := map[string]any{}
		for _, f := range r.Fields {
			m[f.XMLName.Local] = f.Value
		}
		out = append(out, m)
	}
	return out
}

func jsonRequests(t *testing.T, body string) []map[string]any {
	t.Helper()
	var out []map[string]any
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return out
}

func TestOpen311Requests(t *testing.T) {
	e := newPublicEnv(t)
	s := e.seedPublic()
	for _, f := range []string{"json", "xml"} {
		read := func(body string) []map[string]any {
			if f == "xml" {
				return xmlRequests(t, body)
			}
			return jsonRequests(t, body)
		}
		t.Run(f, func(t *testing.T) {
			res, body := e.fetch("GET", "/open311/v2/requests."+f)
			if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Type"), map[string]string{"json": "application/json", "xml": "text/xml"}[f]) {
				t.Fatalf("status %d, type %q", res.StatusCode, res.Header.Get("Content-Type"))
			}
			list := read(body)
			got := map[string]map[string]any{}
			for _, m := range list {
				checkOpen311Request(t, fmt.Sprint(m["service_request_id"]), m)
				got[fmt.Sprint(m["service_request_id"])] = m
			}
			if len(list) != 2 || got[s.onTime] == nil || got[s.late] == nil {
				t.Fatalf("requests %v, want %s and %s", list, s.onTime, s.late)
			}
			late := got[s.late]
			st, err := e.st.ComplaintState(context.Background(), s.late)
			if err != nil {
				t.Fatal(err)
			}
			if late["expected_datetime"] != st.DueDate+"T23:59:59+07:00" || late["status_notes"] != s.summaries[s.late] ||
				late["service_code"] != "layanan_petugas" || late["service_name"] != "Layanan petugas" ||
				!strings.Contains(fmt.Sprint(late["service_notice"]), "melewati batas waktu") {
				t.Errorf("the late closed complaint: %v", late)
			}

			filters := []struct {
				label, query string
				want         []string
			}{
				{"by service_code", "service_code=pkh", []string{s.onTime}},
				{"two service codes", "service_code=pkh,layanan_petugas", []string{s.onTime, s.late}},
				{"closed", "status=closed", []string{s.onTime, s.late}},
				{"open: none is published", "status=open", nil},
				{"by id, withheld left out", "service_request_id=" + s.late + "," + s.withheld, []string{s.late}},
				{"a window before them", "end_date=" + url311(time.Now().AddDate(0, 0, -60)), nil},
				{"a window around them", "start_date=" + url311(time.Now().AddDate(0, 0, -45)) + "&end_date=" + url311(time.Now()), []string{s.onTime, s.late}},
			}
			for _, ft := range filters {
				res, body := e.fetch("GET", "/open311/v2/requests."+f+"?"+ft.query)
				if res.StatusCode != 200 {
					t.Errorf("%s: status %d: %s", ft.label, res.StatusCode, body)
					continue
				}
				var ids []string
				for _, m := range read(body) {
					ids = append(ids, fmt.Sprint(m["service_request_id"]))
				}
				if strings.Join(sorted(ids), ",") != strings.Join(sorted(ft.want), ",") {
					t.Errorf("%s: %v, want %v", ft.label, ids, ft.want)
				}
			}

			res, body = e.fetch("GET", "/open311/v2/requests/"+s.late+"."+f)
			if one := read(body); res.StatusCode != 200 || len(one) != 1 || one[0]["service_request_id"] != s.late {
				t.Errorf("one request: %d %s", res.StatusCode, body)
			}
		})
	}
}

func url311(t time.Time) string {
	return strings.ReplaceAll(t.In(calendar.WIB).Format(time.RFC3339), "+", "%2B")
}

func sorted(l []string) []string {
	out := append([]string(nil), l...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestOpen311ServicesDiscoveryAndErrors(t *testing.T) {
	e := newPublicEnv(t)
	s := e.seedPublic()
	_, body := e.fetch("GET", "/open311/v2/services.json")
	var services []map[string]any
	if err := json.Unmarshal([]byte(body), &services); err != nil {
		t.Fatal(err)
	}
	cats, _ := e.st.Categories(context.Background(), true)
	if len(services) != len(cats) || len(services) == 0 {
		t.Fatalf("%d services for %d categories", len(services), len(cats))
	}
	for _, sv := range services {
		for _, f := range []string{"service_code", "service_name", "description", "type", "keywords", "group"} {
			if _, ok := sv[f].(string); !ok {
				t.Errorf("service %v: %s is not a string", sv["service_code"], f)
			}
		}
		if sv["metadata"] != false || sv["type"] != "realtime" {
			t.Errorf("service %v: metadata %v, type %v", sv["service_code"], sv["metadata"], sv["type"])
		}
	}
	_, body = e.fetch("GET", "/open311/v2/services.xml")
	var sx struct {
		XMLName xml.Name `xml:"services"`
		Service []struct {
			Code     string `xml:"service_code"`
			Name     string `xml:"service_name"`
			Metadata bool   `xml:"metadata"`
			Type     string `xml:"type"`
		} `xml:"service"`
	}
	if err := xml.Unmarshal([]byte(body), &sx); err != nil || len(sx.Service) != len(cats) || sx.Service[0].Code != cats[0].Code ||
		sx.Service[0].Name != cats[0].Label || sx.Service[0].Type != "realtime" {
		t.Errorf("services.xml: %v %+v", err, sx)
	}

	tests := []struct {
		label, method, path string
		status              int
		want                string
	}{
		{"service definition json", "GET", "/open311/v2/services/pkh.json", 200, `"service_code":"pkh","attributes":[]`},
		{"service definition xml", "GET", "/open311/v2/services/pkh.xml", 200, "<service_definition>"},
		{"unknown service", "GET", "/open311/v2/services/nope.json", 404, `"code":404`},
		{"discovery", "GET", "/open311/v2/discovery.json", 200, `"specification":"http://wiki.open311.org/GeoReport_v2"`},
		{"discovery xml", "GET", "/open311/v2/discovery.xml", 200, "<format>text/xml</format>"},
		{"withheld request", "GET", "/open311/v2/requests/" + s.withheld + ".json", 404, `"code":404`},
		{"open request", "GET", "/open311/v2/requests/" + s.open + ".xml", 404, "<errors>"},
		{"no write api", "POST", "/open311/v2/requests.json", 405, `"code":405`},
		{"no write api xml", "POST", "/open311/v2/requests.xml", 405, "<error>"},
		{"unknown format", "GET", "/open311/v2/requests.csv", 404, `"code":404`},
		{"bad date", "GET", "/open311/v2/requests.json?start_date=kemarin", 400, "start_date"},
		{"span over 90 days", "GET", "/open311/v2/requests.xml?start_date=2026-01-01T00:00:00%2B07:00&end_date=2026-06-01T00:00:00%2B07:00", 400, "90 days"},
		{"bad status", "GET", "/open311/v2/requests.json?status=selesai", 400, "open or closed"},
	}
	for _, tt := range tests {
		t.Run(tt.label, func(t *testing.T) {
			res, body := e.fetch(tt.method, tt.path)
			if res.StatusCode != tt.status || !strings.Contains(body, tt.want) {
				t.Errorf("status %d, want %d with %q:\n%s", res.StatusCode, tt.status, tt.want, body)
			}
		})
	}
	var disc map[string]any
	_, body = e.fetch("GET", "/open311/v2/discovery.json")
	if err := json.Unmarshal([]byte(body), &disc); err != nil {
		t.Fatal(err)
	}
	eps, _ := disc["endpoints"].([]any)
	if len(eps) != 1 || !strings.HasSuffix(fmt.Sprint(eps[0].(map[string]any)["url"]), "/open311/v2") ||
		!isoWithOffset.MatchString(fmt.Sprint(disc["changeset"])) {
		t.Errorf("discovery %v", disc)
	}
}

// TestPublicResponsesCarryNoPersonalData fetches every public page and
// every Open311 resource in both formats and looks for each made-up
// reporter's name, NIK (whole and masked), phone, address, words, the
// internal result and the decision's reason.
func TestPublicResponsesCarryNoPersonalData(t *testing.T) {
	e := newPublicEnv(t)
	s := e.seedPublic()
	paths := []string{"/publikasi/", "/publikasi/?halaman=2", "/open311/v2/discovery.json", "/open311/v2/discovery.xml"}
	for _, tk := range []string{s.onTime, s.late, s.withheld, s.open} {
		paths = append(paths, "/publikasi/"+tk)
		for _, f := range []string{"json", "xml"} {
			paths = append(paths, "/open311/v2/requests/"+tk+"."+f)
		}
	}
	for _, f := range []string{"json", "xml"} {
		paths = append(paths, "/open311/v2/services."+f, "/open311/v2/services/pkh."+f, "/open311/v2/requests."+f,
			"/open311/v2/requests."+f+"?status=open,closed",
			"/open311/v2/requests."+f+"?service_request_id="+strings.Join([]string{s.onTime, s.late, s.withheld, s.open}, ","))
	}
	var secrets []string
	for _, p := range people {
		for _, v := range p.secrets() {
			if v != "" {
				secrets = append(secrets, v)
			}
		}
	}
	for _, path := range paths {
		res, body := e.fetch("GET", path)
		if res.StatusCode >= 500 {
			t.Errorf("%s: status %d", path, res.StatusCode)
		}
		for _, v := range secrets {
			if strings.Contains(body, v) || strings.Contains(body, xmlEscape(v)) {
				t.Errorf("%s shows %q", path, v)
			}
		}
	}
	if !strings.Contains(func() string { _, b := e.fetch("GET", "/publikasi/"); return b }(), s.summaries[s.onTime]) {
		t.Error("the scan read a page without the published results")
	}
}

func xmlEscape(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s)) //nolint:errcheck // a strings.Builder does not fail
	return b.String()
}
