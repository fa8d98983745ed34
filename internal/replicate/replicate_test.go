package replicate

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/bulwarkhq/bulwark/internal/decision"
)

func ban(t decision.Target, reason string) decision.Value {
	return decision.Value{Target: t, Action: decision.Ban, Reason: reason, Expires: time.Now().Add(time.Hour)}
}

func addr(i int) decision.Target {
	return decision.MustTarget("addr", fmt.Sprintf("198.51.%d.%d", i/250, 1+i%250))
}

// sameEverywhere checks that every region's reader holds the same merged
// entries, and returns them.
func (b *bench) sameEverywhere() (map[decision.Target]Entry, error) {
	first := b.regions[0].r.Snapshot()
	for _, reg := range b.regions[1:] {
		got := reg.r.Snapshot()
		if len(got) != len(first) {
			return nil, fmt.Errorf("region %s has %d targets, %s has %d", reg.name, len(got), b.regions[0].name, len(first))
		}
		for t, e := range first {
			if g, ok := got[t]; !ok || g.encode() != e.encode() {
				return nil, fmt.Errorf("target %s: region %s has %+v, %s has %+v", t, reg.name, g, b.regions[0].name, e)
			}
		}
	}
	return first, nil
}

func TestBanConvergesEverywhere(t *testing.T) {
	b := newBench(t, "eu", "us", "ap")
	const n = 50
	var lat []time.Duration
	for i := range n {
		from := b.regions[i%len(b.regions)]
		target := addr(i)
		start := time.Now()
		if _, err := from.w.Put(b.ctx(5*time.Second), ban(target, fmt.Sprint("write ", i))); err != nil {
			t.Fatal(err)
		}
		var worst time.Duration
		eventually(t, 5*time.Second, func() error {
			worst = 0
			for _, reg := range b.regions {
				at, ok := b.seenAt(reg, target)
				if !ok {
					return fmt.Errorf("ban %d from %s not seen in %s", i, from.name, reg.name)
				}
				worst = max(worst, at.Sub(start))
			}
			return nil
		})
		lat = append(lat, worst)
		for _, reg := range b.regions {
			allowed, in := reg.r.Effective(target, time.Now())
			if allowed || in == nil || in.Action != decision.Ban || in.Origin != from.name || in.Reason != fmt.Sprint("write ", i) {
				t.Fatalf("region %s enforces %v %+v on %s, want the ban from %s", reg.name, allowed, in, target, from.name)
			}
		}
	}
	// the synchronous mode: a write acknowledged once both peers hold it
	v, err := b.regions[1].w.Put(b.ctx(5*time.Second), ban(addr(n), "sync"))
	if err != nil {
		t.Fatal(err)
	}
	if err := b.regions[1].w.WaitReplicated(b.ctx(5*time.Second), v, "eu", "ap"); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"eu", "ap"} {
		kv, err := b.region(name).js.KeyValue(b.ctx(5*time.Second), AggregateBucket)
		if err != nil {
			t.Fatal(err)
		}
		e, err := kv.Get(b.ctx(5*time.Second), b.regions[1].name+"."+v.Key())
		if err != nil {
			t.Fatalf("region %s: %v", name, err)
		}
		if got, err := decision.Unmarshal(e.Value()); err != nil || got.Stamp != v.Stamp {
			t.Fatalf("region %s holds %+v (%v), want %+v", name, got, err, v)
		}
	}
	slices.Sort(lat)
	p := func(q float64) time.Duration { return lat[min(len(lat)-1, int(q*float64(len(lat))))] }
	t.Logf("convergence over %d bans (write -> active in all 3 regions): p50 %v p99 %v max %v", n, p(0.50), p(0.99), lat[len(lat)-1])
	// WaitReplicated answers once the peers' aggregate buckets hold the
	// write; their readers apply it from a watch an instant later
	eventually(t, 5*time.Second, func() error {
		for _, reg := range b.regions {
			if s := reg.r.Stats(); s.Invalid != 0 || s.Targets != n+1 {
				return fmt.Errorf("region %s: %+v", reg.name, s)
			}
		}
		_, err := b.sameEverywhere()
		return err
	})
}

// region returns the bench's region named name.
func (b *bench) region(name string) *region {
	for _, reg := range b.regions {
		if reg.name == name {
			return reg
		}
	}
	b.t.Fatalf("no region %s", name)
	return nil
}

// waitEntry waits until every region's reader holds an entry of t that
// ok accepts.
func (b *bench) waitEntry(t decision.Target, d time.Duration, ok func(Entry) error) {
	b.t.Helper()
	eventually(b.t, d, func() error {
		for _, reg := range b.regions {
			if err := ok(reg.r.Entry(t)); err != nil {
				return fmt.Errorf("region %s: %w", reg.name, err)
			}
		}
		return nil
	})
}

func TestConcurrentWritesConverge(t *testing.T) {
	b := newBench(t, "eu", "us", "ap")
	eu, us, ap := b.region("eu"), b.region("us"), b.region("ap")

	// Equal stamps: the region name breaks the tie, the same way everywhere.
	tie := decision.MustTarget("cidr", "203.0.113.0/24")
	fixed := time.Now()
	weu, err := NewWriter(b.ctx(5*time.Second), eu.js, "eu", decision.NewClock(func() time.Time { return fixed }))
	if err != nil {
		t.Fatal(err)
	}
	wus, err := NewWriter(b.ctx(5*time.Second), us.js, "us", decision.NewClock(func() time.Time { return fixed }))
	if err != nil {
		t.Fatal(err)
	}
	veu, err := weu.Put(b.ctx(5*time.Second), ban(tie, "eu says ban"))
	if err != nil {
		t.Fatal(err)
	}
	thr := ban(tie, "us says throttle")
	thr.Action, thr.Factor = decision.Throttle, 0.5
	vus, err := wus.Put(b.ctx(5*time.Second), thr)
	if err != nil {
		t.Fatal(err)
	}
	if veu.Stamp != vus.Stamp {
		t.Fatalf("stamps differ: %v %v", veu.Stamp, vus.Stamp)
	}
	b.waitEntry(tie, 5*time.Second, func(e Entry) error {
		if e.Deny == nil || e.Deny.Origin != "us" || e.Deny.Action != decision.Throttle {
			return fmt.Errorf("deny %+v, want the throttle from us (tie-break by region)", e.Deny)
		}
		return nil
	})

	// Racing writers in all three regions on one key: every region ends
	// with the last writer by (stamp, region) of everything written.
	race := decision.MustTarget("key", "apikey:contested")
	type result struct {
		v   *decision.Value
		err error
	}
	results := make(chan result, 60)
	for i := range 20 {
		for _, reg := range b.regions {
			go func() {
				v, err := reg.w.Put(context.Background(), ban(race, fmt.Sprintf("%s-%d", reg.name, i)))
				results <- result{v, err}
			}()
		}
	}
	var want *decision.Value
	for range 60 {
		r := <-results
		if r.err != nil {
			t.Fatal(r.err)
		}
		want = decision.Merge(want, r.v)
	}
	b.waitEntry(race, 5*time.Second, func(e Entry) error {
		if e.Deny == nil || e.Deny.Reason != want.Reason || e.Deny.Stamp != want.Stamp {
			return fmt.Errorf("deny %+v, want %+v", e.Deny, want)
		}
		return nil
	})

	// An allow-list add concurrent with a ban: allow wins everywhere.
	contested := decision.MustTarget("addr", "192.0.2.77")
	done := make(chan error, 2)
	go func() { _, err := eu.w.Put(context.Background(), ban(contested, "abuse")); done <- err }()
	go func() {
		_, err := ap.w.Put(context.Background(), decision.Value{Target: contested, Action: decision.Allow, Reason: "partner"})
		done <- err
	}()
	for range 2 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	b.waitEntry(contested, 5*time.Second, func(e Entry) error {
		if e.Deny == nil || !e.Deny.Active(time.Now()) {
			return fmt.Errorf("the ban has not arrived: %+v", e.Deny)
		}
		if allowed, in := e.Effective(time.Now()); !allowed || in != nil {
			return fmt.Errorf("effective %v %+v, want allowed", allowed, in)
		}
		return nil
	})
	if _, err := b.sameEverywhere(); err != nil {
		t.Fatal(err)
	}
}

func TestTombstoneReplicates(t *testing.T) {
	b := newBench(t, "eu", "us", "ap")
	target := decision.MustTarget("prefix", "2001:db8:1:2::/64")
	v, err := b.region("us").w.Put(b.ctx(5*time.Second), ban(target, "scraping"))
	if err != nil {
		t.Fatal(err)
	}
	b.waitEntry(target, 5*time.Second, func(e Entry) error {
		if _, in := e.Effective(time.Now()); in == nil || in.Stamp != v.Stamp {
			return fmt.Errorf("ban not in force: %+v", in)
		}
		return nil
	})
	// ap unbans what it saw: its stamp follows the ban's (the reader showed
	// the ban to ap's clock), and the tombstone wins everywhere
	un, err := b.region("ap").w.Unban(b.ctx(5*time.Second), target)
	if err != nil {
		t.Fatal(err)
	}
	if !un.Newer(v) {
		t.Fatalf("unban %v not after ban %v", un.Stamp, v.Stamp)
	}
	b.waitEntry(target, 5*time.Second, func(e Entry) error {
		if e.Deny == nil || !e.Deny.Tombstone || e.Deny.Origin != "ap" {
			return fmt.Errorf("deny %+v, want ap's tombstone", e.Deny)
		}
		if allowed, in := e.Effective(time.Now()); allowed || in != nil {
			return fmt.Errorf("still enforced: %v %+v", allowed, in)
		}
		return nil
	})
	// us bans again and lifts its own ban: a stale copy of that ban
	// replayed into a reader afterwards changes nothing
	us := b.region("us")
	again, err := us.w.Put(b.ctx(5*time.Second), ban(target, "again"))
	if err != nil {
		t.Fatal(err)
	}
	lifted, err := us.w.Unban(b.ctx(5*time.Second), target)
	if err != nil {
		t.Fatal(err)
	}
	b.waitEntry(target, 5*time.Second, func(e Entry) error {
		if e.Deny == nil || e.Deny.Stamp != lifted.Stamp || !e.Deny.Tombstone {
			return fmt.Errorf("deny %+v, want us's second tombstone", e.Deny)
		}
		return nil
	})
	reg := b.region("eu")
	stale, _ := again.Marshal()
	if err := reg.r.apply("us."+again.Key(), stale, false); err != nil {
		t.Fatal(err)
	}
	if _, in := reg.r.Effective(target, time.Now()); in != nil {
		t.Fatalf("a replayed ban came back: %+v", in)
	}
	// an undecodable value is counted and skipped
	before := reg.r.Stats()
	if err := reg.r.apply("us."+again.Key(), []byte("{not json"), false); err == nil {
		t.Fatal("garbage accepted")
	}
	if err := reg.r.apply("nodots", stale, false); err == nil {
		t.Fatal("bad key accepted")
	}
	if err := reg.r.apply("eu."+again.Key(), stale, false); err == nil {
		t.Fatal("a value of us under eu's key accepted")
	}
	if s := reg.r.Stats(); s.Invalid != before.Invalid+3 {
		t.Fatalf("invalid %d, want %d", s.Invalid, before.Invalid+3)
	}
	if _, in := reg.r.Effective(target, time.Now()); in != nil {
		t.Fatalf("bad input changed the state: %+v", in)
	}
}
