package body

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"io"
	"strings"
)

// Errors of Inflate and DecodeCharset.
var (
	// ErrTooLarge: the decoded body would exceed the limit; what was
	// returned is its first max bytes.
	ErrTooLarge = errors.New("body: decoded body exceeds the limit")
	// ErrUnsupported: a content coding Inflate cannot undo (br, zstd,
	// compress, an unknown name, or more than MaxCodings of them).
	ErrUnsupported = errors.New("body: unsupported content coding")
	// ErrCorrupt: the data is not in the coding it claims.
	ErrCorrupt = errors.New("body: corrupt encoded body")
)

// MaxCodings is how many content codings Inflate undoes: "gzip, gzip,
// gzip" nests compressors to multiply a zip bomb's ratio.
const MaxCodings = 3

// Inflate undoes the content codings of b listed in codings (the
// Content-Encoding values joined by commas, applied in the order given, so
// undone last first) and returns the decoded bytes, at most max of them.
// Past max it returns the first max bytes and ErrTooLarge, having
// inflated no more than max+1 bytes of any stage: a zip bomb costs its
// limit, not its size. identity and empty codings are skipped.
func Inflate(b []byte, codings string, max int) ([]byte, error) {
	var list [MaxCodings]string
	n := 0
	for _, c := range strings.Split(codings, ",") {
		c = strings.ToLower(strings.TrimSpace(c))
		if c == "" || c == "identity" {
			continue
		}
		if n == MaxCodings {
			return nil, ErrUnsupported
		}
		switch c {
		case "gzip", "x-gzip", "deflate":
		default:
			return nil, ErrUnsupported
		}
		list[n] = c
		n++
	}
	for i := n - 1; i >= 0; i-- {
		var r io.Reader
		var err error
		switch list[i] {
		case "gzip", "x-gzip":
			r, err = gzip.NewReader(bytes.NewReader(b))
		case "deflate":
			// zlib-wrapped as RFC 9110 says, or raw deflate as some clients send
			if len(b) >= 2 && (uint16(b[0])<<8|uint16(b[1]))%31 == 0 && b[0]&0x0f == 8 {
				r, err = zlib.NewReader(bytes.NewReader(b))
			} else {
				r = flate.NewReader(bytes.NewReader(b))
			}
		}
		if err != nil {
			return nil, ErrCorrupt
		}
		out, err := readMax(r, max)
		if err != nil && err != ErrTooLarge {
			if len(out) == 0 {
				return nil, ErrCorrupt
			}
			err = nil // a truncated stream: what was decoded is what a backend reads
		}
		if err == ErrTooLarge {
			return out, err
		}
		b = out
	}
	return b, nil
}

// readMax reads r to its end or to max bytes, whichever is first; past max
// it returns ErrTooLarge with the first max bytes.
func readMax(r io.Reader, max int) ([]byte, error) {
	buf := make([]byte, 0, min(max+1, 32<<10))
	for {
		if len(buf) == cap(buf) {
			grown := make([]byte, len(buf), min(2*cap(buf), max+1))
			copy(grown, buf)
			buf = grown
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if len(buf) > max {
			return buf[:max], ErrTooLarge
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}
