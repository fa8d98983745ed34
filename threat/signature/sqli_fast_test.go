package signature

import (
	"reflect"
	"strings"
	"testing"

	"github.com/bulwarkhq/bulwark/internal/decode"
	"github.com/bulwarkhq/bulwark/threat"
)

// scanSQLiPlain is scanSQLi as first written: libinjection runs on every
// input that calls for it, whatever the request reported before.
func scanSQLiPlain(in *input, seen *rules, dst []threat.Signal) ([]threat.Signal, bool) {
	var hit bool
	var best [sqliNumRules]sqlHit
	sqliValue(in.value, in.m, in.src, libRun, &best)
	if in.src == threat.SourceHeader && in.m&(cPercent|cAmp) != 0 {
		if d := decode.Value(in.value, false); d != in.value {
			sqliValue(d, classify(d), in.src, libRun, &best)
		}
	}
	for r := range best {
		h := &best[r]
		if h.conf == 0 || !seen.mark(&hit, uint(r)) {
			continue
		}
		s := bareSignal(nameSQLi, sqliRuleNames[r], h.conf, in)
		s.Evidence = excerpt(h.src, h.i, h.j, 48)
		if r == sqliLib {
			prefix := "fp " + h.fp + ": "
			s.Evidence = prefix + excerpt(h.src, h.i, h.j, 48-len(prefix))
		}
		dst = append(dst, s)
	}
	return dst, hit
}

// sqliFuzzSources are the sources FuzzSQLiLibSkip gives its inputs: the
// two the verdict cache remembers and some it does not.
var sqliFuzzSources = []threat.Source{threat.SourceHeader, threat.SourcePath, threat.SourceQuery, threat.SourceJSON,
	threat.SourceText, threat.SourceCookie, threat.SourceHeader, threat.SourceXML}

// FuzzSQLiLibSkip reads s as the values of one request (split at \x01),
// each of a source picked by srcs, and checks that scanSQLi, which skips
// libinjection where its fingerprint would be dropped, reports what the
// plain form does: the same signals and rules seen, and the same hit on
// every input the verdict cache may remember (a header or path value of at
// most maxCached bytes). On the others it may only report fewer hits.
// With long set each value is read again after 300 bytes of prose, to be
// one the cache never remembers.
func FuzzSQLiLibSkip(f *testing.F) {
	for _, s := range []string{
		"' or 1=1--\x01it's a 'quoted' -- note\x01x' or 'a'='a",
		"admin'--\x01admin'--\x01a%27%20or%201=1--",
		"1 union select 1,2\x01\" or \"\"=\"\x01' and sleep(5)#\x011' or '1'='1",
		"the 'quoted' or (really) -- word\x01see \"quoted\" and then; more\x01'; drop table users--",
		"x=1&y=' or 1=1--\x01O'Brien said \"hi\" -- the end\x01' or 1=1 -- \x01%27 or 1=1",
	} {
		f.Add(s, uint64(0x5a3c96), false)
		f.Add(s, uint64(0), true)
		f.Add(s, uint64(0x249249), false)
	}
	pad := strings.Repeat("the word of the day is long enough here; ", 8)
	f.Fuzz(func(t *testing.T, s string, srcs uint64, long bool) {
		var seenFast, seenPlain rules
		for k, v := range strings.Split(s, "\x01") {
			if k >= 16 {
				break
			}
			if v == "" {
				continue
			}
			if long {
				v = pad + v
			}
			src := sqliFuzzSources[srcs>>(3*k)&7]
			in := input{src: src, name: "q", value: v, m: classify(v)}
			plainIn := in
			fast, hitFast := scanSQLi(&in, &seenFast, nil)
			plain, hitPlain := scanSQLiPlain(&plainIn, &seenPlain, nil)
			if !reflect.DeepEqual(fast, plain) || seenFast != seenPlain {
				t.Fatalf("value %d %q (source %v): signals %+v, want %+v (seen %b, want %b)", k, v, src, fast, plain,
					seenFast, seenPlain)
			}
			cached := (src == threat.SourceHeader || src == threat.SourcePath) && len(v) <= maxCached
			if hitFast && !hitPlain || cached && hitFast != hitPlain {
				t.Fatalf("value %d %q (source %v): hit %v, want %v", k, v, src, hitFast, hitPlain)
			}
		}
	})
}
