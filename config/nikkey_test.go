package config_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aduan-gateway/aduan/config"
)

func loadWithDataDir(t *testing.T, dir string, extra map[string]string) *config.Config {
	t.Helper()
	m := map[string]string{"ADUAN_DATA_DIR": dir}
	for k, v := range extra {
		m[k] = v
	}
	c, err := config.LoadFrom(env(m), false)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestNIKKeyCreatedThenReloaded(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data") // does not exist yet
	c := loadWithDataDir(t, dir, nil)

	k1, err := c.NIKKey()
	if err != nil {
		t.Fatalf("first NIKKey: %v", err)
	}
	if len(k1) != 32 {
		t.Fatalf("key is %d bytes, want 32", len(k1))
	}
	if bytes.Equal(k1, make([]byte, 32)) {
		t.Fatal("key is all zeros")
	}
	path := filepath.Join(dir, "secrets", "nik.key")
	if c.NIKKeyPath() != path {
		t.Errorf("NIKKeyPath = %s, want %s", c.NIKKeyPath(), path)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("key file not created: %v", err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %04o, want 0600", fi.Mode().Perm())
	}
	if di, err := os.Stat(filepath.Dir(path)); err != nil || di.Mode().Perm() != 0o700 {
		t.Errorf("secrets folder: %v, mode %04o, want 0700", err, di.Mode().Perm())
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("secrets folder holds %d entries, want only nik.key", len(entries))
	}

	// A new process (a new Config) with the same data dir gets the same key.
	k2, err := loadWithDataDir(t, dir, nil).NIKKey()
	if err != nil {
		t.Fatalf("reload: %v", err)
	}
	if !bytes.Equal(k1, k2) {
		t.Error("reloaded key differs from the created one")
	}

	// Another data dir gets another key.
	k3, err := loadWithDataDir(t, t.TempDir(), nil).NIKKey()
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(k1, k3) {
		t.Error("two data dirs share a key")
	}
}

func TestNIKKeyConcurrentCreation(t *testing.T) {
	dir := t.TempDir()
	const n = 16
	keys := make([][]byte, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			keys[i], errs[i] = loadWithDataDir(t, dir, nil).NIKKey()
		})
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("creator %d: %v", i, errs[i])
		}
		if !bytes.Equal(keys[i], keys[0]) {
			t.Fatalf("creator %d got a different key", i)
		}
	}
}

func TestNIKKeyConfigured(t *testing.T) {
	tests := []struct {
		name string
		key  string
	}{
		{"hex", hexKey},
		{"hex upper case", strings.ToUpper(hexKey)},
		{"base64", b64Key},
		{"base64 raw", strings.TrimRight(b64Key, "=")},
		{"base64 url", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			k, err := loadWithDataDir(t, dir, map[string]string{"ADUAN_NIK_KEY": tc.key}).NIKKey()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(k, keyBytes()) {
				t.Errorf("key = %x, want %x", k, keyBytes())
			}
			if _, err := os.Stat(filepath.Join(dir, "secrets")); !os.IsNotExist(err) {
				t.Error("a configured key still created the secrets folder")
			}
		})
	}
}

func TestNIKKeyFileChecks(t *testing.T) {
	tests := []struct {
		name    string
		content string
		mode    os.FileMode
		wantErr string
	}{
		{"readable by others", hexKey + "\n", 0o644, "readable by other users; run chmod 600"},
		{"wrong length", "abcd\n", 0o600, "key is 4 hex digits, want 64"},
		{"empty", "", 0o600, "key is 0 bytes, want 32"},
		{"operator's base64 key", b64Key + "\n", 0o600, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "secrets", "nik.key")
			if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(tc.content), tc.mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tc.mode); err != nil { // umask-proof
				t.Fatal(err)
			}
			k, err := loadWithDataDir(t, dir, nil).NIKKey()
			if tc.wantErr == "" {
				if err != nil || !bytes.Equal(k, keyBytes()) {
					t.Fatalf("NIKKey = %x, %v; want the file's key", k, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error = %v, want one containing %q", err, tc.wantErr)
			}
			if b, _ := os.ReadFile(path); string(b) != tc.content {
				t.Error("a bad key file was overwritten")
			}
		})
	}
}
