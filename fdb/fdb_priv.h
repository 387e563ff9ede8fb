/* SPDX-License-Identifier: BSD-3-Clause */
/* The table's insides, shared by fdb.c, fdb_age.c and fdb_flap.c; not public. */
#ifndef VSW_FDB_PRIV_H
#define VSW_FDB_PRIV_H

#include <stdint.h>

#include "fdb.h"

struct rte_hash;
struct fdb_flap_table;

struct fdb {
	struct rte_hash *hash;                   /**< key -> packed value */
	struct rte_rcu_qsbr *qsbr;               /**< grace periods before a slot is reused */
	struct fdb_bd_conf bd_conf[FDB_MAX_BDS]; /**< policy per bridge domain */
	uint32_t port_max[FDB_MAX_PORTS];        /**< learning limit per port; 0 = none */
	uint32_t bd_count[FDB_MAX_BDS];          /**< entries per bridge domain */
	uint32_t port_count[FDB_MAX_PORTS];      /**< entries per port */
	uint32_t age_next;                       /**< where the aging walk resumes */
	uint32_t pass_bd[FDB_MAX_BDS];           /**< entries per domain counted this pass */
	uint32_t pass_port[FDB_MAX_PORTS];       /**< entries per port counted this pass */
	struct fdb_flap_table *flaps;            /**< recent movers, for flap detection */
};

/*
 * The value lives in rte_hash's data pointer: port in bits 15..0, flags in
 * 19..16, cause in 23..20, moves in 31..24, last-seen seconds in 63..32.
 */
static inline void *
value_pack(const struct fdb_entry *e)
{
	return (void *)(uintptr_t)((uint64_t)e->port | (uint64_t)(e->flags & 0xf) << 16 |
				   (uint64_t)(e->cause & 0xf) << 20 | (uint64_t)e->moves << 24 |
				   (uint64_t)e->seen << 32);
}

static inline uint16_t
value_port(const void *data)
{
	return (uint16_t)(uintptr_t)data;
}

static inline void
entry_unpack(struct fdb_entry *e, uint64_t key, const void *data)
{
	uint64_t v = (uint64_t)(uintptr_t)data;

	e->key = key;
	e->port = (uint16_t)v;
	e->flags = (uint8_t)((v >> 16) & 0xf);
	e->cause = (uint8_t)((v >> 20) & 0xf);
	e->moves = (uint8_t)(v >> 24);
	e->seen = (uint32_t)(v >> 32);
}

static inline void
fdb_count_add(struct fdb *fdb, const struct fdb_entry *e)
{
	__atomic_fetch_add(&fdb->bd_count[fdb_key_bd(e->key) % FDB_MAX_BDS], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&fdb->port_count[e->port % FDB_MAX_PORTS], 1, __ATOMIC_RELAXED);
}

/* Counts never go below zero, even if a recount raced a delete. */
static inline void
fdb_count_del(struct fdb *fdb, const struct fdb_entry *e)
{
	uint32_t *bd = &fdb->bd_count[fdb_key_bd(e->key) % FDB_MAX_BDS];
	uint32_t *port = &fdb->port_count[e->port % FDB_MAX_PORTS];

	if (__atomic_load_n(bd, __ATOMIC_RELAXED) > 0)
		__atomic_fetch_sub(bd, 1, __ATOMIC_RELAXED);
	if (__atomic_load_n(port, __ATOMIC_RELAXED) > 0)
		__atomic_fetch_sub(port, 1, __ATOMIC_RELAXED);
}

void fdb_reclaim_positions(struct fdb *fdb, const int32_t *positions, unsigned int n);
void fdb_flap_table_free(struct fdb_flap_table *t);

#endif /* VSW_FDB_PRIV_H */
