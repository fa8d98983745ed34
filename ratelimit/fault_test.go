package ratelimit

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	libredis "github.com/redis/go-redis/v9"

	"github.com/bulwarkhq/bulwark/internal/redistest"
	"github.com/bulwarkhq/bulwark/storage"
	redisstore "github.com/bulwarkhq/bulwark/storage/redis"
)

// TestRedisFrozenHoldsStoreTimeout freezes a throwaway redis-server
// (SIGSTOP) under a client with go-redis's default options, where context
// deadlines do not reach the socket: no request waits much past
// StoreTimeout. (examples/faults prints the latency figures.)
func TestRedisFrozenHoldsStoreTimeout(t *testing.T) {
	srv := redistest.NewServer(t)
	c := libredis.NewClient(&libredis.Options{Addr: srv.Addr})
	t.Cleanup(func() { _ = c.Close() })
	const timeout = 100 * time.Millisecond
	a := newRedisLimiter(t, c, "frozen:", Config{StoreTimeout: timeout, BreakerFailures: 1000})
	ctx := context.Background()
	if r, err := a.allowNow(ctx, "10.20.0.1", "api", 0); err != nil || r.Degraded {
		t.Fatalf("before the freeze: %+v %v", r, err)
	}
	srv.Freeze()
	defer srv.Thaw()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var worst time.Duration
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 5 {
				start := time.Now()
				r, _ := a.allowNow(ctx, fmt.Sprintf("10.20.%d.%d", g, i), "api", float64(i%2))
				took := time.Since(start)
				mu.Lock()
				worst = max(worst, took)
				mu.Unlock()
				if !r.Degraded {
					t.Errorf("answered by a frozen store: %+v", r)
				}
			}
		}()
	}
	wg.Wait()
	if worst > timeout+time.Second { // generous: the figure itself is printed by examples/faults
		t.Fatalf("slowest request %v with StoreTimeout %v", worst, timeout)
	}
	srv.Thaw()
	srv.Kill() // go-redis gives up on the frozen reads; Close waits for them
}

// TestRedisCancelledBanShared: a ban made on a request whose client went
// away is in Redis, and a second instance refuses the client.
func TestRedisCancelledBanShared(t *testing.T) {
	c, prefix := redistest.Client(t)
	a1 := newRedisLimiter(t, c, prefix, Config{})
	a2 := newRedisLimiter(t, c, prefix, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if r, err := a1.Ban(ctx, "10.21.0.1", 15*time.Minute, "threat score", time.Now()); err != nil || r.Degraded || r.Penalty != storage.ActionBan {
		t.Fatalf("ban: %+v %v", r, err)
	}
	if r, _ := a2.allowNow(context.Background(), "10.21.0.1", "api", 0); r.Penalty != storage.ActionBan {
		t.Fatalf("second instance: %+v, want banned", r)
	}
}

// TestRedisOutageBanWrittenBack: a ban made while Redis was cut off is in
// Redis soon after it is reachable again, with its original expiry,
// without another request of that client.
func TestRedisOutageBanWrittenBack(t *testing.T) {
	opt := redistest.Options(t)
	prefix := redistest.Prefix(t, opt)
	proxy := redistest.NewProxy(t, opt.Addr)
	popt := *opt
	popt.Addr = proxy.Addr()
	popt.MaxRetries = -1
	c := libredis.NewClient(&popt)
	t.Cleanup(func() { _ = c.Close() })
	direct := libredis.NewClient(opt)
	t.Cleanup(func() { _ = direct.Close() })
	const interval = 300 * time.Millisecond
	a := newRedisLimiter(t, c, prefix, Config{BreakerTimeout: interval, BreakerFailures: 1})
	ctx := context.Background()
	proxy.Cut()
	r, _ := a.Ban(ctx, "10.22.0.1", 15*time.Minute, "threat score", time.Now())
	if r.Penalty != storage.ActionBan || !r.Degraded {
		t.Fatalf("ban during the outage: %+v", r)
	}
	for a.BreakerState() != "open" {
		_, _ = a.allowNow(ctx, "10.22.0.2", "api", 0)
	}
	time.Sleep(interval) // the write-back loop finds the store still cut
	proxy.Restore()
	restored := time.Now()
	key := prefix + "{10.22.0.1}:d"
	for {
		if n, _ := direct.Exists(ctx, key).Result(); n == 1 {
			break
		}
		if time.Since(restored) > 10*interval+2*time.Second {
			t.Fatalf("the ban is not in Redis %v after it came back (breaker %s)", time.Since(restored), a.BreakerState())
		}
		time.Sleep(5 * time.Millisecond)
	}
	took := time.Since(restored)
	ttl, _ := direct.PTTL(ctx, key).Result()
	if want := time.Until(r.Reset); ttl > want+time.Second || ttl < want-5*time.Second {
		t.Fatalf("written-back TTL %v, want about %v (the original expiry)", ttl, want)
	}
	t.Logf("ban in Redis %v after it came back (breaker interval %v)", took.Round(time.Millisecond), interval)
}

// hostileKeys are client keys that once broke the Cluster hash tag.
var hostileKeys = []string{"", "}", "}x", "{", "{}", "%", strings.Repeat("}", 4096), strings.Repeat("k", 4096)}

// TestClusterHostileKeys: on the Redis Cluster at REDIS_CLUSTER_ADDRS no
// client key errors or trips a breaker, and an innocent client is served.
func TestClusterHostileKeys(t *testing.T) {
	c, prefix := redistest.ClusterClient(t)
	// StoreTimeout is generous: this is about keys, and a cold client under
	// -race on a busy machine can take longer than the default 200ms.
	a := newRedisLimiter(t, c, prefix, Config{Rate: "1000-M", FailClosed: true, StoreTimeout: 5 * time.Second})
	ctx := context.Background()
	for range 5 {
		for _, k := range hostileKeys {
			for _, score := range []float64{0, 1} {
				if r, err := a.allowNow(ctx, k, "api", score); err != nil || r.Degraded {
					t.Fatalf("key %.10q score %v: %+v %v", k, score, r, err)
				}
			}
		}
	}
	if s := a.BreakerState(); s != "closed" {
		t.Fatalf("breaker %s after hostile keys", s)
	}
	for range 100 {
		if r, err := a.allowNow(ctx, "203.0.113.9", "api", 0); err != nil || !r.Allowed {
			t.Fatalf("innocent client: %+v %v", r, err)
		}
	}
}

// TestClusterDeadMasterDegradesItsSlotsOnly kills one master of a
// throwaway 3-master Cluster: clients whose keys live on the other two are
// never degraded; those of the dead one fall back to the local store.
func TestClusterDeadMasterDegradesItsSlotsOnly(t *testing.T) {
	cl := redistest.NewCluster(t, 3)
	c := libredis.NewClusterClient(&libredis.ClusterOptions{
		Addrs: cl.Addrs(), MaxRetries: -1, DialTimeout: 100 * time.Millisecond,
		ReadTimeout: 100 * time.Millisecond, WriteTimeout: 100 * time.Millisecond,
	})
	t.Cleanup(func() { _ = c.Close() })
	s, err := redisstore.New(c, redisstore.Config{Prefix: "dead:"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	a, err := New(withLocal(Config{Rate: "100000-M", Store: s, BreakerTimeout: 500 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	// Twenty clients on each master, by the store's slot table.
	byMaster := map[string][]string{}
	deadline := time.Now().Add(10 * time.Second)
	for i := 0; len(byMaster) < 3 || minLen(byMaster) < 20; i++ {
		if time.Now().After(deadline) {
			t.Fatalf("slot table not loaded: %v", byMaster)
		}
		k := fmt.Sprintf("10.30.%d.%d", i/256, i%256)
		if m := s.Shard(k); m != "" {
			byMaster[m] = append(byMaster[m], k)
		} else {
			time.Sleep(10 * time.Millisecond)
			i--
		}
	}
	dead := cl.Nodes[0].Addr
	ctx := context.Background()
	for _, keys := range byMaster {
		for _, k := range keys[:20] {
			if r, err := a.allowNow(ctx, k, "api", 0); err != nil || r.Degraded {
				t.Fatalf("before the kill: %+v %v", r, err)
			}
		}
	}
	cl.Nodes[0].Kill()
	healthyDegraded, deadDegraded, deadServed := 0, 0, 0
	for end := time.Now().Add(2 * time.Second); time.Now().Before(end); {
		for m, keys := range byMaster {
			for _, k := range keys[:20] {
				r, _ := a.allowNow(ctx, k, "api", 0)
				switch {
				case m != dead && r.Degraded:
					healthyDegraded++
				case m == dead && r.Degraded:
					deadDegraded++
				case m == dead:
					deadServed++
				}
			}
		}
	}
	t.Logf("after the kill: healthy masters' clients degraded %d times; dead master's degraded %d, served %d", healthyDegraded, deadDegraded, deadServed)
	if healthyDegraded != 0 {
		t.Fatalf("clients on healthy masters degraded %d times", healthyDegraded)
	}
	if deadDegraded == 0 || deadServed != 0 {
		t.Fatalf("dead master's clients: %d degraded, %d served by it", deadDegraded, deadServed)
	}
}

func minLen(m map[string][]string) int {
	n := -1
	for _, v := range m {
		if n < 0 || len(v) < n {
			n = len(v)
		}
	}
	return n
}

var _ storage.Sharded = (*redisstore.Store)(nil)
