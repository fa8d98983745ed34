package fleet

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"sync"
)

// Pseudonyms turns client keys into the deployment's pseudonyms: the
// first 12 bytes of HMAC-SHA256(key, client key), in lower-case hex. Every
// instance of a deployment holds the same key, so a client has one
// pseudonym across the fleet (history, dashboard bans and canaries line
// up) and the raw key never leaves the instance. A client's pseudonym is
// computed once and cached (two generations of at most Size/2 entries
// each), with the reverse mapping, which lets the Watcher enforce a ban
// made on a pseudonym. It is safe for concurrent use.
type Pseudonyms struct {
	keyID string

	mu       sync.Mutex
	mac      hash.Hash
	sum      []byte
	half     int
	cur, old map[string]string // client key -> pseudonym
	rcur     map[string]map[string]struct{}
	rold     map[string]map[string]struct{} // pseudonym -> client keys
	watch    map[string]struct{}            // pseudonyms decisions name
	onNew    func(pseudonym, client string)
}

// minKeyLen is the shortest pseudonym key accepted.
const minKeyLen = 16

// NewPseudonyms returns the pseudonyms under key (at least 16
// bytes, the same on every instance) named keyID (carried by every event,
// so that a rotation is visible). size bounds the cache; 0 means 200,000.
func NewPseudonyms(key []byte, keyID string, size int) (*Pseudonyms, error) {
	if len(key) < minKeyLen {
		return nil, fmt.Errorf("%w: pseudonym key of %d bytes, want at least %d", ErrConfig, len(key), minKeyLen)
	}
	if err := validName("key id", keyID); err != nil {
		return nil, err
	}
	if size <= 0 {
		size = 200_000
	}
	p := &Pseudonyms{keyID: keyID, mac: hmac.New(sha256.New, key), half: max(size/2, 1), watch: map[string]struct{}{}}
	p.cur, p.old = map[string]string{}, map[string]string{}
	p.rcur, p.rold = map[string]map[string]struct{}{}, map[string]map[string]struct{}{}
	return p, nil
}

// Of returns the pseudonym of client.
func (p *Pseudonyms) Of(client string) string {
	p.mu.Lock()
	ps, ok := p.cur[client]
	if !ok {
		if ps, ok = p.old[client]; !ok {
			p.mac.Reset()
			p.mac.Write([]byte(client))
			p.sum = p.mac.Sum(p.sum[:0])
			ps = hex.EncodeToString(p.sum[:12])
		}
		p.remember(client, ps)
	}
	var notify func(string, string)
	if !ok {
		if _, w := p.watch[ps]; w {
			notify = p.onNew
		}
	}
	p.mu.Unlock()
	if notify != nil {
		notify(ps, client) // outside the lock: it calls the limiter
	}
	return ps
}

// remember caches client's pseudonym. Caller holds mu.
func (p *Pseudonyms) remember(client, ps string) {
	if len(p.cur) >= p.half {
		p.old, p.cur = p.cur, make(map[string]string, p.half)
		p.rold, p.rcur = p.rcur, make(map[string]map[string]struct{})
	}
	p.cur[client] = ps
	s := p.rcur[ps]
	if s == nil {
		s = map[string]struct{}{}
		p.rcur[ps] = s
	}
	s[client] = struct{}{}
}

// clients returns the client keys seen recently whose pseudonym is ps.
func (p *Pseudonyms) clients(ps string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for c := range p.rcur[ps] {
		out = append(out, c)
	}
	for c := range p.rold[ps] {
		if _, dup := p.rcur[ps][c]; !dup {
			out = append(out, c)
		}
	}
	return out
}

// watchPseudonym asks for onNew to be called when a client not yet cached
// turns out to have pseudonym ps (or stops asking).
func (p *Pseudonyms) watchPseudonym(ps string, on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if on {
		p.watch[ps] = struct{}{}
	} else {
		delete(p.watch, ps)
	}
}

func (p *Pseudonyms) setOnNew(f func(pseudonym, client string)) {
	p.mu.Lock()
	p.onNew = f
	p.mu.Unlock()
}
