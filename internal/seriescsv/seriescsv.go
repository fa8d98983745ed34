// Package seriescsv reads the time series files of the forecasting and
// anomaly evaluations: numeric series as `series,time,value` or `time,value`
// rows, and labelled series as `TimeStamp,Value,Label` rows. Files ending in
// .gz are decompressed.
//
// A numeric series is laid on a regular grid: `time` is an integer index or
// an RFC 3339 timestamp, the step is the smallest gap between two times, and
// a missing step becomes NaN, so a gap in the file is a gap in the series.
package seriescsv

import (
	"cmp"
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// MaxPoints bounds the length of one series once its gaps are filled, so a
// file with two far-apart times cannot ask for an unbounded grid.
const MaxPoints = 10_000_000

// ErrFormat is returned, wrapped with the line, for a file that is not in
// one of the formats above.
var ErrFormat = errors.New("seriescsv: bad format")

// Series is one regular series. Values[i] is at Start + i·Step when the
// times were timestamps (RFC 3339, or without a zone, taken as UTC), or at index Start0 + i when they were integers;
// a NaN is a step the file did not have.
type Series struct {
	Name   string
	Values []float64
	// Start and Step are set when the times were RFC 3339 timestamps.
	Start time.Time
	Step  time.Duration
	// Start0 is the first index when the times were integers.
	Start0 int64
}

// ReadFile reads the series of a .csv or .csv.gz file.
func ReadFile(path string) ([]Series, error) {
	var out []Series
	err := withFile(path, func(r io.Reader) error {
		var err error
		out, err = Read(r)
		return err
	})
	return out, err
}

func withFile(path string, fn func(io.Reader) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var in io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		defer gz.Close()
		in = gz
	}
	if err := fn(in); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// records reads CSV with a header row: head checks the header, each checks
// every record after it (line counts from 1 at the header). Blank lines
// are skipped.
func records(r io.Reader, head func([]string) error, each func(line int, rec []string) error) error {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	h, err := cr.Read()
	if err != nil {
		return fmt.Errorf("%w: header: %v", ErrFormat, err)
	}
	if err := head(h); err != nil {
		return err
	}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: %v", ErrFormat, err)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if err := each(line, rec); err != nil {
			return err
		}
	}
}

type point struct {
	t int64 // unix nanoseconds or index
	v float64
}

// Read reads series from CSV with a header row. With three columns the
// first names the series; with two there is one series, named "". Series
// come back in the order they first appear.
func Read(r io.Reader) ([]Series, error) {
	cols := 0
	var (
		order   []string
		points  = map[string][]point{}
		stamped = -1 // unknown, 0 integer times, 1 timestamps
	)
	err := records(r, func(head []string) error {
		cols = len(head)
		if cols != 2 && cols != 3 {
			return fmt.Errorf("%w: header has %d columns, want 2 or 3", ErrFormat, cols)
		}
		return nil
	}, func(line int, rec []string) error {
		if len(rec) != cols {
			return fmt.Errorf("%w: line %d has %d fields, want %d", ErrFormat, line, len(rec), cols)
		}
		name := ""
		if cols == 3 {
			name = rec[0]
		}
		ts, vs := strings.TrimSpace(rec[cols-2]), strings.TrimSpace(rec[cols-1])
		t, isStamp, err := parseTime(ts)
		if err != nil {
			return fmt.Errorf("%w: line %d: time %q", ErrFormat, line, ts)
		}
		kind := 0
		if isStamp {
			kind = 1
		}
		if stamped >= 0 && kind != stamped {
			return fmt.Errorf("%w: line %d mixes integer and timestamp times", ErrFormat, line)
		}
		stamped = kind
		v, err := parseValue(vs)
		if err != nil {
			return fmt.Errorf("%w: line %d: value %q", ErrFormat, line, vs)
		}
		if _, ok := points[name]; !ok {
			order = append(order, name)
		}
		points[name] = append(points[name], point{t, v})
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]Series, 0, len(order))
	for _, name := range order {
		s, err := grid(name, points[name], stamped == 1)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// timeLayouts are the timestamps read: RFC 3339, and the same without a
// zone (taken as UTC), with a T or a space.
var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05"}

func parseTime(s string) (int64, bool, error) {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i, false, nil
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UnixNano(), true, nil
		}
	}
	return 0, false, fmt.Errorf("not an integer nor a timestamp")
}

// parseValue reads a number; an empty field or NaN is a missing value.
func parseValue(s string) (float64, error) {
	if s == "" {
		return math.NaN(), nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, err
	}
	if math.IsInf(v, 0) {
		return 0, fmt.Errorf("infinite value")
	}
	return v, nil
}

func grid(name string, ps []point, stamped bool) (Series, error) {
	slices.SortStableFunc(ps, func(a, b point) int { return cmp.Compare(a.t, b.t) })
	var step int64 = 1
	if stamped {
		step = 0
		for i := 1; i < len(ps); i++ {
			if d := ps[i].t - ps[i-1].t; d > 0 && (step == 0 || d < step) {
				step = d
			}
		}
		if step == 0 {
			step = int64(time.Hour)
		}
	}
	s := Series{Name: name}
	if len(ps) == 0 {
		return s, nil
	}
	first, last := ps[0].t, ps[len(ps)-1].t
	span := uint64(last) - uint64(first) // no overflow: last ≥ first
	if span/uint64(step) >= MaxPoints {
		return s, fmt.Errorf("%w: series %q spans more than %d steps", ErrFormat, name, MaxPoints)
	}
	s.Values = make([]float64, span/uint64(step)+1)
	for i := range s.Values {
		s.Values[i] = math.NaN()
	}
	for i, p := range ps {
		off := uint64(p.t) - uint64(first)
		if off%uint64(step) != 0 {
			return s, fmt.Errorf("%w: series %q: time off the %v grid", ErrFormat, name, time.Duration(step))
		}
		if i > 0 && p.t == ps[i-1].t {
			return s, fmt.Errorf("%w: series %q: duplicate time", ErrFormat, name)
		}
		s.Values[off/uint64(step)] = p.v
	}
	if stamped {
		s.Start = time.Unix(0, first)
		s.Step = time.Duration(step)
	} else {
		s.Start0 = first
	}
	return s, nil
}

// Labelled is one series of a labelled anomaly file, in time order.
type Labelled struct {
	Times  []time.Time
	Values []float64
	Labels []bool
}

// ReadLabelledFile reads a TimeStamp,Value,Label file (.csv or .csv.gz).
func ReadLabelledFile(path string) (Labelled, error) {
	var out Labelled
	err := withFile(path, func(r io.Reader) error {
		var err error
		out, err = ReadLabelled(r)
		return err
	})
	return out, err
}

// ReadLabelled reads TimeStamp,Value,Label rows after a header and returns
// them sorted by time (a stable sort: rows with equal times keep the file's
// order). TimeStamp is a timestamp (RFC 3339, or without a zone, taken as
// UTC) or an integer count of seconds; Label is 0 or 1. A missing value is
// NaN.
func ReadLabelled(r io.Reader) (Labelled, error) {
	type row struct {
		t     int64
		v     float64
		label bool
	}
	var (
		out  Labelled
		rows []row
	)
	err := records(r, func(head []string) error {
		if len(head) < 3 {
			return fmt.Errorf("%w: header has %d columns, want TimeStamp,Value,Label", ErrFormat, len(head))
		}
		return nil
	}, func(line int, rec []string) error {
		if len(rec) < 3 {
			return fmt.Errorf("%w: line %d has %d fields", ErrFormat, line, len(rec))
		}
		t, stamp, err := parseTime(strings.TrimSpace(rec[0]))
		if err != nil {
			return fmt.Errorf("%w: line %d: time %q", ErrFormat, line, rec[0])
		}
		if !stamp {
			t *= int64(time.Second)
		}
		v, err := parseValue(strings.TrimSpace(rec[1]))
		if err != nil {
			return fmt.Errorf("%w: line %d: value %q", ErrFormat, line, rec[1])
		}
		var label bool
		switch strings.TrimSpace(rec[2]) {
		case "0", "0.0", "":
		case "1", "1.0":
			label = true
		default:
			return fmt.Errorf("%w: line %d: label %q", ErrFormat, line, rec[2])
		}
		rows = append(rows, row{t, v, label})
		return nil
	})
	if err != nil {
		return out, err
	}
	slices.SortStableFunc(rows, func(a, b row) int { return cmp.Compare(a.t, b.t) })
	out.Times = make([]time.Time, len(rows))
	out.Values = make([]float64, len(rows))
	out.Labels = make([]bool, len(rows))
	for i, r := range rows {
		out.Times[i] = time.Unix(0, r.t).UTC()
		out.Values[i] = r.v
		out.Labels[i] = r.label
	}
	return out, nil
}
