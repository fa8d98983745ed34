package middleware

import (
	"net/http"
	"net/netip"
	"strconv"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/ulule/limiter/v3"
	"github.com/ulule/limiter/v3/drivers/middleware/stdlib"
	"github.com/ulule/limiter/v3/drivers/store/memory"

	"github.com/bulwarkhq/bulwark/ratelimit"
)

// The four benchmarks share one chi router, one hello handler and one
// request shape, so that `benchstat` reads the overheads as ratios in one
// run:
//
//	go test -run '^$' -bench . -benchmem -count 6 ./middleware | tee /tmp/mw.txt
//	benchstat /tmp/mw.txt
//
// Clients rotate over benchClients addresses so per-client state is
// exercised the way a busy service sees it, not as one hot key.

const benchClients = 4096

// benchRate is high enough that no benign benchmark request is limited.
const benchRate = "1000000000-S"

type benchWriter struct {
	h      http.Header
	status int
}

func (w *benchWriter) Header() http.Header         { return w.h }
func (w *benchWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *benchWriter) WriteHeader(code int)        { w.status = code }

func benchRequests(target string) []*http.Request {
	reqs := make([]*http.Request, benchClients)
	base := netip.MustParseAddr("198.51.100.0")
	for i := range reqs {
		r, _ := http.NewRequest(http.MethodGet, target, nil)
		a := base
		for range i % 256 {
			a = a.Next()
		}
		r.RemoteAddr = a.String() + ":" + strconv.Itoa(40000+i)
		r.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0")
		r.Header.Set("Accept", "application/json")
		r.Header.Set("Accept-Language", "en-GB,en;q=0.8")
		reqs[i] = r
	}
	return reqs
}

func benchRouter(mw func(http.Handler) http.Handler) http.Handler {
	r := chi.NewRouter()
	if mw != nil {
		r.Use(mw)
	}
	r.Get("/api/items/{id}", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("hello"))
	})
	r.Get("/search", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("hello"))
	})
	return r
}

// run serves the requests round robin and reports how many answers were
// not 200, so a benchmark that measures the refusal path by mistake shows.
func run(b *testing.B, h http.Handler, reqs []*http.Request, wantStatus int) {
	w := &benchWriter{h: make(http.Header, 8)}
	n, other := 0, 0
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		w.status = http.StatusOK
		h.ServeHTTP(w, reqs[n%len(reqs)])
		if w.status != wantStatus {
			other++
		}
		n++
	}
	b.ReportMetric(float64(other)/float64(max(n, 1)), "unexpected/op")
}

func BenchmarkBareChi(b *testing.B) {
	run(b, benchRouter(nil), benchRequests("/api/items/42"), http.StatusOK)
}

func BenchmarkLimiterOnly(b *testing.B) {
	rate, err := limiter.NewRateFromFormatted(benchRate)
	if err != nil {
		b.Fatal(err)
	}
	lm := stdlib.NewMiddleware(limiter.New(memory.NewStore(), rate))
	run(b, benchRouter(lm.Handler), benchRequests("/api/items/42"), http.StatusOK)
}

func newBenchMiddleware(b *testing.B) *Middleware {
	lim, err := ratelimit.New(ratelimit.Config{Rate: benchRate})
	if err != nil {
		b.Fatal(err)
	}
	m, err := New(Config{Limiter: lim})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = m.Close()
		_ = lim.Close()
	})
	return m
}

func BenchmarkBulwark(b *testing.B) {
	m := newBenchMiddleware(b)
	run(b, benchRouter(m.Handler), benchRequests("/api/items/42"), http.StatusOK)
}

func BenchmarkBulwarkAttack(b *testing.B) {
	m := newBenchMiddleware(b)
	run(b, benchRouter(m.Handler), benchRequests("/search?q=1%27%20OR%201%3D1--"), http.StatusForbidden)
}
