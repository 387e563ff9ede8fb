/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A worker's route cache (worker context, its own memory, no sharing): where
 * the routing stage sent a destination before, so that a routed frame to a
 * destination seen recently costs 16 bytes of this cache, instead of the
 * prefix scan and two table lookups (the lookup record, then the next hop's
 * MAC in the FDB).  An exact-match cache per worker, as Open vSwitch's EMC
 * is per PMD thread.
 *
 * Key: (routing domain, destination address).  Value: the next hop's lookup
 * record (its key and slot in the records' table), the FDB key the record
 * names, and that key's slot in the FDB.  An entry is used only when all of
 * these still hold, so that no change anywhere has to find and flush
 * entries:
 *   - it was filled under the snapshots the burst reads (their generations,
 *     dp_snapshot_gen): the domain's prefixes, routes, attachments and the
 *     subnets' VSIDs are what they were;
 *   - the record still sits in its slot with the same value
 *     (ovl_record_slot_holds): not deleted, not given another MAC;
 *   - the FDB key still sits in its slot (fdb_slot_port), whose value gives
 *     the port as it is now: a MAC that moved is followed at once, exactly
 *     as without the cache.
 * A present key never moves in either table, and a freed slot is reused
 * only after a grace period, so a slot check is as good as a lookup.
 *
 * And while neither table has counted a change (fdb_changes,
 * ovl_record_changes: moves, deletions, records replaced; not new entries
 * nor refreshes) and no snapshot was published, a port once checked is still
 * the answer.  The cache numbers those quiet stretches (its epoch, one byte)
 * and an entry keeps the number under which its port was last checked (its
 * stamp): a hit in the current epoch reads no table at all, nor anything
 * but the entry's hot part, the common case between two VM moves.
 *
 * The hot part (destination, domain, stamp, port, FDB key) is 16 bytes, four
 * to a line, apart from the rest, which only a stale stamp or a miss reads.
 * Placed by the address itself (dp_route_cache_index): consecutive addresses
 * (a subnet's VMs) take consecutive entries, so 1K destinations of a subnet
 * share 256 lines and never collide, where a hash would give each its own
 * line and collide some.  A destination whose entry another holds uses the
 * buddy beside it, in the same line (dp_route_cache_victim); a third with
 * the same entry replaces it.
 */
#ifndef VSW_DP_ROUTE_CACHE_H
#define VSW_DP_ROUTE_CACHE_H

#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_common.h>

#include "crc32c.h"
#include "fdb.h"
#include "ovl.h"

#define DP_ROUTE_CACHE_BITS    13
#define DP_ROUTE_CACHE_ENTRIES (1u << DP_ROUTE_CACHE_BITS) /* per worker */

/* What a hit reads. */
struct dp_route_cache_hot {
	union {
		struct {
			rte_be32_t dst; /**< destination address */
			uint8_t rd;	/**< routing domain */
			uint8_t stamp; /**< epoch in which 'port' was checked; 0: none since the wrap */
			uint16_t port; /**< the FDB's answer then, or FDB_PORT_NONE */
		};
		uint64_t word; /**< the four above, compared at once (dp_route_cache_known) */
	};
	uint64_t fdb_key; /**< the next hop's FDB key, as its record names it */
};

_Static_assert(sizeof(struct dp_route_cache_hot) == 16, "four hot parts to a line");

/* What checking a stale stamp, or a fill, reads. */
struct dp_route_cache_cold {
	uint64_t gens;	  /**< (switch snapshot gen << 32 | routing snapshot gen); 0: empty */
	uint64_t rec_key; /**< the record (opaque: ovl_record_key_slot_bulk) */
	ovl_record_slot rec_slot; /**< where the record sits */
	fdb_slot_ref fdb_slot;	  /**< where fdb_key sits in the FDB, or NULL */
	rte_be32_t nh;		  /**< next-hop customer address (dst, or a route's via) */
	uint32_t vsid;		  /**< VSID of the next hop's subnet */
};

struct dp_route_cache {
	/* First: an entry's address is the cache's plus 16 times its index. */
	struct dp_route_cache_hot hot[DP_ROUTE_CACHE_ENTRIES];
	struct dp_route_cache_cold cold[DP_ROUTE_CACHE_ENTRIES] __rte_cache_aligned;
	uint64_t gens;	  /**< the snapshots' generations in this epoch */
	uint64_t changes; /**< the tables' change counts in this epoch */
	uint8_t epoch;	  /**< 1..255 once a burst has begun; 0: none yet */
};

/* The generations of the snapshots a burst reads, as an entry keeps them. */
static inline uint64_t
dp_route_cache_gens(uint32_t switch_gen, uint32_t rd_gen)
{
	return (uint64_t)switch_gen << 32 | rd_gen;
}

/*
 * The two tables' change counts as the cache keeps them, one word: the FDB's
 * (fdb_changes) and the records' (ovl_record_changes).
 */
static inline uint64_t
dp_route_cache_changes(uint32_t fdb_changes, uint32_t rec_changes)
{
	return (uint64_t)fdb_changes << 32 | rec_changes;
}

/*
 * A new epoch: no stamp given before holds.  After 255 epochs the byte
 * wraps, and every stamp is cleared first, so that an old one never
 * matches again.
 */
static inline void
dp_route_cache_new_epoch(struct dp_route_cache *c, uint64_t gens, uint64_t changes)
{
	if (unlikely(c->epoch == UINT8_MAX)) {
		for (unsigned int i = 0; i < DP_ROUTE_CACHE_ENTRIES; i++)
			c->hot[i].stamp = 0;
		c->epoch = 0;
	}
	c->epoch++;
	c->gens = gens;
	c->changes = changes;
}

/* A burst under snapshots 'gens' with table change counts 'changes' begins. */
static inline void
dp_route_cache_begin(struct dp_route_cache *c, uint64_t gens, uint64_t changes)
{
	if (unlikely(gens != c->gens || changes != c->changes || c->epoch == 0))
		dp_route_cache_new_epoch(c, gens, changes);
}

/*
 * The entry of destination 'dst' of routing domain 'rd' (its home; the
 * buddy beside it is its second choice): the address's low bits, moved by a
 * hash of its high bits and the domain, so that the 8K addresses of an
 * aligned block (a /19) take 8K distinct entries, and other blocks and
 * domains start elsewhere.
 */
static inline uint32_t
dp_route_cache_index(uint8_t rd, rte_be32_t dst)
{
	uint32_t a = rte_be_to_cpu_32(dst);

	return (a ^ vsw_crc32c_u32(a >> DP_ROUTE_CACHE_BITS, rd)) & (DP_ROUTE_CACHE_ENTRIES - 1);
}

/* Is 'e' about (rd, dst)? */
static inline bool
dp_route_cache_is_for(const struct dp_route_cache_hot *e, uint8_t rd, rte_be32_t dst)
{
	return e->dst == dst && e->rd == rd;
}

/* A hot part's first word, as its fields make it (the layout is checked by a unit test). */
static inline uint64_t
dp_route_cache_word(rte_be32_t dst, uint8_t rd, uint8_t stamp, uint16_t port)
{
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
	return (uint64_t)port << 48 | (uint64_t)stamp << 40 | (uint64_t)rd << 32 | dst;
#else
	return (uint64_t)dst << 32 | (uint64_t)rd << 24 | (uint64_t)stamp << 16 | port;
#endif
}

/*
 * The first word dp_route_cache_known() expects for domain 'rd' in this
 * epoch, less the destination: computed once a burst.
 */
static inline uint64_t
dp_route_cache_tag(const struct dp_route_cache *c, uint8_t rd)
{
	return dp_route_cache_word(0, rd, c->epoch, 0);
}

/*
 * Is 'e' about destination 'dst' of the domain 'tag' names, with a port
 * checked in this epoch: the answer as it is?  One compare of its first word.
 */
static inline bool
dp_route_cache_known(const struct dp_route_cache_hot *e, uint64_t tag, rte_be32_t dst)
{
	return (e->word & dp_route_cache_word(UINT32_MAX, UINT8_MAX, UINT8_MAX, 0)) ==
	       (dp_route_cache_word(dst, 0, 0, 0) | tag);
}

/* Entry 'e' now has 'port', checked in this epoch (a port still unknown is not stamped). */
static inline void
dp_route_cache_set_port(const struct dp_route_cache *c, struct dp_route_cache_hot *e, uint16_t port)
{
	e->port = port;
	e->stamp = port != FDB_PORT_NONE ? c->epoch : 0;
}

/* The rest of entry 'e'. */
static inline struct dp_route_cache_cold *
dp_route_cache_cold_of(struct dp_route_cache *c, const struct dp_route_cache_hot *e)
{
	return &c->cold[e - c->hot];
}

/* The entry that shares 'e''s half line: where a destination whose own entry is taken goes. */
static inline struct dp_route_cache_hot *
dp_route_cache_buddy(struct dp_route_cache *c, const struct dp_route_cache_hot *e)
{
	return &c->hot[(e - c->hot) ^ 1];
}

/*
 * The entry of destination 'dst' of the domain 'tag' names whose port was
 * checked in this epoch: 'home' (dp_route_cache_index) or its buddy; NULL
 * if neither.
 */
static inline struct dp_route_cache_hot *
dp_route_cache_known_entry(struct dp_route_cache *c, struct dp_route_cache_hot *home, uint64_t tag,
			   rte_be32_t dst)
{
	struct dp_route_cache_hot *buddy;

	if (likely(dp_route_cache_known(home, tag, dst)))
		return home;
	buddy = dp_route_cache_buddy(c, home);
	return dp_route_cache_known(buddy, tag, dst) ? buddy : NULL;
}

/*
 * The entry of (rd, dst) filled under snapshots 'gens' but stamped in an
 * earlier epoch (its port must be checked): 'home' or its buddy; NULL if
 * neither.
 */
static inline struct dp_route_cache_hot *
dp_route_cache_stale_entry(struct dp_route_cache *c, struct dp_route_cache_hot *home, uint8_t rd,
			   rte_be32_t dst, uint64_t gens)
{
	struct dp_route_cache_hot *buddy = dp_route_cache_buddy(c, home);

	if (dp_route_cache_is_for(home, rd, dst) && dp_route_cache_cold_of(c, home)->gens == gens)
		return home;
	if (dp_route_cache_is_for(buddy, rd, dst) && dp_route_cache_cold_of(c, buddy)->gens == gens)
		return buddy;
	return NULL;
}

/*
 * Where a destination whose own entry is 'home' is filled: 'home', unless
 * another destination's port was checked there in this epoch and not in
 * the buddy, so that two destinations with one home both stay (a third
 * replaces the home).
 */
static inline struct dp_route_cache_hot *
dp_route_cache_victim(struct dp_route_cache *c, struct dp_route_cache_hot *home)
{
	struct dp_route_cache_hot *buddy = dp_route_cache_buddy(c, home);

	return home->stamp == c->epoch && buddy->stamp != c->epoch ? buddy : home;
}

#endif /* VSW_DP_ROUTE_CACHE_H */
