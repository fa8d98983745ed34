package threat_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/bulwarkhq/bulwark/threat"
	"github.com/bulwarkhq/bulwark/threat/standard"
)

func Example() {
	engine, err := standard.New(standard.Config{})
	if err != nil {
		panic(err)
	}
	defer engine.Close()

	r := httptest.NewRequest("GET", "/search?q=running+shoes", nil)
	req := engine.Parse(r, "203.0.113.7", "/search", time.Now(), threat.Limits{})
	defer engine.Release(req)
	a := engine.Assess(context.Background(), req)
	fmt.Printf("%.2f %v\n", a.Score, a.Level)
	// Output: 0.05 none
}

// A detector is a small type with a name and a Detect method.
type adminProbe struct{}

func (adminProbe) Name() string { return "admin-probe" }

func (adminProbe) Detect(req *threat.Request, dst []threat.Signal) []threat.Signal {
	if req.Path == "/wp-admin/install.php" {
		dst = append(dst, threat.Signal{Detector: "admin-probe", Family: "signature",
			Rule: "probe.wp-install", Confidence: 0.999, Location: "path"})
	}
	return dst
}

func ExampleNew() {
	engine, err := threat.New(threat.Config{Detectors: []threat.Detector{adminProbe{}}})
	if err != nil {
		panic(err)
	}
	req := engine.Parse(httptest.NewRequest("GET", "/wp-admin/install.php", nil), "203.0.113.7", "", time.Now(), threat.Limits{})
	defer engine.Release(req)
	a := engine.Assess(context.Background(), req)
	fmt.Println(a.Level, a.Signals[0].Rule)
	// Output: critical probe.wp-install
}
