// Command anomaly-eval scores the online detector of internal/series
// on labelled series: every TimeStamp,Value,Label CSV under -data is
// streamed through a fresh detector in time order, one point at a time, so
// no point is scored with knowledge of what follows it.
//
//	go run ./examples/controlplane/anomaly-eval -data DIR -json [-scores OUT]
//
// The rules were fixed before any result was seen:
//
//   - One global threshold (the detector's DefaultThreshold, chosen on this
//     development set with -sweep), never one per series.
//   - A labelled event is a run of 1s. It is detected when an alarm falls
//     inside it or within W points after it (W = 5 by default: -w).
//   - Alarms within W points of each other count once (a group).
//   - A group with no alarm inside an event or its W points after is one
//     false positive.
//   - precision = detected events / (detected events + false positives),
//     recall = detected events / events, F1 their harmonic mean, all over
//     every series pooled.
//
// With -scores OUT, each input file's per-point scores in [0, 1] are written
// under OUT at the same relative path, as TimeStamp,Value,Label,Score.
package main

import (
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bulwarkhq/bulwark/internal/series"
	"github.com/bulwarkhq/bulwark/internal/seriescsv"
)

// Report is what the command prints with -json.
type Report struct {
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	Series    int     `json:"series"`
}

// counts are the event-level tallies of one or more series.
type counts struct{ events, detected, falsePos int }

func (c *counts) add(o counts) {
	c.events += o.events
	c.detected += o.detected
	c.falsePos += o.falsePos
}

func (c counts) report(n int) Report {
	r := Report{Series: n}
	if c.detected+c.falsePos > 0 {
		r.Precision = float64(c.detected) / float64(c.detected+c.falsePos)
	}
	if c.events > 0 {
		r.Recall = float64(c.detected) / float64(c.events)
	}
	if r.Precision+r.Recall > 0 {
		r.F1 = 2 * r.Precision * r.Recall / (r.Precision + r.Recall)
	}
	return r
}

func main() {
	var (
		dir       = flag.String("data", "", "directory of TimeStamp,Value,Label CSV files, searched recursively")
		asJSON    = flag.Bool("json", false, "print the report as JSON")
		scores    = flag.String("scores", "", "directory to write per-point scores to")
		w         = flag.Int("w", 5, "points after an event within which an alarm still detects it")
		threshold = flag.Float64("threshold", series.DefaultThreshold, "alarm threshold on the score")
		sweep     = flag.Bool("sweep", false, "print F1 over a grid of thresholds (how the default was chosen)")
	)
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "anomaly-eval: -data is required")
		os.Exit(2)
	}
	files, err := csvFiles(*dir)
	if err != nil || len(files) == 0 {
		fmt.Fprintln(os.Stderr, "anomaly-eval: no CSV files under", *dir, err)
		os.Exit(1)
	}
	all := make([]seriescsv.Labelled, len(files))
	scored := make([][]float64, len(files))
	for i, f := range files {
		if all[i], err = seriescsv.ReadLabelledFile(filepath.Join(*dir, f)); err != nil {
			fmt.Fprintln(os.Stderr, "anomaly-eval:", err)
			os.Exit(1)
		}
		scored[i], err = score(all[i])
		if err != nil {
			fmt.Fprintln(os.Stderr, "anomaly-eval:", err)
			os.Exit(1)
		}
	}
	if *sweep {
		for t := 0.20; t < 0.951; t += 0.025 {
			var c counts
			for i := range all {
				c.add(evaluate(all[i].Labels, alarms(scored[i], t), *w))
			}
			r := c.report(len(all))
			fmt.Printf("threshold %.3f precision %.3f recall %.3f f1 %.3f (events %d, detected %d, false positives %d)\n", t, r.Precision, r.Recall, r.F1, c.events, c.detected, c.falsePos)
		}
		return
	}
	var total counts
	for i := range all {
		c := evaluate(all[i].Labels, alarms(scored[i], *threshold), *w)
		total.add(c)
		if !*asJSON {
			r := c.report(1)
			fmt.Printf("%-60s events %3d detected %3d false positives %3d  f1 %.3f\n", files[i], c.events, c.detected, c.falsePos, r.F1)
		}
		if *scores != "" {
			if err := writeScores(filepath.Join(*scores, files[i]), all[i], scored[i]); err != nil {
				fmt.Fprintln(os.Stderr, "anomaly-eval:", err)
				os.Exit(1)
			}
		}
	}
	rep := total.report(len(all))
	if *asJSON {
		if err := json.NewEncoder(os.Stdout).Encode(rep); err != nil {
			fmt.Fprintln(os.Stderr, "anomaly-eval:", err)
			os.Exit(1)
		}
		return
	}
	fmt.Printf("series %d, threshold %.3f, W %d: events %d, detected %d, false positives %d\nprecision %.3f recall %.3f f1 %.3f\n",
		rep.Series, *threshold, *w, total.events, total.detected, total.falsePos, rep.Precision, rep.Recall, rep.F1)
}

// csvFiles lists the .csv files under dir, relative to it, sorted.
func csvFiles(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !e.IsDir() && (strings.HasSuffix(p, ".csv") || strings.HasSuffix(p, ".csv.gz")) {
			rel, err := filepath.Rel(dir, p)
			if err != nil {
				return err
			}
			out = append(out, rel)
		}
		return nil
	})
	slices.Sort(out)
	return out, err
}

// score streams a series through a fresh detector and returns each
// point's score, alarm or not: the threshold is applied afterwards, so one
// pass serves every threshold of a sweep. Warm-up points score 0.
func score(s seriescsv.Labelled) ([]float64, error) {
	d, err := series.New(series.Config{Threshold: 1})
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(s.Values))
	for i := range s.Values {
		r := d.Observe(s.Times[i], s.Values[i])
		if d.Warm() {
			out[i] = r.Score
		}
	}
	return out, nil
}

func alarms(scores []float64, threshold float64) []bool {
	out := make([]bool, len(scores))
	for i, s := range scores {
		out[i] = s >= threshold
	}
	return out
}

// evaluate applies the event-level rules of the package comment.
func evaluate(labels, alarm []bool, w int) counts {
	var c counts
	// near[i] is the event whose run or W-point tail holds point i, or -1.
	near := make([]int, len(labels))
	for i := range near {
		near[i] = -1
	}
	for i := 0; i < len(labels); {
		if !labels[i] {
			i++
			continue
		}
		j := i
		for j < len(labels) && labels[j] {
			j++
		}
		for k := i; k < min(j+w, len(labels)); k++ {
			if near[k] == -1 {
				near[k] = c.events
			}
		}
		c.events++
		i = j
	}
	detected := make([]bool, c.events)
	lastFP := -1 << 31
	for i, a := range alarm {
		if !a {
			continue
		}
		if e := near[i]; e >= 0 {
			detected[e] = true
			continue
		}
		if i-lastFP > w {
			c.falsePos++
		}
		lastFP = i
	}
	for _, d := range detected {
		if d {
			c.detected++
		}
	}
	return c
}

func writeScores(path string, s seriescsv.Labelled, scores []float64) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(strings.TrimSuffix(path, ".gz"))
	if err != nil {
		return err
	}
	cw := csv.NewWriter(f)
	cw.Write([]string{"TimeStamp", "Value", "Label", "Score"})
	for i := range scores {
		label := "0"
		if s.Labels[i] {
			label = "1"
		}
		cw.Write([]string{s.Times[i].Format(time.RFC3339), strconv.FormatFloat(s.Values[i], 'g', -1, 64), label, strconv.FormatFloat(scores[i], 'f', 6, 64)})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
