// Package keyset writes and reads the cursors of newest-first listings: the position of the
// last row of a page, (created_at, id), from which the next page continues. A page read from a
// position is stable while new rows arrive (they sort before it), and no row is skipped or
// repeated. A cursor is bound to the listing it came from (its scope: the filters, or the
// user) by a fingerprint, so one that was garbled, edited or carried over to another listing
// is refused rather than followed. The fingerprint is not a signature: whoever computes one
// for a position of their choosing only reaches rows the same listing shows them anyway.
package keyset

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"time"

	"github.com/google/uuid"
)

// Position is the last row of a page.
type Position struct {
	At time.Time // kept to the microsecond, as PostgreSQL keeps timestamps
	ID uuid.UUID
}

// ErrBadCursor is every cursor Decode refuses.
var ErrBadCursor = errors.New("the cursor (page link) is not one this listing gave out: start again from the newest, and pass each answer's next cursor on unchanged")

const (
	version     = 1
	fingerprint = 8
	size        = 1 + 8 + 16 + fingerprint
)

// Encode is the cursor of p in the listing named scope.
func Encode(p Position, scope string) string {
	b := make([]byte, 0, size)
	b = append(b, version)
	b = binary.BigEndian.AppendUint64(b, uint64(p.At.UnixMicro()))
	b = append(b, p.ID[:]...)
	b = append(b, sum(b, scope)...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Decode reads a cursor Encode made for the same scope; any other string is ErrBadCursor.
func Decode(s, scope string) (Position, error) {
	// The exact length first: the decoder would skip line breaks, and one position must have
	// one cursor.
	if len(s) != base64.RawURLEncoding.EncodedLen(size) {
		return Position{}, ErrBadCursor
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil || len(b) != size || b[0] != version {
		return Position{}, ErrBadCursor
	}
	body, fp := b[:size-fingerprint], b[size-fingerprint:]
	if string(sum(body, scope)) != string(fp) {
		return Position{}, ErrBadCursor
	}
	var p Position
	p.At = time.UnixMicro(int64(binary.BigEndian.Uint64(body[1:9]))).UTC()
	copy(p.ID[:], body[9:25])
	return p, nil
}

func sum(body []byte, scope string) []byte {
	h := sha256.New()
	h.Write(body)
	h.Write([]byte(scope))
	return h.Sum(nil)[:fingerprint]
}
