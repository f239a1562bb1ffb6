package lapor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/core/bus/bustest"
	"github.com/aduan-gateway/aduan/core/event"
)

const testToken = "kunci-uji"

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// recorded serves a recorded page with its file URLs pointing at itself,
// and the files behind them, checking the key on every request.
func recorded(t *testing.T, page string) (*Client, *httptest.Server) {
	t.Helper()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+testToken {
			t.Errorf("%s %s without the key", r.Method, r.URL.Path)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		switch {
		case r.Method == http.MethodPost && r.URL.Path == pathReports:
			w.Header().Set("Content-Type", "application/json")
			w.Write(bytes.ReplaceAll(readTestdata(t, page), []byte("https://lapor.example.go.id"), []byte(srv.URL)))
		case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, pathFiles):
			w.Write([]byte("isi berkas " + strings.TrimPrefix(r.URL.Path, pathFiles)))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	c, err := NewClient(srv.URL, testToken, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return c, srv
}

// TestRecordedPages maps a recorded page per LAPOR! status, each holding
// the four combinations of the rahasia and anonim flags, through the client
// and the poller into inbound events.
func TestRecordedPages(t *testing.T) {
	b := bustest.New(t)
	statuses := []struct {
		word string
		want Status
		// replies is whether the page's reports carry a reporter's reply
		replies bool
	}{
		{"didisposisikan", StatusDisposed, false},
		{"diverifikasi", StatusVerified, false},
		{"ditunda", StatusPostponed, false},
		{"dikembalikan", StatusReturned, false},
		{"diarsipkan", StatusArchived, false},
		{"ditindaklanjuti", StatusFollowedUp, true},
		{"selesai", StatusFinished, true},
	}
	flags := []struct {
		label                   string
		confidential, anonymous bool
		sender                  event.Sender
		class                   string
		files                   int
		eventAt                 bool
	}{
		{"public", false, false, event.Sender{ID: "u7700000", Name: "Rahmat Hidayat", Phone: "+6281299001234"}, "pengaduan", 0, true},
		{"rahasia", true, false, event.Sender{ID: "u7700001", Name: "Sri Wahyuni", Phone: "+6281299005678"}, "pengaduan", 2, false},
		{"anonim", false, true, event.Sender{}, "permintaan_informasi", 0, true},
		{"rahasia and anonim", true, true, event.Sender{}, "aspirasi", 0, false},
	}
	for si, st := range statuses {
		t.Run(st.word, func(t *testing.T) {
			c, _ := recorded(t, "page_"+st.word+".json")
			page, err := c.Reports(context.Background(), "k-0", 4)
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Reports) != 4 || len(page.Rejected) != 0 {
				t.Fatalf("%d reports, %d rejected: want 4 and 0", len(page.Reports), len(page.Rejected))
			}
			if wantMore := si < 6; page.More != wantMore || page.Next == "" {
				t.Fatalf("next %q more %v", page.Next, page.More)
			}
			p := &Poller{api: c, bus: b, opt: PollerOptions{Agency: "dinsos-babel", MinBackoff: time.Millisecond}, now: time.Now}
			for fi, fl := range flags {
				r := page.Reports[fi]
				t.Run(fl.label, func(t *testing.T) {
					if r.Status != st.want || r.Confidential != fl.confidential || r.Anonymous != fl.anonymous {
						t.Fatalf("status %q rahasia %v anonim %v", r.Status, r.Confidential, r.Anonymous)
					}
					msgs := p.messages(context.Background(), &r)
					wantMsgs := 1
					if st.replies {
						wantMsgs = 2 // the agency's answer and the admin's note are not the reporter's
					}
					if len(msgs) != wantMsgs {
						t.Fatalf("%d messages, want %d", len(msgs), wantMsgs)
					}
					m := msgs[0]
					if err := m.Validate(); err != nil {
						t.Fatal(err)
					}
					lx := m.Lapor
					if m.ExternalID != r.TrackingID+":1" || m.ConversationKey != r.TrackingID || m.Account != "dinsos-babel" ||
						m.MsgID() != "lapor:dinsos-babel:"+r.TrackingID+":1" || m.Sender != fl.sender ||
						lx.Revision != 1 || lx.Status != string(st.want) || lx.Confidential != fl.confidential ||
						lx.Anonymous != fl.anonymous || lx.Classification != fl.class || lx.Title == "" || lx.Category == "" ||
						lx.Location == "" || lx.DisposedAt.IsZero() || m.SentAt.IsZero() || lx.EventAt.IsZero() != !fl.eventAt {
						t.Fatalf("report mapped to %+v with %+v", m, lx)
					}
					if len(m.Attachments) != fl.files {
						t.Fatalf("%d attachments, want %d", len(m.Attachments), fl.files)
					}
					for _, a := range m.Attachments {
						if a.Error != "" || !strings.HasPrefix(a.ObjectKey, "sha256/") || a.Size == 0 {
							t.Fatalf("attachment %+v not stored", a)
						}
					}
					if fl.files == 2 && (m.Attachments[0].Kind != event.AttachmentImage || m.Attachments[1].Kind != event.AttachmentDocument) {
						t.Fatalf("attachment kinds %s, %s", m.Attachments[0].Kind, m.Attachments[1].Kind)
					}
					if st.replies {
						rp := msgs[1]
						if rp.ExternalID != r.TrackingID+":5" || rp.Lapor.Revision != 5 || rp.Text != "Terima kasih atas tindak lanjutnya." ||
							rp.Sender != fl.sender || rp.ConversationKey != r.TrackingID {
							t.Fatalf("reply mapped to %+v", rp)
						}
						if wantFiles := map[int]int{0: 1}[fi]; len(rp.Attachments) != wantFiles {
							t.Fatalf("reply has %d attachments, want %d", len(rp.Attachments), wantFiles)
						}
					}
				})
			}
		})
	}
}

func TestRecordedRejectedReports(t *testing.T) {
	c, _ := recorded(t, "page_rejected.json")
	page, err := c.Reports(context.Background(), "", 10)
	if err != nil {
		t.Fatal(err)
	}
	var reasons []string
	for _, rj := range page.Rejected {
		if !json.Valid(rj.Raw) {
			t.Errorf("rejected report not kept whole: %s", rj.Raw)
		}
		reasons = append(reasons, rj.Reason)
	}
	want := []string{"without nomor_pelacakan", "revisi 0", "reply 1 has revisi 7", "kemarin sore", "no judul and no isi"}
	if len(reasons) != len(want) {
		t.Fatalf("rejected %q, want %d", reasons, len(want))
	}
	for i, w := range want {
		if !strings.Contains(reasons[i], w) {
			t.Errorf("rejection %d: %q, want it to say %q", i, reasons[i], w)
		}
	}
	if len(page.Reports) != 1 {
		t.Fatalf("%d reports kept, want 1", len(page.Reports))
	}
	r := page.Reports[0]
	if r.Status != "menunggu konfirmasi" || r.Classification != "pengaduan" || r.Reporter != nil {
		t.Fatalf("unknown status and empty reporter mapped to %+v", r)
	}
}

func TestRecordedErrors(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		file       string
		retryAfter string
		check      func(t *testing.T, err error)
	}{
		{"cursor expired", http.StatusGone, "error_cursor_expired.json", "", func(t *testing.T, err error) {
			if !errors.Is(err, ErrCursorExpired) {
				t.Fatalf("err = %v, want ErrCursorExpired", err)
			}
		}},
		{"rate limited", http.StatusTooManyRequests, "error_rate_limited.json", "7", func(t *testing.T, err error) {
			if isPermanent(err) || retryAfter(err) != 7*time.Second || !strings.Contains(err.Error(), "terlalu_banyak_permintaan") {
				t.Fatalf("err = %v, retry after %s", err, retryAfter(err))
			}
		}},
		{"conflict is retried", http.StatusConflict, "error_conflict.json", "", func(t *testing.T, err error) {
			if isPermanent(err) || !strings.Contains(err.Error(), "status_tidak_sesuai") {
				t.Fatalf("err = %v", err)
			}
		}},
		{"bad key", http.StatusUnauthorized, "error_unauthorized.json", "", func(t *testing.T, err error) {
			if isPermanent(err) || !isUnauthorized(err) {
				t.Fatalf("err = %v: want retryable and unauthorized", err)
			}
		}},
		{"unknown report", http.StatusNotFound, "", "", func(t *testing.T, err error) {
			if !isPermanent(err) {
				t.Fatalf("err = %v: want permanent", err)
			}
		}},
		{"server error without body", http.StatusBadGateway, "", "", func(t *testing.T, err error) {
			if isPermanent(err) || !strings.Contains(err.Error(), "502") {
				t.Fatalf("err = %v", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				w.WriteHeader(tt.status)
				if tt.file != "" {
					w.Write(readTestdata(t, tt.file))
				}
			}))
			defer srv.Close()
			c, _ := NewClient(srv.URL, testToken, 5*time.Second)
			_, err := c.Reports(context.Background(), "k-1", 10)
			tt.check(t, err)
			if tt.name != "cursor expired" {
				tt.check(t, c.Push(context.Background(), Action{RequestID: "x", TrackingID: "4300010", Kind: ActionVerify}))
			}
		})
	}
}

// TestActionRequests checks each action's request against its recorded body.
func TestActionRequests(t *testing.T) {
	at := time.Date(2026, 11, 24, 9, 0, 0, 0, time.FixedZone("WIB", 7*3600))
	tests := []struct {
		file string
		a    Action
	}{
		{"action_verifikasi.json", Action{RequestID: "01JDQ8X2M3T4V5W6X7Y8Z9A0B1", TrackingID: "4300010", Kind: ActionVerify, At: at}},
		{"action_tunda.json", Action{RequestID: "01JDQ8X2M3T4V5W6X7Y8Z9A0B2", TrackingID: "4300020", Kind: ActionPostpone, At: at,
			Text: "Menunggu data penyaluran dari bank penyalur."}},
		{"action_bukan_wewenang.json", Action{RequestID: "01JDQ8X2M3T4V5W6X7Y8Z9A0B3", TrackingID: "4300030", Kind: ActionReturn, At: at,
			Text: "Jalan desa rusak adalah kewenangan Dinas PUPR Kabupaten Bangka."}},
		{"action_tindak_lanjut.json", Action{RequestID: "01JDQ8X2M3T4V5W6X7Y8Z9A0B4", TrackingID: "4300050", Kind: ActionFollowUp, At: at,
			Text:  "Petugas telah melakukan pengecekan lapangan; bantuan disalurkan pada tahap berikutnya.",
			Files: []Upload{{Name: "berita_acara.pdf", MIME: "application/pdf", Data: []byte("%PDF-1.4\n")}}}},
		{"action_selesai.json", Action{RequestID: "01JDQ8X2M3T4V5W6X7Y8Z9A0B5", TrackingID: "4300060", Kind: ActionFinish, At: at}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			var got []byte
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != pathAction || r.Header.Get("Authorization") != "Bearer "+testToken ||
					r.Header.Get("Content-Type") != "application/json" {
					t.Errorf("%s %s with headers %v", r.Method, r.URL.Path, r.Header)
				}
				got, _ = io.ReadAll(r.Body)
				writeWire(w, http.StatusOK, wireActionResult{TrackingID: 1, Status: "diverifikasi", Revision: 3}, "", "")
			}))
			defer srv.Close()
			c, _ := NewClient(srv.URL+"/", testToken, 5*time.Second)
			if err := c.Push(context.Background(), tt.a); err != nil {
				t.Fatal(err)
			}
			var gotV, wantV any
			if err := json.Unmarshal(got, &gotV); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(readTestdata(t, tt.file), &wantV); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(gotV, wantV) {
				t.Fatalf("sent %s\nwant %s", got, readTestdata(t, tt.file))
			}
		})
	}
	if _, err := newActionRequest(context.Background(), "http://x", "k", Action{TrackingID: "ADU-1", Kind: ActionVerify}); err == nil {
		t.Fatal("a tracking id that is not a number was accepted")
	}
}

// TestSimulatorSpeaksRecordedFormat checks that the simulator's reports
// have exactly the fields of the recorded pages.
func TestSimulatorSpeaksRecordedFormat(t *testing.T) {
	keys := func(raw []byte) (report, thread, file []string) {
		var page struct {
			Data struct {
				Reports []map[string]json.RawMessage `json:"laporan"`
			} `json:"data"`
		}
		if err := json.Unmarshal(raw, &page); err != nil {
			t.Fatal(err)
		}
		seen := map[string]map[string]bool{"r": {}, "t": {}, "f": {}}
		for _, r := range page.Data.Reports {
			for k := range r {
				seen["r"][k] = true
			}
			var th []map[string]json.RawMessage
			_ = json.Unmarshal(r["tanggapan"], &th)
			for _, e := range th {
				for k := range e {
					seen["t"][k] = true
				}
			}
			var fs []map[string]json.RawMessage
			_ = json.Unmarshal(r["lampiran"], &fs)
			for _, f := range fs {
				for k := range f {
					seen["f"][k] = true
				}
			}
		}
		list := func(m map[string]bool) []string {
			var out []string
			for k := range m {
				out = append(out, k)
			}
			slices.Sort(out)
			return out
		}
		return list(seen["r"]), list(seen["t"]), list(seen["f"])
	}
	sim := NewSimulator(SimOptions{Reports: 30, Token: testToken, Seed: 7})
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	req, _ := newReportsRequest(context.Background(), srv.URL, testToken, "", 100)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	gr, gt, gf := keys(got)
	wr, wt, wf := keys(readTestdata(t, "page_ditindaklanjuti.json"))
	if !slices.Equal(gr, wr) || !slices.Equal(gt, wt) || !slices.Equal(gf, wf) {
		t.Fatalf("simulator fields\n report %v\n thread %v\n file %v\nrecorded\n report %v\n thread %v\n file %v", gr, gt, gf, wr, wt, wf)
	}
}

func TestE164(t *testing.T) {
	for in, want := range map[string]string{
		"0812-9900-1234": "+6281299001234", "+62 812 9900 5678": "+6281299005678", "6281299001234": "+6281299001234",
		"": "", "12345": "", "0812": "", "+1 415 555 0100": "",
	} {
		if got := e164(in); got != want {
			t.Errorf("e164(%q) = %q, want %q", in, got, want)
		}
	}
}
