package replicate

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/bulwarkhq/bulwark/internal/decision"
)

// ledger records every acknowledged write, to compute what each target
// must converge to.
type ledger struct {
	mu   sync.Mutex
	deny map[decision.Target]*decision.Value
}

func (l *ledger) add(v *decision.Value) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if v.Action != decision.Allow {
		l.deny[v.Target] = decision.Merge(l.deny[v.Target], v)
	}
}

// checkAgainst reports the first target whose merged deny register is not
// the merge of every acknowledged write.
func (l *ledger) checkAgainst(got map[decision.Target]Entry) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for t, want := range l.deny {
		e := got[t]
		if e.Deny == nil || e.Deny.Stamp != want.Stamp || e.Deny.Origin != want.Origin || e.Deny.Tombstone != want.Tombstone {
			return fmt.Errorf("target %s: merged %+v, want %+v", t, e.Deny, want)
		}
	}
	return nil
}

// A spoke is cut off while all three write bans, throttles, unbans and
// allow-list adds; after the heal all three hold the same merged state and
// every acknowledged write. Then the spoke's server dies and restarts.
func TestPartitionHeals(t *testing.T) {
	b := newBench(t, "eu", "us", "ap")
	eu, ap := b.region("eu"), b.region("ap")
	// a threshold above twice the read timeout: one slow read (a loaded
	// machine) is no stall of a reachable origin
	mon, err := NewMonitor(MonitorConfig{JS: eu.js, Region: "eu", Regions: b.names, Threshold: 1500 * time.Millisecond, Timeout: 700 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	l := &ledger{deny: map[decision.Target]*decision.Value{}}
	rng := rand.New(rand.NewPCG(7, 8))
	targets := make([]decision.Target, 40)
	for i := range targets {
		targets[i] = addr(1000 + i)
	}
	// writes a random ban, throttle or unban from reg
	write := func(reg *region, i int) {
		t.Helper()
		tg := targets[rng.IntN(len(targets))]
		v := ban(tg, fmt.Sprintf("%s-%d", reg.name, i))
		switch rng.IntN(3) {
		case 1:
			v.Action, v.Factor = decision.Throttle, 0.5
		case 2:
			v.Tombstone = true
		}
		got, err := reg.w.Put(b.ctx(5*time.Second), v)
		if err != nil {
			t.Fatal(err)
		}
		l.add(got)
	}
	for i := range 30 {
		write(b.regions[i%3], i)
	}
	eventually(t, 5*time.Second, func() error {
		got, err := b.sameEverywhere()
		if err != nil {
			return err
		}
		return l.checkAgainst(got)
	})

	// cut ap off: both sides keep writing
	ap.link.set(false)
	eventually(t, 5*time.Second, func() error {
		if n := eu.srv.NumLeafNodes(); n != 1 {
			return fmt.Errorf("hub still has %d leafnodes", n)
		}
		return nil
	})
	cut := time.Now()
	// an allow-list add in eu that ap cannot see, and ap's remove of the
	// same target after it saw only us's add: the eu add must survive
	shared := decision.MustTarget("cidr", "100.64.0.0/10")
	if _, err := b.region("us").w.Put(b.ctx(5*time.Second), decision.Value{Target: shared, Action: decision.Allow}); err != nil {
		t.Fatal(err)
	}
	for i := 30; i < 90; i++ {
		write([]*region{eu, b.region("us"), ap}[i%3], i)
	}
	// ap really is cut off: eu's latest write never shows there, and the
	// synchronous mode says so
	last, err := eu.w.Put(b.ctx(5*time.Second), decision.Value{Target: shared, Action: decision.Allow, Reason: "eu add"})
	if err != nil {
		t.Fatal(err)
	}
	sctx, scancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer scancel()
	if err := eu.w.WaitReplicated(sctx, last, "us", "ap"); err == nil {
		t.Fatal("replicated to ap through a cut link")
	}
	if e := ap.r.Entry(shared); len(e.Allows) != 0 {
		t.Fatalf("ap sees %+v through a cut link", e.Allows)
	}
	// the monitor in eu reports ap's source unreachable, then stalled
	eventually(t, 5*time.Second, func() error {
		hs, err := mon.Check(context.Background())
		if err != nil {
			return err
		}
		for _, h := range hs {
			if h.Region == "ap" && h.Stalled && !h.Reachable {
				return nil
			}
			if h.Region != "ap" && h.Stalled {
				t.Fatalf("source %s reported stalled: %+v", h.Region, h)
			}
		}
		return fmt.Errorf("ap not reported stalled: %+v", hs)
	})
	t.Logf("eu's monitor reported ap stalled %v after the cut", time.Since(cut).Round(time.Millisecond))

	heal := time.Now()
	ap.link.set(true)
	b.waitLinks()
	eventually(t, 30*time.Second, func() error {
		got, err := b.sameEverywhere()
		if err != nil {
			return err
		}
		if err := l.checkAgainst(got); err != nil {
			return err
		}
		if len(got[shared].Allows) != 2 {
			return fmt.Errorf("allow-list of %s: %+v", shared, got[shared].Allows)
		}
		return nil
	})
	t.Logf("healed: all three aggregates equal, every acknowledged write present, %v after the link returned", time.Since(heal).Round(time.Millisecond))

	healthy := func() error {
		hs, err := mon.Check(context.Background())
		if err != nil {
			return err
		}
		for _, h := range hs {
			if h.Stalled || h.Lag != 0 || !h.Reachable {
				return fmt.Errorf("source %s: %+v", h.Region, h)
			}
		}
		return nil
	}
	eventually(t, 5*time.Second, healthy)

	// ap's server dies; its acknowledged writes are on its disk. The others
	// keep writing; when ap returns everything converges again.
	b.stopRegion(ap)
	for i := 90; i < 120; i++ {
		write([]*region{eu, b.region("us")}[i%2], i)
	}
	b.start(ap)
	b.startClients(ap)
	b.waitLinks()
	back := time.Now()
	eventually(t, 30*time.Second, func() error {
		got, err := b.sameEverywhere()
		if err == nil {
			err = l.checkAgainst(got)
		}
		if err != nil && time.Since(back) > 29*time.Second {
			err = fmt.Errorf("%w%s", err, b.health()) // the last error, the one reported
		}
		return err
	})
	t.Logf("restarted region converged %v after it was back", time.Since(back).Round(time.Millisecond))
	eventually(t, 5*time.Second, healthy)
}

// An allow-list remove takes away only the adds it saw: an add made
// concurrently in a region cut off at the time survives it everywhere.
func TestAllowRemoveIsObserved(t *testing.T) {
	b := newBench(t, "eu", "us", "ap")
	eu, us, ap := b.region("eu"), b.region("us"), b.region("ap")
	target := decision.MustTarget("key", "apikey:partner")
	if _, err := us.w.Put(b.ctx(5*time.Second), decision.Value{Target: target, Action: decision.Allow, Reason: "us add"}); err != nil {
		t.Fatal(err)
	}
	if _, err := eu.w.Put(b.ctx(5*time.Second), ban(target, "abuse")); err != nil {
		t.Fatal(err)
	}
	b.waitEntry(target, 5*time.Second, func(e Entry) error {
		if len(e.Allows) != 1 || e.Deny == nil {
			return fmt.Errorf("%+v", e)
		}
		return nil
	})
	// ap is cut off and adds; eu removes the allow it sees (us's add)
	ap.link.set(false)
	eventually(t, 5*time.Second, func() error {
		if n := eu.srv.NumLeafNodes(); n != 1 {
			return fmt.Errorf("hub still has %d leafnodes", n)
		}
		return nil
	})
	apAdd, err := ap.w.Put(b.ctx(5*time.Second), decision.Value{Target: target, Action: decision.Allow, Reason: "ap add"})
	if err != nil {
		t.Fatal(err)
	}
	dots, err := eu.w.RemoveAllow(b.ctx(5*time.Second), eu.r, target)
	if err != nil {
		t.Fatal(err)
	}
	if len(dots) != 2 || dots[0].Origin != "us" {
		t.Fatalf("eu removed %+v, want us's add and its own register", dots)
	}
	// eu and us: the removed add is gone, the ban is back in force
	eventually(t, 5*time.Second, func() error {
		for _, reg := range []*region{eu, us} {
			if allowed, in := reg.r.Effective(target, time.Now()); allowed || in == nil {
				return fmt.Errorf("region %s: %v %+v, want banned", reg.name, allowed, in)
			}
		}
		return nil
	})
	ap.link.set(true)
	b.waitLinks()
	// after the heal: ap's concurrent add survives, in all three
	b.waitEntry(target, 30*time.Second, func(e Entry) error {
		if len(e.Allows) != 1 || e.Allows[0].Origin != "ap" || e.Allows[0].Stamp != apAdd.Stamp {
			return fmt.Errorf("allows %+v, want ap's add only %s", e.Allows, b.health())
		}
		if allowed, _ := e.Effective(time.Now()); !allowed {
			return fmt.Errorf("not allowed")
		}
		return nil
	})
	// ap now removes what it sees: the target is off the list everywhere
	if _, err := ap.w.RemoveAllow(b.ctx(5*time.Second), ap.r, target); err != nil {
		t.Fatal(err)
	}
	b.waitEntry(target, 5*time.Second, func(e Entry) error {
		if allowed, in := e.Effective(time.Now()); allowed || len(e.Allows) != 0 || in == nil {
			return fmt.Errorf("%v %+v %+v, want banned with no allow", allowed, e.Allows, in)
		}
		return nil
	})
	if _, err := b.sameEverywhere(); err != nil {
		t.Fatal(err)
	}
}

// A source that silently stops (nats-server issue 8630: the origin keeps
// taking writes, the source reports lag 0 and fresh heartbeats, and takes
// nothing) is reported Stalled. The stop is made real by pausing, in the
// origin region, the consumer the source reads through.
func TestStalledSourceIsReported(t *testing.T) {
	b := newBenchOpts(t, "eu", "us", "ap") // no monitor heals behind the test's back
	eu, us := b.region("eu"), b.region("us")

	// learn the name of the consumer eu's aggregate creates in us (the
	// server adds a random suffix to it): watch the create responses in us
	// while eu's source of us is set up again
	names := make(chan string, 16)
	sub, err := us.nc.Subscribe("$JSC.R.>", func(m *nats.Msg) {
		var resp struct {
			Stream string `json:"stream_name"`
			Name   string `json:"name"`
			Config struct {
				Metadata map[string]string `json:"metadata"`
			} `json:"config"`
		}
		if json.Unmarshal(m.Data, &resp) == nil && resp.Stream == kvStream(RegionBucket("us")) && resp.Config.Metadata["_nats.src.domain"] == "eu" {
			names <- resp.Name
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	if err := us.nc.Flush(); err != nil {
		t.Fatal(err)
	}
	if _, err := Configure(b.ctx(5*time.Second), eu.js, "eu", []string{"eu", "ap"}); err != nil {
		t.Fatal(err)
	}
	if _, err := Configure(b.ctx(5*time.Second), eu.js, "eu", b.names); err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	var stalled, recovered []SourceHealth
	mon, err := NewMonitor(MonitorConfig{JS: eu.js, Region: "eu", Regions: b.names, Threshold: time.Second, Timeout: 500 * time.Millisecond,
		OnStall:   func(h SourceHealth) { mu.Lock(); stalled = append(stalled, h); mu.Unlock() },
		OnRecover: func(h SourceHealth) { mu.Lock(); recovered = append(recovered, h); mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { mon.Run(ctx, 100*time.Millisecond) })
	defer func() { cancel(); wg.Wait() }()

	// healthy first: a write from us arrives, nothing is stalled
	first := addr(2000)
	if _, err := us.w.Put(b.ctx(5*time.Second), ban(first, "before")); err != nil {
		t.Fatal(err)
	}
	b.waitEntry(first, 5*time.Second, func(e Entry) error {
		if e.Deny == nil {
			return fmt.Errorf("not arrived")
		}
		return nil
	})
	time.Sleep(1500 * time.Millisecond)
	mu.Lock()
	if len(stalled) != 0 {
		t.Fatalf("stalled while healthy: %+v", stalled)
	}
	mu.Unlock()

	// pause the one that exists now (a name seen may be of a consumer
	// removed since)
	var consumer string
	for consumer == "" {
		select {
		case name := <-names:
			if _, err := us.js.PauseConsumer(b.ctx(5*time.Second), kvStream(RegionBucket("us")), name, time.Now().Add(time.Hour)); err == nil {
				consumer = name
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no source consumer of eu found in us")
		}
	}
	paused := time.Now()
	second := addr(2001)
	if _, err := us.w.Put(b.ctx(5*time.Second), ban(second, "after")); err != nil {
		t.Fatal(err)
	}
	var report SourceHealth
	eventually(t, 5*time.Second, func() error {
		mu.Lock()
		defer mu.Unlock()
		for _, h := range stalled {
			if h.Region == "us" {
				report = h
				return nil
			}
		}
		return fmt.Errorf("no incident yet (stalled: %+v)", stalled)
	})
	t.Logf("stall reported %v after the source stopped: %+v", time.Since(paused).Round(time.Millisecond), report)
	if !report.Reachable || report.Lag == 0 || report.ServerLag != 0 {
		t.Errorf("report %+v: want a reachable origin, a lag, and the server's lag of 0", report)
	}
	// the write did not arrive in eu (the stall is real), it did in ap
	if e := eu.r.Entry(second); e.Deny != nil {
		t.Fatalf("the paused source delivered: %+v", e.Deny)
	}
	eventually(t, 5*time.Second, func() error {
		if e := b.region("ap").r.Entry(second); e.Deny == nil {
			return fmt.Errorf("ap has not the write")
		}
		return nil
	})
	mu.Lock()
	for _, h := range stalled {
		if h.Region != "us" {
			t.Errorf("source %s reported stalled: %+v", h.Region, h)
		}
	}
	mu.Unlock()

	// the origin's consumer stays paused for an hour; a resync sets the
	// source up afresh: the write arrives, the incident clears
	if err := Resync(b.ctx(5*time.Second), eu.js, "eu", b.names, "us"); err != nil {
		t.Fatal(err)
	}
	resync := time.Now()
	eventually(t, 10*time.Second, func() error {
		mu.Lock()
		defer mu.Unlock()
		if len(recovered) == 0 {
			return fmt.Errorf("not recovered")
		}
		if eu.r.Entry(second).Deny == nil {
			return fmt.Errorf("write not delivered")
		}
		return nil
	})
	t.Logf("resync: delivered and recovered in %v", time.Since(resync).Round(time.Millisecond))

	// the same stop again, now with a monitor that heals by itself
	cancel()
	wg.Wait()
	consumer = ""
	for consumer == "" {
		select {
		case name := <-names:
			if _, err := us.js.PauseConsumer(b.ctx(5*time.Second), kvStream(RegionBucket("us")), name, time.Now().Add(time.Hour)); err == nil {
				consumer = name
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no new source consumer of eu found in us")
		}
	}
	third := addr(2002)
	if _, err := us.w.Put(b.ctx(5*time.Second), ban(third, "healed")); err != nil {
		t.Fatal(err)
	}
	var stalls int
	auto, err := NewMonitor(MonitorConfig{JS: eu.js, Region: "eu", Regions: b.names, Threshold: time.Second, Timeout: 500 * time.Millisecond,
		Resync: true, OnStall: func(SourceHealth) { mu.Lock(); stalls++; mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	actx, acancel := context.WithCancel(context.Background())
	defer acancel() // before the wait deferred above
	wg.Go(func() { auto.Run(actx, 100*time.Millisecond) })
	start := time.Now()
	eventually(t, 10*time.Second, func() error {
		if eu.r.Entry(third).Deny == nil {
			return fmt.Errorf("write not delivered")
		}
		return nil
	})
	mu.Lock()
	if stalls == 0 {
		t.Error("healed without an incident")
	}
	mu.Unlock()
	t.Logf("automatic resync: write delivered %v after the monitor started", time.Since(start).Round(time.Millisecond))
}

// A source missing from the aggregate (a Resync cut short between its
// remove and its add back, say by a restart of the region) takes nothing
// from its origin: a Monitor with Resync set puts it back at once, origin
// written to or not.
func TestMissingSourceIsPutBack(t *testing.T) {
	b := newBenchOpts(t, "eu", "us", "ap") // no monitor heals behind the test's back
	eu, us := b.region("eu"), b.region("us")
	if _, err := Configure(b.ctx(5*time.Second), eu.js, "eu", []string{"eu", "ap"}); err != nil {
		t.Fatal(err)
	}
	lost := addr(3000)
	if _, err := us.w.Put(b.ctx(5*time.Second), ban(lost, "while eu does not source us")); err != nil {
		t.Fatal(err)
	}
	// a threshold no wait below reaches: no stall restarts the source
	mon, err := NewMonitor(MonitorConfig{JS: eu.js, Region: "eu", Regions: b.names, Threshold: time.Minute,
		Timeout: 500 * time.Millisecond, Resync: true})
	if err != nil {
		t.Fatal(err)
	}
	hs, err := mon.Check(b.ctx(5 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if h := hs[1]; h.Region != "us" || h.Err != errNotSource {
		t.Fatalf("source us: %+v, want reported missing", h)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { mon.Run(ctx, 100*time.Millisecond) })
	defer func() { cancel(); wg.Wait() }()
	start := time.Now()
	eventually(t, 10*time.Second, func() error {
		if eu.r.Entry(lost).Deny == nil {
			return fmt.Errorf("us's write not in eu")
		}
		return nil
	})
	t.Logf("source put back, write delivered %v after the monitor started", time.Since(start).Round(time.Millisecond))
}
