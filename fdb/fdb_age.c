/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Aging: an incremental walk over the buckets on the control thread.  Each
 * call visits a bounded number of entries (and buckets), so a million-entry
 * table never stalls the control socket, and deletes the expired ones with
 * one grace period per batch.  Keys never move between buckets, so resuming
 * at a bucket index visits every entry present for the whole pass exactly
 * once.
 *
 * The walk does not recount the per-domain and per-port counts.  Until
 * 2026-12 the end of a pass stored its tally over them, but workers learn
 * while the walk runs, so a MAC added behind the walk's position was missing
 * from the tally, and each pass with learning under way let the limits leak
 * further (issue 12).  The counts are exact by construction instead (see
 * fdb_priv.h); a deletion here uncounts its entry when its slot is freed.
 */
#include "fdb_priv.h"

#define AGE_BATCH 256 /* deletions per grace period */

static bool
expired(const struct fdb *fdb, const struct fdb_entry *e, uint32_t now)
{
	uint32_t aging = __atomic_load_n(&fdb->bd_conf[fdb_key_bd(e->key) % FDB_MAX_BDS].aging_s,
					 __ATOMIC_RELAXED);

	if (e->flags & (FDB_F_STATIC | FDB_F_FROZEN | FDB_F_RECORD) || aging == 0)
		return false;
	/* seen may be a little ahead of 'now' when a worker's clock read was later. */
	return (int32_t)(now - e->seen) > (int32_t)aging;
}

struct victims {
	unsigned int n;                 /**< entries collected */
	uint32_t pos[AGE_BATCH];        /**< where they are */
	struct fdb_entry e[AGE_BATCH];  /**< what they were when found expired */
};

/* Delete the collected entries that are still as we saw them, and report them. */
static unsigned int
expire_batch(struct fdb *fdb, struct victims *v, fdb_event_fn *fn, void *arg)
{
	uint32_t positions[AGE_BATCH];
	uint64_t keys[AGE_BATCH];
	unsigned int nb_deleted = 0;

	for (unsigned int i = 0; i < v->n; i++) {
		const struct fdb_entry *e = &v->e[i];
		struct fdb_entry now_e;

		/* A worker may have refreshed or moved it since we looked. */
		entry_unpack(&now_e, e->key, __atomic_load_n(fdb_val_at(fdb, v->pos[i]),
							     __ATOMIC_RELAXED));
		if (now_e.seen != e->seen || now_e.port != e->port)
			continue;
		if (!fdb_table_hide(fdb, v->pos[i], e->key))
			continue;
		positions[nb_deleted] = v->pos[i];
		keys[nb_deleted++] = e->key;
		if (fn != NULL) {
			struct fdb_event ev = { .key = e->key, .from = FDB_PORT_NONE, .to = e->port,
						.type = FDB_EV_AGED, .cause = e->cause };

			fn(&ev, arg);
		}
	}
	fdb_reclaim_positions(fdb, positions, keys, nb_deleted);
	v->n = 0;
	return nb_deleted;
}

unsigned int
fdb_age_step(struct fdb *fdb, uint32_t now, unsigned int budget, fdb_event_fn *fn, void *arg)
{
	struct victims victims, *v = &victims;
	unsigned int nb_aged = 0, visited = 0, scanned = 0;

	v->n = 0;
	/* Whole buckets: a call may visit up to FDB_BUCKET_SLOTS - 1 entries over budget. */
	while (visited < budget && scanned < budget) {
		uint32_t b = fdb->age_next;
		struct fdb_bucket *bk;

		if (b >= fdb->nb_buckets) {
			nb_aged += expire_batch(fdb, v, fn, arg);
			fdb->age_next = 0; /* the next call starts a new pass */
			break;
		}
		bk = &fdb->buckets[b];
		if (b + 1 < fdb->nb_buckets)
			rte_prefetch0(bk + 1);
		for (unsigned int s = 0; s < FDB_BUCKET_SLOTS; s++) {
			uint64_t key = __atomic_load_n(&bk->keys[s], __ATOMIC_ACQUIRE);
			struct fdb_entry e;

			if (fdb_key_reserved(key))
				continue;
			visited++;
			entry_unpack(&e, key, __atomic_load_n(&bk->vals[s], __ATOMIC_RELAXED));
			if (!expired(fdb, &e, now))
				continue;
			v->pos[v->n] = b * FDB_BUCKET_SLOTS + s;
			v->e[v->n++] = e;
			if (v->n == AGE_BATCH)
				nb_aged += expire_batch(fdb, v, fn, arg);
		}
		fdb->age_next = b + 1;
		scanned++;
	}
	return nb_aged + expire_batch(fdb, v, fn, arg);
}
