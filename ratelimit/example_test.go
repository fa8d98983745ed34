package ratelimit_test

import (
	"context"
	"fmt"
	"time"

	"github.com/bulwarkhq/bulwark/ratelimit"
	"github.com/bulwarkhq/bulwark/storage"
	"github.com/bulwarkhq/bulwark/storage/memory"
)

func Example() {
	lim, err := ratelimit.New(ratelimit.Config{
		Local:     memory.New(memory.Config{}), // the limiter's own store; ratelimit/standard.New makes this one
		Rate:      "3-M",
		Groups:    map[string]string{"login": "1-M"},
		AllowList: []string{"192.0.2.0/24"},
	})
	if err != nil {
		panic(err)
	}
	defer lim.Close()
	ctx := context.Background()

	for i := 0; i < 4; i++ {
		r, _ := lim.AllowAt(ctx, "198.51.100.1", "api", 0.1, time.Now()) // a clean client
		fmt.Println("clean:", r.Allowed, r.Limit, r.Remaining)
	}
	r, _ := lim.Ban(ctx, "198.51.100.2", 15*time.Minute, "threat score", time.Now()) // a near-certain attack
	fmt.Println("attacker:", r.Penalty == storage.ActionBan, r.Reason, r.RetryAfter)
	r, _ = lim.AllowAt(ctx, "192.0.2.10", "login", 1, time.Now())
	fmt.Println("allow-listed:", r.AllowListed)
	// Output:
	// clean: true 3 2
	// clean: true 3 1
	// clean: true 3 0
	// clean: false 3 0
	// attacker: true penalty box: threat score 15m0s
	// allow-listed: true
}
