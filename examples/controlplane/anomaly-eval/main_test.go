package main

import "testing"

func bools(s string) []bool {
	out := make([]bool, len(s))
	for i, c := range s {
		out[i] = c == '1'
	}
	return out
}

func TestEvaluateRules(t *testing.T) {
	cases := []struct {
		name          string
		labels, alarm string
		w             int
		want          counts
	}{
		{"alarm inside the event", "0011100000", "0001000000", 2, counts{1, 1, 0}},
		{"alarm within W after it", "0011100000", "0000001000", 2, counts{1, 1, 0}},
		{"alarm past W", "0011100000", "0000000100", 2, counts{1, 0, 1}},
		{"alarm before the event", "0000111000", "0100000000", 2, counts{1, 0, 1}},
		{"false alarms within W count once", "0000000000", "1101000000", 2, counts{0, 0, 1}},
		{"false alarms apart count twice", "0000000000", "1000100000", 2, counts{0, 0, 2}},
		{"two events, one found", "1100000110", "0000000010", 1, counts{2, 1, 0}},
		{"many alarms in one event", "0111111100", "0111111100", 2, counts{1, 1, 0}},
	}
	for _, c := range cases {
		if got := evaluate(bools(c.labels), bools(c.alarm), c.w); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

func TestReport(t *testing.T) {
	r := counts{events: 4, detected: 2, falsePos: 2}.report(3)
	if r.Precision != 0.5 || r.Recall != 0.5 || r.F1 != 0.5 || r.Series != 3 {
		t.Errorf("%+v", r)
	}
	if r := (counts{}).report(1); r.F1 != 0 {
		t.Errorf("empty: %+v", r)
	}
}
