package server_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/bulwarkhq/bulwark"
	"github.com/bulwarkhq/bulwark/examples/controlplane/internal/server"
	"github.com/bulwarkhq/bulwark/internal/history"
	"github.com/bulwarkhq/bulwark/middleware"
	"github.com/bulwarkhq/bulwark/middleware/chiroute"
	"github.com/bulwarkhq/bulwark/ratelimit"
	ratestandard "github.com/bulwarkhq/bulwark/ratelimit/standard"
	"github.com/bulwarkhq/bulwark/standard"
	"github.com/bulwarkhq/bulwark/storage/fleet"
)

var quiet = slog.New(slog.DiscardHandler)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startCP runs a control plane on loopback ports, in dir (a fresh temporary
// directory when empty). It is closed by the test's cleanup unless the
// test closes it first.
func startCP(t *testing.T, cfg server.Config) *server.Server {
	t.Helper()
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.NATSAddr == "" {
		cfg.NATSAddr = freeAddr(t)
	}
	if cfg.Logger == nil {
		cfg.Logger = quiet
	}
	if cfg.APIRate == "" {
		cfg.APIRate = "100000-M" // the tests poll
	}
	if cfg.DatabaseURL == "" && os.Getenv("CP_TEST_DATABASE_URL") != "" {
		// the suite on PostgreSQL: a schema per data directory, so that a
		// control plane restarted on the same directory finds its history
		cfg.DatabaseURL, cfg.PGSchema = os.Getenv("CP_TEST_DATABASE_URL"), schemaOf(cfg.DataDir)
		t.Cleanup(func() {
			if db, err := sql.Open("pgx", cfg.DatabaseURL); err == nil {
				_, _ = db.Exec("DROP SCHEMA IF EXISTS " + cfg.PGSchema + " CASCADE")
				_ = db.Close()
			}
		})
	}
	s, err := server.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	t.Cleanup(func() {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = s.Close(ctx)
		})
	})
	return s
}

// instance is one SDK instance of the test fleet: the middleware with an
// exporter and a watcher, serving a chi router like examples/chi.
type instance struct {
	guard   *bulwark.Guard
	name    string
	handler http.Handler
	limiter *ratelimit.Adaptive
	exp     *fleet.Exporter
	watch   *fleet.Watcher
	names   *fleet.Pseudonyms
	close   func()
}

var testKey = []byte("0123456789abcdef0123456789abcdef")

type instanceOpts struct {
	queue      int
	sampleRate float64
	region     string  // the watcher's region; default "local"
	aggregate  bool    // watch the region's aggregate of every region
	modelKeys  string  // follow the combiner models signed by these keys
	canary     float64 // the share of clients the combiner's canary scores; default 0.1
}

func newInstance(t *testing.T, natsURL, name string, o instanceOpts) *instance {
	t.Helper()
	names, err := fleet.NewPseudonyms(testKey, "k1", 0)
	if err != nil {
		t.Fatal(err)
	}
	nc, err := fleet.Connect(natsURL)
	if err != nil {
		t.Fatal(err)
	}
	lim, err := ratestandard.New(ratestandard.Config{Limiter: ratelimit.Config{Rate: "100000-M"}})
	if err != nil {
		t.Fatal(err)
	}
	if o.sampleRate == 0 {
		o.sampleRate = 1
	}
	guard, err := standard.New(standard.Config{Guard: bulwark.Config{Limiter: lim}})
	if err != nil {
		t.Fatal(err)
	}
	exp, err := fleet.NewExporter(fleet.ExporterConfig{Conn: nc, Pseudonyms: names, Guard: guard, Instance: name, Version: "test",
		SampleRate: o.sampleRate, QueueSize: o.queue, AckTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	w, err := fleet.NewWatcher(fleet.WatcherConfig{Conn: nc, Guard: guard, Pseudonyms: names, Logger: quiet,
		Region: o.region, Aggregate: o.aggregate, ModelKeys: o.modelKeys, CanaryFraction: o.canary, Exporter: exp})
	if err != nil {
		t.Fatal(err)
	}
	r := chi.NewRouter()
	mw, err := middleware.New(guard, middleware.Config{Events: exp, Pattern: chiroute.Before(r), PatternAfter: chiroute.After,
		TrustedProxies: []string{"127.0.0.0/8"}})
	if err != nil {
		t.Fatal(err)
	}
	r.Use(mw.Handler)
	ok := func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) }
	r.Get("/", ok)
	r.Get("/search", ok)
	r.Post("/login", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusUnauthorized) })
	r.Get("/api/items", ok)
	r.Get("/api/items/{id}", ok)
	in := &instance{guard: guard, name: name, handler: r, limiter: lim, exp: exp, watch: w, names: names}
	var once sync.Once
	in.close = func() {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = w.Close()
			_ = exp.Close(ctx)
			_ = guard.Close() // and the limiter
			nc.Close()
		})
	}
	t.Cleanup(in.close)
	return in
}

// serve sends one request from client (an address, through the trusted
// loopback proxy) and returns the status.
func (in *instance) serve(method, target, client string) int {
	req := httptest.NewRequest(method, target, nil)
	req.RemoteAddr = "127.0.0.1:40000"
	req.Header.Set("X-Forwarded-For", client)
	req.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0")
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Accept-Language", "en")
	w := httptest.NewRecorder()
	in.handler.ServeHTTP(w, req)
	return w.Code
}

// traffic sends a mix shaped like examples/chi's: browsing clients, a few
// failed logins, and attackers' injections and scans.
func (in *instance) traffic(n int, attacker string) {
	for i := 0; i < n; i++ {
		c := fmt.Sprintf("198.51.100.%d", i%50+1)
		switch i % 10 {
		case 0:
			in.serve("GET", "/search?q=boots", c)
		case 1:
			in.serve("POST", "/login", c)
		case 2:
			in.serve("GET", "/api/items", c)
		default:
			in.serve("GET", fmt.Sprintf("/api/items/%d", i%100), c)
		}
		if attacker != "" && i%20 == 0 {
			in.serve("GET", "/search?q=1%27%20OR%201=1--", attacker)
			in.serve("GET", "/api/items/..%2F..%2Fetc%2Fpasswd", attacker)
			// other attackers, one family each
			other := fmt.Sprintf("203.0.113.%d", 100+i%37)
			switch i / 20 % 3 {
			case 0:
				in.serve("GET", "/search?q=%3Cscript%3Ealert(1)%3C/script%3E", other)
			case 1:
				in.serve("GET", "/api/items?file=../../../../etc/passwd", other)
			default:
				in.serve("GET", "/search?q=;cat%20/etc/passwd", other)
			}
		}
	}
}

// api calls the control plane with token.
// controlPlane is what a test reaches a control plane by: an in-process
// *server.Server or a child process.
type controlPlane interface {
	URL() string
	SDKURL() string
	Key() []byte
}

func api(t *testing.T, s controlPlane, token, method, path string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, s.URL()+path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	if resp.StatusCode >= 400 && resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("%s %s: %d with Content-Type %q, want application/problem+json", method, path, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return resp.StatusCode, out
}

// controlPlaneJS connects to s's NATS as the control plane itself (its
// password is in its data directory dir): what the SDK users may not do,
// a test may (read any key, write the buckets).
func controlPlaneJS(t *testing.T, s controlPlane, dir string) jetstream.JetStream {
	t.Helper()
	pass, err := os.ReadFile(filepath.Join(dir, "nats-controlplane.password"))
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(s.SDKURL())
	u.User = url.UserPassword("controlplane", strings.TrimSpace(string(pass)))
	nc, err := nats.Connect(u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

func mint(t *testing.T, s controlPlane, scopes ...string) string {
	t.Helper()
	tok, err := server.Mint(s.Key(), "tester", "", scopes, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// eventually polls f every 10 ms until it holds or d passes; it returns
// how long it took.
func eventually(t *testing.T, d time.Duration, what string, f func() bool) time.Duration {
	t.Helper()
	return eventuallyEvery(t, d, 20*time.Millisecond, what, f)
}

// eventuallyPaced is eventually at a dashboard's pace, for conditions
// read through the API: the API sits behind bulwark, and a client asking
// it twice every 20 ms for seconds on end is a flood to its behaviour
// detector, which limits and then blocks it (a slow CI run once got the
// test's own client refused this way).
func eventuallyPaced(t *testing.T, d time.Duration, what string, f func() bool) time.Duration {
	t.Helper()
	return eventuallyEvery(t, d, 250*time.Millisecond, what, f)
}

func eventuallyEvery(t *testing.T, d, every time.Duration, what string, f func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for time.Since(start) < d {
		if f() {
			return time.Since(start)
		}
		time.Sleep(every)
	}
	t.Fatalf("%s: not within %v", what, d)
	return 0
}

// stored counts the events of instance in the store.
func stored(t *testing.T, s history.Store, instance string) int {
	t.Helper()
	days, err := s.Days(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range days {
		_ = s.ScanDay(context.Background(), d, func(e *history.Event) error {
			if e.Instance == instance {
				n++
			}
			return nil
		})
	}
	return n
}

// schemaOf names the PostgreSQL schema of a test's data directory.
func schemaOf(dir string) string {
	h := fnv.New64a()
	_, _ = h.Write([]byte(dir))
	return fmt.Sprintf("cptest_%x", h.Sum64())
}

// dashboardPage fetches /dashboard?query with tok.
func dashboardPage(t *testing.T, s *server.Server, tok, query string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", s.URL()+"/dashboard?"+query, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}
