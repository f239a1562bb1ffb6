package identity

import (
	"errors"
	"testing"
)

func TestNormalizePhone(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"mobile with dashes", "0812-3456-7890", "+6281234567890"},
		{"mobile with spaces", "0812 3456 7890", "+6281234567890"},
		{"mobile with dots", "0811.7171.234", "+628117171234"},
		{"mobile plain", "081234567890", "+6281234567890"},
		{"shortest mobile, 10 digits", "0812345678", "+62812345678"},
		{"longest mobile, 13 digits", "0812345678901", "+62812345678901"},
		{"country code without plus", "6281234567890", "+6281234567890"},
		{"plus and spaces", "+62 812-3456-7890", "+6281234567890"},
		{"already E.164", "+6281234567890", "+6281234567890"},
		{"trunk zero kept after +62", "+62 (0)812 3456 7890", "+6281234567890"},
		{"international prefix 00", "0062 812 3456 7890", "+6281234567890"},
		{"national number without the 0", "812 3456 7890", "+6281234567890"},
		{"Pangkalpinang landline", "(0717) 421234", "+62717421234"},
		{"landline with dash", "0717-421234", "+62717421234"},
		{"Jakarta landline", "021-1234-5678", "+622112345678"},
		{"short landline subscriber", "0717 12345", "+6271712345"},
		{"surrounding blanks", " 0812 3456 7890 ", "+6281234567890"},
	}
	for _, tc := range tests {
		got, err := NormalizePhone(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("%s: NormalizePhone(%q) = %q, %v; want %q", tc.name, tc.in, got, err, tc.want)
		}
	}

	bad := []struct{ name, in string }{
		{"empty", ""},
		{"NIK", "1971015708900003"},
		{"NIK grouped", "1971 0157 0890 0003"},
		{"mobile too short (9 digits)", "081234567"},
		{"mobile too long (14 digits)", "08123456789012"},
		{"no mobile prefix 080", "0800 1234 5678"},
		{"landline too short", "0717 1234"},
		{"foreign country code", "+1 415 555 0100"},
		{"plus without 62", "+0812345678"},
		{"letter in the number", "0812-3456-789O"},
		{"country code only", "+62"},
		{"slash", "0812/3456/7890"},
		{"small number", "12345"},
		{"money", "600.000"},
	}
	for _, tc := range bad {
		if got, err := NormalizePhone(tc.in); !errors.Is(err, ErrPhone) {
			t.Errorf("%s: NormalizePhone(%q) = %q, %v; want ErrPhone", tc.name, tc.in, got, err)
		}
	}
}

func TestMaskPhone(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"E.164 mobile", "+6281234567890", "+62812xxxx7890"},
		{"local form is normalized first", "0812-3456-7890", "+62812xxxx7890"},
		{"13-digit mobile", "+62812345678901", "+62812xxxxx8901"},
		{"10-digit mobile keeps 3 hidden", "+62812345678", "+62812xxx678"},
		{"landline", "+62717421234", "+62717xxx234"},
		{"short landline", "+6271712345", "+62717xxx45"},
		{"not a phone: all digits but two hidden", "1971015708900003", "xxxxxxxxxxxxxx03"},
		{"not a phone, with text", "hp 12345", "hp xxx45"},
		{"empty", "", ""},
	}
	for _, tc := range tests {
		if got := MaskPhone(tc.in); got != tc.want {
			t.Errorf("%s: MaskPhone(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
	}
}

func TestInternationalPhone(t *testing.T) {
	tests := []struct {
		in, want string
		err      bool
	}{
		{"6281234567890", "6281234567890", false},
		{"+62 812-3456-7890", "6281234567890", false},
		{"0812 3456 7890", "6281234567890", false},
		{"812.3456.7890", "6281234567890", false},
		{"0062 812 3456 7890", "6281234567890", false},
		{"+1 (650) 555-1234", "16505551234", false},
		{"6591234567", "6591234567", false}, // a Singapore WhatsApp id, not a Bangka landline
		{"12345", "", true},
		{"0812-abc", "", true},
		{"62 812 3456 7890 1234", "", true},
	}
	for _, tt := range tests {
		got, err := InternationalPhone(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("InternationalPhone(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestDigits(t *testing.T) {
	for in, want := range map[string]string{"0812-3456 7890": "081234567890", "+62 (717) 42": "6271742", "NIK: 1971.0157": "19710157", "tanpa": ""} {
		if got := Digits(in); got != want {
			t.Errorf("Digits(%q) = %q, want %q", in, got, want)
		}
	}
}
