// Command faults drives the store path through real faults on a real
// Redis and prints what it measures: request latency while Redis is
// frozen, whether an attacker who half-closes its connection is banned on
// a second instance sharing the Redis, whether half-closed logins keep to
// their limit, and how soon a ban made during an outage reaches Redis
// once it is back. Nothing here is asserted; the tests assert behaviour
// with generous bounds (ratelimit/fault_test.go).
//
//	go run ./examples/faults                 # every scenario, about 30 s
//	go run ./examples/faults -scenario frozen
//
// It starts its own throwaway redis-server processes on free loopback
// ports (redis-server must be installed), and serves the middleware on
// loopback listeners; attacker connections come from 127.0.0.x addresses,
// one a try, so each try is a fresh client.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	libredis "github.com/redis/go-redis/v9"

	"github.com/bulwarkhq/bulwark"
	"github.com/bulwarkhq/bulwark/internal/redistest"
	"github.com/bulwarkhq/bulwark/middleware"
	"github.com/bulwarkhq/bulwark/ratelimit"
	ratelimitstd "github.com/bulwarkhq/bulwark/ratelimit/standard"
	"github.com/bulwarkhq/bulwark/standard"
	redisstore "github.com/bulwarkhq/bulwark/storage/redis"
)

const attack = "/?q=1'%20UNION%20SELECT%20password%20FROM%20users--"

func main() {
	scenario := flag.String("scenario", "all", "frozen, disconnect, outage or all")
	tries := flag.Int("tries", 8, "tries of the disconnect and outage scenarios")
	frozenFor := flag.Duration("frozen", 3*time.Second, "how long Redis stays frozen")
	flag.Parse()
	log.SetFlags(0)
	run := func(name string, f func() error) {
		if *scenario != "all" && *scenario != name {
			return
		}
		if err := f(); err != nil {
			log.Printf("%s: %v", name, err)
			os.Exit(1)
		}
	}
	run("frozen", func() error { return frozen(*frozenFor) })
	run("disconnect", func() error { return disconnect(*tries) })
	run("outage", func() error { return outage(*tries) })
}

// instance is one protected server: the middleware in front of a handler,
// its limiter on the shared Redis.
type instance struct {
	guard *bulwark.Guard
	lim   *ratelimit.Adaptive
	srv   *http.Server
	url   string
}

func newInstance(c libredis.UniversalClient, prefix string, cfg ratelimit.Config) (*instance, error) {
	store, err := redisstore.New(c, redisstore.Config{Prefix: prefix})
	if err != nil {
		return nil, err
	}
	cfg.Store = store
	cfg.Groups = map[string]string{"login": "5-M"}
	guard, err := standard.New(standard.Config{Limiter: ratelimitstd.Config{Limiter: cfg}})
	if err != nil {
		return nil, err
	}
	mw, err := middleware.New(guard, middleware.Config{
		Pattern: func(r *http.Request) string {
			if r.URL.Path == "/login" {
				return "login"
			}
			return ""
		},
	})
	if err != nil {
		_ = guard.Close()
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	in := &instance{guard: guard, lim: guard.Limiter().(*ratelimit.Adaptive), url: "http://" + ln.Addr().String()}
	in.srv = &http.Server{Handler: mw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/login" {
			w.WriteHeader(http.StatusUnauthorized)
		}
		_, _ = io.WriteString(w, "ok\n")
	})), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = in.srv.Serve(ln) }()
	return in, nil
}

func (in *instance) close() {
	_ = in.srv.Close()
	_ = in.guard.Close()
}

// frozen sends requests through the middleware while Redis is stopped
// (SIGSTOP), under go-redis's default options (no ContextTimeoutEnabled:
// deadlines do not reach the socket, reads wait ReadTimeout, 3 s), with
// the default breaker and with one that never opens, so that every
// request meets the frozen store.
func frozen(d time.Duration) error {
	const storeTimeout = 200 * time.Millisecond
	fmt.Printf("== frozen store: redis-server stopped (SIGSTOP) for %v, StoreTimeout %v, 8 concurrent clients\n", d, storeTimeout)
	fmt.Printf("%-34s %8s %8s %9s %9s %9s  %s\n", "breaker", "requests", "failed", "p50", "p99", "max", "p99 <= StoreTimeout+50ms")
	for _, failures := range []uint32{3, 1 << 30} {
		srv, err := redistest.StartServer()
		if err != nil {
			return err
		}
		c := libredis.NewClient(&libredis.Options{Addr: srv.Addr})
		in, err := newInstance(c, "faults:", ratelimit.Config{Rate: "1000000-M", StoreTimeout: storeTimeout, BreakerFailures: failures})
		if err != nil {
			srv.Close()
			return err
		}
		get(in.url + "/") // warm: connections and script
		srv.Freeze()
		lat, failed := load(in.url+"/", d, 8)
		srv.Thaw()
		in.close()
		_ = c.Close()
		srv.Close()
		name := "default (opens after 3 failures)"
		if failures > 3 {
			name = "never opens (every request waits)"
		}
		p50, p99, mx := pct(lat, 50), pct(lat, 99), pct(lat, 100)
		fmt.Printf("%-34s %8d %8d %9v %9v %9v  %v\n", name, len(lat), failed, p50, p99, mx, p99 <= storeTimeout+50*time.Millisecond)
	}
	return nil
}

// load runs n clients against url for d and returns each request's
// latency and how many requests failed (no answer).
func load(url string, d time.Duration, n int) ([]time.Duration, int) {
	var mu sync.Mutex
	var lat []time.Duration
	failed := 0
	var wg sync.WaitGroup
	end := time.Now().Add(d)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl := clientFrom(fmt.Sprintf("127.0.1.%d", 10+i))
			for time.Now().Before(end) {
				start := time.Now()
				resp, err := cl.Get(url)
				took := time.Since(start)
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					_ = resp.Body.Close()
				}
				mu.Lock()
				lat = append(lat, took)
				if err != nil {
					failed++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return lat, failed
}

func pct(lat []time.Duration, p int) time.Duration {
	if len(lat) == 0 {
		return 0
	}
	s := slices.Clone(lat)
	slices.Sort(s)
	i := (len(s)*p+99)/100 - 1
	return s[max(i, 0)].Round(100 * time.Microsecond)
}

// clientFrom is an HTTP client whose connections come from the loopback
// address local, so the middleware sees a client of its own.
func clientFrom(local string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}, Timeout: 5 * time.Second}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 4}}
}

func get(url string) int {
	resp, err := http.Get(url)
	if err != nil {
		return 0
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode
}

// halfClosed sends one raw request from local to addr, closes its writing
// side at once (the server's request context is cancelled when it reads
// EOF) and returns the status of the answer.
func halfClosed(local, addr, method, path string) (int, error) {
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}, Timeout: 5 * time.Second}
	conn, err := d.Dial("tcp", addr)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	body := ""
	if method == http.MethodPost {
		body = "user=admin&password=guess"
	}
	req := fmt.Sprintf("%s %s HTTP/1.1\r\nHost: app\r\nUser-Agent: Mozilla/5.0\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s",
		method, path, len(body), body)
	if _, err := io.WriteString(conn, req); err != nil {
		return 0, err
	}
	if err := conn.(*net.TCPConn).CloseWrite(); err != nil {
		return 0, err
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0, err
	}
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}

// disconnect: an attacker sends injections to instances A, B and A again,
// half-closing each connection at once: by the default strictness the
// third refusal within ten minutes bans it, and the refusals count in the
// shared Redis whatever the attacker's connection does. Then it asks
// instance B. And a client sends 10 half-closed logins, alternating A and
// B, on a 5-M login rate.
func disconnect(tries int) error {
	srv, err := redistest.StartServer()
	if err != nil {
		return err
	}
	defer srv.Close()
	c := libredis.NewClient(&libredis.Options{Addr: srv.Addr})
	defer c.Close()
	a, err := newInstance(c, "faults:", ratelimit.Config{})
	if err != nil {
		return err
	}
	defer a.close()
	b, err := newInstance(c, "faults:", ratelimit.Config{})
	if err != nil {
		return err
	}
	defer b.close()
	fmt.Printf("\n== disconnecting attacker: two instances on one Redis, %d tries, one client address a try\n", tries)
	banned, loginsOK := 0, 0
	for i := range tries {
		local := fmt.Sprintf("127.0.2.%d", 10+i)
		var st int
		for _, in := range []*instance{a, b, a} {
			if st, err = halfClosed(local, strings.TrimPrefix(in.url, "http://"), http.MethodGet, attack); err != nil {
				return err
			}
		}
		resp, err := clientFrom(local).Get(b.url + "/")
		if err != nil {
			return err
		}
		_ = resp.Body.Close()
		if resp.StatusCode == http.StatusForbidden {
			banned++
		}
		// logins: 10 half-closed POSTs from a new address, alternating A and B
		login := fmt.Sprintf("127.0.3.%d", 10+i)
		through := 0
		for j := range 10 {
			in := a
			if j%2 == 1 {
				in = b
			}
			st, err := halfClosed(login, strings.TrimPrefix(in.url, "http://"), http.MethodPost, "/login")
			if err != nil {
				return err
			}
			if st == http.StatusUnauthorized {
				through++
			}
		}
		if through == 5 {
			loginsOK++
		}
		fmt.Printf("try %d: third attack (A, B, A) answered %d, then B answered %d; half-closed logins let through: %d of 10 (limit 5)\n", i+1, st, resp.StatusCode, through)
	}
	fmt.Printf("banned on B: %d of %d; logins kept to 5: %d of %d\n", banned, tries, loginsOK, tries)
	return nil
}

// outage: Redis is frozen, the breaker opens, an attacker is banned (by
// the local fallback, at its third refused request), Redis is thawed; how
// long until the ban is in Redis, without another request from that
// attacker?
func outage(tries int) error {
	srv, err := redistest.StartServer()
	if err != nil {
		return err
	}
	defer srv.Close()
	c := libredis.NewClient(&libredis.Options{Addr: srv.Addr})
	defer c.Close()
	direct := libredis.NewClient(&libredis.Options{Addr: srv.Addr})
	defer direct.Close()
	const interval = 2 * time.Second // the default BreakerTimeout
	in, err := newInstance(c, "faults:", ratelimit.Config{BreakerTimeout: interval})
	if err != nil {
		return err
	}
	defer in.close()
	fmt.Printf("\n== outage decisions: ban made while Redis is frozen, breaker interval (BreakerTimeout) %v\n", interval)
	var worst time.Duration
	within := 0
	for i := range tries {
		get(in.url + "/")
		srv.Freeze()
		for in.lim.BreakerState() != "open" {
			_, _ = clientFrom("127.0.4.1").Get(in.url + "/")
		}
		// three refusals ban (the default strictness); counted by the
		// local fallback while Redis is frozen
		local := fmt.Sprintf("127.0.5.%d", 10+i)
		var st int
		for range 3 {
			if st, err = halfClosed(local, strings.TrimPrefix(in.url, "http://"), http.MethodGet, attack); err != nil {
				srv.Thaw()
				return err
			}
		}
		// Stay down a while, and come back at a different point of the
		// breaker's cycle each try.
		time.Sleep(500*time.Millisecond + time.Duration(i)*interval/time.Duration(tries))
		srv.Thaw()
		back := time.Now()
		key := "faults:{" + local + "}:d"
		var took time.Duration
		for {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			n, _ := direct.Exists(ctx, key).Result()
			cancel()
			if n == 1 {
				took = time.Since(back)
				break
			}
			if time.Since(back) > 5*interval {
				took = -1
				break
			}
			time.Sleep(2 * time.Millisecond)
		}
		ttl, _ := direct.PTTL(context.Background(), key).Result()
		worst = max(worst, took)
		if took >= 0 && took <= interval {
			within++
		}
		fmt.Printf("try %d: attack answered %d during the outage; ban in Redis %v after Redis came back (TTL there %v of 15m)\n",
			i+1, st, took.Round(time.Millisecond), ttl.Round(time.Second))
		// let the breaker close before the next try
		for in.lim.BreakerState() != "closed" {
			get(in.url + "/")
			time.Sleep(10 * time.Millisecond)
		}
	}
	fmt.Printf("in Redis within one breaker interval (%v): %d of %d; slowest %v\n", interval, within, tries, worst.Round(time.Millisecond))
	return nil
}
