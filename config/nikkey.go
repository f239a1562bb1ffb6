package config

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// NIKKeySize is the length in bytes of the NIK key (AES-256).
const NIKKeySize = 32

// NIKKey returns the 32-byte key that encrypts NIKs at rest (AES-GCM) and
// keys their look-up hash. It is ADUAN_NIK_KEY when set. Otherwise it is
// read from NIKKeyPath, which is created on first use with a new random key
// (mode 0600, in a 0700 folder); later calls, and later runs with the same
// data dir, return the same key. Two processes creating it at once end up
// with the same key.
//
// Whoever derives several keys from it (encryption, hashing) should do so
// with a labelled derivation, not use it twice as is.
func (c *Config) NIKKey() ([]byte, error) {
	if c.NIKKeyEncoded != "" {
		k, err := parseNIKKey(c.NIKKeyEncoded)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", KeyNIKKey, err)
		}
		return k, nil
	}
	return loadOrCreateKey(c.NIKKeyPath(), "NIK key")
}

// NIKKeyPath is where the generated NIK key is kept when ADUAN_NIK_KEY is
// not set: <data dir>/secrets/nik.key.
func (c *Config) NIKKeyPath() string {
	return filepath.Join(c.DataDir, "secrets", "nik.key")
}

// parseNIKKey decodes a key written as hex or base64 (standard or URL
// alphabet, padded or not) and checks its length. Errors never quote the key.
func parseNIKKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	// Hex first: 64 hex digits are also valid base64. A raw base64 key of
	// 43 characters could, very rarely, consist of hex digits only.
	if isHex(s) && len(s) != 43 {
		if len(s) != 2*NIKKeySize {
			return nil, fmt.Errorf("key is %d hex digits, want %d", len(s), 2*NIKKeySize)
		}
		return hex.DecodeString(s)
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		k, err := enc.DecodeString(s)
		if err != nil {
			continue
		}
		if len(k) != NIKKeySize {
			return nil, fmt.Errorf("key is %d bytes, want %d (64 hex digits or 44 base64 characters)", len(k), NIKKeySize)
		}
		return k, nil
	}
	return nil, fmt.Errorf("key is neither hex nor base64; want %d bytes as 64 hex digits or base64", NIKKeySize)
}

func isHex(s string) bool {
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return s != ""
}

// loadOrCreateKey reads the key file at path, creating it with a new random
// 32-byte key if it does not exist; what names the key in errors. The file is written whole under a temporary name
// and then hard-linked into place, so no reader ever sees a partial key and
// a concurrent creator's key wins consistently.
func loadOrCreateKey(path, what string) ([]byte, error) {
	k, err := readKeyFile(path, what)
	if !errors.Is(err, fs.ErrNotExist) {
		return k, err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating %s folder: %w", what, err)
	}
	k = make([]byte, NIKKeySize)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("generating %s: %w", what, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+"-*") // mode 0600
	if err != nil {
		return nil, fmt.Errorf("creating %s: %w", what, err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(hex.EncodeToString(k) + "\n")
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("writing %s: %w", what, err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return readKeyFile(path, what) // another process was first
		}
		return nil, fmt.Errorf("creating %s: %w", what, err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // make the new name durable; best effort
		d.Close()
	}
	return k, nil
}

// readKeyFile reads and checks a key file. A file other users can read is
// refused: it holds the key to every stored NIK, or to NATS.
func readKeyFile(path, what string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%s file %s has mode %04o, readable by other users; run chmod 600 %s", what, path, fi.Mode().Perm(), path)
	}
	b, err := io.ReadAll(io.LimitReader(f, 4096))
	if err != nil {
		return nil, fmt.Errorf("reading %s file %s: %w", what, path, err)
	}
	k, err := parseNIKKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("%s file %s: %w", what, path, err)
	}
	return k, nil
}
