package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/bulwarkhq/bulwark/examples/controlplane/internal/server"
	"github.com/bulwarkhq/bulwark/internal/event"
	"github.com/bulwarkhq/bulwark/internal/history"
	"github.com/bulwarkhq/bulwark/internal/history/sqlhistory"
)

// querybench fills a store with days of history shaped like the
// examples' traffic and times every dashboard query for every range it
// offers, with a cold cache before each pass.
func querybench(args []string) error {
	fs := flag.NewFlagSet("querybench", flag.ExitOnError)
	n := fs.Int("events", 10_000_000, "events of history")
	days := fs.Int("days", 7, "days the history spans, ending now")
	db := fs.String("db", "sqlite", "sqlite or postgres (DATABASE_URL)")
	path := fs.String("path", "", "SQLite file (default: a temporary one); kept when given, and reused when it already holds history")
	schema := fs.String("schema", "bwquerybench", "PostgreSQL schema; reused when it already holds history")
	passes := fs.Int("passes", 10, "cold passes over every query")
	pgPrivate := fs.String("pg-private", "", "run a private PostgreSQL cluster in this directory (created when missing; kept) instead of DATABASE_URL, restarted for the cold passes")
	cold := fs.Bool("cold", true, "evict caches before each pass (SQLite: reopen and drop the file's pages from the OS cache; PostgreSQL: restart the local cluster and drop its files' pages)")
	_ = fs.Parse(args)
	ctx := context.Background()
	now := time.Now().UTC()

	var open func() (history.Store, error)
	var evict func() error
	switch *db {
	case "sqlite":
		p := *path
		if p == "" {
			dir, err := os.MkdirTemp("", "bulwark-querybench-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(dir)
			p = filepath.Join(dir, "history.db")
		}
		open = func() (history.Store, error) { return sqlhistory.OpenSQLite(ctx, p, sqlhistory.Options{}) }
		evict = func() error { return dropPages(p, p+"-wal", p+"-shm") }
	case "postgres":
		url := os.Getenv("DATABASE_URL")
		if url == "" {
			url = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
		}
		evict = restartPostgres
		if *pgPrivate != "" {
			pg, err := privateCluster(*pgPrivate)
			if err != nil {
				return err
			}
			defer pg.stop()
			url, evict = pg.url, pg.restart
		}
		open = func() (history.Store, error) {
			return sqlhistory.OpenPostgres(ctx, url, sqlhistory.Options{Schema: *schema})
		}
	default:
		return fmt.Errorf("-db %q: want sqlite or postgres", *db)
	}
	s, err := open()
	if err != nil {
		return err
	}
	have := 0
	if ds, _ := s.Days(ctx); len(ds) > 0 {
		have = -1
	}
	if have == 0 {
		t0 := time.Now()
		if err := fill(ctx, s, *n, *days, now); err != nil {
			return err
		}
		fmt.Printf("filled %d events over %d days in %v\n", *n, *days, time.Since(t0).Round(time.Second))
	} else {
		fmt.Println("reusing the history already in the store")
	}
	_ = s.Close()

	type key struct{ query, rng string }
	times := map[key][]time.Duration{}
	var order []key
	for pass := 0; pass < *passes; pass++ {
		if *cold {
			if err := evict(); err != nil {
				return fmt.Errorf("evicting caches: %w", err)
			}
		}
		s, err := open()
		if err != nil {
			return err
		}
		for _, rng := range server.Ranges {
			for _, q := range server.DashboardQueries(s, "default", rng, now) {
				t0 := time.Now()
				if err := q.Run(ctx); err != nil {
					return fmt.Errorf("%s %s: %w", q.Name, rng, err)
				}
				k := key{q.Name, rng}
				if pass == 0 {
					order = append(order, k)
				}
				times[k] = append(times[k], time.Since(t0))
			}
		}
		_ = s.Close()
	}
	fmt.Printf("\n%-28s %-5s %10s %10s %10s   (%d passes, cold=%v, store %s)\n", "query", "range", "p50", "p99", "max", *passes, *cold, *db)
	worst := time.Duration(0)
	for _, k := range order {
		ts := times[k]
		slices.Sort(ts)
		p := func(q float64) time.Duration { return ts[min(int(q*float64(len(ts))), len(ts)-1)] }
		fmt.Printf("%-28s %-5s %10v %10v %10v\n", k.query, k.rng, p(0.5).Round(time.Microsecond*100), p(0.99).Round(time.Microsecond*100), ts[len(ts)-1].Round(time.Microsecond*100))
		worst = max(worst, p(0.99))
	}
	fmt.Printf("\nworst p99: %v (goal 500ms)\n", worst.Round(time.Millisecond))
	return nil
}

// fill writes n events spread over days ending at now, with their
// per-minute counts, through Ingest in batches.
func fill(ctx context.Context, s history.Store, n, days int, now time.Time) error {
	rng := rand.New(rand.NewPCG(42, 1))
	start := now.Add(-time.Duration(days) * 24 * time.Hour)
	span := now.Sub(start)
	const per = 20_000
	step := span / time.Duration(n)
	var seq uint64
	reportSeq := uint64(0)
	t := start
	for done := 0; done < n; {
		k := min(per, n-done)
		b := &event.Batch{Tenant: "default", Region: "local", Instance: "bench-1", KeyID: "k1", Events: make([]event.Event, 0, k)}
		counts := map[event.Count]uint64{}
		for i := 0; i < k; i++ {
			seq++
			t = t.Add(step)
			e := genEvent(rng, t, 0.03)
			e.ID = event.MakeID(t, 7, seq)
			e.Pseudonym = fmt.Sprintf("%024x", hashClient(e.Client))
			if e.Scored() {
				e.Features = []float32{3.2, 0.1, 0, 0.05, 0, 0.4, 0.9, 1, 1, 2.1, 0, 0}
			}
			e.Client = ""
			b.Events = append(b.Events, e)
			counts[event.Count{Minute: t.Unix() / 60 * 60, Route: e.Route, Outcome: e.Outcome, Family: e.Family, Level: e.Level}]++
		}
		reportSeq++
		r := &event.Report{Tenant: "default", Region: "local", Instance: "bench-1", Boot: "fill", Seq: reportSeq, Time: t, Version: "querybench", Breaker: "none"}
		for c, v := range counts {
			c.N = v * 10 // the history keeps about one benign request in ten: the counts are the full traffic
			r.Counts = append(r.Counts, c)
		}
		if _, err := s.Ingest(ctx, []*event.Batch{b}, []*event.Report{r}); err != nil {
			return err
		}
		done += k
		if done%1_000_000 == 0 {
			fmt.Printf("  %d events\n", done)
		}
	}
	return nil
}

func hashClient(c string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(c); i++ {
		h = (h ^ uint64(c[i])) * 1099511628211
	}
	return h
}

// dropPages evicts files from the OS page cache.
func dropPages(paths ...string) error {
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		_ = unix.Fdatasync(int(f.Fd()))
		err = unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
	}
	return nil
}

// restartPostgres restarts the machine's cluster (its buffer cache goes)
// and drops its files from the OS page cache.
func restartPostgres() error {
	ver, err := os.ReadDir("/etc/postgresql")
	if err != nil || len(ver) == 0 {
		return fmt.Errorf("no local cluster under /etc/postgresql to restart")
	}
	v := ver[len(ver)-1].Name()
	if out, err := exec.Command("pg_ctlcluster", "--skip-systemctl-redirect", v, "main", "stop").CombinedOutput(); err != nil {
		return fmt.Errorf("pg_ctlcluster stop: %v: %s", err, out)
	}
	data := "/var/lib/postgresql/" + v + "/main"
	_ = filepath.WalkDir(data, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.Contains(p, "pg_wal") {
			_ = dropPages(p)
		}
		return nil
	})
	if out, err := exec.Command("pg_ctlcluster", "--skip-systemctl-redirect", v, "main", "start").CombinedOutput(); err != nil {
		return fmt.Errorf("pg_ctlcluster start: %v: %s", err, out)
	}
	for i := 0; i < 100; i++ {
		if exec.Command("pg_isready", "-h", "127.0.0.1", "-q").Run() == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("PostgreSQL not ready after restart")
}

// cluster is a private PostgreSQL cluster run as the postgres user.
type cluster struct {
	bin, data, dir, port, url string
}

func privateCluster(dir string) (*cluster, error) {
	vers, _ := os.ReadDir("/usr/lib/postgresql")
	if len(vers) == 0 {
		return nil, fmt.Errorf("no PostgreSQL server binaries under /usr/lib/postgresql")
	}
	c := &cluster{bin: filepath.Join("/usr/lib/postgresql", vers[len(vers)-1].Name(), "bin"), dir: dir, data: filepath.Join(dir, "data"), port: "5497"}
	c.url = "postgres://postgres@127.0.0.1:" + c.port + "/postgres?sslmode=disable"
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if os.Getuid() == 0 {
		_ = exec.Command("chown", "postgres", dir).Run()
	}
	if _, err := os.Stat(filepath.Join(c.data, "PG_VERSION")); err != nil {
		if err := c.as(filepath.Join(c.bin, "initdb"), "-D", c.data, "-A", "trust", "-U", "postgres"); err != nil {
			return nil, err
		}
	}
	return c, c.start()
}

func (c *cluster) as(args ...string) error {
	cmd := exec.Command(args[0], args[1:]...)
	if os.Getuid() == 0 {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--"}, args...)...)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%v: %v: %s", args, err, out)
	}
	return nil
}

func (c *cluster) start() error {
	return c.as(filepath.Join(c.bin, "pg_ctl"), "-D", c.data, "-w", "-l", filepath.Join(c.dir, "log"), "-o",
		"-p "+c.port+" -k "+c.dir+" -c listen_addresses=127.0.0.1", "start")
}

func (c *cluster) stop() error {
	return c.as(filepath.Join(c.bin, "pg_ctl"), "-D", c.data, "-w", "-m", "fast", "stop")
}

// restart empties PostgreSQL's buffers and drops its files from the OS cache.
func (c *cluster) restart() error {
	if err := c.stop(); err != nil {
		return err
	}
	_ = filepath.WalkDir(c.data, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			_ = dropPages(p)
		}
		return nil
	})
	return c.start()
}
