package signature

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/bulwarkhq/bulwark/internal/decode"
	"github.com/bulwarkhq/bulwark/threat"
)

// The forms of Detect's small-request checks before round 10 made them
// cheaper: each Fuzz target checks the new form against the old.

// plainWordScan is scan's quick path with every check asked of every
// word, as scan wrote it before wordRisk's gates: the values plainWord
// must pick out, no more and no fewer. It holds the gates (a Java name
// needs letters only, a base64 needle both cases, a UTF-7 run a '+', the
// underscore risks a '_') to the checks they skip.
func plainWordScan(v string) bool {
	m := classify(v)
	encoded := len(v) >= decode.MinEncoded && decode.Encoded(v)
	return m&^cDash == 0 && len(v) < 64 && !serialMagicPlain(v) && !strings.Contains(v, "__") && !encoded &&
		utf7Start(v) < 0 && !underscoreRisk(v) && !javaBare(v) && javaBase64(v) < 0
}

// serialMagicPlain is serialMagic as first written.
func serialMagicPlain(v string) bool {
	return strings.HasPrefix(v, "rO0AB") || strings.HasPrefix(v, "aced0005") || strings.HasPrefix(v, "ACED0005") ||
		strings.HasPrefix(v, "H4sI")
}

func TestPlainWord(t *testing.T) {
	for _, tc := range []struct {
		v    string
		want bool
	}{
		{"", true},
		{"size", true},
		{"price_asc", true},
		{"4f1c9a2e8b7d", true},
		{"a-b+c?d^e", true},
		{"a_b_c", true},
		{"a__b", false},                   // "__": prototype pollution and dunder names
		{"red running shoes", false},      // a space
		{"x.y", false},                    // a dot
		{"rO0ABXNy", false},               // serialised Java object
		{"H4sI", false},                   // gzip in base64
		{"ACED0005", false},               // hex of a Java object
		{"aGVsbG8gd29ybGQ", false},        // base64 of "hello world"
		{"68656c6c6f20776f726c64", false}, // hex of "hello world"
		{strings.Repeat("a", 63), true},
		{strings.Repeat("a", 64), false}, // long: padding, read by scan
		{"caf\xc3\xa9", false},           // a byte >= 0x80
		{"a\x00b", false},                // a control byte
		{"SELECT", true},                 // a word alone is no attack
		{"sortBy", true},
		{"constructor_prototype", true},
		{"__proto__", false},
		{"%27", false},
		{"tab\there", false},
		{"new\nline", false},
		{"semi;colon", false},
		{"Zm9vYmFyYmF6cXV4", false},          // base64 of "foobarbazqux"
		{"deadbeefcafebabe0000", true},       // hex of binary: no text
		{"eyJhbGciOiJIUzI1NiJ9", false},      // base64 of JSON text
		{"ABCDEFGHIJKLMNOPQRSTUVWXYZ", true}, // no text decoded
	} {
		if got := plainWord(tc.v); got != tc.want {
			t.Errorf("plainWord(%q) = %v, want %v", tc.v, got, tc.want)
		}
		if got := plainWordScan(tc.v); got != tc.want {
			t.Errorf("scan's quick path for %q = %v, want %v (the table is wrong)", tc.v, got, tc.want)
		}
	}
}

func FuzzPlainWord(f *testing.F) {
	for _, s := range []string{"", "size", "price_asc", "a__b", "rO0ABXNy", "aGVsbG8gd29ybGQ", "x.y", "H4sI",
		"aced0005", "eyJhbGciOiJIUzI1NiJ9", "a-b+c?d^e", strings.Repeat("A", 63),
		"classLoader", "information_schema", "sess_0123456789abcdef0123456789", "+ADw-", "OgnlContext"} {
		f.Add(s)
	}
	d, err := New(Config{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, v string) {
		want := plainWordScan(v)
		if got := plainWord(v); got != want {
			t.Fatalf("plainWord(%q) = %v, scan's quick path says %v", v, got, want)
		}
		if classify(v)&^cDash == 0 && len(v) < 64 {
			// scan's own gate, the decoding asked apart
			quick := !serialMagicPlain(v) && !strings.Contains(v, "__") && utf7Start(v) < 0 && !underscoreRisk(v) &&
				!javaBare(v) && javaBase64(v) < 0
			if got := quickWord(v); got != quick {
				t.Fatalf("quickWord(%q) = %v, want %v", v, got, quick)
			}
		}
		if !want || v == "" {
			return
		}
		// what Detect skips, scan would have found clean without a signal
		for _, src := range []threat.Source{threat.SourceQuery, threat.SourceCookie, threat.SourceJSON} {
			var seen [numValueFamilies]rules
			in := input{src: src, name: "p", value: v}
			dst, clean := d.scan(&in, wantValues, &seen, nil)
			if len(dst) != 0 || clean != valueFamilies || seen != [numValueFamilies]rules{} {
				t.Fatalf("scan(%q) = %v, %b for a plain word", v, dst, clean)
			}
		}
	})
}

// TestPlainParamsSkipNothing pins what Detect's set of plain parameters
// lets scanProtocol skip: a line break in a name or value, a '%' in the
// raw form, NUL escapes, bad escapes in a form.
func TestPlainParamsSkipNothing(t *testing.T) {
	for _, p := range []threat.Param{
		{Source: threat.SourceQuery, Name: "a\nb", Value: "x", Raw: "x"},
		{Source: threat.SourceQuery, Name: "\r", Value: "x", Raw: "x"},
		{Source: threat.SourceQuery, Name: "q", Value: "x\nGET /admin HTTP/1.1", Raw: "x\nGET /admin HTTP/1.1"},
		{Source: threat.SourceQuery, Name: "q", Value: "x", Raw: "%78%00"},
		{Source: threat.SourceQuery, Name: "q", Value: "abc", Raw: "%61bc%00"},
		{Source: threat.SourceForm, Name: "q", Value: "ab", Raw: "ab%zz"},
		{Source: threat.SourceCookie, Name: "\n", Value: "x", Raw: "x"},
	} {
		got, want := protocolPair(t, p)
		if len(want) == 0 {
			t.Errorf("%+v: scanProtocol alone finds nothing: the case tests nothing", p)
		}
		if !sameSignals(got, want) {
			t.Errorf("%+v: Detect's protocol signals %v, scanProtocol alone %v", p, got, want)
		}
	}
}

// protocolPair returns the protocol family's signals for a GET with p and
// a copy of p whose raw form is its value, as Detect reports them and as
// scanProtocol finds them with no parameter known plain.
func protocolPair(t testing.TB, p threat.Param) (got, want []threat.Signal) {
	d, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	q := p
	q.Raw = q.Value
	req := &threat.Request{Method: "GET", Path: "/", RawPath: "/", Proto: "HTTP/1.1", Params: []threat.Param{q, p, q}}
	for _, s := range d.Detect(req, nil) {
		if s.Detector == nameProtocol {
			got = append(got, s)
		}
	}
	want = scanProtocol(req, &headerFacts{walked: true}, &paramFacts{}, nil)
	return got, want
}

func sameSignals(a, b []threat.Signal) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func FuzzPlainParams(f *testing.F) {
	f.Add(uint8(threat.SourceQuery), "size", "42", "42")
	f.Add(uint8(threat.SourceQuery), "a\nb", "x", "x")
	f.Add(uint8(threat.SourceForm), "q", "ab", "ab%zz")
	f.Add(uint8(threat.SourceCookie), "q", "x\nGET / HTTP/1.1", "x")
	f.Add(uint8(threat.SourcePath), "\r", "x", "%00")
	f.Add(uint8(threat.SourceJSON), "k", "v%00", "v%00")
	f.Add(uint8(threat.SourceXML), "(document)", "<a>x</a>", "<a>x</a>")
	f.Fuzz(func(t *testing.T, src uint8, name, value, raw string) {
		p := threat.Param{Source: threat.Source(src % uint8(threat.SourceText+1)), Name: name, Value: value, Raw: raw}
		if got, want := protocolPair(t, p); !sameSignals(got, want) {
			t.Fatalf("%+v: Detect's protocol signals %v, scanProtocol alone %v", p, got, want)
		}
	})
}

func FuzzSerialMagic(f *testing.F) {
	for _, s := range []string{"", "rO0AB", "rO0A", "aced0005", "aced000", "ACED0005xx", "H4sI", "H4s", "H4sIAAAA", "hello"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if got, want := serialMagic(v), serialMagicPlain(v); got != want {
			t.Fatalf("serialMagic(%q) = %v, want %v", v, got, want)
		}
	})
}

// TestVerdictHashSpreads checks that the sampled hash tells apart what
// requests vary: short values that differ in any byte, the same value in
// another header or source, values of one length that differ in their
// samples. A hash that lost a byte of short values or ignored the name
// would pile these into few buckets.
func TestVerdictHashSpreads(t *testing.T) {
	c := newVerdicts()
	var vals []string
	for i := range 512 {
		vals = append(vals, string(rune('a'+i%26))+string(rune('a'+i/26%26))) // 2 bytes
		vals = append(vals, "v"+strings.Repeat("x", i%7)+string(rune('A'+i%26))+string(rune('A'+i/26%26)))
		vals = append(vals, "Mozilla/5.0 build "+strings.Repeat("7", i%5)+string(rune('0'+i%10))+string(rune('0'+i/10%10))+" end")
	}
	buckets := map[uint64]bool{}
	hashes := map[uint64]bool{}
	n := 0
	for _, v := range vals {
		for _, k := range []struct {
			src  threat.Source
			name string
		}{{threat.SourceHeader, "User-Agent"}, {threat.SourceHeader, "Referer"}, {threat.SourceHeader, "X-Token"}, {threat.SourcePath, ""}} {
			h := c.hash(k.src, k.name, v)
			hashes[h] = true
			buckets[(h>>32)%(verdictSlots/2)] = true
			n++
		}
	}
	// distinct inputs (the generated values repeat some)
	distinct := map[string]bool{}
	for _, v := range vals {
		distinct[v] = true
	}
	if want := len(distinct) * 4; len(hashes) != want {
		t.Errorf("%d distinct hashes for %d distinct (source, name, value)", len(hashes), want)
	}
	// m keys thrown at random fill k(1-e^(-m/k)) of k buckets
	k, m := float64(verdictSlots/2), float64(len(hashes))
	if want := k * (1 - math.Exp(-m/k)); float64(len(buckets)) < want*0.97 {
		t.Errorf("%d inputs fill %d of %d buckets, at random %.0f", n, len(buckets), verdictSlots/2, want)
	}
}

// structuredHeaderPlain and scannerHeaderPlain are the lists kindOf took
// over, as they were written.
func structuredHeaderPlain(name string) bool {
	switch name {
	case "Accept", "Accept-Charset", "Accept-Encoding", "Accept-Language", "Accept-Datetime", "Cache-Control",
		"Connection", "Content-Length", "Content-Type", "Content-Encoding", "Content-Language", "Content-Md5",
		"Date", "Dnt", "Expect", "Host", "If-Match", "If-Modified-Since", "If-None-Match", "If-Range",
		"If-Unmodified-Since", "Keep-Alive", "Max-Forwards", "Pragma", "Priority", "Range", "Te", "Trailer",
		"Transfer-Encoding", "Upgrade", "Upgrade-Insecure-Requests", "Sec-Fetch-Dest", "Sec-Fetch-Mode",
		"Sec-Fetch-Site", "Sec-Fetch-User", "Sec-Ch-Ua", "Sec-Ch-Ua-Mobile", "Sec-Ch-Ua-Platform",
		"Sec-Websocket-Key", "Sec-Websocket-Version", "Sec-Websocket-Extensions", "Sec-Gpc", "Save-Data":
		return true
	}
	return false
}

func scannerHeaderPlain(name string) bool {
	switch name {
	case "Acunetix-Product", "Acunetix-Scanning-Agreement", "Acunetix-User-Agreement", "X-Scanner", "X-Wipp", "X-Request-Memo", "X-Scan-Memo", "Bugbounty", "X-Bug-Bounty", "X-Burp", "Burp-Collaborator", "X-Nuclei", "X-Arachni-Scan-Seed", "Wpscan-Version":
		return true
	}
	return false
}

// checkKind compares kindOf(name) with the checks Detect's header walk
// made before: the two lists, note on every name, the Cookie, the
// User-Agent, addressHeader.
func checkKind(t *testing.T, name string) {
	k := kindOf(name)
	if got, want := k&hdrStructured != 0, structuredHeaderPlain(name); got != want {
		t.Errorf("kindOf(%q) structured %v, want %v", name, got, want)
	}
	if got, want := k&hdrScanner != 0, scannerHeaderPlain(name); got != want {
		t.Errorf("kindOf(%q) scanner %v, want %v", name, got, want)
	}
	if got, want := k&hdrAddress != 0, name == "X-Forwarded-For" || name == "X-Real-Ip"; got != want {
		t.Errorf("kindOf(%q) address %v, want %v", name, got, want)
	}
	if got, want := k&hdrCookie != 0, name == "Cookie"; got != want {
		t.Errorf("kindOf(%q) cookie %v, want %v", name, got, want)
	}
	if got, want := k&hdrAgent != 0, name == "User-Agent"; got != want {
		t.Errorf("kindOf(%q) agent %v, want %v", name, got, want)
	}
	switch name {
	case "Accept-Language", "Content-Language", "Accept-Charset", "If-None-Match", "If-Match", "If-Range", "Accept-Datetime":
		if k&(hdrData|hdrStructured) != hdrData|hdrStructured {
			t.Errorf("kindOf(%q) = %b: a structured header read as data", name, k)
		}
	default:
		if k&hdrData != 0 {
			t.Errorf("kindOf(%q) = %b: not read as data", name, k)
		}
	}
	// note on the names Detect gives it records what note on every name did
	vs := []string{"v"}
	var all, some headerFacts
	all.note(name, vs)
	if k.noted(name) {
		some.note(name, vs)
	}
	if !reflect.DeepEqual(all, some) {
		t.Errorf("%q: note records %+v, Detect's walk %+v", name, all, some)
	}
}

func TestKindOf(t *testing.T) {
	for _, name := range []string{"Accept", "Accept-Charset", "Accept-Encoding", "Accept-Language", "Accept-Datetime",
		"Cache-Control", "Connection", "Content-Length", "Content-Type", "Content-Encoding", "Content-Language",
		"Content-Md5", "Date", "Dnt", "Expect", "Host", "If-Match", "If-Modified-Since", "If-None-Match", "If-Range",
		"If-Unmodified-Since", "Keep-Alive", "Max-Forwards", "Pragma", "Priority", "Range", "Te", "Trailer",
		"Transfer-Encoding", "Upgrade", "Upgrade-Insecure-Requests", "Sec-Fetch-Dest", "Sec-Fetch-Mode",
		"Sec-Fetch-Site", "Sec-Fetch-User", "Sec-Ch-Ua", "Sec-Ch-Ua-Mobile", "Sec-Ch-Ua-Platform",
		"Sec-Websocket-Key", "Sec-Websocket-Version", "Sec-Websocket-Extensions", "Sec-Gpc", "Save-Data",
		"Acunetix-Product", "Acunetix-Scanning-Agreement", "Acunetix-User-Agreement", "X-Scanner", "X-Wipp",
		"X-Request-Memo", "X-Scan-Memo", "Bugbounty", "X-Bug-Bounty", "X-Burp", "Burp-Collaborator", "X-Nuclei",
		"X-Arachni-Scan-Seed", "Wpscan-Version", "X-Http-Method-Override", "X-Http-Method", "X-Method-Override",
		"Proxy", "X-Forwarded-For", "X-Real-Ip", "Cookie", "User-Agent", "Referer", "Authorization", "X-Search",
		"Content_Length", "Transfer_Encoding", "Transfer_encoding", "X-Content-Leng", "accept", "", "X"} {
		checkKind(t, name)
	}
}

func FuzzKindOf(f *testing.F) {
	for _, s := range []string{"Accept", "Content_Length", "Wpscan-Version", "Proxy", "Cookie", "User-Agent", "X"} {
		f.Add(s)
	}
	f.Fuzz(checkKind)
}
