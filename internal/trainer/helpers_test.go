package trainer

import (
	"testing"

	"github.com/bulwarkhq/bulwark/internal/combiner"
	"github.com/bulwarkhq/bulwark/threat"
)

type paramsT = combiner.Params

// mustParams returns m's parameters (the neutral ones for nil), changed by f.
func mustParams(t *testing.T, m *threat.Model, f func(*paramsT)) combiner.Params {
	t.Helper()
	p := combiner.Neutral()
	if m != nil {
		var err error
		if p, err = Params(m); err != nil {
			t.Fatal(err)
		}
	}
	if f != nil {
		f(&p)
	}
	return p
}
