package body

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"maps"
	"mime"
	"mime/multipart"
	"net/textproto"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

// collect parses b as f and returns what it emitted, "kind name=value".
func collect(b string, f Format, boundary string) ([]string, *Parser) {
	var out []string
	p := &Parser{MaxDepth: 8}
	p.Emit = func(v Value) bool {
		out = append(out, kindNames[v.Kind]+" "+v.Name+"="+v.Value)
		return true
	}
	p.Parse(b, f, boundary)
	return out, p
}

var kindNames = [...]string{"form", "json", "key", "text", "attr", "markup", "doc", "field", "filename", "file", "body", "docmarkup"}

func TestSniff(t *testing.T) {
	mp := "--xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--xyz--\r\n"
	tests := []struct {
		name, body, declared, boundary string
		want                           Format
	}{
		{"form", "a=1&b=2", "application/x-www-form-urlencoded", "", FormatForm},
		{"form without a type", "note=%27+or+1%3D1", "", "", FormatForm},
		{"form as text", "a=1&b=2", "text/plain", "", FormatForm},
		{"prose with an equals sign", "x = 5 is the answer", "text/plain", "", FormatText},
		// a declared form of names alone: the backend reads keys, '+' decoded
		{"form of keys", "1+UNION+ALL+SELECT+1&x", "application/x-www-form-urlencoded", "", FormatForm},
		{"keys as text", "1+UNION+ALL+SELECT+1", "text/plain", "", FormatText},
		{"prose declared a form", "hello world", "application/x-www-form-urlencoded", "", FormatText},
		{"prose", "I'll be there at 5 -- promise", "", "", FormatText},
		{"json", ` {"a":1}`, "application/json", "", FormatJSON},
		{"json as text/json", `{"a":1}`, "text/json", "", FormatJSON},
		{"json as form", `[1,2]`, "application/x-www-form-urlencoded", "", FormatJSON},
		{"xml", `<?xml version="1.0"?><a/>`, "application/xml", "", FormatXML},
		{"xml as json", `<a>1</a>`, "application/json", "", FormatXML},
		{"multipart", mp, "multipart/form-data", "xyz", FormatMultipart},
		{"multipart without a type", mp, "", "", FormatMultipart},
		{"multipart with a wrong boundary", mp, "multipart/form-data", "other", FormatMultipart},
		{"png", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png", "", FormatBinary},
		{"png without a type", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "", "", FormatBinary},
		{"png declared a form", "\x89PNG\r\n\x1a\n&q=1", "application/x-www-form-urlencoded", "", FormatText},
		{"NUL-dense", strings.Repeat("\x00\x01\x02abc", 50), "application/octet-stream", "", FormatBinary},
		{"text with one NUL", "hello\x00world, how are you today my friend", "application/octet-stream", "", FormatText},
		{"a word starting BM", "BMW drivers unite", "", "", FormatText},
		{"empty", "", "text/plain", "", FormatEmpty},
	}
	for _, tt := range tests {
		if got := Sniff(tt.body, tt.declared, tt.boundary); got != tt.want {
			t.Errorf("%s: Sniff = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestJSON(t *testing.T) {
	tests := []struct {
		name, body string
		want       []string
		ok         bool
	}{
		{"object", `{"a":"x","b":{"c":["y",1,true,null]}}`, []string{"key (key)=a", "json a=x", "key (key)=b", "key (key)=c", "json c=y"}, true},
		{"escapes", `{"q":"\u0027 or 1=1 \ud83d\ude00\n"}`, []string{"key (key)=q", "json q=' or 1=1 😀\n"}, true},
		{"lenient", `{q:'<b>', // note
		"r":"s",}`, []string{"key (key)=q", "json q=<b>", "key (key)=r", "json r=s"}, false},
		{"ndjson", "{\"a\":\"1\"}\n{\"a\":\"2\"}", []string{"key (key)=a", "json a=1", "key (key)=a", "json a=2"}, true},
		{"unclosed", `{"a":"b`, []string{"key (key)=a", "json a=b"}, false},
		// a prototype under a constructor spells the path pollution takes
		{"constructor prototype", `{"constructor":{"prototype":{"x":"y"}}}`,
			[]string{"key (key)=constructor", "key (key)=prototype", "key (key)=constructor.prototype", "key (key)=x", "json x=y"}, true},
		{"siblings", `{"constructor":{"name":"n"},"prototype":{"v":"w"}}`,
			[]string{"key (key)=constructor", "key (key)=name", "json name=n", "key (key)=prototype", "key (key)=v", "json v=w"}, true},
	}
	for _, tt := range tests {
		got, p := collect(tt.body, FormatJSON, "")
		if !slices.Equal(got, tt.want) || p.Malformed == tt.ok {
			t.Errorf("%s: got %q malformed %v, want %q ok %v", tt.name, got, p.Malformed, tt.want, tt.ok)
		}
	}
	_, p := collect(strings.Repeat("[", 20)+`"deep"`+strings.Repeat("]", 20), FormatJSON, "")
	if !p.Deep {
		t.Error("20 levels past MaxDepth 8 not reported deep")
	}
}

func TestXML(t *testing.T) {
	doc := `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<!-- a comment --><?php echo 1; ?>
<r id="a&amp;b"><n>O&apos;Brien</n><c><![CDATA[<scr]]><![CDATA[ipt>]]></c><br><e k='v'/>&x;</r>`
	got, _ := collect(doc, FormatXML, "")
	want := []string{"doc (document)=" + doc,
		`markup (doctype)=<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>`,
		"markup (comment)=<!-- a comment -->", "markup (pi)=<?php echo 1; ?>",
		"attr id=a&b", "text n=O'Brien", "text c=<script>", "attr k=v", "text r=&x;"}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}

func TestMultipart(t *testing.T) {
	tests := []struct {
		name, body, boundary string
		want                 []string
	}{
		{"crlf", "--b\r\nContent-Disposition: form-data; name=\"user\"\r\n\r\nann\r\n--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nhello\r\nworld\r\n--b--\r\n",
			"b", []string{"field user=ann", "filename f=a.txt", "file f=hello\r\nworld"}},
		{"lf and no close", "--b\nContent-Disposition: form-data; name=user\n\nann\n--b\nContent-Disposition: form-data; name=\"q\"\n\n' or 1=1",
			"b", []string{"field user=ann", "field q=' or 1=1"}},
		{"sniffed boundary", "--real\r\nContent-Disposition: form-data; name=\"q\"\r\n\r\nx\r\n--real--", "declared", []string{"field q=x"}},
		{"base64 part", "--b\r\nContent-Disposition: form-data; name=\"q\"\r\nContent-Transfer-Encoding: base64\r\n\r\nPHNjcmlwdD4=\r\n--b--", "b", []string{"field q=<script>"}},
		{"binary file", "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.png\"\r\n\r\n\x89PNG\r\n\x1a\n\x00\x00\r\n--b--", "b", []string{"filename f=a.png"}},
		{"xml file", "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.xml\"\r\nContent-Type: application/xml\r\n\r\n<a>t</a>\r\n--b--", "b",
			[]string{"filename f=a.xml", "doc (document)=<a>t</a>", "text a=t"}},
		{"nested", "--b\r\nContent-Disposition: form-data; name=\"files\"\r\nContent-Type: multipart/mixed; boundary=c\r\n\r\n--c\r\nContent-Disposition: file; filename=\"x.txt\"\r\n\r\ninner\r\n--c--\r\n--b--", "b",
			[]string{"filename =x.txt", "file =inner"}},
	}
	for _, tt := range tests {
		got, _ := collect(tt.body, FormatMultipart, tt.boundary)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestParam(t *testing.T) {
	for _, tt := range []struct{ v, key, want string }{
		{`form-data; name="a"; filename="b.txt"`, "filename", "b.txt"},
		{`form-data; name=a; name="b"`, "name", "b"},
		{`multipart/form-data; boundary="x;y"`, "boundary", "x;y"},
		{`form-data; name="a\"b"`, "name", `a"b`},
		// a backslash before a tspecial escapes it; before any other byte
		// it stays, as Go's mime/multipart reads it (MSIE's full paths)
		{`form-data; name="\\\\srv\c$\win.ini"`, "name", `\\srv\c$\win.ini`},
		{`form-data; filename="C:\dev\a.txt"`, "filename", `C:\dev\a.txt`},
		{`form-data; name="a\\b\/c"`, "name", `a\b/c`},
		{`text/plain;charset=IBM037`, "charset", "IBM037"},
	} {
		if got := Param1(tt.v, tt.key); got != tt.want {
			t.Errorf("Param(%q, %q) = %q, want %q", tt.v, tt.key, got, tt.want)
		}
	}
}

func gzipped(s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	io.WriteString(w, s)
	w.Close()
	return b.Bytes()
}

func TestInflate(t *testing.T) {
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	io.WriteString(zw, "zlib body")
	zw.Close()
	for _, tt := range []struct {
		name    string
		in      []byte
		codings string
		max     int
		want    string
		err     error
	}{
		{"gzip", gzipped("hello"), "gzip", 100, "hello", nil},
		{"deflate (zlib)", z.Bytes(), "deflate", 100, "zlib body", nil},
		{"nested", gzipped(string(gzipped("twice"))), "gzip, x-gzip", 100, "twice", nil},
		{"identity", []byte("plain"), "identity", 100, "plain", nil},
		{"bomb", gzipped(strings.Repeat("a", 1<<20)), "gzip", 1000, strings.Repeat("a", 1000), ErrTooLarge},
		{"brotli", []byte("x"), "br", 100, "", ErrUnsupported},
		{"too many", gzipped("x"), "gzip,gzip,gzip,gzip", 100, "", ErrUnsupported},
		{"corrupt", []byte("not gzip"), "gzip", 100, "", ErrCorrupt},
	} {
		got, err := Inflate(tt.in, tt.codings, tt.max)
		if string(got) != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("%s: Inflate = %d bytes, %v; want %d bytes, %v", tt.name, len(got), err, len(tt.want), tt.err)
		}
	}
}

func TestDecodeCharset(t *testing.T) {
	le := []byte{0xff, 0xfe}
	for _, u := range utf16.Encode([]rune("<svg onload=x>")) {
		le = append(le, byte(u), byte(u>>8))
	}
	noBOM := le[2:]
	for _, tt := range []struct {
		name, charset string
		in            []byte
		want          string
		decoded       bool
	}{
		{"utf-16 bom", "", le, "<svg onload=x>", true},
		{"utf-16 sniffed", "", noBOM, "<svg onload=x>", true},
		{"ebcdic", "ibm037", []byte{0x4c, 0xa2, 0xa5, 0x87, 0x6e}, "<svg>", true},
		{"latin-1 kept", "iso-8859-1", []byte("caf\xe9"), "caf\xe9", false},
		{"utf-16 declared but ascii", "utf-16", []byte("<a>plain</a>"), "<a>plain</a>", false},
		{"unknown charset", "x-made-up", []byte("abc"), "abc", false},
	} {
		got, ok, err := DecodeCharset(tt.in, tt.charset, 1000)
		if string(got) != tt.want || ok != tt.decoded || err != nil {
			t.Errorf("%s: got %q %v %v, want %q %v", tt.name, got, ok, err, tt.want, tt.decoded)
		}
	}
}

// FuzzSniff: any body and declared type is classified without panic, and a
// body is binary only when it is (no text type declared, or no parse).
func FuzzSniff(f *testing.F) {
	f.Add("a=1&b=2", "application/x-www-form-urlencoded", "")
	f.Add(`{"a":"b"}`, "text/json", "")
	f.Add("--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--x--", "multipart/form-data", "x")
	f.Add("\x89PNG\r\n\x1a\n\x00", "image/png", "")
	f.Add("<a>b</a>", "", "")
	f.Fuzz(func(t *testing.T, b, declared, boundary string) {
		if got := Sniff(b, declared, boundary); got > FormatText {
			t.Fatalf("Sniff = %d", got)
		}
		SniffBoundary(b)
		FormShaped(b)
	})
}

// strings of a JSON document as encoding/json reads them: keys and string
// values, in no particular order.
func jsonStrings(v any, out *[]string) {
	switch v := v.(type) {
	case string:
		*out = append(*out, v)
	case []any:
		for _, e := range v {
			jsonStrings(e, out)
		}
	case map[string]any:
		for k, e := range v {
			*out = append(*out, k)
			jsonStrings(e, out)
		}
	}
}

// duplicateKeys reports whether an object of the valid JSON document b
// repeats a key.
func duplicateKeys(b string) bool {
	dec := json.NewDecoder(strings.NewReader(b))
	type frame struct {
		keys   map[string]bool
		object bool
		key    bool // the next string token is a key
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		switch tok := tok.(type) {
		case json.Delim:
			switch tok {
			case '{', '[':
				if top != nil && top.object {
					top.key = true // this value ends, a key comes next
				}
				stack = append(stack, &frame{keys: map[string]bool{}, object: tok == '{', key: tok == '{'})
			default:
				stack = stack[:len(stack)-1]
			}
			continue
		case string:
			if top != nil && top.object && top.key {
				if top.keys[tok] {
					return true
				}
				top.keys[tok] = true
				top.key = false
				continue
			}
		}
		if top != nil && top.object {
			top.key = true
		}
	}
}

// FuzzJSON: the tolerant scanner never panics, emits nothing longer than
// its input, and on valid JSON emits exactly the strings encoding/json
// reads (duplicate keys aside).
func FuzzJSON(f *testing.F) {
	for _, s := range []string{`{"a":"b","c":[1,"d",{"e":null}]}`, `"x"`, `{"q":"\u0027\ud83d\ude00"}`, `[[[[]]]]`, `{a:'b'}`, `{"a":"\"}`,
		`{"constructor":{"prototype":{"a":1}}}`, `[{"constructor":[{"prototype":1}]}]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b string) {
		var got []string
		p := &Parser{MaxDepth: 4, Emit: func(v Value) bool {
			if len(v.Value) > len(b) {
				t.Fatalf("value of %d bytes from %d", len(v.Value), len(b))
			}
			got = append(got, v.Value)
			return true
		}}
		ok := p.json(b)
		var v any
		if json.Unmarshal([]byte(b), &v) != nil || !strings.ContainsAny(strings.TrimSpace(b)[:1], "{[") {
			return
		}
		if !ok {
			t.Fatalf("valid JSON reported malformed: %q", b)
		}
		if duplicateKeys(b) {
			// encoding/json keeps the last value of a repeated key; the
			// scanner emits every value, as it must: a backend may read
			// the first
			return
		}
		var want []string
		jsonStrings(v, &want)
		if !slices.Contains(want, constructorPrototype) {
			// the path a prototype under a constructor spells, emitted as
			// a key of its own
			got = slices.DeleteFunc(got, func(s string) bool { return s == constructorPrototype })
		}
		slices.Sort(got)
		slices.Sort(want)
		// encoding/json turns invalid UTF-8 into U+FFFD; the scanner keeps
		// the bytes, as a backend that reads raw bytes does
		if !slices.Equal(slices.Compact(got), slices.Compact(want)) && !strings.Contains(b, `\u`) && utf8.ValidString(b) {
			t.Fatalf("strings %q, encoding/json reads %q", got, want)
		}
	})
}

// FuzzXML: the tokenizer never panics and emits nothing longer than its
// input; on a document encoding/xml reads, every attribute value and every
// element's text it reads is among the emitted values.
func TestXMLDocMarkup(t *testing.T) {
	long := strings.Repeat("Some prose, long enough to be cut. ", 2)
	cases := []struct{ doc, markup string }{
		// long runs of text are cut, short ones stay
		{`<?xml version="1.0"?><r><a id="1">` + long + `</a><b>short</b></r>`,
			`<?xml version="1.0"?><r><a id="1"> </a><b>short</b></r>`},
		{long + `<r/>` + long, ` <r/> `},
		// the text of script and style stays, with what is in it
		{`<html><script>` + long + `<b>` + long + `</b></script><p>` + long + `</p></html>`,
			`<html><script>` + long + `<b>` + long + `</b></script><p> </p></html>`},
		// text with references stays: markup hides behind them
		{`<r><a>` + long + `&lt;script&gt;</a><b>` + long + `</b></r>`, `<r><a>` + long + `&lt;script&gt;</a><b> </b></r>`},
		{`<STYLE>` + long + `</STYLE><p>` + long + `</p>`, `<STYLE>` + long + `</STYLE><p> </p>`},
		// an end tag that never closes ends the parse: the text before it
		// was emitted, so it is cut
		{`<r>` + long + `</r`, `<r> </r`},
		// nothing cut: no markup value
		{`<r>short</r>`, ``},
	}
	for _, c := range cases {
		got, _ := collect(c.doc, FormatXML, "")
		markup := ""
		for _, g := range got {
			if m, ok := strings.CutPrefix(g, "docmarkup (document)="); ok {
				markup = m
			}
		}
		if markup != c.markup {
			t.Errorf("%q:\n got %q\nwant %q", c.doc, markup, c.markup)
		}
	}
	// a parse the caller stopped gives no markup: the document stays whole
	n := 0
	p := &Parser{Emit: func(v Value) bool {
		n++
		if v.Kind == XMLDocMarkup {
			t.Errorf("markup after a stop")
		}
		return n < 3
	}}
	p.xml(`<r><a>` + long + `</a><b>` + long + `</b><c>` + long + `</c></r>`)
}

// FuzzXMLDocMarkup: the markup is the document with runs of text cut, each
// at least XMLTextCut bytes without a reference, each running from the
// end of a tag (or the start) to the next '<' (or the end), and each
// emitted as text: no byte the markup leaves out goes unread.
func FuzzXMLDocMarkup(f *testing.F) {
	long := strings.Repeat("x y ", 10)
	for _, s := range []string{`<a>` + long + `</a>`, long + `<a/>` + long, `<a b=">` + long + `">` + long + `</a>`,
		`<!-- ` + long + ` -->` + long, `<![CDATA[` + long + `]]>` + long + `<b>`, `<a>&lt;` + long + `&amp;</a>`,
		`<script>` + long + `</script>` + long, `<a>` + long + `</a`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b string) {
		var texts []string
		markup, docs := "", 0
		p := &Parser{MaxDepth: 4, Emit: func(v Value) bool {
			switch v.Kind {
			case XMLDoc:
				docs++
			case XMLText:
				texts = append(texts, v.Value)
			case XMLDocMarkup:
				if docs != 1 || markup != "" {
					t.Fatalf("markup without its document, or twice")
				}
				markup = v.Value
			}
			return true
		}}
		p.xml(b)
		if markup == "" {
			return
		}
		bs, ms := strings.Split(b, "<"), strings.Split(markup, "<")
		if len(bs) != len(ms) {
			t.Fatalf("%q: markup %q has %d '<', the document %d", b, markup, len(ms)-1, len(bs)-1)
		}
		for k := range bs {
			if bs[k] == ms[k] {
				continue
			}
			head, ok := strings.CutSuffix(ms[k], " ")
			if !ok || !strings.HasPrefix(bs[k], head) || head != "" && !strings.HasSuffix(head, ">") {
				t.Fatalf("%q: segment %q became %q", b, bs[k], ms[k])
			}
			run := bs[k][len(head):]
			if len(run) < XMLTextCut {
				t.Fatalf("%q: a run of %d bytes cut: %q", b, len(run), run)
			}
			if strings.IndexByte(run, '&') >= 0 {
				t.Fatalf("%q: cut %q, which holds a reference", b, run)
			}
			want := strings.TrimSpace(run)
			found := want == ""
			for _, x := range texts {
				found = found || strings.Contains(x, want)
			}
			if !found {
				t.Fatalf("%q: cut %q, emitted as text in none of %q", b, run, texts)
			}
		}
	})
}

func FuzzXML(f *testing.F) {
	for _, s := range []string{`<a b="c">d<![CDATA[e]]></a>`, `<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>`, `<?xml version="1.0"?><r><!-- c --><x y='1'/></r>`, `<a><b>`, `a < b`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b string) {
		seen := map[string]bool{}
		p := &Parser{MaxDepth: 4, Emit: func(v Value) bool {
			if len(v.Value) > len(b) {
				t.Fatalf("value of %d bytes from %d", len(v.Value), len(b))
			}
			seen[v.Value] = true
			return true
		}}
		p.xml(b)
		d := xml.NewDecoder(strings.NewReader(b))
		var want []string
		text := ""
		for {
			tok, err := d.RawToken()
			if err == io.EOF {
				break
			}
			if err != nil {
				return
			}
			switch tok := tok.(type) {
			case xml.StartElement:
				for _, a := range tok.Attr {
					if a.Value != "" && !strings.Contains(a.Value, "\r") {
						want = append(want, a.Value)
					}
				}
				text = ""
			case xml.CharData:
				text += string(tok)
			case xml.EndElement:
				if s := strings.TrimSpace(text); s != "" && !strings.Contains(s, "\r") {
					want = append(want, s)
				}
				text = ""
			}
		}
		// encoding/xml ends lines as XML says (§2.11: "\r\n" and "\r"
		// read as "\n"); the parser emits the bytes as sent
		eol := strings.NewReplacer("\r\n", "\n", "\r", "\n")
		for _, v := range slices.Collect(maps.Keys(seen)) {
			seen[eol.Replace(v)] = true
		}
		for _, w := range want {
			if !seen[w] {
				t.Fatalf("encoding/xml reads %q in %q; emitted %q", w, b, slices.Sorted(maps.Keys(seen)))
			}
		}
	})
}

// FuzzXMLElementNames checks the ASCII lookups of rawTextElement and
// voidElement against the EqualFold and ToLower ones they replaced.
func FuzzXMLElementNames(f *testing.F) {
	for _, s := range []string{"script", "SCRIPT", "ScRiPt", "\u017fcript", "title", "xmp", "Xmp", "plaintext", "textarea",
		"note", "br", "BR", "Img", "trac\u212a", "track", "source", "sourcE", "wbr", "w_r", "b@", "_r", "col:x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if got, want := rawTextElement(name), rawTextElementFold(name); got != want {
			t.Fatalf("rawTextElement(%q) = %v, want %v", name, got, want)
		}
		if got, want := voidElement(name), voidElementLower(name); got != want {
			t.Fatalf("voidElement(%q) = %v, want %v", name, got, want)
		}
	})
}

// plainWordSimple is plainWord as first written (in threat's view).
func plainWordSimple(s string) bool {
	if len(s) == 0 || len(s) >= 8 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' && (i == 0 || s[i-1] != '_')) {
			return false
		}
	}
	return true
}

// FuzzPlainWord checks the table-driven plainWord against
// plainWordSimple, and that a parser with SkipWords emits what one without
// it does, less the plain words.
func FuzzPlainWord(f *testing.F) {
	for _, s := range []string{"id", "a_b", "__proto", "_a", "a__", "a-b", "1234567", "12345678", "", "é", "a b",
		`{"id":"x","__proto__":{"a":"b c"},"n":["_","__","ok ok"]}`, `<a b="c_d">e__f<g h="i j">k</g></a>`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := plainWord(s), plainWordSimple(s); got != want {
			t.Fatalf("plainWord(%q) = %v, want %v", s, got, want)
		}
		for _, format := range []Format{FormatJSON, FormatXML} {
			var all, skipped []Value
			p := Parser{Emit: func(v Value) bool { all = append(all, v); return true }}
			p.Parse(s, format, "")
			q := Parser{SkipWords: true, Emit: func(v Value) bool { skipped = append(skipped, v); return true }}
			q.Parse(s, format, "")
			var want []Value
			for _, v := range all {
				if v.Kind <= XMLAttr && v.Kind != Form && plainWordSimple(v.Value) {
					continue
				}
				want = append(want, v)
			}
			if !slices.Equal(skipped, want) || p.Malformed != q.Malformed || p.Deep != q.Deep {
				t.Fatalf("%v %q: SkipWords emits %v, want %v", format, s, skipped, want)
			}
		}
	})
}

// FuzzMultipart: the lenient parser never panics; on a body that
// mime/multipart reads whole, every text field it reads is emitted.
func FuzzMultipart(f *testing.F) {
	f.Add("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"t.txt\"\r\n\r\ny\r\n--b--\r\n", "b")
	f.Add("--b\nContent-Disposition: form-data; name=a\n\nx\n--b--", "b")
	f.Add("preamble\r\n--b\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\na=3Db\r\n--b--", "b")
	f.Fuzz(func(t *testing.T, b, boundary string) {
		seen := map[string]bool{}
		p := &Parser{MaxDepth: 4, Emit: func(v Value) bool {
			if v.Kind == Field {
				seen[v.Value] = true
			}
			return true
		}}
		p.multipart(b, boundary)
		if boundary == "" || len(boundary) > 70 || strings.ContainsAny(boundary, "\r\n") {
			return
		}
		r := multipart.NewReader(strings.NewReader(b), boundary)
		var want []string
		for {
			part, err := r.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				return
			}
			v, err := io.ReadAll(part)
			if err != nil {
				return
			}
			_, params := part.FileName(), part.Header
			if part.FileName() == "" && !strings.HasPrefix(params.Get("Content-Type"), "multipart/") && len(v) > 0 &&
				Sniff(string(v), MediaType(textproto.MIMEHeader(params).Get("Content-Type")), "") != FormatBinary &&
				params.Get("Content-Transfer-Encoding") == "" {
				want = append(want, string(v))
			}
		}
		for _, w := range want {
			if !seen[w] {
				t.Fatalf("mime/multipart reads field %q; emitted %v", w, seen)
			}
		}
	})
}

// FuzzParam: a quoted parameter that Go's mime parses reads the same
// here, backslashes and all: the part name a Go handler sees is the one
// inspected.
func FuzzParam(f *testing.F) {
	f.Add(`"\\\\srv\c$\win.ini"`)
	f.Add(`"C:\dev\a.txt"; filename="x"`)
	f.Add(`"a\"b"`)
	f.Fuzz(func(t *testing.T, x string) {
		v := "form-data; name=" + x
		got, ok := Param(v, "name")
		_, params, err := mime.ParseMediaType(v)
		if err != nil || !strings.HasPrefix(x, `"`) {
			return
		}
		if want, in := params["name"]; in && (!ok || got != want) {
			t.Fatalf("Param(%q) = %q, %v; mime reads %q", v, got, ok, want)
		}
	})
}

// FuzzInflate: any data under any codings inflates without panic and
// within the limit, and gzip data round-trips.
func FuzzInflate(f *testing.F) {
	f.Add([]byte("hello"), "gzip", true)
	f.Add(gzipped("x"), "deflate", false)
	f.Add([]byte{0x78, 0x9c, 0x03, 0x00}, "deflate", false)
	f.Fuzz(func(t *testing.T, b []byte, codings string, wrap bool) {
		if wrap {
			out, err := Inflate(gzipped(string(b)), "gzip", len(b)+1)
			if err != nil || !bytes.Equal(out, b) {
				t.Fatalf("gzip round trip: %q, %v", out, err)
			}
		}
		out, _ := Inflate(b, codings, 64)
		if len(out) > 64 && !bytes.Equal(out, b) {
			t.Fatalf("%d bytes past the limit", len(out))
		}
	})
}

// FuzzDecodeCharset: any bytes in any charset decode without panic and
// within the limit.
func FuzzDecodeCharset(f *testing.F) {
	f.Add([]byte("\xff\xfea\x00b\x00"), "")
	f.Add([]byte{0x4c, 0xa2, 0x6e}, "ibm037")
	f.Add([]byte("abc"), "shift_jis")
	f.Add([]byte("a\x00b\x00c\x00d\x00"), "utf-16")
	f.Fuzz(func(t *testing.T, b []byte, charset string) {
		out, ok, _ := DecodeCharset(b, charset, 256)
		if ok && len(out) > 256 {
			t.Fatalf("%d bytes past the limit", len(out))
		}
	})
}

func TestDuplicateKeys(t *testing.T) {
	for doc, want := range map[string]bool{
		`{"a":1,"a":2}`:                   true,
		`{"":"0","":[]}`:                  true,
		`{"a":[1,2],"b":{"c":1,"c":2}}`:   true,
		`{"a":{"a":1}}`:                   false,
		`[{"a":1},{"a":2}]`:               false,
		`{"a":[{"b":1}],"b":[{"b":2}]}`:   false,
		`{"a":"b","b":"a","c":["a","a"]}`: false,
	} {
		if got := duplicateKeys(doc); got != want {
			t.Errorf("duplicateKeys(%s) = %v, want %v", doc, got, want)
		}
	}
}
