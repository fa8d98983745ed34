package threat

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

// marker appends one signal named for it; with panics set, it panics
// after appending it.
type marker struct {
	name   string
	panics bool
}

func (m marker) Name() string { return m.name }
func (m marker) Detect(_ *Request, dst []Signal) []Signal {
	dst = append(dst, Signal{Detector: m.name, Family: "signature", Rule: m.name + ".rule", Confidence: 0.5})
	if m.panics {
		panic("bug")
	}
	return dst
}

// TestPanicsDropOnlyTheirSignals runs detectors that panic first, in a
// row, after appending a signal, and last: every other detector's signal
// is kept, in order, and none of a panicking one's, on the requests the
// engine times as on the others; and the request is marked
// UninspectedFailed, which it is not when no detector panics.
func TestPanicsDropOnlyTheirSignals(t *testing.T) {
	e, err := New(Config{Detectors: []Detector{
		marker{"p1", true}, marker{"a", false}, marker{"p2", true}, marker{"p3", true},
		marker{"b", false}, marker{"c", false}, marker{"p4", true},
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a", "b", "c"}
	for _, timed := range []bool{false, true} {
		sigs := []Signal{{Detector: "before"}}
		for i := 0; i < len(e.detectors); {
			sigs, i = e.detectFrom(context.Background(), &Request{}, sigs, i, timed)
		}
		var got []string
		for _, s := range sigs[1:] {
			got = append(got, s.Detector)
		}
		if sigs[0].Detector != "before" || !slices.Equal(got, want) {
			t.Errorf("timed %v: signals of %q after %q, want %q", timed, got, sigs[0].Detector, want)
		}
	}
	// through Assess, the sampled (timed) requests among them
	for n := range 130 {
		a := e.Assess(context.Background(), &Request{})
		var got []string
		for _, s := range a.Signals {
			got = append(got, s.Detector)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("request %d: signals of %q, want %q", n, got, want)
		}
		if a.Uninspected != UninspectedFailed {
			t.Fatalf("request %d: uninspected %q, want %q", n, a.Uninspected, UninspectedFailed)
		}
	}
	calm, err := New(Config{Detectors: []Detector{marker{"a", false}, marker{"b", false}}})
	if err != nil {
		t.Fatal(err)
	}
	if a := calm.Assess(context.Background(), &Request{}); a.Uninspected != 0 {
		t.Errorf("no detector panicked: uninspected %q", a.Uninspected)
	}
}

// panicReader panics on its first Read, as a buggy transport's body may.
type panicReader struct{}

func (panicReader) Read([]byte) (int, error) { panic("bug") }

// TestParsePanicIsMarked builds views of requests that make building the
// view panic (no URL; a body whose Read panics): Parse returns a view
// marked UninspectedFailed, which Assess carries, rather than panicking;
// a request that does not panic is not marked.
func TestParsePanicIsMarked(t *testing.T) {
	e, err := New(Config{Detectors: []Detector{marker{"a", false}}})
	if err != nil {
		t.Fatal(err)
	}
	ok := func() *http.Request {
		r := httptest.NewRequest("POST", "/notes?q=1", strings.NewReader("a=1"))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return r
	}
	noURL := func() *http.Request {
		r := httptest.NewRequest("GET", "/notes", nil)
		r.URL = nil
		return r
	}
	bad := func() *http.Request {
		r := httptest.NewRequest("POST", "/notes?q=1", io.NopCloser(panicReader{}))
		r.ContentLength = 10
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return r
	}
	for _, tt := range []struct {
		name string
		r    func() *http.Request
		want Uninspected
	}{{"a form", ok, 0}, {"no URL", noURL, UninspectedFailed}, {"a body whose Read panics", bad, UninspectedFailed}} {
		// Engine.Parse, the Guard's, and NewRequest, the standalone one
		for _, view := range []string{"Parse", "NewRequest"} {
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Errorf("%s: %s panicked: %v", tt.name, view, p)
					}
				}()
				var req *Request
				if view == "Parse" {
					req = e.Parse(tt.r(), "c", "", time.Now(), Limits{})
					defer e.Release(req)
				} else {
					req = NewRequest(tt.r(), "c", "", Limits{})
				}
				if a := e.Assess(context.Background(), req); a.Uninspected != tt.want {
					t.Errorf("%s: %s: uninspected %q, want %q", tt.name, view, a.Uninspected, tt.want)
				}
			}()
		}
	}
}
