package alerting_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/bulwarkhq/bulwark/alerting"
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
		Severity: alerting.SeverityHigh, Reasons: []string{"sqli"}, Route: "/login", Method: "POST"})
	d.Publish(alerting.Event{Client: "203.0.113.7", Kind: alerting.KindRateLimit,
		Severity: alerting.SeverityLow, Route: "/login", Method: "POST"})
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
			got = append(got, name+": "+a.Severity.String()+" "+a.Labels[alerting.LabelClient])
			return nil
		})
	}
	d, err := alerting.New(alerting.Config{
		RawClients: true, // documentation addresses only; the default pseudonymises
		Sinks:      []alerting.SinkConfig{{Name: "pager", Sink: sink("pager")}, {Name: "log", Sink: sink("log")}},
		Routes: []alerting.Route{
			{Name: "criticals", MinSeverity: alerting.SeverityCritical, Sinks: []string{"pager"}},
		},
		DefaultSinks: []string{"log"},
	})
	if err != nil {
		panic(err)
	}
	d.Publish(alerting.Event{Client: "198.51.100.1", Kind: alerting.KindThreat, Score: 0.99, Severity: alerting.SeverityCritical})
	d.Publish(alerting.Event{Client: "198.51.100.2", Kind: alerting.KindRateLimit, Severity: alerting.SeverityLow})
	_ = d.Close(context.Background())
	slices.Sort(got)
	for _, g := range got {
		fmt.Println(g)
	}
	// Output:
	// log: low 198.51.100.2
	// pager: critical 198.51.100.1
}

// A Correlator can be driven directly, with explicit times.
func ExampleCorrelator() {
	c, err := alerting.NewCorrelator(alerting.Config{RawClients: true, GroupWait: 10 * time.Second})
	if err != nil {
		panic(err)
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 300 {
		c.Ingest(alerting.Event{Client: "198.51.100.9", Kind: alerting.KindRateLimit, Severity: alerting.SeverityLow,
			Time: t0.Add(time.Duration(i) * 10 * time.Millisecond)})
	}
	fmt.Println(len(c.Tick(t0.Add(5*time.Second))), "notifications during the group wait")
	for _, a := range c.Tick(t0.Add(10 * time.Second)) {
		fmt.Println(a.Reason, a.Severity, a.Count)
	}
	// Output:
	// 0 notifications during the group wait
	// new medium 300
}
