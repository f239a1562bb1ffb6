package web

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// whatsmeow's pairing code: ref,noise key,identity key,adv secret (base64).
const pairingCode = "2@Yk3Rk7bQ1pZs0xVWnQmJ1c3RhIHRlc3QgcmVmZXJlbmNlIHN0cmluZyBmb3IgcGFpcmluZw==,Wn9d1lqE4yBk2m5hQ0p8cXh3T1ZyS2l0U2dBbGxVZz0=,cHViS2V5SWRlbnRpdHlGb3JUZXN0c09ubHlBQUFBQUE=,YWR2U2VjcmV0Rm9yVGVzdHNPbmx5QUFBQUFBQUFBQUE="

// TestQRSVG reads the drawn modules back from the SVG and checks what a
// scanner needs: a square of a QR version's size with its quiet zone, and
// the three finder patterns in their corners.
func TestQRSVG(t *testing.T) {
	svg, err := qrSVG(pairingCode)
	if err != nil {
		t.Fatal(err)
	}
	view := regexp.MustCompile(`viewBox="0 0 (\d+) (\d+)"`).FindStringSubmatch(string(svg))
	if view == nil || view[1] != view[2] {
		t.Fatalf("no square viewBox in %.200s", svg)
	}
	var dim int
	fmt.Sscan(view[1], &dim)
	size := dim - 8 // the quiet zone is four modules on each side
	if (size-17)%4 != 0 || size < 21 {
		t.Fatalf("%d modules is no QR version's size", size)
	}
	dark := map[[2]int]bool{}
	for _, m := range regexp.MustCompile(`M(\d+) (\d+)h1v1h-1z`).FindAllStringSubmatch(string(svg), -1) {
		var x, y int
		fmt.Sscan(m[1], &x)
		fmt.Sscan(m[2], &y)
		if x < 4 || y < 4 || x >= dim-4 || y >= dim-4 {
			t.Fatalf("dark module (%d,%d) in the quiet zone", x, y)
		}
		dark[[2]int{x - 4, y - 4}] = true
	}
	for _, corner := range [][2]int{{0, 0}, {size - 7, 0}, {0, size - 7}} {
		for dy := range 7 {
			for dx := range 7 {
				ring := max(abs(dx-3), abs(dy-3))
				want := ring != 2 // dark outer ring, light ring, dark 3×3 centre
				if got := dark[[2]int{corner[0] + dx, corner[1] + dy}]; got != want {
					t.Fatalf("finder at %v: module (%d,%d) dark=%v, want %v", corner, dx, dy, got, want)
				}
			}
		}
	}
	if _, err := qrSVG(strings.Repeat("x", 3000)); err == nil {
		t.Error("a text too long for any QR code was drawn")
	}
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
