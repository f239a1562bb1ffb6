package identity

import (
	"testing"
	"time"
)

func TestExtractAnswer(t *testing.T) {
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	identityOnly := []Field{FieldName, FieldNIK, FieldAddress, FieldKTPPhoto}
	withComplaint := append([]Field{FieldComplaint}, identityOnly...)
	tests := []struct {
		name      string
		text      string
		expecting []Field
		want      Found
	}{
		{"bare name asked for", "siti aminah", identityOnly, Found{Name: "Siti Aminah"}},
		{"one-word name asked for", "Suharti", identityOnly, Found{Name: "Suharti"}},
		{"bare name when nothing was asked", "siti aminah", nil, Found{}},
		{"bare name while the complaint is awaited too", "pkh macet", withComplaint, Found{}},
		{"thanks is not a name", "terima kasih", identityOnly, Found{}},
		{"ok siap is not a name", "ok siap", identityOnly, Found{}},
		{"kin is not a name", "ibu saya", identityOnly, Found{}},
		{"aid programme is not a name", "bpnt", identityOnly, Found{}},
		{"numbers are not a name", "siti 2", identityOnly, Found{Complaint: ""}},
		{"two lines are not one answer", "siti\naminah", identityOnly, Found{}},
		{"bare street address", "jalan merdeka no 5 rt 02 kel. bukit intan", withComplaint,
			Found{Address: "jalan merdeka no 5 rt 02 kel. bukit intan"}},
		{"bare village address", "Desa Kace, Kec. Mendo Barat, Bangka", identityOnly,
			Found{Address: "Desa Kace, Kec. Mendo Barat, Bangka"}},
		{"a sentence about a street is a complaint", "jalan di desa kami rusak tidak diperbaiki", withComplaint,
			Found{Complaint: "jalan di desa kami rusak tidak diperbaiki"}},
		{"address not asked for stays a complaint", "dusun tiga rt 04 belum dapat air bersih", []Field{FieldComplaint},
			Found{Complaint: "dusun tiga rt 04 belum dapat air bersih"}},
		{"labelled data wins", "Nama: Budi Santoso", identityOnly, Found{Name: "Budi Santoso"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ExtractAnswer(tt.text, now, tt.expecting)
			if got.Name != tt.want.Name || got.Address != tt.want.Address || got.Complaint != tt.want.Complaint ||
				got.NIK != tt.want.NIK || got.Phone != tt.want.Phone {
				t.Errorf("ExtractAnswer(%q) = %+v, want %+v", tt.text, got, tt.want)
			}
		})
	}
}
