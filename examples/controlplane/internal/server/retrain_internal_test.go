package server

import (
	"math"
	"testing"
	"time"

	"github.com/bulwarkhq/bulwark/internal/history"
	"github.com/bulwarkhq/bulwark/internal/trainer"
	"github.com/bulwarkhq/bulwark/threat/standard"
)

// TestSignalsGiveBackTheScore: the signals rebuilt from an event's
// reasons make the current model score it as it was stored, whatever its
// number of reasons and families; a rule the model knows keeps the
// confidence its evidence implies.
func TestSignalsGiveBackTheScore(t *testing.T) {
	def, err := standard.DefaultModel()
	if err != nil {
		t.Fatal(err)
	}
	p, _ := trainer.Params(def)
	p.LLR = map[string]float64{"sqli.tautology": 2}
	known, err := trainer.Model(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		score   float64
		family  string
		reasons []string
	}{
		{"one reason", 0.9, "xss", []string{"xss.event_handler"}},
		{"two of a family", 0.97, "xss", []string{"xss.libinjection", "xss.event_handler"}},
		{"three, two families", 0.99, "sqli", []string{"sqli.libinjection", "behavior.flood", "anomaly.iforest"}},
		{"a known rule", 0.95, "sqli", []string{"sqli.libinjection", "sqli.tautology"}},
		{"low", 0.3, "scanner", []string{"scanner.agent"}},
	} {
		e := &history.Event{Time: time.Now(), Score: c.score, Family: c.family, Reasons: c.reasons, Label: "attack"}
		sigs := signals(e, known, p)
		if got := known.Combine(sigs).Score; math.Abs(got-c.score) > 1e-3 {
			t.Errorf("%s: the current model scores the rebuilt signals %.4f, stored %.4f", c.name, got, c.score)
		}
		for _, s := range sigs {
			if s.Rule == "sqli.tautology" && math.Abs(s.Confidence-(1-math.Exp(-2))) > 1e-9 {
				t.Errorf("%s: known rule's confidence %v", c.name, s.Confidence)
			}
			want := "signature"
			if s.Detector == "behavior" || s.Detector == "anomaly" {
				want = s.Detector
			}
			if s.Family != want {
				t.Errorf("%s: %s of family %s", c.name, s.Rule, s.Family)
			}
		}
	}
}
