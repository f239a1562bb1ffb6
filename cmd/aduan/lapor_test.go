package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/adapters/lapor"
	"github.com/aduan-gateway/aduan/core/bus/bustest"
)

// TestLaporCLI runs "aduan serve" against an in-process LAPOR! simulator and
// reads the result with "aduan complaint list --json".
func TestLaporCLI(t *testing.T) {
	const reports = 12
	sim := lapor.NewSimulator(lapor.SimOptions{Reports: reports, Seed: 9, Token: DefaultLaporSimToken})
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	t.Setenv("ADUAN_LAPOR_URL", srv.URL)
	t.Setenv("ADUAN_LAPOR_TOKEN", DefaultLaporSimToken)
	t.Setenv("ADUAN_LAPOR_INTERVAL", "1s")
	_, logs := startServe(t)

	type listed struct {
		Ticket       string `json:"ticket"`
		Channel      string `json:"channel"`
		Status       string `json:"status"`
		ReporterName string `json:"reporter_name"`
		NIKMasked    string `json:"nik_masked"`
		ExternalRef  string `json:"external_ref"`
	}
	var list []listed
	var out string
	bustest.Eventually(t, 30*time.Second, func() bool {
		out = runCmd(t, "complaint", "list", "--json")
		list = nil
		if err := json.Unmarshal([]byte(out), &list); err != nil {
			t.Fatalf("complaint list --json printed %q: %v", out, err)
		}
		return len(list) >= reports
	})
	refs := map[string]listed{}
	for _, c := range list {
		if c.Channel != "lapor" || c.Status != "menunggu_verifikasi" {
			t.Fatalf("listed %+v", c)
		}
		refs[c.ExternalRef] = c
	}
	public := map[string]bool{}
	type wireReport struct {
		Rahasia bool `json:"rahasia"`
		Anonim  bool `json:"anonim"`
		Pelapor *struct {
			Nama    string `json:"nama"`
			Telepon string `json:"telepon"`
		} `json:"pelapor"`
	}
	reportOf := func(id int64) wireReport {
		var w wireReport
		if err := json.Unmarshal(sim.Report(id), &w); err != nil {
			t.Fatal(err)
		}
		return w
	}
	for _, id := range sim.TrackingIDs() {
		if w := reportOf(id); w.Pelapor != nil && !w.Rahasia && !w.Anonim {
			public[w.Pelapor.Nama] = true
		}
	}
	confidential := 0
	for _, id := range sim.TrackingIDs() {
		c, ok := refs[strconv.FormatInt(id, 10)]
		if !ok {
			t.Fatalf("report %d not listed with its tracking id:\n%s", id, out)
		}
		w := reportOf(id)
		switch {
		case w.Rahasia:
			confidential++
			if c.ReporterName != "(dirahasiakan)" || c.NIKMasked != "" {
				t.Fatalf("confidential report listed as %+v", c)
			}
			if w.Pelapor != nil {
				if !public[w.Pelapor.Nama] && strings.Contains(out, w.Pelapor.Nama) {
					t.Fatalf("confidential reporter %q in complaint list --json", w.Pelapor.Nama)
				}
				if strings.Contains(logs.String(), w.Pelapor.Nama) || strings.Contains(logs.String(), w.Pelapor.Telepon[1:]) {
					t.Fatalf("confidential reporter %q in the logs", w.Pelapor.Nama)
				}
			}
		case w.Anonim:
			if c.ReporterName != "(anonim)" {
				t.Fatalf("anonymous report listed as %+v", c)
			}
		default:
			if c.ReporterName != w.Pelapor.Nama {
				t.Fatalf("public report listed as %+v, reporter %q", c, w.Pelapor.Nama)
			}
		}
	}
	if confidential == 0 {
		t.Fatal("no confidential report among the seeded ones")
	}
}

// TestLaporSimCommand starts "aduan lapor-sim" and reads its pages.
func TestLaporSimCommand(t *testing.T) {
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	out := &lockedBuffer{}
	errOut := &lockedBuffer{}
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"lapor-sim", "--addr", addr, "--reports", "3", "--rate", "600", "--token", "k"}, out, errOut)
	}()
	bustest.Eventually(t, 10*time.Second, func() bool { return strings.Contains(out.String(), "Stop with Ctrl+C") })
	for _, path := range []string{"/", "/sim/pushes"} {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), map[string]string{"/": "Simulator SP4N-LAPOR!", "/sim/pushes": `"tindakan"`}[path]) {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
		}
	}
	// Without the key the API refuses.
	resp, err := http.Post("http://"+addr+"/v1/laporan/disposisi", "application/json", strings.NewReader(`{"kursor":"","batas":5}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("list without the key: %d", resp.StatusCode)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("lapor-sim exited %d: %s", code, errOut.String())
	}
	if code := run(context.Background(), []string{"lapor-sim", "--error-rate", "2"}, io.Discard, io.Discard); code == 0 {
		t.Fatal("--error-rate 2 accepted")
	}
}
