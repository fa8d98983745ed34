package anomaly_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/bulwarkhq/bulwark/threat"
	"github.com/bulwarkhq/bulwark/threat/anomaly"
	"github.com/bulwarkhq/bulwark/threat/behavior"
)

// appendOnly is a FeatureSource with AppendFeatures alone, as a source
// outside the module has: Detect reads it into a pooled buffer.
type appendOnly struct{ b *behavior.Detector }

func (s appendOnly) AppendFeatures(dst []float64, client string) ([]float64, bool) {
	return s.b.AppendFeatures(dst, client)
}

// TestSourcesAgree runs one traffic of many clients, floods and scans
// among them, through two anomaly detectors, one that reads behaviour's
// vectors by value and one that appends them: they give the same signals
// on every request. With RobustZ's baseline warmed up in 64 full scorings,
// both of its signals are reached.
func TestSourcesAgree(t *testing.T) {
	seq, err := behavior.DefaultSequenceModel()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := behavior.New(behavior.Config{Sequence: seq})
	byValue, err := anomaly.New(anomaly.Config{Source: b, Warmup: 64, Refresh: 1})
	if err != nil {
		t.Fatal(err)
	}
	appending, err := anomaly.New(anomaly.Config{Source: appendOnly{b}, Warmup: 64, Refresh: 1})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 7))
	at := t0
	rules := map[string]int{}
	for i := range 6000 {
		c := rng.IntN(40)
		client, path, status := fmt.Sprint("c", c), shopPaths[rng.IntN(len(shopPaths))], 200
		switch {
		case c < 4: // scanners
			path, status = fmt.Sprintf("/admin/%d.php", i), 404
		case c < 8: // floods
			path = "/tienda1/index.jsp"
		}
		at = at.Add(time.Duration(rng.IntN(20)) * time.Millisecond)
		req := &threat.Request{Method: "GET", Path: path, Client: client, Time: at, UserAgent: konqueror, Header: header()}
		b.Detect(req, nil)
		got, want := byValue.Detect(req, nil), appending.Detect(req, nil)
		if !slices.Equal(got, want) {
			t.Fatalf("request %d of %s: by value %+v, appended %+v", i, client, got, want)
		}
		for _, s := range got {
			rules[s.Rule]++
		}
		b.Observe(client, "", status, at)
	}
	if rules["anomaly.iforest"] == 0 || rules["anomaly.robust-z"] == 0 {
		t.Fatalf("signals %v: the traffic reaches not both rules", rules)
	}
}
