package signature

import (
	"strings"
	"testing"

	"github.com/bulwarkhq/bulwark/internal/benchtext"
	"github.com/bulwarkhq/bulwark/threat"
)

// scannedSQL lexes v and runs the family's rules over it, as sqliValue
// does before it runs libinjection.
func scannedSQL(v string) *sqlScan {
	sc := new(sqlScan)
	sc.lx = newSQLLexer(v)
	sc.run()
	return sc
}

// TestProseAtStartSkipsOnlyWeakFingerprints: on values of prose the skip
// applies, and wherever it does, libinjection's fingerprint at the start
// would have counted 0.6 at most. Of values whose start reads as code or
// a break-out, and no sentence, the skip never applies.
func TestProseAtStartSkipsOnlyWeakFingerprints(t *testing.T) {
	text := benchtext.Prose(1 << 18)
	skipped, matched := 0, 0
	for i := 0; i+600 <= len(text); i += 600 {
		v := strings.TrimSpace(text[i : i+600])
		sc := scannedSQL(v)
		if !sc.proseAtStart() {
			continue
		}
		skipped++
		if h, ok := sc.libAt(0); ok {
			matched++
			if h.conf > 0.6 {
				t.Fatalf("skipped a fingerprint of %.2f (fp %s) at the start of %q", h.conf, h.fp, v[:80])
			}
		}
	}
	if n := len(text) / 600; skipped < n/2 {
		t.Errorf("the skip applied to %d of %d values of prose", skipped, n)
	}
	t.Logf("skipped %d values; libinjection would have matched %d of them at 0.6", skipped, matched)

	for _, v := range []string{
		"' or 1=1 --",
		"1 union select password from users where id = 1",
		"admin' --",
		"\" or \"\"=\"",
		"(select sleep(5))",
		"1;exec xp_cmdshell 'dir' and then",
	} {
		if scannedSQL(v).proseAtStart() {
			t.Errorf("the skip applies to %q", v)
		}
	}
}

// TestProseThenBreakOutIsCaught: a sentence before a break-out hides
// nothing: the quote it starts at is tried.
func TestProseThenBreakOutIsCaught(t *testing.T) {
	for _, v := range []string{
		"we will see about that later today' union select password from users--",
		"the best of the day is here and now' or 1=1--",
		"my name is the one you know\" or \"1\"=\"1",
	} {
		in := input{src: threat.SourceBody, name: "comment", value: v, m: classify(v)}
		var seen rules
		sigs, _ := scanSQLi(&in, &seen, nil)
		best := 0.0
		for _, s := range sigs {
			best = max(best, s.Confidence)
		}
		if best < 0.99 {
			t.Errorf("%q: sql injection at %.2f (%v)", v, best, sigs)
		}
	}
}

// FuzzProseAtStart holds proseAtStart to its claim: where it lets
// libinjection skip a value's start, the fingerprint found there would
// have counted 0.6 at most.
func FuzzProseAtStart(f *testing.F) {
	for _, s := range []string{
		"the cat is on the mat, and it's not moving",
		"I think that we should go now' or '1'='1",
		"they said \"no more\" and left; then we did too",
		"you and I were there at the time -- or so it seems",
		"one of the best was there` union select 1",
		"it is what it is (really) or not",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if len(v) > 4096 {
			return
		}
		sc := scannedSQL(v)
		if !sc.proseAtStart() {
			return
		}
		if h, ok := sc.libAt(0); ok && h.conf > 0.6 {
			t.Fatalf("skipped a fingerprint of %.2f (fp %s) at the start of %q", h.conf, h.fp, v)
		}
	})
}

// A union whose keywords toggle their case is a filter bypass; one case
// throughout, or a capital, is how prose and code write them.
func TestUnionToggledCase(t *testing.T) {
	for _, c := range []struct {
		v    string
		conf float64
	}{
		{"UnIon seleCt", 0.99},
		{"uNiOn sElEcT", 0.99},
		{"UNION sElect", 0.99},
		{"Union Select", 0.95}, // the value alone: no sentence leads in
		{"union select", 0.95},
		{"UNION SELECT", 0.95},
		{"how does union select work in mysql", 0.8},
		{"how does UnIon seleCt work", 0.99},
	} {
		if got := scannedSQL(c.v).best[sqliUnion].conf; got != c.conf {
			t.Errorf("%q: sqli.union %.2f, want %.2f", c.v, got, c.conf)
		}
	}
}

// TestQuotationIsNoBreakOut: a quote that opens a title or a phrase in a
// sentence is no break-out, whatever SQL words the title holds; quotes
// that follow the value they close, or open it, and quotations holding
// SQL's operators are still read as break-outs.
func TestQuotationIsNoBreakOut(t *testing.T) {
	for _, c := range []struct {
		s    string
		q    int
		want bool
	}{
		{`-- Kurt Vonnegut Jr., "Between Time and Timbuktu"`, 20, true},
		{`He read "Brave New World" twice.`, 8, true},
		{`a walk (and 'Time Square' after) today`, 12, true},
		{`He read "Select Poems" twice.`, 8, false}, // SQL's verb first: read as SQL
		{`admin' or 1=1--`, 5, false},
		{` 'item', (5)`, 1, false},
		{`x "or 1=1"`, 2, false},
		{`a "b=c" d`, 2, false},
		{`a "union all" b`, 2, false},
		{`a "x"; drop table t`, 2, false},
		{`a "unclosed`, 2, false},
	} {
		if c.q < len(c.s) && c.s[c.q] != '"' && c.s[c.q] != '\'' {
			if got := quotation(c.s, c.q); got {
				t.Errorf("quotation(%q, %d) = true at no quote", c.s, c.q)
			}
			continue
		}
		if got := quotation(c.s, c.q); got != c.want {
			t.Errorf("quotation(%q, %d) = %v, want %v", c.s, c.q, got, c.want)
		}
	}
}
