package bulwark_test

import (
	"net/http"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/bulwarkhq/bulwark/internal/labelled"
	"github.com/bulwarkhq/bulwark/standard"
)

// payloadsData is the labelled attack set beside the repository
// (../shared/data/README.md); BenchmarkCheckPayloads skips without it.
const payloadsData = "../shared/data/requests-payloads.jsonl.gz"

// BenchmarkCheckPayloads replays every 8th row of requests-payloads through
// the default Guard's CheckHTTP, each from a fresh client, as
// examples/evaluate does: the engine's BenchmarkAssessPayloads plus what
// the Guard adds (the decision cache, the limiter, the penalty box). Run it
// 2155x for one pass, as that one.
func BenchmarkCheckPayloads(b *testing.B) {
	if _, err := os.Stat(payloadsData); err != nil {
		b.Skip("no shared data:", err)
	}
	rows, err := labelled.ReadReplays(payloadsData, 8)
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC() // the whole set is garbage: collect it before the loop, not in it
	g, err := standard.New(standard.Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer g.Close()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		var r http.Request
		rows[i%len(rows)].Into(&r)
		now = now.Add(time.Millisecond)
		g.CheckHTTP(&r, "payload-"+strconv.Itoa(i), "", now)
		i++
	}
}
