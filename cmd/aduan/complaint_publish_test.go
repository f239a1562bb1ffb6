package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/core/calendar"
	"github.com/aduan-gateway/aduan/core/workflow"
	"github.com/aduan-gateway/aduan/store/pgtest"
)

// TestComplaintPublishCLI decides on publication from the command line:
// refused with a non-zero exit status for roles other than pimpinan and
// admin, for a complaint not yet finished and for publishing without a
// summary; a later decision supersedes and both are kept.
func TestComplaintPublishCLI(t *testing.T) {
	t.Setenv("ADUAN_DATABASE_URL", pgtest.URL(t))
	t.Setenv("ADUAN_DATA_DIR", t.TempDir())
	addUsers(t, [2]string{"vera", "verifikator"}, [2]string{"kiki", "koordinator"}, [2]string{"ani", "admin"},
		[2]string{"pipit", "pimpinan"}, [2]string{"audi", "auditor"})
	open := fileComplaint(t, time.Date(2026, 3, 17, 9, 0, 0, 0, calendar.WIB))
	done := fileComplaint(t, time.Date(2026, 3, 17, 10, 0, 0, 0, calendar.WIB))
	runCmd(t, "complaint", "verify", done, "--class", "A", "--category", "pkh", "--as", "vera")
	runCmd(t, "complaint", "follow-up", done, "--text", "Telaah.", "--as", "kiki")
	runCmd(t, "complaint", "resolve", done, "--result", "Rekening diaktifkan kembali.", "--as", "kiki")

	summary := "Bantuan yang tertunda telah disalurkan."
	refusals := []struct {
		label, want string
		args        []string
	}{
		{"koordinator", "not allowed for this role", []string{done, "--decision", "publish", "--reason", "r", "--summary", summary, "--as", "kiki"}},
		{"verifikator", "not allowed for this role", []string{done, "--decision", "withhold", "--reason", "r", "--as", "vera"}},
		{"auditor", "not allowed for this role", []string{"--decision", "withhold", "--reason", "r", "--as", "audi", done}},
		{"not finished", "not possible in the complaint's status", []string{open, "--decision", "withhold", "--reason", "r", "--as", "pipit"}},
		{"no summary", "needs a summary", []string{done, "--decision", "publish", "--reason", "r", "--as", "pipit"}},
		{"no reason", "needs a reason", []string{done, "--decision", "withhold", "--as", "pipit"}},
		{"bad decision", "publish or withhold", []string{done, "--decision", "ya", "--reason", "r", "--as", "pipit"}},
		{"no user", "--as USER is required", []string{done, "--decision", "withhold", "--reason", "r"}},
		{"unknown ticket", "no complaint with ticket", []string{"ADU-2026-999999", "--decision", "withhold", "--reason", "r", "--as", "ani"}},
	}
	for _, tt := range refusals {
		t.Run(tt.label, func(t *testing.T) {
			var out, errOut bytes.Buffer
			args := append([]string{"complaint", "publish"}, tt.args...)
			if code := run(context.Background(), args, &out, &errOut); code == 0 || !strings.Contains(errOut.String(), tt.want) {
				t.Errorf("exit %d, stderr %q; want a refusal naming %q", code, errOut.String(), tt.want)
			}
		})
	}

	if out := runCmd(t, "complaint", "publish", "--decision", "publish", "--reason", "Tidak memuat data pribadi.",
		"--summary", summary, "--as", "pipit", done); !strings.Contains(out, done+": publish by pipit") {
		t.Errorf("publish printed %q", out)
	}
	runCmd(t, "complaint", "publish", done, "--decision", "withhold", "--reason", "Keberatan pihak terkait.", "--as", "ani")

	ctx := context.Background()
	_, st, err := loadStore(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ds, err := st.PublicationDecisions(ctx, done)
	if err != nil || len(ds) != 2 || ds[0].Decision != workflow.Withhold || ds[1].Summary != summary || ds[1].Current {
		t.Errorf("decisions %+v, %v", ds, err)
	}
	if ds, _ := st.PublicationDecisions(ctx, open); len(ds) != 0 {
		t.Errorf("the open complaint has decisions %+v", ds)
	}
}
