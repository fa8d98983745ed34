package event

import (
	"errors"
	"time"
)

// ID identifies one event across the fleet. Its 16 bytes are 48 bits of
// Unix milliseconds (the request's time), 32 bits naming the instance and a
// 48-bit sequence of that instance, so IDs sort by time and two instances
// never collide (unless their 32-bit names do, about one pair in 65,000 for
// a fleet of 100 instances at the same millisecond and sequence). Its text
// form is the 26-character Crockford base32 of a ULID, so tools that read
// ULIDs read it.
type ID [16]byte

// MakeID builds the ID of the seq-th event of instance at t.
func MakeID(t time.Time, instance uint32, seq uint64) ID {
	var id ID
	ms := uint64(t.UnixMilli())
	id[0], id[1], id[2], id[3], id[4], id[5] = byte(ms>>40), byte(ms>>32), byte(ms>>24), byte(ms>>16), byte(ms>>8), byte(ms)
	id[6], id[7], id[8], id[9] = byte(instance>>24), byte(instance>>16), byte(instance>>8), byte(instance)
	id[10], id[11], id[12], id[13], id[14], id[15] = byte(seq>>40), byte(seq>>32), byte(seq>>24), byte(seq>>16), byte(seq>>8), byte(seq)
	return id
}

// IsZero reports whether id is the zero ID (no event).
func (id ID) IsZero() bool { return id == ID{} }

// Time returns the millisecond time carried by id.
func (id ID) Time() time.Time {
	ms := int64(id[0])<<40 | int64(id[1])<<32 | int64(id[2])<<24 | int64(id[3])<<16 | int64(id[4])<<8 | int64(id[5])
	return time.UnixMilli(ms).UTC()
}

const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// AppendText appends the 26-character text form of id to dst.
func (id ID) AppendText(dst []byte) []byte {
	// 128 bits as 26 base32 digits: the first digit holds the top 3 bits.
	var out [26]byte
	var hi, lo uint64
	for i := 0; i < 8; i++ {
		hi = hi<<8 | uint64(id[i])
		lo = lo<<8 | uint64(id[i+8])
	}
	for i := 25; i >= 0; i-- {
		out[i] = crockford[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return append(dst, out[:]...)
}

// String returns the 26-character text form of id.
func (id ID) String() string { return string(id.AppendText(nil)) }

// MarshalText implements encoding.TextMarshaler.
func (id ID) MarshalText() ([]byte, error) { return id.AppendText(nil), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (id *ID) UnmarshalText(b []byte) error {
	v, err := ParseID(string(b))
	if err != nil {
		return err
	}
	*id = v
	return nil
}

// ErrBadID is returned by ParseID for text that is not an event ID.
var ErrBadID = errors.New("event: malformed event id")

// ParseID parses the text form of an ID. It accepts lower case and the
// Crockford aliases (I and L for 1, O for 0).
func ParseID(s string) (ID, error) {
	if len(s) != 26 {
		return ID{}, ErrBadID
	}
	var hi, lo uint64
	for i := 0; i < 26; i++ {
		v := digit(s[i])
		if v < 0 || (i == 0 && v > 7) {
			return ID{}, ErrBadID
		}
		hi = hi<<5 | lo>>59
		lo = lo<<5 | uint64(v)
	}
	var id ID
	for i := 7; i >= 0; i-- {
		id[i] = byte(hi)
		id[i+8] = byte(lo)
		hi >>= 8
		lo >>= 8
	}
	return id, nil
}

func digit(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'z':
		c -= 'a' - 'A'
	}
	switch c {
	case 'I', 'L':
		return 1
	case 'O':
		return 0
	case 'U':
		return -1
	}
	for i := 10; i < 32; i++ {
		if crockford[i] == c {
			return i
		}
	}
	return -1
}
