package signature

import (
	"bytes"

	"github.com/bulwarkhq/bulwark/threat"
)

// scanSSI finds server-side include directives (<!--#exec cmd="...",
// <!--#include virtual=..., <!--#echo var=...) and edge-side includes.

const (
	ssiDirective = iota
)

func scanSSI(in *input, seen *rules, dst []threat.Signal) ([]threat.Signal, bool) {
	var hit bool
	if in.m&cLT == 0 {
		return dst, hit
	}
	if i := bytes.Index([]byte(in.value), []byte("<!--#")); i >= 0 && seen.mark(&hit, ssiDirective) {
		dst = append(dst, signal(NameSSI, "ssi.directive", 0.99, in, i, i+10))
	}
	return dst, hit
}
