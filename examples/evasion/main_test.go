package main

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/bulwarkhq/bulwark/internal/labelled"
)

func tamperNamed(t *testing.T, name string) func(string, *rand.Rand) string {
	t.Helper()
	for _, tp := range tampers {
		if tp.name == name {
			return tp.f
		}
	}
	t.Fatalf("no tamper %q", name)
	return nil
}

// TestTampersRewriteAsSqlmap: the scripts rewrite blanks outside strings
// only, and keywords and quotes as sqlmap's do.
func TestTampersRewriteAsSqlmap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	seed := "' union select 'a b',2 -- "
	if got := tamperNamed(t, "space2comment")(seed, rng); got != "'/**/union/**/select/**/'a b',2/**/--/**/" {
		t.Errorf("space2comment: %q", got)
	}
	got := tamperNamed(t, "space2hash")(seed, rng)
	if strings.Count(got, "#") != 5 || strings.Count(got, "\n") != 5 || !strings.Contains(got, "'a b'") {
		t.Errorf("space2hash: %q", got)
	}
	got = tamperNamed(t, "randomcase")(seed, rng)
	if strings.ToLower(got) != seed {
		t.Errorf("randomcase changed more than case: %q", got)
	}
	if got := tamperNamed(t, "unmagicquotes")("admin' #", rng); got != "admin\xbf' #-- -" {
		t.Errorf("unmagicquotes: %q", got)
	}
	// sqlmap's own example, and an escape it keeps
	if got := tamperNamed(t, "percentage")("SELECT FIELD FROM TABLE", rng); got != "%S%E%L%E%C%T %F%I%E%L%D %F%R%O%M %T%A%B%L%E" {
		t.Errorf("percentage: %q", got)
	}
	if got := tamperNamed(t, "percentage")("1%20or", rng); got != "%1%20%o%r" {
		t.Errorf("percentage: %q", got)
	}
	if got := tamperNamed(t, "apostrophemask")("' or 1=1", rng); got != "\uff07 or 1=1" {
		t.Errorf("apostrophemask: %q", got)
	}
	for _, c := range tamperNamed(t, "space2mssqlblank")("a b c d e f", rng) {
		if c == ' ' {
			t.Fatal("space2mssqlblank left a space")
		}
	}
}

// TestWAFAMoLEOperators: a tautology is found only where both sides are
// equal, and the chains are the same for the same random seed.
func TestWAFAMoLEOperators(t *testing.T) {
	if got := tautologies("' or 1=1 and 2=3 or 'a'='a' --"); len(got) != 2 {
		t.Errorf("tautologies: %v, want 1=1 and 'a'='a'", got)
	}
	chain := func() string {
		rng := rand.New(rand.NewPCG(3, 4))
		p := "' UNION ALL SELECT 1,2 FROM users WHERE 1=1-- "
		for range 20 {
			p = moleOps[rng.IntN(len(moleOps))](p, rng)
		}
		return p
	}
	if a, b := chain(), chain(); a != b {
		t.Errorf("chains differ: %q %q", a, b)
	}
}

func TestSeedsOf(t *testing.T) {
	rows := []labelled.Row{
		{ID: "patt-sqli-1-query", URI: "/search?q=%27+or+1%3D1--&page=1", Label: "attack", Category: "sqli"},
		{ID: "patt-sqli-1-form", URI: "/comments", Label: "attack", Category: "sqli"},
		{ID: "patt-xss-2-query", URI: "/search?q=%3Cscript%3E", Label: "attack", Category: "xss"},
	}
	if got := seedsOf(rows, "xss"); len(got) != 1 || got[0].value != "<script>" {
		t.Errorf("seedsOf xss = %+v", got)
	}
	got := seedsOf(rows, "sqli")
	if len(got) != 1 || got[0].value != "' or 1=1--" || got[0].id != "patt-sqli-1" {
		t.Errorf("seedsOf = %+v", got)
	}
}

// TestCommixTampers: the letter scripts skip a, A, B and C as commix's
// expression does, and uninitializedvariable uses one name a payload.
func TestCommixTampers(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	f := func(name string) func(string, *rand.Rand) string {
		for _, tp := range commixTampers {
			if tp.name == name {
				return tp.f
			}
		}
		t.Fatalf("no tamper %q", name)
		return nil
	}
	if got := f("dollaratsigns")(";cat /etc/passwd", rng); got != ";$@ca$@t /$@e$@t$@c/$@pa$@s$@s$@w$@d" {
		t.Errorf("dollaratsigns: %q", got)
	}
	if got := f("backslashes")("|id", rng); got != `|\i\d` {
		t.Errorf("backslashes: %q", got)
	}
	got := f("uninitializedvariable")(";id", rng)
	if len(got) != len(";${xx}i${xx}d") || got[1:3] != "${" || got[1:6] != got[7:12] {
		t.Errorf("uninitializedvariable: %q", got)
	}
	if got := f("slash2env")("/bin/ls", rng); got != "${PATH%%u*}bin${PATH%%u*}ls" {
		t.Errorf("slash2env: %q", got)
	}
}
