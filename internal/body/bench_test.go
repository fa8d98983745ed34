package body

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"mime/multipart"
	"strconv"
	"strings"
	"testing"
)

// The parsers against the standard library's on the same 1 MiB documents:
// what each costs to read every value.

func sentence(i int) string {
	return "Note " + strconv.Itoa(i) + ": the quick brown fox (really) jumps over the lazy dog; it's O'Brien's \"dog\" -- again? "
}

func benchDocs() (js, x, mp, boundary string) {
	var j, xb strings.Builder
	j.WriteString("[")
	xb.WriteString(`<?xml version="1.0"?><notes>`)
	var m bytes.Buffer
	w := multipart.NewWriter(&m)
	for i := 0; j.Len() < 1<<20; i++ {
		s := strings.Repeat(sentence(i), 5)
		if i > 0 {
			j.WriteString(",")
		}
		q, _ := json.Marshal(s)
		j.WriteString(`{"id":` + strconv.Itoa(i) + `,"author":"user` + strconv.Itoa(i) + `","comment":` + string(q) + `}`)
		xb.WriteString(`<note id="n` + strconv.Itoa(i) + `" lang="en">` + strings.ReplaceAll(s, "&", "&amp;") + `</note>`)
		w.WriteField("field"+strconv.Itoa(i), s)
	}
	j.WriteString("]")
	xb.WriteString("</notes>")
	w.Close()
	return j.String(), xb.String(), m.String(), w.Boundary()
}

func benchParse(b *testing.B, doc string, f Format, boundary string) {
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		p := Parser{Emit: func(Value) bool { return true }}
		p.Parse(doc, f, boundary)
	}
}

func BenchmarkJSON(b *testing.B) {
	js, _, _, _ := benchDocs()
	benchParse(b, js, FormatJSON, "")
}

func BenchmarkJSONEncodingJSON(b *testing.B) {
	js, _, _, _ := benchDocs()
	b.SetBytes(int64(len(js)))
	b.ReportAllocs()
	for b.Loop() {
		d := json.NewDecoder(strings.NewReader(js))
		for {
			if _, err := d.Token(); err != nil {
				break
			}
		}
	}
}

func BenchmarkXML(b *testing.B) {
	_, x, _, _ := benchDocs()
	benchParse(b, x, FormatXML, "")
}

func BenchmarkXMLEncodingXML(b *testing.B) {
	_, x, _, _ := benchDocs()
	b.SetBytes(int64(len(x)))
	b.ReportAllocs()
	for b.Loop() {
		d := xml.NewDecoder(strings.NewReader(x))
		for {
			if _, err := d.RawToken(); err != nil {
				break
			}
		}
	}
}

func BenchmarkMultipart(b *testing.B) {
	_, _, mp, boundary := benchDocs()
	benchParse(b, mp, FormatMultipart, boundary)
}

func BenchmarkMultipartMime(b *testing.B) {
	_, _, mp, boundary := benchDocs()
	b.SetBytes(int64(len(mp)))
	b.ReportAllocs()
	for b.Loop() {
		r := multipart.NewReader(strings.NewReader(mp), boundary)
		for {
			p, err := r.NextPart()
			if err != nil {
				break
			}
			io.Copy(io.Discard, p)
		}
	}
}
