package signature

import (
	"bytes"

	"github.com/bulwarkhq/bulwark/threat"
)

// scanXXE finds XML external entities and document type tricks: entity
// declarations with SYSTEM or PUBLIC identifiers, XInclude, and DOCTYPEs.

const (
	xxeEntity = iota
)

var (
	xxeWords = words("<!entity", "<!doctype", "<xi:include", "xmlns:xi=", "<!element", "<!attlist", "system \"", "system '")
)

func scanXXE(in *input, seen *rules, dst []threat.Signal) ([]threat.Signal, bool) {
	var hit bool
	var stack [512]byte
	if in.m&cLT == 0 {
		return dst, hit
	}
	lo := lower(stack[:0], in.value)
	if mt, ok := findAny(lo, xxeWords, false); ok && seen.mark(&hit, xxeEntity) {
		conf, rule := 0.7, "xxe.doctype" // a DOCTYPE alone
		if mt.k == 0 || bytes.Contains(lo, []byte(" system ")) || bytes.Contains(lo, []byte(" public ")) || mt.k == 2 {
			conf, rule = 0.99, "xxe.entity"
		}
		dst = append(dst, signal(NameXXE, rule, conf, in, mt.i, mt.j))
	}
	return dst, hit
}
