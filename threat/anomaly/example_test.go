package anomaly_test

import (
	"encoding/json"
	"fmt"

	"github.com/bulwarkhq/bulwark/threat"
	"github.com/bulwarkhq/bulwark/threat/anomaly"
)

// Score a typical client and a flooding scanner with the embedded model
// (its threshold is 0.64), then swap in an artefact received from
// elsewhere and roll it back.
func Example() {
	m, err := anomaly.DefaultModel()
	if err != nil {
		panic(err)
	}
	// rate, 4xx, auth, 404, 5xx, path diversity, inter-arrival CV, user
	// agents, header sets, sequence NLL, login share, bare browser
	typical := []float64{0.7, 0.05, 0, 0, 0, 0.8, 0.9, 1, 2, 0.3, 0.07, 0}
	scanner := []float64{40, 0.9, 0.1, 0.8, 0.05, 1, 0.05, 6, 6, 9, 0.3, 1}
	fmt.Printf("typical %.2f, scanner %.2f\n", m.Score(typical), m.Score(scanner))

	h, _ := threat.NewHolder(m)
	b, _ := json.Marshal(m) // the artefact, as the control plane would ship it
	next, err := anomaly.ParseModel(b)
	if err != nil {
		panic(err)
	}
	fmt.Println("same content:", next.Hash() == m.Hash())
	_ = h.Swap(next)
	_, _ = h.Rollback()
	fmt.Println("after rollback:", h.Active() == m)
	// Output:
	// typical 0.40, scanner 0.75
	// same content: true
	// after rollback: true
}
