package alerting_test

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/bulwarkhq/bulwark/alerting"
	"github.com/bulwarkhq/bulwark/threat"
)

// A threat event and a rate-limit refusal from one client become one
// incident; Close delivers it.
func Example() {
	print := alerting.SinkFunc(func(_ context.Context, a alerting.Alert) error {
		fmt.Println(a.Summary)
		return nil
	})
	d, err := alerting.New(alerting.Config{
		Secret: []byte("shared by the replicas"),
		Sinks:  []alerting.SinkConfig{{Name: "stdout", Sink: print}},
	})
	if err != nil {
		panic(err)
	}
	d.Publish(alerting.Event{Client: "203.0.113.7", Kind: alerting.KindThreat, Score: 0.93,
		Level: threat.LevelHigh, Reasons: []string{"sqli"}, Route: "/login", Method: "POST"})
	d.Publish(alerting.Event{Client: "203.0.113.7", Kind: alerting.KindRateLimit,
		Level: threat.LevelLow, Route: "/login", Method: "POST"})
	if err := d.Close(context.Background()); err != nil {
		panic(err)
	}
	// Output: high incident from client c_1648edbd5b36bdfca80b: 2 events (1 threat, 1 rate-limit, 0 penalty), max score 0.93 on /login; top reasons: sqli (1)
}

// Criticals page someone; everything else goes to a log.
func Example_routing() {
	var mu sync.Mutex
	var got []string
	sink := func(name string) alerting.Sink {
		return alerting.SinkFunc(func(_ context.Context, a alerting.Alert) error {
			mu.Lock()
			defer mu.Unlock()
			got = append(got, name+": "+a.Level.String()+" "+a.Labels[alerting.LabelClient])
			return nil
		})
	}
	d, err := alerting.New(alerting.Config{
		RawClients: true, // documentation addresses only; the default pseudonymises
		Sinks:      []alerting.SinkConfig{{Name: "pager", Sink: sink("pager")}, {Name: "log", Sink: sink("log")}},
		Subscriptions: []alerting.Subscription{
			{Name: "criticals", MinLevel: threat.LevelCritical, Sinks: []string{"pager"}},
		},
		DefaultSinks: []string{"log"},
	})
	if err != nil {
		panic(err)
	}
	d.Publish(alerting.Event{Client: "198.51.100.1", Kind: alerting.KindThreat, Score: 0.99, Level: threat.LevelCritical})
	d.Publish(alerting.Event{Client: "198.51.100.2", Kind: alerting.KindRateLimit, Level: threat.LevelLow})
	_ = d.Close(context.Background())
	slices.Sort(got)
	for _, g := range got {
		fmt.Println(g)
	}
	// Output:
	// log: low 198.51.100.2
	// pager: critical 198.51.100.1
}
