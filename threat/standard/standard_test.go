package standard_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/bulwarkhq/bulwark/threat"
	"github.com/bulwarkhq/bulwark/threat/standard"
)

// assess builds the view of r, assesses it and releases the view.
func assess(e *threat.Engine, r *http.Request, client string) threat.Assessment {
	req := e.Parse(r, client, "", time.Now(), threat.Limits{})
	defer e.Release(req)
	return e.Assess(context.Background(), req)
}

// blockAt is the score the default strictness refuses a request at.
const blockAt = 0.8

func TestEmbeddedModelIsValid(t *testing.T) {
	m, err := standard.DefaultModel()
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	if m.Version() == "" {
		t.Fatal("embedded model has no version")
	}
	// DefaultModel hands out copies of one artefact.
	if n, _ := standard.DefaultModel(); n == m || n.Hash() != m.Hash() {
		t.Fatal("DefaultModel shares its state or changes its content")
	}
}

func TestDefaultEngine(t *testing.T) {
	e, err := standard.New(standard.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	attack := httptest.NewRequest("GET", "/search?q="+url.QueryEscape("1' UNION SELECT password FROM users--"), nil)
	if a := assess(e, attack, "198.51.100.1"); a.Score < blockAt || a.Level < threat.LevelHigh || len(a.Signals) == 0 || a.Signals[0].Detector != "sqli" {
		t.Fatalf("attack: %+v", a)
	}
	benign := httptest.NewRequest("GET", "/search?q=trail+shoes&page=2", nil)
	benign.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0")
	if a := assess(e, benign, "198.51.100.2"); a.Score >= blockAt || a.Level != threat.LevelNone {
		t.Fatalf("benign: %+v", a)
	}
}

// Families of the signature detector are disabled and weighed by name
// through the engine's configuration.
func TestFamiliesByName(t *testing.T) {
	attack := httptest.NewRequest("GET", "/search?q="+url.QueryEscape("1' UNION SELECT password FROM users--"), nil)
	e, err := standard.New(standard.Config{Engine: threat.Config{Disabled: []string{"sqli"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if a := assess(e, attack, "198.51.100.3"); a.Score >= blockAt {
		t.Fatalf("sqli disabled but blocked: %+v", a)
	}
	if _, err := standard.New(standard.Config{Engine: threat.Config{Weights: map[string]float64{"xss": 0.5, "nosuch": 1}}}); err == nil {
		t.Fatal("unknown detector name in Weights accepted")
	}
	if _, err := standard.New(standard.Config{Engine: threat.Config{Weights: map[string]float64{"xss": 0.5}}}); err != nil {
		t.Fatalf("family weight refused: %v", err)
	}
}
