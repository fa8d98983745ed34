package bulwark_test

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bulwarkhq/bulwark"
	"github.com/bulwarkhq/bulwark/alerting"
	"github.com/bulwarkhq/bulwark/ratelimit"
	"github.com/bulwarkhq/bulwark/threat"
)

// refuseSome is a Limiter that refuses the clients named "deny".
type refuseSome struct{}

func (refuseSome) Cached(string, time.Time) (ratelimit.Result, bool) {
	return ratelimit.Result{}, false
}
func (refuseSome) AllowAt(_ context.Context, key, _ string, _ float64, _ time.Time) (ratelimit.Result, error) {
	return ratelimit.Result{Allowed: key != "deny"}, nil
}
func (refuseSome) Ban(context.Context, string, time.Duration, string, time.Time) (ratelimit.Result, error) {
	return ratelimit.Result{}, nil
}
func (refuseSome) Strike(context.Context, string, int, time.Duration, time.Duration, time.Time) (ratelimit.Result, error) {
	return ratelimit.Result{}, nil
}

// events is a Publisher that keeps the anomaly events it is given (the
// fake engine's threat events and the refusals' go by).
type events struct {
	mu sync.Mutex
	es []alerting.Event
}

func (p *events) Publish(e alerting.Event) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e.Kind == alerting.KindAnomaly {
		p.es = append(p.es, e)
	}
	return true
}

func (p *events) at(minute time.Time) []alerting.Event {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []alerting.Event
	for _, e := range p.es {
		if e.Time.Equal(minute) {
			out = append(out, e)
		}
	}
	return out
}

// TestInstanceAnomalies: three days of an instance's traffic with a
// daily cycle, then a burst in one minute. The burst is published once,
// as an anomaly event naming the series, value and expected value, when
// the next minute's first request closes its minute, and not before.
func TestInstanceAnomalies(t *testing.T) {
	pub := &events{}
	if _, err := bulwark.New(bulwark.Config{Engine: &scoreEngine{}, Limiter: refuseSome{}, Anomalies: true}); !errors.Is(err, bulwark.ErrInvalidConfig) ||
		!strings.Contains(err.Error(), "Config.Anomalies") {
		t.Fatalf("Anomalies without Alerts: %v", err)
	}
	g, err := bulwark.New(bulwark.Config{Engine: &scoreEngine{}, Limiter: refuseSome{}, Alerts: pub, Anomalies: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(5, 8))
	check := func(at time.Time, client string) {
		g.Check(ctx, &threat.Request{Method: "GET", Path: "/", Client: client, Route: "/", Time: at})
	}
	start := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	const minutes = 3 * 24 * 60
	for m := range minutes {
		at := start.Add(time.Duration(m) * time.Minute)
		n := int(math.Round(20 * math.Exp(0.5*math.Sin(2*math.Pi*float64(m)/1440)+0.1*rng.NormFloat64())))
		for i := range n {
			check(at.Add(time.Duration(i)*time.Second), "c")
		}
		check(at.Add(50*time.Second), "deny")
	}
	pub.mu.Lock()
	quiet := slices.Clone(pub.es)
	pub.mu.Unlock()
	t.Logf("%d anomalies in three days of plain traffic: %v", len(quiet), quiet)
	if len(quiet) > 6 {
		t.Errorf("%d anomalies in three quiet days", len(quiet))
	}

	burst := start.Add(minutes * time.Minute)
	for i := range 300 {
		check(burst.Add(time.Duration(i)*100*time.Millisecond), "c")
	}
	check(burst.Add(50*time.Second), "deny") // refusals as usual
	if es := pub.at(burst); len(es) != 0 {
		t.Fatalf("the burst's minute raised %v before it closed", es)
	}
	check(burst.Add(time.Minute), "c") // closes the burst's minute
	es := pub.at(burst)
	if len(es) != 1 {
		t.Fatalf("%d anomaly events for the burst's minute, want 1: %+v", len(es), es)
	}
	e := es[0]
	if e.Kind != alerting.KindAnomaly || e.Client != "" || len(e.Reasons) != 1 || !strings.HasPrefix(e.Reasons[0], "requests a minute: spike, 301 where ") || e.Score != 0 {
		t.Errorf("the burst's event %+v", e)
	}
	check(burst.Add(2*time.Minute), "c")
	if es := pub.at(burst); len(es) != 1 {
		t.Errorf("the burst published again: %+v", es)
	}

	var k alerting.Kind
	if b, _ := alerting.KindAnomaly.MarshalText(); string(b) != "anomaly" || k.UnmarshalText(b) != nil || k != alerting.KindAnomaly {
		t.Errorf("KindAnomaly's label %q does not round-trip", b)
	}
}

// BenchmarkCheckAnomalies measures what Config.Anomalies adds to a check
// (BenchmarkCheckPlain is the baseline): a load and two adds a request,
// and once a minute the two detectors.
func BenchmarkCheckAnomalies(b *testing.B) { benchmarkCheck(b, true) }

func BenchmarkCheckPlain(b *testing.B) { benchmarkCheck(b, false) }

func benchmarkCheck(b *testing.B, anomalies bool) {
	g, err := bulwark.New(bulwark.Config{Engine: &scoreEngine{}, Limiter: refuseSome{}, Alerts: &events{}, Anomalies: anomalies})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	req := &threat.Request{Method: "GET", Path: "/", Client: "c", Route: "/"}
	start := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		req.Time = start.Add(time.Duration(i) * time.Millisecond) // a minute every 60,000 checks
		g.Check(ctx, req)
		i++
	}
}
