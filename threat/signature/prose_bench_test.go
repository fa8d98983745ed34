package signature

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/bulwarkhq/bulwark/threat"
)

// benchProse is n bytes of English-like prose with punctuation, as the
// threat package's 1 MiB body benchmarks send.
func benchProse(n int) string {
	words := strings.Fields(`the a of and to in is you that it he was for on are as with his they I at be this have
		from or one had by word but not what all were we when your can said there use an each which she do how their if
		will up other about out many then them these so some her would make like him into time has look two more write go
		see number no way could people my than first water been call who oil its now find long down day did get come made
		may part over new sound take only little work know place year live me back give most very after thing our just
		name good sentence man think say great where help through much before line right too mean old any same tell boy
		follow came want show also around form three small set put end does another well large must big even such because
		turn here why ask went men read need land different home us move try kind hand picture again change off play
		spell air away animal house point page letter mother answer found study still learn should America world don't
		it's I'm can't O'Brien`)
	punct := []string{", ", ", ", ". ", "; ", " -- ", "? ", "! ", " (really) ", ` "quoted" `, ": "}
	rng := rand.New(rand.NewPCG(7, 11))
	var b strings.Builder
	for b.Len() < n {
		for k := 3 + rng.IntN(12); k > 0; k-- {
			b.WriteString(words[rng.IntN(len(words))])
			b.WriteByte(' ')
		}
		b.WriteString(punct[rng.IntN(len(punct))])
	}
	return b.String()[:n]
}

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
