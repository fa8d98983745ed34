package labelled

import (
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
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
