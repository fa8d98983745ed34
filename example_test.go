package bulwark_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/bulwarkhq/bulwark/standard"
	"github.com/bulwarkhq/bulwark/threat"
)

// A transport other than net/http (here, a queue consumer) builds the
// request view itself and asks the Guard once per message.
func ExampleGuard_Check() {
	guard, err := standard.New(standard.Config{})
	if err != nil {
		log.Fatal(err)
	}
	defer guard.Close()

	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for _, q := range []string{"running shoes", "1' UNION SELECT password FROM users--"} {
		req := &threat.Request{
			Method: "GET", Path: "/search", Client: "consumer-7", Route: "/search", Time: now,
			Params: []threat.Param{{Source: threat.SourceQuery, Name: "q", Value: q}},
		}
		v := guard.Check(context.Background(), req)
		status := v.Status
		if status == 0 {
			status = 200 // the consumer handled the message
		}
		guard.Done(&v, status) // feedback: how the message was answered
		fmt.Println(v.Outcome, v.Status)
		now = now.Add(time.Second)
	}
	// Output:
	// allowed 0
	// blocked 403
}
