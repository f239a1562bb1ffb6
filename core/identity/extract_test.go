package identity

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// diffFound lists every field of got that differs from want; errors are
// compared with errors.Is.
func diffFound(got, want Found) []string {
	var d []string
	str := func(field, g, w string) {
		if g != w {
			d = append(d, fmt.Sprintf("%s = %q, want %q", field, g, w))
		}
	}
	str("Name", got.Name, want.Name)
	str("NIK", got.NIK, want.NIK)
	str("NIKInvalid", got.NIKInvalid, want.NIKInvalid)
	str("Address", got.Address, want.Address)
	str("Phone", got.Phone, want.Phone)
	str("Complaint", got.Complaint, want.Complaint)
	if (want.NIKError == nil) != (got.NIKError == nil) || want.NIKError != nil && !errors.Is(got.NIKError, want.NIKError) {
		d = append(d, fmt.Sprintf("NIKError = %v, want %v", got.NIKError, want.NIKError))
	}
	if got.Concerned != want.Concerned {
		d = append(d, fmt.Sprintf("Concerned = %+v, want %+v", got.Concerned, want.Concerned))
	}
	if got.KTPMentioned != want.KTPMentioned {
		d = append(d, fmt.Sprintf("KTPMentioned = %v, want %v", got.KTPMentioned, want.KTPMentioned))
	}
	return d
}

type extractCase struct {
	name string
	msg  string
	want Found
}

func runExtract(t *testing.T, cases []extractCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Extract(tc.msg, now)
			for _, d := range diffFound(got, tc.want) {
				t.Error(d)
			}
		})
	}
}

const (
	nikSiti = "1971015708900003" // Pangkalpinang, woman born 17-08-1990
	kkSiti  = "1971011003150007" // a KK number; it would also pass as a NIK
	hpSiti  = "+6281234567890"
)

// Messages as citizens write them on WhatsApp, Messenger and Instagram.
var citizenMessages = []extractCase{
	{name: "template answered without its labels",
		msg:  "Siti Aminah\n1971015708900003\nJl. Depati Amir No 12 Pangkalpinang",
		want: Found{Name: "Siti Aminah", NIK: nikSiti, Address: "Jl. Depati Amir No 12 Pangkalpinang"}},
	{name: "unlabelled name in capitals before a NIK",
		msg:  "SITI AMINAH\n1971 0157 0890 0003",
		want: Found{Name: "Siti Aminah", NIK: nikSiti}},
	{name: "a capitalized line without other identity data is not a name",
		msg:  "Bantuan Sosial Tunai\nbelum cair sampai sekarang di desa kami",
		want: Found{Complaint: "Bantuan Sosial Tunai\nbelum cair sampai sekarang di desa kami"}},
	{name: "a lower-case complaint line next to a NIK is not a name",
		msg:  "mohon dibantu segera\nNIK 1971015708900003",
		want: Found{NIK: nikSiti, Complaint: "mohon dibantu segera"}},
	{name: "brief example 1: greeting and complaint",
		msg:  "Halo min, bantuan PKH ibu saya sudah 3 bulan tidak cair",
		want: Found{Complaint: "bantuan PKH ibu saya sudah 3 bulan tidak cair"}},
	{name: "brief example 2: identity form only",
		msg:  "Nama: Siti Aminah\nNIK: 1971 0157 0890 0003\nAlamat: Jl. Depati Amir No. 12, Pangkalpinang",
		want: Found{Name: "Siti Aminah", NIK: nikSiti, Address: "Jl. Depati Amir No. 12, Pangkalpinang"}},
	{name: "ping",
		msg:  "P",
		want: Found{}},
	{name: "intent only is not a complaint",
		msg:  "saya mau lapor",
		want: Found{}},
	{name: "thanks only",
		msg:  "baik pak terima kasih",
		want: Found{}},
	{name: "ktp caption",
		msg:  "ini ktp saya pak",
		want: Found{KTPMentioned: true}},
	{name: "e-ktp caption of a relative's card",
		msg:  "foto e-KTP ibu saya",
		want: Found{KTPMentioned: true}},
	{name: "WhatsApp lines, one thought per line",
		msg:  "min\nsaya mau lapor\nbantuan pkh ibu saya\nsudah 3 bulan\ntidak cair",
		want: Found{Complaint: "bantuan pkh ibu saya\nsudah 3 bulan\ntidak cair"}},
	{name: "salam, apology and BLT Dana Desa",
		msg:  "assalamualaikum wr wb, mohon maaf mengganggu. sy mau lapor BLT dana desa tahun ini kami tdk dapat padahal dulu dapat",
		want: Found{Complaint: "sy mau lapor BLT dana desa tahun ini kami tdk dapat padahal dulu dapat"}},
	{name: "one field per line, unlabelled name after saya",
		msg:  "Selamat malam min\nSaya Yusuf\nNIK 1903021505850002\nalamat Desa Rias, Kec. Toboali\nmau lapor BPNT saya diblokir",
		want: Found{Name: "Yusuf", NIK: "1903021505850002", Address: "Desa Rias, Kec. Toboali", Complaint: "mau lapor BPNT saya diblokir"}},
	{name: "lowercase form with spaced colons",
		msg:  "nama lengkap : ahmad fauzi\nno. nik : 1904 0312 1078 0004\nno hp : 0813-7788-9900",
		want: Found{Name: "Ahmad Fauzi", NIK: "1904031210780004", Phone: "+6281377889900"}},
	{name: "everything in one sentence, KIS PBI",
		msg: "nama sy hendra gunawan, nik 1905011209880001, tinggal di kel. sungailiat, hp 085267891234. KIS PBI saya dinonaktifkan padahal masih miskin",
		want: Found{Name: "Hendra Gunawan", NIK: "1905011209880001", Address: "kel. sungailiat", Phone: "+6285267891234",
			Complaint: "KIS PBI saya dinonaktifkan padahal masih miskin"}},
	{name: "saya <Name>, NIK ..., complaint",
		msg:  "Saya Budi, NIK 1971015708900003, mau lapor bantuan BPNT belum masuk",
		want: Found{Name: "Budi", NIK: nikSiti, Complaint: "mau lapor bantuan BPNT belum masuk"}},
	{name: "lowercase sy <name> as the whole message",
		msg:  "sy budi santoso",
		want: Found{Name: "Budi Santoso"}},
	{name: "petugas kasar",
		msg:  "pak saya mau lapor petugas PKH di desa kami kasar sama warga, suka bentak2",
		want: Found{Complaint: "saya mau lapor petugas PKH di desa kami kasar sama warga, suka bentak2"}},
	{name: "form with KK and HP",
		msg:  "Nama: Nurhayati\nNIK: 1971 0157 0890 0003\nKK: 1971 0110 0315 0007\nHP: 0812 3456 7890",
		want: Found{Name: "Nurhayati", NIK: nikSiti, Phone: hpSiti}},
	{name: "bedah rumah with abbreviations",
		msg:  "tlg dibantu bu, rumah sy bocor parah sdh ajukan bedah rumah 2 thn blm ada kabar",
		want: Found{Complaint: "rumah sy bocor parah sdh ajukan bedah rumah 2 thn blm ada kabar"}},
	{name: "disabilitas",
		msg:  "adik saya disabilitas tidak pernah dapat bantuan apapun, tolong didata",
		want: Found{Complaint: "adik saya disabilitas tidak pernah dapat bantuan apapun, tolong didata"}},
	{name: "lansia terlantar: tinggal after a comma is not the reporter's address",
		msg:  "nenek saya lansia terlantar di desa Kurau, tinggal sendiri, tidak ada yang urus",
		want: Found{Complaint: "nenek saya lansia terlantar di desa Kurau, tinggal sendiri, tidak ada yang urus"}},
	{name: "lansia: someone else lives there",
		msg:  "kakek saya tinggal di Dusun Limang sendirian dan sakit-sakitan",
		want: Found{Complaint: "kakek saya tinggal di Dusun Limang sendirian dan sakit-sakitan"}},
	{name: "perkenalkan nama saya",
		msg:  "perkenalkan nama saya Sri Wahyuni dari Kelurahan Bacang, saya penerima PKH tapi bulan ini saldo KKS kosong",
		want: Found{Name: "Sri Wahyuni", Complaint: "dari Kelurahan Bacang, saya penerima PKH tapi bulan ini saldo KKS kosong"}},
	{name: "perkenalkan saya, question about bedah rumah",
		msg:  "Assalamualaikum pak. perkenalkan saya Rahmat dari desa Air Anyir, mau tanya bantuan bedah rumah kapan cairnya? terima kasih",
		want: Found{Name: "Rahmat", Complaint: "dari desa Air Anyir, mau tanya bantuan bedah rumah kapan cairnya?"}},
	{name: "nama sy in a question is not an introduction",
		msg:  "sy warga desa cit, mau tanya kenapa nama sy hilang dari DTKS",
		want: Found{Complaint: "sy warga desa cit, mau tanya kenapa nama sy hilang dari DTKS"}},
	{name: "address and landline",
		msg:  "alamat: Perum Griya Asri Blok C no 5, Kel. Air Itam, Pangkalpinang\nTelp. 0717-421234",
		want: Found{Address: "Perum Griya Asri Blok C no 5, Kel. Air Itam, Pangkalpinang", Phone: "+62717421234"}},
	{name: "street named after a woman",
		msg:  "Saya tinggal di Jl. Ibu Kartini No. 3 Belinyu",
		want: Found{Address: "Jl. Ibu Kartini No. 3 Belinyu"}},
	{name: "domisili",
		msg:  "Domisili Koba, Bangka Tengah",
		want: Found{Address: "Koba, Bangka Tengah"}},
	{name: "beralamat di",
		msg:  "beralamat di Dusun Sinar Baru RT 03 Desa Badau Kab. Belitung",
		want: Found{Address: "Dusun Sinar Baru RT 03 Desa Badau Kab. Belitung"}},
	{name: "almt abbreviation",
		msg:  "almt: desa kace rt 02 kec mendo barat kab bangka",
		want: Found{Address: "desa kace rt 02 kec mendo barat kab bangka"}},
	{name: "tinggal di then complaint",
		msg:  "saya tinggal di desa kace, bantuan PKH saya belum cair min",
		want: Found{Address: "desa kace", Complaint: "bantuan PKH saya belum cair"}},
	{name: "all capitals",
		msg:  "SAYA SITI, NIK 1971015708900003",
		want: Found{Name: "Siti", NIK: nikSiti}},
	{name: "all capitals complaint: MAU is not a name",
		msg:  "SAYA MAU LAPOR BANTUAN PKH SAYA TIDAK CAIR SUDAH 4 BULAN",
		want: Found{Complaint: "SAYA MAU LAPOR BANTUAN PKH SAYA TIDAK CAIR SUDAH 4 BULAN"}},
	{name: "aku, nik and BPNT with slang",
		msg:  "halo kak, aku Dewi Lestari, nik 1906024506950001, bantuan sembako BPNT ga masuk2 udah 3 bulan",
		want: Found{Name: "Dewi Lestari", NIK: "1906024506950001", Complaint: "bantuan sembako BPNT ga masuk2 udah 3 bulan"}},
	{name: "KIS not accepted",
		msg:  "ibu saya sudah tua, KIS nya tidak bisa dipakai di puskesmas",
		want: Found{Complaint: "ibu saya sudah tua, KIS nya tidak bisa dipakai di puskesmas"}},
	{name: "KK number is kept out of the complaint, its words stay",
		msg:  "kk saya 1971011003150007 belum masuk DTKS",
		want: Found{Complaint: "kk saya belum masuk DTKS"}},
	{name: "question about BLT DD",
		msg:  "Mohon info min, BLT DD tahap 2 kapan cair ya",
		want: Found{Complaint: "BLT DD tahap 2 kapan cair ya"}},
	{name: "bare street address as a reply",
		msg:  "Jl. Depati Amir No. 12, Pangkalpinang",
		want: Found{Address: "Jl. Depati Amir No. 12, Pangkalpinang"}},
	{name: "bare phone number as a reply",
		msg:  "081234567890",
		want: Found{Phone: hpSiti}},
	{name: "bare NIK as a reply",
		msg:  "1971015708900003",
		want: Found{NIK: nikSiti}},
	{name: "bare name without saya is not recognised",
		msg:  "Siti Aminah",
		want: Found{}},
	{name: "name with binti",
		msg:  "nama saya siti aminah binti abdullah",
		want: Found{Name: "Siti Aminah binti Abdullah"}},
	{name: "atas nama is the beneficiary, not the reporter",
		msg:  "BLT atas nama ibu saya Siti belum cair",
		want: Found{Complaint: "BLT atas nama ibu saya Siti belum cair", Concerned: Person{Name: "Siti", Relation: "ibu"}}},
	{name: "honorific dropped from a labelled name",
		msg:  "Selamat siang, nama saya ibu Ratna, nenek saya lansia terlantar tinggal sendirian di Dusun Limang, mohon dibantu",
		want: Found{Name: "Ratna", Complaint: "nenek saya lansia terlantar tinggal sendirian di Dusun Limang"}},
	{name: "sentence after the name",
		msg:  "Halo, saya Ani. Bantuan BPNT saya bulan ini tidak masuk.",
		want: Found{Name: "Ani", Complaint: "Bantuan BPNT saya bulan ini tidak masuk."}},
	{name: "emoji stay in the complaint",
		msg:  "🙏🙏 tolong pak bantuan BLT saya belum cair 😭",
		want: Found{Complaint: "🙏🙏 tolong pak bantuan BLT saya belum cair 😭"}},
	{name: "question over several lines",
		msg:  "selamat sore\nmau tanya\nkenapa bansos sy dihentikan? padahal sy janda 3 anak",
		want: Found{Complaint: "kenapa bansos sy dihentikan? padahal sy janda 3 anak"}},
	{name: "full form with Isi aduan label",
		msg: "Nama : Budi Santoso\nNIK : 1971015708900003 \nAlamat : Desa Penagan RT 01 Kec. Mendo Barat\nNo HP : 0821 7777 8888\nIsi aduan : bantuan PKH tidak cair sejak Januari",
		want: Found{Name: "Budi Santoso", NIK: nikSiti, Address: "Desa Penagan RT 01 Kec. Mendo Barat", Phone: "+6282177778888",
			Complaint: "bantuan PKH tidak cair sejak Januari"}},
	{name: "phone with a remark",
		msg:  "nomor hp saya 0812 3456 7890 bisa dihubungi kapan saja",
		want: Found{Phone: hpSiti}},
	{name: "name and phone, then pungli by pendamping",
		msg:  "Saya Ratna 081234567890 mau lapor pendamping PKH minta potongan 50rb",
		want: Found{Name: "Ratna", Phone: hpSiti, Complaint: "mau lapor pendamping PKH minta potongan 50rb"}},
	{name: "amounts of money are not phone numbers",
		msg:  "pak saya dapat bantuan Rp 600.000 tapi dipotong Rp. 100.000 oleh ketua RT",
		want: Found{Complaint: "saya dapat bantuan Rp 600.000 tapi dipotong Rp. 100.000 oleh ketua RT"}},
	{name: "birth date is not a complaint",
		msg:  "saya lahir 17-08-1990, nik 1971015708900003",
		want: Found{NIK: nikSiti}},
	{name: "formal letter style",
		msg:  "Dengan hormat, saya Marlina warga Kel. Temberan, melaporkan bahwa ibu saya (lansia, 78 thn) tidak lagi menerima BPNT sejak Maret 2026.",
		want: Found{Name: "Marlina", Complaint: "warga Kel. Temberan, melaporkan bahwa ibu saya (lansia, 78 thn) tidak lagi menerima BPNT sejak Maret 2026."}},
	{name: "halo ibu, then complaint: ibu is the officer",
		msg:  "halo ibu, saya butuh bantuan kursi roda untuk anak saya yang disabilitas",
		want: Found{Complaint: "saya butuh bantuan kursi roda untuk anak saya yang disabilitas"}},
	{name: "halo ibu saya: ibu is the mother",
		msg:  "Halo ibu saya belum dapat BLT",
		want: Found{Complaint: "ibu saya belum dapat BLT"}},
	{name: "lost e-KTP: short, but a statement",
		msg:  "e-ktp saya hilang, nik 1971015708900003",
		want: Found{NIK: nikSiti, KTPMentioned: true, Complaint: "e-ktp saya hilang"}},
	{name: "one line, comma separated form",
		msg:  "Nama: Siti Aminah, NIK: 1971015708900003, Alamat: Jl. Depati Amir No. 12, Pangkalpinang, HP: 081234567890",
		want: Found{Name: "Siti Aminah", NIK: nikSiti, Address: "Jl. Depati Amir No. 12, Pangkalpinang", Phone: hpSiti}},
	{name: "form, ktp note and bedah rumah",
		msg: "nama: siti\nnik: 1971015708900003\nalamat: gg. melati no 3 rt 02 bukit intan\nhp: 081234567890\nfoto ktp terlampir\nbedah rumah yang dijanjikan tahun lalu belum juga dikerjakan",
		want: Found{Name: "Siti", NIK: nikSiti, Address: "gg. melati no 3 rt 02 bukit intan", Phone: hpSiti, KTPMentioned: true,
			Complaint: "bedah rumah yang dijanjikan tahun lalu belum juga dikerjakan"}},
	{name: "rude officer at the office",
		msg:  "Saya mau melaporkan petugas di kantor dinsos yang kasar saat saya mengurus surat keterangan tidak mampu",
		want: Found{Complaint: "Saya mau melaporkan petugas di kantor dinsos yang kasar saat saya mengurus surat keterangan tidak mampu"}},
	{name: "question for the office's address is not an address",
		msg:  "alamat kantor dinsos dimana ya?",
		want: Found{Complaint: "alamat kantor dinsos dimana ya?"}},
	{name: "saya + verb is not a name",
		msg:  "Saya Sudah Lapor Ke Desa Tapi Tidak Ada Tanggapan",
		want: Found{Complaint: "Saya Sudah Lapor Ke Desa Tapi Tidak Ada Tanggapan"}},
	{name: "WA number labelled with a trailing vocative",
		msg:  "WA sy 0852-1111-2222 min",
		want: Found{Phone: "+6285211112222"}},
	{name: "NIK KTP, KK and HP, then the complaint",
		msg:  "NIK saya 1971015708900003, KK 1971011003150007, HP 0813 1111 2222, tolong cek kenapa PKH saya dihapus",
		want: Found{NIK: nikSiti, Phone: "+6281311112222", Complaint: "tolong cek kenapa PKH saya dihapus"}},
	{name: "hubungi saya di, with a landline as well",
		msg:  "hubungi saya di 0812 3456 7890 atau (0717) 421234",
		want: Found{Phone: hpSiti}},
	{name: "name with an abbreviation, address and WA in one line",
		msg:  "Nama saya Moh. Rizal, tinggal di Desa Kimak RT 04 Kec. Merawang, no wa 0877 1234 5678",
		want: Found{Name: "Moh. Rizal", Address: "Desa Kimak RT 04 Kec. Merawang", Phone: "+6287712345678"}},
	{name: "form in capitals",
		msg:  "NAMA: SITI AMINAH",
		want: Found{Name: "Siti Aminah"}},
	{name: "ibu after sy is not a name",
		msg:  "Assalamu'alaikum, sy ibu Yanti dari Toboali mau lapor",
		want: Found{Complaint: "sy ibu Yanti dari Toboali mau lapor"}},
	{name: "address sentence then complaint sentence",
		msg:  "alamat saya di jl. soekarno hatta no 25 rt 3 rw 1 kel. bacang. bantuan pkh tdk cair",
		want: Found{Address: "jl. soekarno hatta no 25 rt 3 rw 1 kel. bacang", Complaint: "bantuan pkh tdk cair"}},
	{name: "malam is not a greeting here",
		msg:  "malam tadi petugas datang marah2 ke rumah",
		want: Found{Complaint: "malam tadi petugas datang marah2 ke rumah"}},
	{name: "tinggal di sini is not an address",
		msg:  "saya tinggal di sini sudah 20 tahun tapi tidak pernah didata",
		want: Found{Complaint: "saya tinggal di sini sudah 20 tahun tapi tidak pernah didata"}},
	{name: "perkenalkan with every field, then the complaint",
		msg: "Perkenalkan, saya Dedi Kurniawan, NIK 1971011708900003, HP 082177778888, alamat Jl. Mentok No. 5, Pangkalpinang. Saya mau melaporkan BLT DD yang tidak dibagikan.",
		want: Found{Name: "Dedi Kurniawan", NIK: "1971011708900003", Phone: "+6282177778888", Address: "Jl. Mentok No. 5, Pangkalpinang",
			Complaint: "Saya mau melaporkan BLT DD yang tidak dibagikan."}},
	{name: "typo in the name label",
		msg:  "nma saya joko, bantuan rutilahu blm dikerjakan",
		want: Found{Complaint: "nma saya joko, bantuan rutilahu blm dikerjakan"}},
}

func TestExtractCitizenMessages(t *testing.T) {
	runExtract(t, citizenMessages)
}

// NIKs among KK and phone numbers, and NIKs that fail validation.
var nikMessages = []extractCase{
	{name: "NIK then KK",
		msg:  "NIK 1971015708900003 KK 1971011003150007",
		want: Found{NIK: nikSiti}},
	{name: "KK then NIK: the first valid number is the KK's",
		msg:  "No KK: 1971011003150007\nNIK: 1971015708900003",
		want: Found{NIK: nikSiti}},
	{name: "KK alone is not a NIK",
		msg:  "no kk 1971011003150007",
		want: Found{}},
	{name: "nomor kartu keluarga alone",
		msg:  "nomor kartu keluarga saya 1971 0110 0315 0007",
		want: Found{}},
	{name: "nomor kk with NIK and phone after it",
		msg:  "nomor kk saya 1971011003150007, nik 1971015708900003, hp 081234567890",
		want: Found{NIK: nikSiti, Phone: hpSiti}},
	{name: "unlabelled NIK with KK in brackets",
		msg:  "1971015708900003 (kk: 1971011003150007)",
		want: Found{NIK: nikSiti}},
	{name: "ini no kk ... dan nik ...",
		msg:  "ini no kk 1971011003150007 dan nik 1971015708900003",
		want: Found{NIK: nikSiti}},
	{name: "NIK and phone separated by a space only",
		msg:  "1971015708900003 081234567890",
		want: Found{NIK: nikSiti, Phone: hpSiti}},
	{name: "grouped NIK followed by grouped phone",
		msg:  "nik 1971 0157 0890 0003 0812 3456 7890",
		want: Found{NIK: nikSiti, Phone: hpSiti}},
	{name: "NIK followed by +62 phone",
		msg:  "nik 1971015708900003 +6281234567890",
		want: Found{NIK: nikSiti, Phone: hpSiti}},
	{name: "NIK and phone separated by a slash",
		msg:  "No. NIK 1971015708900003 / 081234567890",
		want: Found{NIK: nikSiti, Phone: hpSiti}},
	{name: "phone labelled, then KK, then NIK",
		msg:  "no hp 0812-3456-7890\nkk 1971011003150007\nnik 1971015708900003",
		want: Found{NIK: nikSiti, Phone: hpSiti}},
	{name: "16-digit phone-like number is neither",
		msg:  "nik 1971015708900003 hp 0812345678901234",
		want: Found{NIK: nikSiti}},
	{name: "NIK label without number",
		msg:  "nik saya belum ada",
		want: Found{}},
	{name: "NIK written as no KTP",
		msg:  "KTP: 1971015708900003",
		want: Found{NIK: nikSiti, KTPMentioned: true}},
	{name: "nik ku with separators",
		msg:  "nik ku 1971.0157.0890.0003",
		want: Found{NIK: nikSiti}},
	{name: "NIK glued to its label",
		msg:  "NIK:1971015708900003",
		want: Found{NIK: nikSiti}},
	{name: "NIK on the line after its label",
		msg:  "NIK:\n1971015708900003",
		want: Found{NIK: nikSiti}},
	{name: "a count before the phone is not part of it",
		msg:  "anak 2 0812 3456 7890",
		want: Found{Phone: hpSiti}},

	{name: "labelled, 30 February",
		msg:  "NIK 1971013002900003",
		want: Found{NIKInvalid: "1971013002900003", NIKError: ErrNIKDate}},
	{name: "labelled, woman's day 70 in February",
		msg:  "nik saya 1971017002920003",
		want: Found{NIKInvalid: "1971017002920003", NIKError: ErrNIKDate}},
	{name: "labelled, 17 digits",
		msg:  "NIK: 1971 0157 0890 00031",
		want: Found{NIKInvalid: "19710157089000031", NIKError: ErrNIKLength}},
	{name: "labelled, 15 digits",
		msg:  "no nik 197101570890003",
		want: Found{NIKInvalid: "197101570890003", NIKError: ErrNIKLength}},
	{name: "labelled, unknown province",
		msg:  "NIK 2071015708900003",
		want: Found{NIKInvalid: "2071015708900003", NIKError: ErrNIKProvince}},
	{name: "labelled, serial 0000",
		msg:  "Nama: Siti Aminah\nNIK: 1971015708900000",
		want: Found{Name: "Siti Aminah", NIKInvalid: "1971015708900000", NIKError: ErrNIKSerial}},
	{name: "labelled invalid but a valid NIK follows: the valid one wins",
		msg:  "nik 1971015708900000 eh salah, 1971015708900003",
		want: Found{NIK: nikSiti}},
	{name: "labelled NIK run together with a phone",
		msg:  "nik saya 19710157089000030812345678",
		want: Found{NIKInvalid: "19710157089000030812345678", NIKError: ErrNIKLength}},
	{name: "unlabelled invalid alone is reported",
		msg:  "1971015708900000",
		want: Found{NIKInvalid: "1971015708900000", NIKError: ErrNIKSerial}},
	{name: "unlabelled invalid with a greeting is reported",
		msg:  "ini pak 1971013102900003",
		want: Found{NIKInvalid: "1971013102900003", NIKError: ErrNIKDate}},
	{name: "unlabelled invalid inside a complaint is not reported",
		msg:  "saldo kartu 1971013102900003 kosong sejak bulan lalu",
		want: Found{Complaint: "saldo kartu 1971013102900003 kosong sejak bulan lalu"}},
	{name: "unlabelled number without a province code is not a NIK",
		msg:  "6013011234567890",
		want: Found{}},
	{name: "unlabelled invalid next to a KKS mention is not reported",
		msg:  "kks 1971013102900003",
		want: Found{}},
}

func TestExtractNIK(t *testing.T) {
	runExtract(t, nikMessages)
}

// FuzzExtract checks what must hold for any text: extracted values are valid,
// and neither the NIK nor the phone number leaks into the complaint.
func FuzzExtract(f *testing.F) {
	for _, tc := range citizenMessages {
		f.Add(tc.msg)
	}
	for _, tc := range nikMessages {
		f.Add(tc.msg)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		got := Extract(msg, now)
		if got.NIK != "" {
			if _, err := ParseNIK(got.NIK, now); err != nil || len(got.NIK) != 16 {
				t.Errorf("NIK %q does not parse: %v", got.NIK, err)
			}
			if strings.Contains(digitsOnly(got.Complaint), got.NIK) {
				t.Errorf("complaint %q contains the NIK", got.Complaint)
			}
		}
		if (got.NIKInvalid == "") != (got.NIKError == nil) {
			t.Errorf("NIKInvalid %q with NIKError %v", got.NIKInvalid, got.NIKError)
		}
		if got.NIK != "" && got.NIKInvalid != "" {
			t.Errorf("both NIK %q and NIKInvalid %q", got.NIK, got.NIKInvalid)
		}
		if got.Phone != "" {
			if p, err := NormalizePhone(got.Phone); err != nil || p != got.Phone {
				t.Errorf("Phone %q is not E.164: %q, %v", got.Phone, p, err)
			}
			if strings.Contains(digitsOnly(got.Complaint), got.Phone[3:]) {
				t.Errorf("complaint %q contains the phone number", got.Complaint)
			}
		}
		if got.Complaint != strings.TrimSpace(got.Complaint) {
			t.Errorf("complaint %q is not trimmed", got.Complaint)
		}
	})
}

func digitsOnly(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

func BenchmarkExtract(b *testing.B) {
	msgs := map[string]string{
		"multi-field": "Nama: Siti Aminah\nNIK: 1971 0157 0890 0003\nAlamat: Jl. Depati Amir No. 12, Pangkalpinang\nNo HP: 0812-3456-7890\nbantuan PKH ibu saya sudah 3 bulan tidak cair",
		"complaint":   "Halo min, bantuan PKH ibu saya sudah 3 bulan tidak cair, sudah lapor ke desa tapi belum ada tanggapan. Terima kasih",
		"relative":    "Nama saya Siti Aminah, NIK 1971015708900003. Ibu sy Jamilah NIK 1901024506550001 tidak dapat PKH lagi tahun ini",
	}
	for name, msg := range msgs {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Extract(msg, now)
			}
		})
	}
}

// TestClauses: the dialog takes requests out clause by clause and the
// complaint is kept clause by clause; put back together, the clauses are
// the text.
func TestClauses(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"batalkan saja, bantuan PKH belum cair", []string{"batalkan saja, ", "bantuan PKH belum cair"}},
		{"Halo min!! Jl. Merdeka no. 5", []string{"Halo min!! ", "Jl. ", "Merdeka no. ", "5"}},
		{"Rp.600.000 belum cair?\nmohon dicek", []string{"Rp.600.000 belum cair?\n", "mohon dicek"}},
		{"", nil},
	}
	for _, tt := range tests {
		got := Clauses(tt.text)
		if !slices.Equal(got, tt.want) || strings.Join(got, "") != tt.text {
			t.Errorf("Clauses(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}
