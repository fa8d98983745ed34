package forecast

import "slices"

// nelderMead minimises f from x0 with the simplex method (Nelder and Mead
// 1965, standard coefficients), starting from a simplex of the given step
// along each axis, for at most evals evaluations. gonum's optimize package
// would bring golang.org/x/tools into the module through its distmv
// dependency, for four parameters.
func nelderMead(f func([]float64) float64, x0 []float64, step float64, evals int) []float64 {
	d := len(x0)
	pts := make([][]float64, d+1)
	vals := make([]float64, d+1)
	for i := range pts {
		pts[i] = slices.Clone(x0)
		if i > 0 {
			pts[i][i-1] += step
		}
		vals[i] = f(pts[i])
	}
	used := d + 1
	idx := make([]int, d+1)
	cen := make([]float64, d)
	xr, xe, xc := make([]float64, d), make([]float64, d), make([]float64, d)
	along := func(dst []float64, t float64, worst []float64) {
		for j := range dst {
			dst[j] = cen[j] + t*(worst[j]-cen[j])
		}
	}
	for used < evals {
		for i := range idx {
			idx[i] = i
		}
		slices.SortFunc(idx, func(a, b int) int {
			switch {
			case vals[a] < vals[b]:
				return -1
			case vals[a] > vals[b]:
				return 1
			}
			return 0
		})
		best, worst, second := idx[0], idx[d], idx[d-1]
		if vals[worst]-vals[best] <= 1e-7*(1+abs(vals[best])) {
			break
		}
		clear(cen)
		for _, i := range idx[:d] {
			for j := range cen {
				cen[j] += pts[i][j] / float64(d)
			}
		}
		along(xr, -1, pts[worst])
		fr := f(xr)
		used++
		switch {
		case fr < vals[best]:
			along(xe, -2, pts[worst])
			fe := f(xe)
			used++
			if fe < fr {
				copy(pts[worst], xe)
				vals[worst] = fe
			} else {
				copy(pts[worst], xr)
				vals[worst] = fr
			}
		case fr < vals[second]:
			copy(pts[worst], xr)
			vals[worst] = fr
		default:
			t := 0.5
			if fr < vals[worst] {
				t = -0.5
			}
			along(xc, t, pts[worst])
			fc := f(xc)
			used++
			if fc < min(fr, vals[worst]) {
				copy(pts[worst], xc)
				vals[worst] = fc
				continue
			}
			for _, i := range idx[1:] {
				for j := range pts[i] {
					pts[i][j] = pts[best][j] + 0.5*(pts[i][j]-pts[best][j])
				}
				vals[i] = f(pts[i])
				used++
			}
		}
	}
	b := 0
	for i := range vals {
		if vals[i] < vals[b] {
			b = i
		}
	}
	return pts[b]
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
