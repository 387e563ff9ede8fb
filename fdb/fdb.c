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
#include <rte_ring_elem.h>

static const char *const cause_names[FDB_CAUSE_MAX] = {
	[FDB_CAUSE_LEARNED] = "learned", [FDB_CAUSE_GARP] = "garp", [FDB_CAUSE_RARP] = "rarp",
	[FDB_CAUSE_UNA] = "una",         [FDB_CAUSE_STATIC] = "static",
};

const char *
fdb_cause_name(enum fdb_cause cause)
{
	return (unsigned int)cause < FDB_CAUSE_MAX ? cause_names[cause] : "unknown";
}

#include "fdb_priv.h"

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
	for (unsigned int bd = 0; bd < FDB_MAX_BDS; bd++)
		fdb->bd_conf[bd] = (struct fdb_bd_conf){ .aging_s = 300, .learning = true,
							 .flap_moves = 5, .flap_window_s = 10 };
	return fdb;
}

void
fdb_destroy(struct fdb *fdb)
{
	if (fdb == NULL)
		return;
	fdb_flap_table_free(fdb->flaps);
	rte_hash_free(fdb->hash);
	rte_free(fdb);
}

void
fdb_bd_configure(struct fdb *fdb, uint16_t bd, const struct fdb_bd_conf *conf)
{
	struct fdb_bd_conf *c = &fdb->bd_conf[bd % FDB_MAX_BDS];

	/* Field by field: workers read them one at a time with relaxed loads. */
	__atomic_store_n(&c->aging_s, conf->aging_s, __ATOMIC_RELAXED);
	__atomic_store_n(&c->max_macs, conf->max_macs, __ATOMIC_RELAXED);
	__atomic_store_n(&c->learning, conf->learning, __ATOMIC_RELAXED);
	__atomic_store_n(&c->drop_over_limit, conf->drop_over_limit, __ATOMIC_RELAXED);
	__atomic_store_n(&c->flap_moves, conf->flap_moves, __ATOMIC_RELAXED);
	__atomic_store_n(&c->flap_window_s, conf->flap_window_s, __ATOMIC_RELAXED);
	__atomic_store_n(&c->flap_hold_s, conf->flap_hold_s, __ATOMIC_RELAXED);
}

void
fdb_bd_get_conf(const struct fdb *fdb, uint16_t bd, struct fdb_bd_conf *conf)
{
	*conf = fdb->bd_conf[bd % FDB_MAX_BDS];
}

void
fdb_port_set_max_macs(struct fdb *fdb, uint16_t port, uint32_t max_macs)
{
	__atomic_store_n(&fdb->port_max[port % FDB_MAX_PORTS], max_macs, __ATOMIC_RELAXED);
}

uint32_t
fdb_port_max_macs(const struct fdb *fdb, uint16_t port)
{
	return __atomic_load_n(&fdb->port_max[port % FDB_MAX_PORTS], __ATOMIC_RELAXED);
}

uint32_t
fdb_bd_count(const struct fdb *fdb, uint16_t bd)
{
	return __atomic_load_n(&fdb->bd_count[bd % FDB_MAX_BDS], __ATOMIC_RELAXED);
}

uint32_t
fdb_port_count(const struct fdb *fdb, uint16_t port)
{
	return __atomic_load_n(&fdb->port_count[port % FDB_MAX_PORTS], __ATOMIC_RELAXED);
}

static void
emit(const struct fdb_learn_ctx *ctx, uint8_t type, uint64_t key, uint16_t from, uint8_t cause)
{
	struct fdb_event ev = { .key = key, .from = from, .to = ctx->port, .type = type,
				.cause = cause };

	if (ctx->events != NULL &&
	    rte_ring_sp_enqueue_elem(ctx->events, &ev, sizeof(ev)) != 0)
		ctx->stats->events_lost++;
}

/* Would one more MAC on ctx->port in 'bd' break a limit? */
static bool
over_limit(const struct fdb *fdb, uint16_t bd, uint16_t port)
{
	uint32_t bd_max = __atomic_load_n(&fdb->bd_conf[bd].max_macs, __ATOMIC_RELAXED);
	uint32_t port_max = fdb_port_max_macs(fdb, port);

	return (bd_max != 0 && fdb_bd_count(fdb, bd) >= bd_max) ||
	       (port_max != 0 && fdb_port_count(fdb, port) >= port_max);
}

static uint8_t
refuse(const struct fdb *fdb, uint16_t bd, const struct fdb_learn_ctx *ctx)
{
	ctx->stats->limit_refused++;
	return __atomic_load_n(&fdb->bd_conf[bd].drop_over_limit, __ATOMIC_RELAXED) ?
		       FDB_VERDICT_DROP :
		       FDB_VERDICT_FORWARD;
}

static uint8_t
learn_new(struct fdb *fdb, const struct fdb_learn_req *req, const struct fdb_learn_ctx *ctx)
{
	uint16_t bd = fdb_key_bd(req->key) % FDB_MAX_BDS;
	struct fdb_entry e = { .port = ctx->port, .cause = req->cause, .seen = ctx->now };

	if (req->cause == FDB_CAUSE_LEARNED &&
	    !__atomic_load_n(&fdb->bd_conf[bd].learning, __ATOMIC_RELAXED)) {
		ctx->stats->learning_off++;
		return FDB_VERDICT_FORWARD;
	}
	if (over_limit(fdb, bd, ctx->port))
		return refuse(fdb, bd, ctx);
	if (rte_hash_add_key_data(fdb->hash, &req->key, value_pack(&e)) != 0) {
		ctx->stats->table_full++;
		return FDB_VERDICT_FORWARD;
	}
	__atomic_fetch_add(&fdb->bd_count[bd], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&fdb->port_count[ctx->port % FDB_MAX_PORTS], 1, __ATOMIC_RELAXED);
	ctx->stats->learned++;
	emit(ctx, FDB_EV_LEARNED, req->key, FDB_PORT_NONE, req->cause);
	return FDB_VERDICT_FORWARD;
}

static uint8_t
learn_known(struct fdb *fdb, const struct fdb_learn_req *req, struct fdb_entry *e,
	    const struct fdb_learn_ctx *ctx)
{
	uint16_t bd = fdb_key_bd(req->key) % FDB_MAX_BDS;
	uint16_t from = e->port;

	if (likely(e->port == ctx->port)) {
		/* The common case: write only when last-seen is getting stale. */
		if (unlikely(ctx->now - e->seen >= FDB_REFRESH_S) && !(e->flags & FDB_F_STATIC)) {
			e->seen = ctx->now;
			rte_hash_add_key_data(fdb->hash, &req->key, value_pack(e));
		}
		return FDB_VERDICT_FORWARD;
	}
	if (e->flags & FDB_F_STATIC) {
		ctx->stats->static_conflict++;
		return FDB_VERDICT_FORWARD;
	}
	if (e->flags & FDB_F_FROZEN) {
		ctx->stats->frozen_refused++;
		return FDB_VERDICT_FORWARD;
	}
	if (req->cause == FDB_CAUSE_LEARNED) {
		if (!__atomic_load_n(&fdb->bd_conf[bd].learning, __ATOMIC_RELAXED)) {
			ctx->stats->learning_off++;
			return FDB_VERDICT_FORWARD;
		}
		uint32_t port_max = fdb_port_max_macs(fdb, ctx->port);

		if (port_max != 0 && fdb_port_count(fdb, ctx->port) >= port_max)
			return refuse(fdb, bd, ctx);
	}
	e->port = ctx->port;
	e->cause = req->cause;
	e->seen = ctx->now;
	if (e->moves < UINT8_MAX)
		e->moves++;
	/* One store publishes the move: the next lookup sends to the new port. */
	if (rte_hash_add_key_data(fdb->hash, &req->key, value_pack(e)) != 0)
		return FDB_VERDICT_FORWARD;
	__atomic_fetch_sub(&fdb->port_count[from % FDB_MAX_PORTS], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&fdb->port_count[ctx->port % FDB_MAX_PORTS], 1, __ATOMIC_RELAXED);
	ctx->stats->moved++;
	emit(ctx, FDB_EV_MOVED, req->key, from, req->cause);
	return FDB_VERDICT_FORWARD;
}

static int
earlier_request(const struct fdb_learn_req *reqs, unsigned int i)
{
	for (unsigned int j = 0; j < i; j++)
		if (reqs[j].key == reqs[i].key)
			return (int)j;
	return -1;
}

void
fdb_learn_bulk(struct fdb *fdb, const struct fdb_learn_req *reqs, unsigned int n,
	       const struct fdb_learn_ctx *ctx, uint8_t *verdicts)
{
	const void *key_ptrs[FDB_BULK_MAX];
	void *data[FDB_BULK_MAX];
	uint64_t hits = 0;

	for (unsigned int i = 0; i < n; i++)
		key_ptrs[i] = &reqs[i].key;
	rte_hash_lookup_bulk_data(fdb->hash, key_ptrs, n, &hits, data);

	for (unsigned int i = 0; i < n; i++) {
		bool hit = (hits >> i) & 1;
		int earlier;

		/* A repeated key that needs a write was handled by its first request. */
		if (!hit || value_port(data[i]) != ctx->port) {
			earlier = earlier_request(reqs, i);
			if (earlier >= 0) {
				verdicts[i] = verdicts[earlier];
				continue;
			}
		}
		if (hit) {
			struct fdb_entry e;

			entry_unpack(&e, reqs[i].key, data[i]);
			verdicts[i] = learn_known(fdb, &reqs[i], &e, ctx);
		} else {
			verdicts[i] = learn_new(fdb, &reqs[i], ctx);
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
	struct fdb_entry old, e = { .port = port, .flags = FDB_F_STATIC, .cause = FDB_CAUSE_STATIC };
	bool existed = fdb_lookup(fdb, key, &old) == 0;

	if (rte_hash_add_key_data(fdb->hash, &key, value_pack(&e)) < 0)
		return -ENOSPC;
	if (existed)
		fdb_count_del(fdb, &old);
	fdb_count_add(fdb, &e);
	return 0;
}

int
fdb_set_frozen(struct fdb *fdb, uint64_t key, bool frozen)
{
	struct fdb_entry e;

	if (fdb_lookup(fdb, key, &e) < 0)
		return -ENOENT;
	if (frozen)
		e.flags |= FDB_F_FROZEN;
	else
		e.flags &= (uint8_t)~FDB_F_FROZEN;
	return rte_hash_add_key_data(fdb->hash, &key, value_pack(&e)) < 0 ? -ENOSPC : 0;
}

/* Wait until no worker can still be reading a deleted slot, then reuse them. */
void
fdb_reclaim_positions(struct fdb *fdb, const int32_t *positions, unsigned int n)
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
	struct fdb_entry e;
	int32_t pos;

	if (fdb_lookup(fdb, key, &e) < 0)
		return -ENOENT;
	pos = rte_hash_del_key(fdb->hash, &key);
	if (pos < 0)
		return -ENOENT;
	fdb_count_del(fdb, &e);
	fdb_reclaim_positions(fdb, &pos, 1);
	return 0;
}

unsigned int
fdb_delete_if(struct fdb *fdb, fdb_match_fn *match, const void *arg)
{
	unsigned int capacity = (unsigned int)rte_hash_count(fdb->hash);
	struct fdb_entry *victims;
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
			victims[nb_victims++] = entry;
	}
	for (unsigned int i = 0; i < nb_victims; i++) {
		int32_t pos = rte_hash_del_key(fdb->hash, &victims[i].key);

		if (pos >= 0) {
			fdb_count_del(fdb, &victims[i]);
			positions[nb_deleted++] = pos;
		}
	}
	fdb_reclaim_positions(fdb, positions, nb_deleted);
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
