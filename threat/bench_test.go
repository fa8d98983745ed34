package threat_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/bulwarkhq/bulwark/threat"
	"github.com/bulwarkhq/bulwark/threat/standard"
)

// browserGET is a typical benign request: five query parameters and the
// headers a browser sends.
func browserGET(target string) *http.Request {
	r := httptest.NewRequest("GET", target, nil)
	r.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36")
	r.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	r.Header.Set("Accept-Language", "en-GB,en;q=0.9,es;q=0.8")
	r.Header.Set("Accept-Encoding", "gzip, deflate, br")
	r.Header.Set("Referer", "https://shop.example.com/catalog")
	r.Header.Set("Cookie", "session=4f1c9a2e8b7d; theme=dark")
	return r
}

func benchAssess(b *testing.B, target string) {
	e, err := standard.New(standard.Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	r := browserGET(target)
	clients := make([]string, 1024)
	for i := range clients {
		clients[i] = "198.51.100." + strconv.Itoa(i%250) + "-" + strconv.Itoa(i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		e.Assess(r, clients[i%len(clients)], "")
		i++
	}
}

// BenchmarkBaselineView builds only the request view: the floor under
// every Assess.
func BenchmarkBaselineView(b *testing.B) {
	r := browserGET("/search?q=red+running+shoes&size=42&color=blue&page=2&sort=price_asc")
	b.ReportAllocs()
	for b.Loop() {
		threat.NewRequest(r, "c", "", threat.Limits{})
	}
}

func BenchmarkAssessBenign(b *testing.B) {
	benchAssess(b, "/search?q=red+running+shoes&size=42&color=blue&page=2&sort=price_asc")
}

func BenchmarkAssessAttack(b *testing.B) {
	benchAssess(b, "/search?q=1%27%20UNION%20SELECT%20username,password%20FROM%20users--&size=42&color=%3Cscript%3Ealert(1)%3C/script%3E&page=2&sort=price_asc")
}
