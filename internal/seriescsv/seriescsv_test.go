package seriescsv

import (
	"bytes"
	"compress/gzip"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRead(t *testing.T) {
	cases := []struct {
		name  string
		in    string
		names []string
		vals  [][]float64 // NaN as -1 for comparison
		step  time.Duration
		err   bool
	}{
		{"one series, index", "time,value\n0,1\n1,2\n2,3\n", []string{""}, [][]float64{{1, 2, 3}}, 0, false},
		{"unsorted with a gap", "time,value\n3,4\n0,1\n1,2\n", []string{""}, [][]float64{{1, 2, -1, 4}}, 0, false},
		{"two series", "series,time,value\na,0,1\nb,0,5\na,1,2\n", []string{"a", "b"}, [][]float64{{1, 2}, {5}}, 0, false},
		{"timestamps, hourly gap", "time,value\n2024-01-01T00:00:00Z,1\n2024-01-01T02:00:00Z,3\n2024-01-01T01:00:00Z,2\n2024-01-01T04:00:00Z,5\n", []string{""}, [][]float64{{1, 2, 3, -1, 5}}, time.Hour, false},
		{"zoned timestamps", "time,value\n1995-07-01T00:00:00-04:00,1\n1995-07-01T05:00:00Z,2\n", []string{""}, [][]float64{{1, 2}}, time.Hour, false},
		{"empty value is missing", "time,value\n0,1\n1,\n2,3\n", []string{""}, [][]float64{{1, -1, 3}}, 0, false},
		{"duplicate time", "time,value\n0,1\n0,2\n", nil, nil, 0, true},
		{"bad value", "time,value\n0,x\n", nil, nil, 0, true},
		{"infinite value", "time,value\n0,Inf\n", nil, nil, 0, true},
		{"mixed times", "time,value\n0,1\n2024-01-01T00:00:00Z,2\n", nil, nil, 0, true},
		{"one column", "value\n1\n", nil, nil, 0, true},
		{"off-grid timestamp", "time,value\n2024-01-01T00:00:00Z,1\n2024-01-01T02:00:00Z,1\n2024-01-01T03:30:00Z,1\n", nil, nil, 0, true},
		{"span too large", "time,value\n0,1\n99999999999,2\n", nil, nil, 0, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ss, err := Read(strings.NewReader(c.in))
			if c.err {
				if !errors.Is(err, ErrFormat) {
					t.Fatalf("err %v, want ErrFormat", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(ss) != len(c.names) {
				t.Fatalf("%d series, want %d", len(ss), len(c.names))
			}
			for i, s := range ss {
				if s.Name != c.names[i] || len(s.Values) != len(c.vals[i]) {
					t.Fatalf("series %d: %q %v", i, s.Name, s.Values)
				}
				for j, v := range s.Values {
					w := c.vals[i][j]
					if (w == -1) != math.IsNaN(v) || (w != -1 && v != w) {
						t.Fatalf("series %q: %v, want %v", s.Name, s.Values, c.vals[i])
					}
				}
				if s.Step != c.step {
					t.Errorf("step %v, want %v", s.Step, c.step)
				}
			}
		})
	}
}

func TestReadLabelled(t *testing.T) {
	in := "\"TimeStamp\",\"Value\",\"Label\"\n\"2018-04-25T00:01:00Z\",\"2\",\"1\"\n\"2018-04-25T00:00:00Z\",\"1\",\"0\"\n2018-04-25 00:02:00,,0\n"
	l, err := ReadLabelled(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Values) != 3 || l.Values[0] != 1 || l.Values[1] != 2 || !math.IsNaN(l.Values[2]) {
		t.Fatalf("values %v", l.Values)
	}
	if l.Labels[0] || !l.Labels[1] || l.Labels[2] {
		t.Errorf("labels %v", l.Labels)
	}
	if !l.Times[0].Before(l.Times[1]) || l.Times[2].Sub(l.Times[1]) != time.Minute {
		t.Errorf("times %v", l.Times)
	}
	if _, err := ReadLabelled(strings.NewReader("TimeStamp,Value,Label\n2018-04-25T00:00:00Z,1,2\n")); !errors.Is(err, ErrFormat) {
		t.Errorf("label 2: %v", err)
	}
}

func TestReadFileGzip(t *testing.T) {
	dir := t.TempDir()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte("time,value\n0,1\n1,2\n"))
	zw.Close()
	p := filepath.Join(dir, "s.csv.gz")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	ss, err := ReadFile(p)
	if err != nil || len(ss) != 1 || len(ss[0].Values) != 2 {
		t.Fatalf("ReadFile = %v, %v", ss, err)
	}
}

func FuzzRead(f *testing.F) {
	f.Add("time,value\n0,1\n1,2\n")
	f.Add("series,time,value\na,0,1\nb,3,2\na,2,\n")
	f.Add("time,value\n1995-07-01T00:00:00-04:00,3568\n1995-07-01T01:00:00-04:00,3002\n")
	f.Add("time,value\n\"0\",\"1e308\"\n-5,-1\n")
	f.Fuzz(func(t *testing.T, in string) {
		ss, err := Read(strings.NewReader(in))
		if err != nil {
			return
		}
		for _, s := range ss {
			if len(s.Values) > MaxPoints {
				t.Fatalf("series of %d points", len(s.Values))
			}
			for _, v := range s.Values {
				if math.IsInf(v, 0) {
					t.Fatal("infinite value accepted")
				}
			}
		}
	})
}

func FuzzReadLabelled(f *testing.F) {
	f.Add("\"TimeStamp\",\"Value\",\"Label\"\n\"2018-04-25T00:00:00Z\",\"0\",\"0\"\n")
	f.Add("TimeStamp,Value,Label\n2018-07-03 14:00:00,1,0\n2018-07-03 15:00:00,0,1\n")
	f.Add("TimeStamp,Value,Label\n5,1.5,1\n3,,0\n")
	f.Fuzz(func(t *testing.T, in string) {
		l, err := ReadLabelled(strings.NewReader(in))
		if err != nil {
			return
		}
		if len(l.Times) != len(l.Values) || len(l.Values) != len(l.Labels) {
			t.Fatal("columns of different lengths")
		}
		for i := 1; i < len(l.Times); i++ {
			if l.Times[i].Before(l.Times[i-1]) {
				t.Fatal("not in time order")
			}
		}
	})
}
