package storage_test

import (
	"context"
	"fmt"
	"time"

	"github.com/bulwarkhq/bulwark/storage"
	"github.com/bulwarkhq/bulwark/storage/memory"
)

// A client allowed 5 requests a minute opens its window at 12:00:00, sends
// 4 more at 12:00:59 and 5 at 12:01:00, as its window turns over. A fixed
// window admits all ten, twice the rate within two seconds; a sliding
// window, which weighs the previous minute by how much of it still
// overlaps, admits none of the last five.
func ExampleHit() {
	ctx := context.Background()
	store := memory.New(memory.Config{})
	defer store.Close()

	t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	at := []time.Duration{0, 59, 59, 59, 59, 60, 60, 60, 60, 60} // seconds after t0
	for _, alg := range []storage.Algorithm{storage.FixedWindow, storage.SlidingWindow} {
		admitted := 0
		for _, sec := range at {
			c, err := store.Hit(ctx, storage.Hit{Client: fmt.Sprint("client-", alg), Bucket: "/login",
				Window: time.Minute, Algorithm: alg, Limit: 5}, t0.Add(sec*time.Second))
			if err != nil {
				panic(err)
			}
			if c.N <= 5 {
				admitted++
			}
		}
		fmt.Printf("%s: %d of 10 admitted\n", map[storage.Algorithm]string{storage.FixedWindow: "fixed", storage.SlidingWindow: "sliding"}[alg], admitted)
	}
	// Output:
	// fixed: 10 of 10 admitted
	// sliding: 5 of 10 admitted
}
