package alerting

import (
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/bulwarkhq/bulwark/threat"
)

// BenchmarkChannelSend is the baseline for BenchmarkPublish: a bare
// non-blocking send of an Event on a buffered channel that a goroutine
// reads, drained every 4096 sends as in BenchmarkPublish.
func BenchmarkChannelSend(b *testing.B) {
	ch := make(chan Event, 8192)
	done := make(chan struct{})
	var sink uint64
	go func() {
		for e := range ch {
			sink += uint64(len(e.Client))
		}
		close(done)
	}()
	e := Event{Client: "203.0.113.7", Kind: KindThreat, Score: 0.8, Level: threat.LevelHigh, Route: "/login", Method: "POST", Time: t0}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		select {
		case ch <- e:
		default:
			b.Fatal("baseline queue full")
		}
		if i++; i%4096 == 0 {
			b.StopTimer()
			for len(ch) > 0 {
				runtime.Gosched()
			}
			b.StartTimer()
		}
	}
	close(ch)
	<-done
}

// BenchmarkPublish is the request-path call on its accepted path: the
// worker ingests concurrently, and every 4096 calls the timer stops until
// the queue (8192) has drained, so no call is refused. dropped/op must
// read 0; BenchmarkPublishFull measures refusals.
func BenchmarkPublish(b *testing.B) {
	d, err := New(Config{Secret: []byte("k"), Sinks: []SinkConfig{{Name: "n", Sink: SinkFunc(nopSend)}}})
	if err != nil {
		b.Fatal(err)
	}
	reasons := []string{"sqli", "scanner"}
	e := Event{Client: "203.0.113.7", Kind: KindThreat, Score: 0.8, Level: threat.LevelHigh, Reasons: reasons, Route: "/login", Method: "POST", Time: t0}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		d.Publish(e)
		if i++; i%4096 == 0 {
			b.StopTimer()
			for len(d.in) > 0 {
				runtime.Gosched()
			}
			b.StartTimer()
		}
	}
	b.StopTimer()
	st := d.Stats()
	b.ReportMetric(float64(st.Dropped)/float64(st.Published+st.Dropped), "dropped/op")
	_ = d.Close(b.Context())
}

// BenchmarkPublishFull is Publish refused by a full queue (the worker is
// held in its clock): the cost of a drop, counted.
func BenchmarkPublishFull(b *testing.B) {
	g := &gateClock{entered: make(chan struct{}), release: make(chan struct{})}
	d, err := New(Config{Secret: []byte("k"), now: g.Now, QueueSize: 16, Sinks: []SinkConfig{{Name: "n", Sink: SinkFunc(nopSend)}}})
	if err != nil {
		b.Fatal(err)
	}
	e := Event{Client: "203.0.113.7", Kind: KindThreat, Score: 0.8, Level: threat.LevelHigh, Route: "/login", Method: "POST", Time: t0}
	d.Publish(e)
	<-g.entered
	for d.Publish(e) {
	}
	b.ReportAllocs()
	for b.Loop() {
		d.Publish(e)
	}
	b.StopTimer()
	close(g.release)
	_ = d.Close(b.Context())
}

func BenchmarkPublishParallel(b *testing.B) {
	d, err := New(Config{Secret: []byte("k"), Sinks: []SinkConfig{{Name: "n", Sink: SinkFunc(nopSend)}}})
	if err != nil {
		b.Fatal(err)
	}
	e := Event{Client: "203.0.113.7", Kind: KindRateLimit, Level: threat.LevelLow, Route: "/login", Method: "POST", Time: t0}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			d.Publish(e)
		}
	})
	b.StopTimer()
	_ = d.Close(b.Context())
}

// BenchmarkMapCount is the baseline for BenchmarkCorrelatorIngest: one
// map lookup and increment per event.
func BenchmarkMapCount(b *testing.B) {
	keys := clientKeys(1000)
	m := map[string]int{}
	i := 0
	for b.Loop() {
		m[keys[i%len(keys)]]++
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkCorrelatorIngest feeds mixed threat and rate-limit events of
// 1000 clients, with a tick every 10,000 events.
func BenchmarkCorrelatorIngest(b *testing.B) {
	for _, group := range [][]string{{LabelClient}, {LabelClient, LabelRoute}} {
		b.Run(strconv.Itoa(len(group))+"labels", func(b *testing.B) {
			c, err := newCorrelator(Config{Secret: []byte("k"), GroupBy: group})
			if err != nil {
				b.Fatal(err)
			}
			keys := clientKeys(1000)
			reasons := []string{"sqli", "scanner"}
			b.ReportAllocs()
			i := 0
			now := t0
			for b.Loop() {
				e := Event{Client: keys[i%len(keys)], Kind: KindThreat, Score: 0.8, Level: threat.LevelHigh, Reasons: reasons, Route: "/login", Method: "POST", Time: now}
				if i%3 == 0 {
					e = Event{Client: keys[i%len(keys)], Kind: KindRateLimit, Level: threat.LevelLow, Route: "/search", Method: "GET", Time: now}
				}
				c.ingest(e)
				i++
				if i%10000 == 0 {
					now = now.Add(100 * time.Millisecond)
					c.tick(now)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

func clientKeys(n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = "198.51." + strconv.Itoa(i/256) + "." + strconv.Itoa(i%256)
	}
	return keys
}
