/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The table's insides, shared by fdb.c, fdb_table.c, fdb_age.c and fdb_flap.c; not public.
 *
 * The table is an array of 64-byte buckets, each one cache line holding 4
 * keys and then their 4 values.  A key may live in either of
 * two candidate buckets, both derived from one CRC32 of the key; fdb.h's top
 * comment gives the reasons and the concurrency rules.  A slot's position is
 * bucket * FDB_BUCKET_SLOTS + slot, and never changes while the key is present.
 * The layout and the readers are the bucket-table core (bucket_table.h),
 * which the overlay's lookup records share; the names below keep the
 * MAC table's view of it (a struct fdb in, its buckets read).
 */
#ifndef VSW_FDB_PRIV_H
#define VSW_FDB_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_debug.h>
#include <rte_prefetch.h>

#include "bucket_table.h"
#include "fdb.h"

struct fdb_flap_table;

/*
 * From bucket_table.h: FDB_BUCKET_SLOTS, FDB_KEY_EMPTY (bd 0, MAC
 * 00:00:00:00:00:00, never stored), FDB_KEY_TOMB, FDB_POS_NONE,
 * FDB_HASH_SEED, FDB_HASH_MIX, struct fdb_bucket (values packed as
 * value_pack() says), fdb_key_reserved(), fdb_bucket_match(),
 * fdb_slot_confirm().
 */
#define FDB_FILL_PCT     25               /* slots sized so max_entries fill this much */
#define FDB_MAX_CAPACITY (1u << 28)       /* most max_entries: positions stay below 2^31 */

/* fdb.h's fdb_slot_port() relies on the core's layout. */
_Static_assert(offsetof(struct fdb_bucket, vals) - offsetof(struct fdb_bucket, keys) ==
		       FDB_SLOT_VAL_OFFSET * sizeof(uint64_t),
	       "fdb_slot_port() finds a value FDB_SLOT_VAL_OFFSET words after its key");

struct fdb {
	/* Read by every lookup, written only at creation: kept apart from the counts. */
	struct fdb_bucket *buckets;              /**< nb_buckets buckets, each one 64-byte line */
	uint8_t *locks;                          /**< per-bucket insert lock: 0 free, 1 held */
	uint32_t nb_buckets;                     /**< >= 2 */
	uint32_t max_entries;                    /**< capacity promised by fdb_params */
	struct rte_rcu_qsbr *qsbr;               /**< grace periods before a slot is reused */
	uint32_t changes;                        /**< updates other than last-seen, deletions; atomic */
	/* Written by every insert and delete. */
	uint32_t nb_entries __rte_cache_aligned; /**< entries present (hidden ones until freed); atomic */
	uint32_t nb_bucket_full;                 /**< inserts refused: both buckets full; atomic */
	struct fdb_bd_conf bd_conf[FDB_MAX_BDS]; /**< policy per bridge domain */
	uint32_t port_max[FDB_MAX_PORTS + 1];    /**< learning limit per port; 0 = none */
	uint32_t bd_count[FDB_MAX_BDS];          /**< places taken per domain; exact; atomic */
	uint32_t port_count[FDB_MAX_PORTS + 1];  /**< places taken per port; exact; atomic */
	uint32_t age_next;                       /**< bucket where the aging walk resumes */
	struct fdb_flap_table *flaps;            /**< recent movers, for flap detection */
};

/*
 * Per-port arrays have one slot per local port and a last one shared by all
 * port values from FDB_MAX_PORTS up (the dataplane uses those for MACs on
 * other hosts), so such values never alias a local port's count or limit.
 */
static inline unsigned int
fdb_port_idx(uint16_t port)
{
	return port < FDB_MAX_PORTS ? port : FDB_MAX_PORTS;
}

/*
 * The value: port in bits 15..0, flags in 19..16, cause in 23..20, moves in
 * 31..24, last-seen seconds in 63..32.
 */
static inline uint64_t
value_pack(const struct fdb_entry *e)
{
	return (uint64_t)e->port | (uint64_t)(e->flags & 0xf) << 16 |
	       (uint64_t)(e->cause & 0xf) << 20 | (uint64_t)e->moves << 24 | (uint64_t)e->seen << 32;
}

static inline uint16_t
value_port(uint64_t v)
{
	return (uint16_t)v;
}

static inline void
entry_unpack(struct fdb_entry *e, uint64_t key, uint64_t v)
{
	e->key = key;
	e->port = (uint16_t)v;
	e->flags = (uint8_t)((v >> 16) & 0xf);
	e->cause = (uint8_t)((v >> 20) & 0xf);
	e->moves = (uint8_t)(v >> 24);
	e->seen = (uint32_t)(v >> 32);
}

/* The two candidate buckets of 'key' (fdb_bt_buckets_of()). */
static inline void
fdb_buckets_of(const struct fdb *fdb, uint64_t key, uint32_t *b1, uint32_t *b2)
{
	fdb_bt_buckets_of(fdb->nb_buckets, key, b1, b2);
}

/*
 * Find n keys, the i-th at 'keys' + i * 'stride' bytes (so learn requests
 * need no copying): pos[i] is its position or FDB_POS_NONE, vals[i] its value
 * when found.  Lock-free; any thread.  The two passes of bucket_table.h
 * (fdb_bt_hash_bulk, fdb_bt_find_hashed) over this table's buckets, as
 * rte_hash's bulk lookup does, so that the cache misses of a burst overlap;
 * apart, so that a caller can start the memory accesses of its next lookups
 * before finishing these.
 */
static __rte_always_inline void
fdb_hash_bulk(const struct fdb *fdb, const uint64_t *keys, size_t stride, unsigned int n,
	      uint32_t *b1, uint32_t *b2)
{
	fdb_bt_hash_bulk(fdb->buckets, fdb->nb_buckets, keys, stride, n, b1, b2);
}

/* The second pass, over buckets fdb_hash_bulk() found (and prefetched) for the same keys. */
static __rte_always_inline void
fdb_find_hashed(const struct fdb *fdb, const uint64_t *keys, size_t stride, unsigned int n,
		const uint32_t *b1, const uint32_t *b2, uint64_t *vals, uint32_t *pos)
{
	fdb_bt_find_hashed(fdb->buckets, keys, stride, n, b1, b2, vals, pos);
}

/* Both passes: find n keys, the i-th at 'keys' + i * 'stride' bytes. */
static __rte_always_inline void
fdb_find_bulk(const struct fdb *fdb, const uint64_t *keys, size_t stride, unsigned int n,
	      uint64_t *vals, uint32_t *pos)
{
	uint32_t b1[FDB_BULK_MAX], b2[FDB_BULK_MAX];

	fdb_hash_bulk(fdb, keys, stride, n, b1, b2);
	fdb_find_hashed(fdb, keys, stride, n, b1, b2, vals, pos);
}

/* Before adding 'key': bring in what the insert writes, so a burst's inserts overlap. */
static inline void
fdb_prefetch_insert(const struct fdb *fdb, uint64_t key)
{
	uint32_t b1, b2;

	fdb_buckets_of(fdb, key, &b1, &b2);
	rte_prefetch0(&fdb->buckets[b1]);
	rte_prefetch0(&fdb->buckets[b2]);
	rte_prefetch0(&fdb->locks[b1]);
	rte_prefetch0(&fdb->locks[b2]);
}

static inline uint64_t *
fdb_val_at(struct fdb *fdb, uint32_t pos)
{
	return &fdb->buckets[pos / FDB_BUCKET_SLOTS].vals[pos % FDB_BUCKET_SLOTS];
}

static inline uint64_t *
fdb_key_at(struct fdb *fdb, uint32_t pos)
{
	return &fdb->buckets[pos / FDB_BUCKET_SLOTS].keys[pos % FDB_BUCKET_SLOTS];
}

/*
 * The per-domain and per-port counts are exact: a place is taken before an
 * entry appears in a domain or on a port, and given back only after it has
 * left, each by the one thread that made the change (the inserter, the
 * winner of a move's compare-and-swap, the control thread once a deleted
 * slot's grace period is over).  So a count is never below the entries it
 * counts, and learning, which takes its place with fdb_count_reserve(),
 * never takes it beyond the limit.
 */

/*
 * Take one place in '*count' if that keeps it within 'max' (0 = no limit).
 * A compare-and-swap loop rather than add-then-undo: a refusal writes
 * nothing (a flood of new MACs at the limit then only reads the shared
 * line), and the count is never seen above the limit.  @return false if full.
 */
static inline bool
fdb_count_reserve(uint32_t *count, uint32_t max)
{
	uint32_t c;

	if (max == 0) {
		__atomic_fetch_add(count, 1, __ATOMIC_RELAXED);
		return true;
	}
	c = __atomic_load_n(count, __ATOMIC_RELAXED);
	do {
		if (c >= max)
			return false;
	} while (!__atomic_compare_exchange_n(count, &c, c + 1, true, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	return true;
}

/* Give back a place taken with fdb_count_reserve() or fdb_count_take(). */
static inline void
fdb_count_release(uint32_t *count)
{
	uint32_t before = __atomic_fetch_sub(count, 1, __ATOMIC_RELAXED);

#ifdef VSW_DP_ASSERT
	/* A release without its take: some path uncounts twice. */
	RTE_VERIFY(before > 0);
#else
	(void)before;
#endif
}

static inline uint32_t *
fdb_bd_count_of(struct fdb *fdb, uint64_t key)
{
	return &fdb->bd_count[fdb_key_bd(key) % FDB_MAX_BDS];
}

static inline uint32_t *
fdb_port_count_of(struct fdb *fdb, uint16_t port)
{
	return &fdb->port_count[fdb_port_idx(port)];
}

/* Count 'e' in its domain and on its port, whatever the limits: configuration (static, records). */
static inline void
fdb_count_take(struct fdb *fdb, const struct fdb_entry *e)
{
	fdb_count_reserve(fdb_bd_count_of(fdb, e->key), 0);
	fdb_count_reserve(fdb_port_count_of(fdb, e->port), 0);
}

/* Uncount 'e', which has left the table (or was never put in). */
static inline void
fdb_count_del(struct fdb *fdb, const struct fdb_entry *e)
{
	fdb_count_release(fdb_bd_count_of(fdb, e->key));
	fdb_count_release(fdb_port_count_of(fdb, e->port));
}

/* fdb_table.c: the bucket table's writers. */

/** Allocate the buckets for 'max_entries'. @return 0 or -errno. Control thread. */
int fdb_table_init(struct fdb *fdb, uint32_t max_entries, int socket_id);
/** Free the buckets; accepts a table never initialised. */
void fdb_table_fini(struct fdb *fdb);

/** @return the position of 'key' and its value in '*val', or FDB_POS_NONE. Any thread. */
uint32_t fdb_table_find(const struct fdb *fdb, uint64_t key, uint64_t *val);

/**
 * Add 'key' with value 'val' under the locks of both its buckets; the
 * per-domain and per-port counts are the caller's.  Worker-safe.
 * @return 0 (added at '*pos'), -EEXIST (already there: '*pos' and '*cur' say
 * where and what), -ENOSPC (max_entries reached or both buckets full), or
 * -EINVAL (a reserved key).
 */
int fdb_table_insert(struct fdb *fdb, uint64_t key, uint64_t val, uint32_t *pos, uint64_t *cur);

/**
 * Replace the value at 'pos' if it is still 'expected' (compare-and-swap,
 * release).  @return true if replaced; else '*expected' holds the value now.
 * Worker-safe.
 */
static inline bool
fdb_table_update(struct fdb *fdb, uint32_t pos, uint64_t *expected, uint64_t val)
{
	uint64_t old = *expected;

	if (!__atomic_compare_exchange_n(fdb_val_at(fdb, pos), expected, val, false,
					 __ATOMIC_RELEASE, __ATOMIC_RELAXED))
		return false;
	/* Anything but last-seen (bits 63..32): learn caches must look again (fdb.h). */
	if ((uint32_t)old != (uint32_t)val)
		__atomic_fetch_add(&fdb->changes, 1, __ATOMIC_RELEASE);
	return true;
}

/**
 * Hide 'key' at 'pos' from readers (a tombstone).  Control thread only.
 * @return true if 'key' was there.  Follow with fdb_reclaim_positions().
 */
bool fdb_table_hide(struct fdb *fdb, uint32_t pos, uint64_t key);

/**
 * Wait until no worker can still be reading the hidden slots 'positions[0..n)'
 * (whose keys were 'keys[0..n)'), then uncount them and make them free.
 * fdb_table_insert() does not count: whoever inserts takes the places first
 * (fdb.c; a test inserting directly too).  Control thread only.
 */
void fdb_reclaim_positions(struct fdb *fdb, const uint32_t *positions, const uint64_t *keys,
			   unsigned int n);

void fdb_flap_table_free(struct fdb_flap_table *t);

#endif /* VSW_FDB_PRIV_H */
