// Package fuzzseed seeds the adapters' fuzz targets with their real
// payload files, so fuzzing starts from what the platforms send.
package fuzzseed

import (
	"os"
	"path/filepath"
	"testing"
)

// Add adds every file matching the glob patterns (testdata/*.json) to f's
// corpus. A pattern matching nothing adds nothing; an unreadable file fails.
func Add(f *testing.F, patterns ...string) {
	f.Helper()
	for _, pattern := range patterns {
		files, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, name := range files {
			b, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
}
