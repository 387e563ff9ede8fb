/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The lookup records' table, private to overlay/ (ovl_tables.c creates it,
 * ovl_records.c fills it, the unit test reaches in): 8-byte key (VSID, CA
 * IPv4) -> 8-byte value.  The overlay stores as the value the FDB key of the
 * record's MAC in the VSID's bridge domain (ovl_mac_key(): bd << 48 | MAC),
 * which is what the routing stage looks up next, so a routed frame needs no
 * unpacking in between.
 *
 * Built on the MAC table's bucket-table core (fdb/bucket_table.h, whose top
 * comment gives the layout: 64-byte buckets of 4 keys and their 4 values,
 * two candidate buckets per key, SIMD compare, two-pass bulk lookups), not
 * on a general hash, because the routing stage looks up one record per
 * frame.  What is the records' own:
 *   - Capacity: max_entries is a hard limit; the buckets are sized so that
 *     it fills a quarter of the slots (memory: max_entries * 64 bytes), where
 *     both buckets of a new key are full practically never; if they are, the
 *     insert is refused (-ENOSPC) and counted in nb_bucket_full.
 *   - A record key has a VSID (24 bits, never 0) in its upper half, so it is
 *     never one of the reserved keys (0 free, UINT64_MAX deleted).
 *
 * It differs from the MAC table in having one writer, the control thread:
 * no bucket locks, no compare-and-swap.
 *
 * Thread-safety: ovl_rtab_find_bulk() and ovl_rtab_find() are lock-free and
 * write nothing: any thread.  Everything else: the control thread only.
 *   - Insert stores the value, then the key with release; a reader loads the
 *     key with acquire, then the value: a reader that sees the key sees its value.
 *   - Replacing the value of a present key is one release store: a reader
 *     sees the old value or the new one, and the next burst the new one.
 *   - Delete turns the key into a tombstone, which no lookup matches and no
 *     insert reuses; ovl_rtab_reclaim() frees the slot once the caller has
 *     waited for the workers' grace period, so a reader that matched the old
 *     key never reads the value of a key inserted into its slot later.
 */
#ifndef VSW_OVL_REC_TABLE_H
#define VSW_OVL_REC_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "bucket_table.h"

#define OVL_RTAB_SLOTS	  FDB_BUCKET_SLOTS /* keys and values per bucket: one 64-byte line */
#define OVL_RTAB_EMPTY	  FDB_KEY_EMPTY	   /* a free slot */
#define OVL_RTAB_TOMB	  FDB_KEY_TOMB	   /* deleted, not reusable before a grace period */
#define OVL_RTAB_POS_NONE FDB_POS_NONE	   /* no slot: lookup miss */
#define OVL_RTAB_FILL_PCT 25u		   /* slots sized so max_entries fill this much */
#define OVL_RTAB_MAX	  (1u << 26)	   /* most max_entries: positions stay below 2^31 */
#define OVL_RTAB_BULK_MAX 64u		   /* most keys per bulk lookup */

struct ovl_rtab {
	struct fdb_bucket *buckets;	 /**< nb_buckets buckets; read by workers */
	uint32_t nb_buckets;		 /**< >= 2 */
	uint32_t max_entries;		 /**< capacity */
	uint32_t nb_entries;		 /**< present and deleted-not-yet-reclaimed keys */
	uint32_t nb_hidden;		 /**< deleted keys waiting for ovl_rtab_reclaim() */
	uint32_t nb_bucket_full;	 /**< inserts refused because both buckets were full */
	uint32_t changes;		 /**< values replaced and keys hidden so far; atomic */
};

/**
 * Look up keys[0..n), n <= OVL_RTAB_BULK_MAX: vals[i] is the value of
 * keys[i] and pos[i] its position, or 'miss' and OVL_RTAB_POS_NONE if it
 * is absent.  Two passes (hash and prefetch every key's buckets, then
 * compare), so that the burst's cache misses overlap.  Lock-free, writes
 * nothing: any thread.
 */
static __rte_always_inline void
ovl_rtab_find_pos_bulk(const struct ovl_rtab *t, const uint64_t *keys, unsigned int n,
		       uint64_t *vals, uint32_t *pos, uint64_t miss)
{
	uint32_t b1[OVL_RTAB_BULK_MAX], b2[OVL_RTAB_BULK_MAX];

	fdb_bt_hash_bulk(t->buckets, t->nb_buckets, keys, sizeof(keys[0]), n, b1, b2);
	for (unsigned int i = 0; i < n; i++) {
		pos[i] = fdb_bt_find_in(t->buckets, keys[i], b1[i], b2[i], &vals[i]);
		if (pos[i] == OVL_RTAB_POS_NONE)
			vals[i] = miss;
	}
}

/** ovl_rtab_find_pos_bulk() without the positions.  Any thread. */
static __rte_always_inline void
ovl_rtab_find_bulk(const struct ovl_rtab *t, const uint64_t *keys, unsigned int n,
		   uint64_t *vals, uint64_t miss)
{
	uint32_t pos[OVL_RTAB_BULK_MAX];

	ovl_rtab_find_pos_bulk(t, keys, n, vals, pos, miss);
}

/** @return the position of 'key' and its value in '*val', or OVL_RTAB_POS_NONE.  Any thread. */
static inline uint32_t
ovl_rtab_find(const struct ovl_rtab *t, uint64_t key, uint64_t *val)
{
	uint32_t b1, b2;

	fdb_bt_buckets_of(t->nb_buckets, key, &b1, &b2);
	return fdb_bt_find_in(t->buckets, key, b1, b2, val);
}

/* Control thread: create, change, walk. */

/** Allocate the buckets for 'max_entries' (1 .. OVL_RTAB_MAX).  @return 0, -EINVAL or -ENOMEM. */
int ovl_rtab_init(struct ovl_rtab *t, uint32_t max_entries, int socket_id);
/** Free the buckets; accepts a table never initialised. */
void ovl_rtab_fini(struct ovl_rtab *t);

/**
 * Set 'key' to 'val': a new key is published value first, then key; a
 * present one gets its new value in one store.
 * @return 0 (added), 1 (replaced; '*old' gets the previous value if not
 *   NULL), -EINVAL (a reserved key), -ENOSPC (max_entries reached, or both
 *   buckets full).
 */
int ovl_rtab_set(struct ovl_rtab *t, uint64_t key, uint64_t val, uint64_t *old);

/**
 * Hide 'key' from lookups at once (a tombstone).  Its slot stays taken
 * until ovl_rtab_reclaim(pos) after a grace period.
 * @return its position, or OVL_RTAB_POS_NONE if absent.
 */
uint32_t ovl_rtab_hide(struct ovl_rtab *t, uint64_t key);

/** Free the hidden slot 'pos'.  Only after every worker's grace period since the hide. */
void ovl_rtab_reclaim(struct ovl_rtab *t, uint32_t pos);

/**
 * The next present key at or after position '*iter' (start at 0): fills
 * '*key' and '*val' and moves '*iter' past it.  @return false at the end.
 */
bool ovl_rtab_next(const struct ovl_rtab *t, uint32_t *iter, uint64_t *key, uint64_t *val);

/** Keys present (hidden ones not counted). */
static inline uint32_t
ovl_rtab_count(const struct ovl_rtab *t)
{
	return t->nb_entries - t->nb_hidden;
}

#endif /* VSW_OVL_REC_TABLE_H */
