package labelled

import (
	"compress/gzip"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestReadAndRequest(t *testing.T) {
	dir := t.TempDir()
	lines := `{"id":"a","method":"POST","uri":"/login?next=%2Fhome","headers":{"Host":"shop.example","content-type":"application/x-www-form-urlencoded"},"body":"user=ann&pass=x","label":"benign","category":"benign"}
{"id":"b","method":"GET","uri":"/a b?q=%zz","headers":{},"body":"","label":"attack","category":"sqli"}
`
	plain := filepath.Join(dir, "rows.jsonl")
	if err := os.WriteFile(plain, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	gzPath := filepath.Join(dir, "rows.jsonl.gz")
	f, err := os.Create(gzPath)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	io.WriteString(zw, lines)
	zw.Close()
	f.Close()

	for _, p := range []string{plain, gzPath} {
		rows, err := Read(p)
		if err != nil {
			t.Fatalf("Read(%s): %v", p, err)
		}
		if len(rows) != 2 || rows[0].Attack() || !rows[1].Attack() {
			t.Fatalf("Read(%s) = %+v", p, rows)
		}
		r := rows[0].Request()
		if r.Method != "POST" || r.Host != "shop.example" || r.URL.Query().Get("next") != "/home" {
			t.Errorf("request = %s %s host %q", r.Method, r.URL, r.Host)
		}
		if r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" || r.ContentLength != 15 {
			t.Errorf("headers %v length %d", r.Header, r.ContentLength)
		}
		bad := rows[1].Request()
		if bad.URL.RawQuery != "q=%zz" {
			t.Errorf("raw query of an invalid URI = %q", bad.URL.RawQuery)
		}
	}
	if _, err := Read(filepath.Join(dir, "missing.jsonl")); err == nil {
		t.Error("Read of a missing file succeeded")
	}
}

func TestReadReplays(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "rows.jsonl")
	lines := `{"id":"a","method":"POST","uri":"/a","headers":{},"body":"x=1","label":"attack","category":"sqli"}
{"id":"b","method":"GET","uri":"/b","headers":{},"body":"","label":"benign","category":"benign"}
{"id":"c","method":"POST","uri":"/c","headers":{},"body":"y=2","label":"attack","category":"xss"}
`
	if err := os.WriteFile(p, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	reps, err := ReadReplays(p, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(reps) != 2 {
		t.Fatalf("%d replays of every 2nd of 3 rows, want 2", len(reps))
	}
	for round := 0; round < 2; round++ { // the body reads whole each time
		var r http.Request
		reps[1].Into(&r)
		b, err := io.ReadAll(r.Body)
		if err != nil || r.URL.Path != "/c" || string(b) != "y=2" {
			t.Fatalf("round %d: %s %q %v, want /c y=2", round, r.URL.Path, b, err)
		}
	}
}

func TestWriter(t *testing.T) {
	rows := []Row{
		{ID: "a", Method: "POST", URI: "/login", Headers: map[string]string{"Host": "shop.example", "Content-Type": "text/html"},
			Body: `<script>alert("x&y")</script> naïve café 日本語`, Label: "attack", Category: "xss", Client: "c1"},
		{ID: "b", Method: "GET", URI: "/search?q=a%20b&page=1", Headers: map[string]string{}, Label: "benign", Category: "benign"},
	}
	dir := t.TempDir()
	for _, name := range []string{"rows.jsonl", "rows.jsonl.gz"} {
		p := filepath.Join(dir, name)
		w, err := Create(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if err := w.Write(r); err != nil {
				t.Fatal(err)
			}
		}
		if w.Count() != len(rows) {
			t.Errorf("%s: Count() = %d, want %d", name, w.Count(), len(rows))
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		got, err := Read(p)
		if err != nil {
			t.Fatalf("Read(%s): %v", name, err)
		}
		if !reflect.DeepEqual(got, rows) {
			t.Errorf("%s read back as %+v, want %+v", name, got, rows)
		}
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		gz := len(raw) >= 2 && raw[0] == 0x1f && raw[1] == 0x8b
		if gz != strings.HasSuffix(name, ".gz") {
			t.Errorf("%s: gzip-compressed = %v", name, gz)
		}
		if !gz && !strings.Contains(string(raw), "<script>") {
			t.Errorf("%s: HTML escaped: %s", name, raw)
		}
	}
}

func TestCreateMissingDir(t *testing.T) {
	if w, err := Create(filepath.Join(t.TempDir(), "missing", "rows.jsonl")); err == nil {
		w.Close()
		t.Error("Create in a missing directory succeeded")
	}
}
