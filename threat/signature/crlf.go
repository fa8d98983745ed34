package signature

import (
	"strings"

	"github.com/bulwarkhq/bulwark/threat"
)

// scanCRLF finds header injection and response splitting: a line break in
// a header value, or a line break followed by a header line in a value an
// application could copy into a response header.

const (
	crlfHeader = iota
)

func scanCRLF(in *input, seen *rules, dst []threat.Signal) ([]threat.Signal, bool) {
	var hit bool
	if in.m&cNL == 0 {
		return dst, hit
	}
	if in.src == threat.SourceHeader {
		if seen.mark(&hit, crlfHeader) {
			i := strings.IndexAny(in.value, "\r\n")
			dst = append(dst, signal(NameCRLF, "crlf.header", 0.99, in, i, i+1))
		}
		return dst, hit
	}
	if j := injectedHeader(in.value); j >= 0 && seen.mark(&hit, crlfHeader) {
		dst = append(dst, signal(NameCRLF, "crlf.header", 0.99, in, j, j+24))
	}
	return dst, hit
}

// injectedHeader finds a line break followed by a header line ("Name:
// value") or a status line, as a value copied into a response header would
// smuggle in. It returns the index of the break.
func injectedHeader(v string) int {
	for i := 0; i < len(v); i++ {
		if v[i] != '\r' && v[i] != '\n' {
			continue
		}
		j := i + 1
		for j < len(v) && (v[j] == '\r' || v[j] == '\n') {
			j++
		}
		k := j
		for k < len(v) && k-j < 40 && (tchar(v[k]) && v[k] != ':') {
			k++
		}
		if k > j && k < len(v) && v[k] == ':' {
			name := strings.ToLower(v[j:k])
			switch {
			case name == "set-cookie", name == "location", name == "content-type", name == "content-length",
				name == "refresh", name == "host", name == "cookie", name == "transfer-encoding",
				name == "content-security-policy", name == "access-control-allow-origin", name == "x-xss-protection",
				strings.HasPrefix(name, "x-"), strings.HasPrefix(name, "content-"):
				return i
			}
		}
		if strings.HasPrefix(strings.ToLower(v[j:]), "http/1.") {
			return i
		}
	}
	return -1
}
