package signature

import (
	"testing"

	"github.com/bulwarkhq/bulwark/internal/benchtext"
	"github.com/bulwarkhq/bulwark/threat"
)

// benchProse is n bytes of English-like prose, as the threat package's
// 1 MiB body benchmarks send (internal/benchtext).
func benchProse(n int) string { return benchtext.Prose(n) }

// BenchmarkProseFamilies runs each value family over 8 KiB windows of
// prose, the work of the 1 MiB body benchmarks.
func BenchmarkProseFamilies(b *testing.B) {
	text := benchProse(64 << 10)
	fams := map[string]func(*input, *rules, []threat.Signal) ([]threat.Signal, bool){
		"sqli": scanSQLi, "xss": scanXSS, "traversal": scanTraversal, "cmdi": scanCommand, "ssrf": scanSSRF,
		"ssti": scanSSTI, "xxe": scanXXE, "nosql": scanNoSQL, "ldap": scanLDAP, "ssi": scanSSI, "crlf": scanCRLF,
		"code": scanCode,
	}
	for _, name := range Names[:numValueFamilies] {
		scan := fams[name]
		b.Run(name, func(b *testing.B) {
			var ins []input
			for off := 0; off+8<<10 <= len(text); off += 7 << 10 {
				v := text[off : off+8<<10]
				ins = append(ins, input{src: threat.SourceText, name: "", value: v, m: classify(v)})
			}
			b.SetBytes(int64(len(ins) * 8 << 10))
			for b.Loop() {
				for i := range ins {
					var seen rules
					scan(&ins[i], &seen, nil)
					ins[i].release() // as Detector.scan does
				}
			}
		})
	}
}
