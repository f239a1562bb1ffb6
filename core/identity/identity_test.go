package identity

import (
	"slices"
	"testing"
)

func TestMissing(t *testing.T) {
	complete := Identity{Name: "Siti Aminah", NIK: "1971015708900003", Address: "Jl. Depati Amir No. 12", Phone: "+6281234567890", KTPPhoto: true}
	tests := []struct {
		name      string
		id        Identity
		complaint string
		required  []Field
		want      []Field
	}{
		{name: "nothing known, everything required", required: Fields, want: Fields},
		{name: "complete", id: complete, complaint: "bantuan PKH tidak cair", required: Fields},
		{name: "only the complaint is missing", id: complete, required: Fields, want: []Field{FieldComplaint}},
		{name: "blank name counts as missing", id: Identity{Name: "  ", NIK: "1971015708900003"}, complaint: "x",
			required: []Field{FieldName, FieldNIK}, want: []Field{FieldName}},
		{name: "KTP photo is a flag", id: Identity{Name: "Siti"}, required: []Field{FieldKTPPhoto, FieldName}, want: []Field{FieldKTPPhoto}},
		{name: "result in checklist order, not in required order", required: []Field{FieldComplaint, FieldPhone, FieldName},
			want: []Field{FieldName, FieldPhone, FieldComplaint}},
		{name: "fields not required are not reported", id: Identity{Name: "Siti"}, required: []Field{FieldName, FieldComplaint},
			want: []Field{FieldComplaint}},
		{name: "walk-in form without phone and KTP requirement", id: Identity{Name: "Siti", NIK: "1971015708900003", Address: "Bacang"},
			complaint: "lansia terlantar", required: []Field{FieldName, FieldNIK, FieldAddress, FieldComplaint}},
		{name: "nothing required", required: nil},
		{name: "unknown field is ignored", required: []Field{"ttl", FieldNIK}, want: []Field{FieldNIK}},
	}
	for _, tc := range tests {
		got := Missing(tc.id, tc.complaint, tc.required)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: Missing = %v, want %v", tc.name, got, tc.want)
		}
	}
}
