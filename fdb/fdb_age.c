/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Aging: an incremental walk over the table on the control thread.  Each
 * call visits a bounded number of entries, so a million-entry table never
 * stalls the control socket, and deletes the expired ones with one grace
 * period per call.  A full pass also recomputes the per-domain and per-port
 * counts that limits rely on.
 */
#include "fdb_priv.h"

#include <stdlib.h>
#include <string.h>

#include <rte_hash.h>

#define AGE_BATCH 256 /* deletions per grace period */

static bool
expired(const struct fdb *fdb, const struct fdb_entry *e, uint32_t now)
{
	uint32_t aging = __atomic_load_n(&fdb->bd_conf[fdb_key_bd(e->key) % FDB_MAX_BDS].aging_s,
					 __ATOMIC_RELAXED);

	if (e->flags & (FDB_F_STATIC | FDB_F_FROZEN) || aging == 0)
		return false;
	/* seen may be a little ahead of 'now' when a worker's clock read was later. */
	return (int32_t)(now - e->seen) > (int32_t)aging;
}

static void
tally(struct fdb *fdb, const struct fdb_entry *e)
{
	fdb->pass_bd[fdb_key_bd(e->key) % FDB_MAX_BDS]++;
	fdb->pass_port[e->port % FDB_MAX_PORTS]++;
}

static void
finish_pass(struct fdb *fdb)
{
	for (unsigned int i = 0; i < FDB_MAX_BDS; i++)
		__atomic_store_n(&fdb->bd_count[i], fdb->pass_bd[i], __ATOMIC_RELAXED);
	for (unsigned int i = 0; i < FDB_MAX_PORTS; i++)
		__atomic_store_n(&fdb->port_count[i], fdb->pass_port[i], __ATOMIC_RELAXED);
	memset(fdb->pass_bd, 0, sizeof(fdb->pass_bd));
	memset(fdb->pass_port, 0, sizeof(fdb->pass_port));
	fdb->age_next = 0;
}

/* Delete 'n' expired entries and report them. */
static unsigned int
expire_batch(struct fdb *fdb, const struct fdb_entry *victims, unsigned int n, fdb_event_fn *fn,
	     void *arg)
{
	int32_t positions[AGE_BATCH];
	unsigned int nb_deleted = 0;

	for (unsigned int i = 0; i < n; i++) {
		struct fdb_entry now_e;

		/* A worker may have refreshed or moved it since we looked. */
		if (fdb_lookup(fdb, victims[i].key, &now_e) < 0)
			continue;
		if (now_e.seen != victims[i].seen || now_e.port != victims[i].port) {
			tally(fdb, &now_e);
			continue;
		}
		int32_t pos = rte_hash_del_key(fdb->hash, &victims[i].key);

		if (pos < 0)
			continue;
		fdb_count_del(fdb, &victims[i]);
		positions[nb_deleted++] = pos;
		if (fn != NULL) {
			struct fdb_event ev = { .key = victims[i].key, .from = FDB_PORT_NONE,
						.to = victims[i].port, .type = FDB_EV_AGED,
						.cause = victims[i].cause };

			fn(&ev, arg);
		}
	}
	fdb_reclaim_positions(fdb, positions, nb_deleted);
	return nb_deleted;
}

unsigned int
fdb_age_step(struct fdb *fdb, uint32_t now, unsigned int budget, fdb_event_fn *fn, void *arg)
{
	struct fdb_entry victims[AGE_BATCH];
	unsigned int nb_victims = 0, nb_aged = 0;
	const void *key;
	void *data;

	for (unsigned int visited = 0; visited < budget; visited++) {
		struct fdb_entry e;

		if (rte_hash_iterate(fdb->hash, &key, &data, &fdb->age_next) < 0) {
			nb_aged += expire_batch(fdb, victims, nb_victims, fn, arg);
			nb_victims = 0;
			finish_pass(fdb);
			break;
		}
		entry_unpack(&e, *(const uint64_t *)key, data);
		if (!expired(fdb, &e, now)) {
			tally(fdb, &e);
			continue;
		}
		victims[nb_victims++] = e;
		if (nb_victims == AGE_BATCH) {
			nb_aged += expire_batch(fdb, victims, nb_victims, fn, arg);
			nb_victims = 0;
		}
	}
	return nb_aged + expire_batch(fdb, victims, nb_victims, fn, arg);
}
