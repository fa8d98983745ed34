package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/bulwarkhq/bulwark"
	"github.com/bulwarkhq/bulwark/examples/controlplane/internal/server"
	"github.com/bulwarkhq/bulwark/internal/event"
	"github.com/bulwarkhq/bulwark/ratelimit"
	ratestandard "github.com/bulwarkhq/bulwark/ratelimit/standard"
	"github.com/bulwarkhq/bulwark/storage/fleet"
	"github.com/bulwarkhq/bulwark/threat"
)

// trafficShape is examples/chi's traffic: routes, methods and how often a
// request is an attack (scored, with reasons and a feature vector).
var trafficShape = []struct {
	route, method string
	weight        int
}{
	{"/api/items/{id}", "GET", 50}, {"/api/items", "GET", 20}, {"/search", "GET", 15}, {"/", "GET", 8}, {"/login", "POST", 5}, {"/api/whoami", "GET", 2},
}

// attacks are the attack events: the assessment and what became of it.
var attacks = []struct {
	outcome bulwark.Outcome
	a       threat.Assessment
}{
	{bulwark.Blocked, threat.Assessment{Score: 0.99, Level: threat.LevelCritical, Signals: signals("sqli", "sqli.libinjection", "sqli.tautology")}},
	{bulwark.Blocked, threat.Assessment{Score: 0.95, Level: threat.LevelHigh, Signals: signals("xss", "xss.libinjection")}},
	{bulwark.Blocked, threat.Assessment{Score: 0.93, Level: threat.LevelHigh, Signals: signals("lfi", "lfi.traversal", "lfi.file_path")}},
	{bulwark.Limited, threat.Assessment{Score: 0.6, Level: threat.LevelMedium, Signals: signals("behavior", "behavior.flood")}},
	{bulwark.Allowed, threat.Assessment{Score: 0.35, Level: threat.LevelLow, Signals: signals("scanner", "scanner.user_agent")}},
}

func signals(detector string, rules ...string) []threat.Signal {
	out := make([]threat.Signal, len(rules))
	for i, r := range rules {
		out[i] = threat.Signal{Detector: detector, Rule: r}
	}
	return out
}

var (
	allow   = ratelimit.Result{Allowed: true, Limit: 600, Remaining: 599}
	limited = ratelimit.Result{Limit: 600, Reason: "rate limit"}
)

// genVerdict makes the verdict of one request of the shape, at t, from one
// of 4,096 clients, and its route.
func genVerdict(rng *rand.Rand, t time.Time, attackShare float64) (bulwark.Verdict, string) {
	w := rng.IntN(100)
	sh := trafficShape[0]
	for _, s := range trafficShape {
		if w < s.weight {
			sh = s
			break
		}
		w -= s.weight
	}
	c := rng.IntN(4096)
	v := bulwark.Verdict{Time: t, Client: fmt.Sprintf("198.51.%d.%d", c/256, c%256), Route: sh.route, Method: sh.method,
		Outcome: bulwark.Allowed, Assessment: threat.Assessment{Score: rng.Float64() * 0.1}, Limit: allow}
	if rng.Float64() < attackShare {
		a := attacks[rng.IntN(len(attacks))]
		v.Client = fmt.Sprintf("203.0.113.%d", rng.IntN(64))
		v.Outcome, v.Assessment, v.Limit = a.outcome, a.a, limited
		if a.outcome == bulwark.Blocked {
			v.Limit = ratelimit.Result{}
		}
	}
	return v, sh.route
}

// genEvent is the event of genVerdict's verdict, for the store directly.
func genEvent(rng *rand.Rand, t time.Time, attackShare float64) event.Event {
	v, route := genVerdict(rng, t, attackShare)
	return event.FromVerdict(&v, route)
}

// fakeEngine is a Guard's engine that only gives every client a 12-entry
// feature vector, as the behaviour detector does: the exporter attaches
// it to scored events.
type fakeEngine struct{}

func (fakeEngine) Parse(*http.Request, string, string, time.Time, threat.Limits) *threat.Request {
	return &threat.Request{}
}
func (fakeEngine) Assess(context.Context, *threat.Request) threat.Assessment {
	return threat.Assessment{}
}
func (fakeEngine) Release(*threat.Request)                {}
func (fakeEngine) Observe(string, string, int, time.Time) {}
func (fakeEngine) AppendFeatures(dst []float64, _ string) ([]float64, bool) {
	return append(dst, 3.2, 0.1, 0, 0.05, 0, 0.4, 0.9, 1, 1, 2.1, 0, 0), true
}

func freePort() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "127.0.0.1:0"
	}
	defer ln.Close()
	return ln.Addr().String()
}

func load(args []string) error {
	fs := flag.NewFlagSet("load", flag.ExitOnError)
	rate := fs.Int("rate", 100_000, "events offered per second, all instances together")
	dur := fs.Duration("duration", 60*time.Second, "measured time, after the warm-up")
	warm := fs.Duration("warmup", 10*time.Second, "warm-up before measuring")
	instances := fs.Int("instances", 4, "SDK instances (exporters) sharing the rate: a fleet, as a service at 100,000 requests/s runs on several")
	sample := fs.Float64("sample", 0.1, "share of benign events kept in the history, the exporter's default (every event is counted in the per-minute aggregates; scored and refused events are always kept; 1: every event is a row)")
	attack := fs.Float64("attacks", 0.02, "share of events that are attacks")
	queue := fs.Int("queue", 65_536, "each exporter's queue bound")
	db := fs.String("db", "sqlite", "sqlite (embedded default) or postgres (DATABASE_URL)")
	prof := fs.String("cpuprofile", "", "write a CPU profile of the measured window to this file")
	_ = fs.Parse(args)

	dir, err := os.MkdirTemp("", "bulwark-load-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfg := server.Config{DataDir: dir, Addr: "127.0.0.1:0", NATSAddr: freePort(), Logger: slog.New(slog.DiscardHandler),
		StreamMaxBytes: 4 << 30}
	if *db == "postgres" {
		cfg.DatabaseURL = os.Getenv("DATABASE_URL")
		if cfg.DatabaseURL == "" {
			cfg.DatabaseURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
		}
		cfg.PGSchema = fmt.Sprintf("bwload_%d", time.Now().UnixNano())
		defer dropSchema(cfg.DatabaseURL, cfg.PGSchema)
	} else if *db != "sqlite" {
		return fmt.Errorf("-db %q: want sqlite or postgres", *db)
	}
	ctx := context.Background()
	s, err := server.New(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close(context.Background())
	names, err := fleet.NewPseudonyms([]byte("load-test-pseudonym-key-32-bytes"), "k1", 0)
	if err != nil {
		return err
	}
	lim, err := ratestandard.New(ratestandard.Config{})
	if err != nil {
		return err
	}
	guard, err := bulwark.New(bulwark.Config{Engine: fakeEngine{}, Limiter: lim})
	if err != nil {
		return err
	}
	defer guard.Close()
	var exps []*fleet.Exporter
	for i := 0; i < *instances; i++ {
		nc, err := fleet.Connect(s.SDKURL())
		if err != nil {
			return err
		}
		defer nc.Close()
		x, err := fleet.NewExporter(fleet.ExporterConfig{Conn: nc, Pseudonyms: names, Instance: fmt.Sprintf("load-%d", i+1),
			SampleRate: *sample, QueueSize: *queue, Guard: guard, Version: "load"})
		if err != nil {
			return err
		}
		exps = append(exps, x)
	}
	fmt.Printf("load: %d events/s offered by %d exporters for %v after %v warm-up; store %s; benign sample %.2f\n",
		*rate, *instances, *dur, *warm, *db, *sample)

	stop := make(chan struct{})
	var offered atomic.Uint64
	var wg sync.WaitGroup
	per := float64(*rate) / float64(*instances)
	for i, x := range exps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			start := time.Now()
			var sent float64
			for {
				select {
				case <-stop:
					return
				default:
				}
				now := time.Now()
				due := per*now.Sub(start).Seconds() - sent
				if due < 1 {
					time.Sleep(200 * time.Microsecond)
					continue
				}
				n := int(min(due, per/100+1)) // catch up in slices of 10 ms
				for k := 0; k < n; k++ {
					v, route := genVerdict(rng, now, *attack)
					x.Record(&v, route)
				}
				sent += float64(n)
				offered.Add(uint64(n))
			}
		}()
	}
	time.Sleep(*warm)
	s.ResetLatency()
	o0, st0 := offered.Load(), s.IngestStats()
	d0 := dropped(exps)
	if *prof != "" {
		f, err := os.Create(*prof)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	t0 := time.Now()
	time.Sleep(*dur)
	el := time.Since(t0)
	if *prof != "" {
		pprof.StopCPUProfile()
	}
	o1, st1 := offered.Load(), s.IngestStats()
	d1 := dropped(exps)
	close(stop)
	wg.Wait()

	lat := st1.Latency
	slices.Sort(lat)
	q := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(int(p*float64(len(lat))), len(lat)-1)]
	}
	fmt.Printf("offered:   %.0f events/s\n", float64(o1-o0)/el.Seconds())
	fmt.Printf("stored:    %.0f rows/s (%d rows in %v)\n", float64(st1.Inserted-st0.Inserted)/el.Seconds(), st1.Inserted-st0.Inserted, el.Round(time.Millisecond))
	fmt.Printf("latency:   p50 %v, p99 %v (event time to committed and queryable; a uniform sample of %d events)\n",
		q(0.5).Round(time.Millisecond), q(0.99).Round(time.Millisecond), len(lat))
	fmt.Printf("dropped:   %d in the measured window (%d in all)\n", d1-d0, d1)

	// drain: every acknowledged event must be in the store
	closeCtx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	var published, drops uint64
	for _, x := range exps {
		_ = x.Close(closeCtx)
		st := x.Stats()
		published += st.Published
		drops += st.Dropped
	}
	// the ingest may be far behind after an overload: wait while it makes progress
	last, stalled := s.IngestStats().Inserted, time.Now()
	for s.IngestStats().Inserted < published && time.Since(stalled) < 30*time.Second {
		time.Sleep(200 * time.Millisecond)
		if n := s.IngestStats().Inserted; n > last {
			last, stalled = n, time.Now()
		}
	}
	fin := s.IngestStats()
	fmt.Printf("after drain: %d published (acknowledged), %d stored, %d duplicates skipped, %d dropped in all, %d sampled out\n",
		published, fin.Inserted, fin.Duplicates, drops, sampled(exps))
	if fin.Inserted < published {
		return fmt.Errorf("%d acknowledged events missing from the store", published-fin.Inserted)
	}
	return nil
}

func dropped(xs []*fleet.Exporter) (n uint64) {
	for _, x := range xs {
		n += x.Stats().Dropped
	}
	return n
}

func sampled(xs []*fleet.Exporter) (n uint64) {
	for _, x := range xs {
		n += x.Stats().Sampled
	}
	return n
}

func dropSchema(url, schema string) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return
	}
	defer db.Close()
	_, _ = db.Exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE")
}
