package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
)

// nikCrypt encrypts NIKs at rest with AES-GCM and computes a keyed hash for
// look-up, each with its own key derived from the configured one so that the
// hash reveals nothing usable for decryption.
type nikCrypt struct {
	aead       cipher.AEAD
	hashKey    []byte
	checkValue []byte
}

func newNIKCrypt(key []byte) (*nikCrypt, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("NIK key must be 32 bytes, got %d", len(key))
	}
	block, err := aes.NewCipher(derive(key, "aduan nik encryption"))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &nikCrypt{aead: aead, hashKey: derive(key, "aduan nik lookup"), checkValue: derive(key, "aduan nik key check")}, nil
}

func derive(key []byte, purpose string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

func (c *nikCrypt) seal(nik string) []byte {
	nonce := make([]byte, c.aead.NonceSize())
	rand.Read(nonce)
	return c.aead.Seal(nonce, nonce, []byte(nik), nil)
}

func (c *nikCrypt) open(sealed []byte) (string, error) {
	n := c.aead.NonceSize()
	if len(sealed) < n {
		return "", errors.New("decrypting NIK: ciphertext too short")
	}
	plain, err := c.aead.Open(nil, sealed[:n], sealed[n:], nil)
	if err != nil {
		return "", fmt.Errorf("decrypting NIK (wrong ADUAN_NIK_KEY?): %w", err)
	}
	return string(plain), nil
}

// check is the key's check value, an HMAC of a constant under the key:
// it tells keys apart without revealing them.
func (c *nikCrypt) check() []byte { return c.checkValue }

func (c *nikCrypt) hash(nik string) []byte {
	m := hmac.New(sha256.New, c.hashKey)
	m.Write([]byte(nik))
	return m.Sum(nil)
}
