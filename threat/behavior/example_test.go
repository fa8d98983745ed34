package behavior_test

import (
	"fmt"
	"time"

	"github.com/bulwarkhq/bulwark/threat"
	"github.com/bulwarkhq/bulwark/threat/behavior"
)

// A client that gets 401 on the login route again and again is flagged once
// it has enough history; its first requests get no signal.
func Example() {
	d, err := behavior.New(behavior.Config{})
	if err != nil {
		panic(err)
	}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var sigs []threat.Signal
	for i := 0; i < 20; i++ {
		at = at.Add(300 * time.Millisecond)
		sigs = d.Detect(&threat.Request{Method: "POST", Path: "/login", Client: "203.0.113.9", Time: at}, sigs[:0])
		if i == 0 {
			fmt.Println("first request:", len(sigs), "signals")
		}
		d.Observe("203.0.113.9", "/login", 401, at) // after the handler answered
	}
	for _, s := range sigs {
		fmt.Println(s.Rule)
	}
	// Output:
	// first request: 0 signals
	// behavior.auth-failures
}
