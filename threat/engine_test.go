package threat

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// paramDetector fires rule on every query value containing needle.
type paramDetector struct {
	name, family, rule, needle string
	conf                       float64
}

func (d paramDetector) Name() string { return d.name }
func (d paramDetector) Detect(req *Request, dst []Signal) []Signal {
	for _, p := range req.Params {
		if strings.Contains(p.Value, d.needle) {
			dst = append(dst, Signal{Detector: d.name, Family: d.family, Rule: d.rule, Confidence: d.conf, Location: "query:" + p.Name})
		}
	}
	return dst
}

type panicky struct{}

func (panicky) Name() string                       { return "panicky" }
func (panicky) Detect(*Request, []Signal) []Signal { panic("bug") }

type observer struct {
	paramDetector
	mu  sync.Mutex
	got []int
}

func (o *observer) Observe(client, route string, status int, at time.Time) {
	o.mu.Lock()
	o.got = append(o.got, status)
	o.mu.Unlock()
}

var (
	strong = paramDetector{name: "strong", family: "signature", rule: "strong.rule", needle: "EVIL", conf: 0.999}
	weakA  = paramDetector{name: "weakA", family: "signature", rule: "weak.a", needle: "hmm", conf: 0.6}
	weakB  = paramDetector{name: "weakB", family: "behavior", rule: "weak.b", needle: "hmm", conf: 0.6}
)

// blockAt is the score the default strictness refuses a request at.
const blockAt = 0.8

func assess(t *testing.T, cfg Config, target string) Assessment {
	t.Helper()
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return assessWith(e, target, "client")
}

func assessWith(e *Engine, target, client string) Assessment {
	req := e.Parse(httptest.NewRequest("GET", target, nil), client, "", time.Now(), Limits{})
	defer e.Release(req)
	return e.Assess(context.Background(), req)
}

func TestEngineVerdicts(t *testing.T) {
	tests := []struct {
		name      string
		cfg       Config
		target    string
		block     bool
		minLevel  Level
		topRule   string
		reasonsLE int
	}{
		{name: "benign", cfg: Config{Detectors: []Detector{strong}}, target: "/?q=shoes", block: false},
		{name: "strong signature blocks", cfg: Config{Detectors: []Detector{strong, weakA}}, target: "/?q=EVIL&r=hmm", block: true, minLevel: LevelHigh, topRule: "strong.rule"},
		{name: "one weak hint does not block", cfg: Config{Detectors: []Detector{weakA}}, target: "/?q=hmm", block: false, minLevel: LevelNone},
		{name: "disabled detector is skipped", cfg: Config{Detectors: []Detector{strong}, Disabled: []string{"strong"}}, target: "/?q=EVIL", block: false},
		{name: "weight zero silences", cfg: Config{Detectors: []Detector{strong}, Weights: map[string]float64{"strong": 0}}, target: "/?q=EVIL", block: false},
		{name: "panicking detector does not take the request down", cfg: Config{Detectors: []Detector{panicky{}, strong}}, target: "/?q=EVIL", block: true, topRule: "strong.rule"},
		{name: "one rule at many places counts once", cfg: Config{Detectors: []Detector{weakA}}, target: "/?a=hmm&b=hmm&c=hmm&d=hmm&e=hmm&f=hmm&g=hmm", block: false},
		{name: "reasons are capped", cfg: Config{Detectors: []Detector{strong}, MaxSignals: 2}, target: "/?a=EVIL&b=EVIL&c=EVIL", block: true, reasonsLE: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := assess(t, tt.cfg, tt.target)
			if got := a.Score >= blockAt; got != tt.block {
				t.Errorf("blocks = %v (score %.3f), want %v", got, a.Score, tt.block)
			}
			if a.Level < tt.minLevel {
				t.Errorf("Level = %v, want at least %v", a.Level, tt.minLevel)
			}
			if tt.topRule != "" && (len(a.Signals) == 0 || a.Signals[0].Rule != tt.topRule) {
				t.Errorf("reasons = %+v, want %s first", a.Signals, tt.topRule)
			}
			if tt.reasonsLE > 0 && len(a.Signals) > tt.reasonsLE {
				t.Errorf("%d reasons, want at most %d", len(a.Signals), tt.reasonsLE)
			}
			if a.Score < 0 || a.Score > 1 {
				t.Errorf("score %v outside [0,1]", a.Score)
			}
		})
	}
}

func TestConsensusRaisesScore(t *testing.T) {
	one := assess(t, Config{Detectors: []Detector{weakA}}, "/?q=hmm")
	two := assess(t, Config{Detectors: []Detector{weakA, weakB}}, "/?q=hmm")
	if !(two.Score > one.Score) {
		t.Fatalf("two agreeing families score %.3f, one family %.3f", two.Score, one.Score)
	}
}

func TestConfigErrorsNameTheField(t *testing.T) {
	bad := neutralModel()
	bad.p.Levels[0] = 2
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"nil detector", Config{Detectors: []Detector{nil}}, "Config.Detectors[0]"},
		{"duplicate", Config{Detectors: []Detector{strong, strong}}, "duplicate"},
		{"negative weight", Config{Detectors: []Detector{strong}, Weights: map[string]float64{"strong": -1}}, "Config.Weights"},
		{"unknown weight", Config{Weights: map[string]float64{"nope": 1}}, "Config.Weights"},
		{"model", Config{Model: bad}, "Config.Model"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want mention of %q", err, tt.want)
			}
		})
	}
}

func TestModelSwapAndRollback(t *testing.T) {
	e, err := New(Config{Detectors: []Detector{weakA}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Models().Rollback(); !errors.Is(err, ErrNoPrevious) {
		t.Fatalf("Rollback with no history = %v", err)
	}
	r := func() Assessment { return assessWith(e, "/?q=hmm", "c") }
	if r().Score >= blockAt {
		t.Fatal("weak hint blocks under the neutral model")
	}
	trained := neutralModel()
	trained.p.Version = "v2"
	trained.p.LLR = map[string]float64{"weak.a": 8}
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ { // readers while the model changes (run with -race)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				r()
			}
		}()
	}
	if err := e.Models().Swap(trained); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if a := r(); a.Score < blockAt || a.Model != "v2" || e.Models().Active().Version() != "v2" {
		t.Fatalf("swapped model not in use: %+v", a)
	}
	bad := neutralModel()
	bad.p.Levels = [4]float64{0.5, 0.4, 0.6, 0.9}
	if err := e.Models().Swap(bad); !errors.Is(err, ErrBadModel) {
		t.Fatalf("invalid model accepted: %v", err)
	}
	if _, err := e.Models().Rollback(); err != nil {
		t.Fatal(err)
	}
	if a := r(); a.Score >= blockAt || a.Model != "neutral" {
		t.Fatal("rollback did not restore the previous model")
	}
}

// A challenger model scores every request beside the active one and is never
// enforced; a canary scores the clients of its fraction.
func TestChallengerAndCanaryModels(t *testing.T) {
	e, err := New(Config{Detectors: []Detector{weakA}})
	if err != nil {
		t.Fatal(err)
	}
	if a := assessWith(e, "/?q=hmm", "c"); a.Challenger != -1 {
		t.Fatalf("challenger score %v without a challenger", a.Challenger)
	}
	cand := neutralModel()
	cand.p.Version = "candidate"
	cand.p.LLR = map[string]float64{"weak.a": 8}
	if err := e.Models().SetChallenger(cand); err != nil {
		t.Fatal(err)
	}
	a := assessWith(e, "/?q=hmm", "c")
	if a.Model != "neutral" || a.Score >= blockAt || a.Challenger < blockAt || a.ChallengerModel != "candidate" {
		t.Fatalf("challenger: %+v (the active model decides, the challenger only scores)", a)
	}
	_ = e.Models().SetChallenger(nil)
	if err := e.Models().SetCanary(cand, 0.5); err != nil {
		t.Fatal(err)
	}
	canaried := 0
	for i := 0; i < 400; i++ {
		client := "198.51.100." + string(rune('a'+i%26)) + string(rune('a'+i/26))
		a := assessWith(e, "/?q=hmm", client)
		_, in := e.Models().For(client)
		if in != (a.Model == "candidate") || in != (a.Score >= blockAt) {
			t.Fatalf("client %s: canary %v, assessed by %s at %.3f", client, in, a.Model, a.Score)
		}
		if in {
			canaried++
		}
	}
	if canaried < 140 || canaried > 260 {
		t.Fatalf("%d of 400 clients in a 50%% canary", canaried)
	}
}

func TestParseModelRejectsBadInput(t *testing.T) {
	for _, in := range []string{``, `{`, `{"levels":[0.9,0.2,0.3,0.4]}`, `{"levels":[0.1,0.2,0.3,0.4],"llr":{"x":1e999}}`} {
		if _, err := ParseModel([]byte(in)); !errors.Is(err, ErrBadModel) {
			t.Errorf("ParseModel(%q) = %v", in, err)
		}
	}
}

func TestObserveReachesObservers(t *testing.T) {
	o := &observer{paramDetector: paramDetector{name: "obs", rule: "obs"}}
	e, err := New(Config{Detectors: []Detector{o}})
	if err != nil {
		t.Fatal(err)
	}
	e.Observe("c", "/login", 401, time.Now())
	if len(o.got) != 1 || o.got[0] != 401 {
		t.Fatalf("observer got %v", o.got)
	}
}

func FuzzNewRequest(f *testing.F) {
	f.Add("GET", "/s?q=%27%20OR%201%3D1--&page=2", "", "", "a=b; c=%3Cd")
	f.Add("POST", "/login", "application/x-www-form-urlencoded", "user=ann&pass=%252e%252e", "")
	f.Add("POST", "/api", "application/json", `{"a":[1,{"b":"\u003c"}],"__proto__":{}}`, "")
	f.Add("PUT", "/%c0%af", "text/xml", "<x>&lt;</x>", "")
	f.Fuzz(func(t *testing.T, method, target, ctype, body, cookie string) {
		r := httptest.NewRequest("GET", "/", strings.NewReader(body))
		r.Method = method
		path, query, _ := strings.Cut(target, "?")
		r.URL.Path, r.URL.RawQuery = path, query
		r.Header.Set("Content-Type", ctype)
		r.Header.Set("Cookie", cookie)
		req := NewRequest(r, "c", "", Limits{MaxParams: 64})
		if len(req.Params) > 64 {
			t.Fatalf("%d params", len(req.Params))
		}
		e, _ := New(Config{Detectors: []Detector{strong}})
		if a := e.Assess(context.Background(), req); a.Score < 0 || a.Score > 1 {
			t.Fatalf("score %v", a.Score)
		}
	})
}

// combine lists reasons strongest first, keeps the signals' order among
// equals and counts each rule once, with few signals (stack buffers) and
// many (heap).
func TestCombineReasonOrder(t *testing.T) {
	m := neutralModel()
	for _, n := range []int{3, 31, 32, 33, 80} {
		sigs := make([]Signal, n)
		for i := range sigs {
			// distinct rules; confidences cycle through five values, so ties exist
			sigs[i] = Signal{Detector: "d", Family: "f", Rule: "r" + string(rune('A'+i%26)) + string(rune('a'+i/26)), Confidence: float64(1+i%5) / 10}
		}
		a := m.combine(sigs, nil, 100)
		if len(a.Signals) != n {
			t.Fatalf("%d signals of distinct rules: %d reasons", n, len(a.Signals))
		}
		pos := map[string]int{}
		for i, s := range sigs {
			pos[s.Rule] = i
		}
		for k := 1; k < len(a.Signals); k++ {
			p, q := a.Signals[k-1], a.Signals[k]
			if p.Confidence < q.Confidence {
				t.Fatalf("n=%d: reason %d (%v) weaker than reason %d (%v)", n, k-1, p.Confidence, k, q.Confidence)
			}
			if p.Confidence == q.Confidence && pos[p.Rule] > pos[q.Rule] {
				t.Fatalf("n=%d: equal reasons out of signal order: %s before %s", n, p.Rule, q.Rule)
			}
		}
	}
	// a rule that fired at two locations is one reason, with its stronger evidence
	a := m.Combine([]Signal{{Rule: "x", Family: "f", Confidence: 0.2}, {Rule: "y", Family: "g", Confidence: 0.3}, {Rule: "x", Family: "f", Confidence: 0.6}})
	if len(a.Signals) != 2 || a.Signals[0].Rule != "x" {
		t.Fatalf("reasons %+v, want x (strongest) then y", a.Signals)
	}
}

// timeDetector records the request time the detectors are given.
type timeDetector struct {
	mu  sync.Mutex
	got []time.Time
}

func (d *timeDetector) Name() string { return "time" }
func (d *timeDetector) Detect(req *Request, dst []Signal) []Signal {
	d.mu.Lock()
	d.got = append(d.got, req.Time)
	d.mu.Unlock()
	return dst
}

func TestParseUsesTheCallersTime(t *testing.T) {
	caller := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	d := &timeDetector{}
	e, err := New(Config{Detectors: []Detector{d}})
	if err != nil {
		t.Fatal(err)
	}
	req := e.Parse(httptest.NewRequest("GET", "/", nil), "client", "", caller, Limits{})
	e.Assess(context.Background(), req)
	e.Release(req)
	if len(d.got) != 1 || !d.got[0].Equal(caller) {
		t.Fatalf("request times = %v, want [%v] (Parse's argument)", d.got, caller)
	}
}
