package behavior

import (
	"fmt"
	"net/http"
	"reflect"
	"testing"
	"time"
	"unsafe"

	"github.com/bulwarkhq/bulwark/internal/feature"
	"github.com/bulwarkhq/bulwark/threat"
)

var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

const firefox = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"

func browserHeader() http.Header {
	return http.Header{
		"Accept":          {"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
		"Accept-Language": {"en-GB,en;q=0.5"},
		"Accept-Encoding": {"gzip, deflate, br"},
		"User-Agent":      {firefox},
	}
}

// step is one request of a scenario and the status its handler answered.
type step struct {
	path   string
	ua     string
	hdr    http.Header
	status int
	gap    time.Duration
}

func run(t *testing.T, d *Detector, client string, steps []step) [][]threat.Signal {
	t.Helper()
	at := t0
	out := make([][]threat.Signal, len(steps))
	for i, s := range steps {
		at = at.Add(s.gap)
		ua, hdr := s.ua, s.hdr
		if ua == "" {
			ua = firefox
		}
		if hdr == nil {
			hdr = browserHeader()
		}
		req := &threat.Request{Method: "GET", Path: s.path, Client: client, Time: at, UserAgent: ua, Header: hdr}
		out[i] = d.Detect(req, nil)
		d.Observe(client, "", s.status, at.Add(time.Millisecond))
	}
	return out
}

func rules(sigs []threat.Signal) map[string]bool {
	m := map[string]bool{}
	for _, s := range sigs {
		m[s.Rule] = true
		if s.Confidence <= 0 || s.Confidence > 1 {
			panic(fmt.Sprintf("confidence %v out of range", s.Confidence))
		}
	}
	return m
}

func repeat(n int, f func(i int) step) []step {
	s := make([]step, n)
	for i := range s {
		s[i] = f(i)
	}
	return s
}

// jitter returns a deterministic, irregular gap around mean.
func jitter(i int, mean time.Duration) time.Duration {
	return mean/2 + time.Duration((i*7919)%97)*mean/97
}

func TestScenarios(t *testing.T) {
	pages := []string{"/", "/products", "/products/42", "/cart", "/products/17", "/search", "/products/42", "/account"}
	uas := []string{firefox, "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
		"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
		"curl/8.5.0", "python-requests/2.32.3"}
	tests := []struct {
		name  string
		steps []step
		want  string // rule expected on the last request; "" for none
	}{
		{"benign browsing", repeat(60, func(i int) step {
			st := 200
			if i%20 == 7 {
				st = 404
			}
			return step{path: pages[i%len(pages)], status: st, gap: jitter(i, 3*time.Second)}
		}), ""},
		{"flood", repeat(40, func(i int) step { return step{path: "/api/items", status: 200, gap: 10 * time.Millisecond} }), "behavior.flood"},
		{"credential stuffing", repeat(30, func(i int) step {
			return step{path: "/api/login", status: 401, gap: jitter(i, 400*time.Millisecond)}
		}), "behavior.auth-failures"},
		{"404 scanner", repeat(30, func(i int) step {
			return step{path: fmt.Sprintf("/%s.php", []string{"admin", "wp-login", "phpmyadmin", "config", "backup", "test", "old", "db"}[i%8]) + fmt.Sprint(i), status: 404, gap: jitter(i, 300*time.Millisecond)}
		}), "behavior.scan-404"},
		{"scraper", repeat(40, func(i int) step {
			return step{path: fmt.Sprintf("/products/%d", 1000+i), status: 200, gap: 2 * time.Second}
		}), "behavior.scrape"},
		{"user agent rotation", repeat(30, func(i int) step {
			return step{path: pages[i%len(pages)], ua: uas[i%len(uas)], status: 200, gap: jitter(i, 2*time.Second)}
		}), "behavior.ua-rotation"},
		{"header set rotation", repeat(30, func(i int) step {
			h := browserHeader()
			for k := 0; k < i%6; k++ {
				h.Set(fmt.Sprintf("X-Extra-%d", k), "1")
			}
			return step{path: pages[i%len(pages)], hdr: h, status: 200, gap: jitter(i, 2*time.Second)}
		}), "behavior.header-rotation"},
		{"browser user agent without accept headers", repeat(20, func(i int) step {
			return step{path: pages[i%len(pages)], hdr: http.Header{"User-Agent": {firefox}, "Host": {"example.com"}}, status: 200, gap: jitter(i, 2*time.Second)}
		}), "bot.browser-headers"},
		{"server errors", repeat(30, func(i int) step {
			return step{path: pages[i%len(pages)], status: 500, gap: jitter(i, 2*time.Second)}
		}), "behavior.server-errors"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := New(Config{})
			if err != nil {
				t.Fatal(err)
			}
			out := run(t, d, "203.0.113.7", tc.steps)
			for i := 0; i < d.cfg.MinRequests-1; i++ {
				if len(out[i]) != 0 {
					t.Fatalf("request %d of a fresh client: signals %+v", i, out[i])
				}
			}
			got := rules(out[len(out)-1])
			if tc.want == "" {
				if len(got) != 0 {
					t.Fatalf("benign client: signals %v", got)
				}
				return
			}
			if !got[tc.want] {
				t.Fatalf("want %s, got %v", tc.want, got)
			}
		})
	}
}

func TestFreshClientsNoSignal(t *testing.T) {
	d, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 1000; i++ {
		req := &threat.Request{Method: "GET", Path: "/login", Client: fmt.Sprintf("198.51.100.%d:%d", i%256, i), Time: t0, UserAgent: firefox, Header: browserHeader()}
		if sigs := d.Detect(req, nil); len(sigs) != 0 {
			t.Fatalf("fresh client %d: %+v", i, sigs)
		}
		d.Observe(req.Client, "", 401, t0)
	}
}

func TestBotHeuristics(t *testing.T) {
	tests := []struct {
		name string
		ua   string
		hdr  http.Header
		want string
	}{
		{"headless chrome", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36", browserHeader(), "bot.headless"},
		{"phantomjs", "Mozilla/5.0 (Unknown; Linux x86_64) AppleWebKit/538.1 (KHTML, like Gecko) PhantomJS/2.1.1 Safari/538.1", browserHeader(), "bot.headless"},
		{"browser without accept headers, first request", firefox, http.Header{"User-Agent": {firefox}, "Host": {"example.com"}}, ""},
		{"real browser", firefox, browserHeader(), ""},
		{"curl without accept-language", "curl/8.5.0", http.Header{"Accept": {"*/*"}, "User-Agent": {"curl/8.5.0"}}, ""},
		{"no user agent", "", nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, _ := New(Config{})
			sigs := d.Detect(&threat.Request{Path: "/", Client: "c", Time: t0, UserAgent: tc.ua, Header: tc.hdr}, nil)
			got := rules(sigs)
			if tc.want == "" && len(got) != 0 || tc.want != "" && !got[tc.want] {
				t.Fatalf("want %q, got %v", tc.want, got)
			}
			for _, s := range sigs {
				if s.Confidence > 0.25 {
					t.Fatalf("bot heuristic confidence %v is not low", s.Confidence)
				}
			}
		})
	}
	d, _ := New(Config{NoBot: true})
	if sigs := d.Detect(&threat.Request{Client: "c", Time: t0, UserAgent: "HeadlessChrome"}, nil); len(sigs) != 0 {
		t.Fatalf("NoBot: %+v", sigs)
	}
}

func TestBoundedClients(t *testing.T) {
	d, err := New(Config{MaxClients: 64, shards: 4})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5000; i++ {
		d.Detect(&threat.Request{Path: "/", Client: fmt.Sprint(i), Time: t0}, nil)
	}
	if n := d.size(); n > 64 || n < 32 {
		t.Fatalf("tracked %d clients, want at most 64", n)
	}
	// the most recent client is still tracked, the first is gone
	if p := d.find("4999"); p == nil {
		t.Fatal("most recent client evicted")
	}
	if p := d.find("0"); p != nil {
		t.Fatal("least recent client kept")
	}
}

func TestIdleTTLResetsProfile(t *testing.T) {
	d, _ := New(Config{IdleTTL: time.Minute, window: time.Hour})
	steps := repeat(20, func(i int) step { return step{path: "/login", status: 401, gap: time.Second} })
	run(t, d, "c", steps)
	if _, ok := d.featuresAt("c", t0.Add(20*time.Second)); !ok {
		t.Fatal("no features after 20 requests")
	}
	// after the idle TTL, the next request starts a fresh profile
	out := d.Detect(&threat.Request{Path: "/login", Client: "c", Time: t0.Add(time.Hour)}, nil)
	if len(out) != 0 {
		t.Fatalf("signals after idle TTL: %+v", out)
	}
	if _, ok := d.featuresAt("c", t0.Add(time.Hour)); ok {
		t.Fatal("profile not reset after idle TTL")
	}
}

func TestFeaturesWindow(t *testing.T) {
	d, _ := New(Config{window: 10 * time.Second})
	run(t, d, "c", repeat(20, func(i int) step { return step{path: fmt.Sprint("/p/", i), status: 404, gap: 100 * time.Millisecond} }))
	v, ok := d.featuresAt("c", t0.Add(2*time.Second))
	if !ok {
		t.Fatal("no features")
	}
	if v[feature.Ratio404] != 1 || v[feature.PathDiversity] != 1 || v[feature.Rate] < 9 || v[feature.Rate] > 11 {
		t.Fatalf("features %v", v)
	}
	if _, ok := d.featuresAt("c", t0.Add(time.Minute)); ok {
		t.Fatal("events outside the window still counted")
	}
	if buf, ok := d.AppendFeatures(nil, "c"); !ok || len(buf) != feature.Num {
		t.Fatalf("AppendFeatures = %v, %v", buf, ok)
	}
	if buf, ok := d.AppendFeatures(nil, "unknown"); ok || len(buf) != 0 {
		t.Fatalf("AppendFeatures(unknown) = %v, %v", buf, ok)
	}
}

// AppendFeatures serves the vector Detect computed for the request just
// scored; it must always equal a fresh computation, also after Observe
// changed a status and when requests arrive out of order.
func TestAppendFeaturesMatchesFresh(t *testing.T) {
	d, _ := New(Config{Refresh: 1})
	at := t0
	check := func(i int, when string) {
		t.Helper()
		got, ok := d.AppendFeatures(nil, "c")
		s := d.shard(d.hash("c"))
		s.mu.Lock()
		p := s.clients.get(d.hash("c"), "c")
		var want feature.Vector
		n := d.features(p, p.last, &want)
		s.mu.Unlock()
		if ok != (n >= d.cfg.MinRequests) {
			t.Fatalf("request %d %s: ok %v with %d events", i, when, ok, n)
		}
		if ok && feature.Vector(got) != want {
			t.Fatalf("request %d %s: AppendFeatures %v, fresh %v", i, when, got, want)
		}
	}
	for i := range 60 {
		gap := jitter(i, 300*time.Millisecond)
		if i%7 == 3 {
			gap = -time.Second // a late request: its time is before the latest
		}
		at = at.Add(gap)
		d.Detect(&threat.Request{Method: "GET", Path: fmt.Sprint("/p/", i%5), Client: "c", Time: at, UserAgent: firefox, Header: browserHeader()}, nil)
		check(i, "after Detect")
		d.Observe("c", "", []int{200, 404, 401, 500}[i%4], at)
		check(i, "after Observe")
	}
}

// A calm client's features are computed in full every Refresh requests;
// anything unusual (a failure, a signal, a changed agent or header set, a
// request faster than FloodRPS) makes the next request computed in full.
func TestRefresh(t *testing.T) {
	d, _ := New(Config{})
	if d.cfg.Refresh != 4 {
		t.Fatalf("default Refresh %d", d.cfg.Refresh)
	}
	if _, err := New(Config{Refresh: -1}); err == nil {
		t.Fatal("negative Refresh accepted")
	}
	at := t0
	full := 0
	send := func(gap time.Duration, ua string, status int) {
		t.Helper()
		at = at.Add(gap)
		d.Detect(&threat.Request{Method: "GET", Path: "/p", Client: "c", Time: at, UserAgent: ua, Header: browserHeader()}, nil)
		s := d.shard(d.hash("c"))
		s.mu.Lock()
		if p := s.clients.get(d.hash("c"), "c"); int(p.n) >= d.cfg.MinRequests && p.vs.since == 0 {
			full++
		}
		s.mu.Unlock()
		d.Observe("c", "", status, at)
	}
	for range 16 { // history enough for features
		send(2*time.Second, firefox, 200)
	}
	full = 0
	for range 40 {
		send(2*time.Second, firefox, 200)
	}
	if full != 10 {
		t.Fatalf("calm client: %d full computations in 40 requests, want 10", full)
	}
	for _, tc := range []struct {
		name     string
		calm, ua string // agent before and on the unusual request
		gap      time.Duration
		status   int
	}{
		{"after a 401", firefox, firefox, 2 * time.Second, 401},
		{"new user agent", firefox, "curl/8.5.0", 2 * time.Second, 200},
		{"faster than FloodRPS", "curl/8.5.0", "curl/8.5.0", 10 * time.Millisecond, 200},
	} {
		for range 5 { // calm again: the next request would be reused
			send(2*time.Second, tc.calm, 200)
		}
		for full != 1 {
			full = 0
			send(2*time.Second, tc.calm, 200)
		}
		full = 0
		send(tc.gap, tc.ua, tc.status)
		if tc.status >= 400 { // a failure shows on the next request
			full = 0
			send(2*time.Second, tc.ua, 200)
		}
		if full != 1 {
			t.Fatalf("%s: not computed in full", tc.name)
		}
	}
	// a fast client is recomputed on every request a millisecond or more
	// after the last computation, and every Refresh-th request in between
	for _, tc := range []struct {
		gap  time.Duration
		want int
	}{{2 * time.Millisecond, 40}, {100 * time.Microsecond, 10}} {
		full = 0
		for range 40 {
			send(tc.gap, "curl/8.5.0", 200)
		}
		if full < tc.want-1 || full > tc.want {
			t.Fatalf("requests %v apart: %d full computations in 40, want %d", tc.gap, full, tc.want)
		}
	}
	send(2*time.Second, "curl/8.5.0", 200)

	// and the reused vector is what AppendFeatures hands the anomaly
	// detector, which reads it between Detect and Observe
	send(2*time.Second, "curl/8.5.0", 200)
	at = at.Add(2 * time.Second)
	d.Detect(&threat.Request{Method: "GET", Path: "/p", Client: "c", Time: at, UserAgent: "curl/8.5.0", Header: browserHeader()}, nil)
	got, ok := d.AppendFeatures(nil, "c")
	s := d.shard(d.hash("c"))
	s.mu.Lock()
	p := s.clients.get(d.hash("c"), "c")
	want, reused := p.vs.vec, p.vs.since > 0
	s.mu.Unlock()
	if !reused {
		t.Fatal("the request was computed in full; the test wants a reused vector")
	}
	if !ok || feature.Vector(got) != want {
		t.Fatalf("AppendFeatures %v, %v; the request's vector %v", got, ok, want)
	}
}

// A memo slot answers only for the hash it was written for; the
// verdicts Detect reads through the memos match direct computation.
func TestMemo(t *testing.T) {
	var m memo
	h1 := uint64(0xdeadbeef_00000123)
	h2 := h1 ^ 1<<40 // same slot, other tag
	if _, ok := m.get(h1); ok {
		t.Fatal("empty memo answered")
	}
	m.put(h1, 0) // a zero verdict is still an answer
	if v, ok := m.get(h1); !ok || v != 0 {
		t.Fatalf("get = %v, %v", v, ok)
	}
	if _, ok := m.get(h2); ok {
		t.Fatal("colliding hash read another string's verdict")
	}
	m.put(h2, 0x7fff)
	if v, ok := m.get(h2); !ok || v != 0x7fff {
		t.Fatalf("get = %#x, %v", v, ok)
	}
	if _, ok := m.get(h1); ok {
		t.Fatal("evicted verdict still answered")
	}

	d, _ := New(Config{Sequence: defaultSeq(t)})
	paths := []string{"/login", "/api/v1/Session/renew", "/tienda1/publico/anadir.jsp", "/", "/search", "/LOGIN.php"}
	agents := []string{firefox, "Mozilla/5.0 HeadlessChrome/120.0", "curl/8.5", "", "python-requests/2.31 selenium"}
	for range 3 { // first pass fills the memos, the others read them
		for _, p := range paths {
			class, login, _ := d.pathVerdict(p)
			if login != isLogin(p) || class != d.cfg.Sequence.m.Class(p) {
				t.Fatalf("%s: class %d login %v, want %d %v", p, class, login, d.cfg.Sequence.m.Class(p), isLogin(p))
			}
		}
		for _, ua := range agents {
			if got, _ := d.headless(ua); got != match(ua, headlessWords)+1 {
				t.Fatalf("%q: headless %d, want %d", ua, got, match(ua, headlessWords)+1)
			}
		}
	}
}

func TestConfigValidation(t *testing.T) {
	for _, cfg := range []Config{{MaxClients: -1}, {FailureRatio: 2}, {window: -time.Second}} {
		if _, err := New(cfg); err == nil {
			t.Fatalf("New(%+v) accepted", cfg)
		}
	}
	if d, err := New(Config{}); err != nil || d.Detect(nil, nil) != nil {
		t.Fatal("zero Config or nil request")
	}
}

// A ring of events is most of a profile's memory and of the cache lines a
// request touches: keep an event at 24 bytes.
func TestEventSize(t *testing.T) {
	if s := unsafe.Sizeof(event{}); s != 24 {
		t.Fatalf("event is %d bytes, want 24", s)
	}
}

// The LRU order lags accesses by at most a second: a client that keeps
// coming back is kept while a stream of new clients evicts the others.
func TestActiveClientOutlivesNewOnes(t *testing.T) {
	d, err := New(Config{MaxClients: 32, shards: 1, IdleTTL: time.Hour, window: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	at := t0
	for i := 0; i < 2000; i++ {
		at = at.Add(100 * time.Millisecond)
		d.Detect(&threat.Request{Path: "/", Client: fmt.Sprint("new", i), Time: at}, nil)
		if i%8 == 0 {
			d.Detect(&threat.Request{Path: "/", Client: "regular", Time: at}, nil)
		}
	}
	if p := d.find("regular"); p == nil {
		t.Fatal("a client seen every 0.8 s was evicted by clients seen once")
	}
	if p := d.find("new0"); p != nil {
		t.Fatal("the first one-off client is still tracked")
	}
}

// A new client's profile holds its first events itself and takes the
// ring of ringSize only after fewEvents requests, and its feature vector
// only after MinRequests: a one-off client costs three cache lines.
func TestProfileSize(t *testing.T) {
	if s := unsafe.Sizeof(profile{}); s > 192 {
		t.Fatalf("profile is %d bytes, want at most 192", s)
	}
}

// A client's features are the same whether its profile grew from its
// first events to the ring (a new profile) or came with a ring already (a
// profile evicted from another client and reused), request by request.
func TestProfileGrowthAndReuse(t *testing.T) {
	fresh, _ := New(Config{MaxClients: 1, shards: 1, Refresh: 1, window: time.Hour})
	reused, _ := New(Config{MaxClients: 1, shards: 1, Refresh: 1, window: time.Hour})
	at := t0
	for range 2 * ringSize {
		at = at.Add(time.Second)
		reused.Detect(&threat.Request{Path: "/old", Client: "old", Time: at, UserAgent: "curl/8.0"}, nil)
	}
	for i := range 3 * ringSize {
		at = at.Add(jitter(i, 200*time.Millisecond))
		for _, d := range []*Detector{fresh, reused} {
			req := &threat.Request{Method: "GET", Path: fmt.Sprint("/p/", i%3), Client: "c", Time: at, UserAgent: firefox, Header: browserHeader()}
			d.Detect(req, nil)
			d.Observe("c", "", []int{200, 404, 401}[i%3], at)
		}
		a, okA := fresh.featuresAt("c", at)
		b, okB := reused.featuresAt("c", at)
		if a != b || okA != okB {
			t.Fatalf("request %d: fresh profile %v %v, reused %v %v", i, a, okA, b, okB)
		}
		if i == 0 && len(reused.find("c").ev) != ringSize {
			t.Fatal("the evicted profile's ring was not reused")
		}
	}
}

// A profile that starts again, after its client went idle past IdleTTL or
// when an evicted profile is reused for another client, carries nothing of
// its feature vector's state over: request by request, its signals, the
// vector AppendFeatures hands out and the state of its vector are a
// fresh detector's.
func TestRestartedProfileIsFresh(t *testing.T) {
	cfg := Config{MaxClients: 1, shards: 1, IdleTTL: time.Hour, window: time.Hour}
	// the history a profile restarts from: its vector reused (since > 0),
	// recent (vecTime), hot after failures
	history := func(d *Detector, client string, at time.Time) time.Time {
		for i := range 40 {
			at = at.Add(jitter(i, 50*time.Millisecond))
			d.Detect(&threat.Request{Method: "GET", Path: fmt.Sprint("/q/", i%9), Client: client, Time: at, UserAgent: fmt.Sprint("agent/", i%5), Header: browserHeader()}, nil)
			d.Observe(client, "", 401, at)
		}
		return at
	}
	for _, restart := range []string{"idle", "evicted"} {
		t.Run(restart, func(t *testing.T) {
			fresh, _ := New(cfg)
			reused, _ := New(cfg)
			at := history(reused, "c", t0)
			if restart == "evicted" {
				history(reused, "old", at) // evicts "c"; its profile serves "old"
				at = history(reused, "old", at)
				at = at.Add(time.Second) // "c" evicts "old" and takes its profile
			} else {
				at = at.Add(2 * time.Hour)
			}
			for i := range 3 * ringSize {
				at = at.Add(jitter(i, 40*time.Millisecond))
				ua := firefox
				if i%11 == 10 {
					ua = "curl/8.5.0"
				}
				var got [2][]threat.Signal
				var vec [2][]float64
				var ok [2]bool
				var state [2]vecState // nil reads as the zero state
				var hot [2]bool
				for k, d := range []*Detector{fresh, reused} {
					got[k] = d.Detect(&threat.Request{Method: "GET", Path: fmt.Sprint("/p/", i%3), Client: "c", Time: at, UserAgent: ua, Header: browserHeader()}, nil)
					vec[k], ok[k] = d.AppendFeatures(nil, "c")
					s := d.shard(d.hash("c"))
					s.mu.Lock()
					p := s.clients.get(d.hash("c"), "c")
					if p.vs != nil {
						state[k] = *p.vs
					}
					hot[k] = p.hot
					s.mu.Unlock()
					d.Observe("c", "", []int{200, 404, 401}[i%3], at)
				}
				if !reflect.DeepEqual(got[0], got[1]) || !reflect.DeepEqual(vec[0], vec[1]) || ok[0] != ok[1] || state[0] != state[1] || hot[0] != hot[1] {
					t.Fatalf("request %d: fresh %v %v %v %+v hot %v; restarted %v %v %v %+v hot %v",
						i, rules(got[0]), vec[0], ok[0], state[0], hot[0], rules(got[1]), vec[1], ok[1], state[1], hot[1])
				}
			}
		})
	}
}
