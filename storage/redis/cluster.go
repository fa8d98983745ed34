package redis

import (
	"context"
	"time"

	"github.com/bulwarkhq/bulwark/storage"
)

// slotRefresh is how often a Cluster Store reloads its slot table.
const slotRefresh = 5 * time.Second

// slotCount is the number of Redis Cluster hash slots.
const slotCount = 16384

// slotTable maps each hash slot to the address of its master ("" for a
// slot no master serves).
type slotTable struct {
	master [slotCount]string
}

// Shard returns the address of the master that holds client's keys, from
// the slot table last loaded; "" before the first load, and on a single
// node or Sentinel, where the whole store is one shard.
func (s *Store) Shard(client string) string {
	t := s.slots.Load()
	if t == nil {
		return ""
	}
	return t.master[slotOf(tag(storage.BoundKey(client)))]
}

// refreshSlots loads the slot table now and then every interval until
// Close. A failed load keeps the last table.
func (s *Store) refreshSlots(interval time.Duration) {
	defer close(s.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		s.loadSlots()
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
	}
}

func (s *Store) loadSlots() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	ranges, err := s.cluster.ClusterSlots(ctx).Result()
	if err != nil || len(ranges) == 0 {
		return
	}
	t := new(slotTable)
	for _, r := range ranges {
		if len(r.Nodes) == 0 || r.Start < 0 || r.End >= slotCount || r.Start > r.End {
			continue
		}
		for i := r.Start; i <= r.End; i++ {
			t.master[i] = r.Nodes[0].Addr
		}
	}
	s.slots.Store(t)
}

// slotOf is the Cluster hash slot of a key whose hash tag is tag:
// CRC16-XMODEM mod 16384, as Redis computes it.
func slotOf(tag string) int {
	var crc uint16
	for i := 0; i < len(tag); i++ {
		crc = crc<<8 ^ crcTable[byte(crc>>8)^tag[i]]
	}
	return int(crc) % slotCount
}

var crcTable = func() (t [256]uint16) {
	for i := range t {
		c := uint16(i) << 8
		for range 8 {
			if c&0x8000 != 0 {
				c = c<<1 ^ 0x1021
			} else {
				c <<= 1
			}
		}
		t[i] = c
	}
	return t
}()
