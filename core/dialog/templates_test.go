package dialog

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aduan-gateway/aduan/core/identity"
)

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestEmbeddedTemplatesAreComplete(t *testing.T) {
	entries, err := embedded.ReadDir("templates")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := slices.Clone(TemplateFiles)
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("embedded files %v, want exactly %v", names, want)
	}
	tpl, err := LoadTemplates("")
	if err != nil {
		t.Fatal(err)
	}
	labels := map[identity.Field]string{
		identity.FieldName:      "nama lengkap",
		identity.FieldNIK:       "NIK (16 digit)",
		identity.FieldAddress:   "alamat tempat tinggal",
		identity.FieldPhone:     "nomor HP/WhatsApp",
		identity.FieldKTPPhoto:  "foto KTP",
		identity.FieldComplaint: "isi pengaduan (apa yang terjadi, kapan, di mana)",
	}
	for f, want := range labels {
		if got := tpl.Label(f); got != want {
			t.Errorf("Label(%s) = %q, want %q", f, got, want)
		}
	}
	forms := map[identity.Field]string{
		identity.FieldName: "Nama: ", identity.FieldNIK: "NIK: ", identity.FieldAddress: "Alamat: ",
		identity.FieldPhone: "No. HP: ", identity.FieldKTPPhoto: "", identity.FieldComplaint: "",
	}
	for f, want := range forms {
		if got := tpl.forms[f]; got != want {
			t.Errorf("form line of %s = %q, want %q", f, got, want)
		}
	}
	for code, want := range map[string]string{
		"menunggu_verifikasi": "sudah diterima, menunggu verifikasi petugas",
		"terverifikasi":       "sudah diverifikasi, diteruskan ke koordinator untuk ditindaklanjuti",
		"ditindaklanjuti":     "sedang ditindaklanjuti petugas",
		"selesai":             "selesai ditangani",
		"dikembalikan":        "dikembalikan kepada Anda karena ada yang perlu dilengkapi; silakan balas pesan ini dengan kelengkapannya",
		"bukan_wewenang":      "bukan wewenang Dinas Sosial dan PMD Provinsi; petugas akan memberi tahu instansi yang berwenang",
		"ditunda":             "ditunda sementara; petugas akan mengabari Anda bila dilanjutkan",
		"diarsipkan":          "selesai dan diarsipkan",
		"perlu_data_tambahan": "perlu data tambahan",
	} {
		if got := tpl.StatusLabel(code); got != want {
			t.Errorf("StatusLabel(%s) = %q, want %q", code, got, want)
		}
	}
}

func TestTemplateOverride(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"ack.tmpl":         "Halo {{.SenderName}}, pesan Anda kami terima.\n",
		"field_label.tmpl": `{{if eq . "nama"}}nama sesuai KTP{{else}}{{.}}{{end}}`,
		"notes.txt":        "not a template; ignored",
	})
	tpl, err := LoadTemplates(dir)
	if err != nil {
		t.Fatalf("LoadTemplates(%s): %v", dir, err)
	}
	out, err := New(tpl, nil).Step(Input{Msg: wa("Halo min, bantuan PKH ibu saya sudah 3 bulan tidak cair"), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	reply := strings.Join(out.Replies, "")
	if !strings.HasPrefix(reply, "Halo Siti, pesan Anda kami terima.\n\n") {
		t.Errorf("override of ack.tmpl not used: %q", reply)
	}
	if !strings.Contains(reply, "- nama sesuai KTP\n") || !strings.Contains(reply, "Mohon lengkapi") {
		t.Errorf("field_label.tmpl override not used, or embedded ask_missing.tmpl lost: %q", reply)
	}
	if strings.Contains(reply, "Terima kasih telah menghubungi") {
		t.Errorf("embedded ack still used: %q", reply)
	}
}

func TestEmptyOverrideSwitchesReplyOff(t *testing.T) {
	tpl, err := LoadTemplates(writeFiles(t, map[string]string{"ack.tmpl": "\n"}))
	if err != nil {
		t.Fatal(err)
	}
	out, err := New(tpl, nil).Step(Input{Msg: wa("Halo, bantuan PKH ibu saya belum cair"), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Replies) != 1 || !strings.HasPrefix(out.Replies[0], "Mohon lengkapi") {
		t.Errorf("replies = %q", out.Replies)
	}
}

func TestBrokenTemplateOverride(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		dir   string // instead of files
		want  []string
	}{
		{"syntax error", map[string]string{"submitted.tmpl": "Tiket {{.Ticket"}, "", []string{"submitted.tmpl"}},
		{"unknown field", map[string]string{"status.tmpl": "Status {{.Tiket}}"}, "", []string{"status.tmpl", "Tiket"}},
		{"misspelt file name", map[string]string{"sumbitted.tmpl": "Tiket {{.Ticket}}"}, "", []string{"sumbitted.tmpl", "not a known template"}},
		{"empty field label", map[string]string{"field_label.tmpl": `{{if eq . "nik"}}{{else}}{{.}}{{end}}`}, "", []string{"field_label.tmpl", "nik"}},
		{"folder missing", nil, filepath.Join(os.TempDir(), "aduan-no-such-folder"), []string{"aduan-no-such-folder"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := tc.dir
			if dir == "" {
				dir = writeFiles(t, tc.files)
			}
			tpl, err := LoadTemplates(dir)
			if err == nil {
				t.Fatalf("LoadTemplates succeeded: %v", tpl)
			}
			if !errors.Is(err, ErrTemplate) {
				t.Errorf("err = %v, want it to wrap ErrTemplate", err)
			}
			for _, s := range tc.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
		})
	}
}
