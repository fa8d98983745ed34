package threat

import (
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
)

// The matrix parameters of every segment are values of the path, named
// by their parameter; empty pairs are skipped.
func TestMatrixParams(t *testing.T) {
	req := NewRequest(httptest.NewRequest("GET", "/users;id=7;;x=1%27/orders;sort=asc;/a;/b", nil), "c", "", Limits{})
	var got []string
	for _, p := range req.Params {
		if p.Source == SourcePath {
			got = append(got, p.Name+"="+p.Value)
		}
	}
	if want := []string{"id=7", "x=1'", "sort=asc"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("matrix parameters %q, want %q", got, want)
	}
}

// A path of a hundred thousand ';' costs about its own size in memory
// (the escaped path may be a copy), not a string header a ';' (1.6 MB
// here) as strings.Split made.
func TestMatrixParamsAllocateLittle(t *testing.T) {
	path := "/notes/x" + strings.Repeat(";", 100_000)
	r := httptest.NewRequest("GET", path, nil)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	const runs = 5
	for range runs {
		req := &Request{}
		fillRequest(req, r, "c", "", Limits{}.withDefaults())
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / runs; per > uint64(2*len(path)+64<<10) {
		t.Errorf("%d bytes a view of a path of %d bytes of ';'", per, len(path))
	}
}
