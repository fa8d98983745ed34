package memory

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/bulwarkhq/bulwark/storage"
)

// BenchmarkHitFullStore: a flood of new clients (as many addresses as an
// IPv6 prefix holds) at a store that holds MaxEntries live counters,
// none expired: every hit stores a new counter and evicts one. Its cost
// must not grow with the shard's size; "room" is the same flood at a
// store with room for it, the baseline.
func BenchmarkHitFullStore(b *testing.B) {
	for _, max := range []int{0, 10_000, 1_000_000} {
		name := strconv.Itoa(max)
		if max == 0 {
			name = "room"
		}
		b.Run(name, func(b *testing.B) {
			s := New(Config{MaxEntries: max, JanitorInterval: -1})
			defer s.Close()
			ctx, now := context.Background(), time.Now()
			for i := range max {
				_, _ = s.Hit(ctx, storage.Hit{Client: "fill-" + strconv.Itoa(i), Window: time.Hour}, now)
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				_, _ = s.Hit(ctx, storage.Hit{Client: "new-" + strconv.Itoa(i), Window: time.Hour}, now)
				i++
			}
		})
	}
}
