/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bucket table's writers: sizing, insert under two bucket locks, hiding a
 * deleted key, and freeing its slot after a grace period.  The readers are
 * inline in fdb_priv.h.  fdb.h's top comment states the rules; in short:
 *
 *   - A key never moves once published, so a lock-free reader that checks
 *     both candidate buckets cannot miss a key that is present.
 *   - Insert stores the value, then publishes the key with a release store;
 *     readers acquire-load the key before the value.
 *   - All inserts of one key take the locks of both its buckets (in address
 *     order), so two workers learning the same new MAC add it once.
 *   - Delete turns the key into a tombstone, which no lookup matches and no
 *     insert reuses, and frees the slot only after the workers' grace period,
 *     so a reader that matched the old key never reads a new key's value.
 */
#include "fdb_priv.h"

#include <errno.h>

#include <rte_malloc.h>
#include <rte_pause.h>
#include <rte_rcu_qsbr.h>

int
fdb_table_init(struct fdb *fdb, uint32_t max_entries, int socket_id)
{
	uint64_t slots, nb;

	if (max_entries == 0 || max_entries > FDB_MAX_CAPACITY)
		return -EINVAL;
	slots = (uint64_t)max_entries * 100 / FDB_FILL_PCT;
	nb = (slots + FDB_BUCKET_SLOTS - 1) / FDB_BUCKET_SLOTS;
	if (nb < 2)
		nb = 2;
	fdb->buckets = rte_zmalloc_socket("fdb_buckets", nb * sizeof(struct fdb_bucket),
					  sizeof(struct fdb_bucket), socket_id);
	fdb->locks = rte_zmalloc_socket("fdb_locks", nb, RTE_CACHE_LINE_SIZE, socket_id);
	if (fdb->buckets == NULL || fdb->locks == NULL) {
		fdb_table_fini(fdb);
		return -ENOMEM;
	}
	fdb->nb_buckets = (uint32_t)nb;
	fdb->max_entries = max_entries;
	return 0;
}

void
fdb_table_fini(struct fdb *fdb)
{
	rte_free(fdb->buckets);
	rte_free(fdb->locks);
	fdb->buckets = NULL;
	fdb->locks = NULL;
}

uint32_t
fdb_table_find(const struct fdb *fdb, uint64_t key, uint64_t *val)
{
	uint32_t pos;

	fdb_find_bulk(fdb, &key, sizeof(key), 1, val, &pos);
	return pos;
}

/*
 * The lock is held only for the few loads and stores of one insert, never
 * across a walk or a grace period, so a waiter spins for nanoseconds.
 */
static void
bucket_lock(struct fdb *fdb, uint32_t b)
{
	uint8_t *lock = &fdb->locks[b];

	while (__atomic_exchange_n(lock, 1, __ATOMIC_ACQUIRE) != 0)
		while (__atomic_load_n(lock, __ATOMIC_RELAXED) != 0)
			rte_pause();
}

static void
bucket_unlock(struct fdb *fdb, uint32_t b)
{
	__atomic_store_n(&fdb->locks[b], 0, __ATOMIC_RELEASE);
}

/* Free slots of 'b', two mask bits per slot as fdb_bucket_match gives them. */
static unsigned int
free_slots(const struct fdb_bucket *b)
{
	return fdb_bucket_match(b, FDB_KEY_EMPTY);
}

static uint32_t
position(uint32_t b, unsigned int slot)
{
	return b * FDB_BUCKET_SLOTS + slot;
}

int
fdb_table_insert(struct fdb *fdb, uint64_t key, uint64_t val, uint32_t *pos, uint64_t *cur)
{
	uint32_t b1, b2, chosen;
	struct fdb_bucket *bk1, *bk2, *bk;
	unsigned int free1, free2, free;
	int slot, ret = 0;

	if (fdb_key_reserved(key))
		return -EINVAL;
	fdb_buckets_of(fdb, key, &b1, &b2);
	bk1 = &fdb->buckets[b1];
	bk2 = &fdb->buckets[b2];
	/* Always the lower bucket first, so two inserters never wait for each other in a cycle. */
	bucket_lock(fdb, RTE_MIN(b1, b2));
	bucket_lock(fdb, RTE_MAX(b1, b2));

	/* Someone may have added it since the caller looked. */
	slot = fdb_slot_confirm(bk1, fdb_bucket_match(bk1, key), key);
	chosen = b1;
	if (slot < 0) {
		slot = fdb_slot_confirm(bk2, fdb_bucket_match(bk2, key), key);
		chosen = b2;
	}
	if (slot >= 0) {
		*pos = position(chosen, (unsigned int)slot);
		*cur = __atomic_load_n(&fdb->buckets[chosen].vals[slot], __ATOMIC_RELAXED);
		ret = -EEXIST;
		goto unlock;
	}
	if (__atomic_fetch_add(&fdb->nb_entries, 1, __ATOMIC_RELAXED) >= fdb->max_entries) {
		__atomic_fetch_sub(&fdb->nb_entries, 1, __ATOMIC_RELAXED);
		ret = -ENOSPC;
		goto unlock;
	}
	free1 = free_slots(bk1);
	free2 = free_slots(bk2);
	if (fdb_bt_pick_free(free1, free2, &free) != 0) {
		chosen = b2;
		bk = bk2;
	} else {
		chosen = b1;
		bk = bk1;
	}
	if (unlikely(free == 0)) {
		__atomic_fetch_sub(&fdb->nb_entries, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&fdb->nb_bucket_full, 1, __ATOMIC_RELAXED);
		ret = -ENOSPC;
		goto unlock;
	}
	slot = __builtin_ctz(free) / 2;
	/* Value first, then the key with release: a reader that sees the key sees the value. */
	__atomic_store_n(&bk->vals[slot], val, __ATOMIC_RELAXED);
	__atomic_store_n(&bk->keys[slot], key, __ATOMIC_RELEASE);
	*pos = position(chosen, (unsigned int)slot);
unlock:
	bucket_unlock(fdb, RTE_MAX(b1, b2));
	bucket_unlock(fdb, RTE_MIN(b1, b2));
	return ret;
}

bool
fdb_table_hide(struct fdb *fdb, uint32_t pos, uint64_t key)
{
	uint64_t expected = key;

	/* Only this (control) thread turns a present key into anything else. */
	if (!__atomic_compare_exchange_n(fdb_key_at(fdb, pos), &expected, FDB_KEY_TOMB, false,
					 __ATOMIC_RELEASE, __ATOMIC_RELAXED))
		return false;
	/* Learn caches must not trust a source they saw before this (fdb.h). */
	__atomic_fetch_add(&fdb->changes, 1, __ATOMIC_RELEASE);
	return true;
}

void
fdb_reclaim_positions(struct fdb *fdb, const uint32_t *positions, const uint64_t *keys,
		      unsigned int n)
{
	if (n == 0)
		return;
	/* Workers that matched a hidden key before it was hidden are done after this. */
	if (fdb->qsbr != NULL)
		rte_rcu_qsbr_synchronize(fdb->qsbr, RTE_QSBR_THRID_INVALID);
	for (unsigned int i = 0; i < n; i++) {
		struct fdb_entry e;

		/* No worker can write the value any more: uncount it where it last was. */
		entry_unpack(&e, keys[i], __atomic_load_n(fdb_val_at(fdb, positions[i]),
							  __ATOMIC_RELAXED));
		fdb_count_del(fdb, &e);
		__atomic_store_n(fdb_key_at(fdb, positions[i]), FDB_KEY_EMPTY, __ATOMIC_RELEASE);
		__atomic_fetch_sub(&fdb->nb_entries, 1, __ATOMIC_RELAXED);
	}
}
