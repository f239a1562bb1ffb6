package web

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// whatsmeow's pairing code: ref,noise key,identity key,adv secret (base64).
const pairingCode = "2@Yk3Rk7bQ1pZs0xVWnQmJ1c3RhIHRlc3QgcmVmZXJlbmNlIHN0cmluZyBmb3IgcGFpcmluZw==,Wn9d1lqE4yBk2m5hQ0p8cXh3T1ZyS2l0U2dBbGxVZz0=,cHViS2V5SWRlbnRpdHlGb3JUZXN0c09ubHlBQUFBQUE=,YWR2U2VjcmV0Rm9yVGVzdHNPbmx5QUFBQUFBQUFBQUE="

func TestQRStructure(t *testing.T) {
	tests := []struct {
		name string
		text string
		ver  int
	}{
		{"one byte", "a", 1},
		{"version 1 full", strings.Repeat("x", 14), 1},
		{"version 2", strings.Repeat("x", 15), 2},
		{"pairing code needs version info", pairingCode, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := encodeQR([]byte(tt.text))
			if err != nil {
				t.Fatal(err)
			}
			ver := (q.size - 17) / 4
			if tt.ver != 0 && ver != tt.ver {
				t.Fatalf("version %d, want %d", ver, tt.ver)
			}
			// Finder pattern corners: dark, then the light ring, then dark core.
			for _, c := range [][2]int{{0, 0}, {q.size - 7, 0}, {0, q.size - 7}} {
				if !q.modules[c[1]][c[0]] || q.modules[c[1]+1][c[0]+1] || !q.modules[c[1]+3][c[0]+3] {
					t.Errorf("finder pattern at %v malformed", c)
				}
			}
			// The two copies of the format information agree.
			var a, b int
			for i := 0; i <= 5; i++ {
				a |= bit(q.modules[i][8]) << i
			}
			a |= bit(q.modules[7][8])<<6 | bit(q.modules[8][8])<<7 | bit(q.modules[8][7])<<8
			for i := 9; i < 15; i++ {
				a |= bit(q.modules[8][14-i]) << i
			}
			for i := range 8 {
				b |= bit(q.modules[8][q.size-1-i]) << i
			}
			for i := 8; i < 15; i++ {
				b |= bit(q.modules[q.size-15+i][8]) << i
			}
			if a != b {
				t.Errorf("format copies differ: %015b vs %015b", a, b)
			}
			if (a^0x5412)>>13 != qrFormatM {
				t.Errorf("format says level %d, want M", (a^0x5412)>>13)
			}
		})
	}
	if _, err := encodeQR(make([]byte, 3000)); err == nil {
		t.Error("3000 bytes encoded; a QR code holds at most 2331 at level M")
	}
}

func bit(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestQRDecodes reads the codes back with zbarimg (Debian's zbar-tools), an
// independent decoder, when it is installed.
func TestQRDecodes(t *testing.T) {
	zbar, err := exec.LookPath("zbarimg")
	if err != nil {
		t.Skip("zbarimg not installed (apt-get install zbar-tools); structure is checked by TestQRStructure")
	}
	for _, text := range []string{"https://example.org/aduan", pairingCode, strings.Repeat("Aduan ", 60)} {
		q, err := encodeQR([]byte(text))
		if err != nil {
			t.Fatal(err)
		}
		const scale = 4
		dim := (q.size + 8) * scale
		img := image.NewGray(image.Rect(0, 0, dim, dim))
		for y := range dim {
			for x := range dim {
				mx, my := x/scale-4, y/scale-4
				c := color.Gray{255}
				if mx >= 0 && my >= 0 && mx < q.size && my < q.size && q.modules[my][mx] {
					c = color.Gray{0}
				}
				img.SetGray(x, y, c)
			}
		}
		path := filepath.Join(t.TempDir(), "qr.png")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, img); err != nil {
			t.Fatal(err)
		}
		f.Close()
		out, err := exec.Command(zbar, "--raw", "-q", path).Output()
		if err != nil {
			t.Fatalf("zbarimg could not read the code of %q: %v", text[:20], err)
		}
		if got := strings.TrimRight(string(out), "\n"); got != text {
			t.Fatalf("zbarimg read %q, want %q", got, text)
		}
	}
}
