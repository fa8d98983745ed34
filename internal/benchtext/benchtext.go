// Package benchtext makes the English-like prose the inspection benchmarks
// send: the threat package's 1 MiB bodies and headers and the signature
// families' windows read the same text, so their figures compare.
package benchtext

import (
	"math/rand/v2"
	"strings"
)

var words = strings.Fields(`the a of and to in is you that it he was for on are as with his they I at be this have
	from or one had by word but not what all were we when your can said there use an each which she do how their if
	will up other about out many then them these so some her would make like him into time has look two more write go
	see number no way could people my than first water been call who oil its now find long down day did get come made
	may part over new sound take only little work know place year live me back give most very after thing our just
	name good sentence man think say great where help through much before line right too mean old any same tell boy
	follow came want show also around form three small set put end does another well large must big even such because
	turn here why ask went men read need land different home us move try kind hand picture again change off play
	spell air away animal house point page letter mother answer found study still learn should America world don't
	it's I'm can't O'Brien`)

var punct = []string{", ", ", ", ". ", "; ", " -- ", "? ", "! ", " (really) ", ` "quoted" `, ": "}

// Prose returns n bytes of prose: sentences of common words with the
// punctuation people type (commas, apostrophes, quotes, dashes,
// parentheses). The text is the same on every call and every machine.
func Prose(n int) string {
	rng := rand.New(rand.NewPCG(7, 11))
	var b strings.Builder
	b.Grow(n + 64)
	for b.Len() < n {
		for k := 3 + rng.IntN(12); k > 0; k-- {
			b.WriteString(words[rng.IntN(len(words))])
			b.WriteByte(' ')
		}
		b.WriteString(punct[rng.IntN(len(punct))])
	}
	return b.String()[:n]
}
