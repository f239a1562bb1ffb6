package meta

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// SignatureHeader carries Meta's HMAC-SHA256 of the raw webhook body, keyed
// with the app secret, as "sha256=<hex>". The older X-Hub-Signature (SHA-1)
// is not accepted.
const SignatureHeader = "X-Hub-Signature-256"

// Sign returns the SignatureHeader value Meta would send for body.
func Sign(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// validSignature checks header against body in constant time. An empty
// secret never validates, so a misconfigured adapter publishes nothing.
func validSignature(secret []byte, header string, body []byte) bool {
	if len(secret) == 0 {
		return false
	}
	hexSum, ok := strings.CutPrefix(strings.TrimSpace(header), "sha256=")
	if !ok {
		return false
	}
	got, err := hex.DecodeString(hexSum)
	if err != nil || len(got) != sha256.Size {
		return false
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return hmac.Equal(got, mac.Sum(nil))
}
