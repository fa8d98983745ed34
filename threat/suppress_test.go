package threat_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/bulwarkhq/bulwark/threat"
	"github.com/bulwarkhq/bulwark/threat/standard"
)

// TestSuppression: a false positive's suppression lets the next identical
// request through on its route and parameter only, until it expires; the
// same payload elsewhere is still refused.
func TestSuppression(t *testing.T) {
	e, err := standard.New(standard.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	now := time.Now()
	payload := "1' UNION SELECT password FROM users--"
	score := func(route, param string, at time.Time) (float64, []threat.Signal) {
		r := httptest.NewRequest("GET", "/x?"+url.Values{param: {payload}}.Encode(), nil)
		req := e.Parse(r, "c", route, at, threat.Limits{})
		defer e.Release(req)
		a := e.Assess(context.Background(), req)
		return a.Score, a.Signals
	}
	if s, _ := score("/notes", "text", now); s < 0.8 {
		t.Fatalf("before: score %.3f, want a block", s)
	}
	if err := e.Suppress("fp-1", threat.Suppression{Rule: "sqli", Route: "/notes", Param: "text", Expires: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if s, sigs := score("/notes", "text", now); s >= 0.8 {
		t.Errorf("suppressed: score %.3f, reasons %+v", s, sigs)
	} else {
		for _, sig := range sigs {
			if sig.Detector == "sqli" {
				t.Errorf("a suppressed sqli reason remains: %+v", sig)
			}
		}
	}
	for _, c := range []struct{ route, param string }{{"/search", "text"}, {"/notes", "q"}} {
		if s, _ := score(c.route, c.param, now); s < 0.8 {
			t.Errorf("%s?%s=…: score %.3f, want still blocked", c.route, c.param, s)
		}
	}
	if s, _ := score("/notes", "text", now.Add(2*time.Hour)); s < 0.8 {
		t.Errorf("after expiry: score %.3f, want blocked again", s)
	}
	if !e.Unsuppress("fp-1") || e.Unsuppress("fp-1") {
		t.Error("unsuppress")
	}
	if s, _ := score("/notes", "text", now); s < 0.8 {
		t.Errorf("after unsuppress: score %.3f", s)
	}
	for name, s := range map[string]threat.Suppression{
		"a whole detector": {Rule: "signature", Route: "/notes", Expires: now.Add(time.Hour)},
		"every route":      {Rule: "sqli", Expires: now.Add(time.Hour)},
		"no rule":          {Route: "/notes", Expires: now.Add(time.Hour)},
		"no expiry":        {Rule: "sqli", Route: "/notes"},
	} {
		if err := e.Suppress("bad", s); !errors.Is(err, threat.ErrBadSuppression) {
			t.Errorf("%s: %v, want ErrBadSuppression", name, err)
		}
	}
	// edits race with nothing
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 50 {
				if i%2 == 0 {
					_ = e.Suppress("race", threat.Suppression{Rule: "sqli.libinjection", Route: "/notes", Expires: now.Add(time.Hour)})
					e.Unsuppress("race")
				} else {
					score("/notes", "text", now.Add(time.Duration(j)))
				}
			}
		}()
	}
	wg.Wait()
}
