package threat_test

import (
	"fmt"
	"net/http/httptest"

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
	a := engine.Assess(r, "203.0.113.7", "/search")
	fmt.Println(a.Block, a.Level)
	// Output: false none
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
	a := engine.Assess(httptest.NewRequest("GET", "/wp-admin/install.php", nil), "203.0.113.7", "")
	fmt.Println(a.Block, a.Reasons[0].Rule)
	// Output: true probe.wp-install
}
