package signature_test

import (
	"testing"

	"github.com/bulwarkhq/bulwark/threat"
	"github.com/bulwarkhq/bulwark/threat/signature"
)

// familyCase is a value placed somewhere in a request (see build) and the
// confidence its family must reach: 0.99 blocks alone.
type familyCase struct {
	where, value string
	min          float64
}

// best returns the highest confidence family's signals reach for the
// case, and the rules that fired.
func best(t *testing.T, d *signature.Detector, family, where, value string) (float64, []string) {
	t.Helper()
	sigs := detect(t, d, build(t, where, value))
	b := 0.0
	for _, s := range sigs {
		if s.Detector == family && s.Confidence > b {
			b = s.Confidence
		}
	}
	return b, rulesOf(sigs)
}

// checkFamily asserts that every attack reaches its minimum confidence in
// family and that no benign value reaches maxBenign in it.
func checkFamily(t *testing.T, family string, attacks []familyCase, benign []familyCase, maxBenign float64) {
	t.Helper()
	d, err := signature.New(signature.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range attacks {
		if got, rules := best(t, d, family, c.where, c.value); got < c.min {
			t.Errorf("%s %s %q: confidence %.3f, want >= %.2f (%v)", family, c.where, c.value, got, c.min, rules)
		}
	}
	for _, c := range benign {
		limit := maxBenign
		if c.min > 0 {
			limit = c.min
		}
		if got, rules := best(t, d, family, c.where, c.value); got >= limit {
			t.Errorf("benign %s %q: %s confidence %.3f, want < %.2f (%v)", c.where, c.value, family, got, limit, rules)
		}
	}
}

var _ = threat.SourceQuery
