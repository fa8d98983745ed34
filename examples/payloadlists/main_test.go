package main

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestFamilyOf(t *testing.T) {
	for path, want := range map[string]string{
		"Fuzzing/SSI-Injection-Jhaddix.txt":                               "ssi",
		"Fuzzing/template-engines-expression.txt":                         "ssti", // "ssi" inside "expression" is no word
		"Fuzzing/Databases/NoSQL.txt":                                     "nosql",
		"Fuzzing/Databases/SQLi/sqlmap-risk-classified/Low-Risk/time.txt": "sqli",
		"Fuzzing/XSS/robot-friendly/XSS-Jhaddix.txt":                      "xss",
		"Fuzzing/Polyglots/polyglots.txt":                                 "polyglot",
		"Fuzzing/UnixAttacks.fuzzdb.txt":                                  "cmdi",
		"Fuzzing/Amounts/all.txt":                                         "",
	} {
		if got := familyOf(path); got != want {
			t.Errorf("familyOf(%q) = %q, want %q", path, got, want)
		}
	}
}

func TestFillSqlmap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	got := fillSqlmap("AND [RANDNUM]=[RANDNUM] AND SLEEP([SLEEPTIME]) AND '[RANDSTR]'='[RANDSTR]' OR [RANDNUM1]=[ORIGVALUE]", rng)
	if strings.Contains(got, "[") {
		t.Fatalf("placeholders left: %q", got)
	}
	var a, b string
	if n, _ := fmtSscan(got, &a, &b); n != 2 || a != b {
		t.Errorf("[RANDNUM] twice is one number: %q", got)
	}
	if !strings.Contains(got, "SLEEP(5)") || !strings.HasSuffix(got, "=1") {
		t.Errorf("sleep or original value: %q", got)
	}
	if fillSqlmap("' or 1=1--", rng) != "' or 1=1--" {
		t.Error("a payload without placeholders changed")
	}
}

// fmtSscan reads the two sides of the first "x=y" after "AND ".
func fmtSscan(s string, a, b *string) (int, error) {
	s = strings.TrimPrefix(s, "AND ")
	l, r, ok := strings.Cut(strings.Fields(s)[0], "=")
	if !ok {
		return 0, nil
	}
	*a, *b = l, r
	return 2, nil
}
