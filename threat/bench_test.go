package threat_test

import (
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

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

// benchAssess scores target from 1024 clients picked at random, on a
// simulated clock that moves 5.5 ms per request: each client sends about one
// request every 5.6 s, as people do. On the real clock a benchmark loop
// would make every client flood, and be scored as one.
func benchAssess(b *testing.B, target string) {
	var now atomic.Int64
	now.Store(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC).UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()) }
	e, err := standard.New(standard.Config{Engine: threat.Config{Now: clock}})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	r := browserGET(target)
	clients := make([]string, 1024)
	for i := range clients {
		clients[i] = "198.51.100." + strconv.Itoa(i%250) + "-" + strconv.Itoa(i)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	order := make([]int, 1<<16)
	for i := range order {
		order[i] = rng.IntN(len(clients))
	}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		now.Add(int64(5500 * time.Microsecond))
		e.Assess(r, clients[order[i%len(order)]], "")
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
