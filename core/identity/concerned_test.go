package identity

import "testing"

// Data about someone else never becomes the reporter's.
func TestPersonConcerned(t *testing.T) {
	const nikIbu, nikSuami = "1901024506550001", "1903031506800004"
	runExtract(t, []extractCase{
		{name: "mother named with her NIK",
			msg: "Nama ibu saya Jamilah, NIK nya " + nikIbu + ", beliau yang terdaftar sebagai penerima",
			want: Found{Concerned: Person{Name: "Jamilah", NIK: nikIbu, Relation: "ibu"},
				Complaint: "beliau yang terdaftar sebagai penerima"}},
		{name: "Bangka Malay mak after a name label",
			msg:  "Nama mak aku Jamilah",
			want: Found{Concerned: Person{Name: "Jamilah", Relation: "ibu"}}},
		{name: "a NIK right after the relative",
			msg:  "NIK mak " + nikIbu,
			want: Found{Concerned: Person{NIK: nikIbu, Relation: "ibu"}}},
		{name: "a vocative kin word between NIK and its number is the relative",
			msg:  "NIK bapak " + nikSuami,
			want: Found{Concerned: Person{NIK: nikSuami, Relation: "bapak"}}},
		{name: "the name after a comma and namanya",
			msg:  "maksudnya bapak sy, namanya Sulaiman",
			want: Found{Concerned: Person{Name: "Sulaiman", Relation: "bapak"}}},
		{name: "husband with a labelled NIK",
			msg:  "suami sy Rahmat, NIK " + nikSuami,
			want: Found{Concerned: Person{Name: "Rahmat", NIK: nikSuami, Relation: "suami"}}},
		{name: "reporter first, then the mother",
			msg: "Nama saya Siti Aminah, NIK " + nikSiti + ". Ibu sy Jamilah NIK " + nikIbu + " tidak dapat PKH lagi tahun ini",
			want: Found{Name: "Siti Aminah", NIK: nikSiti, Concerned: Person{Name: "Jamilah", NIK: nikIbu, Relation: "ibu"},
				Complaint: "Ibu sy Jamilah tidak dapat PKH lagi tahun ini"}},
		{name: "a title is not a relative",
			msg:  "Saya Ibu Marlina",
			want: Found{Name: "Marlina"}},
		{name: "a relative without name or NIK is not recorded",
			msg:  "bantuan PKH ibu saya sudah 3 bulan tidak cair",
			want: Found{Complaint: "bantuan PKH ibu saya sudah 3 bulan tidak cair"}},
		{name: "name before an address on one line",
			msg:  "Hendra Gunawan. Jl Masjid Jamik No 5, Sungailiat",
			want: Found{Name: "Hendra Gunawan", Address: "Jl Masjid Jamik No 5, Sungailiat"}},
		{name: "abbreviations inside an address",
			msg:  "Alamat: Jl. Jend. Sudirman No. 8, Kec. Bukit Intan, Pangkalpinang",
			want: Found{Address: "Jl. Jend. Sudirman No. 8, Kec. Bukit Intan, Pangkalpinang"}},
		{name: "a place after the introduction",
			msg:  "sy Rudi dari Kelapa, Bangka Barat",
			want: Found{Name: "Rudi", Address: "Kelapa, Bangka Barat"}},
		{name: "nm: label",
			msg:  "nm: Yuli",
			want: Found{Name: "Yuli"}},
	})
}

func TestKKNumberReported(t *testing.T) {
	for _, msg := range []string{"No KK " + kkSiti, "nomor kartu keluarga sy " + kkSiti, "NKK: " + kkSiti} {
		if f := Extract(msg, now); f.KK != kkSiti || !f.KKMentioned || f.NIK != "" {
			t.Errorf("%q: KK %q, KKMentioned %v, NIK %q", msg, f.KK, f.KKMentioned, f.NIK)
		}
	}
}
