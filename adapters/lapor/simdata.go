package lapor

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// The simulator's reports: made-up citizens of Kepulauan Bangka Belitung
// writing about the office's matters, as they write on LAPOR!. Names and
// numbers are invented; the texts never name their reporter, so a test can
// look for a confidential reporter's name anywhere.

var simPlaces = []string{
	"Kel. Bacang, Kec. Bukit Intan, Kota Pangkalpinang",
	"Kel. Gedung Nasional, Kec. Taman Sari, Kota Pangkalpinang",
	"Kel. Air Itam, Kec. Bukit Intan, Kota Pangkalpinang",
	"Desa Jada Bahrin, Kec. Merawang, Kab. Bangka",
	"Kel. Sungailiat, Kec. Sungailiat, Kab. Bangka",
	"Desa Kace, Kec. Mendo Barat, Kab. Bangka",
	"Kel. Tanjung, Kec. Muntok, Kab. Bangka Barat",
	"Desa Kundi, Kec. Simpang Teritip, Kab. Bangka Barat",
	"Desa Nibung, Kec. Koba, Kab. Bangka Tengah",
	"Desa Namang, Kec. Namang, Kab. Bangka Tengah",
	"Desa Rias, Kec. Toboali, Kab. Bangka Selatan",
	"Desa Pongok, Kec. Kepulauan Pongok, Kab. Bangka Selatan",
	"Desa Air Saga, Kec. Tanjungpandan, Kab. Belitung",
	"Desa Membalong, Kec. Membalong, Kab. Belitung",
	"Desa Lalang, Kec. Manggar, Kab. Belitung Timur",
	"Desa Gantung, Kec. Gantung, Kab. Belitung Timur",
}

var simNames = []string{
	"Siti Aminah", "Rudi Hartono", "Nurhayati", "Ahmad Fauzi", "Dewi Lestari", "Hendra Saputra",
	"Yuliana Sari", "Bambang Sutrisno", "Rini Marlina", "Agus Salim", "Fitri Handayani", "Joko Susilo",
	"Maria Ulfa", "Suryani", "Eko Prasetyo", "Lina Wati", "Rahmat Hidayat", "Sri Wahyuni",
}

var simMonths = []string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
	"September", "Oktober", "November", "Desember"}

// simScenario is one kind of report; {tempat}, {bulan} and {n} in title and
// text are filled with a place, a month and a number.
type simScenario struct {
	category, classification string
	title, text              string
}

var simScenarios = []simScenario{
	{"Bantuan Sosial", "pengaduan", "Bantuan PKH tidak cair sejak bulan {bulan}",
		"Saya penerima PKH di {tempat}. Sejak bulan {bulan} bantuan tidak masuk ke rekening KKS saya, padahal nama saya masih terdaftar. Sudah saya tanyakan ke pendamping PKH tetapi belum ada kejelasan. Mohon dibantu pengecekannya."},
	{"Bantuan Sosial", "pengaduan", "Penyaluran BPNT tidak sesuai dan ada pungutan",
		"Penyaluran bantuan sembako (BPNT) bulan {bulan} di {tempat} hanya berupa beras 5 kg dan telur, tidak sesuai nilai bantuan. Warga juga diminta membayar Rp{n}.000 untuk biaya angkut. Mohon ditertibkan."},
	{"Data Terpadu Kesejahteraan Sosial", "pengaduan", "Keluarga miskin belum masuk DTKS",
		"Tetangga kami, seorang janda dengan {n} anak yang tinggal di rumah tidak layak huni di {tempat}, belum pernah menerima bantuan apa pun. Saat ditanyakan ke kantor desa katanya belum masuk DTKS. Mohon ada pendataan ulang."},
	{"Perlindungan Sosial Lansia", "pengaduan", "Lansia hidup sendiri tidak terurus",
		"Ada seorang nenek berusia sekitar {n} tahun di {tempat} yang tinggal sendirian, sakit-sakitan dan jarang makan. Anak-anaknya merantau. Mohon Dinas Sosial dapat meninjau dan memberikan pendampingan."},
	{"Penyandang Disabilitas", "permintaan_informasi", "Cara mengajukan kursi roda untuk anak disabilitas",
		"Anak kami penyandang disabilitas fisik berusia {n} tahun. Kami tinggal di {tempat} dan tidak mampu membeli kursi roda. Bagaimana cara mengajukan bantuan alat bantu ke Dinas Sosial, dan berkas apa saja yang perlu disiapkan?"},
	{"Pemberdayaan Masyarakat Desa", "pengaduan", "Pelatihan pengelola BUMDes tidak pernah dilaksanakan",
		"Pelatihan pengelola BUMDes yang diumumkan untuk desa kami di {tempat} tidak pernah dilaksanakan, padahal {n} peserta sudah didata sejak bulan {bulan}. Kami mohon kejelasan jadwalnya."},
	{"Pemberdayaan Masyarakat Desa", "aspirasi", "Usulan pelatihan keterampilan bagi ibu rumah tangga",
		"Kami mengusulkan agar Dinas Sosial dan PMD mengadakan pelatihan menjahit dan pengolahan hasil laut untuk ibu-ibu di {tempat}, supaya dapat menambah penghasilan keluarga. Sekitar {n} orang sudah menyatakan berminat."},
	{"Pelayanan Petugas", "pengaduan", "Petugas meminta uang untuk mempercepat berkas bantuan",
		"Saat mengurus surat keterangan tidak mampu untuk pengajuan bantuan pada bulan {bulan}, petugas bersikap kasar dan meminta uang Rp{n}.000 agar berkas cepat diproses. Kejadian di {tempat}. Mohon ditindak."},
	{"Pelayanan Petugas", "pengaduan", "Pendamping sosial jarang hadir di desa",
		"Pendamping sosial untuk wilayah {tempat} sudah {n} bulan tidak pernah datang ke pertemuan kelompok. Banyak penerima bantuan yang kebingungan saat ada perubahan data."},
	{"Anak Terlantar", "pengaduan", "Anak putus sekolah bekerja di tambang timah",
		"Di {tempat} ada sekitar {n} anak usia sekolah yang tidak sekolah dan ikut bekerja di tambang timah rakyat. Orang tuanya tidak mampu. Mohon ada perhatian dan pendampingan dari dinas."},
	{"Rehabilitasi Sosial", "pengaduan", "Warga dengan gangguan jiwa dipasung keluarga",
		"Seorang warga di {tempat} yang mengalami gangguan jiwa dipasung oleh keluarganya sejak bulan {bulan} karena tidak ada biaya berobat. Mohon bantuan penanganan dan rehabilitasi."},
	{"Pemberdayaan Masyarakat Desa", "permintaan_informasi", "Jadwal pencairan BLT Dana Desa tahap berikutnya",
		"Kapan jadwal pencairan BLT Dana Desa tahap berikutnya untuk {tempat}? Sejak bulan {bulan} kami belum mendapat informasi dari perangkat desa."},
	{"Perlindungan dan Jaminan Sosial", "pengaduan", "Korban kebakaran belum menerima bantuan",
		"Rumah kami di {tempat} terbakar pada bulan {bulan}. Sampai sekarang belum ada bantuan logistik maupun bantuan stimulan dari Dinas Sosial untuk {n} jiwa yang kehilangan tempat tinggal."},
}

var simReplies = []string{
	"Sampai hari ini bantuan masih belum masuk, mohon dicek kembali.",
	"Terima kasih atas tindak lanjutnya, bantuannya sudah kami terima.",
	"Petugas sudah datang ke rumah, tetapi belum ada kabar lanjutan.",
	"Mohon informasi perkembangan laporan saya.",
	"Berikut saya lampirkan foto tambahan sebagai bukti.",
	"Jawabannya belum menyelesaikan masalah kami, mohon ditinjau ulang.",
}

// simGen makes reports from a seeded random source, so a seed gives the
// same reports every time.
type simGen struct {
	rng  *rand.Rand
	next int64
}

func newSimGen(seed uint64) *simGen {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	return &simGen{rng: rng, next: 4100000 + rng.Int64N(800000)}
}

func (g *simGen) pick(list []string) string { return list[g.rng.IntN(len(list))] }

// report makes one new report filed at filed; addFile stores an
// attachment and returns its URL.
func (g *simGen) report(filed time.Time, addFile func(name, mime string, data []byte) wireFile) wireReport {
	sc := simScenarios[g.rng.IntN(len(simScenarios))]
	place := g.pick(simPlaces)
	month := simMonths[(int(filed.Month())+10-g.rng.IntN(3))%12]
	fill := strings.NewReplacer("{tempat}", place, "{bulan}", month, "{n}", strconv.Itoa(2+g.rng.IntN(70)))
	w := wireReport{
		TrackingID:     g.next,
		Revision:       1,
		Title:          fill.Replace(sc.title),
		Text:           fill.Replace(sc.text),
		Classification: sc.classification,
		Category:       sc.category,
		Location:       place,
		FiledAt:        filed,
		Status:         "didisposisikan",
		Confidential:   g.rng.IntN(100) < 15,
		Anonymous:      g.rng.IntN(100) < 20,
	}
	g.next++
	if g.rng.IntN(3) > 0 {
		at := filed.Add(-time.Duration(1+g.rng.IntN(14*24)) * time.Hour).Truncate(time.Hour)
		w.EventAt = &at
	}
	if !w.Anonymous {
		name := g.pick(simNames)
		w.Reporter = &wirePerson{
			UserID: fmt.Sprintf("u%07d", g.rng.IntN(10000000)),
			Name:   name,
			Phone:  fmt.Sprintf("08129900%04d", g.rng.IntN(10000)),
		}
	}
	if g.rng.IntN(3) == 0 {
		w.Files = append(w.Files, addFile(fmt.Sprintf("foto_%d.png", w.TrackingID), "image/png", g.image()))
	}
	return w
}

// reply makes a reporter's reply, sometimes with a photo.
func (g *simGen) reply(id int64, addFile func(name, mime string, data []byte) wireFile) (string, []wireFile) {
	text := g.pick(simReplies)
	var files []wireFile
	if strings.Contains(text, "lampirkan") {
		files = append(files, addFile(fmt.Sprintf("bukti_%d_%d.png", id, g.rng.IntN(1000)), "image/png", g.image()))
	}
	return text, files
}

// image is a small PNG of random colours, different for each call.
func (g *simGen) image() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 48, 32))
	c := color.RGBA{uint8(g.rng.IntN(256)), uint8(g.rng.IntN(256)), uint8(g.rng.IntN(256)), 255}
	for y := range 32 {
		for x := range 48 {
			if (x/8+y/8)%2 == 0 {
				img.Set(x, y, c)
			}
		}
	}
	img.Set(g.rng.IntN(48), g.rng.IntN(32), color.White)
	img.Set(g.rng.IntN(48), g.rng.IntN(32), color.Black)
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}
