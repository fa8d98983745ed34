package decision

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

var (
	t0      = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	origins = []string{"eu-west", "us-east", "ap-south"}
	targets = []Target{
		MustTarget("addr", "203.0.113.7"),
		MustTarget("cidr", "198.51.100.0/24"),
		MustTarget("key", "k-1"),
	}
)

// randValue draws a value of one key from a small space, so that equal
// stamps, equal origins and tombstones all come up often.
func randValue(r *rand.Rand) *Value {
	v := &Value{
		Target:    targets[0],
		Action:    []Action{Ban, Throttle}[r.IntN(2)],
		Origin:    origins[r.IntN(len(origins))],
		Stamp:     Stamp{Wall: t0.UnixNano() + int64(r.IntN(4)), Logical: uint32(r.IntN(2))},
		Expires:   t0.Add(time.Duration(1+r.IntN(3)) * time.Hour),
		Tombstone: r.IntN(4) == 0,
		Reason:    fmt.Sprint("r", r.IntN(3)),
	}
	if v.Action == Throttle {
		v.Factor = 0.5
	}
	return v
}

func same(a, b *Value) bool {
	ea, _ := a.Marshal()
	eb, _ := b.Marshal()
	return string(ea) == string(eb)
}

func TestMergeIsARegister(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		a, b, c := randValue(r), randValue(r), randValue(r)
		if !same(Merge(a, b), Merge(b, a)) {
			t.Fatalf("not commutative:\n%+v\n%+v", a, b)
		}
		if !same(Merge(Merge(a, b), c), Merge(a, Merge(b, c))) {
			t.Fatalf("not associative:\n%+v\n%+v\n%+v", a, b, c)
		}
		if !same(Merge(a, a), a) {
			t.Fatalf("not idempotent: %+v", a)
		}
		if m := Merge(a, b); (m != a && m != b) || (a.Newer(b) && m != a) || (b.Newer(a) && m != b) {
			t.Fatalf("merge of\n%+v\n%+v\nkept %+v, not the last writer", a, b, m)
		}
	}
	if Merge(nil, nil) != nil {
		t.Fatal("Merge(nil, nil) != nil")
	}
	v := randValue(r)
	if Merge(nil, v) != v || Merge(v, nil) != v {
		t.Fatal("nil is not the identity")
	}
}

func TestTombstoneBeatsAnOlderWriteArrivingLate(t *testing.T) {
	clock := NewClock(func() time.Time { return t0 })
	ban := &Value{Target: targets[0], Action: Ban, Origin: "us-east", Stamp: clock.Now(), Expires: t0.Add(time.Hour)}
	unban := &Value{Target: targets[0], Action: Ban, Origin: "eu-west", Stamp: clock.Now(), Tombstone: true}
	for _, m := range []*Value{Merge(unban, ban), Merge(ban, unban), Merge(Merge(unban, ban), ban)} {
		if m != unban || m.Active(t0) {
			t.Fatalf("the unban lost to the ban it removed: %+v", m)
		}
	}
}

// replica is one region's allow-list, and the operations it made, each
// shipped to the other regions as the state it changed (a delta).
type replica struct {
	name  string
	clock *Clock
	set   AllowSet
}

func (p *replica) add(t Target, ttl time.Duration) AllowSet {
	v := Value{Target: t, Action: Allow, Origin: p.name, Stamp: p.clock.Now()}
	if ttl > 0 {
		v.Expires = t0.Add(ttl)
	}
	p.set.Add(v)
	var delta AllowSet
	delta.Add(v)
	return delta
}

func (p *replica) remove(t Target) AllowSet {
	var delta AllowSet
	delta.RemoveDots(p.set.Remove(t)...)
	return delta
}

func clone(s *AllowSet) *AllowSet {
	var c AllowSet
	c.Merge(s)
	return &c
}

func merged(a, b *AllowSet) *AllowSet {
	c := clone(a)
	c.Merge(b)
	return c
}

// randomStates builds three allow-lists that share part of their history.
func randomStates(r *rand.Rand) [3]*AllowSet {
	var ps [3]*replica
	var now int64
	for i := range ps {
		ps[i] = &replica{name: origins[i], clock: NewClock(func() time.Time { now++; return t0.Add(time.Duration(now)) })}
	}
	for range 4 + r.IntN(12) {
		p := ps[r.IntN(3)]
		switch t := targets[r.IntN(len(targets))]; r.IntN(4) {
		case 0, 1:
			p.add(t, time.Duration(r.IntN(3))*time.Hour)
		case 2:
			p.remove(t)
		case 3:
			p.set.Merge(&ps[r.IntN(3)].set) // a partial sync
		}
	}
	return [3]*AllowSet{&ps[0].set, &ps[1].set, &ps[2].set}
}

func TestAllowSetMergeIsASemilattice(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 2000 {
		s := randomStates(r)
		a, b, c := s[0], s[1], s[2]
		if !merged(a, b).Equal(merged(b, a)) {
			t.Fatalf("case %d: merge not commutative", i)
		}
		if !merged(merged(a, b), c).Equal(merged(a, merged(b, c))) {
			t.Fatalf("case %d: merge not associative", i)
		}
		if !merged(a, a).Equal(a) {
			t.Fatalf("case %d: merge not idempotent", i)
		}
	}
}

// Three regions make random adds and removes; every change travels to the
// others as a delta, delivered in a random order, some of them twice and
// some late. Once all are delivered the regions hold one state and answer
// alike, whatever the order.
func TestAllowSetConverges(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for round := range 300 {
		var now int64
		ps := make([]*replica, 3)
		for i := range ps {
			ps[i] = &replica{name: origins[i], clock: NewClock(func() time.Time { now++; return t0.Add(time.Duration(now)) })}
		}
		type msg struct {
			to    int
			delta AllowSet
		}
		var inflight []msg
		send := func(from int, d AllowSet) {
			for to := range ps {
				if to != from {
					inflight = append(inflight, msg{to, d})
					if r.IntN(5) == 0 {
						inflight = append(inflight, msg{to, d}) // a replay
					}
				}
			}
		}
		for range 30 {
			// deliver some of what is in flight, in a random order
			r.Shuffle(len(inflight), func(i, j int) { inflight[i], inflight[j] = inflight[j], inflight[i] })
			k := r.IntN(len(inflight) + 1)
			for _, m := range inflight[:k] {
				ps[m.to].set.Merge(&m.delta)
			}
			inflight = inflight[k:]
			from := r.IntN(3)
			t := targets[r.IntN(len(targets))]
			if r.IntN(3) == 0 {
				send(from, ps[from].remove(t))
			} else {
				send(from, ps[from].add(t, time.Duration(r.IntN(3))*time.Hour))
			}
		}
		r.Shuffle(len(inflight), func(i, j int) { inflight[i], inflight[j] = inflight[j], inflight[i] })
		for _, m := range inflight {
			ps[m.to].set.Merge(&m.delta)
		}
		for i := 1; i < len(ps); i++ {
			if !ps[i].set.Equal(&ps[0].set) {
				t.Fatalf("round %d: %s and %s hold different states after every delivery", round, ps[0].name, ps[i].name)
			}
			for _, tg := range targets {
				for _, at := range []time.Time{t0, t0.Add(90 * time.Minute), t0.Add(3 * time.Hour)} {
					if ps[i].set.Allowed(tg, at) != ps[0].set.Allowed(tg, at) {
						t.Fatalf("round %d: %s and %s disagree on %v at %v", round, ps[0].name, ps[i].name, tg, at)
					}
				}
			}
		}
	}
}

func TestConcurrentAddSurvivesARemoveThatDidNotSeeIt(t *testing.T) {
	var now int64
	tick := func() time.Time { now++; return t0.Add(time.Duration(now)) }
	eu := &replica{name: "eu-west", clock: NewClock(tick)}
	us := &replica{name: "us-east", clock: NewClock(tick)}
	tg := targets[1]

	first := eu.add(tg, 0)
	us.set.Merge(&first)
	removal := us.remove(tg) // us saw the first add only
	again := eu.add(tg, 0)   // concurrent with the removal
	eu.set.Merge(&removal)
	us.set.Merge(&again)
	for _, p := range []*replica{eu, us} {
		if !p.set.Allowed(tg, t0) {
			t.Fatalf("%s: the concurrent add was lost to a remove that had not seen it", p.name)
		}
	}
	// a remove that has seen both adds removes the target everywhere
	removal = us.remove(tg)
	eu.set.Merge(&removal)
	eu.set.Merge(&first) // a late replay of the first add
	for _, p := range []*replica{eu, us} {
		if p.set.Allowed(tg, t0) {
			t.Fatalf("%s: still allowed after a remove that saw every add", p.name)
		}
	}
}

func TestAllowBeatsBanAndExpiryIsOneInstant(t *testing.T) {
	clock := NewClock(func() time.Time { return t0 })
	tg := targets[0]
	ban := &Value{Target: tg, Action: Ban, Origin: "us-east", Stamp: clock.Now(), Expires: t0.Add(2 * time.Hour)}
	var allow AllowSet
	allow.Add(Value{Target: tg, Action: Allow, Origin: "eu-west", Stamp: clock.Now(), Expires: t0.Add(time.Hour)})

	if ok, in := Effective(&allow, ban, tg, t0.Add(time.Hour-time.Nanosecond)); !ok || in != nil {
		t.Fatalf("allow-listed and banned: allowed=%v, in force %+v; allow must win", ok, in)
	}
	if ok, in := Effective(&allow, ban, tg, t0.Add(time.Hour)); ok || in != ban {
		t.Fatalf("at the allow entry's expiry: allowed=%v, in force %+v; the ban must hold", ok, in)
	}
	if ok, in := Effective(&allow, ban, tg, t0.Add(2*time.Hour)); ok || in != nil {
		t.Fatalf("at the ban's expiry: allowed=%v, in force %+v; nothing must hold", ok, in)
	}
	if ok, in := Effective(nil, nil, tg, t0); ok || in != nil {
		t.Fatal("no decision, yet something in force")
	}
}
