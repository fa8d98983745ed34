package behavior

import (
	"bytes"
	"errors"
	"fmt"
	"hash/maphash"
	"math"
	"math/bits"
	"strings"
	"sync"
	"time"

	"github.com/bulwarkhq/bulwark/internal/feature"
	"github.com/bulwarkhq/bulwark/threat"
)

// ringSize is how many recent requests a profile keeps (a power of two).
const ringSize = 32

// fewEvents is how many events a profile holds before it takes a ring of
// ringSize.
const fewEvents = 4

// Config configures a Detector. Its zero value is usable; every field
// documents its default.
type Config struct {
	MaxClients  int           // tracked clients, least recently used evicted first; default 100000
	IdleTTL     time.Duration // a profile idle this long starts afresh; default 30m
	MinRequests int           // requests in the window before any behavioural signal; default 16

	FloodRPS      float64 // sustained request rate that is a flood; default 20
	MinFailures   int     // 401/403 (or 404) responses before auth-failure (or scan) rules; default 8
	FailureRatio  float64 // share of 401/403 (or 404) responses; default 0.5
	ScrapeCV      float64 // inter-arrival CV under which traffic is machine-regular; default 0.15
	RotationCount int     // distinct user agents or header sets that is rotation; default 4

	// Refresh is how often the features of a calm client are computed in
	// full: every Refresh-th request, the others reusing the last vector. A
	// client is recomputed on every request (at most once a millisecond)
	// while anything is unusual: its last verdict had a signal, a response
	// of its was 4xx or 5xx, its user agent or header set changed, or its
	// requests come faster than FloodRPS. Default 4; 1 computes every
	// request.
	Refresh int

	// Sequence scores route transitions; nil disables sequence scoring
	// until a model is swapped in (Detector.Sequences).
	// DefaultSequenceModel returns the embedded one.
	Sequence *SequenceModel
	// NoBot disables the per-request bot heuristics.
	NoBot bool

	// shards is the number of locked maps (default 64). window is the
	// span the features are computed over (default 60 s): it is not a
	// knob, as the anomaly models are trained on features over 60 s.
	// Tests set both.
	shards int
	window time.Duration
}

func (c *Config) fill() error {
	if c.MaxClients < 0 || c.shards < 0 || c.MinRequests < 0 || c.Refresh < 0 || c.IdleTTL < 0 || c.window < 0 ||
		c.FloodRPS < 0 || c.MinFailures < 0 || c.FailureRatio < 0 || c.FailureRatio > 1 || c.ScrapeCV < 0 || c.RotationCount < 0 {
		return errors.New("behavior: negative or out-of-range Config field")
	}
	def := func(p *int, v int) {
		if *p == 0 {
			*p = v
		}
	}
	def(&c.MaxClients, 100000)
	def(&c.shards, 64)
	def(&c.MinRequests, 16)
	def(&c.MinFailures, 8)
	def(&c.RotationCount, 4)
	def(&c.Refresh, 4)
	if c.MinRequests < 2 {
		c.MinRequests = 2
	}
	if c.shards > c.MaxClients {
		c.shards = c.MaxClients
	}
	if c.IdleTTL == 0 {
		c.IdleTTL = 30 * time.Minute
	}
	if c.window == 0 {
		c.window = time.Minute
	}
	if c.FloodRPS == 0 {
		c.FloodRPS = 20
	}
	if c.FailureRatio == 0 {
		c.FailureRatio = 0.5
	}
	if c.ScrapeCV == 0 {
		c.ScrapeCV = 0.15
	}
	return nil
}

// event is one request in a profile's ring: 24 bytes, so that a ring of 32
// spans 12 cache lines.
type event struct {
	at     int64
	path   uint32
	ua     uint32
	hdr    uint32
	status uint16
	class  uint8
	flags  uint8 // evLogin | evBare
}

const (
	evLogin = 1 << iota // the path looks like a login
	evBare              // a browser user agent without Accept nor Accept-Language
)

type profile struct {
	key        string
	prev, next *profile // LRU list of the shard, most recent at head
	moved      int64    // when the profile last moved to the head
	// ev is the ring of recent events, read as ev[(head-i)&(ringSize-1)].
	// It starts as few, room for a client's first events without the
	// whole ring (most clients send a handful of requests, scanners one),
	// and becomes ringSize events once those are full. Until then it
	// never wraps: its events are ev[:n] and head is n.
	ev   []event
	few  [fewEvents]event
	head int32 // next write index
	n    int32 // events held, ≤ ringSize
	last int64
	hot  bool // compute the next request in full: a signal or a failure
	// vs is the state of the feature vector, nil until the profile first
	// holds MinRequests events: a one-off client, most of them, needs
	// none, and its profile stays three cache lines (192 bytes, not 320).
	vs *vecState
}

// vecState is a profile's latest feature vector. Its zero value, and a nil
// *vecState, mean no vector.
type vecState struct {
	// vec is the feature vector of the latest request, computed from vecN
	// events (0: none) or reused from an earlier one (see Config.Refresh);
	// AppendFeatures returns it while vecAt is the latest request's time.
	vec     feature.Vector
	vecN    int
	vecAt   int64
	since   int   // requests since vec was computed in full
	vecTime int64 // when it was
}

type shard struct {
	mu      sync.Mutex
	clients clientTable
	head    *profile
	tail    *profile
	free    *profile // one evicted profile kept for reuse
}

// Detector keeps per-client profiles and scores sustained behaviour. It
// implements threat.Detector and threat.Observer and is safe for concurrent use.
type Detector struct {
	cfg      Config
	floodGap int64 // nanoseconds between requests at FloodRPS
	seed     maphash.Seed
	nameSeed uint64 // nameHash's seed, from seed
	shards   []shard
	perShard int
	agents   memo // user agent → headless marker index + 1
	paths    memo // path → route class << 1 | login, under the sequence model hashed in
	seq      *threat.Holder[*SequenceModel]
}

var (
	_ threat.Detector = (*Detector)(nil)
	_ threat.Observer = (*Detector)(nil)
)

// New returns a Detector; it fails on a negative or out-of-range Config field.
func New(cfg Config) (*Detector, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	d := &Detector{cfg: cfg, seed: maphash.MakeSeed(), shards: make([]shard, cfg.shards),
		floodGap: int64(float64(time.Second) / cfg.FloodRPS), seq: &threat.Holder[*SequenceModel]{}}
	if cfg.Sequence != nil {
		if err := d.seq.Swap(cfg.Sequence); err != nil {
			return nil, fmt.Errorf("behavior: Config.Sequence: %w", err)
		}
	}
	d.nameSeed = maphash.String(d.seed, "header names")
	d.perShard = (cfg.MaxClients + cfg.shards - 1) / cfg.shards
	return d, nil
}

// Name implements threat.Detector.
func (d *Detector) Name() string { return "behavior" }

// hash returns the seeded hash of client, which picks its shard and its
// slot in the shard's table.
func (d *Detector) hash(client string) uint64 { return maphash.String(d.seed, client) }

// shard returns the shard of a client whose hash is h.
func (d *Detector) shard(h uint64) *shard { return &d.shards[h%uint64(len(d.shards))] }

// lookup returns the profile of client, whose hash is h, creating it when
// create is set. The shard lock is held.
func (d *Detector) lookup(s *shard, h uint64, client string, now int64, create bool) *profile {
	p := s.clients.get(h, client)
	if p != nil {
		if now-p.last > int64(d.cfg.IdleTTL) {
			p.n, p.head, p.hot = 0, 0, false
			if p.vs != nil {
				*p.vs = vecState{}
			}
		}
		// The list is in order of moves, at most lruGrain behind the
		// accesses: a move touches two other profiles, each a likely
		// cache miss with many clients, and a client at hundreds of
		// requests a second need not move on every one.
		if p != s.head && (now-p.moved >= lruGrain || now < p.moved) {
			s.unlink(p)
			s.pushFront(p)
			p.moved = now
		}
		return p
	}
	if !create {
		return nil
	}
	for s.tail != nil && (s.clients.n >= d.perShard || now-s.tail.last > int64(d.cfg.IdleTTL)) {
		old := s.tail
		s.unlink(old)
		s.clients.remove(d.hash(old.key), old)
		s.free = old
	}
	if s.free != nil {
		p, s.free = s.free, nil
		ev, vs := p.ev, p.vs // a ring taken keeps serving: events past n are never read
		*p = profile{}
		p.ev = ev
		if vs != nil {
			*vs = vecState{}
			p.vs = vs
		}
		if len(ev) < ringSize {
			p.ev = p.few[:]
		}
	} else {
		p = new(profile)
		p.ev = p.few[:]
	}
	p.key = client
	p.moved = now
	s.clients.put(h, p)
	s.pushFront(p)
	return p
}

// lruGrain is how far a shard's LRU order may lag its clients' requests.
const lruGrain = int64(time.Second)

func (s *shard) unlink(p *profile) {
	if p.prev != nil {
		p.prev.next = p.next
	} else {
		s.head = p.next
	}
	if p.next != nil {
		p.next.prev = p.prev
	} else {
		s.tail = p.prev
	}
	p.prev, p.next = nil, nil
}

func (s *shard) pushFront(p *profile) {
	p.next = s.head
	if s.head != nil {
		s.head.prev = p
	}
	s.head = p
	if s.tail == nil {
		s.tail = p
	}
}

// size returns how many clients are tracked.
func (d *Detector) size() int {
	n := 0
	for i := range d.shards {
		s := &d.shards[i]
		s.mu.Lock()
		n += s.clients.n
		s.mu.Unlock()
	}
	return n
}

var (
	loginWords    = words("login", "signin", "sign-in", "logon", "auth", "session", "token", "password", "entrar")
	headlessWords = words("headlesschrome", "phantomjs", "selenium", "puppeteer", "playwright", "webdriver")
)

func words(ws ...string) [][]byte {
	out := make([][]byte, len(ws))
	for i, w := range ws {
		out[i] = []byte(w)
	}
	return out
}

// lower writes the ASCII lower case of at most len(buf) bytes of s into buf.
func lower(buf *[256]byte, s string) []byte {
	n := copy(buf[:], s)
	b := buf[:n]
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return b
}

// match returns the first of ws that s contains (case-insensitive, within
// its first 256 bytes), or -1.
func match(s string, ws [][]byte) int {
	var buf [256]byte
	b := lower(&buf, s)
	for i, w := range ws {
		if bytes.Contains(b, w) {
			return i
		}
	}
	return -1
}

func isLogin(path string) bool { return match(path, loginWords) >= 0 }

// Sequences returns the holder of the sequence model the Detector scores
// route transitions with, for Swap and Rollback.
func (d *Detector) Sequences() *threat.Holder[*SequenceModel] { return d.seq }

// pathVerdict returns the route class and login flag of path, and its hash.
// The memo's key folds in the sequence model, so a swapped model never
// reads a class another model gave.
func (d *Detector) pathVerdict(path string) (class uint8, login bool, h uint64) {
	seq := d.seq.Active()
	h = maphash.String(d.seed, path)
	key := h
	if seq != nil {
		key ^= maphash.Comparable(d.seed, seq)
	}
	v, ok := d.paths.get(key)
	if !ok {
		if seq != nil {
			v = uint16(seq.m.Class(path)) << 1
		}
		if isLogin(path) {
			v |= 1
		}
		d.paths.put(key, v)
	}
	return uint8(v >> 1), v&1 != 0, h
}

// headless returns the index+1 in headlessWords of the marker the user
// agent carries (0: none), and the agent's hash.
func (d *Detector) headless(ua string) (int, uint64) {
	h := maphash.String(d.seed, ua)
	v, ok := d.agents.get(h)
	if !ok {
		v = uint16(match(ua, headlessWords) + 1)
		d.agents.put(h, v)
	}
	return int(v), h
}

// headerSet returns the hash of the set of req's header names: their
// hashes xor'ed, in whatever order the map gives them.
func (d *Detector) headerSet(req *threat.Request) uint32 {
	var h uint32
	for k := range req.Header {
		h ^= uint32(nameHash(d.nameSeed, k)) | 1
	}
	return h
}

// nameHash hashes a header name under seed. Header names are short, and
// a browser sends a dozen a request: eight bytes are mixed in a round (one
// 128-bit multiply, its halves folded, as wyhash does), and the last
// bytes are read in one or two loads that may overlap those before, where
// maphash.String's calls cost twice as much. Every byte is read, and the
// length mixed in first. The seed is random, so that a client cannot make
// two header sets hash alike but by chance; one that could would only hide
// a rotation of its headers, which it can as well not make.
func nameHash(seed uint64, s string) uint64 {
	n := len(s)
	h := mix(seed ^ uint64(n))
	var t uint64
	switch {
	case n >= 8:
		for i := 0; i < n-8; i += 8 {
			h = mix(h ^ load8(s[i:]))
		}
		t = load8(s[n-8:])
	case n >= 4:
		t = uint64(load4(s)) | uint64(load4(s[n-4:]))<<32
	case n > 0:
		t = uint64(s[0]) | uint64(s[n/2])<<8 | uint64(s[n-1])<<16
	}
	return mix(h ^ t)
}

// mix multiplies x by an odd constant into 128 bits and folds the halves.
func mix(x uint64) uint64 {
	hi, lo := bits.Mul64(x, 0x9e3779b97f4a7c15)
	return hi ^ lo
}

// load8 reads the first eight bytes of s as a little-endian word, in one
// load.
func load8(s string) uint64 {
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// load4 reads the first four bytes of s as a little-endian word, in one
// load.
func load4(s string) uint32 {
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}

// Detect records req in its client's profile and appends the behavioural
// signals the profile supports. A client with fewer than MinRequests
// requests in the window gets no behavioural signal.
func (d *Detector) Detect(req *threat.Request, dst []threat.Signal) []threat.Signal {
	if req == nil {
		return dst
	}
	marker, uaHash := d.headless(req.UserAgent)
	if !d.cfg.NoBot && marker > 0 && req.UserAgent != "" {
		dst = append(dst, threat.Signal{Detector: "behavior", Family: "behavior", Rule: "bot.headless", Confidence: 0.2, Location: "header:User-Agent", Evidence: headlessEvidence[marker-1]})
	}
	now := req.Time.UnixNano()
	if req.Time.IsZero() {
		now = time.Now().UnixNano()
	}
	class, login, pathHash := d.pathVerdict(req.Path)
	e := event{at: now, path: uint32(pathHash), ua: uint32(uaHash) | 1, hdr: d.headerSet(req) | 1, class: class}
	if login {
		e.flags |= evLogin
	}
	if bareBrowser(req) {
		e.flags |= evBare
	}
	h := d.hash(req.Client)
	s := d.shard(h)
	s.mu.Lock()
	defer s.mu.Unlock()
	p := d.lookup(s, h, req.Client, now, true)
	unusual := p.n == 0
	if !unusual {
		prev := &p.ev[(p.head-1)&(ringSize-1)]
		unusual = e.ua != prev.ua || e.hdr != prev.hdr || now-prev.at < d.floodGap
	}
	if int(p.head) == len(p.ev) {
		// the first events are full (the ring has not wrapped): take the ring
		ring := make([]event, ringSize)
		copy(ring, p.ev)
		p.ev = ring
	}
	p.ev[p.head] = e
	p.head = (p.head + 1) % ringSize
	if p.n < ringSize {
		p.n++
	}
	if now > p.last {
		p.last = now
	}
	if p.vs != nil {
		p.vs.vecAt = 0
	}
	if int(p.n) < d.cfg.MinRequests {
		return dst
	}
	vs := p.vs
	if vs == nil {
		vs = new(vecState)
		p.vs = vs
	}
	var v feature.Vector
	var n int
	vs.since++
	// Unusual clients are recomputed on every request, but not more than
	// once a millisecond: a client at thousands of requests a second does
	// not change its vector from one request to the next.
	urgent := (unusual || p.hot) && now-vs.vecTime >= int64(time.Millisecond)
	if urgent || vs.vecN == 0 || vs.since >= d.cfg.Refresh || now != p.last {
		n = d.features(p, now, &v)
		vs.since, vs.vecTime = 0, now
		vs.vec, vs.vecN = v, n
		if now != p.last {
			vs.vecN = 0 // a late request's vector is not the latest
		}
	} else {
		v, n = vs.vec, vs.vecN
	}
	if now == p.last {
		vs.vecAt = now
	}
	if n < d.cfg.MinRequests {
		p.hot = false
		return dst
	}
	before := len(dst)
	dst = d.signals(&v, n, dst)
	p.hot = len(dst) > before
	return dst
}

// Observe records the response status of the client's latest request that
// has none yet. It implements threat.Observer.
func (d *Detector) Observe(client, route string, status int, at time.Time) {
	if status <= 0 || status > 999 {
		return
	}
	h := d.hash(client)
	s := d.shard(h)
	s.mu.Lock()
	defer s.mu.Unlock()
	p := d.lookup(s, h, client, at.UnixNano(), false)
	if p == nil {
		return
	}
	for i := int32(1); i <= p.n; i++ {
		e := &p.ev[(p.head-i)&(ringSize-1)]
		if e.status == 0 {
			e.status = uint16(status)
			if p.vs != nil {
				p.vs.vecAt = 0
			}
			if status >= 400 {
				p.hot = true
			}
			return
		}
	}
}

// featuresAt returns the feature vector of client at time at and whether
// the client has enough history (MinRequests requests in the window).
func (d *Detector) featuresAt(client string, at time.Time) (feature.Vector, bool) {
	var v feature.Vector
	h := d.hash(client)
	s := d.shard(h)
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.clients.get(h, client)
	if p == nil {
		return v, false
	}
	n := d.features(p, at.UnixNano(), &v)
	return v, n >= d.cfg.MinRequests
}

// AppendFeatures appends the client's current feature vector (as of its
// latest request) to dst; ok is false, and dst unchanged, while the client
// has too little history. It lets the anomaly package read features without
// importing this package.
func (d *Detector) AppendFeatures(dst []float64, client string) ([]float64, bool) {
	v, ok := d.FeatureVector(client)
	if !ok {
		return dst, false
	}
	return append(dst, v[:]...), true
}

// FeatureVector returns the client's current feature vector, as
// AppendFeatures appends it, by value: the anomaly package reads it so,
// without a buffer to append to. It is an array of a length callers can
// name, the entries AppendFeatures appends, in their order (a model's
// "features" in its JSON name them).
func (d *Detector) FeatureVector(client string) ([feature.Num]float64, bool) {
	var v feature.Vector
	h := d.hash(client)
	s := d.shard(h)
	s.mu.Lock()
	p := s.clients.get(h, client)
	n := 0
	switch {
	case p == nil || int(p.n) < d.cfg.MinRequests:
	case p.vs != nil && p.vs.vecAt != 0 && p.vs.vecAt == p.last:
		v, n = p.vs.vec, p.vs.vecN
	default:
		n = d.features(p, p.last, &v)
	}
	s.mu.Unlock()
	if n < d.cfg.MinRequests {
		return feature.Vector{}, false
	}
	return v, true
}

// features fills v from the events of p within the window ending at now
// and returns how many events it used. The shard lock is held.
func (d *Detector) features(p *profile, now int64, v *feature.Vector) int {
	from := now - int64(d.cfg.window)
	var (
		paths, uas, hdrs   set64
		cls                [ringSize]uint8
		n, obs             int
		c4, cAuth, c404    int
		c5, login, bare    int
		first, last        int64
		gapSum, gapSq, gps float64
		prev               int64
		lastPath, lastUA   uint32
		lastHdr            uint32
	)
	// oldest to newest
	for i := p.n; i >= 1; i-- {
		e := &p.ev[(p.head-i)&(ringSize-1)]
		if e.at < from || e.at > now {
			continue
		}
		if n == 0 {
			first = e.at
		} else {
			// nanoseconds, scaled once at the end: a division per
			// event was a fifth of this function's time
			g := float64(max(e.at-prev, 0))
			gapSum += g
			gapSq += g * g
			gps++
		}
		prev, last = e.at, e.at
		cls[n] = e.class
		n++
		// a client repeats its agent and header set: skip the probe
		// when a value equals the previous event's
		if n == 1 || e.path != lastPath {
			paths.add(e.path)
		}
		if n == 1 || e.ua != lastUA {
			uas.add(e.ua)
		}
		if n == 1 || e.hdr != lastHdr {
			hdrs.add(e.hdr)
		}
		lastPath, lastUA, lastHdr = e.path, e.ua, e.hdr
		if e.flags&evLogin != 0 {
			login++
		}
		if e.flags&evBare != 0 {
			bare++
		}
		if e.status != 0 {
			obs++
			switch st := e.status; {
			case st >= 400 && st < 500:
				c4++
				if st == 401 || st == 403 {
					cAuth++
				}
				if st == 404 {
					c404++
				}
			case st >= 500 && st < 600:
				c5++
			}
		}
	}
	if n == 0 {
		return 0
	}
	span := float64(last-first) / 1e9
	if span < 0.001 {
		span = 0.001
	}
	if n > 1 {
		v[feature.Rate] = math.Min(float64(n-1)/span, 1e4)
	}
	if obs > 0 {
		o := float64(obs)
		v[feature.Ratio4xx] = float64(c4) / o
		v[feature.RatioAuth] = float64(cAuth) / o
		v[feature.Ratio404] = float64(c404) / o
		v[feature.Ratio5xx] = float64(c5) / o
	}
	v[feature.PathDiversity] = float64(paths.n) / float64(n)
	if gps >= 2 {
		gapSum *= 1e-9
		gapSq *= 1e-18
		mean := gapSum / gps
		if mean > 0 {
			variance := math.Max(gapSq/gps-mean*mean, 0)
			v[feature.InterArrivalCV] = math.Sqrt(variance) / mean
		}
	}
	v[feature.UserAgents] = float64(uas.n)
	v[feature.HeaderSets] = float64(hdrs.n)
	if seq := d.seq.Active(); seq != nil {
		if s, k := seq.m.ScoreClasses(cls[:n]); k >= 4 {
			v[feature.SequenceNLL] = s
		}
	}
	v[feature.LoginShare] = float64(login) / float64(n)
	v[feature.BareBrowser] = float64(bare) / float64(n)
	return n
}

// set64 counts distinct non-zero 32-bit values among at most ringSize.
type set64 struct {
	slot [2 * ringSize]uint32
	n    int
}

func (s *set64) add(h uint32) {
	if h == 0 {
		h = 1
	}
	i := h % uint32(len(s.slot))
	for {
		switch s.slot[i] {
		case h:
			return
		case 0:
			s.slot[i] = h
			s.n++
			return
		}
		i = (i + 1) % uint32(len(s.slot))
	}
}

func clamp(x, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, x)) }

func (d *Detector) signals(v *feature.Vector, n int, dst []threat.Signal) []threat.Signal {
	c := &d.cfg
	nf := float64(n)
	sig := func(rule string, conf float64, ev string) {
		dst = append(dst, threat.Signal{Detector: "behavior", Family: "behavior", Rule: rule, Confidence: conf, Location: "client", Evidence: ev})
	}
	if v[feature.Rate] >= c.FloodRPS {
		sig("behavior.flood", clamp(0.5+0.2*(v[feature.Rate]/c.FloodRPS-1), 0.5, 0.9), "request rate above flood threshold")
	}
	// counts are lower bounds: ratios are over observed responses only
	if auth := v[feature.RatioAuth]; auth >= c.FailureRatio && auth*nf >= float64(c.MinFailures)*0.999 {
		conf := clamp(0.4+0.4*auth, 0.4, 0.8)
		if v[feature.LoginShare] >= 0.5 {
			conf = clamp(conf+0.1, 0, 0.9)
		}
		sig("behavior.auth-failures", conf, "many 401/403 responses")
	}
	if r := v[feature.Ratio404]; r >= c.FailureRatio && r*nf >= float64(c.MinFailures)*0.999 && v[feature.PathDiversity] >= 0.5 {
		sig("behavior.scan-404", clamp(0.4+0.4*r*v[feature.PathDiversity], 0.4, 0.85), "many 404 responses over distinct paths")
	}
	if v[feature.PathDiversity] >= 0.8 && v[feature.Rate] > 0 && v[feature.InterArrivalCV] <= c.ScrapeCV && n >= c.MinRequests+8 {
		sig("behavior.scrape", 0.5, "machine-regular requests over distinct paths")
	}
	if v[feature.UserAgents] >= float64(c.RotationCount) {
		sig("behavior.ua-rotation", clamp(0.3+0.05*(v[feature.UserAgents]-float64(c.RotationCount)), 0.3, 0.7), "user agent changes under one client")
	}
	if v[feature.HeaderSets] >= float64(c.RotationCount+1) {
		sig("behavior.header-rotation", 0.3, "header set changes under one client")
	}
	if seq := d.seq.Active(); seq != nil && v[feature.SequenceNLL] > seq.m.Threshold {
		sig("behavior.sequence", clamp(0.3+0.1*(v[feature.SequenceNLL]-seq.m.Threshold), 0.3, 0.6), "unlikely route transitions")
	}
	if v[feature.BareBrowser] >= 0.8 {
		sig("bot.browser-headers", 0.2, "browser user agent without Accept or Accept-Language")
	}
	if v[feature.Ratio5xx] >= c.FailureRatio && v[feature.Ratio5xx]*nf >= float64(c.MinFailures)*0.999 {
		sig("behavior.server-errors", 0.3, "many 5xx responses")
	}
	return dst
}

var headlessEvidence = [...]string{"headlesschrome", "phantomjs", "selenium", "puppeteer", "playwright", "webdriver"}

// bareBrowser reports a browser user agent without Accept nor
// Accept-Language. It counts only when sustained: the header view may be a
// selection, and one request is no evidence.
func bareBrowser(req *threat.Request) bool {
	// direct index: the view's header map is canonical
	return strings.HasPrefix(req.UserAgent, "Mozilla/") && len(req.Header) > 1 &&
		first(req.Header["Accept"]) == "" && first(req.Header["Accept-Language"]) == ""
}

func first(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}
