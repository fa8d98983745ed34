package anomaly_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/bulwarkhq/bulwark/threat"
	"github.com/bulwarkhq/bulwark/threat/anomaly"
)

// Train a forest on benign feature vectors, score an inlier and an outlier,
// then swap a new version in at run time and roll it back.
func Example() {
	rng := rand.New(rand.NewPCG(1, 1))
	var benign [][]float64
	for i := 0; i < 1000; i++ {
		benign = append(benign, []float64{1 + rng.NormFloat64()*0.1, 0.05 * rng.Float64()})
	}
	m, err := anomaly.Train(benign, anomaly.TrainConfig{Version: "v1", Features: []string{"rate", "ratio_404"}, Seed: 1})
	if err != nil {
		panic(err)
	}
	fmt.Println("inlier: ", m.Score([]float64{1, 0.02}) > m.Threshold)
	fmt.Println("outlier:", m.Score([]float64{50, 0.9}) > m.Threshold)

	h, _ := threat.NewHolder(m)
	v2, _ := anomaly.Train(benign, anomaly.TrainConfig{Version: "v2", Features: []string{"rate", "ratio_404"}, Seed: 2})
	_ = h.Swap(v2)
	fmt.Println("current:", h.Active().Version)
	_, _ = h.Rollback()
	fmt.Println("after rollback:", h.Active().Version)
	// Output:
	// inlier:  false
	// outlier: true
	// current: v2
	// after rollback: v1
}
