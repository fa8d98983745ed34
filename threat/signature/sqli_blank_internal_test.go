package signature

import (
	"strings"
	"testing"
)

func TestBlankNBSP(t *testing.T) {
	for in, want := range map[string]string{
		"union\u00a0select":   "union  select",
		"union\xa0select":     "union select",
		"caf\u00e0 x":         "caf\u00e0 x", // à is 0xc3 0xa0: left alone
		"\xa0a\u00a0b\xa0":    " a  b ",
		"no break here":       "no break here",
		"\xe0\xa4\xa0\u00a0x": "\xe0\xa4\xa0  x", // ठ ends in 0xa0
	} {
		k := strings.IndexByte(in, 0xa0)
		if got, changed := blankNBSP(in, max(k, 0)); got != want || changed != (in != want) {
			t.Errorf("blankNBSP(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzBlankNBSP: blankNBSP keeps the length and changes only 0xa0 bytes
// and the 0xc2 before one, to spaces.
func FuzzBlankNBSP(f *testing.F) {
	for _, s := range []string{"union\u00a0select", "\xa0", "\xc2", "\xc2\xa0\xa0", "\xc3\xa0\xa0", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := strings.IndexByte(s, 0xa0)
		if k < 0 {
			k = len(s)
		}
		got, changed := blankNBSP(s, k)
		if changed != (got != s) {
			t.Fatalf("%q: changed %v, got %q", s, changed, got)
		}
		if len(got) != len(s) {
			t.Fatalf("%q: length %d, want %d", s, len(got), len(s))
		}
		for i := range s {
			if got[i] != s[i] && (got[i] != ' ' || s[i] != 0xa0 && !(s[i] == 0xc2 && i+1 < len(s) && s[i+1] == 0xa0)) {
				t.Fatalf("%q: byte %d changed to %q", s, i, got[i])
			}
		}
	})
}

func TestJoinSplitKeywords(t *testing.T) {
	for in, want := range map[string]string{
		"UNI/**/ON SEL/**/ECT 1": "UNION SELECT 1",
		"UNI/**/ON SELECT 1":     "UNION SELECT 1",
		" O/**/R 1=1":            " OR 1=1",
		"1/**/UNION/**/SELECT":   "1/**/UNIONSELECT", // the value as sent is read too
		"a/**/b/**/":             "ab/**/",           // the second ends the value
		"1/**/2 /**/x":           "",
		"U/**/N/**/I/**/ON":      "UNION",
	} {
		got, ok := joinSplitKeywords(in)
		if ok != (want != "") || ok && got != want || !ok && got != in {
			t.Errorf("joinSplitKeywords(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

// FuzzJoinSplitKeywords: the joined value is the value with only "/**/"
// taken out, each between two letters.
func FuzzJoinSplitKeywords(f *testing.F) {
	for _, s := range []string{"UNI/**/ON SEL/**/ECT", "a/**/b/**/c", "/**//**/", "a/**/", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := joinSplitKeywords(s)
		if !ok {
			if got != s {
				t.Fatalf("%q: not joined but changed to %q", s, got)
			}
			return
		}
		if len(got) >= len(s) || (len(s)-len(got))%4 != 0 || strings.ReplaceAll(s, "/**/", "") != strings.ReplaceAll(got, "/**/", "") {
			t.Fatalf("%q: joined to %q", s, got)
		}
	})
}

func TestBlankLeadBytes(t *testing.T) {
	for in, want := range map[string]string{
		" UNION ALL SELECT \xbf'INJ'||'ECT'": " UNION ALL SELECT  'INJ'||'ECT'",
		"\xbf' or 1=1-- -":                   " ' or 1=1-- -",
		"admin\xbf\" --":                     "admin \" --",
		"caf\u00e9' and the \u2019'":         "caf\u00e9' and the \u2019'", // the end of a UTF-8 character: left alone
		"\xbf\xbf'":                          "\xbf\xbf'",                  // not lone
		"no quote \xbf here":                 "no quote \xbf here",
		"'\xbf":                              "'\xbf",
	} {
		got, changed := blankLeadBytes(in)
		if got != want || changed != (in != want) {
			t.Errorf("blankLeadBytes(%q) = %q, %v; want %q", in, got, changed, want)
		}
	}
}

// FuzzBlankLeadBytes: blankLeadBytes keeps the length and changes only
// bytes above ASCII before a quote, after an ASCII byte or at the start,
// to spaces.
func FuzzBlankLeadBytes(f *testing.F) {
	for _, s := range []string{"\xbf'", "a\xbf\"", "\xc3\xa9'", "\xbf\xbf'", "'", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, changed := blankLeadBytes(s)
		if changed != (got != s) || len(got) != len(s) {
			t.Fatalf("%q: changed %v, got %q", s, changed, got)
		}
		for i := range s {
			lone := s[i] >= 0x80 && i+1 < len(s) && (s[i+1] == '\'' || s[i+1] == '"') && (i == 0 || s[i-1] < 0x80)
			if lone != (got[i] != s[i]) || lone && got[i] != ' ' {
				t.Fatalf("%q: byte %d is %q", s, i, got[i])
			}
		}
	})
}

func TestStripPercents(t *testing.T) {
	for in, want := range map[string]string{
		"%S%E%L%E%C%T %F%I%E%L%D": "SELECT FIELD",
		"%1%20%o%r":               "1%20or", // an escape is kept
		"50% off, 20% more":       "50% off, 20% more",
		"100%%%":                  "100",
		"%2":                      "%2",
	} {
		got, changed := stripPercents(in)
		if got != want || changed != (in != want) {
			t.Errorf("stripPercents(%q) = %q, %v; want %q", in, got, changed, want)
		}
	}
}

// FuzzStripPercents: stripPercents takes out only '%' bytes that start no
// escape, all of them when it changes v, and only when three or more.
func FuzzStripPercents(f *testing.F) {
	for _, s := range []string{"%S%E%L", "%41%42%", "%%%", "a%b%c%d", "%2", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, changed := stripPercents(s)
		var want []byte
		n := 0
		for i := 0; i < len(s); i++ {
			if s[i] == '%' && !(i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2])) {
				n++
				continue
			}
			want = append(want, s[i])
		}
		if n < 3 {
			want = []byte(s)
		}
		if got != string(want) || changed != (n >= 3) {
			t.Fatalf("%q: %q, %v; want %q", s, got, changed, want)
		}
	})
}
