/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bucket-table core that the MAC table (fdb_priv.h) and the overlay's
 * lookup records (overlay/ovl_rec_table.h) are both built on: 8-byte keys
 * to 8-byte values, read lock-free by the workers.  This header has the
 * layout and the readers; each table keeps its own writers, because their
 * rules differ (the MAC table's workers insert under bucket locks and update
 * by compare-and-swap; the records have one writer, the control thread).
 * fdb.h's top comment gives the reasons for the shape:
 *   - 64-byte buckets, each one cache line holding 4 keys and then their 4
 *     values, so a hit reads one line; the 4 keys are compared at once
 *     (SSE4.1).
 *   - Two candidate buckets per key, both from one CRC32 of it, spread by a
 *     multiply (sequential keys would crowd otherwise).  A key never moves
 *     while present, so a reader that checks both cannot miss it.  A slot's
 *     position is bucket * FDB_BUCKET_SLOTS + slot.
 *   - Bulk lookups in two passes (hash every key and prefetch both its
 *     buckets, then compare), so that the cache misses of a burst overlap.
 *   - Key 0 marks a free slot and UINT64_MAX a deleted one (a tombstone,
 *     not reused before the workers' grace period): neither is ever stored.
 *
 * Publication rules every writer keeps: a new key is stored after its
 * value, with release; a reader confirms the key with an acquire load
 * before it reads the value.
 *
 * Thread-safety: everything here reads only; any thread.
 */
#ifndef VSW_FDB_BUCKET_TABLE_H
#define VSW_FDB_BUCKET_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_prefetch.h>

#include "crc32c.h"
/* ThreadSanitizer cannot see that the SIMD filter is confirmed atomically: give it atomics. */
#if defined(RTE_ARCH_X86) && defined(__SSE4_1__) && !defined(__SANITIZE_THREAD__)
#define FDB_SIMD_SSE41 1
#include <smmintrin.h>
#endif

#define FDB_BUCKET_SLOTS 4                     /* keys and values per bucket: one 64-byte line */
#define FDB_KEY_EMPTY    0ULL                  /* a free slot */
#define FDB_KEY_TOMB     UINT64_MAX            /* deleted, not reusable before a grace period */
#define FDB_POS_NONE     UINT32_MAX            /* no slot: lookup miss */
#define FDB_HASH_SEED    0xffffffffu           /* CRC32 initial value */
#define FDB_HASH_MIX     0x9e3779b97f4a7c15ULL /* spreads the CRC (see fdb_bt_buckets_of) */

/* One cache line: a lookup that hits in its first bucket reads exactly one line. */
struct fdb_bucket {
	uint64_t keys[FDB_BUCKET_SLOTS]; /**< FDB_KEY_EMPTY, FDB_KEY_TOMB or a key; atomic */
	uint64_t vals[FDB_BUCKET_SLOTS]; /**< value of the key beside it; atomic */
} __rte_aligned(RTE_CACHE_LINE_MIN_SIZE);

_Static_assert(sizeof(struct fdb_bucket) == RTE_CACHE_LINE_MIN_SIZE, "a bucket is one line");

/* Keys that can never be stored: they mark free and deleted slots. */
static inline bool
fdb_key_reserved(uint64_t key)
{
	return key + 1 <= 1; /* FDB_KEY_EMPTY or FDB_KEY_TOMB */
}

/*
 * The two candidate buckets of 'key' among 'nb_buckets' (>= 2).  CRC32 is
 * linear, so keys that differ only in a few low bits (sequential MACs or
 * addresses) give CRCs that agree on many bit positions; multiplying by an
 * odd 64-bit constant mixes all 32 bits into both halves of the product,
 * which then pick the buckets by multiply-shift (no power-of-two size
 * needed).  The buckets always differ.
 */
static inline void
fdb_bt_buckets_of(uint32_t nb_buckets, uint64_t key, uint32_t *b1, uint32_t *b2)
{
	uint64_t x = (uint64_t)vsw_crc32c_u64(key, FDB_HASH_SEED) * FDB_HASH_MIX;
	uint32_t first = (uint32_t)(((x >> 32) * nb_buckets) >> 32);
	uint32_t second = (uint32_t)(((x & 0xffffffffu) * nb_buckets) >> 32);

	if (unlikely(second == first))
		second = first + 1 == nb_buckets ? 0 : first + 1;
	*b1 = first;
	*b2 = second;
}

/*
 * Bits 2i and 2i+1 set when bucket 'b' holds 'key' in slot i (two bits per
 * slot saves squeezing the SIMD mask).  A filter only: the SIMD loads are
 * plain loads, so a caller confirms a match with an acquire load of that one
 * key (fdb_slot_confirm).  The filter cannot miss a key that is present,
 * because nothing writes the slot of a present key; other slots may be
 * changing under it, which is what the confirmation is for.
 */
static inline unsigned int
fdb_bucket_match(const struct fdb_bucket *b, uint64_t key)
{
#ifdef FDB_SIMD_SSE41
	const __m128i k = _mm_set1_epi64x((long long)key);
	const __m128i *p = (const __m128i *)b->keys;
	__m128i m01 = _mm_packs_epi32(_mm_cmpeq_epi64(_mm_load_si128(p), k),
				      _mm_cmpeq_epi64(_mm_load_si128(p + 1), k));

	_Static_assert(FDB_BUCKET_SLOTS == 4, "the SIMD compare covers 4 keys");
	return (unsigned int)_mm_movemask_epi8(_mm_packs_epi16(m01, _mm_setzero_si128()));
#else
	unsigned int mask = 0;

	for (unsigned int i = 0; i < FDB_BUCKET_SLOTS; i++)
		if (__atomic_load_n(&b->keys[i], __ATOMIC_RELAXED) == key)
			mask |= 3u << (2 * i);
	return mask;
#endif
}

/* The first slot of 'b' whose match bits are set and that really holds 'key' now, or -1. */
static inline int
fdb_slot_confirm(const struct fdb_bucket *b, unsigned int mask, uint64_t key)
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

/*
 * The first pass of a bulk lookup of n keys, the i-th at 'keys' + i *
 * 'stride' bytes (so callers' records need no copying): the candidate
 * buckets of each key into b1[i] and b2[i], both prefetched.  The passes
 * are apart so that a caller can start the memory accesses of its next
 * lookups before finishing these.
 */
static __rte_always_inline void
fdb_bt_hash_bulk(const struct fdb_bucket *buckets, uint32_t nb_buckets, const uint64_t *keys,
		 size_t stride, unsigned int n, uint32_t *b1, uint32_t *b2)
{
	const char *k = (const char *)keys;

	for (unsigned int i = 0; i < n; i++) {
		fdb_bt_buckets_of(nb_buckets, *(const uint64_t *)(k + i * stride), &b1[i], &b2[i]);
		rte_prefetch0(&buckets[b1[i]]);
		rte_prefetch0(&buckets[b2[i]]);
	}
}

/*
 * The second pass, over the buckets fdb_bt_hash_bulk() found for the same
 * keys: pos[i] is the position of the i-th key or FDB_POS_NONE, vals[i] its
 * value when found (untouched otherwise).  Each key is compared against its
 * first bucket, and its second only if that missed; the match is confirmed
 * with an acquire load of the key, and the value read from the same line:
 * two lines per key in flight at most, which a burst's misses can share the
 * core's few line-fill buffers with (docs/bench.md, History).
 */
static __rte_always_inline void
fdb_bt_find_hashed(const struct fdb_bucket *buckets, const uint64_t *keys, size_t stride,
		   unsigned int n, const uint32_t *b1, const uint32_t *b2, uint64_t *vals,
		   uint32_t *pos)
{
	const char *k = (const char *)keys;

	for (unsigned int i = 0; i < n; i++) {
		uint64_t key = *(const uint64_t *)(k + i * stride);
		unsigned int m1 = fdb_bucket_match(&buckets[b1[i]], key);
		unsigned int m2 = m1 != 0 ? 0 : fdb_bucket_match(&buckets[b2[i]], key);
		uint32_t b = m1 != 0 ? b1[i] : b2[i];
		unsigned int s;

		pos[i] = FDB_POS_NONE;
		if ((m1 | m2) == 0 || unlikely(fdb_key_reserved(key)))
			continue;
		s = (unsigned int)__builtin_ctz(m1 | m2) / 2;
		if (unlikely(__atomic_load_n(&buckets[b].keys[s], __ATOMIC_ACQUIRE) != key)) {
			/* The slot changed since the compare: look again, carefully. */
			int s1 = fdb_slot_confirm(&buckets[b1[i]],
						  fdb_bucket_match(&buckets[b1[i]], key), key);
			int s2 = fdb_slot_confirm(&buckets[b2[i]],
						  fdb_bucket_match(&buckets[b2[i]], key), key);

			if (s1 < 0 && s2 < 0)
				continue;
			b = s1 >= 0 ? b1[i] : b2[i];
			s = (unsigned int)(s1 >= 0 ? s1 : s2);
		}
		vals[i] = __atomic_load_n(&buckets[b].vals[s], __ATOMIC_RELAXED);
		pos[i] = b * FDB_BUCKET_SLOTS + s;
	}
}

/*
 * One key in its buckets (b1, b2), as found by fdb_bt_buckets_of() or
 * fdb_bt_hash_bulk(): @return its position and its value in '*val', or
 * FDB_POS_NONE ('*val' untouched).  The same answer as fdb_bt_find_hashed()
 * with a shorter path for a table whose slots seldom change under a reader
 * (the records'): each bucket is matched and confirmed in turn.
 */
static __rte_always_inline uint32_t
fdb_bt_find_in(const struct fdb_bucket *buckets, uint64_t key, uint32_t b1, uint32_t b2,
	       uint64_t *val)
{
	const struct fdb_bucket *bk = &buckets[b1];
	uint32_t b = b1;
	int s;

	/* Free and deleted slots hold these: they must never match. */
	if (unlikely(fdb_key_reserved(key)))
		return FDB_POS_NONE;
	s = fdb_slot_confirm(bk, fdb_bucket_match(bk, key), key);
	if (s < 0) {
		bk = &buckets[b2];
		b = b2;
		s = fdb_slot_confirm(bk, fdb_bucket_match(bk, key), key);
		if (s < 0)
			return FDB_POS_NONE;
	}
	*val = __atomic_load_n(&bk->vals[s], __ATOMIC_RELAXED);
	return b * FDB_BUCKET_SLOTS + (uint32_t)s;
}

/*
 * The bucket a new key goes into, of its two candidates' free-slot masks
 * (fdb_bucket_match(b, FDB_KEY_EMPTY)): the emptier one, the first on a tie,
 * so that most keys are found in their first bucket.  @return 0 for b1, 1
 * for b2; '*mask' gets the chosen one's mask (0: both are full).
 */
static inline unsigned int
fdb_bt_pick_free(unsigned int free1, unsigned int free2, unsigned int *mask)
{
	if (__builtin_popcount(free2) > __builtin_popcount(free1)) {
		*mask = free2;
		return 1;
	}
	*mask = free1;
	return 0;
}

#endif /* VSW_FDB_BUCKET_TABLE_H */
