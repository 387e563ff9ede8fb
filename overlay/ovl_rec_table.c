/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The records table's writer side (control thread only): sizing, set,
 * hide, reclaim and the walk.  Readers are inline in ovl_rec_table.h, whose
 * top comment states the publication rules these functions keep.
 */
#include "ovl_rec_table.h"

#include <errno.h>
#include <stddef.h>

#include <rte_malloc.h>

int
ovl_rtab_init(struct ovl_rtab *t, uint32_t max_entries, int socket_id)
{
	uint64_t slots, nb;

	t->buckets = NULL;
	if (max_entries == 0 || max_entries > OVL_RTAB_MAX)
		return -EINVAL;
	slots = (uint64_t)max_entries * 100 / OVL_RTAB_FILL_PCT;
	nb = RTE_MAX((slots + OVL_RTAB_SLOTS - 1) / OVL_RTAB_SLOTS, 2u);
	t->buckets = rte_zmalloc_socket("ovl_rtab", nb * sizeof(struct fdb_bucket),
					sizeof(struct fdb_bucket), socket_id);
	if (t->buckets == NULL)
		return -ENOMEM;
	t->nb_buckets = (uint32_t)nb;
	t->max_entries = max_entries;
	t->nb_entries = 0;
	t->nb_hidden = 0;
	t->nb_bucket_full = 0;
	return 0;
}

void
ovl_rtab_fini(struct ovl_rtab *t)
{
	rte_free(t->buckets);
	t->buckets = NULL;
}

int
ovl_rtab_set(struct ovl_rtab *t, uint64_t key, uint64_t val, uint64_t *old)
{
	struct fdb_bucket *bk;
	uint32_t b1, b2, pos;
	unsigned int free1, free2, free;
	uint64_t cur;

	if (fdb_key_reserved(key))
		return -EINVAL;
	pos = ovl_rtab_find(t, key, &cur);
	if (pos != OVL_RTAB_POS_NONE) {
		if (old != NULL)
			*old = cur;
		/* One store: a reader sees the old value or this one, never a mix. */
		__atomic_store_n(&t->buckets[pos / OVL_RTAB_SLOTS].vals[pos % OVL_RTAB_SLOTS], val,
				 __ATOMIC_RELEASE);
		__atomic_fetch_add(&t->changes, 1, __ATOMIC_RELEASE);
		return 1;
	}
	if (t->nb_entries >= t->max_entries)
		return -ENOSPC;
	fdb_bt_buckets_of(t->nb_buckets, key, &b1, &b2);
	free1 = fdb_bucket_match(&t->buckets[b1], OVL_RTAB_EMPTY);
	free2 = fdb_bucket_match(&t->buckets[b2], OVL_RTAB_EMPTY);
	bk = &t->buckets[fdb_bt_pick_free(free1, free2, &free) != 0 ? b2 : b1];
	if (unlikely(free == 0)) {
		t->nb_bucket_full++;
		return -ENOSPC;
	}
	free = (unsigned int)__builtin_ctz(free) / 2;
	/* Value first, then the key with release: a reader that sees the key sees the value. */
	__atomic_store_n(&bk->vals[free], val, __ATOMIC_RELAXED);
	__atomic_store_n(&bk->keys[free], key, __ATOMIC_RELEASE);
	t->nb_entries++;
	return 0;
}

uint32_t
ovl_rtab_hide(struct ovl_rtab *t, uint64_t key)
{
	uint64_t cur;
	uint32_t pos = ovl_rtab_find(t, key, &cur);

	if (pos == OVL_RTAB_POS_NONE)
		return pos;
	__atomic_store_n(&t->buckets[pos / OVL_RTAB_SLOTS].keys[pos % OVL_RTAB_SLOTS],
			 OVL_RTAB_TOMB, __ATOMIC_RELEASE);
	__atomic_fetch_add(&t->changes, 1, __ATOMIC_RELEASE);
	t->nb_hidden++;
	return pos;
}

void
ovl_rtab_reclaim(struct ovl_rtab *t, uint32_t pos)
{
	uint64_t *key;

	if (pos >= t->nb_buckets * OVL_RTAB_SLOTS)
		return;
	key = &t->buckets[pos / OVL_RTAB_SLOTS].keys[pos % OVL_RTAB_SLOTS];
	if (*key != OVL_RTAB_TOMB)
		return;
	__atomic_store_n(key, OVL_RTAB_EMPTY, __ATOMIC_RELEASE);
	t->nb_hidden--;
	t->nb_entries--;
}

bool
ovl_rtab_next(const struct ovl_rtab *t, uint32_t *iter, uint64_t *key, uint64_t *val)
{
	for (uint32_t pos = *iter; pos < t->nb_buckets * OVL_RTAB_SLOTS; pos++) {
		const struct fdb_bucket *b = &t->buckets[pos / OVL_RTAB_SLOTS];
		uint64_t k = b->keys[pos % OVL_RTAB_SLOTS];

		if (fdb_key_reserved(k))
			continue;
		*key = k;
		*val = b->vals[pos % OVL_RTAB_SLOTS];
		*iter = pos + 1;
		return true;
	}
	*iter = t->nb_buckets * OVL_RTAB_SLOTS;
	return false;
}
