package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/core/calendar"
	"github.com/aduan-gateway/aduan/core/complaint"
	"github.com/aduan-gateway/aduan/core/event"
	"github.com/aduan-gateway/aduan/store"
	"github.com/aduan-gateway/aduan/store/pgtest"
)

// TestComplaintWorkflowCLI carries a complaint through the procedure with
// the commands scripts use, each acting as a named user, and checks that a
// role that may not act is refused with a non-zero exit status.
func TestComplaintWorkflowCLI(t *testing.T) {
	t.Setenv("ADUAN_DATABASE_URL", pgtest.URL(t))
	t.Setenv("ADUAN_DATA_DIR", t.TempDir())
	addUsers(t, [2]string{"vera", "verifikator"}, [2]string{"kiki", "koordinator"}, [2]string{"ani", "admin"},
		[2]string{"pipit", "pimpinan"})
	ticket := fileComplaint(t, time.Date(2026, 3, 17, 9, 0, 0, 0, calendar.WIB))
	refused := func(want string, args ...string) {
		t.Helper()
		var out, errOut bytes.Buffer
		if code := run(context.Background(), args, &out, &errOut); code == 0 || !strings.Contains(errOut.String(), want) {
			t.Errorf("aduan %s: exit %d, stderr %q; want a refusal naming %q", strings.Join(args, " "), code, errOut.String(), want)
		}
	}

	refused("not allowed for this role", "complaint", "verify", ticket, "--class", "A", "--category", "pkh", "--as", "ani")
	refused("not allowed for this role", "complaint", "verify", ticket, "--class", "A", "--category", "pkh", "--as", "pipit")
	refused("--as USER is required", "complaint", "verify", ticket, "--class", "A", "--category", "pkh")
	refused("no enabled user", "complaint", "verify", ticket, "--class", "A", "--category", "pkh", "--as", "nobody")
	if out := runCmd(t, "complaint", "verify", "--class", "A", "--category", "pkh", ticket, "--as", "vera"); !strings.Contains(out, "due 2026-03-31") {
		t.Fatalf("verify printed %q", out)
	}
	runCmd(t, "complaint", "assign", ticket, "--to", "kiki", "--as", "vera")
	refused("not possible in the complaint's status", "complaint", "resolve", ticket, "--result", "x", "--as", "kiki")
	runCmd(t, "complaint", "follow-up", ticket, "--text", "Telaah bersama pendamping PKH.", "--inspection-date", "2026-03-20",
		"--place", "Desa Kace", "--officers", "Kiki", "--findings", "Rekening pasif.", "--as", "kiki")
	runCmd(t, "complaint", "resolve", ticket, "--result", "Rekening diaktifkan kembali.", "--as", "kiki")
	refused("not allowed for this role", "complaint", "archive", ticket, "--as", "kiki")
	runCmd(t, "complaint", "archive", ticket, "--as", "ani")

	var shown map[string]any
	if err := json.Unmarshal([]byte(runCmd(t, "complaint", "show", "--json", ticket)), &shown); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]any{"status": "diarsipkan", "class": "A", "category": "pkh",
		"due_date": "2026-03-31", "assignee": "kiki", "result": "Rekening diaktifkan kembali."} {
		if shown[key] != want {
			t.Errorf("show --json %s = %v, want %v", key, shown[key], want)
		}
	}
	if tl, _ := shown["timeline"].([]any); len(tl) != 6 {
		t.Errorf("timeline has %d steps, want 6: %v", len(tl), shown["timeline"])
	}

	pdf := filepath.Join(t.TempDir(), "ba.pdf")
	runCmd(t, "complaint", "berita-acara", ticket, "--out", pdf)
	if b, err := os.ReadFile(pdf); err != nil || !bytes.HasPrefix(b, []byte("%PDF")) {
		t.Fatalf("berita acara file: %v", err)
	}
	other := fileComplaint(t, time.Date(2026, 3, 18, 9, 0, 0, 0, calendar.WIB))
	if out := runCmd(t, "category", "add", "bansos_bencana", "--label", "Bansos bencana"); !strings.Contains(out, "saved") {
		t.Errorf("category add printed %q", out)
	}
	runCmd(t, "category", "disable", "lansia")
	list := runCmd(t, "category", "list")
	if !strings.Contains(list, "Bansos bencana") || strings.Contains(list, "lansia") {
		t.Errorf("category list:\n%s", list)
	}
	if all := runCmd(t, "category", "list", "--all"); !regexp.MustCompile(`lansia\s+Lansia\s+disabled`).MatchString(all) {
		t.Errorf("category list --all:\n%s", all)
	}
	refused("unknown category", "complaint", "verify", other, "--class", "B", "--category", "lansia", "--as", "vera")
	runCmd(t, "complaint", "verify", other, "--class", "B", "--category", "bansos_bencana", "--as", "vera")
	refused("no complaint with ticket", "complaint", "verify", "ADU-2026-999999", "--class", "A", "--category", "pkh", "--as", "vera")
}

// addUsers adds users (name, role) with one password.
func addUsers(t *testing.T, users ...[2]string) {
	t.Helper()
	pw := filepath.Join(t.TempDir(), "password")
	if err := os.WriteFile(pw, []byte("sandi-yang-panjang\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		runCmd(t, "user", "add", "--username", u[0], "--role", u[1], "--password-file", pw)
	}
}

// fileComplaint files a walk-in complaint received at received, as the core would.
func fileComplaint(t *testing.T, received time.Time) string {
	t.Helper()
	ctx := context.Background()
	cfg, st, err := loadStore(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc, err := newComplaints(cfg, calendar.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	var ticket complaint.Ticket
	err = st.InTx(ctx, func(tx *store.Tx) error {
		rep, err := tx.ReporterFor(ctx, store.ReporterKey{Channel: "walkin", Account: "loket", SenderID: "w1"}, "Siti")
		if err != nil {
			return err
		}
		ticket, err = svc.Create(ctx, tx, complaint.NewComplaint{Channel: event.ChannelWalkin, Account: "loket",
			Reporter: rep.ID, Text: "Bantuan PKH tidak cair.", ReceivedAt: received, Actor: "ani"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return ticket.Number
}
