package middleware

import (
	"math/rand/v2"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/ulule/limiter/v3"
	"github.com/ulule/limiter/v3/drivers/middleware/stdlib"
	"github.com/ulule/limiter/v3/drivers/store/memory"

	"github.com/bulwarkhq/bulwark"
	"github.com/bulwarkhq/bulwark/ratelimit"
	ratelimitstd "github.com/bulwarkhq/bulwark/ratelimit/standard"
	"github.com/bulwarkhq/bulwark/standard"
)

// The benchmarks share one chi router, one hello handler and one set of
// requests, so that `benchstat` reads the overheads as ratios in one run:
//
//	go test -run '^$' -bench . -benchmem -count 6 ./middleware | tee /tmp/mw.txt
//	benchstat /tmp/mw.txt
//
// The benign traffic is what a service sees from people: benchClients
// clients (256 addresses) reading items, picked at random so that each
// client's requests arrive irregularly, on a simulated clock that moves
// benignStep per request, so that each client sends about one request every
// 1.4 s whatever the speed of the machine (the pace of the CSIC 2010 normal
// traffic the default models were trained on). On the real clock a
// benchmark loop makes every client send hundreds of requests a second,
// which is a flood, and is scored as one: BenchmarkBulwarkFlood measures
// that path.

const benchClients = 4096

// benchRate is high enough that no benchmark request is limited, and its
// window long enough that no counter expires during a run, under either the
// simulated or the real clock.
const benchRate = "1000000000-H"

// benignStep is the simulated time between two requests of the service.
const benignStep = 5500 * time.Microsecond

// benchOrder is the random order in which requests arrive.
var benchOrder = func() []int {
	rng := rand.New(rand.NewPCG(1, 2))
	o := make([]int, 1<<16)
	for i := range o {
		o[i] = rng.IntN(benchClients)
	}
	return o
}()

// simClock is a clock the benchmark loop moves forward.
type simClock struct{ ns atomic.Int64 }

func newSimClock() *simClock {
	c := new(simClock)
	c.ns.Store(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC).UnixNano())
	return c
}

func (c *simClock) Now() time.Time { return time.Unix(0, c.ns.Load()) }
func (c *simClock) tick()          { c.ns.Add(int64(benignStep)) }

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
		r, _ := http.NewRequest(http.MethodGet, strings.ReplaceAll(target, "{id}", strconv.Itoa(i*7919%1000)), nil)
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

// run serves next(n) for n = 0, 1, ... and reports how many answers were
// not wantStatus, so that a benchmark that measures the refusal path by
// mistake shows.
func run(b *testing.B, h http.Handler, next func(n int) *http.Request, wantStatus int) {
	w := &benchWriter{h: make(http.Header, 8)}
	n, other := 0, 0
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		w.status = http.StatusOK
		h.ServeHTTP(w, next(n))
		if w.status != wantStatus {
			other++
		}
		n++
	}
	b.ReportMetric(float64(other)/float64(max(n, 1)), "unexpected/op")
}

// roundRobin serves the requests in turn.
func roundRobin(reqs []*http.Request) func(int) *http.Request {
	return func(n int) *http.Request { return reqs[n%len(reqs)] }
}

// runBenign serves the benign traffic: a client picked at random for each
// request, the simulated clock one step further. A server handles a request
// it has just read, with its headers, address and path in the CPU cache: one
// request is reused with the client's address and path set in place from
// small tables, so that they stay there as they would.
func runBenign(b *testing.B, h http.Handler, clock *simClock) {
	reqs := benchRequests("/api/items/{id}")
	addrs := make([]string, 256)
	for i := range addrs {
		addrs[i] = reqs[i].RemoteAddr
	}
	serveItems(b, h, clock, reqs[0], func(r *http.Request, k int) { r.RemoteAddr = addrs[k%len(addrs)] })
}

// runProxied serves benign traffic from benchClients client addresses
// behind one load balancer (10.0.0.1, trusted): each request names its
// client in X-Forwarded-For, picked at random, on the simulated clock.
func runProxied(b *testing.B, h http.Handler, clock *simClock) {
	r := benchRequests("/api/items/{id}")[0]
	r.RemoteAddr = "10.0.0.1:41000"
	xff := make([][]string, benchClients)
	a := netip.MustParseAddr("198.18.0.0")
	for i := range xff {
		xff[i] = []string{a.String()}
		a = a.Next()
	}
	serveItems(b, h, clock, r, func(r *http.Request, k int) { r.Header["X-Forwarded-For"] = xff[k] })
}

// serveItems serves r for client benchOrder[n] of request n, which client
// sets in place, reading one of 1,000 items, the simulated clock one step
// further each time.
func serveItems(b *testing.B, h http.Handler, clock *simClock, r *http.Request, client func(r *http.Request, k int)) {
	paths := make([]string, 1000)
	for i := range paths {
		paths[i] = "/api/items/" + strconv.Itoa(i)
	}
	run(b, h, func(n int) *http.Request {
		clock.tick()
		k := benchOrder[n%len(benchOrder)]
		client(r, k)
		r.URL.Path = paths[k*7919%len(paths)]
		return r
	}, http.StatusOK)
}

func BenchmarkBareChi(b *testing.B) {
	runBenign(b, benchRouter(nil), newSimClock())
}

// limiterOnly is ulule/limiter's stdlib middleware on its memory store at
// benchRate.
func limiterOnly(b *testing.B, opts ...limiter.Option) func(http.Handler) http.Handler {
	rate, err := limiter.NewRateFromFormatted(benchRate)
	if err != nil {
		b.Fatal(err)
	}
	return stdlib.NewMiddleware(limiter.New(memory.NewStore(), rate, opts...)).Handler
}

func BenchmarkLimiterOnly(b *testing.B) {
	runBenign(b, benchRouter(limiterOnly(b)), newSimClock())
}

func BenchmarkBareChiProxied(b *testing.B) {
	runProxied(b, benchRouter(nil), newSimClock())
}

// BenchmarkLimiterOnlyProxied keys ulule/limiter by X-Forwarded-For
// (WithTrustForwardHeader; it takes the left-most entry, which here is the
// only one).
func BenchmarkLimiterOnlyProxied(b *testing.B) {
	runProxied(b, benchRouter(limiterOnly(b, limiter.WithTrustForwardHeader(true))), newSimClock())
}

// BenchmarkBulwarkProxied is BenchmarkBulwark for benchClients clients
// behind a trusted load balancer.
func BenchmarkBulwarkProxied(b *testing.B) {
	clock := newSimClock()
	m := newBenchMiddlewareWith(b, clock.Now, Config{TrustedProxies: []string{"10.0.0.0/8"}})
	runProxied(b, benchRouter(m.Handler), clock)
}

// newBenchMiddleware returns the default middleware on the in-memory store,
// with clock as its clock (nil: the real clock), whose reading is every
// request's time.
func newBenchMiddleware(b *testing.B, clock func() time.Time) *Middleware {
	return newBenchMiddlewareWith(b, clock, Config{})
}

// newBenchGuard is the default Guard at the benchmarks' rate.
func newBenchGuard(b *testing.B) *bulwark.Guard {
	g, err := standard.New(standard.Config{Limiter: ratelimitstd.Config{Limiter: ratelimit.Config{Rate: benchRate}}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = g.Close() })
	return g
}

// newBenchMiddlewareWith is newBenchMiddleware with the other fields of cfg.
func newBenchMiddlewareWith(b *testing.B, clock func() time.Time, cfg Config) *Middleware {
	return newBenchMiddlewareOn(b, newBenchGuard(b), clock, cfg)
}

// newBenchMiddlewareOn is newBenchMiddlewareWith on the Guard g.
func newBenchMiddlewareOn(b *testing.B, g *bulwark.Guard, clock func() time.Time, cfg Config) *Middleware {
	cfg.Now = clock
	m, err := New(g, cfg)
	if err != nil {
		b.Fatal(err)
	}
	return m
}

// BenchmarkBulwark is the full middleware on benign traffic: every request
// is scored by every detector and passes without a signal.
func BenchmarkBulwark(b *testing.B) {
	clock := newSimClock()
	m := newBenchMiddleware(b, clock.Now)
	runBenign(b, benchRouter(m.Handler), clock)
}

// BenchmarkBulwarkFlood sends the same requests round robin on the real
// clock: each of the 256 clients floods at hundreds of requests a second,
// gets flood and anomaly signals on every request, and passes only because
// benchRate is huge.
func BenchmarkBulwarkFlood(b *testing.B) {
	m := newBenchMiddleware(b, nil)
	run(b, benchRouter(m.Handler), roundRobin(benchRequests("/api/items/42")), http.StatusOK)
}

// BenchmarkBulwarkAttack sends a SQL injection from every client: the
// first requests of each are scored and blocked, which puts the client in
// the penalty box (at once for a near-certain score, else at the third
// refusal); the rest are refused from the decision cache.
func BenchmarkBulwarkAttack(b *testing.B) {
	m := newBenchMiddleware(b, nil)
	run(b, benchRouter(m.Handler), roundRobin(benchRequests("/search?q=1%27%20OR%201%3D1--")), http.StatusForbidden)
}
