// Package pdftext reads the text of a PDF the way a person's viewer shows
// it, with Debian's pdftotext (poppler-utils), for tests of the documents
// Aduan issues.
package pdftext

import (
	"bytes"
	"os"
	"os/exec"
	"testing"
)

// Read returns pdf's text laid out as on the page (-layout), pages ending
// in a form feed. Without pdftotext the test fails under CI (CI set) and
// skips elsewhere; a warning from poppler (a malformed file) fails it.
func Read(t testing.TB, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftotext not found (apt-get install poppler-utils)")
		}
		t.Skip("pdftotext not found (apt-get install poppler-utils)")
	}
	cmd := exec.Command(bin, "-layout", "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v: %s", err, stderr.String())
	}
	if stderr.Len() > 0 {
		t.Errorf("pdftotext warned: %s", stderr.String())
	}
	return string(out)
}
