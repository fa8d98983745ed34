package signature_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/bulwarkhq/bulwark/threat"
	"github.com/bulwarkhq/bulwark/threat/signature"
)

// Helpers for the table tests of the traversal, command and SSRF
// families: a value placed where a client can put it, and the strongest
// confidence a family gives it.

// placedRequest builds a request carrying value in one place.
func placedRequest(t testing.TB, where, value string) *http.Request {
	t.Helper()
	method, target, body, ctype := "GET", "/search", "", ""
	switch where {
	case "query":
		target = "/search?q=" + url.QueryEscape(value) + "&page=1"
	case "form":
		method, body, ctype = "POST", "note="+url.QueryEscape(value)+"&save=1", "application/x-www-form-urlencoded"
	case "json":
		b, _ := json.Marshal(map[string]string{"note": value})
		method, body, ctype = "POST", string(b), "application/json"
	case "path":
		target = "/static/files/" + value
	}
	r := httptest.NewRequest(method, "http://shop.example/", strings.NewReader(body))
	if where == "path" {
		// keep the path as a client sent it, escapes and all
		p, q, _ := strings.Cut(target, "?")
		r.URL = &url.URL{Path: p, RawPath: p, RawQuery: q}
		if u, err := url.ParseRequestURI(target); err == nil {
			r.URL = u
		}
	} else if u, err := url.ParseRequestURI(target); err == nil {
		r.URL = u
	}
	r.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36")
	r.Header.Set("Accept-Language", "en-US,en;q=0.5")
	if ctype != "" {
		r.Header.Set("Content-Type", ctype)
	}
	switch where {
	case "cookie":
		r.Header.Set("Cookie", "session=5f2b9c; pref="+strings.ReplaceAll(url.QueryEscape(value), "+", "%20"))
	case "header":
		r.Header["X-Filter"] = []string{value}
	case "ua":
		r.Header.Set("User-Agent", value)
	case "referer":
		r.Header.Set("Referer", value)
	}
	return r
}

// familyConfidence returns the strongest confidence family gives value
// placed at where, and the rules that fired.
func familyConfidence(t testing.TB, d *signature.Detector, where, value, family string) (float64, []string) {
	t.Helper()
	req := threat.NewRequest(placedRequest(t, where, value), "client", "", threat.Limits{})
	best := 0.0
	var rules []string
	for _, s := range d.Detect(req, nil) {
		rules = append(rules, s.Rule)
		if s.Detector == family && s.Confidence > best {
			best = s.Confidence
		}
	}
	return best, rules
}

// placedCase is a public payload or a benign look-alike with the
// placements it is checked in (nil: the value placements).
type placedCase struct {
	value  string
	places []string
}

// checkPlaced asserts that each attack reaches at least min (0.99: it
// blocks alone) and each benign value stays below max in every placement.
func checkPlaced(t *testing.T, family string, attacks []placedCase, min float64, benign []placedCase, max float64) {
	t.Helper()
	d, err := signature.New(signature.Config{})
	if err != nil {
		t.Fatal(err)
	}
	valuePlaces := []string{"query", "form", "json", "cookie", "header"}
	for _, c := range attacks {
		places := c.places
		if places == nil {
			places = valuePlaces
		}
		for _, where := range places {
			if got, rules := familyConfidence(t, d, where, c.value, family); got < min {
				t.Errorf("%s %q: %s confidence %.2f, want >= %.2f (rules %v)", where, c.value, family, got, min, rules)
			}
		}
	}
	for _, c := range benign {
		places := c.places
		if places == nil {
			places = valuePlaces
		}
		for _, where := range places {
			if got, rules := familyConfidence(t, d, where, c.value, family); got >= max {
				t.Errorf("benign %s %q: %s confidence %.2f, want < %.2f (rules %v)", where, c.value, family, got, max, rules)
			}
		}
	}
}
