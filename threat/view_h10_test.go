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
		name, value, _ := strings.Cut(pair, "=")
		if len(req.Params) >= lim.MaxParams {
			req.Uninspected |= UninspectedParams
			return
		}
		req.Params = append(req.Params, Param{Source: src, Name: decode.Value(name, plus), Value: decode.Value(value, plus), Raw: value})
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
		" a = 1 ;\u00a0b=2\u00a0", "a&&b=&=c&%3D=%26", "x=%u0041+%2b&y=\xc0\xaf", "=;=;;"} {
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
