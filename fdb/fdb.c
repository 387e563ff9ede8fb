/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The MAC table over rte_hash: lock-free lookups, values packed into the
 * data pointer, deletions reclaimed after an RCU grace period.
 */
#include "fdb.h"

#include <errno.h>
#include <stdlib.h>

#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

struct fdb {
	struct rte_hash *hash;     /**< key -> packed value */
	struct rte_rcu_qsbr *qsbr; /**< grace periods before a slot is reused; NULL = no readers */
};

/* The value lives in the data pointer: port in bits 15..0, flags in 23..16. */
static inline void *
value_pack(uint16_t port, uint8_t flags)
{
	return (void *)(uintptr_t)((uint64_t)port | (uint64_t)flags << 16);
}

static inline uint16_t
value_port(const void *data)
{
	return (uint16_t)(uintptr_t)data;
}

static inline uint8_t
value_flags(const void *data)
{
	return (uint8_t)((uintptr_t)data >> 16);
}

static void
entry_unpack(struct fdb_entry *entry, uint64_t key, const void *data)
{
	entry->key = key;
	entry->port = value_port(data);
	entry->flags = value_flags(data);
}

struct fdb *
fdb_create(const struct fdb_params *params)
{
	struct rte_hash_parameters hp = {
		.name = params->name,
		.entries = params->max_entries,
		.key_len = sizeof(uint64_t),
		.hash_func = rte_hash_crc,
		.socket_id = params->socket_id,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			      RTE_HASH_EXTRA_FLAGS_MULTI_WRITER_ADD,
	};
	struct fdb *fdb;

	fdb = rte_zmalloc("fdb", sizeof(*fdb), 0);
	if (fdb == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	fdb->hash = rte_hash_create(&hp);
	if (fdb->hash == NULL) {
		int saved = rte_errno;

		rte_free(fdb);
		rte_errno = saved ? saved : ENOMEM;
		return NULL;
	}
	fdb->qsbr = params->qsbr;
	return fdb;
}

void
fdb_destroy(struct fdb *fdb)
{
	if (fdb == NULL)
		return;
	rte_hash_free(fdb->hash);
	rte_free(fdb);
}

/* True if keys[i] already appears among the misses added before it in this call. */
static bool
added_earlier(const uint64_t *keys, const uint8_t *added, unsigned int i)
{
	for (unsigned int j = 0; j < i; j++)
		if (added[j] && keys[j] == keys[i])
			return true;
	return false;
}

void
fdb_learn_bulk(struct fdb *fdb, const uint64_t *keys, unsigned int n, uint16_t port,
	       struct fdb_learn_stats *stats)
{
	const void *key_ptrs[FDB_BULK_MAX];
	void *data[FDB_BULK_MAX];
	uint8_t added[FDB_BULK_MAX];
	uint64_t hits = 0;
	void *want = value_pack(port, 0);

	for (unsigned int i = 0; i < n; i++)
		key_ptrs[i] = &keys[i];
	rte_hash_lookup_bulk_data(fdb->hash, key_ptrs, n, &hits, data);

	for (unsigned int i = 0; i < n; i++) {
		added[i] = 0;
		if (hits & (1ULL << i)) {
			/* The common case: nothing changed, nothing written. */
			if (likely(value_port(data[i]) == port))
				continue;
			if (value_flags(data[i]) & FDB_F_STATIC) {
				stats->static_conflict++;
				continue;
			}
			if (rte_hash_add_key_data(fdb->hash, &keys[i], want) == 0)
				stats->moved++;
			continue;
		}
		if (added_earlier(keys, added, i))
			continue;
		if (rte_hash_add_key_data(fdb->hash, &keys[i], want) == 0) {
			added[i] = 1;
			stats->learned++;
		} else {
			stats->table_full++;
		}
	}
}

void
fdb_lookup_bulk(const struct fdb *fdb, const uint64_t *keys, unsigned int n, uint16_t *ports)
{
	const void *key_ptrs[FDB_BULK_MAX];
	void *data[FDB_BULK_MAX];
	uint64_t hits = 0;

	for (unsigned int i = 0; i < n; i++)
		key_ptrs[i] = &keys[i];
	rte_hash_lookup_bulk_data(fdb->hash, key_ptrs, n, &hits, data);
	for (unsigned int i = 0; i < n; i++)
		ports[i] = (hits & (1ULL << i)) ? value_port(data[i]) : FDB_PORT_NONE;
}

int
fdb_lookup(const struct fdb *fdb, uint64_t key, struct fdb_entry *entry)
{
	void *data;

	if (rte_hash_lookup_data(fdb->hash, &key, &data) < 0)
		return -ENOENT;
	entry_unpack(entry, key, data);
	return 0;
}

int
fdb_add_static(struct fdb *fdb, uint64_t key, uint16_t port)
{
	int ret = rte_hash_add_key_data(fdb->hash, &key, value_pack(port, FDB_F_STATIC));

	return ret < 0 ? -ENOSPC : 0;
}

/* Wait until no worker can still be reading a deleted slot, then reuse them. */
static void
reclaim_positions(struct fdb *fdb, const int32_t *positions, unsigned int n)
{
	if (n == 0)
		return;
	if (fdb->qsbr != NULL)
		rte_rcu_qsbr_synchronize(fdb->qsbr, RTE_QSBR_THRID_INVALID);
	for (unsigned int i = 0; i < n; i++)
		rte_hash_free_key_with_position(fdb->hash, positions[i]);
}

int
fdb_delete(struct fdb *fdb, uint64_t key)
{
	int32_t pos = rte_hash_del_key(fdb->hash, &key);

	if (pos < 0)
		return -ENOENT;
	reclaim_positions(fdb, &pos, 1);
	return 0;
}

unsigned int
fdb_delete_if(struct fdb *fdb, fdb_match_fn *match, const void *arg)
{
	unsigned int capacity = (unsigned int)rte_hash_count(fdb->hash);
	uint64_t *victims;
	int32_t *positions;
	unsigned int nb_victims = 0, nb_deleted = 0;
	const void *key;
	void *data;
	uint32_t next = 0;

	if (capacity == 0)
		return 0;
	/* Collect first: deleting while iterating could skip entries that cuckoo moves. */
	victims = malloc(capacity * sizeof(*victims));
	positions = malloc(capacity * sizeof(*positions));
	if (victims == NULL || positions == NULL)
		goto out;
	while (nb_victims < capacity && rte_hash_iterate(fdb->hash, &key, &data, &next) >= 0) {
		struct fdb_entry entry;

		entry_unpack(&entry, *(const uint64_t *)key, data);
		if (match == NULL || match(&entry, arg))
			victims[nb_victims++] = entry.key;
	}
	for (unsigned int i = 0; i < nb_victims; i++) {
		int32_t pos = rte_hash_del_key(fdb->hash, &victims[i]);

		if (pos >= 0)
			positions[nb_deleted++] = pos;
	}
	reclaim_positions(fdb, positions, nb_deleted);
out:
	free(victims);
	free(positions);
	return nb_deleted;
}

unsigned int
fdb_walk(const struct fdb *fdb, fdb_walk_fn *fn, void *arg)
{
	const void *key;
	void *data;
	uint32_t next = 0;
	unsigned int n = 0;

	while (rte_hash_iterate(fdb->hash, &key, &data, &next) >= 0) {
		struct fdb_entry entry;

		entry_unpack(&entry, *(const uint64_t *)key, data);
		fn(&entry, arg);
		n++;
	}
	return n;
}

unsigned int
fdb_count(const struct fdb *fdb)
{
	int32_t n = rte_hash_count(fdb->hash);

	return n < 0 ? 0 : (unsigned int)n;
}
