package threat

import (
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/bulwarkhq/bulwark/internal/decode"
)

// addPairsOld is addPairs as it was before it tested the ends of a cookie
// pair before trimming it, cut it at '=' with strings.IndexByte and decoded
// through decode.Plain: the oracle FuzzAddPairs holds it to.
func (req *Request) addPairsOld(src Source, s string, sep byte, plus bool, lim Limits) {
	all, unpaired := s, false
	for s != "" {
		var pair string
		if i := strings.IndexByte(s, sep); i >= 0 {
			pair, s = s[:i], s[i+1:]
		} else {
			pair, s = s, ""
		}
		if src == SourceCookie {
			pair = strings.TrimSpace(pair)
		}
		if pair == "" {
			continue
		}
		name, value, eq := strings.Cut(pair, "=")
		unpaired = unpaired || !eq
		if len(req.Params) >= lim.MaxParams {
			req.Uninspected |= UninspectedParams
			return
		}
		req.Params = append(req.Params, Param{Source: src, Name: decode.Value(name, plus), RawName: name, Value: decode.Value(value, plus), Raw: value})
	}
	if src != SourceQuery || !unpaired {
		return
	}
	// then each pair's value joined to the segments with no '=' after it,
	// those starting in its first KiB, when one holds a byte no word has
	segs := strings.Split(all, "&")
	off := 0
	for n, pair := range segs {
		start := off
		off += len(pair) + 1
		name, value, eq := strings.Cut(pair, "=")
		if !eq || n == len(segs)-1 {
			continue
		}
		rest := all[start+len(pair)+1:]
		odd, end := false, 0
		for k := n + 1; k < len(segs) && end < len(rest) && end < 1024; k++ {
			seg := segs[k]
			if strings.Contains(seg, "=") {
				break
			}
			odd = odd || strings.ContainsFunc(seg, func(r rune) bool {
				return !(r < 0x80 && (r == '-' || r == '_' || r == '.' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'))
			})
			end = min(end+len(seg)+1, len(rest))
		}
		if !odd {
			continue
		}
		joined := value + "&" + strings.TrimSuffix(rest[:min(end, 1024)], "&")
		if len(req.Params) >= lim.MaxParams {
			req.Uninspected |= UninspectedParams
			return
		}
		req.Params = append(req.Params, Param{Source: src, Name: decode.Value(name, plus), RawName: name, Value: decode.Value(joined, plus), Raw: joined})
	}
}

func TestCookiePairsTrimmed(t *testing.T) {
	for _, tt := range []struct {
		cookie string
		names  []string
	}{
		{"a=1; b=2", []string{"a", "b"}},
		{" a=1 ;\tb=2\t", []string{"a", "b"}},
		{"\u00a0a=1\u00a0; b=2", []string{"a", "b"}}, // NBSP is Unicode white space
		{"\u0085a=1; b=2\u2003", []string{"a", "b"}}, // NEL, EM SPACE
		{"\x85a=1; b=2\xa0", []string{"\x85a", "b"}}, // lone bytes are not spaces
		{" ; ;a=1;;  ", []string{"a"}},               // empty pairs are skipped
		{"\xe2\x80a=1", []string{"\xe2\x80a"}},       // a cut rune is kept
		{"x=%20y%20", []string{"x"}},
	} {
		req := &Request{}
		req.addPairs(SourceCookie, tt.cookie, ';', false, Limits{MaxParams: 10})
		var names []string
		for _, p := range req.Params {
			names = append(names, p.Name)
		}
		if !slices.Equal(names, tt.names) {
			t.Errorf("cookie %q: names %q, want %q", tt.cookie, names, tt.names)
		}
	}
}

// FuzzAddPairs holds addPairs to addPairsOld, for queries and cookies and
// under a small cap on values.
func FuzzAddPairs(f *testing.F) {
	for _, s := range []string{"q=red+running+shoes&size=42&color=blue&page=2&sort=price_asc", "session=4f1c9a2e8b7d; theme=dark",
		" a = 1 ;\u00a0b=2\u00a0", "a&&b=&=c&%3D=%26", "x=%u0041+%2b&y=\xc0\xaf", "=;=;;",
		"stuff=%22ping;-w;8000&rem;", "a=1&desc&id", "q=&&ver%0B&rem%0B&z=1", "x=1&\xff&"} {
		f.Add(s, true, uint8(0))
		f.Add(s, false, uint8(2))
	}
	f.Fuzz(func(t *testing.T, s string, cookie bool, maxParams uint8) {
		src, sep, plus := SourceQuery, byte('&'), true
		if cookie {
			src, sep, plus = SourceCookie, ';', false
		}
		lim := Limits{MaxParams: int(maxParams)%8 + 1}
		got, want := &Request{}, &Request{}
		got.addPairs(src, s, sep, plus, lim)
		want.addPairsOld(src, s, sep, plus, lim)
		if !slices.Equal(got.Params, want.Params) || got.Uninspected != want.Uninspected {
			t.Fatalf("addPairs(%q): %+v, %v; want %+v, %v", s, got.Params, got.Uninspected, want.Params, want.Uninspected)
		}
	})
}

// TestNewRequestSizesParams checks that a view NewRequest builds takes
// room for its query's and cookies' pairs at once, within MaxParams.
func TestNewRequestSizesParams(t *testing.T) {
	r := httptest.NewRequest("GET", "/s?a=1&b=2&c=3&&d", nil)
	r.Header.Add("Cookie", "x=1; y=2")
	r.Header.Add("Cookie", "z=3")
	req := NewRequest(r, "c", "", Limits{})
	if len(req.Params) != 7 || cap(req.Params) != 8 {
		t.Errorf("%d values in room for %d, want 7 in 8 (five pairs of the query, three of the cookies)", len(req.Params), cap(req.Params))
	}
	req = NewRequest(r, "c", "", Limits{MaxParams: 3})
	if len(req.Params) != 3 || cap(req.Params) != 3 || req.Uninspected&UninspectedParams == 0 {
		t.Errorf("MaxParams 3: %d values in room for %d, uninspected %v", len(req.Params), cap(req.Params), req.Uninspected)
	}
	if n := testing.AllocsPerRun(50, func() { NewRequest(r, "c", "", Limits{}) }); n > 2 {
		t.Errorf("NewRequest allocates %v times, want 2 (the view and its values)", n)
	}
}

// TestQueryJoinsUnpairedTail: a query value that segments with no '='
// follow, one of them holding a byte no word has, is also inspected
// joined to them (after the query's pairs), as a script that reads the query string whole sees it
// (Nessus's "stuff=\"ping;-w;8000&rem;"); flags of words stand alone.
func TestQueryJoinsUnpairedTail(t *testing.T) {
	for _, tt := range []struct {
		query string
		want  []string // the values, in order
	}{
		{"stuff=%22ping;-w;8000&rem;", []string{`"ping;-w;8000`, "", `"ping;-w;8000&rem;`}},
		{"logout=%22&uname%09%23&x=1", []string{`"`, "", "1", "\"&uname\t#"}},
		{"a=1&desc&id", []string{"1", "", ""}},
		{"a=1&b=2", []string{"1", "2"}},
		{"q=&ver%0B%3Eq1&rem%0B", []string{"", "", "", "&ver\v>q1&rem\v"}},
	} {
		req := &Request{}
		req.addPairs(SourceQuery, tt.query, '&', true, Limits{MaxParams: 10})
		var got []string
		for _, p := range req.Params {
			got = append(got, p.Value)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("query %q: values %q, want %q", tt.query, got, tt.want)
		}
	}
	long := "a=1&" + strings.Repeat("x", 5000) + ";&rem;"
	req := &Request{}
	req.addPairs(SourceQuery, long, '&', true, Limits{MaxParams: 10})
	if n := len(req.Params); n != 4 || len(req.Params[3].Value) != len("1&")+1024 {
		t.Errorf("a long unpaired tail: %d values, the joined one %d bytes; want 4 and the tail cut at 1 KiB", n, len(req.Params[n-1].Value))
	}
}
