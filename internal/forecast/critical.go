package forecast

// Window is a run of forecast steps, [Start, End), whose upper bound
// crosses a threshold; Peak is the highest upper bound in it, at step
// PeakAt.
type Window struct {
	Start, End int
	Peak       float64
	PeakAt     int
}

// CriticalWindows returns the runs of steps whose upper bound at the given
// interval level reaches threshold (a capacity, or a threat volume worth
// acting on). Steps count from the first forecast step; the caller maps
// them to hours. It returns nil if the level was not forecast.
func CriticalWindows(r *Result, level, threshold float64) []Window {
	iv, ok := r.Interval(level)
	if !ok {
		return nil
	}
	var out []Window
	for k, u := range iv.Upper {
		if u < threshold {
			continue
		}
		if n := len(out); n > 0 && out[n-1].End == k {
			w := &out[n-1]
			w.End = k + 1
			if u > w.Peak {
				w.Peak, w.PeakAt = u, k
			}
			continue
		}
		out = append(out, Window{Start: k, End: k + 1, Peak: u, PeakAt: k})
	}
	return out
}
