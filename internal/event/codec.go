package event

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"
)

// Limits of the wire form; DecodeBatch refuses input beyond them.
const (
	MaxString      = 1024    // bytes of one string field
	MaxFeatures    = 64      // entries of a feature vector
	MaxBatchEvents = 100_000 // events in one batch
	MaxBatchLen    = 8 << 20 // bytes of one encoded batch
)

// magic starts every encoded batch; its last byte is the format version.
// Format 2 adds the model fields (Model, Shadow, ShadowScore,
// ShadowRefused, Blocked) and Param after each event's format 1 fields;
// DecodeBatch reads both.
var magic = [4]byte{'B', 'W', 'E', 2}

// version1 is the prefix of a format 1 batch: events without model fields.
var version1 = [4]byte{'B', 'W', 'E', 1}

// Append appends the wire form of b to dst. Client keys are never encoded.
func (b *Batch) Append(dst []byte) []byte {
	dst = append(dst, magic[:]...)
	dst = appendStr(dst, b.Tenant)
	dst = appendStr(dst, b.Region)
	dst = appendStr(dst, b.Instance)
	dst = appendStr(dst, b.KeyID)
	dst = binary.AppendUvarint(dst, uint64(len(b.Events)))
	for i := range b.Events {
		dst = AppendEvent(dst, &b.Events[i])
	}
	return dst
}

// AppendEvent appends the wire form of one event (as inside a batch).
func AppendEvent(dst []byte, e *Event) []byte {
	dst = append(dst, e.ID[:]...)
	dst = binary.AppendVarint(dst, e.Time.UnixNano())
	dst = appendStr(dst, e.Pseudonym)
	dst = appendStr(dst, e.Route)
	dst = appendStr(dst, e.Method)
	dst = appendStr(dst, e.Outcome)
	dst = binary.LittleEndian.AppendUint32(dst, math.Float32bits(float32(e.Score)))
	dst = appendStr(dst, e.Level)
	n := 0
	for n < MaxReasons && e.Reasons[n] != "" {
		n++
	}
	dst = append(dst, byte(n))
	for _, r := range e.Reasons[:n] {
		dst = appendStr(dst, r)
	}
	dst = appendStr(dst, e.Family)
	dst = appendStr(dst, e.Limiter)
	f := e.Features
	if len(f) > MaxFeatures {
		f = f[:MaxFeatures]
	}
	dst = append(dst, byte(len(f)))
	for _, v := range f {
		dst = binary.LittleEndian.AppendUint32(dst, math.Float32bits(v))
	}
	// format 2
	dst = appendStr(dst, e.Model)
	dst = appendStr(dst, e.Shadow)
	var flags byte
	if e.ShadowRefused {
		flags |= flagShadowRefused
	}
	if e.Blocked {
		flags |= flagBlocked
	}
	dst = append(dst, flags)
	dst = binary.LittleEndian.AppendUint32(dst, math.Float32bits(float32(e.ShadowScore)))
	return appendStr(dst, e.Param)
}

// flags of the format 2 fields.
const (
	flagShadowRefused = 1 << iota
	flagBlocked
)

func appendStr(dst []byte, s string) []byte {
	if len(s) > MaxString {
		s = s[:MaxString]
	}
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// DecodeBatch parses an encoded batch. It never panics; every error wraps
// ErrMalformed.
func DecodeBatch(b []byte) (*Batch, error) {
	if len(b) > MaxBatchLen {
		return nil, fmt.Errorf("%w: batch of %d bytes", ErrMalformed, len(b))
	}
	if len(b) < len(magic) || [4]byte(b[:4]) != magic && [4]byte(b[:4]) != version1 {
		return nil, fmt.Errorf("%w: not a version 1 or 2 event batch", ErrMalformed)
	}
	d := decoder{b: b[4:], format: int(b[3])}
	out := &Batch{Tenant: d.str(), Region: d.str(), Instance: d.str(), KeyID: d.str()}
	n := d.uvarint()
	if d.err == nil && (n > MaxBatchEvents || n > uint64(len(d.b))/minEventLen) {
		d.fail("%d events", n)
	}
	if d.err != nil {
		return nil, d.err
	}
	out.Events = make([]Event, n)
	for i := range out.Events {
		d.event(&out.Events[i])
		if d.err != nil {
			return nil, fmt.Errorf("event %d: %w", i, d.err)
		}
	}
	if len(d.b) != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrMalformed, len(d.b))
	}
	return out, nil
}

// minEventLen is the smallest encoded event: the id, a one-byte time, ten
// empty fields or counts and the score.
const minEventLen = 16 + 1 + 10 + 4

type decoder struct {
	b   []byte
	err error
	// format is the batch's (1 or 2); 0 reads the format 2 fields when
	// bytes follow the format 1 ones (DecodeEvent)
	format int
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
	}
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail("bad length")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail("bad time")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n > len(d.b) {
		d.fail("truncated")
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) str() string {
	n := d.uvarint()
	if n > MaxString {
		d.fail("string of %d bytes", n)
		return ""
	}
	return string(d.take(int(n)))
}

func (d *decoder) f32() float32 {
	b := d.take(4)
	if b == nil {
		return 0
	}
	return math.Float32frombits(binary.LittleEndian.Uint32(b))
}

func (d *decoder) event(e *Event) {
	copy(e.ID[:], d.take(16))
	e.Time = time.Unix(0, d.varint()).UTC()
	e.Pseudonym = d.str()
	e.Route = d.str()
	e.Method = d.str()
	e.Outcome = d.str()
	s := d.f32()
	if s != s || s < 0 || s > 1 {
		d.fail("score %v", s)
	}
	e.Score = float64(s)
	e.Level = d.str()
	nr := d.take(1)
	if nr != nil && nr[0] > MaxReasons {
		d.fail("%d reasons", nr[0])
	}
	if d.err != nil {
		return
	}
	for i := 0; i < int(nr[0]); i++ {
		e.Reasons[i] = d.str()
	}
	e.Family = d.str()
	e.Limiter = d.str()
	nf := d.take(1)
	if nf != nil && nf[0] > MaxFeatures {
		d.fail("%d features", nf[0])
	}
	if d.err != nil {
		return
	}
	if nf[0] > 0 {
		e.Features = make([]float32, nf[0])
		for i := range e.Features {
			e.Features[i] = d.f32()
		}
	}
	if d.format == 1 || d.format == 0 && len(d.b) == 0 {
		e.Blocked = e.Outcome == OutcomeBlocked
		return
	}
	e.Model = d.str()
	e.Shadow = d.str()
	flags := d.take(1)
	if flags != nil && flags[0]&^(flagShadowRefused|flagBlocked) != 0 {
		d.fail("flags %#x", flags[0])
	}
	if d.err != nil {
		return
	}
	e.ShadowRefused = flags[0]&flagShadowRefused != 0
	e.Blocked = flags[0]&flagBlocked != 0
	s = d.f32()
	if s != s || s < -1 || s > 1 {
		d.fail("shadow score %v", s)
	}
	e.ShadowScore = float64(s)
	if d.format == 2 || d.format == 0 && len(d.b) > 0 {
		// a stored row written before Param ends at ShadowScore
		e.Param = d.str()
	}
}

// DecodeEvent parses one event in its wire form (as AppendEvent writes
// it) into e and returns the bytes after it. An event in format 1 (a row
// stored before format 2) ends with its features: when b ends there, the
// model fields stay empty.
func DecodeEvent(b []byte, e *Event) (rest []byte, err error) {
	d := decoder{b: b}
	d.event(e)
	if d.err != nil {
		return nil, d.err
	}
	return d.b, nil
}
