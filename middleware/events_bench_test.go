package middleware

import (
	"context"
	"testing"
	"time"

	"github.com/bulwarkhq/bulwark/storage/fleet"
)

// BenchmarkBulwarkEvents is BenchmarkBulwark with a fleet.Exporter as
// Config.Events: the difference is the request path's cost of exporting
// (the goal: at most 200 ns and 1 allocation a request). The exporter's
// connection points nowhere and every benign event is sampled out, so its
// collector only counts them; nothing is published meanwhile.
func BenchmarkBulwarkEvents(b *testing.B) {
	clock := newSimClock()
	nc, err := fleet.Connect("nats://127.0.0.1:1")
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	names, err := fleet.NewPseudonyms([]byte("benchmark-pseudonym-key-32-bytes"), "k1", 0)
	if err != nil {
		b.Fatal(err)
	}
	g := newBenchGuard(b)
	x, err := fleet.NewExporter(fleet.ExporterConfig{Conn: nc, Pseudonyms: names, Guard: g, SampleRate: -1, QueueSize: 1 << 20})
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		_ = x.Close(ctx)
	}()
	m := newBenchMiddlewareOn(b, g, clock.Now, Config{Events: x})
	runBenign(b, benchRouter(m.Handler), clock)
	b.StopTimer()
	if st := x.Stats(); st.Dropped > 0 {
		b.ReportMetric(float64(st.Dropped)/float64(st.Recorded), "dropped/op")
	}
}
