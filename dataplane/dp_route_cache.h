/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A worker's route cache (worker context, its own memory, no sharing): where
 * the routing stage sent a destination before, so that a routed frame to a
 * destination seen recently costs one line of this cache plus a check of
 * the two table slots the answer came from (both lines prefetched a burst ahead), instead of the prefix scan and
 * two table lookups (the lookup record, then the next hop's MAC in the FDB).
 * An exact-match cache per worker, as Open vSwitch's EMC is per PMD thread.
 *
 * Key: (routing domain, destination address).  Value: the next hop's lookup
 * record (its key and slot in the records' table), the FDB key the record
 * names, and that key's slot in the FDB.  An entry is used only
 * when all of these still hold, checked per frame, so that no change
 * anywhere has to find and flush entries:
 *   - it was filled under the snapshots the burst reads (their generations,
 *     dp_snapshot_gen): the domain's prefixes, routes, attachments and the
 *     subnets' VSIDs are what they were;
 *   - the record still sits in its slot with the same value
 *     (ovl_record_slot_holds): not deleted, not given another MAC;
 *   - the FDB key still sits in its slot (fdb_slot_port), whose value gives
 *     the port as it is now: a MAC that moved is followed at once, exactly
 *     as without the cache.
 * A present key never moves in either table, and a freed slot is reused
 * only after a grace period, so a slot check is as good as a lookup.  And
 * while neither table has counted a change since an entry's port was read
 * (fdb_changes, ovl_record_changes: moves, deletions, records replaced;
 * not new entries nor refreshes), that port is still the answer: a hit then
 * reads no table at all, the common case between two VM moves.
 * Direct-mapped: a destination that collides replaces the entry.
 */
#ifndef VSW_DP_ROUTE_CACHE_H
#define VSW_DP_ROUTE_CACHE_H

#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "crc32c.h"
#include "fdb.h"
#include "ovl.h"

#define DP_ROUTE_CACHE_ENTRIES 8192u /* per worker, a power of two: 512 KiB */

struct dp_route_cache_entry {
	uint64_t gens;		  /**< (switch snapshot gen << 32 | routing snapshot gen); 0: empty */
	uint64_t fdb_key;	  /**< the next hop's FDB key, as its record names it */
	uint64_t rec_key;	  /**< the record (opaque: ovl_record_key_slot_bulk) */
	ovl_record_slot rec_slot; /**< where the record sits */
	fdb_slot_ref fdb_slot;	  /**< where fdb_key sits in the FDB, or NULL */
	rte_be32_t dst;		  /**< destination address */
	rte_be32_t nh;		  /**< next-hop customer address (dst, or a route's via) */
	uint64_t changes;	  /**< dp_route_cache_changes() when 'port' was read */
	uint32_t vsid;		  /**< VSID of the next hop's subnet */
	uint16_t port;		  /**< the FDB's answer then, or FDB_PORT_NONE */
	uint8_t rd;		  /**< routing domain */
} __rte_cache_aligned;

_Static_assert(sizeof(struct dp_route_cache_entry) == RTE_CACHE_LINE_MIN_SIZE,
	       "a route cache entry is one line");

struct dp_route_cache {
	struct dp_route_cache_entry e[DP_ROUTE_CACHE_ENTRIES];
};

/* The generations of the snapshots a burst reads, as an entry keeps them. */
static inline uint64_t
dp_route_cache_gens(uint32_t switch_gen, uint32_t rd_gen)
{
	return (uint64_t)switch_gen << 32 | rd_gen;
}

/*
 * The two tables' change counts as an entry keeps them, one word: the FDB's
 * (fdb_changes) and the records' (ovl_record_changes).
 */
static inline uint64_t
dp_route_cache_changes(uint32_t fdb_changes, uint32_t rec_changes)
{
	return (uint64_t)fdb_changes << 32 | rec_changes;
}

/* The one entry destination 'dst' of routing domain 'rd' may use. */
static inline struct dp_route_cache_entry *
dp_route_cache_slot(struct dp_route_cache *c, uint8_t rd, rte_be32_t dst)
{
	return &c->e[vsw_crc32c_u32(dst, rd) & (DP_ROUTE_CACHE_ENTRIES - 1)];
}

/* Is 'e' the answer for (rd, dst) under snapshots 'gens'? */
static inline bool
dp_route_cache_hit(const struct dp_route_cache_entry *e, uint64_t gens, uint8_t rd,
		   rte_be32_t dst)
{
	return e->gens == gens && e->dst == dst && e->rd == rd;
}

#endif /* VSW_DP_ROUTE_CACHE_H */
