// Command gotestwaf writes the test cases of Wallarm's gotestwaf
// (github.com/wallarm/gotestwaf, MIT licence: its testcases directory) as
// labelled requests for examples/evaluate and examples/crscompare, so that
// bulwark and Coraza with the OWASP CRS are measured side by side on a
// suite nobody here wrote:
//
//	git clone https://github.com/wallarm/gotestwaf /tmp/gotestwaf
//	cd examples/gotestwaf && go run . -testcases /tmp/gotestwaf/testcases -out /tmp/gotestwaf.jsonl.gz
//	go run ./examples/evaluate -data /tmp/gotestwaf.jsonl.gz
//	cd examples/crscompare && go run . -data /tmp/gotestwaf.jsonl.gz
//
// Every payload of a test case is sent with every encoder (Plain, URL,
// Base64, Base64Flat, JSUnicode, XMLEntity) in every placeholder, built as
// gotestwaf's placeholders build them (read from its
// internal/payload/placeholder and encoder packages, written again here)
// and then written to the wire with Request.Write and read back with
// http.ReadRequest, so that a row holds what a server receives. The
// false-pos set's rows are labelled benign, the others attack; a row's
// category is its set and file ("owasp/xss-scripting"), its placement
// (the last part of its id) the placeholder. gRPC rows are left out
// (they need an HTTP/2 gRPC client), and so is any row net/http would
// refuse to send. Parameter names are gotestwaf's random hex from a fixed
// seed, so that two runs write the same rows.
//
// It is a module of its own so that bulwark does not depend on a YAML
// library.
package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf16"

	"github.com/bulwarkhq/bulwark/internal/labelled"
	"gopkg.in/yaml.v3"
)

// placeholder is one entry of a test case's placeholder list: a name,
// and for RawRequest and GraphQL the settings under it.
type placeholder struct {
	Name   string
	Config map[string]any
}

// testCase is one YAML file of the suite.
type testCase struct {
	Set, File    string
	Payloads     []string
	Encoders     []string
	Placeholders []placeholder
}

const target = "http://app.example.com/"

var rng = rand.New(rand.NewSource(1))

// randomHex is gotestwaf's RandomHex(5): five random bytes in hex, from a
// fixed seed here.
func randomHex() string {
	b := make([]byte, 5)
	rng.Read(b)
	return fmt.Sprintf("%x", b)
}

// canon maps the old spellings (Url, UrlPath, UrlParam) to the current names.
func canon(s string) string {
	switch strings.ToLower(s) {
	case "url":
		return "URL"
	case "urlpath":
		return "URLPath"
	case "urlparam":
		return "URLParam"
	}
	return s
}

func encode(enc, data string) (string, error) {
	switch canon(enc) {
	case "Plain":
		return data, nil
	case "URL":
		return url.QueryEscape(data), nil
	case "Base64":
		return base64.StdEncoding.EncodeToString([]byte(data)), nil
	case "Base64Flat":
		return strings.ReplaceAll(base64.StdEncoding.EncodeToString([]byte(data)), "=", ""), nil
	case "JSUnicode":
		var sb strings.Builder
		for _, u := range utf16.Encode([]rune(data)) {
			fmt.Fprintf(&sb, "\\u%02x%02x", byte(u>>8), byte(u))
		}
		return sb.String(), nil
	case "XMLEntity":
		var b bytes.Buffer
		if err := xml.NewEncoder(&b).Encode(data); err != nil {
			return "", err
		}
		return b.String(), nil
	}
	return "", fmt.Errorf("unknown encoder %q", enc)
}

const soapWrapper = `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"
	xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
	<soapenv:Header>
		<ns1:RequestHeader soapenv:actor="http://schemas.xmlsoap.org/soap/actor/next"
			soapenv:mustUnderstand="0" xmlns:ns1="https://www.google.com/apis/ads/publisher/v202002">
		</ns1:RequestHeader>
	</soapenv:Header>
	<soapenv:Body>
		<getAdUnitsByStatement xmlns="https://www.google.com/apis/ads/publisher/v202002">
			<filterStatement>
				<%s>%s</%s>
			</filterStatement>
		</getAdUnitsByStatement>
	</soapenv:Body>
</soapenv:Envelope>`

// errSkip marks a placeholder this program does not reproduce.
type errSkip string

func (e errSkip) Error() string { return string(e) }

// build builds a request as gotestwaf's placeholders do (their
// CreateRequest).
func build(ph placeholder, payload string) (*http.Request, error) {
	switch canon(ph.Name) {
	case "URLParam":
		return http.NewRequest("GET", target+"?"+randomHex()+"="+payload, nil)
	case "URLPath":
		return http.NewRequest("GET", target+payload, nil)
	case "Header":
		r, err := http.NewRequest("GET", target, nil)
		if err == nil {
			r.Header.Add("X-"+randomHex(), payload)
		}
		return r, err
	case "UserAgent":
		r, err := http.NewRequest("GET", target, nil)
		if err == nil {
			r.Header.Set("User-Agent", payload)
		}
		return r, err
	case "HTMLForm":
		r, err := http.NewRequest("POST", target, strings.NewReader(randomHex()+"="+payload))
		if err == nil {
			r.Header.Add("Content-Type", "application/x-www-form-urlencoded")
		}
		return r, err
	case "HTMLMultipartForm":
		body := &bytes.Buffer{}
		w := multipart.NewWriter(body)
		fw, err := w.CreateFormField(randomHex())
		if err != nil {
			return nil, err
		}
		fw.Write([]byte(payload))
		w.Close()
		r, err := http.NewRequest("POST", target, bytes.NewReader(body.Bytes()))
		if err == nil {
			r.Header.Add("Content-Type", w.FormDataContentType())
		}
		return r, err
	case "JSONBody":
		r, err := http.NewRequest("POST", target, strings.NewReader(payload))
		if err == nil {
			r.Header.Add("Content-Type", "application/json")
		}
		return r, err
	case "JSONRequest":
		enc, _ := encode("JSUnicode", payload)
		body := fmt.Sprintf("{\"test\":true, \"%s\": \"%s\"}", randomHex(), enc)
		r, err := http.NewRequest("POST", target, strings.NewReader(body))
		if err == nil {
			r.Header.Add("Content-Type", "application/json")
		}
		return r, err
	case "XMLBody":
		r, err := http.NewRequest("POST", target, strings.NewReader(payload))
		if err == nil {
			r.Header.Add("Content-Type", "text/xml")
		}
		return r, err
	case "RequestBody":
		return http.NewRequest("POST", target, strings.NewReader(payload))
	case "NonCRUDRequestBody":
		return http.NewRequest("CUST", target, strings.NewReader(payload))
	case "SOAPBody":
		param := "ab" + randomHex()
		enc, err := encode("XMLEntity", payload)
		if err != nil {
			return nil, err
		}
		r, err := http.NewRequest("POST", target, strings.NewReader(fmt.Sprintf(soapWrapper, param, enc, param)))
		if err == nil {
			r.Header.Add("SOAPAction", "\"http://schemas.xmlsoap.org/soap/actor/next\"")
			r.Header.Add("Content-Type", "text/xml")
		}
		return r, err
	case "GraphQL":
		method, _ := ph.Config["method"].(string)
		u, _ := url.Parse(target)
		if method == "GET" {
			q := u.Query()
			q.Set("query", payload)
			u.RawQuery = q.Encode()
			return http.NewRequest("GET", u.String(), nil)
		}
		return http.NewRequest("POST", u.String(), strings.NewReader(payload))
	case "RawRequest":
		method, _ := ph.Config["method"].(string)
		path, _ := ph.Config["path"].(string)
		body, _ := ph.Config["body"].(string)
		u := target + strings.TrimPrefix(path, "/")
		u = strings.ReplaceAll(u, "{{payload}}", payload)
		body = strings.ReplaceAll(body, "{{payload}}", payload)
		var r *http.Request
		var err error
		if body != "" {
			r, err = http.NewRequest(method, u, strings.NewReader(body))
		} else {
			r, err = http.NewRequest(method, u, nil)
		}
		if err != nil {
			return nil, err
		}
		if hs, ok := ph.Config["headers"].(map[string]any); ok {
			for k, v := range hs {
				r.Header.Add(k, strings.ReplaceAll(fmt.Sprint(v), "{{payload}}", payload))
			}
		}
		return r, nil
	case "gRPC":
		return nil, errSkip("gRPC needs an HTTP/2 gRPC client; not reproduced")
	}
	return nil, errSkip("unknown placeholder " + ph.Name)
}

// validHeaderValue is what net/http's transport checks before sending
// (httpguts.ValidHeaderFieldValue): no control bytes but tab.
func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if b := v[i]; (b < ' ' && b != '\t') || b == 0x7f {
			return false
		}
	}
	return true
}

// wire sends the client request through Request.Write and reads it back as
// a server would; the fragment never reaches the wire.
func wire(r *http.Request) (*http.Request, error) {
	r.URL.Fragment, r.URL.RawFragment = "", ""
	for k, vs := range r.Header {
		for _, v := range vs {
			if !validHeaderValue(v) {
				return nil, fmt.Errorf("net/http would refuse to send header %s (control bytes)", k)
			}
		}
	}
	var b bytes.Buffer
	if err := r.Write(&b); err != nil {
		return nil, fmt.Errorf("write: %w", err)
	}
	s, err := http.ReadRequest(bufio.NewReader(&b))
	if err != nil {
		return nil, fmt.Errorf("a Go server would refuse it: %w", err)
	}
	s.RemoteAddr = "203.0.113.7:40000"
	return s, nil
}

// load reads the test cases of every set directory under dir.
func load(dir string) ([]testCase, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*", "*.y*ml"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var tcs []testCase
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		// a tree, not a struct: some files repeat a header's key in a
		// RawRequest, which decoding into a map refuses
		var doc yaml.Node
		if err := yaml.Unmarshal(raw, &doc); err != nil {
			log.Printf("skip %s: %v", f, err)
			continue
		}
		if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
			log.Printf("skip %s: not a test case", f)
			continue
		}
		tc := testCase{Set: filepath.Base(filepath.Dir(f)), File: strings.TrimSuffix(strings.TrimSuffix(filepath.Base(f), ".yml"), ".yaml")}
		m := doc.Content[0]
		for i := 0; i+1 < len(m.Content); i += 2 {
			k, v := m.Content[i].Value, m.Content[i+1]
			switch k {
			case "payload":
				tc.Payloads = scalars(v)
			case "encoder":
				tc.Encoders = scalars(v)
			case "placeholder":
				for _, p := range v.Content {
					switch p.Kind {
					case yaml.ScalarNode:
						tc.Placeholders = append(tc.Placeholders, placeholder{Name: p.Value})
					case yaml.MappingNode:
						for j := 0; j+1 < len(p.Content); j += 2 {
							tc.Placeholders = append(tc.Placeholders, placeholder{Name: p.Content[j].Value, Config: config(p.Content[j+1])})
						}
					}
				}
			}
		}
		if len(tc.Payloads) == 0 || len(tc.Encoders) == 0 || len(tc.Placeholders) == 0 {
			log.Printf("skip %s: no payload, encoder or placeholder", f)
			continue
		}
		tcs = append(tcs, tc)
	}
	return tcs, nil
}

// scalars are the values of a sequence of scalars.
func scalars(n *yaml.Node) []string {
	var out []string
	for _, c := range n.Content {
		if c.Kind == yaml.ScalarNode {
			out = append(out, c.Value)
		}
	}
	return out
}

// config reads a placeholder's settings: scalars, and maps of scalars
// (headers), a repeated key keeping its last value.
func config(n *yaml.Node) map[string]any {
	out := map[string]any{}
	for i := 0; n.Kind == yaml.MappingNode && i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i].Value, n.Content[i+1]
		switch v.Kind {
		case yaml.ScalarNode:
			out[k] = v.Value
		case yaml.MappingNode:
			out[k] = config(v)
		}
	}
	return out
}

// row turns a request read back from the wire into a labelled row.
func row(id string, r *http.Request, attack bool, category string) (labelled.Row, error) {
	var body []byte
	if r.Body != nil {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return labelled.Row{}, err
		}
		body = b
	}
	h := map[string]string{"Host": r.Host}
	for k, vs := range r.Header {
		h[k] = strings.Join(vs, ", ")
	}
	label := "benign"
	if attack {
		label = "attack"
	}
	return labelled.Row{ID: id, Method: r.Method, URI: r.RequestURI, Headers: h, Body: string(body), Label: label, Category: category}, nil
}

func main() {
	dir := flag.String("testcases", "testcases", "gotestwaf's testcases directory (one directory a set)")
	out := flag.String("out", "gotestwaf.jsonl.gz", "labelled requests to write, .jsonl or .jsonl.gz")
	flag.Parse()
	tcs, err := load(*dir)
	if err != nil {
		log.Fatal(err)
	}
	if len(tcs) == 0 {
		log.Fatalf("no test cases under %s", *dir)
	}
	w, err := labelled.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	n, skipped := 0, map[string]int{}
	for _, tc := range tcs {
		for _, p := range tc.Payloads {
			for _, e := range tc.Encoders {
				for _, ph := range tc.Placeholders {
					encoded, err := encode(e, p)
					var req *http.Request
					if err == nil {
						req, err = build(ph, encoded)
					}
					if err == nil {
						req, err = wire(req)
					}
					if err != nil {
						skipped[canon(ph.Name)+": "+err.Error()]++
						continue
					}
					n++
					id := fmt.Sprintf("gtw-%d-%s-%s", n, strings.ToLower(canon(e)), strings.ToLower(canon(ph.Name)))
					r, err := row(id, req, tc.Set != "false-pos", tc.Set+"/"+tc.File)
					if err != nil {
						log.Fatal(err)
					}
					if err := w.Write(r); err != nil {
						log.Fatal(err)
					}
				}
			}
		}
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d requests from %d test cases in %s\n", n, len(tcs), *out)
	for why, k := range skipped {
		fmt.Printf("left out %d: %s\n", k, why)
	}
}
