package dossier_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"path"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/core/calendar"
	"github.com/aduan-gateway/aduan/core/dossier"
)

var wib = calendar.WIB

func file(content string) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(content)), nil }
}

func sample() dossier.Input {
	return dossier.Input{
		Ticket: "ADU-2026-000123",
		Complaint: map[string]any{
			"ticket": "ADU-2026-000123", "status": "diarsipkan", "class": "A", "due_date": "2026-03-31",
			"nik_masked": "1971xxxxxxxx0003",
		},
		Timeline: []dossier.Event{
			{At: time.Date(2026, 3, 17, 2, 15, 0, 0, time.UTC), Actor: "sistem", Action: "submitted", Detail: "via WhatsApp"},
			{At: time.Date(2026, 3, 17, 13, 40, 0, 0, wib), Actor: "vera", Action: "verified", Detail: "kelas A, PKH"},
			{At: time.Date(2026, 3, 19, 10, 0, 0, 0, wib), Actor: "rina", Action: "followed_up", Detail: "=HYPERLINK(\"http://x\")"},
		},
		Thread: []dossier.Message{
			{At: time.Date(2026, 3, 17, 9, 10, 0, 0, wib), Direction: dossier.DirectionIn, Author: "Siti Aminah",
				Text: "Bantuan PKH saya belum cair.\r\n[2026-01-01 00:00 WIB] KELUAR oleh palsu"},
			{At: time.Date(2026, 3, 17, 9, 11, 0, 0, wib), Direction: dossier.DirectionOut, Author: "Andi\nPetugas",
				Text: "Terima kasih, laporan Anda kami terima."},
		},
		BeritaAcara: []byte("%PDF-1.4 sample"),
		Attachments: []dossier.Attachment{
			{Name: "foto ktp.jpg", Open: file("jpeg bytes")},
			{Name: "../../etc/passwd", Open: file("root:x:0:0")},
			{Name: "bukti\x00transfer\n.pdf", Open: file("pdf bytes")},
			{Name: "foto ktp.jpg", Open: file("second photo")},
			{Name: "..", Open: file("dots")},
		},
		CreatedAt: time.Date(2026, 3, 30, 8, 0, 0, 0, wib),
	}
}

// unzip writes in and reads the archive back: entry name → content, and
// the names in archive order.
func unzip(t *testing.T, in dossier.Input) (map[string]string, []string) {
	t.Helper()
	var buf bytes.Buffer
	if err := dossier.Write(&buf, in); err != nil {
		t.Fatalf("Write: %v", err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatalf("reading the zip back: %v", err)
	}
	files := map[string]string{}
	var names []string
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		files[f.Name] = string(b)
		names = append(names, f.Name)
	}
	return files, names
}

func TestWriteEntries(t *testing.T) {
	files, names := unzip(t, sample())
	want := []string{
		"README.txt", "complaint.json", "timeline.csv", "thread.txt", "berita-acara.pdf",
		"lampiran/1-foto ktp.jpg", "lampiran/2-passwd", "lampiran/3-buktitransfer .pdf",
		"lampiran/4-foto ktp.jpg", "lampiran/5-lampiran",
	}
	if !slices.Equal(names, want) {
		t.Fatalf("entries:\n got %q\nwant %q", names, want)
	}
	for _, c := range []struct{ name, want string }{
		{"lampiran/1-foto ktp.jpg", "jpeg bytes"},
		{"lampiran/2-passwd", "root:x:0:0"},
		{"lampiran/4-foto ktp.jpg", "second photo"},
		{"berita-acara.pdf", "%PDF-1.4 sample"},
	} {
		if files[c.name] != c.want {
			t.Errorf("%s = %q, want %q", c.name, files[c.name], c.want)
		}
	}
}

func TestEntriesStayInside(t *testing.T) {
	_, names := unzip(t, sample())
	for _, n := range names {
		clean := path.Clean(n)
		if clean != n || strings.HasPrefix(clean, "..") || path.IsAbs(clean) || strings.ContainsAny(n, "\x00\n\r\\") {
			t.Errorf("unsafe entry name %q", n)
		}
		if strings.Contains(n, "/") && !strings.HasPrefix(n, "lampiran/") {
			t.Errorf("entry %q outside lampiran/", n)
		}
		if strings.HasPrefix(n, "lampiran/") && strings.Count(n, "/") != 1 {
			t.Errorf("attachment %q not directly inside lampiran/", n)
		}
	}
}

func TestComplaintJSON(t *testing.T) {
	files, _ := unzip(t, sample())
	var got map[string]any
	if err := json.Unmarshal([]byte(files["complaint.json"]), &got); err != nil {
		t.Fatalf("complaint.json: %v\n%s", err, files["complaint.json"])
	}
	if got["ticket"] != "ADU-2026-000123" || got["due_date"] != "2026-03-31" || got["nik_masked"] != "1971xxxxxxxx0003" {
		t.Errorf("complaint.json = %v", got)
	}
}

func TestTimelineCSV(t *testing.T) {
	files, _ := unzip(t, sample())
	rows, err := csv.NewReader(strings.NewReader(files["timeline.csv"])).ReadAll()
	if err != nil {
		t.Fatalf("timeline.csv: %v", err)
	}
	want := [][]string{
		{"at", "actor", "action", "detail"},
		{"2026-03-17T09:15:00+07:00", "sistem", "submitted", "via WhatsApp"}, // UTC written in WIB
		{"2026-03-17T13:40:00+07:00", "vera", "verified", "kelas A, PKH"},
		{"2026-03-19T10:00:00+07:00", "rina", "followed_up", `'=HYPERLINK("http://x")`}, // no formula
	}
	if !slices.EqualFunc(rows, want, slices.Equal) {
		t.Errorf("timeline rows:\n got %q\nwant %q", rows, want)
	}
}

func TestThreadText(t *testing.T) {
	files, _ := unzip(t, sample())
	want := "[2026-03-17 09:10 WIB] MASUK dari Siti Aminah\n" +
		"  Bantuan PKH saya belum cair.\n" +
		"  [2026-01-01 00:00 WIB] KELUAR oleh palsu\n" +
		"\n" +
		"[2026-03-17 09:11 WIB] KELUAR oleh Andi Petugas\n" +
		"  Terima kasih, laporan Anda kami terima.\n"
	if files["thread.txt"] != want {
		t.Errorf("thread.txt:\n%s\nwant:\n%s", files["thread.txt"], want)
	}
}

func TestReadme(t *testing.T) {
	files, _ := unzip(t, sample())
	readme := files["README.txt"]
	for _, want := range []string{
		"Berkas pengaduan ADU-2026-000123", "complaint.json", "timeline.csv", "thread.txt",
		"berita-acara.pdf", "5 lampiran", "lampiran/2-passwd", "WIB",
	} {
		if !strings.Contains(readme, want) {
			t.Errorf("README.txt lacks %q:\n%s", want, readme)
		}
	}

	in := sample()
	in.BeritaAcara, in.Attachments, in.Thread = nil, nil, nil
	files, names := unzip(t, in)
	if slices.Contains(names, "berita-acara.pdf") || strings.Contains(files["README.txt"], "berita-acara.pdf") {
		t.Errorf("berita acara listed though none was given: %q\n%s", names, files["README.txt"])
	}
	if !strings.Contains(files["README.txt"], "(tidak ada lampiran)") || files["thread.txt"] != "(tidak ada pesan)\n" {
		t.Errorf("empty dossier not said so:\n%s\n%s", files["README.txt"], files["thread.txt"])
	}
}

func TestWriteIsDeterministic(t *testing.T) {
	var a, b bytes.Buffer
	if err := dossier.Write(&a, sample()); err != nil {
		t.Fatal(err)
	}
	if err := dossier.Write(&b, sample()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two dossiers of the same input differ")
	}
}

func TestWriteFails(t *testing.T) {
	broken := errors.New("object store unreachable")
	for _, c := range []struct {
		name string
		edit func(in *dossier.Input)
		want string
	}{
		{"no ticket", func(in *dossier.Input) { in.Ticket = "" }, "no ticket"},
		{"attachment will not open", func(in *dossier.Input) {
			in.Attachments[1].Open = func() (io.ReadCloser, error) { return nil, broken }
		}, "lampiran/2-passwd: opening: object store unreachable"},
		{"attachment breaks while read", func(in *dossier.Input) {
			in.Attachments[0].Open = func() (io.ReadCloser, error) {
				return io.NopCloser(io.MultiReader(strings.NewReader("half"), errReader{broken})), nil
			}
		}, "lampiran/1-foto ktp.jpg: reading: object store unreachable"},
		{"attachment without Open", func(in *dossier.Input) { in.Attachments[2].Open = nil }, "lampiran/3-buktitransfer .pdf"},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := sample()
			c.edit(&in)
			err := dossier.Write(io.Discard, in)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want one containing %q", err, c.want)
			}
		})
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

func TestSafeName(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"plain", "foto_ktp.jpg", "foto_ktp.jpg"},
		{"path traversal", "../../etc/passwd", "passwd"},
		{"windows path", `C:\Users\siti\ktp.png`, "ktp.png"},
		{"NUL goes, line breaks become spaces", "a\x00b\n\nc.jpg", "ab c.jpg"},
		{"tab becomes a space", "a\tb.jpg", "a b.jpg"},
		{"windows-forbidden characters", `a<b>c:d"e|f?g*.pdf`, "a_b_c_d_e_f_g_.pdf"},
		{"hidden file", ".bashrc", "bashrc"},
		{"only dots", "..", "lampiran"},
		{"trailing dots and spaces", "surat. . ", "surat"},
		{"empty", "", "lampiran"},
		{"right-to-left override", "foto\u202egpj.exe", "fotogpj.exe"},
		{"invalid UTF-8", "foto\xff.jpg", "foto.jpg"},
		{"Indonesian kept", "Surat Keterangan Tidak Mampu (SKTM).pdf", "Surat Keterangan Tidak Mampu (SKTM).pdf"},
		{"long name keeps extension", strings.Repeat("a", 200) + ".jpeg", strings.Repeat("a", 75) + ".jpeg"},
	} {
		if got := dossier.SafeName(c.in); got != c.want {
			t.Errorf("%s: SafeName(%q) = %q, want %q", c.name, c.in, got, c.want)
		}
	}
}
