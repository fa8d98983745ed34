package redis

import (
	"context"
	"net"
	"strconv"
	"time"

	"github.com/bulwarkhq/bulwark/internal/backend"
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
	return t.master[slotOf(tag(backend.BoundKey(client)))]
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
	t := new(slotTable)
	set := func(start, end int64, master string) {
		if start < 0 || end >= slotCount || start > end {
			return
		}
		for i := start; i <= end; i++ {
			t.master[i] = master
		}
	}
	shards, err := s.cluster.ClusterShards(ctx).Result()
	if err == nil && len(shards) > 0 {
		for _, sh := range shards {
			for _, n := range sh.Nodes {
				if n.Role != "master" {
					continue
				}
				host, port := n.Endpoint, n.Port
				if host == "" || host == "?" {
					host = n.IP
				}
				if port == 0 {
					port = n.TLSPort
				}
				for _, r := range sh.Slots {
					set(r.Start, r.End, net.JoinHostPort(host, strconv.FormatInt(port, 10)))
				}
			}
		}
		s.slots.Store(t)
		return
	}
	// CLUSTER SHARDS is Redis 7.0+; CLUSTER SLOTS, deprecated since, is
	// what older servers have.
	//lint:ignore SA1019 the fallback for Redis before 7.0
	ranges, err := s.cluster.ClusterSlots(ctx).Result()
	if err != nil || len(ranges) == 0 {
		return
	}
	for _, r := range ranges {
		if len(r.Nodes) > 0 {
			set(int64(r.Start), int64(r.End), r.Nodes[0].Addr)
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
