// Package bearer makes and stores the secrets machines present as "Authorization: Bearer":
// ingestion tokens and API keys. A secret is a recognisable prefix (so one pasted in the wrong
// place is findable by secret scanners) and 256 random bits; only its hash is stored.
package bearer

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
)

// Length is the length of a secret made with prefix.
func Length(prefix string) int { return len(prefix) + base64.RawURLEncoding.EncodedLen(32) }

// New returns a fresh secret starting with prefix: the only time it exists in clear.
func New(prefix string) (string, error) {
	var random [32]byte
	if _, err := rand.Read(random[:]); err != nil {
		return "", err
	}
	return prefix + base64.RawURLEncoding.EncodeToString(random[:]), nil
}

// Hash is what is stored for a secret: with 256 random bits, a plain SHA-256 cannot be
// reversed by guessing, and looking a secret up costs one index probe.
func Hash(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}
