package behavior

import (
	"strconv"
	"testing"
	"time"

	"github.com/bulwarkhq/bulwark/threat"
)

// find returns the profile of client, or nil, under the shard's lock.
func (d *Detector) find(client string) *profile {
	h := d.hash(client)
	s := d.shard(h)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.clients.get(h, client)
}

// checkTable holds t to want: every profile found under its hash, none
// other, the count right, and every slot reachable from its home without
// crossing a free slot.
func checkTable(t *testing.T, tb *clientTable, want map[string]uint64, absent []string, hash func(string) uint64) {
	t.Helper()
	if tb.n != len(want) {
		t.Fatalf("table counts %d, want %d", tb.n, len(want))
	}
	for k, h := range want {
		if p := tb.get(h, k); p == nil || p.key != k {
			t.Fatalf("%q not found", k)
		}
	}
	for _, k := range absent {
		if _, ok := want[k]; !ok && tb.get(hash(k), k) != nil {
			t.Fatalf("removed %q still found", k)
		}
	}
	mask := len(tb.slots) - 1
	for i, s := range tb.slots {
		if s.p == nil {
			continue
		}
		for j := tb.home(s.h); j != i; j = (j + 1) & mask {
			if tb.slots[j].p == nil {
				t.Fatalf("slot %d (home %d) is cut off by the free slot %d", i, tb.home(s.h), j)
			}
		}
	}
}

// TestClientTable puts and removes clients in a pattern that wraps the
// probes around the end of the slots, with hashes that collide in their
// homes and in whole, and checks the table against a map after each step.
func TestClientTable(t *testing.T) {
	for _, tc := range []struct {
		name string
		hash func(string) uint64
	}{
		// few homes: long runs of probes, wrapping around the end
		{"homes collide", func(k string) uint64 { n, _ := strconv.Atoi(k[1:]); return uint64(n%5+13) << 32 }},
		// whole hashes equal: only the keys tell the clients apart
		{"hashes collide", func(k string) uint64 { n, _ := strconv.Atoi(k[1:]); return uint64(n%3) << 32 }},
		{"spread", func(k string) uint64 { n, _ := strconv.Atoi(k[1:]); return mix(uint64(n)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var tb clientTable
			want := map[string]uint64{}
			profiles := map[string]*profile{}
			var gone []string
			for i := range 400 {
				k := "c" + strconv.Itoa(i)
				p := &profile{key: k}
				tb.put(tc.hash(k), p)
				want[k], profiles[k] = tc.hash(k), p
				// take one out every third step, oldest first, and
				// now and then one in the middle
				if i%3 == 2 {
					for _, old := range []string{"c" + strconv.Itoa(i/3), "c" + strconv.Itoa(i-1)} {
						if h, ok := want[old]; ok {
							tb.remove(h, profiles[old])
							delete(want, old)
							gone = append(gone, old)
						}
					}
				}
				checkTable(t, &tb, want, gone, tc.hash)
			}
			for k, h := range want {
				tb.remove(h, profiles[k])
				delete(want, k)
				gone = append(gone, k)
				checkTable(t, &tb, want, gone, tc.hash)
			}
		})
	}
}

// TestEvictionFreesSlots fills a one-shard detector past its clients many
// times over: the table stays as large as the clients it may hold, and
// every tracked client is found.
func TestEvictionFreesSlots(t *testing.T) {
	d, err := New(Config{MaxClients: 50, shards: 1})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5000 {
		d.Detect(&threat.Request{Path: "/", Client: "c" + strconv.Itoa(i), Time: t0.Add(time.Duration(i) * time.Millisecond)}, nil)
	}
	s := &d.shards[0]
	if s.clients.n != 50 || len(s.clients.slots) > 128 {
		t.Fatalf("%d clients in %d slots, want 50 in at most 128", s.clients.n, len(s.clients.slots))
	}
	for i := 4950; i < 5000; i++ {
		if d.find("c"+strconv.Itoa(i)) == nil {
			t.Fatalf("client %d of the last 50 not found", i)
		}
	}
	for p := s.head; p != nil; p = p.next {
		if d.find(p.key) != p {
			t.Fatalf("listed client %q not found", p.key)
		}
	}
}
