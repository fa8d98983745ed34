package behavior

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/bulwarkhq/bulwark/threat"
)

// BenchmarkBaselineMutexMap is the floor: one locked map lookup a request.
func BenchmarkBaselineMutexMap(b *testing.B) {
	var mu sync.Mutex
	m := map[string]int{"203.0.113.7": 1}
	b.ReportAllocs()
	for b.Loop() {
		mu.Lock()
		m["203.0.113.7"]++
		mu.Unlock()
	}
}

func benchRequests(n int) []threat.Request {
	reqs := make([]threat.Request, n)
	for i := range reqs {
		reqs[i] = threat.Request{Method: "GET", Path: fmt.Sprintf("/tienda1/publico/%d/anadir.jsp", i%7), Client: fmt.Sprintf("client-%d", i%512),
			UserAgent: firefox, Header: browserHeader()}
	}
	return reqs
}

// BenchmarkDetectKnownClient: established clients with full profiles.
func BenchmarkDetectKnownClient(b *testing.B) {
	d, _ := New(Config{Sequence: defaultSeq(b)})
	reqs := benchRequests(4096)
	at := t0
	for i := range reqs {
		reqs[i].Time = at
		d.Detect(&reqs[i], nil)
	}
	dst := make([]threat.Signal, 0, 16)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r := &reqs[i%len(reqs)]
		at = at.Add(time.Millisecond)
		r.Time = at
		dst = d.Detect(r, dst[:0])
		i++
	}
}

// BenchmarkDetectFreshClient: every request from a new client (the
// evaluation's case), bounded by MaxClients so old profiles are recycled.
func BenchmarkDetectFreshClient(b *testing.B) {
	d, _ := New(Config{Sequence: defaultSeq(b), MaxClients: 10000})
	keys := make([]string, 1<<16)
	for i := range keys {
		keys[i] = fmt.Sprintf("198.51.%d.%d", i>>8, i&255)
	}
	req := threat.Request{Method: "GET", Path: "/tienda1/index.jsp", UserAgent: firefox, Header: browserHeader(), Time: t0}
	dst := make([]threat.Signal, 0, 16)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		req.Client = keys[i%len(keys)]
		dst = d.Detect(&req, dst[:0])
		i++
	}
}

func BenchmarkObserve(b *testing.B) {
	d, _ := New(Config{})
	reqs := benchRequests(512)
	for i := range reqs {
		reqs[i].Time = t0
		d.Detect(&reqs[i], nil)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		d.Observe(reqs[i%len(reqs)].Client, "", 200, t0)
		i++
	}
}

func BenchmarkDetectParallel(b *testing.B) {
	d, _ := New(Config{Sequence: defaultSeq(b)})
	reqs := benchRequests(4096)
	for i := range reqs {
		reqs[i].Time = t0
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		dst := make([]threat.Signal, 0, 16)
		i := 0
		for pb.Next() {
			dst = d.Detect(&reqs[i%len(reqs)], dst[:0])
			i++
		}
	})
}
