package main

import "testing"

// TestComplaintOutputNeutralisesTerminalControls: what citizens wrote is
// printed by "aduan complaint show|list" without escape sequences or
// direction overrides that would rewrite the officer's terminal.
func TestComplaintOutputNeutralisesTerminalControls(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain text kept", "Bantuan PKH belum cair\n\tsejak Mei", "Bantuan PKH belum cair\n\tsejak Mei"},
		{"clear-screen escape", "\x1b[2J\x1b[HSiti", "?[2J?[HSiti"},
		{"title-setting OSC", "\x1b]0;pwned\x07Budi", "?]0;pwned?Budi"},
		{"C1 CSI", "a\u009b31mb", "a?31mb"},
		{"carriage return overwrite", "aman\rBAHAYA", "aman?BAHAYA"},
		{"right-to-left override", "berkas\u202egpj.exe", "berkas?gpj.exe"},
		{"bidi isolates", "\u2066x\u2069", "?x?"},
		{"Indonesian and Arabic letters kept", "Siti Aminah سيتي", "Siti Aminah سيتي"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := printable(tt.in); got != tt.want {
				t.Fatalf("printable(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
