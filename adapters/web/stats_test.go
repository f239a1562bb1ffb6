package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/aduan-gateway/aduan/core/calendar"
	"github.com/aduan-gateway/aduan/core/complaint"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/core/workflow"
	"github.com/aduan-gateway/aduan/store"
)

// statsNow is the server's clock in the statistics tests: Monday 3 August
// 2026, 10:00 WIB.
var statsNow = time.Date(2026, 8, 3, 10, 0, 0, 0, calendar.WIB)

func wibAt(m time.Month, d, h, min int) time.Time {
	return time.Date(2026, m, d, h, min, 0, 0, calendar.WIB)
}

// seeder files complaints and carries them through the workflow with the
// real complaint service, its clock set for each step.
type seeder struct {
	t     *testing.T
	st    *store.Store
	svc   *complaint.Service
	clock time.Time
	n     int
}

func newSeeder(t *testing.T, e *testEnv) *seeder {
	sd := &seeder{t: t, st: e.st}
	sd.svc = complaint.New(calendar.Embedded(), complaint.Options{Now: func() time.Time { return sd.clock }})
	e.addUser("vera", RoleVerifikator)
	e.addUser("kiki", RoleKoordinator)
	return sd
}

func (sd *seeder) file(ch event.Channel, received time.Time) string {
	sd.t.Helper()
	sd.n++
	ctx := context.Background()
	sender := "62812000000" + string(rune('0'+sd.n))
	var ticket complaint.Ticket
	err := sd.st.InTx(ctx, func(tx *store.Tx) error {
		rep, err := tx.ReporterFor(ctx, store.ReporterKey{Channel: ch, Account: "acc", SenderID: sender}, "Warga")
		if err != nil {
			return err
		}
		conv, err := tx.ConversationFor(ctx, store.ConversationKey{Channel: ch, Account: "acc", Key: sender}, rep.ID)
		if err != nil {
			return err
		}
		ticket, err = sd.svc.Create(ctx, tx, complaint.NewComplaint{Channel: ch, Account: "acc", Conversation: conv.ID,
			Reporter: rep.ID, Text: "Bantuan belum diterima.", ReceivedAt: received, Actor: complaint.ActorIntake})
		return err
	})
	if err != nil {
		sd.t.Fatal(err)
	}
	return ticket.Number
}

func (sd *seeder) act(at time.Time, ticket string, a workflow.Action, req complaint.Request) {
	sd.t.Helper()
	sd.clock = at
	req.Ticket, req.Action = ticket, a
	if req.Actor.Name == "" {
		req.Actor = workflow.Actor{Name: "vera", Role: workflow.RoleVerifikator}
	}
	if _, err := sd.svc.Act(context.Background(), sd.st, req); err != nil {
		sd.t.Fatalf("%s %s: %v", a, ticket, err)
	}
}

func (sd *seeder) verify(at time.Time, ticket string, class workflow.Class, category string) {
	sd.act(at, ticket, workflow.Verify, complaint.Request{Class: class, Category: category})
}

func (sd *seeder) resolve(at time.Time, ticket string) {
	kiki := workflow.Actor{Name: "kiki", Role: workflow.RoleKoordinator}
	sd.act(at.Add(-time.Hour), ticket, workflow.FollowUp, complaint.Request{Actor: kiki, Text: "Telaah berkas."})
	sd.act(at, ticket, workflow.Resolve, complaint.Request{Actor: kiki, Text: "Bantuan sudah dicairkan."})
}

// answer records the reporter's answer to the satisfaction question on ticket.
func (sd *seeder) answer(at time.Time, ticket string, score int, comment string) {
	sd.t.Helper()
	err := sd.st.InTx(context.Background(), func(tx *store.Tx) error {
		ok, err := tx.AnswerSatisfaction(context.Background(), ticket, score, comment, at)
		if err == nil && !ok {
			err = fmt.Errorf("no satisfaction question open on %s", ticket)
		}
		return err
	})
	if err != nil {
		sd.t.Fatal(err)
	}
}

// seedJuly files the complaints whose figures docs/statistics.md's
// definitions give by hand (see the comments).
func seedJuly(t *testing.T, e *testEnv) {
	sd := newSeeder(t, e)
	// Received 6 July, class A due 13 July, resolved 10 July: within, 4 working days.
	t1 := sd.file(event.ChannelWhatsApp, wibAt(7, 6, 9, 0))
	sd.verify(wibAt(7, 6, 10, 0), t1, workflow.ClassA, "pkh")
	sd.resolve(wibAt(7, 10, 15, 0), t1)
	// Received 1 July, class B due 21 July, resolved 31 July: late, 22 working days.
	t2 := sd.file(event.ChannelMessenger, wibAt(7, 1, 9, 0))
	sd.verify(wibAt(7, 1, 10, 0), t2, workflow.ClassB, "lansia")
	sd.resolve(wibAt(7, 31, 8, 0), t2)
	// Received 6 July, class C, resolved 20 July: within, 10 working days.
	t3 := sd.file(event.ChannelInstagram, wibAt(7, 6, 9, 0))
	sd.verify(wibAt(7, 6, 11, 0), t3, workflow.ClassC, "disabilitas")
	sd.resolve(wibAt(7, 20, 9, 0), t3)
	// The three reporters (chat channels) were asked how satisfied they are;
	// two answered: 4 and 2, a mean of 3 and an index of 75.
	sd.answer(wibAt(7, 11, 8, 0), t1, 4, "Petugasnya cepat.")
	sd.answer(wibAt(7, 31, 9, 0), t2, 2, "")
	// Received 15 July, class A due 22 July, still open: overdue on 3 August.
	t4 := sd.file(event.ChannelWalkin, wibAt(7, 15, 9, 0))
	sd.verify(wibAt(7, 15, 10, 0), t4, workflow.ClassA, "pkh")
	// Received 30 July, not verified yet.
	sd.file(event.ChannelWhatsApp, wibAt(7, 30, 9, 0))
	// Received in June, class B due 6 July, open: overdue, and June in the trend.
	t6 := sd.file(event.ChannelWhatsApp, wibAt(6, 15, 9, 0))
	sd.verify(wibAt(6, 15, 10, 0), t6, workflow.ClassB, "pkh")
	// Received 31 July at 23:30 WIB (16:30 UTC): July. Class C: on track.
	t7 := sd.file(event.ChannelWhatsApp, wibAt(7, 31, 23, 30))
	sd.verify(wibAt(8, 3, 8, 0), t7, workflow.ClassC, "pkh")
	// Received 27 July, class A due 3 August: near.
	t8 := sd.file(event.ChannelMessenger, wibAt(7, 27, 9, 0))
	sd.verify(wibAt(7, 27, 10, 0), t8, workflow.ClassA, "lansia")
}

func statsEnv(t *testing.T) *testEnv {
	e := newEnv(t, func(o *Options) { o.Now = func() time.Time { return statsNow } })
	seedJuly(t, e)
	return e
}

var figure = regexp.MustCompile(`id="fig-([a-z]+)">([^<]*)<`)

func TestStatisticsPageAndFiles(t *testing.T) {
	e := statsEnv(t)
	c := e.signIn("pipit", RolePimpinan)

	res, body := c.get(Prefix + "/statistik?bulan=2026-07")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	figs := map[string]string{}
	for _, m := range figure.FindAllStringSubmatch(body, -1) {
		figs[m[1]] = m[2]
	}
	want := map[string]string{"received": "7", "finished": "3", "compliance": "66,7%", "median": "10 hari kerja", "backlog": "5",
		"asked": "3", "responses": "2", "score": "3,00", "index": "75"}
	for k, v := range want {
		if figs[k] != v {
			t.Errorf("figure %s = %q, want %q", k, figs[k], v)
		}
	}
	for _, s := range []string{
		"Statistik pengaduan Juli 2026",
		`<title id="saluran-t">Pengaduan diterima per saluran, Juli 2026</title>`,
		"WhatsApp: 3", "Facebook Messenger: 2", "Instagram: 1", "Datang langsung: 1", "SP4N-LAPOR!: 0",
		"PKH (Program Keluarga Harapan): 3", "Lansia: 2", "Disabilitas: 1", "Belum diklasifikasi: 1",
		"Melewati batas waktu: 2", "Mendekati batas waktu: 1", "Dalam batas waktu: 1", "Belum diverifikasi: 1",
		"Diterima: Agustus 2025 0", "Juni 2026 1, Juli 2026 7", "Selesai: ",
		"Skor 1 (tidak puas): 0; Skor 2 (kurang puas): 1; Skor 3 (puas): 0; Skor 4 (sangat puas): 1",
		`href="/admin/statistik.xlsx?bulan=2026-07"`,
	} {
		if !strings.Contains(body, s) {
			t.Errorf("page lacks %q", s)
		}
	}
	if n := strings.Count(body, "<svg "); n != 6 {
		t.Errorf("%d charts, want 6", n)
	}
	if strings.Contains(body, "<script") && strings.Count(body, "<script") > 1 {
		t.Error("the statistics page adds scripts")
	}

	// The CSV and the workbook hold the page's numbers.
	res, csvBody := c.get(Prefix + "/statistik.csv?bulan=2026-07")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(res.Header.Get("Content-Disposition"), "statistik-pengaduan-2026-07.csv") {
		t.Fatalf("csv: %d %v", res.StatusCode, res.Header)
	}
	r := csv.NewReader(strings.NewReader(csvBody))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	fromCSV := map[string]string{}
	for _, rec := range recs {
		if len(rec) >= 2 {
			fromCSV[rec[0]] = rec[1]
		}
	}
	res, xlsxBody := c.get(Prefix + "/statistik.xlsx?bulan=2026-07")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("xlsx: %d %v", res.StatusCode, res.Header)
	}
	f, err := excelize.OpenReader(bytes.NewReader([]byte(xlsxBody)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fromXLSX := workbookCells(t, f)
	cases := []struct{ name, csvKey, sheet, want string }{
		{"received", "Pengaduan diterima", "Ringkasan", "7"},
		{"finished", "Pengaduan selesai", "Ringkasan", "3"},
		{"within due", "Selesai dalam batas waktu", "Ringkasan", "2"},
		{"compliance", "Kepatuhan batas waktu (%)", "Ringkasan", "66.7"},
		{"median", "Median hari kerja sampai selesai", "Ringkasan", "10"},
		{"backlog", "Tunggakan terbuka saat ini", "Ringkasan", "5"},
		{"whatsapp", "WhatsApp", "Saluran", "3"},
		{"class A", "Kelas A (kelalaian kewajiban)", "Kelas", "3"},
		{"pkh", "PKH (Program Keluarga Harapan)", "Kategori", "3"},
		{"overdue", "Melewati batas waktu", "Tunggakan", "2"},
		{"near", "Mendekati batas waktu", "Tunggakan", "1"},
		{"trend july", "2026-07", "Tren", "7"},
		{"trend june", "2026-06", "Tren", "1"},
		{"asked", "Pelapor yang ditanya", "Kepuasan", "3"},
		{"responses", "Responden", "Kepuasan", "2"},
		{"score 4", "Skor 4 (sangat puas)", "Kepuasan", "1"},
		{"mean", "Rata-rata skor (1–4)", "Kepuasan", "3"},
		{"index", "Indeks kepuasan (25–100)", "Kepuasan", "75"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if fromCSV[tc.csvKey] != tc.want {
				t.Errorf("csv %s = %q, want %q", tc.csvKey, fromCSV[tc.csvKey], tc.want)
			}
			if got := fromXLSX[tc.sheet+"/"+tc.csvKey]; got != tc.want {
				t.Errorf("xlsx %s!%s = %q, want %q", tc.sheet, tc.csvKey, got, tc.want)
			}
		})
	}
	if typ, _ := f.GetCellType("Ringkasan", "B4"); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
		t.Error("a count is stored as text in the workbook")
	}
}

func TestStatisticsMonths(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Now = func() time.Time { return statsNow } })
	c := e.signIn("audi", RoleAuditor)
	cases := []struct {
		name, path string
		status     int
		contains   string
	}{
		{"this month by default", "/statistik", 200, "Statistik pengaduan Agustus 2026"},
		{"a month without complaints", "/statistik?bulan=2019-02", 200, "Tidak ada data."},
		{"a bad month", "/statistik?bulan=2026-13", 400, "Bulan tidak dikenali"},
		{"a bad month in the csv", "/statistik.csv?bulan=juli", 400, "Bulan tidak dikenali"},
		{"csv of an empty month", "/statistik.csv?bulan=2019-02", 200, "Pengaduan diterima,0"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, body := c.get(Prefix + tc.path)
			if res.StatusCode != tc.status || !strings.Contains(body, tc.contains) {
				t.Errorf("status %d, want %d; contains %q: %v", res.StatusCode, tc.status, tc.contains, strings.Contains(body, tc.contains))
			}
		})
	}
}

// TestReportRoutesByRole asks every new route as every role: the route
// table's permission, nothing else, decides.
func TestReportRoutesByRole(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Now = func() time.Time { return statsNow } })
	clients := map[Role]*client{}
	for _, r := range Roles {
		clients[r] = e.signIn("u_"+string(r), r)
	}
	for _, rt := range e.srv.reportRoutes() {
		method, path, _ := strings.Cut(rt.pattern, " ")
		if method != http.MethodGet {
			continue
		}
		for _, r := range Roles {
			t.Run(path+" as "+string(r), func(t *testing.T) {
				res, _ := clients[r].get(path)
				want := http.StatusForbidden
				if can(r, rt.perm) {
					want = http.StatusOK
				}
				if res.StatusCode != want {
					t.Errorf("status %d, want %d", res.StatusCode, want)
				}
			})
		}
	}
}

// TestComplaintPageShowsSatisfaction: the reporter's answer to the survey
// is on the complaint's page, by the result; a complaint not answered has none.
func TestComplaintPageShowsSatisfaction(t *testing.T) {
	e := statsEnv(t)
	c := e.signIn("pipit", RolePimpinan)
	_, body := c.get(complaintPath("ADU-2026-000001", ""))
	for _, want := range []string{`id="c-satisfaction"`, "Skor 4 (sangat puas)", "Petugasnya cepat."} {
		if !strings.Contains(body, want) {
			t.Errorf("the answered complaint's page lacks %q", want)
		}
	}
	if _, body := c.get(complaintPath("ADU-2026-000003", "")); !strings.Contains(body, `id="c-result-text"`) ||
		strings.Contains(body, `id="c-satisfaction"`) {
		t.Error("the page of a complaint without an answer: want the result and no satisfaction")
	}
}

// workbookCells reads a statistics workbook as sheet/label → value: the
// first two cells of every row.
func workbookCells(t *testing.T, f *excelize.File) map[string]string {
	t.Helper()
	cells := map[string]string{}
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range rows {
			if len(row) >= 2 {
				cells[sheet+"/"+row[0]] = row[1]
			}
		}
	}
	return cells
}
