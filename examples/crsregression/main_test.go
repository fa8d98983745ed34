package main

import (
	"encoding/base64"
	"strings"
	"testing"
	"testing/fstest"
)

// The requests below are made up for the tests; none is a CRS test.

func TestEncodedRequestIsSentAsItIs(t *testing.T) {
	raw := "PUT /a%20b?x=1 HTTP/1.1\r\nHost: example.test\r\nX-Two: 1\r\nX-Two: 2\r\nContent-Length: 3\r\n\r\nabcdef"
	stages, err := parseFile([]byte(`
rule_id: 930000
tests:
  - test_id: 1
    stages:
      - input:
          encoded_request: "` + base64.StdEncoding.EncodeToString([]byte(raw)) + `"
        output:
          log:
            expect_ids: [930000]
`))
	if err != nil || len(stages) != 1 {
		t.Fatalf("parse: %v, %d stages", err, len(stages))
	}
	b, err := wireBytes(stages[0].In)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != raw {
		t.Fatalf("wire bytes %q, want the decoded request", b)
	}
	p, lenient, err := readBack(b)
	if err != nil || lenient {
		t.Fatalf("read back: %v (lenient %v)", err, lenient)
	}
	if p.Method != "PUT" || p.URI != "/a%20b?x=1" || p.Host != "example.test" || p.Body != "abc" {
		t.Fatalf("read back %+v", p)
	}
	if got := p.Header.Values("X-Two"); len(got) != 2 {
		t.Fatalf("X-Two %v, want both values", got)
	}
}

func TestDataListIsJoinedAndEncodedAsGoFTWDoes(t *testing.T) {
	stages, err := parseFile([]byte(`
---
meta:
  name: old.yaml
tests:
  - test_title: old-1
    stages:
      - stage:
          input:
            method: POST
            uri: /form
            headers:
              Host: example.test
            data:
              - "a=1 2"
              - "b=3"
          output:
            log_contains: id "942000"
`))
	if err != nil || len(stages) != 1 {
		t.Fatalf("parse: %v, %d stages", err, len(stages))
	}
	if got := stages[0].In.Data; got != "a=1 2\r\nb=3" {
		t.Fatalf("data %q, want the lines joined with CRLF", got)
	}
	b, err := wireBytes(stages[0].In)
	if err != nil {
		t.Fatal(err)
	}
	want := "POST /form HTTP/1.1\r\nHost: example.test\r\nContent-Type: application/x-www-form-urlencoded\r\nConnection: close\r\nContent-Length: 16\r\n\r\na=1+2%0D%0Ab%3D3"
	if string(b) != want {
		t.Fatalf("wire bytes\n%q\nwant\n%q", b, want)
	}
	p, _, err := readBack(b)
	if err != nil {
		t.Fatal(err)
	}
	if p.Body != "a=1+2%0D%0Ab%3D3" {
		t.Fatalf("body %q", p.Body)
	}
}

func TestMultipartGetsCRLFAndEncodedBodiesStay(t *testing.T) {
	in := input{Method: "POST", URI: "/", Version: "HTTP/1.1", Autocomplete: true,
		Headers: []header{{"Content-Type", "multipart/form-data; boundary=X"}},
		Data:    "--X\nContent-Disposition: form-data; name=\"f\"\n\nv\n--X--\n"}
	b, _ := wireBytes(in)
	if !strings.HasSuffix(string(b), "\r\n\r\n--X\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nv\r\n--X--\r\n") {
		t.Fatalf("multipart body not CRLF: %q", b)
	}
	in = input{Method: "POST", URI: "/", Version: "HTTP/1.1", Autocomplete: true, Data: "q=%41%20b"}
	b, _ = wireBytes(in)
	if !strings.HasSuffix(string(b), "\r\n\r\nq=%41%20b") {
		t.Fatalf("an encoded body was encoded again: %q", b)
	}
}

func TestClassify(t *testing.T) {
	f := testFile{Dir: "REQUEST-941-APPLICATION-ATTACK-XSS", Stem: "941999"}
	for _, c := range []struct {
		out   expectation
		label string
		rule  int
	}{
		{expectation{IDs: []int{941999}}, "attack", 941999},
		{expectation{IDs: []int{920100, 941998}}, "attack", 941998},
		{expectation{NoIDs: []int{941999}}, "benign", 941999},
		{expectation{IDs: []int{920100}}, "", 0},
		{expectation{Other: []string{"status"}}, "", 0},
	} {
		label, rule, skip := classify(f, stage{Out: c.out})
		if label != c.label || rule != c.rule || (label == "") != (skip != "") {
			t.Errorf("%+v: got %q %d %q", c.out, label, rule, skip)
		}
	}
	if family(f.Dir) != "xss" || family("REQUEST-920-PROTOCOL-ENFORCEMENT") != "" {
		t.Error("family")
	}
}

func TestParanoiaLevelsFromTags(t *testing.T) {
	levels, err := paranoiaLevels(fstest.MapFS{"@owasp_crs/REQUEST-999-X.conf": &fstest.MapFile{Data: []byte(`
# a comment with id:999999 and tag:'paranoia-level/4'
SecRule ARGS "@rx a" \
    "id:999001,\
    phase:2,\
    tag:'paranoia-level/1',\
    chain"
    SecRule ARGS "@rx b" "t:none"
SecRule ARGS "@rx c" "id:999002,phase:2,tag:'paranoia-level/3'"
SecMarker "END"
`)}})
	if err != nil {
		t.Fatal(err)
	}
	if levels[999001] != 1 || levels[999002] != 3 || len(levels) != 2 {
		t.Fatalf("levels %v", levels)
	}
}
