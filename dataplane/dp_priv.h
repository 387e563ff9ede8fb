/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the workers and the control side of dataplane/ share: the published
 * configuration snapshot (built by the control thread, read-only for the
 * workers), per-worker state (written by its worker, its counters read by
 * the control thread with relaxed loads), and the switch-wide singleton
 * dp_main (the control thread's; workers read only what dp_init() set
 * before they started: pool, fdb, ovl, qsbr, ctl_rx, opts, the clock, and
 * 'snapshot' and 'stop' with acquire loads).
 *
 * Who may call what: dp_worker.h (worker side), dp_ctl.h (control side).
 * A file of dataplane/ includes the one of its side, never both, except
 * where one side starts the other (dp_switch.c launches dp_worker_main).
 */
#ifndef VSW_DP_PRIV_H
#define VSW_DP_PRIV_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_spinlock.h>

#include "dp.h"
#include "dp_counters.h"
#include "fdb.h"
#include "nvgre.h"
#include "port.h"

#ifndef VSW_BURST_SIZE
#define VSW_BURST_SIZE 64 /* meson_options.txt burst_size sets it */
#endif

_Static_assert(VSW_MAX_PORTS <= RTE_MAX_ETHPORTS, "more port slots than DPDK ports");
_Static_assert(VSW_MAX_PORTS <= 64, "tx_pending is a 64-bit mask");
_Static_assert(VSW_BURST_SIZE <= FDB_BULK_MAX, "a burst must fit one bulk lookup");
_Static_assert(VSW_MAX_BDS <= FDB_MAX_BDS, "every bridge domain needs its own FDB settings");

#define DP_MAX_TUNNELS 4096     /* overlay template slots: (VSID, remote PA) pairs */
#define DP_ICMP_DEST_UNREACH 3  /* ICMP types that quote the packet that failed */
#define DP_ICMP_TIME_EXCEEDED 11
#define DP_ICMP_FRAG_NEEDED 4    /* code of DEST_UNREACH: "fragmentation needed and DF set" (RFC 1191) */
#define DP_ICMP6_DEST_UNREACH 1  /* ICMPv6 errors that quote the packet that failed */
#define DP_ICMP6_PACKET_TOO_BIG 2
#define DP_ICMP6_TIME_EXCEEDED 3
#define DP_IPPROTO_ICMPV6 58

/* RX queues one worker can poll: every port, some with several queues (vhost-user). */
#define VSW_MAX_RXQ (VSW_MAX_PORTS * 2)

/* A port as the workers see it. */
struct dp_port_rt {
	uint16_t eth_port;    /**< DPDK port id */
	uint16_t txq[VSW_MAX_WORKERS]; /**< the TX queue each worker sends on */
	rte_spinlock_t *tx_locks; /**< per TX queue, when workers share them; NULL = one each */
	uint16_t bd;          /**< bridge domain id; a trunk's: its native VLAN's, or DP_BD_NONE */
	bool in_use;          /**< slot holds a live port */
	uint8_t vlan_mode;    /**< enum dp_vlan_mode */
	uint16_t nb_allowed;  /**< MACs in 'allowed'; 0 = any source allowed */
	uint64_t allowed[VSW_MAX_ALLOWED_MACS]; /**< MACs the port may send from, as fdb_key(0, mac) */
	uint64_t trunks[DP_VLAN_WORDS]; /**< trunk: the VLANs it carries tagged */
};

/* A bridge domain id that is none: a trunk without a native VLAN, the uplink. */
#define DP_BD_NONE 0xffffu

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
	uint16_t bd;       /**< bridge domain of the port (none for the uplink) */
	bool is_uplink;    /**< frames are NVGRE from other hosts, or ARP for our PAs */
	uint8_t vlan_mode; /**< enum dp_vlan_mode: anything but none goes through dp_vlan_burst */
};

/*
 * FDB port values from DP_PORT_REMOTE up name a MAC on another host: the low
 * bits are the overlay template slot of that host's PA in the MAC's VSID.
 */
#define DP_PORT_REMOTE 0x8000u

static inline bool
dp_port_is_remote(uint16_t port)
{
	return port != FDB_PORT_NONE && (port & DP_PORT_REMOTE) != 0;
}

static inline uint16_t
dp_remote_slot(uint16_t port)
{
	return (uint16_t)(port & ~DP_PORT_REMOTE);
}

/*
 * Immutable once published: the control thread builds a new one for every
 * change and frees the old one after a grace period.
 */
struct dp_snapshot {
	struct dp_port_rt ports[VSW_MAX_PORTS];              /**< by slot */
	struct dp_bd_rt bds[VSW_MAX_BDS];                    /**< by bridge-domain id */
	uint16_t nb_rxq[VSW_MAX_WORKERS];                    /**< queues per worker */
	struct dp_rxq rxq[VSW_MAX_WORKERS][VSW_MAX_RXQ];
	uint32_t bd_vsid[VSW_MAX_BDS];                       /**< VSID of each bridge domain, 0 = none */
	uint16_t uplink_slot;                                /**< the overlay uplink, or 0xffff */
	uint16_t uplink_vlan;                                /**< provider VLAN on the uplink, 0 = none */
	uint16_t bd_vlan[VSW_MAX_BDS];                       /**< VLAN of each bridge domain, 0 = none */
	uint16_t vlan_bd[DP_VLAN_MAX + 1];                   /**< bridge domain of each VLAN, or DP_BD_NONE */
	uint32_t gen;                                        /**< dp_snapshot_gen() when built */
};

/* Is port 'slot' a member of bridge domain 'bd' (a trunk of several)?  Worker context. */
static inline bool
dp_port_in_bd(const struct dp_snapshot *snap, uint16_t slot, uint16_t bd)
{
	const struct dp_port_rt *p;

	if (slot >= VSW_MAX_PORTS)
		return false;
	p = &snap->ports[slot];
	if (likely(p->bd == bd))
		return p->in_use;
	return p->in_use && unlikely(p->vlan_mode == DP_VLAN_TRUNK) && snap->bd_vlan[bd] != 0 &&
	       dp_vlan_test(p->trunks, snap->bd_vlan[bd]);
}

/*
 * Where a TX buffer counts the frames its port refused: as link-down drops
 * while the port's link is down (a vhost-user guest that is gone), else as
 * a full queue.  One per worker and port slot; the control thread sets
 * 'eth_port' before it publishes the port.
 */
struct dp_tx_unsent {
	uint64_t *tx_full;   /**< the worker's tx_full[slot] */
	uint64_t *link_down; /**< the worker's tx_link_down[slot] */
	uint16_t eth_port;   /**< DPDK port in the slot */
};

struct dp_route_cache;

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
	uint64_t tx_link_down[VSW_MAX_PORTS];       /**< frames refused while its link was down */
	struct dp_tx_unsent tx_unsent[VSW_MAX_PORTS]; /**< TX buffer error-callback context */
	struct fdb_learn_stats learn;      /**< what learning did */
	uint64_t busy_cycles;   /**< TSC in rounds that received frames */
	uint64_t idle_cycles;   /**< TSC in rounds that received nothing */
	uint64_t rx_packets;    /**< frames received */
	uint64_t rx_bursts;     /**< non-empty bursts */
	uint32_t nb_rxq;        /**< queues in the current snapshot */
	uint32_t now;           /**< seconds since start (dp_worker_clock), read once per round */
	uint64_t next_second_tsc; /**< TSC at which 'now' next advances */
	struct rte_ring *events; /**< ordinary learn events for the control thread */
	struct rte_ring *urgent; /**< move and announcement events, drained first */
	uint64_t lost_told;      /**< this worker's lost events the control thread has reported */
	struct rte_ring *inject; /**< frames the control thread wants sent; m->port = slot */
	uint64_t encap[NVGRE_ENCAP_MAX]; /**< encapsulation results */
	uint64_t tunnel_drops[DP_MAX_TUNNELS]; /**< frames for a remote PA's slot not sent */
	uint64_t decap[NVGRE_DECAP_MAX]; /**< decapsulation results */
	struct dp_route_cache *route_cache; /**< the routing stage's (dp_route_cache.h) */
	struct fdb_learn_cache *learn_cache; /**< sources confirmed on VM ports (fdb.h) */
} __rte_cache_aligned;

#define DP_EVENT_RING_SIZE 4096 /* FDB events of each kind a worker can queue between ticks */

/* The control side's view of a port. */
struct dp_port {
	bool in_use;                 /**< slot taken */
	char name[PORT_NAME_MAX];    /**< user's name */
	uint16_t bd;                 /**< bridge domain id */
	struct port_handle handle;   /**< the open device */
	uint64_t tx_full_base;       /**< tx_full sum when the slot was (re)used */
	uint64_t link_down_base;     /**< tx_link_down sum when the slot was (re)used */
	uint16_t nb_allowed;         /**< port security: MACs in 'allowed' */
	uint64_t allowed[VSW_MAX_ALLOWED_MACS]; /**< MACs it may use, as fdb_key(0, mac) */
	bool link_up;                /**< link state at the last check */
	bool is_uplink;              /**< the overlay uplink: in no bridge domain */
	struct dp_port_vlan vlan;    /**< VLAN settings (mode none: 'bd' alone says where it is) */
	uint64_t link_changes;       /**< transitions seen */
	rte_spinlock_t tx_locks[VSW_MAX_WORKERS]; /**< per TX queue, if it has fewer than workers */
};

struct dp_bd {
	bool in_use;                 /**< id taken */
	char name[PORT_NAME_MAX];    /**< user's name */
	uint16_t vlan;               /**< its 802.1Q VLAN, unique per switch; 0 = none */
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
	uint64_t epoch_tsc;              /**< TSC at init: time zero for FDB seconds */
	uint64_t tsc_hz;                 /**< rte_get_tsc_hz(), read once at init */
	uint64_t last_second_tsc;        /**< last once-a-second check in dp_periodic */
	dp_event_cb *event_cb;           /**< where events go */
	struct ovl *ovl;                 /**< the NVGRE overlay's tables */
	struct rte_ring *ctl_rx;         /**< ARP from the uplink, for the control thread */
	uint16_t uplink_mtu;             /**< IP MTU of the uplink */
	uint16_t uplink_vlan;            /**< provider VLAN on the uplink; 0 = untagged */
	uint64_t control_tx_dropped;     /**< ARP frames the control thread could not hand to a worker */
	uint64_t departed_moves;         /**< moves recognised after a link-down flush (dp_departed.c) */
	void *event_arg;                 /**< its argument */
	uint32_t snapshot_gen;           /**< last generation given to a snapshot (dp_snapshot_gen) */
};

extern struct dp_main dp_main;

/*
 * A new generation for a snapshot being built (the switch's or the routing
 * domains'), from one counter, so that the pair a worker reads names one
 * state: a worker's route cache keeps it with each entry.  Control thread.
 */
static inline uint32_t
dp_snapshot_gen(void)
{
	return ++dp_main.snapshot_gen;
}

/* A counter its worker writes, read by the control thread. */
static inline uint64_t
dp_read_counter(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

/* Where element 'i' of the uint64_t array 'member' lies in a struct dp_lcore. */
#define DP_LCORE_U64(member, i) \
	(offsetof(struct dp_lcore, member) + (size_t)(i) * sizeof(uint64_t))

#endif /* VSW_DP_PRIV_H */
