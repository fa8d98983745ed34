package signature

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/bulwarkhq/bulwark/threat"
)

func zzProse(n int) string {
	words := strings.Fields(`the a of and to in is you that it he was for on are as with his they I at be this have from or one had by word but not what all were we when your can said there use an each which she do how their if will up other about out many then them these so some her would make like him into time has look two more write go see number no way could people my than first water been call who oil its now find long down day did get come made may part over new sound take only little work know place year live me back give most very after thing our just name good sentence man think say great where help through much before line right too mean old any same tell boy don't it's I'm can't O'Brien`)
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

func TestZZFamilyCost(t *testing.T) {
	for _, n := range []int{1024, 8192} {
		v := zzProse(n)
		for i := 0; i < numValueFamilies; i++ {
			in := input{src: threat.SourceText, value: v}
			in.m = classify(v)
			var seen rules
			start := time.Now()
			reps := 20
			for r := 0; r < reps; r++ {
				switch i {
				case famSQLi:
					scanSQLi(&in, &seen, nil)
				case famXSS:
					scanXSS(&in, &seen, nil)
				case famTraversal:
					scanTraversal(&in, &seen, nil)
				case famCommand:
					scanCommand(&in, &seen, nil)
				case famSSRF:
					scanSSRF(&in, &seen, nil)
				case famSSTI:
					scanSSTI(&in, &seen, nil)
				case famXXE:
					scanXXE(&in, &seen, nil)
				case famNoSQL:
					scanNoSQL(&in, &seen, nil)
				case famLDAP:
					scanLDAP(&in, &seen, nil)
				case famSSI:
					scanSSI(&in, &seen, nil)
				case famCRLF:
					scanCRLF(&in, &seen, nil)
				case famCode:
					scanCode(&in, &seen, nil)
				}
			}
			d := time.Since(start) / time.Duration(reps)
			t.Logf("n=%d %-10s %8v  %6.1f MB/s", n, Names[i], d, float64(n)/d.Seconds()/1e6)
		}
	}
}
