// Package series flags anomalies in one time series as its points arrive:
// an instance's requests a minute, a fleet's refusals an hour, a latency.
// It learns a baseline and scores each point against it before learning
// from it, so nothing a point says about the future is used to score it.
//
// The baseline is on a signed log scale (traffic moves by multiples): a
// profile by hour of the day (once points come at least hourly and two days
// have been seen), a level (the median of the last points, seasonally
// adjusted) and a spread (an exponentially weighted mean of clipped
// absolute residuals). A point's deviation is its residual in spreads; a
// run of deviations on one side is accumulated by a CUSUM (Page 1954). The
// score is how rare the deviation, or the run, is among the series' own
// recent ones, with a fitted Pareto tail beyond the 98th percentile
// (peaks over threshold, as in SPOT, Siffer et al. 2017): noisy series need
// larger deviations, so one threshold serves every series. Each alarm names
// what moved: the point alone (a spike or a dip) or the level (up or
// down), with the value and the baseline it was measured against.
//
//	d, _ := series.New(series.Config{})
//	for _, p := range points {
//		if r := d.Observe(p.Time, p.Value); r.Alarm {
//			log.Printf("%s: %v, expected %v", r.Kind, r.Value, r.Expected)
//		}
//	}
//
// The default threshold was chosen once, on Microsoft's Cloud Monitoring
// Dataset, with event-level rules stated in examples/controlplane/anomaly-eval.
package series
