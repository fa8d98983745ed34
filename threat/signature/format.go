package signature

import (
	"strings"

	"github.com/bulwarkhq/bulwark/internal/decode"
	"github.com/bulwarkhq/bulwark/threat"
)

// formatProbes reports a format-string probe (formatProbe) in the value,
// or in its raw form decoded once: the value's decoder undoes escapes
// until none is left, and turns the "%08" of "%2508x" into a byte, where
// a backend that decodes once hands "%08x" to its printf. A raw form that
// is no escaped text (a JSON or XML string, whose '%' the value's decoder
// took for escapes) is read as it is.
func formatProbes(in *input, seen *rules, hit *bool, dst []threat.Signal) []threat.Signal {
	if in.m&cPercent != 0 {
		if i, j, ok := formatProbe(in.value); ok && seen.mark(hit, travFormat) {
			return append(dst, signal(nameTraversal, "probe.format_string", 0.99, in, i, j))
		}
	}
	r := in.raw
	if r == "" || r == in.value || len(r) > 8<<10 || strings.IndexByte(r, '%') < 0 {
		return dst
	}
	switch in.src {
	case threat.SourceQuery, threat.SourceForm, threat.SourceCookie:
		if !strings.Contains(r, "%25") {
			return dst // its escapes decode to bytes other than '%'
		}
		r = decode.Percent(r, in.src != threat.SourceCookie)
	}
	if i, j, ok := formatProbe(r); ok && seen.mark(hit, travFormat) {
		x := input{src: in.src, name: in.name, value: r, via: in.via}
		return append(dst, signal(nameTraversal, "probe.format_string", 0.99, &x, i, j))
	}
	return dst
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
//   - four conversions or more, with any width, each after a '.': the
//     dotted stack dump of the exploit write-ups;
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
		case n > 0 && i == end+1 && v[end] == '.' && kind != adjacent:
			n, kind = n+1, dotted // "%08x.%08x"
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
// whether it names its argument's position.
func formatSpec(v string, i int) (end int, conv byte, width, positional bool) {
	j := i + 1
	digits := func() int {
		k := j
		for j < len(v) && j-k < 10 && '0' <= v[j] && v[j] <= '9' {
			j++
		}
		return j - k
	}
	if d := digits(); d > 0 {
		if j < len(v) && v[j] == '$' {
			positional = true
			j++
		} else {
			j -= d // a width, read below
		}
	}
	for j < len(v) && strings.IndexByte("-+ #0", v[j]) >= 0 && j-i < 8 {
		j++
	}
	if digits() > 0 {
		width = true
	} else if j < len(v) && v[j] == '*' {
		width = true
		j++
	}
	if j < len(v) && v[j] == '.' {
		j++
		if j < len(v) && v[j] == '*' {
			j++
		} else {
			digits()
		}
		width = true
	}
	for k := 0; k < 2 && j < len(v) && strings.IndexByte("hlLqjzt", v[j]) >= 0; k++ {
		j++
	}
	if j >= len(v) || strings.IndexByte("diouxXeEfFgGaAcspn", v[j]) < 0 {
		return -1, 0, false, false
	}
	return j + 1, v[j], width, positional
}
