package identity

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func TestMaskNIKs(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "NIK saya 1971015708900003 ya", "NIK saya 1971xxxxxxxx0003 ya"},
		{"single spaces", "nik 1971 0157 0890 0003", "nik 1971xxxxxxxx0003"},
		{"two spaces", "NIK saya 1971  0157  0890  0003", "NIK saya 1971xxxxxxxx0003"},
		{"spaced dashes", "1971 - 0157 - 0890 - 0003, cair?", "1971xxxxxxxx0003, cair?"},
		{"tab and no-break space", "1971\t0157\u00a00890\u00a0\u00a00003.", "1971xxxxxxxx0003."},
		{"JSON-escaped tabs", `{"msg":"1971\t0157\t0890\t0003"}`, `{"msg":"1971xxxxxxxx0003"}`},
		{"parentheses", "(1971) (0157) 0890 0003", "(1971xxxxxxxx0003"},
		{"NIK then phone stay one chain", "1971015708900003 081234567890", "1971xxxxxxxxxxxxxxxxxxxx7890"},
		{"NIK and phone apart", "1971015708900003, hp 081234567890", "1971xxxxxxxx0003, hp 081234567890"},
		{"phone alone is kept", "hubungi 0812-3456-7890", "hubungi 0812-3456-7890"},
		{"fifteen digits are no NIK", "197101570890003", "197101570890003"},
		{"four separators split", "1971    0157    0890    0003", "1971    0157    0890    0003"},
		{"two dots split", "1971..0157..0890..0003", "1971..0157..0890..0003"},
		{"line break splits", "19710157\n08900003", "19710157\n08900003"},
		{"CRLF splits", "19710157\r\n08900003", "19710157\r\n08900003"},
		{"two NIKs", "a 1971015708900003 b 3273015708900004", "a 1971xxxxxxxx0003 b 3273xxxxxxxx0004"},
		{"no digits", "bantuan belum cair", "bantuan belum cair"},
		{"empty", "", ""},
		{"unicode around", "NIK: 1971 0157 0890 0003 — mohon dibantu 🙏", "NIK: 1971xxxxxxxx0003 — mohon dibantu 🙏"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MaskNIKs(tt.in); got != tt.want {
				t.Errorf("MaskNIKs(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestMaskNIKsHidesWhatExtractFinds is the masking property over many
// generated ways of writing a NIK: whatever NIK Extract finds in a text, it
// finds no NIK (nor 16 digits meant as one) in the masked text, and the masked text does
// not hold the NIK's digits in order.
func TestMaskNIKsHidesWhatExtractFinds(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 2026))
	found := 0
	for i := range 5000 {
		text := generatedNIKText(rng)
		f := Extract(text, now)
		if f.NIK == "" {
			continue
		}
		found++
		if msg := maskLeak(text, now); msg != "" {
			t.Fatalf("case %d: %s", i, msg)
		}
	}
	// The generator must mostly produce texts that hold a NIK, or the
	// property is tested on nothing.
	if found < 3000 {
		t.Fatalf("only %d of 5000 generated texts held a NIK Extract found", found)
	}
}

// maskLeak returns what MaskNIKs leaves of a NIK Extract finds in text, or "".
func maskLeak(text string, now time.Time) string {
	f := Extract(text, now)
	masked := MaskNIKs(text)
	g := Extract(masked, now)
	switch {
	case g.NIK != "" || len(g.NIKInvalid) >= nikLength:
		return "Extract finds " + g.NIK + g.NIKInvalid + " in " + quote(masked) + " masked from " + quote(text)
	case f.NIK != "" && strings.Contains(maskedDigits(masked), f.NIK):
		return "masked text " + quote(masked) + " still holds " + f.NIK
	}
	return ""
}

func quote(s string) string { return "\"" + strings.ReplaceAll(s, "\n", `\n`) + "\"" }

// maskedDigits keeps digits and the mask's x, dropping what separates them.
func maskedDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r == 'x' {
			return r
		}
		return -1
	}, s)
}

// generatedNIKText writes a valid NIK the ways citizens do: cut into groups
// at random, with gaps of one to three separators, behind a label or none,
// next to other numbers.
func generatedNIKText(rng *rand.Rand) string {
	regions := []string{"1971", "1901", "1906", "3273", "3174", "9171"}
	day := 1 + rng.IntN(28)
	if rng.IntN(2) == 0 {
		day += 40
	}
	nik := regions[rng.IntN(len(regions))] + pad2(rng.IntN(100)) + pad2(day) + pad2(1+rng.IntN(12)) +
		pad2(rng.IntN(100)) + pad4(1+rng.IntN(9999))
	seps := []string{" ", "  ", "   ", "-", " - ", ".", ". ", "\t", "\u00a0", "(", ")", " (", ") ", "\u00a0\u00a0"}
	var b strings.Builder
	for i := 0; i < len(nik); {
		n := min(1+rng.IntN(6), len(nik)-i)
		b.WriteString(nik[i : i+n])
		i += n
		if i < len(nik) && rng.IntN(3) > 0 {
			b.WriteString(seps[rng.IntN(len(seps))])
		}
	}
	labels := []string{"", "NIK saya ", "nik: ", "No KTP ", "NIK\t", "nomor induk kependudukan: ", "Nama: Siti Aminah\nNIK "}
	tails := []string{"", " bantuan PKH belum cair", ", hp 0812 3456 7890", "\r\nalamat jl merdeka no 5", " ya pak 🙏", " 12"}
	return labels[rng.IntN(len(labels))] + b.String() + tails[rng.IntN(len(tails))]
}

func pad2(n int) string { return string([]byte{byte('0' + n/10%10), byte('0' + n%10)}) }
func pad4(n int) string { return pad2(n/100) + pad2(n%100) }

// FuzzMaskNIKs: for any text, no NIK Extract finds survives masking, and
// masking twice changes nothing more. Seeds: the table above and generated
// spellings of NIKs.
func FuzzMaskNIKs(f *testing.F) {
	for _, s := range []string{"NIK saya 1971  0157  0890  0003", "1971\t0157\u00a00890 - 0003", `{"msg":"1971\t0157"}`, "(1971) (0157) 0890 0003"} {
		f.Add(s)
	}
	rng := rand.New(rand.NewPCG(7, 11))
	for range 40 {
		f.Add(generatedNIKText(rng))
	}
	f.Fuzz(func(t *testing.T, text string) {
		if msg := maskLeak(text, now); msg != "" {
			t.Error(msg)
		}
		once := MaskNIKs(text)
		if twice := MaskNIKs(once); twice != once {
			t.Errorf("masking %q again gave %q", once, twice)
		}
	})
}
