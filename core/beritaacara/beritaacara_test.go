package beritaacara_test

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aduan-gateway/aduan/core/beritaacara"
	"github.com/aduan-gateway/aduan/core/beritaacara/pdftext"
	"github.com/aduan-gateway/aduan/core/calendar"
	"github.com/aduan-gateway/aduan/core/workflow"
)

var keep = flag.String("keep", "", "write each rendered PDF into this folder, to look at it")

var wib = calendar.WIB

func sample() beritaacara.Document {
	return beritaacara.Document{
		Office: beritaacara.Office{
			Name:    "Dinas Sosial dan Pemberdayaan Masyarakat Desa Provinsi Kepulauan Bangka Belitung",
			Address: "Komplek Perkantoran Gubernur, Air Itam, Pangkalpinang",
			Phone:   "(0717) 439999",
			City:    "Pangkalpinang",
		},
		Ticket:     "ADU-2026-000123",
		Channel:    "WhatsApp",
		Category:   "PKH",
		Class:      "A",
		DueDate:    calendar.Date{Year: 2026, Month: time.March, Day: 31},
		ReceivedAt: time.Date(2026, 3, 17, 9, 15, 0, 0, wib),
		VerifiedAt: time.Date(2026, 3, 17, 13, 40, 0, 0, wib),
		ResolvedAt: time.Date(2026, 3, 27, 15, 5, 0, 0, wib),
		Summary: "Bantuan PKH untuk keluarga saya tidak cair sejak triwulan pertama. Saya sudah " +
			"bertanya ke pendamping desa tetapi belum ada jawaban.",
		FollowUps: []beritaacara.FollowUp{
			{At: time.Date(2026, 3, 19, 10, 0, 0, 0, wib), Author: "Rina Koordinator",
				Text: "Telaah data: nama pelapor ada di data penerima, status pembayaran tertahan karena rekening KKS tidak aktif."},
			{At: time.Date(2026, 3, 25, 9, 30, 0, 0, wib), Author: "Rina Koordinator",
				Text: "Kunjungan ke rumah pelapor bersama pendamping PKH.",
				Inspection: &beritaacara.Inspection{
					Date:     time.Date(2026, 3, 25, 0, 0, 0, 0, wib),
					Place:    "Desa Penagan, Kecamatan Mendo Barat",
					Officers: "Rina Koordinator, Dodi Pendamping",
					Findings: "Kartu KKS rusak; pelapor dibantu mengajukan penggantian ke bank penyalur.",
				}},
		},
		Result: "Kartu KKS pelapor telah diganti dan bantuan triwulan pertama cair pada 26 Maret 2026.",
		Reporter: beritaacara.Person{
			Name: "Siti Aminah", NIKMasked: "1971xxxxxxxx0003",
			Address: "Jl. Merdeka No. 7, Desa Penagan", Phone: "+62812xxxx7890",
		},
		Koordinator: "Rina Koordinator",
		Receiver:    "Andi Petugas",
	}
}

// render renders d and returns the PDF and its text as pdftotext reads it,
// with every run of white space made one space so a phrase wrapped over
// two lines still matches, and the page count.
func render(t *testing.T, d beritaacara.Document) (pdf []byte, text string, pages int) {
	t.Helper()
	var buf bytes.Buffer
	if err := beritaacara.Render(&buf, d); err != nil {
		t.Fatalf("Render: %v", err)
	}
	if *keep != "" {
		name := filepath.Join(*keep, strings.ReplaceAll(t.Name(), "/", "_")+".pdf")
		if err := os.WriteFile(name, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	raw := pdftext.Read(t, buf.Bytes())
	return buf.Bytes(), strings.Join(strings.Fields(raw), " "), strings.Count(raw, "\f")
}

func TestRenderShowsTheRecord(t *testing.T) {
	_, text, pages := render(t, sample())
	if pages != 1 {
		t.Errorf("pages = %d, want 1", pages)
	}
	missing := false
	for _, c := range []struct{ what, want string }{
		{"title", "BERITA ACARA PENYELESAIAN PENGADUAN"},
		{"default number", "Nomor: BA/ADU-2026-000123/2026"},
		{"office name", "DINAS SOSIAL DAN PEMBERDAYAAN MASYARAKAT DESA PROVINSI KEPULAUAN BANGKA BELITUNG"},
		{"office address", "Komplek Perkantoran Gubernur, Air Itam, Pangkalpinang"},
		{"office phone", "Telepon (0717) 439999"},
		{"opening with day and date", "Pada hari ini Jumat tanggal 27 Maret 2026, bertempat di Pangkalpinang"},
		{"ticket", "Nomor tiket : ADU-2026-000123"},
		{"channel", "Saluran : WhatsApp"},
		{"category", "Kategori : PKH"},
		{"received in WIB", "Diterima : 17 Maret 2026 pukul 09.15 WIB"},
		{"verified", "Diverifikasi : 17 Maret 2026 pukul 13.40 WIB"},
		{"class and meaning", "Klasifikasi : A (5 hari kerja): kelalaian kewajiban"},
		{"due date", "Batas waktu : 31 Maret 2026"},
		{"resolved", "Diselesaikan : 27 Maret 2026 pukul 15.05 WIB"},
		{"reporter name", "Nama : Siti Aminah"},
		{"masked NIK", "NIK : 1971xxxxxxxx0003"},
		{"reporter address", "Jl. Merdeka No. 7, Desa Penagan"},
		{"summary", "tidak cair sejak triwulan pertama"},
		{"follow-up heading", "2) 25 Maret 2026 pukul 09.30 WIB, oleh Rina Koordinator"},
		{"inspection place", "Tempat : Desa Penagan, Kecamatan Mendo Barat"},
		{"inspection findings", "Temuan : Kartu KKS rusak"},
		{"result", "Kartu KKS pelapor telah diganti dan bantuan triwulan pertama cair pada 26 Maret 2026."},
		{"signing place and date", "Pangkalpinang, 27 Maret 2026"},
		{"receiver block", "Petugas Penerima,"},
		{"koordinator block", "Koordinator Penanganan Pengaduan,"},
		{"receiver name", "Andi Petugas"},
		{"page number", "Halaman 1 dari 1"},
	} {
		if !strings.Contains(text, c.want) {
			t.Errorf("%s: %q missing", c.what, c.want)
			missing = true
		}
	}
	if missing {
		t.Logf("the text:\n%s", text)
	}
}

func TestRenderWithheldReporter(t *testing.T) {
	d := sample()
	d.Reporter.Withheld = true
	d.Reporter.NIKMasked = "1971015708900003" // even given in full
	_, text, _ := render(t, d)
	if !strings.Contains(text, "Identitas : (dirahasiakan)") {
		t.Errorf("no (dirahasiakan) in:\n%s", text)
	}
	for _, leak := range []string{"Siti Aminah", "1971", "0003", "Jl. Merdeka", "+62812", "7890"} {
		if strings.Contains(text, leak) {
			t.Errorf("withheld reporter's %q printed:\n%s", leak, text)
		}
	}
}

func TestRenderMasksAFullNIK(t *testing.T) {
	d := sample()
	d.Reporter.NIKMasked = "1971015708900003"
	_, text, _ := render(t, d)
	if strings.Contains(text, "1971015708900003") || !strings.Contains(text, "NIK : 1971xxxxxxxx0003") {
		t.Errorf("full NIK not masked:\n%s", text)
	}
}

func TestRenderFlowsLongTextOntoMorePages(t *testing.T) {
	d := sample()
	long := strings.Repeat("Petugas menelusuri data penerima bantuan di kantor desa dan mencocokkan dengan daftar pembayaran. ", 25) +
		"Penelusuran berakhir dengan rekomendasi pemutakhiran data kesejahteraan sosial."
	d.FollowUps = append(d.FollowUps, beritaacara.FollowUp{
		At: time.Date(2026, 3, 26, 8, 0, 0, 0, wib), Author: "Rina Koordinator", Text: long})
	_, text, pages := render(t, d)
	if pages != 2 {
		t.Fatalf("pages = %d, want 2", pages)
	}
	for _, want := range []string{
		"rekomendasi pemutakhiran data kesejahteraan sosial.", // the long note's last words
		"Halaman 1 dari 2", "Halaman 2 dari 2",
		"Andi Petugas", // the signatures still come after it
	} {
		if !strings.Contains(text, want) {
			t.Errorf("%q missing from:\n%.3000s", want, text)
		}
	}
}

func TestRenderCleansUnprintableText(t *testing.T) {
	d := sample()
	d.Summary = "Tolong dibantu 🙏🏻 pak,\tbantuan\u0000 belum\r\nmasuk 😢 sampai sekarang"
	d.Result = strings.Repeat("x", 400) // one word wider than a line
	_, text, _ := render(t, d)
	if !strings.Contains(text, "Tolong dibantu pak, bantuan belum masuk sampai sekarang") {
		t.Errorf("summary not printed cleanly:\n%s", text)
	}
	if n := strings.Count(strings.ReplaceAll(text, " ", ""), strings.Repeat("x", 400)); n != 1 {
		t.Errorf("the long word is printed %d times, want 1:\n%s", n, text)
	}
}

func TestRenderIsDeterministic(t *testing.T) {
	var a, b bytes.Buffer
	if err := beritaacara.Render(&a, sample()); err != nil {
		t.Fatal(err)
	}
	if err := beritaacara.Render(&b, sample()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two renders of the same document differ")
	}
	if !bytes.HasPrefix(a.Bytes(), []byte("%PDF-")) {
		t.Errorf("not a PDF: %q", a.Bytes()[:min(20, a.Len())])
	}
}

func TestRenderRefuses(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(d *beritaacara.Document)
		want error
	}{
		{"no ticket", func(d *beritaacara.Document) { d.Ticket = " " }, beritaacara.ErrNoTicket},
		{"not resolved", func(d *beritaacara.Document) { d.ResolvedAt = time.Time{} }, beritaacara.ErrNotResolved},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := sample()
			c.edit(&d)
			var buf bytes.Buffer
			if err := beritaacara.Render(&buf, d); !errors.Is(err, c.want) {
				t.Errorf("err = %v, want %v", err, c.want)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes for a refused document", buf.Len())
			}
		})
	}
}

func TestDates(t *testing.T) {
	for _, c := range []struct {
		name string
		got  string
		want string
	}{
		{"long date", beritaacara.LongDate(time.Date(2026, 3, 17, 9, 0, 0, 0, wib)), "17 Maret 2026"},
		{"UTC evening is the next day in WIB", beritaacara.LongDate(time.Date(2026, 12, 31, 18, 0, 0, 0, time.UTC)), "1 Januari 2027"},
		{"zero date", beritaacara.LongDate(time.Time{}), "-"},
		{"with time", beritaacara.LongDateTime(time.Date(2026, 8, 17, 2, 5, 0, 0, time.UTC)), "17 Agustus 2026 pukul 09.05 WIB"},
		{"zero date and time", beritaacara.LongDateTime(time.Time{}), "-"},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
}

func TestRenderClass(t *testing.T) {
	for _, c := range []struct {
		name  string
		class workflow.Class
		want  string
	}{
		{"B", workflow.ClassB, "Klasifikasi : B (14 hari kerja): tidak memerlukan pengawasan"},
		{"C", workflow.ClassC, "Klasifikasi : C (60 hari kerja): memerlukan pengawasan dan pemeriksaan lapangan"},
		{"lower case", "c", "Klasifikasi : C (60 hari kerja)"},
		{"unknown shown as given", "X", "Klasifikasi : X"},
		{"none", "", "Klasifikasi : -"},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := sample()
			d.Class = c.class
			if _, text, _ := render(t, d); !strings.Contains(text, c.want) {
				t.Errorf("%q missing from:\n%.1500s", c.want, text)
			}
		})
	}
}

func TestRenderWithoutDueDate(t *testing.T) {
	d := sample()
	d.DueDate = calendar.Date{}
	d.VerifiedAt = time.Time{}
	_, text, _ := render(t, d)
	for _, want := range []string{"Batas waktu : -", "Diverifikasi : -"} {
		if !strings.Contains(text, want) {
			t.Errorf("%q missing from:\n%.1500s", want, text)
		}
	}
}

func BenchmarkRender(b *testing.B) {
	d := sample()
	for b.Loop() {
		if err := beritaacara.Render(io.Discard, d); err != nil {
			b.Fatal(err)
		}
	}
}
