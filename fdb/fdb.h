/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The MAC table (forwarding database).
 *
 * Maps (bridge domain, MAC address) to the port where that MAC was last seen
 * as a source.  The key packs both into 8 bytes: bits 63..48 hold the bridge
 * domain id, bits 47..0 the MAC in network order, so that MACs are compared as
 * one integer and the same MAC in two bridge domains gives two entries.
 *
 * The value is packed into 8 bytes too and stored in place of rte_hash's data
 * pointer: the port slot and flags.  A MAC move is therefore one atomic store
 * of a new value, with nothing to free.
 *
 * Learning is done by the workers, in the packet path, so that the next frame
 * to a MAC that moved already goes to its new port.  Forwarding of a burst
 * sees the table as it is after the whole burst was learned.
 *
 * Complications:
 *   - Static entries are never moved by learning; a frame from a static MAC
 *     on another port is forwarded but does not change the entry.
 *   - A full table refuses new MACs (counted); frames still forward.
 *
 * Thread-safety: the table is an rte_hash with lock-free readers and
 * multiple writers.  Lookups never lock.  Workers add and update entries
 * (taking the hash's writer lock only when something changes); the control
 * thread adds static entries and deletes.  A deleted entry's slot is returned
 * to the table only after every worker has reported a quiescent state on the
 * rte_rcu_qsbr variable given at creation, so a concurrent reader never sees
 * a slot reused under it.  Functions say which thread may call them.
 */
#ifndef VSW_FDB_H
#define VSW_FDB_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_ether.h>

struct rte_rcu_qsbr;
struct fdb;

#define FDB_PORT_NONE 0xffffu /* lookup miss */
#define FDB_BULK_MAX  64      /* most keys per bulk call */

/* Entry flags. */
#define FDB_F_STATIC 0x01u /* configured; never moved or aged */

struct fdb_params {
	const char *name;          /**< unique table name (DPDK object names) */
	uint32_t max_entries;      /**< capacity */
	int socket_id;             /**< NUMA socket for the table memory */
	struct rte_rcu_qsbr *qsbr; /**< quiescent-state variable the workers report to */
};

/* The unpacked value of an entry. */
struct fdb_entry {
	uint64_t key;   /**< (bridge domain, MAC) */
	uint16_t port;  /**< port slot */
	uint8_t flags;  /**< FDB_F_* */
};

/* What one learn call did; a worker adds these to its own counters. */
struct fdb_learn_stats {
	uint64_t learned;        /**< new entries */
	uint64_t moved;          /**< entries that changed port */
	uint64_t table_full;     /**< new MACs refused: table full */
	uint64_t static_conflict; /**< frames from a static MAC on another port */
};

/** Build the key of 'mac' in bridge domain 'bd'.  Thread-safe. */
static inline uint64_t
fdb_key(uint16_t bd, const struct rte_ether_addr *mac)
{
	uint64_t key = 0;

	/* Byte-wise, so the key is the same on any endianness. */
	for (int i = 0; i < RTE_ETHER_ADDR_LEN; i++)
		key = (key << 8) | mac->addr_bytes[i];
	return key | (uint64_t)bd << 48;
}

static inline uint16_t
fdb_key_bd(uint64_t key)
{
	return (uint16_t)(key >> 48);
}

static inline void
fdb_key_mac(uint64_t key, struct rte_ether_addr *mac)
{
	for (int i = RTE_ETHER_ADDR_LEN - 1; i >= 0; i--) {
		mac->addr_bytes[i] = (uint8_t)key;
		key >>= 8;
	}
}

/* Create and destroy: control thread, workers stopped or not yet started. */

/** @return a new table, or NULL with rte_errno set. */
struct fdb *fdb_create(const struct fdb_params *params);
/** Free the table; accepts NULL. No worker may use it any more. */
void fdb_destroy(struct fdb *fdb);

/* Learn and look up: workers (any thread), lock-free for lookups. */

/**
 * Learn that the sources 'keys[0..n)' were seen on 'port': add the missing,
 * move those on another port.  Repeated keys are fine.  n <= FDB_BULK_MAX.
 */
void fdb_learn_bulk(struct fdb *fdb, const uint64_t *keys, unsigned int n, uint16_t port,
		    struct fdb_learn_stats *stats);

/**
 * Look up 'keys[0..n)'; ports[i] is the port slot or FDB_PORT_NONE.
 * n <= FDB_BULK_MAX.
 */
void fdb_lookup_bulk(const struct fdb *fdb, const uint64_t *keys, unsigned int n,
		     uint16_t *ports);

/** Look up one key. @return 0 and fill 'entry', or -ENOENT. Any thread. */
int fdb_lookup(const struct fdb *fdb, uint64_t key, struct fdb_entry *entry);

/* Configure: control thread only. */

/** Add or replace a static entry. @return 0, -ENOSPC (table full). */
int fdb_add_static(struct fdb *fdb, uint64_t key, uint16_t port);

/**
 * Delete the entries for which 'match' returns true (all when 'match' is
 * NULL), waiting for the workers' grace period before their slots are
 * reused.  @return the number deleted.
 */
typedef bool fdb_match_fn(const struct fdb_entry *entry, const void *arg);
unsigned int fdb_delete_if(struct fdb *fdb, fdb_match_fn *match, const void *arg);

/** Delete one key. @return 0 or -ENOENT. */
int fdb_delete(struct fdb *fdb, uint64_t key);

/* Walk: control thread.  Entries added or removed during the walk may or may not be seen. */
typedef void fdb_walk_fn(const struct fdb_entry *entry, void *arg);
unsigned int fdb_walk(const struct fdb *fdb, fdb_walk_fn *fn, void *arg);

/** @return the number of entries. Any thread (approximate while workers learn). */
unsigned int fdb_count(const struct fdb *fdb);

#endif /* VSW_FDB_H */
