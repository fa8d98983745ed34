package signature

import (
	"strings"
	"unsafe"

	"github.com/bulwarkhq/bulwark/internal/decode"
	"github.com/bulwarkhq/bulwark/threat"
)

// formatProbes reports a format-string probe (formatProbe) in the value,
// or in its raw form decoded once. The value's decoder undoes escapes
// until none is left, and turns the "%08" of "%2508x" into a byte, where a
// backend that decodes once hands "%08x" to its printf. The raw form is
// read when it holds such a conversion (eatenSpec): escaped once in a
// URL-encoded form, as it is in one that is no escaped text (a JSON or XML
// string, whose "%08x" the value's decoder took for an escape).
func formatProbes(in *input, seen *rules, hit *bool, dst []threat.Signal) []threat.Signal {
	if in.m&cPercent != 0 {
		if i, j, ok := formatProbe(in.value); ok && seen.mark(hit, travFormat) {
			return append(dst, signal(nameTraversal, "probe.format_string", 0.99, in, i, j))
		}
	}
	// The decoder makes a control byte of the escapes from 00 to 1f
	// ("%08x", "%10$n"), a high byte of those from 80, and a positional
	// %n keeps its '$', as the runs it spoils keep their dots. Widths
	// from 20 to 7f ("%64x.") become letters and digits: those are not
	// looked for, so that the raw form of most values with a dot, which
	// payload lists escape twice as often as not, is not searched.
	r := in.raw
	if r == "" || in.m&(cDot|cDollar) == 0 || in.m&(cCtl|cHigh|cDollar) == 0 || len(r) == len(in.value) && r == in.value {
		return dst
	}
	switch in.src {
	case threat.SourceQuery, threat.SourceForm, threat.SourceCookie, threat.SourcePath, threat.SourceHeader:
		if !eatenSpec(r, "%25") {
			return dst
		}
		r = decode.Percent(r, in.src == threat.SourceQuery || in.src == threat.SourceForm)
	default:
		if !eatenSpec(r, "%") {
			return dst
		}
	}
	if i, j, ok := formatProbe(r); ok && seen.mark(hit, travFormat) {
		x := input{src: in.src, name: in.name, value: r, via: in.via}
		return append(dst, signal(nameTraversal, "probe.format_string", 0.99, &x, i, j))
	}
	return dst
}

// eatenSpec reports whether s holds, after prefix ("%", or "%25" in a
// URL-encoded s), a conversion that starts with two hex digits ("%08x",
// "%2510$n", "%0d", "%A0": its flags, width, position or conversion,
// which the decoder reads as an escape) and that is a positional %n or
// next to a dot or another conversion: the runs of formatProbe that the
// value's repeated decoding turns into bytes. Most escapes are spaces and
// quotes ("%20or", "%2527") before a word, which it passes by without
// decoding s.
func eatenSpec(s, prefix string) bool {
	escaped := prefix != "%"
	for i := strings.Index(s, prefix); i >= 0; {
		j := i + len(prefix)
		if j+1 < len(s) && isHex(s[j]) && isHex(s[j+1]) {
			// the conversion as a backend that decodes once reads it, from
			// a window of s decoded into a buffer on the stack
			var buf [40]byte
			w := specWindow(&buf, s, j, len(s), escaped)
			if end, conv, _, positional := formatSpec(w, 0); end > 0 {
				if positional && conv == 'n' || end < len(w) && (w[end] == '.' || w[end] == '|' || w[end] == '%') ||
					dotBefore(s, i) || specBefore(s, i, prefix) {
					return true
				}
			}
		}
		k := strings.Index(s[j:], prefix)
		if k < 0 {
			break
		}
		i = j + k
	}
	return false
}

// specWindow writes '%' and s[from:to], its escapes decoded once when
// escaped, to buf, as far as it holds, and returns what it wrote.
func specWindow(buf *[40]byte, s string, from, to int, escaped bool) string {
	buf[0] = '%'
	n := 1
	for k := from; n < len(buf) && k < to; n++ {
		if c := s[k]; escaped && c == '%' && k+2 < to && isHex(s[k+1]) && isHex(s[k+2]) {
			buf[n] = unhex1(s[k+1])<<4 | unhex1(s[k+2])
			k += 3
		} else {
			buf[n] = c
			k++
		}
	}
	return unsafe.String(&buf[0], n)
}

// specBefore reports whether a conversion ends at s[i], one that starts
// with prefix at most 24 bytes before it.
func specBefore(s string, i int, prefix string) bool {
	if i == 0 || fmtClass[s[i-1]]&fmtConv == 0 {
		return false
	}
	p := strings.LastIndex(s[max(0, i-24):i], prefix)
	if p < 0 {
		return false
	}
	p += max(0, i-24)
	var buf [40]byte
	w := specWindow(&buf, s, p+len(prefix), i, prefix != "%")
	end, _, _, _ := formatSpec(w, 0)
	return end == len(w)
}

// dotBefore reports whether s holds a '.' or a '|', or its escape, before i.
func dotBefore(s string, i int) bool {
	if i > 0 && (s[i-1] == '.' || s[i-1] == '|') {
		return true
	}
	if i < 3 || s[i-3] != '%' {
		return false
	}
	c := s[i-1] | 0x20
	return s[i-2] == '2' && c == 'e' || s[i-2] == '7' && c == 'c'
}

// formatProbe finds a format-string probe (CWE-134): what a value holds
// to make a C printf that takes it as its format read the stack ("%x%x%x%x",
// "%p%p%p%p", "%08x.%08x.%08x.%08x") or write through it ("%s%s%s%s" to
// crash, "AAAA%10$n"). It reports where the first such run starts and
// ends:
//
//   - four conversions or more one after the other, none with a width or
//     a precision: code that formats on purpose pads its fields
//     ("%02x%02x%02x%02x" prints a MAC address), a probe does not;
//   - four conversions or more, with any width, each after a '.', or
//     with a width each after a '|': the stack dumps of the exploit
//     write-ups ("%08x.%08x.", "|%8.8x|%8.8x|"; a template's "%s|%s" is
//     not one);
//   - a positional %n ("%10$n", "%7$hn"), which writes to an argument
//     chosen by number, which no format but an exploit's asks for.
//
// Conversions apart ("%s, %s, %s" in an SQL template, "%d %s" in a log
// line) and date formats ("%Y-%m-%d", "%H%M%S") are none of these.
func formatProbe(v string) (int, int, bool) {
	// the run being read: where it starts, where its last conversion
	// ends, how many it holds, and how they are joined
	const (
		single      = iota // one conversion without a width
		singleWidth        // one with a width or a precision
		adjacent           // several, one after the other
		dotted             // several, each after a '.'
		piped              // several with a width, each after a '|'
	)
	start, end, n, kind := 0, -1, 0, single
	for i := strings.IndexByte(v, '%'); i >= 0; {
		e, conv, width, positional := formatSpec(v, i)
		if e < 0 {
			k := strings.IndexByte(v[i+1:], '%')
			if k < 0 {
				break
			}
			i += k + 1
			continue
		}
		if positional && conv == 'n' {
			return i, e, true
		}
		switch {
		case n > 0 && i == end && !width && (kind == single || kind == adjacent):
			n, kind = n+1, adjacent // "%x%x"
		case n > 0 && i == end+1 && v[end] == '.' && (kind == single || kind == singleWidth || kind == dotted):
			n, kind = n+1, dotted // "%08x.%08x"
		case n > 0 && i == end+1 && v[end] == '|' && width && (kind == singleWidth || kind == piped):
			n, kind = n+1, piped // "%8.8x|%8.8x"
		default:
			start, n, kind = i, 1, single
			if width {
				kind = singleWidth
			}
		}
		end = e
		if n >= 4 {
			return start, end, true
		}
		k := strings.IndexByte(v[e:], '%')
		if k < 0 {
			break
		}
		i = e + k
	}
	return -1, -1, false
}

// formatSpec reads a printf conversion at v[i] (a '%'): an argument
// position ("3$"), flags, a width, a precision, a length and the
// conversion. It returns where the conversion ends (-1 when there is
// none), the conversion, whether it has a width or a precision, and
// whether it names its argument's position. Numbers are read up to ten
// digits.
func formatSpec(v string, i int) (end int, conv byte, width, positional bool) {
	j := i + 1
	if j < len(v) && fmtClass[v[j]]&fmtConv != 0 {
		return j + 1, v[j], false, false // "%x", most of a probe
	}
	if j < len(v) && fmtClass[v[j]]&(fmtDigit|fmtFlag|fmtDot|fmtLen) == 0 {
		return -1, 0, false, false // "%20" in prose, "50% off"
	}
	k := j
	for j < len(v) && j-k < 10 && fmtClass[v[j]]&fmtDigit != 0 {
		j++
	}
	if j > k {
		if j < len(v) && v[j] == '$' {
			positional = true
			j++
		} else {
			j = k // a width, read below
		}
	}
	for k = j; j < len(v) && j-k < 8 && fmtClass[v[j]]&fmtFlag != 0; j++ {
	}
	for k = j; j < len(v) && j-k < 10 && fmtClass[v[j]]&fmtDigit != 0; j++ {
	}
	if j > k {
		width = true
	} else if j < len(v) && v[j] == '*' {
		width = true
		j++
	}
	if j < len(v) && v[j] == '.' {
		width = true
		j++
		if j < len(v) && v[j] == '*' {
			j++
		} else {
			for k = j; j < len(v) && j-k < 10 && fmtClass[v[j]]&fmtDigit != 0; j++ {
			}
		}
	}
	for k = j; j < len(v) && j-k < 2 && fmtClass[v[j]]&fmtLen != 0; j++ {
	}
	if j >= len(v) || fmtClass[v[j]]&fmtConv == 0 {
		return -1, 0, false, false
	}
	return j + 1, v[j], width, positional
}

// The classes of the bytes of a printf conversion, for formatSpec.
const (
	fmtConv  = 1 << iota // d i o u x X e E f F g G a A c s p n
	fmtDigit             // 0-9
	fmtFlag              // - + space # 0
	fmtDot               // '.' and '*'
	fmtLen               // h l L q j z t
)

var fmtClass = func() (t [256]uint8) {
	for _, c := range []byte("diouxXeEfFgGaAcspn") {
		t[c] |= fmtConv
	}
	for c := '0'; c <= '9'; c++ {
		t[c] |= fmtDigit
	}
	for _, c := range []byte("-+ #0") {
		t[c] |= fmtFlag
	}
	t['.'] |= fmtDot
	t['*'] |= fmtDot
	for _, c := range []byte("hlLqjzt") {
		t[c] |= fmtLen
	}
	return t
}()
