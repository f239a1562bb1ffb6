package identity

import "strings"

// Word lists for the extraction heuristics, all lower case. They are kept
// here, apart from the logic, so that a word seen in real messages can be
// added without reading the code.

func wordSet(s string) map[string]bool {
	m := make(map[string]bool)
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// nameStop ends a name, and rules out "saya <word>" as an introduction: verbs,
// negations, family and status nouns, and the labels of other fields.
var nameStop = wordSet(`
	mau mo ingin ingn pengen pingin hendak akan sudah udah sdh udh telah belum blm blum
	tidak tdk gak ga nggak ngga enggak engga tak bukan minta mohon tolong lapor melapor
	melaporkan mengadu mengadukan mengajukan menanyakan tanya bertanya punya ada dapat dpt
	dapet mendapat mendapatkan menerima terima butuh perlu bisa bs harus pernah sering selalu
	sedang lagi lg masih baru sekarang skrg skrang cuma hanya juga sangat sgt benar bener benar-benar
	merasa rasa kira kecewa sedih bingung kesal marah heran susah sakit miskin kurang
	ibu bu bapak pak bpk ayah mama mamak papa nenek kakek anak adik kakak kak suami istri
	mertua keluarga orang ortu cucu paman bibi tante om saudara tetangga
	warga penduduk masyarakat rakyat janda duda lansia petani nelayan buruh pelapor penerima
	peserta ketua kepala kades pengurus pendamping guru anggota pegawai petugas relawan kader
	dari di ke yang yg dan dengan dgn sebagai selaku adalah ialah yaitu ini itu tsb
	saya sy aku gue gw kami kita dia beliau mereka
	tinggal bertempat beralamat berdomisili domisili alamat almt asal
	nik kk ktp no nomor nmr hp wa telp telepon umur usia ttl lahir tempat tgl tanggal
	pekerjaan agama status jenis kelamin rt rw jl jln jalan gang gg dusun dsn desa kelurahan
	kel kecamatan kec kabupaten kab kota provinsi
	terima kasih terimakasih makasih mksh tks thx thanks min admin
	hilang dihapus dicoret terdaftar tercantum keluar masuk kena
`)

// honorifics may open a labelled name ("Nama: Ibu Siti") and are dropped.
var honorifics = wordSet(`bapak bpk pak ibu bu sdr sdri saudara saudari ny nyonya tn tuan`)

// nameAbbrev are abbreviations inside a name ("Moh. Rizal", "Hj. Siti");
// after any other word a dot ends the name.
var nameAbbrev = wordSet(`moh muh mhd abd hj st dr drs ir`)

// nameParticles stay lower case inside a name.
var nameParticles = wordSet(`bin binti van de der`)

// addrStop ends an address: words that start the complaint or a new clause.
var addrStop = wordSet(`
	saya sy aku kami gue gw dia beliau mereka
	tidak tdk gak ga nggak ngga enggak belum blm blum sudah sdh udah udh telah akan
	mau mo ingin ingn pengen pingin minta mohon tolong lapor melapor melaporkan mengadu
	bantuan bansos pkh bpnt blt kis pbi bpjs sembako
	yang yg karena krn karna tapi tp tetapi namun sejak sementara bersama dengan dgn sama dan
	untuk utk sedang lagi sekarang skrg
	nama umur usia pekerjaan ttl nik kk ktp hp wa telp telepon
	terima terimakasih makasih mksh tks thx thanks
`)

// addrQuestion anywhere after an address label means the text asks
// something ("alamat kantor dinsos dimana?") rather than gives an address.
var addrQuestion = wordSet(`
	dimana mana apa kapan bagaimana gimana gmn berapa kenapa mengapa knp siapa sini situ sana
`)

// addrOther as the first word means the address is someone else's ("alamat
// ibu saya ...", "alamat kantor ..."). Inside an address these words are
// fine: "Jl. Ibu Kartini".
var addrOther = wordSet(`
	ibu bapak ayah mama nenek kakek anak adik kakak suami istri mertua orang tetangga kantor
`)

// addrAbbrev are abbreviations whose trailing dot does not end a sentence.
var addrAbbrev = wordSet(`jl jln no kec kab kel gg ds dsn rt rw perum komp kp blok prov kav
	jend jen kol letjen mayjen brigjen kapt dr ir hj kh prof h st`)

// greetings open a message and are not part of the complaint.
var greetings = wordSet(`
	halo hallo haloo hallo hai hay hi helo hello hei hey p
	selamat slmt met pagi siang sore malam
	assalamualaikum assalamu'alaikum asalamualaikum assalamu’alaikum salam
	wr wb warahmatullahi wabarakatuh permisi punten maaf
`)

// vocatives address the office ("min", "pak") and are small talk at the
// edges of a clause.
var vocatives = wordSet(`min admin mimin kak ka pak bu bpk mas mbak mba bang gan om sis dinsos`)

// thanks close a message.
var thanks = wordSet(`terimakasih trimakasih makasih makasi mksh mks trims tks thx thanks`)

// smallTalk words alone do not make a clause worth keeping in the complaint.
var smallTalk = wordSet(`
	halo hallo haloo hai hay hi helo hello hei hey p selamat slmt met pagi siang sore malam
	assalamualaikum assalamu'alaikum asalamualaikum assalamu’alaikum salam wr wb
	warahmatullahi wabarakatuh wassalam wassalamualaikum permisi punten maaf
	min admin mimin kak ka pak bu bpk mas mbak mba bang gan om sis dinsos
	terima kasih terimakasih trimakasih makasih makasi mksh mks trims tks thx thanks thank you
	banyak sebelumnya
	ok oke okey okay okee baik siap sip ya iya yah yaa iyaa nih dong sih deh kok lah loh
	saya sy aku ini itu nya berikut terlampir kirim dikirim sudah sdh udah
	ktp e-ktp ektp foto
	mau ingin pengen lapor melapor mengadu tanya bertanya mohon mhn tolong tlg minta bantu dibantu
	bantuannya info izin ijin ganggu mengganggu dengan hormat hubungi dihubungi kapan saja
	jg juga dtg datang langsung
	eh maksudnya maksud ralat
	lahir tgl tanggal ttl umur usia
	nama nik kk kartu keluarga alamat almt hp wa no nomor data identitas lengkap
`)

// functionWords are not small talk but carry no complaint on their own.
var functionWords = wordSet(`
	tidak tdk gak ga nggak belum blm blum ada dan atau yang yg di ke dari untuk utk dengan dgn
	bisa akan sudah telah juga lagi masih ibu bapak kami dia beliau mereka
`)
