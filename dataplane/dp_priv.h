/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the workers and the control side of dataplane/ share: the published
 * configuration snapshot, per-worker state and the switch-wide singleton.
 */
#ifndef VSW_DP_PRIV_H
#define VSW_DP_PRIV_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_ethdev.h>

#include "dp.h"
#include "dp_counters.h"
#include "fdb.h"
#include "port.h"

#ifndef VSW_BURST_SIZE
#define VSW_BURST_SIZE 32
#endif

_Static_assert(VSW_MAX_PORTS <= RTE_MAX_ETHPORTS, "more port slots than DPDK ports");
_Static_assert(VSW_MAX_PORTS <= 64, "tx_pending is a 64-bit mask");
_Static_assert(VSW_BURST_SIZE <= FDB_BULK_MAX, "a burst must fit one bulk lookup");

/* A port as the workers see it. */
struct dp_port_rt {
	uint16_t eth_port; /**< DPDK port id */
	uint16_t bd;       /**< bridge domain id */
	bool in_use;       /**< slot holds a live port */
};

/* A bridge domain's flood list. */
struct dp_bd_rt {
	uint16_t nb_members;              /**< ports in 'members' */
	uint16_t members[VSW_MAX_PORTS];  /**< port slots */
};

/* One RX queue a worker polls. */
struct dp_rxq {
	uint16_t slot;     /**< port slot */
	uint16_t eth_port; /**< DPDK port id */
	uint16_t queue;    /**< RX queue id */
	uint16_t bd;       /**< bridge domain of the port */
};

/*
 * Immutable once published: the control thread builds a new one for every
 * change and frees the old one after a grace period.
 */
struct dp_snapshot {
	struct dp_port_rt ports[VSW_MAX_PORTS];              /**< by slot */
	struct dp_bd_rt bds[VSW_MAX_BDS];                    /**< by bridge-domain id */
	uint16_t nb_rxq[VSW_MAX_WORKERS];                    /**< queues per worker */
	struct dp_rxq rxq[VSW_MAX_WORKERS][VSW_MAX_PORTS];   /**< what each worker polls */
};

/*
 * Per-worker state.  Counters are written only by their worker and read by
 * the control thread with relaxed atomic loads.
 */
struct dp_lcore {
	unsigned int index;     /**< worker index: TX queue id and RCU thread id */
	unsigned int lcore_id;  /**< EAL lcore it runs on */
	uint64_t tx_pending;    /**< slots with buffered frames */
	struct rte_eth_dev_tx_buffer *txb[VSW_MAX_PORTS]; /**< TX buffer per port slot */
	uint64_t counters[DP_CNT_MAX];     /**< switch-wide counters */
	uint64_t tx_full[VSW_MAX_PORTS];   /**< frames a port's TX queue refused */
	struct fdb_learn_stats learn;      /**< what learning did */
	uint64_t busy_cycles;   /**< TSC in rounds that received frames */
	uint64_t idle_cycles;   /**< TSC in rounds that received nothing */
	uint64_t rx_packets;    /**< frames received */
	uint64_t rx_bursts;     /**< non-empty bursts */
	uint32_t nb_rxq;        /**< queues in the current snapshot */
} __rte_cache_aligned;

/* The control side's view of a port. */
struct dp_port {
	bool in_use;                 /**< slot taken */
	char name[PORT_NAME_MAX];    /**< user's name */
	uint16_t bd;                 /**< bridge domain id */
	struct port_handle handle;   /**< the open device */
	uint64_t tx_full_base;       /**< tx_full sum when the slot was (re)used */
};

struct dp_bd {
	bool in_use;                 /**< id taken */
	char name[PORT_NAME_MAX];    /**< user's name */
};

struct dp_main {
	struct dp_options opts;          /**< daemon options */
	struct rte_mempool *pool;        /**< packet buffers */
	struct rte_rcu_qsbr *qsbr;       /**< workers' quiescent states */
	struct fdb *fdb;                 /**< the MAC table */
	unsigned int nb_workers;         /**< worker lcores */
	bool started;                    /**< workers launched */
	struct dp_lcore *lcores[VSW_MAX_WORKERS];        /**< per-worker state */
	_Atomic(struct dp_snapshot *) snapshot;          /**< what workers read */
	atomic_bool stop;                                /**< workers exit when set */
	struct dp_port ports[VSW_MAX_PORTS];             /**< by slot */
	struct dp_bd bds[VSW_MAX_BDS];                   /**< by id */
};

extern struct dp_main dp_main;

/* Rebuild and publish the snapshot, then wait until no worker reads the old one. */
int dp_publish(void);

/* TX-full drops of a slot, summed over workers (since the daemon started). */
uint64_t dp_tx_full_sum(uint16_t slot);

/* Entries per bridge-domain id (VSW_MAX_BDS counts). */
void dp_fdb_count_per_bd(uint32_t *per_bd);

/* Worker entry point (dp_worker.c). */
int dp_worker_main(void *arg);
/* One poll of every RX queue of 'lc' in 'snap', then TX flush. @return frames received. */
uint32_t dp_poll_round(struct dp_lcore *lc, const struct dp_snapshot *snap);

/* The per-burst pipeline (dp_pipeline.c); worker context. */
void dp_pipeline_burst(struct dp_lcore *lc, const struct dp_snapshot *snap,
		       const struct dp_rxq *rxq, struct rte_mbuf **pkts, uint16_t nb_pkts);
/* Send every buffered frame; worker context. */
void dp_tx_flush(struct dp_lcore *lc, const struct dp_snapshot *snap);

/* Per-worker state, shared by init and by tests that drive the pipeline directly. */
struct dp_lcore *dp_lcore_create(unsigned int index, unsigned int lcore_id);
void dp_lcore_destroy(struct dp_lcore *lc);

static inline uint64_t
dp_read_counter(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

#endif /* VSW_DP_PRIV_H */
