package replicate

import (
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/bulwarkhq/bulwark/internal/decision"
)

// TestDirectCarriesWritesPastTheHub cuts a spoke's leafnode link and
// checks that a Direct of another spoke, connected to it through a link
// of its own, still gets its writes into the aggregate, catches up after
// its own link was cut, and never replaces a newer value with an older
// one; healed, every region converges as before.
func TestDirectCarriesWritesPastTheHub(t *testing.T) {
	b := newBench(t, "eu", "us", "ap")
	eu, us, ap := b.region("eu"), b.region("us"), b.region("ap")
	link := newProxy(t, us.srv.Addr().String())
	nc, err := nats.Connect("nats://"+link.ln.Addr().String(), nats.MaxReconnects(-1), nats.ReconnectWait(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	pjs, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewDirect(DirectConfig{JS: ap.js, Region: "ap", Peers: map[string]jetstream.JetStream{"ap": pjs}}); err == nil {
		t.Fatal("a Direct of the local region: no error")
	}
	d, err := NewDirect(DirectConfig{JS: ap.js, Region: "ap", Peers: map[string]jetstream.JetStream{"us": pjs}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	eventually(t, 10*time.Second, func() error {
		if !d.Watching("us") {
			return fmt.Errorf("not watching us: %+v", d.Stats())
		}
		return nil
	})

	// us cut off from the hub: only the direct link to ap is left
	us.link.set(false)
	eventually(t, 10*time.Second, func() error {
		if n := eu.srv.NumLeafNodes(); n != 1 {
			return fmt.Errorf("hub has %d leafnodes, want 1", n)
		}
		return nil
	})
	hasBan := func(reg *region, target decision.Target, want *decision.Value) error {
		_, in := reg.r.Effective(target, time.Now())
		if in == nil || in.Origin != want.Origin || in.Stamp != want.Stamp {
			return fmt.Errorf("region %s enforces %+v on %s, want the ban %v from %s", reg.name, in, target, want.Stamp, want.Origin)
		}
		return nil
	}
	v1, err := us.w.Put(b.ctx(5*time.Second), ban(addr(1), "direct"))
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, func() error { return hasBan(ap, addr(1), v1) })
	if _, in := eu.r.Effective(addr(1), time.Now()); in != nil {
		t.Fatalf("eu, cut off from us, enforces %+v", in)
	}

	// the direct link cut too, then back: what us wrote meanwhile arrives
	link.set(false)
	eventually(t, 10*time.Second, func() error {
		if d.Watching("us") {
			return fmt.Errorf("still watching us")
		}
		return nil
	})
	v2, err := us.w.Put(b.ctx(5*time.Second), ban(addr(2), "while cut"))
	if err != nil {
		t.Fatal(err)
	}
	link.set(true)
	eventually(t, 10*time.Second, func() error { return hasBan(ap, addr(2), v2) })

	// a late copy of an older value leaves the newer one in the aggregate
	v3, err := us.w.Put(b.ctx(5*time.Second), ban(addr(1), "newer"))
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, func() error { return hasBan(ap, addr(1), v3) })
	agg, err := ap.js.KeyValue(b.ctx(5*time.Second), AggregateBucket)
	if err != nil {
		t.Fatal(err)
	}
	held := d.Stats().Held
	old, _ := v1.Marshal()
	if err := d.copy(b.ctx(5*time.Second), agg, "us."+v1.Key(), old, true); err != nil {
		t.Fatal(err)
	}
	e, err := agg.Get(b.ctx(5*time.Second), "us."+v1.Key())
	if err != nil {
		t.Fatal(err)
	}
	if got, err := decision.Unmarshal(e.Value()); err != nil || got.Stamp != v3.Stamp {
		t.Fatalf("aggregate holds %+v (%v), want the newer ban %v", got, err, v3.Stamp)
	}
	if d.Stats().Held <= held {
		t.Fatalf("the older copy was not counted as held: %+v", d.Stats())
	}
	if bad := []byte("not a value"); d.copy(b.ctx(5*time.Second), agg, "us."+v1.Key(), bad, true) == nil {
		t.Fatal("an invalid value was copied")
	}

	// healed: every region converges, the hub included
	us.link.set(true)
	eventually(t, 20*time.Second, func() error {
		if _, err := b.sameEverywhere(); err != nil {
			return fmt.Errorf("%w%s", err, b.health())
		}
		return hasBan(eu, addr(2), v2)
	})
}
