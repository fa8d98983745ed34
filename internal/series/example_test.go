package series_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/bulwarkhq/bulwark/internal/series"
)

func Example() {
	d, _ := series.New(series.Config{})
	noise := rand.New(rand.NewPCG(1, 2))
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 24 * 14 {
		v := 1000 * math.Exp(0.5*math.Sin(2*math.Pi*float64(i%24)/24)+0.1*noise.NormFloat64())
		if i == 24*13+5 {
			v *= 6 // a burst
		}
		if r := d.Observe(t0.Add(time.Duration(i)*time.Hour), v); r.Alarm {
			fmt.Printf("%s: %s, %.0f against %.0f expected\n", r.Time.Format("Jan 2 15:04"), r.Kind, r.Value, r.Expected)
		}
	}
	// The default threshold, chosen for event-level F1 on the dev set, also
	// flags a few points of plain noise, each a dip of about 3 standard
	// deviations here.

	// Output:
	// Jan 10 06:00: dip, 1364 against 1787 expected
	// Jan 13 07:00: dip, 1277 against 1682 expected
	// Jan 14 03:00: dip, 1106 against 1504 expected
	// Jan 14 05:00: spike, 9311 against 1602 expected
}
