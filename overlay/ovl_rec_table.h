/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The lookup records' table, private to overlay/ (ovl_tables.c creates it,
 * ovl_records.c fills it, the unit test reaches in): 8-byte key (VSID, CA IPv4) -> 8-byte value.  The
 * overlay stores as the value the FDB key of the record's MAC in the VSID's
 * bridge domain (ovl_mac_key(): bd << 48 | MAC), which is what the routing
 * stage looks up next, so a routed frame needs no unpacking in between.
 *
 * Built like the MAC table (fdb_priv.h; fdb.h's top comment gives the
 * reasons), not as a general hash, because the routing stage looks up one
 * record per frame:
 *   - 64-byte buckets: 4 keys, then their 4 values, so a hit reads one line;
 *     the 4 keys are compared at once (SSE4.1).
 *   - Two candidate buckets per key from one CRC32 (spread by a multiply,
 *     as sequential addresses would crowd otherwise); a new key goes into the
 *     emptier one and never moves, so a lock-free reader that checks both
 *     cannot miss a key that is present.
 *   - Bulk lookups in two passes: hash every key and prefetch both buckets,
 *     then compare, so the misses of a burst overlap.
 *   - Capacity: max_entries is a hard limit; the buckets are sized so that
 *     it fills a quarter of the slots (memory: max_entries * 64 bytes), where
 *     both buckets of a new key are full practically never; if they are, the
 *     insert is refused (-ENOSPC) and counted in nb_bucket_full.
 *   - Key 0 marks a free slot and UINT64_MAX a deleted one.  A record key
 *     has a VSID (24 bits, never 0) in its upper half, so it is neither.
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

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_hash_crc.h>
#include <rte_prefetch.h>
/* ThreadSanitizer cannot see that the SIMD filter is confirmed atomically: give it atomics. */
#if defined(RTE_ARCH_X86) && defined(__SSE4_1__) && !defined(__SANITIZE_THREAD__)
#define OVL_RTAB_SIMD_SSE41 1
#include <smmintrin.h>
#endif

#define OVL_RTAB_SLOTS	  4u		    /* keys and values per bucket: one 64-byte line */
#define OVL_RTAB_EMPTY	  0ULL		    /* a free slot */
#define OVL_RTAB_TOMB	  UINT64_MAX	    /* deleted, not reusable before a grace period */
#define OVL_RTAB_POS_NONE UINT32_MAX	    /* no slot: lookup miss */
#define OVL_RTAB_FILL_PCT 25u		    /* slots sized so max_entries fill this much */
#define OVL_RTAB_SEED	  0xffffffffu	    /* CRC32 initial value */
#define OVL_RTAB_MIX	  0x9e3779b97f4a7c15ULL /* spreads the CRC over both bucket choices */
#define OVL_RTAB_MAX	  (1u << 26)	    /* most max_entries: positions stay below 2^31 */
#define OVL_RTAB_BULK_MAX 64u		    /* most keys per bulk lookup */

/* One cache line: a lookup that hits in its first bucket reads exactly this line. */
struct ovl_rtab_bucket {
	uint64_t keys[OVL_RTAB_SLOTS]; /**< OVL_RTAB_EMPTY, OVL_RTAB_TOMB or a key; atomic */
	uint64_t vals[OVL_RTAB_SLOTS]; /**< value of the key beside it; atomic */
} __rte_aligned(RTE_CACHE_LINE_MIN_SIZE);

_Static_assert(sizeof(struct ovl_rtab_bucket) == RTE_CACHE_LINE_MIN_SIZE, "a bucket is one line");

struct ovl_rtab {
	struct ovl_rtab_bucket *buckets; /**< nb_buckets buckets; read by workers */
	uint32_t nb_buckets;		 /**< >= 2 */
	uint32_t max_entries;		 /**< capacity */
	uint32_t nb_entries;		 /**< present and deleted-not-yet-reclaimed keys */
	uint32_t nb_hidden;		 /**< deleted keys waiting for ovl_rtab_reclaim() */
	uint32_t nb_bucket_full;	 /**< inserts refused because both buckets were full */
	uint32_t changes;		 /**< values replaced and keys hidden so far; atomic */
};

/* Keys that can never be stored: they mark free and deleted slots. */
static inline bool
ovl_rtab_key_reserved(uint64_t key)
{
	return key + 1 <= 1;
}

/* The two candidate buckets of 'key', always different. */
static inline void
ovl_rtab_buckets_of(const struct ovl_rtab *t, uint64_t key, uint32_t *b1, uint32_t *b2)
{
	uint64_t x = (uint64_t)rte_hash_crc_8byte(key, OVL_RTAB_SEED) * OVL_RTAB_MIX;
	uint32_t first = (uint32_t)(((x >> 32) * t->nb_buckets) >> 32);
	uint32_t second = (uint32_t)(((x & 0xffffffffu) * t->nb_buckets) >> 32);

	if (unlikely(second == first))
		second = first + 1 == t->nb_buckets ? 0 : first + 1;
	*b1 = first;
	*b2 = second;
}

/*
 * Bits 2i and 2i+1 set when bucket 'b' may hold 'key' in slot i.  A filter:
 * the SIMD loads are plain loads, so a caller confirms a match with an
 * acquire load of that key (ovl_rtab_confirm).  It cannot miss a present
 * key, because nothing writes the slot of a present key but its deletion.
 */
static inline unsigned int
ovl_rtab_match(const struct ovl_rtab_bucket *b, uint64_t key)
{
#ifdef OVL_RTAB_SIMD_SSE41
	const __m128i k = _mm_set1_epi64x((long long)key);
	const __m128i *p = (const __m128i *)b->keys;
	__m128i m01 = _mm_packs_epi32(_mm_cmpeq_epi64(_mm_load_si128(p), k),
				      _mm_cmpeq_epi64(_mm_load_si128(p + 1), k));

	_Static_assert(OVL_RTAB_SLOTS == 4, "the SIMD compare covers 4 keys");
	return (unsigned int)_mm_movemask_epi8(_mm_packs_epi16(m01, _mm_setzero_si128()));
#else
	unsigned int mask = 0;

	for (unsigned int i = 0; i < OVL_RTAB_SLOTS; i++)
		if (__atomic_load_n(&b->keys[i], __ATOMIC_RELAXED) == key)
			mask |= 3u << (2 * i);
	return mask;
#endif
}

/* The first slot of 'b' whose match bits are set and that really holds 'key' now, or -1. */
static inline int
ovl_rtab_confirm(const struct ovl_rtab_bucket *b, unsigned int mask, uint64_t key)
{
	while (mask != 0) {
		unsigned int i = (unsigned int)__builtin_ctz(mask) / 2;

		/* Acquire: the value read after this is the one published with the key, or newer. */
		if (likely(__atomic_load_n(&b->keys[i], __ATOMIC_ACQUIRE) == key))
			return (int)i;
		mask &= ~(3u << (2 * i));
	}
	return -1;
}

/* Position of 'key' in the bucket pair (b1, b2), or OVL_RTAB_POS_NONE; '*val' its value. */
static __rte_always_inline uint32_t
ovl_rtab_find_in(const struct ovl_rtab *t, uint64_t key, uint32_t b1, uint32_t b2, uint64_t *val)
{
	const struct ovl_rtab_bucket *bk = &t->buckets[b1];
	uint32_t b = b1;
	int s;

	/* Free and deleted slots hold these: they must never match. */
	if (unlikely(ovl_rtab_key_reserved(key)))
		return OVL_RTAB_POS_NONE;
	s = ovl_rtab_confirm(bk, ovl_rtab_match(bk, key), key);
	if (s < 0) {
		bk = &t->buckets[b2];
		b = b2;
		s = ovl_rtab_confirm(bk, ovl_rtab_match(bk, key), key);
		if (s < 0)
			return OVL_RTAB_POS_NONE;
	}
	*val = __atomic_load_n(&bk->vals[s], __ATOMIC_RELAXED);
	return b * OVL_RTAB_SLOTS + (uint32_t)s;
}

/**
 * Look up keys[0..n), n <= OVL_RTAB_BULK_MAX: vals[i] is the value of
 * keys[i], or 'miss' if it is absent.  Two passes (hash and prefetch every
 * key's buckets, then compare), so that the burst's cache misses overlap.
 * Lock-free, writes nothing: any thread.
 */
static __rte_always_inline void
ovl_rtab_find_bulk(const struct ovl_rtab *t, const uint64_t *keys, unsigned int n,
		   uint64_t *vals, uint64_t miss)
{
	uint32_t b1[OVL_RTAB_BULK_MAX], b2[OVL_RTAB_BULK_MAX];

	for (unsigned int i = 0; i < n; i++) {
		ovl_rtab_buckets_of(t, keys[i], &b1[i], &b2[i]);
		rte_prefetch0(&t->buckets[b1[i]]);
		rte_prefetch0(&t->buckets[b2[i]]);
	}
	for (unsigned int i = 0; i < n; i++)
		if (ovl_rtab_find_in(t, keys[i], b1[i], b2[i], &vals[i]) == OVL_RTAB_POS_NONE)
			vals[i] = miss;
}

/**
 * ovl_rtab_find_bulk() that also gives each key's position, pos[i], or
 * OVL_RTAB_POS_NONE for a miss (vals[i] is then 'miss').  Any thread.
 */
static __rte_always_inline void
ovl_rtab_find_pos_bulk(const struct ovl_rtab *t, const uint64_t *keys, unsigned int n,
		       uint64_t *vals, uint32_t *pos, uint64_t miss)
{
	uint32_t b1[OVL_RTAB_BULK_MAX], b2[OVL_RTAB_BULK_MAX];

	for (unsigned int i = 0; i < n; i++) {
		ovl_rtab_buckets_of(t, keys[i], &b1[i], &b2[i]);
		rte_prefetch0(&t->buckets[b1[i]]);
		rte_prefetch0(&t->buckets[b2[i]]);
	}
	for (unsigned int i = 0; i < n; i++) {
		pos[i] = ovl_rtab_find_in(t, keys[i], b1[i], b2[i], &vals[i]);
		if (pos[i] == OVL_RTAB_POS_NONE)
			vals[i] = miss;
	}
}

/** @return the position of 'key' and its value in '*val', or OVL_RTAB_POS_NONE.  Any thread. */
static inline uint32_t
ovl_rtab_find(const struct ovl_rtab *t, uint64_t key, uint64_t *val)
{
	uint32_t b1, b2;

	ovl_rtab_buckets_of(t, key, &b1, &b2);
	return ovl_rtab_find_in(t, key, b1, b2, val);
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
