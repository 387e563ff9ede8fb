/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The MAC table's policy: learning, moves, limits, static entries, deletion
 * and walks, over the bucket table of fdb_table.c and fdb_priv.h.
 */
#include "fdb.h"

#include <errno.h>
#include <stdlib.h>

#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_ring_elem.h>

static const char *const cause_names[FDB_CAUSE_MAX] = {
	[FDB_CAUSE_LEARNED] = "learned", [FDB_CAUSE_GARP] = "garp", [FDB_CAUSE_RARP] = "rarp",
	[FDB_CAUSE_UNA] = "una",         [FDB_CAUSE_STATIC] = "static",
	[FDB_CAUSE_RECORD] = "record",
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
	struct fdb *fdb;
	int ret;

	fdb = rte_zmalloc_socket("fdb", sizeof(*fdb), RTE_CACHE_LINE_SIZE, params->socket_id);
	if (fdb == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	ret = fdb_table_init(fdb, params->max_entries, params->socket_id);
	if (ret < 0) {
		rte_free(fdb);
		rte_errno = -ret;
		return NULL;
	}
	fdb->qsbr = params->qsbr;
	for (unsigned int bd = 0; bd < FDB_MAX_BDS; bd++)
		fdb->bd_conf[bd] = (struct fdb_bd_conf){ .aging_s = FDB_DEFAULT_AGING_S,
							 .learning = true,
							 .flap_moves = FDB_DEFAULT_FLAP_MOVES,
							 .flap_window_s = FDB_DEFAULT_FLAP_WINDOW_S };
	return fdb;
}

void
fdb_destroy(struct fdb *fdb)
{
	if (fdb == NULL)
		return;
	fdb_flap_table_free(fdb->flaps);
	fdb_table_fini(fdb);
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
	/* The shared slot of non-local ports never gets a limit. */
	if (port < FDB_MAX_PORTS)
		__atomic_store_n(&fdb->port_max[port], max_macs, __ATOMIC_RELAXED);
}

uint32_t
fdb_port_max_macs(const struct fdb *fdb, uint16_t port)
{
	return __atomic_load_n(&fdb->port_max[fdb_port_idx(port)], __ATOMIC_RELAXED);
}

uint32_t
fdb_bd_count(const struct fdb *fdb, uint16_t bd)
{
	return __atomic_load_n(&fdb->bd_count[bd % FDB_MAX_BDS], __ATOMIC_RELAXED);
}

uint32_t
fdb_port_count(const struct fdb *fdb, uint16_t port)
{
	return __atomic_load_n(&fdb->port_count[fdb_port_idx(port)], __ATOMIC_RELAXED);
}

/*
 * Moves and announcements go on their own ring: a cluster agent claims a
 * migrated VM from them, so they must not queue behind a flood of learns.
 */
static void
emit(const struct fdb_learn_ctx *ctx, uint8_t type, uint64_t key, uint16_t from, uint8_t cause)
{
	struct fdb_event ev = { .key = key, .from = from, .to = ctx->port, .type = type,
				.cause = cause };
	bool urgent = type != FDB_EV_LEARNED || cause != FDB_CAUSE_LEARNED;
	struct rte_ring *ring = urgent && ctx->urgent != NULL ? ctx->urgent : ctx->events;

	if (ring == NULL || rte_ring_sp_enqueue_elem(ring, &ev, sizeof(ev)) == 0)
		return;
	if (urgent)
		ctx->stats->urgent_lost++;
	else
		ctx->stats->events_lost++;
}

static uint8_t
refuse(const struct fdb *fdb, uint16_t bd, const struct fdb_learn_ctx *ctx)
{
	ctx->stats->limit_refused++;
	return __atomic_load_n(&fdb->bd_conf[bd].drop_over_limit, __ATOMIC_RELAXED) ?
		       FDB_VERDICT_DROP :
		       FDB_VERDICT_FORWARD;
}

static uint8_t learn_known(struct fdb *fdb, const struct fdb_learn_req *req, uint32_t pos,
			   uint64_t v, const struct fdb_learn_ctx *ctx);

static uint8_t
learn_new(struct fdb *fdb, const struct fdb_learn_req *req, const struct fdb_learn_ctx *ctx)
{
	uint16_t bd = fdb_key_bd(req->key) % FDB_MAX_BDS;
	struct fdb_entry e = { .port = ctx->port, .cause = req->cause, .seen = ctx->now };
	uint32_t *bd_count = &fdb->bd_count[bd], *port_count = fdb_port_count_of(fdb, ctx->port);
	uint64_t cur;
	uint32_t pos;
	int ret;

	if (req->cause == FDB_CAUSE_LEARNED &&
	    !__atomic_load_n(&fdb->bd_conf[bd].learning, __ATOMIC_RELAXED)) {
		ctx->stats->learning_off++;
		return FDB_VERDICT_FORWARD;
	}
	if (unlikely(fdb_key_reserved(req->key)))
		return FDB_VERDICT_FORWARD; /* bd 0 + zero MAC: the pipeline never gets here */
	/*
	 * Places in both counts before the insert, not a look at them: workers
	 * learning at once each get their own place, so together they cannot
	 * pass a limit that each of them saw one short of.
	 */
	if (!fdb_count_reserve(bd_count, __atomic_load_n(&fdb->bd_conf[bd].max_macs,
							 __ATOMIC_RELAXED)))
		return refuse(fdb, bd, ctx);
	if (!fdb_count_reserve(port_count, fdb_port_max_macs(fdb, ctx->port))) {
		fdb_count_release(bd_count);
		return refuse(fdb, bd, ctx);
	}
	ret = fdb_table_insert(fdb, req->key, value_pack(&e), &pos, &cur);
	if (likely(ret == 0)) {
		ctx->stats->learned++;
		emit(ctx, FDB_EV_LEARNED, req->key, FDB_PORT_NONE, req->cause);
		return FDB_VERDICT_FORWARD;
	}
	/* Not inserted: the places go back before anything else is decided. */
	fdb_count_release(port_count);
	fdb_count_release(bd_count);
	if (ret == -EEXIST) /* another worker was first */
		return learn_known(fdb, req, pos, cur, ctx);
	ctx->stats->table_full++;
	return FDB_VERDICT_FORWARD;
}

#define LEARN_RETRIES 4 /* value changed under us this often: leave it to the next frame */

/* 'req' is known at 'pos' with value 'v': refresh it, move it, or leave it. */
static uint8_t
learn_known(struct fdb *fdb, const struct fdb_learn_req *req, uint32_t pos, uint64_t v,
	    const struct fdb_learn_ctx *ctx)
{
	uint16_t bd = fdb_key_bd(req->key) % FDB_MAX_BDS;
	uint32_t *to_count = fdb_port_count_of(fdb, ctx->port);

	for (unsigned int tries = 0; tries < LEARN_RETRIES; tries++) {
		struct fdb_entry e;
		uint16_t from;
		bool recount;

		entry_unpack(&e, req->key, v);
		from = e.port;
		if (likely(e.port == ctx->port)) {
			/* The common case: write only when last-seen is getting stale. */
			if (unlikely(ctx->now - e.seen >= FDB_REFRESH_S) &&
			    !(e.flags & FDB_F_STATIC)) {
				e.seen = ctx->now;
				/* If it fails, someone else just wrote a fresher value. */
				fdb_table_update(fdb, pos, &v, value_pack(&e));
			}
			return FDB_VERDICT_FORWARD;
		}
		if (e.flags & FDB_F_STATIC) {
			ctx->stats->static_conflict++;
			return FDB_VERDICT_FORWARD;
		}
		if (e.flags & FDB_F_FROZEN) {
			ctx->stats->frozen_refused++;
			return FDB_VERDICT_FORWARD;
		}
		if (req->cause == FDB_CAUSE_LEARNED &&
		    !__atomic_load_n(&fdb->bd_conf[bd].learning, __ATOMIC_RELAXED)) {
			ctx->stats->learning_off++;
			return FDB_VERDICT_FORWARD;
		}
		/*
		 * The MAC becomes one more on the new port, announcement or not: a
		 * place there first, as for a new MAC.  Remote ports share one
		 * count (fdb_port_idx) with no limit, so a move between two of them
		 * changes nothing.
		 */
		recount = fdb_port_idx(from) != fdb_port_idx(ctx->port);
		if (recount && !fdb_count_reserve(to_count, fdb_port_max_macs(fdb, ctx->port)))
			return refuse(fdb, bd, ctx);
		e.port = ctx->port;
		e.cause = req->cause;
		e.seen = ctx->now;
		/* Traffic outranks a record: from here on it is learned, and ages. */
		e.flags &= (uint8_t)~FDB_F_RECORD;
		if (e.moves < UINT8_MAX)
			e.moves++;
		/*
		 * One compare-and-swap publishes the move: the next lookup sends to
		 * the new port.  It fails if another worker moved it, or the control
		 * thread froze it, since we read it; decide again on the new value.
		 * Only the winner gives back the old port's place, so each move
		 * uncounts its old port exactly once.
		 */
		if (!fdb_table_update(fdb, pos, &v, value_pack(&e))) {
			if (recount)
				fdb_count_release(to_count);
			continue;
		}
		if (recount)
			fdb_count_release(fdb_port_count_of(fdb, from));
		ctx->stats->moved++;
		emit(ctx, FDB_EV_MOVED, req->key, from, req->cause);
		return FDB_VERDICT_FORWARD;
	}
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

#define LEARN_CACHE_BITS 12			   /* log2(FDB_LEARN_CACHE_ENTRIES) */
#define LEARN_CACHE_MIX	 0x9e3779b97f4a7c15ULL /* multiply-shift hash of a key's high bits */

_Static_assert(FDB_LEARN_CACHE_ENTRIES == 1u << LEARN_CACHE_BITS, "one index width");

/*
 * A key's entry: its low bits (the MAC's last ones), moved by a hash of the
 * rest (the MAC's first bytes and the domain).  MACs a hypervisor hands out
 * one after another take entries one after another, four to a cache line,
 * and 4K of them never collide; random MACs spread as their low bits do.
 */
static inline uint32_t
learn_cache_idx(uint64_t key)
{
	uint64_t high = (key >> LEARN_CACHE_BITS) * LEARN_CACHE_MIX >> (64 - LEARN_CACHE_BITS);

	return (uint32_t)(key ^ high) & (FDB_LEARN_CACHE_ENTRIES - 1);
}

#define LEARN_CACHE_SAMPLE 2048u /* probes per verdict on whether the cache pays */
#define LEARN_CACHE_REST   512u	 /* bulk calls without it after a poor sample */
#define LEARN_CACHE_MIN_PCT 25u	 /* the hit rate below which a sample is poor */

/* Is the cache to be tried in this bulk call?  Counts down a rest. */
static inline bool
cache_in_use(struct fdb_learn_cache_use *u)
{
	if (likely(u->rest == 0))
		return true;
	u->rest--;
	return false;
}

/* 'hits' of 'n' probes answered: after a poor sample, rest. */
static inline void
cache_used(struct fdb_learn_cache_use *u, unsigned int n, unsigned int hits)
{
	u->probes += n;
	u->hits += hits;
	if (u->probes < LEARN_CACHE_SAMPLE)
		return;
	if ((uint64_t)u->hits * 100 < (uint64_t)u->probes * LEARN_CACHE_MIN_PCT)
		u->rest = LEARN_CACHE_REST;
	u->probes = 0;
	u->hits = 0;
}

/*
 * The tag a source found on ctx->port carries in this call's epoch: a new
 * epoch when the second turned or the table changed since the last call.
 */
static inline uint64_t
learn_cache_tag(const struct fdb *fdb, struct fdb_learn_cache *c, const struct fdb_learn_ctx *ctx)
{
	uint32_t changes = fdb_changes(fdb);

	if (unlikely(c->now != ctx->now || c->changes != changes || c->epoch == 0)) {
		c->epoch++;
		c->now = ctx->now;
		c->changes = changes;
	}
	return c->epoch << 16 | ctx->port;
}

/*
 * Requests the worker's learn cache cannot confirm, copied to 'left' with
 * their index in 'idx'; the rest are ordinary frames from sources found on
 * this port in this epoch, whose verdict is forward.  An announcement
 * always goes to the table.  @return how many are left.
 */
static unsigned int
learn_cache_filter(const struct fdb_learn_cache *c, uint64_t tag, const struct fdb_learn_req *reqs,
		   unsigned int n, uint8_t *verdicts, struct fdb_learn_req *left, uint8_t *idx)
{
	unsigned int nb = 0;

	for (unsigned int i = 0; i < n; i++) {
		uint32_t h = learn_cache_idx(reqs[i].key);

		if (likely(c->e[h].key == reqs[i].key && c->e[h].tag == tag &&
			   reqs[i].cause == FDB_CAUSE_LEARNED)) {
			verdicts[i] = FDB_VERDICT_FORWARD;
			continue;
		}
		left[nb] = reqs[i];
		idx[nb++] = (uint8_t)i;
	}
	return nb;
}

/* Learning once the requests' entries were looked up: vals[i]/pos[i] belong to reqs[i]. */
static __rte_always_inline void
learn_found(struct fdb *fdb, const struct fdb_learn_req *reqs, unsigned int n,
	    const struct fdb_learn_ctx *ctx, uint8_t *verdicts, const uint64_t *vals,
	    const uint32_t *pos, uint64_t tag)
{
	for (unsigned int i = 0; i < n; i++)
		if (unlikely(pos[i] == FDB_POS_NONE))
			fdb_prefetch_insert(fdb, reqs[i].key);

	for (unsigned int i = 0; i < n; i++) {
		bool hit = pos[i] != FDB_POS_NONE;
		int earlier;

		if (likely(hit && value_port(vals[i]) == ctx->port)) {
			/* Known here: nothing to write unless last-seen is stale. */
			if (likely(ctx->now - (uint32_t)(vals[i] >> 32) < FDB_REFRESH_S)) {
				verdicts[i] = FDB_VERDICT_FORWARD;
				if (tag != 0) {
					uint32_t h = learn_cache_idx(reqs[i].key);

					ctx->cache->e[h].key = reqs[i].key;
					ctx->cache->e[h].tag = tag;
				}
				continue;
			}
		} else {
			/* A repeated key that needs a write was handled by its first request. */
			earlier = earlier_request(reqs, i);
			if (earlier >= 0) {
				verdicts[i] = verdicts[earlier];
				continue;
			}
		}
		if (hit)
			verdicts[i] = learn_known(fdb, &reqs[i], pos[i], vals[i], ctx);
		else
			verdicts[i] = learn_new(fdb, &reqs[i], ctx);
	}
}

/*
 * The requests learning must look up in the table: all of them, or those
 * the worker's learn cache does not confirm (then copied to 'left', with
 * their index in 'idx', and '*tag' set).  @return how many, and where.
 */
static const struct fdb_learn_req *
learn_requests(const struct fdb *fdb, const struct fdb_learn_req *reqs, unsigned int *n,
	       const struct fdb_learn_ctx *ctx, uint8_t *verdicts, struct fdb_learn_req *left,
	       uint8_t *idx, uint64_t *tag)
{
	unsigned int all = *n;

	*tag = 0;
	if (ctx->cache == NULL || !cache_in_use(&ctx->cache->src))
		return reqs; /* and nothing is filled: tag 0 */
	*tag = learn_cache_tag(fdb, ctx->cache, ctx);
	*n = learn_cache_filter(ctx->cache, *tag, reqs, *n, verdicts, left, idx);
	cache_used(&ctx->cache->src, all, all - *n);
	return left;
}

/*
 * The verdicts of the requests learn_requests() left, back in the callers'
 * order (the learn cache's own are all forward).  @return how many are drops.
 */
static inline unsigned int
learn_verdicts(const struct fdb_learn_req *todo, const struct fdb_learn_req *reqs, unsigned int n,
	       const uint8_t *idx, const uint8_t *v, uint8_t *verdicts)
{
	unsigned int refused = 0;

	for (unsigned int j = 0; j < n; j++) {
		refused += v[j] == FDB_VERDICT_DROP;
		if (todo != reqs) /* else learned in place */
			verdicts[idx[j]] = v[j];
	}
	return refused;
}

unsigned int
fdb_learn_bulk(struct fdb *fdb, const struct fdb_learn_req *reqs, unsigned int n,
	       const struct fdb_learn_ctx *ctx, uint8_t *verdicts)
{
	struct fdb_learn_req left[FDB_BULK_MAX];
	uint8_t idx[FDB_BULK_MAX], v[FDB_BULK_MAX];
	uint64_t vals[FDB_BULK_MAX], tag;
	uint32_t pos[FDB_BULK_MAX];
	const struct fdb_learn_req *todo =
		learn_requests(fdb, reqs, &n, ctx, verdicts, left, idx, &tag);
	uint8_t *out = todo == reqs ? verdicts : v;

	fdb_find_bulk(fdb, &todo[0].key, sizeof(todo[0]), n, vals, pos);
	learn_found(fdb, todo, n, ctx, out, vals, pos, tag);
	return learn_verdicts(todo, reqs, n, idx, out, verdicts);
}

/*
 * Destinations the learn cache answers: a source found on its port in this
 * epoch is where the table says it is.  Their ports go into 'ports'; the
 * rest are copied to 'left' with their index in 'idx'.  @return how many are left.
 */
static unsigned int
dst_cache_filter(const struct fdb_learn_cache *c, uint64_t epoch, const uint64_t *keys,
		 unsigned int n, uint16_t *ports, uint64_t *left, uint8_t *idx)
{
	unsigned int nb = 0;

	for (unsigned int i = 0; i < n; i++) {
		uint32_t h = learn_cache_idx(keys[i]);

		if (c->e[h].key == keys[i] && c->e[h].tag >> 16 == epoch) {
			ports[i] = (uint16_t)c->e[h].tag;
			continue;
		}
		left[nb] = keys[i];
		idx[nb++] = (uint8_t)i;
	}
	return nb;
}

unsigned int
fdb_learn_lookup_bulk(struct fdb *fdb, const struct fdb_learn_req *reqs, unsigned int nb_reqs,
		      const struct fdb_learn_ctx *ctx, uint8_t *verdicts, const uint64_t *keys,
		      unsigned int nb_keys, uint16_t *ports)
{
	uint32_t rb1[FDB_BULK_MAX], rb2[FDB_BULK_MAX], kb1[FDB_BULK_MAX], kb2[FDB_BULK_MAX];
	struct fdb_learn_req left[FDB_BULK_MAX];
	uint8_t idx[FDB_BULK_MAX], v[FDB_BULK_MAX], kidx[FDB_BULK_MAX];
	uint64_t vals[FDB_BULK_MAX], kleft[FDB_BULK_MAX], tag;
	uint32_t pos[FDB_BULK_MAX];
	const struct fdb_learn_req *todo =
		learn_requests(fdb, reqs, &nb_reqs, ctx, verdicts, left, idx, &tag);
	uint8_t *out = todo == reqs ? verdicts : v;
	const uint64_t *find = keys;
	unsigned int nb_find = nb_keys, refused;

	if (tag != 0 && cache_in_use(&ctx->cache->dst)) {
		nb_find = dst_cache_filter(ctx->cache, tag >> 16, keys, nb_keys, ports, kleft, kidx);
		cache_used(&ctx->cache->dst, nb_keys, nb_keys - nb_find);
		find = kleft;
	}
	/* Every bucket of both sets is on its way before the first compare. */
	fdb_hash_bulk(fdb, &todo[0].key, sizeof(todo[0]), nb_reqs, rb1, rb2);
	fdb_hash_bulk(fdb, find, sizeof(find[0]), nb_find, kb1, kb2);
	fdb_find_hashed(fdb, &todo[0].key, sizeof(todo[0]), nb_reqs, rb1, rb2, vals, pos);
	learn_found(fdb, todo, nb_reqs, ctx, out, vals, pos, tag);
	refused = learn_verdicts(todo, reqs, nb_reqs, idx, out, verdicts);
	/*
	 * After learning, so a destination learned from this very burst is
	 * found; if this burst moved or changed an entry, the cache's answers
	 * for destinations are from before it: look them all up.
	 */
	if (unlikely(find != keys && ctx->cache->changes != fdb_changes(fdb))) {
		find = keys;
		nb_find = nb_keys;
		fdb_find_bulk(fdb, keys, sizeof(keys[0]), nb_keys, vals, pos);
	} else {
		fdb_find_hashed(fdb, find, sizeof(find[0]), nb_find, kb1, kb2, vals, pos);
	}
	for (unsigned int j = 0; j < nb_find; j++) {
		unsigned int i = find == keys ? j : kidx[j];

		ports[i] = pos[j] != FDB_POS_NONE ? value_port(vals[j]) : FDB_PORT_NONE;
	}
	return refused;
}

void
fdb_lookup_bulk(const struct fdb *fdb, const uint64_t *keys, unsigned int n, uint16_t *ports)
{
	uint64_t vals[FDB_BULK_MAX];
	uint32_t pos[FDB_BULK_MAX];

	fdb_find_bulk(fdb, keys, sizeof(keys[0]), n, vals, pos);
	for (unsigned int i = 0; i < n; i++)
		ports[i] = pos[i] != FDB_POS_NONE ? value_port(vals[i]) : FDB_PORT_NONE;
}

void
fdb_lookup_slot_bulk(const struct fdb *fdb, const uint64_t *keys, unsigned int n, uint16_t *ports,
		     fdb_slot_ref *slots)
{
	uint64_t vals[FDB_BULK_MAX];
	uint32_t pos[FDB_BULK_MAX];

	fdb_find_bulk(fdb, keys, sizeof(keys[0]), n, vals, pos);
	for (unsigned int i = 0; i < n; i++) {
		if (pos[i] == FDB_POS_NONE) {
			ports[i] = FDB_PORT_NONE;
			slots[i] = NULL;
			continue;
		}
		ports[i] = value_port(vals[i]);
		slots[i] = &fdb->buckets[pos[i] / FDB_BUCKET_SLOTS].keys[pos[i] % FDB_BUCKET_SLOTS];
	}
}

uint32_t
fdb_changes(const struct fdb *fdb)
{
	return __atomic_load_n(&fdb->changes, __ATOMIC_ACQUIRE);
}

int
fdb_lookup(const struct fdb *fdb, uint64_t key, struct fdb_entry *entry)
{
	uint64_t v;

	if (fdb_table_find(fdb, key, &v) == FDB_POS_NONE)
		return -ENOENT;
	entry_unpack(entry, key, v);
	return 0;
}

/*
 * Configuration outranks limits: a static entry or a record is counted in its
 * domain and on its port (so learning sees less room) but never refused.
 * Counted before it is visible, like a learned MAC, so a count never trails
 * the table; if the key was there already, the old entry's places go back.
 */
static void
count_replaced(struct fdb *fdb, uint64_t key, uint64_t old_val)
{
	struct fdb_entry old;

	entry_unpack(&old, key, old_val);
	fdb_count_del(fdb, &old);
}

int
fdb_add_static(struct fdb *fdb, uint64_t key, uint16_t port)
{
	struct fdb_entry e = { .key = key, .port = port, .flags = FDB_F_STATIC,
			       .cause = FDB_CAUSE_STATIC };
	uint64_t cur;
	uint32_t pos;
	int ret;

	fdb_count_take(fdb, &e);
	ret = fdb_table_insert(fdb, key, value_pack(&e), &pos, &cur);
	if (ret == -EINVAL || ret == -ENOSPC) {
		fdb_count_del(fdb, &e);
		return ret;
	}
	if (ret == -EEXIST) {
		/* Replace whatever a worker may be writing; uncount it where it was. */
		while (!fdb_table_update(fdb, pos, &cur, value_pack(&e)))
			;
		count_replaced(fdb, key, cur);
	}
	return 0;
}

int
fdb_add_record(struct fdb *fdb, uint64_t key, uint16_t port)
{
	struct fdb_entry old, e = { .key = key, .port = port, .flags = FDB_F_RECORD,
				    .cause = FDB_CAUSE_RECORD };
	uint64_t cur;
	uint32_t pos;
	int ret;

	fdb_count_take(fdb, &e);
	ret = fdb_table_insert(fdb, key, value_pack(&e), &pos, &cur);
	if (ret == -EINVAL || ret == -ENOSPC) {
		fdb_count_del(fdb, &e);
		return ret;
	}
	if (ret == -EEXIST) {
		do {
			entry_unpack(&old, key, cur);
			if (old.flags & FDB_F_STATIC) {
				fdb_count_del(fdb, &e);
				return -EEXIST;
			}
		} while (!fdb_table_update(fdb, pos, &cur, value_pack(&e)));
		count_replaced(fdb, key, cur);
	}
	return 0;
}

/*
 * Rewrite the value of 'key' with 'change' by compare-and-swap: a worker may
 * refresh or move the entry meanwhile, and the change then applies to
 * whatever value is there.  @return 0 or -ENOENT.
 */
static int
value_update(struct fdb *fdb, uint64_t key, uint64_t (*change)(uint64_t v, bool on), bool on)
{
	uint64_t v;
	uint32_t pos;

	pos = fdb_table_find(fdb, key, &v);
	if (pos == FDB_POS_NONE)
		return -ENOENT;
	while (!fdb_table_update(fdb, pos, &v, change(v, on)))
		;
	return 0;
}

static uint64_t
with_frozen(uint64_t v, bool frozen)
{
	return frozen ? v | (uint64_t)FDB_F_FROZEN << 16 : v & ~((uint64_t)FDB_F_FROZEN << 16);
}

int
fdb_set_frozen(struct fdb *fdb, uint64_t key, bool frozen)
{
	return value_update(fdb, key, with_frozen, frozen);
}

/* One more move (bits 31..24), saturating. */
static uint64_t
with_one_more_move(uint64_t v, bool unused)
{
	(void)unused;
	return (v >> 24 & 0xff) == 0xff ? v : v + (1ULL << 24);
}

int
fdb_note_move(struct fdb *fdb, uint64_t key)
{
	return value_update(fdb, key, with_one_more_move, false);
}

int
fdb_delete(struct fdb *fdb, uint64_t key)
{
	uint64_t v;
	uint32_t pos;

	pos = fdb_table_find(fdb, key, &v);
	if (pos == FDB_POS_NONE || !fdb_table_hide(fdb, pos, key))
		return -ENOENT;
	fdb_reclaim_positions(fdb, &pos, &key, 1);
	return 0;
}

#define DELETE_BATCH 1024 /* deletions per grace period in fdb_delete_if */

/* Hidden as we walk: a key never moves, so hiding one cannot make the walk skip another. */
unsigned int
fdb_delete_if(struct fdb *fdb, fdb_match_fn *match, const void *arg)
{
	uint32_t positions[DELETE_BATCH];
	uint64_t keys[DELETE_BATCH];
	unsigned int nb_batch = 0, nb_deleted = 0;

	for (uint32_t b = 0; b < fdb->nb_buckets; b++) {
		struct fdb_bucket *bk = &fdb->buckets[b];

		for (unsigned int s = 0; s < FDB_BUCKET_SLOTS; s++) {
			uint64_t key = __atomic_load_n(&bk->keys[s], __ATOMIC_ACQUIRE);
			uint32_t pos = b * FDB_BUCKET_SLOTS + s;
			struct fdb_entry e;

			if (fdb_key_reserved(key))
				continue;
			entry_unpack(&e, key, __atomic_load_n(&bk->vals[s], __ATOMIC_RELAXED));
			if (match != NULL && !match(&e, arg))
				continue;
			if (!fdb_table_hide(fdb, pos, key))
				continue;
			positions[nb_batch] = pos;
			keys[nb_batch++] = key;
			nb_deleted++;
			if (nb_batch == DELETE_BATCH) {
				fdb_reclaim_positions(fdb, positions, keys, nb_batch);
				nb_batch = 0;
			}
		}
	}
	fdb_reclaim_positions(fdb, positions, keys, nb_batch);
	return nb_deleted;
}

unsigned int
fdb_walk(const struct fdb *fdb, fdb_walk_fn *fn, void *arg)
{
	unsigned int n = 0;

	for (uint32_t b = 0; b < fdb->nb_buckets; b++) {
		const struct fdb_bucket *bk = &fdb->buckets[b];

		for (unsigned int s = 0; s < FDB_BUCKET_SLOTS; s++) {
			uint64_t key = __atomic_load_n(&bk->keys[s], __ATOMIC_ACQUIRE);
			struct fdb_entry e;

			if (fdb_key_reserved(key))
				continue;
			entry_unpack(&e, key, __atomic_load_n(&bk->vals[s], __ATOMIC_RELAXED));
			fn(&e, arg);
			n++;
		}
	}
	return n;
}

unsigned int
fdb_count(const struct fdb *fdb)
{
	return __atomic_load_n(&fdb->nb_entries, __ATOMIC_RELAXED);
}
