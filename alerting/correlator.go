package alerting

import (
	"cmp"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bulwarkhq/bulwark/threat"
)

// Bounds of the evidence one incident keeps.
const (
	maxReasons    = 32 // distinct reason ids counted per incident
	maxRoutes     = 8  // distinct routes listed per incident
	maxSamples    = 5  // latest events kept as samples
	reasonsInSnap = 10 // reasons in a notification
)

// correlator groups events into incidents and decides when each incident
// is notified. It is not safe for concurrent use, except Silence and
// Unsilence: the Dispatcher owns one on its worker goroutine, and the
// package's tests drive one directly with ingest and tick.
type correlator struct {
	cfg    Config
	single bool // GroupBy is just the client: the raw key is the group key
	byKey  map[string]*incident
	buf    []byte
	now    time.Time

	silMu    sync.Mutex
	silences []Silence

	incidents, overflow, inhibited, silenced atomic.Uint64
}

type incident struct {
	labels   map[string]string
	fp       string
	baseSev  threat.Level
	sev      threat.Level
	nextEsc  int // index in cfg.Escalation of the next threshold
	count    uint64
	byKind   [3]uint64
	maxScore float64
	first    time.Time
	last     time.Time
	reasons  map[string]uint64
	routes   []string
	samples  [maxSamples]Event
	nsamples uint64

	seq           uint64
	notifiedAt    time.Time
	notifiedCount uint64
	notifiedSev   threat.Level
	handled       bool // a first decision (sent or muted) was taken
}

// newCorrelator returns a correlator for cfg (defaults filled as in New;
// sinks and routes are ignored).
func newCorrelator(cfg Config) (*correlator, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return buildCorrelator(c), nil
}

func buildCorrelator(cfg Config) *correlator {
	return &correlator{
		cfg:    cfg,
		single: len(cfg.GroupBy) == 1 && cfg.GroupBy[0] == LabelClient,
		byKey:  make(map[string]*incident),
	}
}

// Pseudonym returns what alerts show for a raw client key: a keyed hash
// (HMAC-SHA256 with Config.Secret, 80 bits in hex) unless RawClients.
func (c *correlator) Pseudonym(raw string) string {
	if c.cfg.RawClients {
		return raw
	}
	return pseudonym(c.cfg.Secret, raw)
}

func pseudonym(secret []byte, raw string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(raw))
	var sum [sha256.Size]byte
	return "c_" + hex.EncodeToString(m.Sum(sum[:0])[:10])
}

// Ingest adds one event to its incident. It reports false when the event
// opened a new group past MaxIncidents and was dropped (and counted).
func (c *correlator) ingest(e Event) bool {
	if e.Time.IsZero() {
		e.Time = c.now
	}
	var in *incident
	if c.single {
		in = c.byKey[e.Client]
	} else {
		c.buf = c.groupKey(c.buf[:0], &e)
		in = c.byKey[string(c.buf)]
	}
	if in == nil {
		if len(c.byKey) >= c.cfg.MaxIncidents {
			c.overflow.Add(1)
			return false
		}
		in = c.open(&e)
		if c.single {
			c.byKey[e.Client] = in
		} else {
			c.byKey[string(c.buf)] = in
		}
		c.incidents.Add(1)
	}
	in.add(&e, c.cfg.Escalation)
	return true
}

func (c *correlator) groupKey(b []byte, e *Event) []byte {
	for _, l := range c.cfg.GroupBy {
		b = append(b, labelOf(e, l)...)
		b = append(b, 0x1f)
	}
	return b
}

func labelOf(e *Event, l string) string {
	switch l {
	case LabelClient:
		return e.Client
	case LabelRoute:
		return e.Route
	case LabelMethod:
		return e.Method
	case LabelKind:
		return e.Kind.String()
	}
	return ""
}

func (c *correlator) open(e *Event) *incident {
	labels := make(map[string]string, len(c.cfg.GroupBy))
	for _, l := range c.cfg.GroupBy {
		v := labelOf(e, l)
		if l == LabelClient {
			v = c.Pseudonym(v)
		}
		labels[l] = v
	}
	return &incident{
		labels:  labels,
		fp:      fingerprint(labels),
		first:   e.Time,
		reasons: make(map[string]uint64, 4),
	}
}

// fingerprint hashes the sorted labels; with a shared Secret it is the
// same on every replica.
func fingerprint(labels map[string]string) string {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	h := sha256.New()
	for _, k := range keys {
		h.Write([]byte(k))
		h.Write([]byte{'='})
		h.Write([]byte(labels[k]))
		h.Write([]byte{'\n'})
	}
	var sum [sha256.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0])[:12])
}

func (in *incident) add(e *Event, esc []uint64) {
	in.count++
	if int(e.Kind) < len(in.byKind) {
		in.byKind[e.Kind]++
	}
	if e.Score > in.maxScore && !math.IsNaN(e.Score) {
		in.maxScore = min(e.Score, 1)
	}
	if e.Time.After(in.last) {
		in.last = e.Time
	}
	if e.Time.Before(in.first) {
		in.first = e.Time
	}
	for _, r := range e.Reasons {
		if n, ok := in.reasons[r]; ok {
			in.reasons[r] = n + 1
		} else if len(in.reasons) < maxReasons {
			in.reasons[r] = 1
		}
	}
	if e.Route != "" && len(in.routes) < maxRoutes && !slices.Contains(in.routes, e.Route) {
		in.routes = append(in.routes, e.Route)
	}
	smp := *e
	smp.Client = ""
	in.samples[in.nsamples%maxSamples] = smp
	in.nsamples++
	changed := false
	if e.Level > in.baseSev {
		in.baseSev = e.Level
		changed = true
	}
	for in.nextEsc < len(esc) && in.count >= esc[in.nextEsc] {
		in.nextEsc++
		changed = true
	}
	if changed {
		in.sev = min(threat.LevelCritical, in.baseSev+threat.Level(in.nextEsc))
	}
}

// Silence adds or replaces (by ID) a silence. Safe for concurrent use.
func (c *correlator) Silence(s Silence) {
	c.silMu.Lock()
	defer c.silMu.Unlock()
	c.silences = slices.DeleteFunc(c.silences, func(o Silence) bool { return o.ID == s.ID })
	c.silences = append(c.silences, s)
}

// Unsilence removes the silence with that ID. Safe for concurrent use.
func (c *correlator) Unsilence(id string) {
	c.silMu.Lock()
	defer c.silMu.Unlock()
	c.silences = slices.DeleteFunc(c.silences, func(o Silence) bool { return o.ID == id })
}

// len returns the number of incidents held.
func (c *correlator) len() int { return len(c.byKey) }

// tick advances the correlator to now and returns the notifications due:
// new incidents past GroupWait, escalations, updates past GroupInterval,
// repeats past RepeatInterval. Muted (inhibited or silenced) notifications
// are counted and not returned. Idle incidents past ResolveTimeout with
// nothing left to say are forgotten.
func (c *correlator) tick(now time.Time) []Alert {
	return c.advance(now, false)
}

// flush returns a notification for every incident with events not yet
// notified, regardless of windows (used on Close).
func (c *correlator) flush(now time.Time) []Alert {
	return c.advance(now, true)
}

func (c *correlator) advance(now time.Time, flush bool) []Alert {
	c.now = now
	silences := c.activeSilences(now)
	inhibit := c.inhibitSources(now)
	var out []Alert
	for key, in := range c.byKey {
		reason := c.due(in, now, flush)
		if reason != "" {
			muted := false
			switch {
			case c.isInhibited(in, inhibit):
				c.inhibited.Add(1)
				muted = true
			case silencedBy(in, silences):
				c.silenced.Add(1)
				muted = true
			}
			if !muted {
				in.seq++
				out = append(out, in.snapshot(reason))
			}
			in.handled = true
			in.notifiedAt = now
			in.notifiedCount = in.count
			in.notifiedSev = in.sev
		}
		if now.Sub(in.last) >= c.cfg.ResolveTimeout && in.handled && in.count == in.notifiedCount {
			delete(c.byKey, key)
		}
	}
	slices.SortFunc(out, func(a, b Alert) int {
		return cmp.Or(cmp.Compare(b.Priority, a.Priority), strings.Compare(a.Fingerprint, b.Fingerprint))
	})
	return out
}

func (c *correlator) due(in *incident, now time.Time, flush bool) string {
	pending := in.count > in.notifiedCount
	switch {
	case !in.handled:
		if flush || now.Sub(in.first) >= c.cfg.GroupWait {
			return "new"
		}
	case in.sev > in.notifiedSev:
		return "escalated"
	case pending && (flush || now.Sub(in.notifiedAt) >= c.cfg.GroupInterval):
		if flush {
			return "flush"
		}
		return "update"
	case !flush && now.Sub(in.notifiedAt) >= c.cfg.RepeatInterval && now.Sub(in.last) < c.cfg.ResolveTimeout:
		return "repeat"
	}
	return ""
}

func (c *correlator) activeSilences(now time.Time) []Silence {
	c.silMu.Lock()
	defer c.silMu.Unlock()
	c.silences = slices.DeleteFunc(c.silences, func(s Silence) bool { return !now.Before(s.Until) })
	return slices.Clone(c.silences)
}

func matches(labels map[string]string, sev threat.Level, m map[string]string) bool {
	for k, v := range m {
		if k == LabelLevel {
			if sev.String() != v {
				return false
			}
			continue
		}
		if labels[k] != v {
			return false
		}
	}
	return true
}

func silencedBy(in *incident, ss []Silence) bool {
	for _, s := range ss {
		if matches(in.labels, in.sev, s.Match) {
			return true
		}
	}
	return false
}

// inhibitSources returns, per rule, the Equal-label keys of active
// incidents at or above the rule's source level.
func (c *correlator) inhibitSources(now time.Time) []map[string]bool {
	if len(c.cfg.Inhibit) == 0 {
		return nil
	}
	out := make([]map[string]bool, len(c.cfg.Inhibit))
	for i, r := range c.cfg.Inhibit {
		for _, in := range c.byKey {
			if in.sev >= r.SourceMin && now.Sub(in.last) < c.cfg.ResolveTimeout {
				if out[i] == nil {
					out[i] = map[string]bool{}
				}
				out[i][equalKey(in.labels, r.Equal)] = true
			}
		}
	}
	return out
}

func equalKey(labels map[string]string, equal []string) string {
	var b strings.Builder
	for _, l := range equal {
		b.WriteString(labels[l])
		b.WriteByte(0x1f)
	}
	return b.String()
}

func (c *correlator) isInhibited(in *incident, sources []map[string]bool) bool {
	for i, r := range c.cfg.Inhibit {
		if in.sev < r.SourceMin && sources[i][equalKey(in.labels, r.Equal)] {
			return true
		}
	}
	return false
}

func (in *incident) priority() int {
	p := float64(in.sev)*20 + in.maxScore*10 + min(10, 3.3*math.Log10(float64(in.count)+1))
	return int(min(100, math.Round(p)))
}

func (in *incident) snapshot(reason string) Alert {
	a := Alert{
		Fingerprint: in.fp,
		Labels:      make(map[string]string, len(in.labels)),
		Level:       in.sev,
		Priority:    in.priority(),
		Sequence:    in.seq,
		Trigger:     reason,
		Count:       in.count,
		Threat:      in.byKind[KindThreat],
		RateLimit:   in.byKind[KindRateLimit],
		Penalty:     in.byKind[KindPenalty],
		MaxScore:    in.maxScore,
		FirstSeen:   in.first,
		LastSeen:    in.last,
		Routes:      slices.Clone(in.routes),
	}
	for k, v := range in.labels {
		a.Labels[k] = v
	}
	for r, n := range in.reasons {
		a.Reasons = append(a.Reasons, ReasonCount{r, n})
	}
	slices.SortFunc(a.Reasons, func(x, y ReasonCount) int {
		return cmp.Or(cmp.Compare(y.Count, x.Count), strings.Compare(x.Reason, y.Reason))
	})
	if len(a.Reasons) > reasonsInSnap {
		a.Reasons = a.Reasons[:reasonsInSnap]
	}
	n := min(in.nsamples, maxSamples)
	for i := in.nsamples - n; i < in.nsamples; i++ {
		smp := in.samples[i%maxSamples]
		smp.Reasons = slices.Clone(smp.Reasons)
		a.Samples = append(a.Samples, smp)
	}
	a.Summary = summary(&a)
	return a
}

func summary(a *Alert) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s incident", a.Level)
	if c, ok := a.Labels[LabelClient]; ok {
		fmt.Fprintf(&b, " from client %s", c)
	}
	fmt.Fprintf(&b, ": %d events (%d threat, %d rate-limit, %d penalty)", a.Count, a.Threat, a.RateLimit, a.Penalty)
	if a.MaxScore > 0 {
		fmt.Fprintf(&b, ", max score %.2f", a.MaxScore)
	}
	if len(a.Routes) > 0 {
		fmt.Fprintf(&b, " on %s", strings.Join(a.Routes[:min(3, len(a.Routes))], ", "))
	}
	if len(a.Reasons) > 0 {
		b.WriteString("; top reasons:")
		for i, r := range a.Reasons[:min(3, len(a.Reasons))] {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, " %s (%d)", r.Reason, r.Count)
		}
	}
	return b.String()
}

// clone returns a deep copy of a: sinks may keep or modify what they get.
func (a *Alert) clone() Alert {
	c := *a
	c.Labels = maps.Clone(a.Labels)
	c.Reasons = slices.Clone(a.Reasons)
	c.Routes = slices.Clone(a.Routes)
	c.Samples = slices.Clone(a.Samples)
	for i := range c.Samples {
		c.Samples[i].Reasons = slices.Clone(c.Samples[i].Reasons)
	}
	return c
}
