package bulwark_test

import (
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/bulwarkhq/bulwark"
	"github.com/bulwarkhq/bulwark/threat"
	threatstandard "github.com/bulwarkhq/bulwark/threat/standard"
)

// A challenger whose score reaches the route's Block marks the verdict
// ChallengerBlocked and refuses nothing; the active model decides.
func TestChallengerBlocked(t *testing.T) {
	g := newGuard(t, bulwark.Config{})
	m, err := threatstandard.DefaultModel()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(m)
	var p map[string]any
	_ = json.Unmarshal(b, &p)
	p["version"], p["prior"] = "strict", 4.0 // every request scores 0.98
	b, _ = json.Marshal(p)
	strict, err := threat.ParseModel(b)
	if err != nil {
		t.Fatal(err)
	}
	v := g.CheckHTTP(httptest.NewRequest("GET", "/items", nil), "198.51.100.1", "", t0)
	if v.ChallengerBlocked || v.Assessment.ChallengerModel != "" {
		t.Fatalf("without a challenger: %+v", v)
	}
	if err := g.Engine().(*threat.Engine).Models().SetChallenger(strict); err != nil {
		t.Fatal(err)
	}
	v = g.CheckHTTP(httptest.NewRequest("GET", "/items", nil), "198.51.100.1", "", t0)
	if v.Refused() || v.Outcome != bulwark.Allowed || !v.ChallengerBlocked || v.Assessment.ChallengerModel != "strict" || v.Assessment.Model == "strict" {
		t.Fatalf("with a strict challenger: %+v", v)
	}
}
