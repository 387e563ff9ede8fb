/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Small per-packet actions shared by the pipeline stages (L2 and overlay):
 * count, drop, buffered transmit.  Worker context.
 */
#ifndef VSW_DP_ACT_H
#define VSW_DP_ACT_H

#include <string.h>

#include <rte_common.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "dp_priv.h"
#include "dp_worker.h"

static inline void
count(struct dp_lcore *lc, enum dp_counter_id id)
{
	lc->counters[id]++;
}

static inline void
drop(struct dp_lcore *lc, enum dp_counter_id id, struct rte_mbuf *m)
{
	count(lc, id);
	rte_pktmbuf_free(m);
}

/*
 * Send what the worker buffered for 'slot' on its TX queue.  A device with
 * fewer TX queues than workers (a ring, a pcap writer, net_tap's kernel
 * queues) has its queues shared: the lock is taken only on such ports and is
 * held by workers only, for one burst.
 */
static inline void
tx_flush_slot(struct dp_lcore *lc, const struct dp_snapshot *snap, uint16_t slot)
{
	const struct dp_port_rt *p = &snap->ports[slot];
	uint16_t q = p->txq[lc->index];

	if (likely(p->tx_locks == NULL)) {
		rte_eth_tx_buffer_flush(p->eth_port, q, lc->txb[slot]);
		return;
	}
	rte_spinlock_lock(&p->tx_locks[q]);
	rte_eth_tx_buffer_flush(p->eth_port, q, lc->txb[slot]);
	rte_spinlock_unlock(&p->tx_locks[q]);
}

static inline void
tx_one(struct dp_lcore *lc, const struct dp_snapshot *snap, uint16_t slot, struct rte_mbuf *m)
{
	struct rte_eth_dev_tx_buffer *b = lc->txb[slot];

	b->pkts[b->length++] = m;
	lc->tx_pending |= 1ULL << slot;
	if (b->length == b->size)
		tx_flush_slot(lc, snap, slot);
}

/*
 * Buffer 'n' frames for one port: the switch's common case, a run of a
 * burst's frames to the same port, costs one copy of pointers instead of a
 * per-frame update of the buffer's length through memory.
 */
static inline void
tx_run(struct dp_lcore *lc, const struct dp_snapshot *snap, uint16_t slot, struct rte_mbuf **pkts,
       uint16_t n)
{
	struct rte_eth_dev_tx_buffer *b = lc->txb[slot];

	lc->tx_pending |= 1ULL << slot;
	while (n > 0) {
		uint16_t k = RTE_MIN(n, (uint16_t)(b->size - b->length));

		memcpy(&b->pkts[b->length], pkts, k * sizeof(pkts[0]));
		b->length = (uint16_t)(b->length + k);
		pkts += k;
		n = (uint16_t)(n - k);
		if (b->length == b->size)
			tx_flush_slot(lc, snap, slot);
	}
}

/*
 * Send 'm', a frame of bridge domain 'bd', to port 'slot': a trunk port gets
 * it tagged with the domain's VLAN, unless that is its native one.  Other
 * ports take it as it is, after one test of the port.
 */
static inline void
tx_bd_one(struct dp_lcore *lc, const struct dp_snapshot *snap, uint16_t slot, uint16_t bd,
	  struct rte_mbuf *m)
{
	if (unlikely(snap->ports[slot].vlan_mode == DP_VLAN_TRUNK) && snap->ports[slot].bd != bd) {
		m = dp_vlan_push(lc, snap->bd_vlan[bd], m);
		if (m == NULL)
			return;
	}
	tx_one(lc, snap, slot, m);
}

/* tx_run() of frames of bridge domain 'bd': tagged one by one for a trunk port. */
static inline void
tx_bd_run(struct dp_lcore *lc, const struct dp_snapshot *snap, uint16_t slot, uint16_t bd,
	  struct rte_mbuf **pkts, uint16_t n)
{
	if (likely(snap->ports[slot].vlan_mode != DP_VLAN_TRUNK) || snap->ports[slot].bd == bd) {
		tx_run(lc, snap, slot, pkts, n);
		return;
	}
	for (uint16_t i = 0; i < n; i++)
		tx_bd_one(lc, snap, slot, bd, pkts[i]);
}

/* Send 'm' on the uplink, with the provider VLAN tag when one is set. */
static inline void
tx_uplink_one(struct dp_lcore *lc, const struct dp_snapshot *snap, struct rte_mbuf *m)
{
	if (unlikely(snap->uplink_vlan != 0)) {
		m = dp_vlan_push(lc, snap->uplink_vlan, m);
		if (m == NULL)
			return;
	}
	tx_one(lc, snap, snap->uplink_slot, m);
}

/* Every segment gains the references, so freeing one copy never frees a shared segment. */
static inline void
share_mbuf(struct rte_mbuf *m, uint16_t extra)
{
	for (struct rte_mbuf *seg = m; seg != NULL; seg = seg->next)
		rte_mbuf_refcnt_update(seg, (int16_t)extra);
}

#endif /* VSW_DP_ACT_H */
