// Command forecast-eval scores the forecaster of internal/forecast by
// rolling origin: from each of the last -origins daily origins of every
// series it forecasts -horizon steps from everything before the origin and
// compares them with what followed.
//
//	go run ./examples/controlplane/forecast-eval -data FILE.csv -horizon 48 -season 24 [-origins 7] -json
//
// FILE has columns series,time,value or time,value (.gz is read); time is
// an integer index (an hour each) or an RFC 3339 timestamp. MASE is scaled by
// the in-sample seasonal naive error of period -season before each origin,
// averaged over a series' origins and then over series (the M4 way);
// naive_mase is the same for the seasonal naive forecast itself. coverage80
// and coverage95 are the shares of all forecast steps inside the intervals.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"time"

	"github.com/bulwarkhq/bulwark/internal/forecast"
	"github.com/bulwarkhq/bulwark/internal/seriescsv"
)

// Report is what the command prints with -json.
type Report struct {
	MASE       float64 `json:"mase"`
	SMAPE      float64 `json:"smape"`
	Coverage80 float64 `json:"coverage80"`
	Coverage95 float64 `json:"coverage95"`
	NaiveMASE  float64 `json:"naive_mase"`
	NSeries    int     `json:"n_series"`
}

func main() {
	var (
		data    = flag.String("data", "", "series file: series,time,value or time,value (.csv or .csv.gz)")
		horizon = flag.Int("horizon", 48, "steps forecast from each origin")
		season  = flag.Int("season", 24, "seasonal period, for the forecaster and the MASE scale")
		origins = flag.Int("origins", 1, "number of daily rolling origins, the last one horizon steps before the end")
		asJSON  = flag.Bool("json", false, "print the report as JSON")
	)
	flag.Parse()
	if *data == "" {
		fmt.Fprintln(os.Stderr, "forecast-eval: -data is required")
		os.Exit(2)
	}
	series, err := seriescsv.ReadFile(*data)
	if err != nil {
		fmt.Fprintln(os.Stderr, "forecast-eval:", err)
		os.Exit(1)
	}
	rep, methods, err := evaluate(series, *horizon, *season, *origins)
	if err != nil {
		fmt.Fprintln(os.Stderr, "forecast-eval:", err)
		os.Exit(1)
	}
	if *asJSON {
		if err := json.NewEncoder(os.Stdout).Encode(rep); err != nil {
			fmt.Fprintln(os.Stderr, "forecast-eval:", err)
			os.Exit(1)
		}
		return
	}
	printText(os.Stdout, rep, methods)
}

// evaluate runs the rolling-origin evaluation. methods counts the forecasts
// by method and reason.
func evaluate(series []seriescsv.Series, h, season, origins int) (Report, map[string]int, error) {
	if h < 1 || season < 1 || origins < 1 {
		return Report{}, nil, fmt.Errorf("horizon, season and origins must be at least 1")
	}
	f, err := forecast.New(forecast.Config{Season: season})
	if err != nil {
		return Report{}, nil, err
	}
	var (
		rep            Report
		in80, in95, nc int
		methods        = map[string]int{}
	)
	for _, s := range series {
		day := 24
		if s.Step > 0 {
			day = max(1, int(24*time.Hour/s.Step))
		}
		var mase, naive, smape, cnt float64
		for r := origins - 1; r >= 0; r-- {
			o := len(s.Values) - h - r*day
			if o < 1 {
				continue
			}
			hist, actual := s.Values[:o], s.Values[o:o+h]
			res, err := f.Forecast(hist, h)
			if err != nil {
				return rep, nil, fmt.Errorf("series %q origin %d: %w", s.Name, o, err)
			}
			methods[string(res.Method)+reasonTag(res)]++
			sn := seasonalNaive(hist, season, h)
			m1, m0 := forecast.MASE(hist, actual, res.Point, season), forecast.MASE(hist, actual, sn, season)
			if math.IsNaN(m1) || math.IsNaN(m0) {
				continue
			}
			mase += m1
			naive += m0
			smape += forecast.SMAPE(actual, res.Point)
			cnt++
			if iv, ok := res.Interval(0.8); ok {
				in, n := forecast.Covered(actual, iv)
				in80 += in
				nc += n
			}
			if iv, ok := res.Interval(0.95); ok {
				in, _ := forecast.Covered(actual, iv)
				in95 += in
			}
		}
		if cnt == 0 {
			continue
		}
		rep.MASE += mase / cnt
		rep.NaiveMASE += naive / cnt
		rep.SMAPE += smape / cnt
		rep.NSeries++
	}
	if rep.NSeries == 0 {
		return rep, methods, fmt.Errorf("no series long enough for %d origins of %d steps", origins, h)
	}
	k := float64(rep.NSeries)
	rep.MASE /= k
	rep.NaiveMASE /= k
	rep.SMAPE /= k
	if nc == 0 {
		return rep, methods, fmt.Errorf("no known value after any origin to score")
	}
	rep.Coverage80 = float64(in80) / float64(nc)
	rep.Coverage95 = float64(in95) / float64(nc)
	return rep, methods, nil
}

func reasonTag(r *forecast.Result) string {
	if r.Reason == "" {
		return ""
	}
	return ": " + r.Reason
}

// seasonalNaive is the textbook benchmark: each step repeats the value one
// season before it in the last season of the history.
func seasonalNaive(hist []float64, m, h int) []float64 {
	out := make([]float64, h)
	n := len(hist)
	for k := range h {
		i := n - m + k%m
		if i < 0 {
			i = n - 1
		}
		out[k] = hist[i]
	}
	return out
}

func printText(w io.Writer, rep Report, methods map[string]int) {
	fmt.Fprintf(w, "series %d\nMASE %.3f (seasonal naive %.3f, ratio %.3f)\nsMAPE %.2f%%\ncoverage 80%%: %.3f, 95%%: %.3f\n",
		rep.NSeries, rep.MASE, rep.NaiveMASE, rep.MASE/rep.NaiveMASE, rep.SMAPE, rep.Coverage80, rep.Coverage95)
	keys := make([]string, 0, len(methods))
	for k := range methods {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Fprintln(w, "forecasts by method:")
	for _, k := range keys {
		fmt.Fprintf(w, "  %4d  %s\n", methods[k], k)
	}
}
