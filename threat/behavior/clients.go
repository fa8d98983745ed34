package behavior

// clientTable is a shard's index of its profiles by client: open
// addressing with linear probing over the clients' seeded hashes, which
// choosing the shard has computed already (a map hashed each client
// again), and whose slots are compared before the keys. A slot holds the
// hash and the profile; a nil profile marks a free slot. The shard's lock
// guards it.
type clientTable struct {
	slots []clientSlot // a power of two long, nil until the first client
	n     int          // profiles held
}

type clientSlot struct {
	h uint64
	p *profile
}

// home returns the slot h probes from: the hash's high half, as the shard
// was chosen from all of it.
func (t *clientTable) home(h uint64) int { return int(h>>32) & (len(t.slots) - 1) }

// get returns the profile of client, whose hash is h, or nil.
func (t *clientTable) get(h uint64, client string) *profile {
	if t.n == 0 {
		return nil
	}
	mask := len(t.slots) - 1
	for i := t.home(h); ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.p == nil {
			return nil
		}
		if s.h == h && s.p.key == client {
			return s.p
		}
	}
}

// put adds p, whose key hashes to h and is not in the table.
func (t *clientTable) put(h uint64, p *profile) {
	if 4*(t.n+1) > 3*len(t.slots) {
		t.grow()
	}
	t.place(h, p)
	t.n++
}

// place stores p in the first free slot from h's home.
func (t *clientTable) place(h uint64, p *profile) {
	mask := len(t.slots) - 1
	i := t.home(h)
	for t.slots[i].p != nil {
		i = (i + 1) & mask
	}
	t.slots[i] = clientSlot{h, p}
}

// grow doubles the slots (sixteen at first), at most three quarters full.
func (t *clientTable) grow() {
	old := t.slots
	t.slots = make([]clientSlot, max(16, 2*len(old)))
	for _, s := range old {
		if s.p != nil {
			t.place(s.h, s.p)
		}
	}
}

// remove takes out p, whose key hashes to h and which the table holds.
// The slots after it that would no longer be found from their home move
// back into the gap (Knuth's algorithm R), so that no slot is marked
// deleted and a probe still ends at the first free slot.
func (t *clientTable) remove(h uint64, p *profile) {
	mask := len(t.slots) - 1
	i := t.home(h)
	for t.slots[i].p != p {
		i = (i + 1) & mask
	}
	for j := i; ; {
		j = (j + 1) & mask
		if t.slots[j].p == nil {
			break
		}
		// slot j stays where it is when its home lies cyclically in
		// (i, j]: a probe from there never passes the gap at i
		k := t.home(t.slots[j].h)
		if i <= j && i < k && k <= j || i > j && (i < k || k <= j) {
			continue
		}
		t.slots[i] = t.slots[j]
		i = j
	}
	t.slots[i] = clientSlot{}
	t.n--
}
