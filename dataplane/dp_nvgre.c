/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The overlay's steps for frames from VM ports of a tenant subnet (worker
 * context, lock-free): unicast to a remote MAC -> encapsulated, sent on the
 * uplink; flood -> local ports + one copy per remote PA (head-end
 * replication); ARP requests a lookup record answers -> answered here
 * (suppression).  Also the frames the control thread hands a worker to send
 * (dp_inject_drain).  The uplink's own path, decapsulation, is dp_uplink.c.
 *
 * The overlay snapshot is loaded per call; it is freed only after a grace
 * period, which the worker's quiescent report after the round provides.
 */
#include "dp_act.h"
#include "dp_worker.h"

#include <rte_branch_prediction.h>
#include <rte_ring.h>

#include "ovl.h"

static inline void
count_encap(struct dp_lcore *lc, enum nvgre_encap_reason r, struct rte_mbuf *m)
{
	lc->encap[r]++;
	if (r != NVGRE_ENCAP_OK)
		rte_pktmbuf_free(m);
}

void
dp_encap_refused(struct dp_lcore *lc, uint16_t slot, enum nvgre_encap_reason why,
		 struct rte_mbuf *m)
{
	count_encap(lc, why, m);
	lc->tunnel_drops[slot % DP_MAX_TUNNELS]++;
}

/* Keep the frames nvgre_encap_bulk() encapsulated; count and free the rest. */
static uint16_t
encap_refused(struct dp_lcore *lc, uint16_t slot, struct rte_mbuf **pkts, uint16_t n,
	      const uint8_t *reasons)
{
	uint16_t nb_ok = 0;

	for (uint16_t i = 0; i < n; i++) {
		if (likely(reasons[i] == NVGRE_ENCAP_OK)) {
			pkts[nb_ok++] = pkts[i];
			continue;
		}
		dp_encap_refused(lc, slot, (enum nvgre_encap_reason)reasons[i], pkts[i]);
	}
	return nb_ok;
}

void
dp_encap_run(struct dp_lcore *lc, const struct dp_snapshot *snap, uint16_t slot,
	     struct rte_mbuf **pkts, uint16_t n)
{
	const struct nvgre_template *t;
	enum nvgre_encap_reason why;
	uint8_t reasons[VSW_BURST_SIZE];
	uint16_t nb_ok;

	if (unlikely(snap->uplink_slot >= VSW_MAX_PORTS)) {
		lc->counters[DP_CNT_DROP_NO_UPLINK] += n;
		rte_pktmbuf_free_bulk(pkts, n);
		return;
	}
	t = ovl_tmpl_get(ovl_snapshot_get(dp_main.ovl), slot, &why);
	if (unlikely(t == NULL)) {
		lc->encap[why] += n;
		lc->tunnel_drops[slot % DP_MAX_TUNNELS] += n;
		rte_pktmbuf_free_bulk(pkts, n);
		return;
	}
	nb_ok = nvgre_encap_bulk(pkts, n, t, reasons);
	if (unlikely(nb_ok != n))
		nb_ok = encap_refused(lc, slot, pkts, n, reasons);
	lc->encap[NVGRE_ENCAP_OK] += nb_ok;
	if (nb_ok > 0 && likely(snap->uplink_vlan == 0))
		tx_run(lc, snap, snap->uplink_slot, pkts, nb_ok);
	else
		for (uint16_t i = 0; i < nb_ok; i++)
			tx_uplink_one(lc, snap, pkts[i]);
}

const struct nvgre_template *
dp_encap_template4(const struct dp_snapshot *snap, uint16_t slot)
{
	const struct nvgre_template *t;
	enum nvgre_encap_reason why;

	if (unlikely(snap->uplink_slot >= VSW_MAX_PORTS || snap->uplink_vlan != 0))
		return NULL;
	t = ovl_tmpl_get(ovl_snapshot_get(dp_main.ovl), slot, &why);
	return t != NULL && !t->is6 ? t : NULL;
}

void
dp_encap_sent(struct dp_lcore *lc, const struct dp_snapshot *snap, struct rte_mbuf **pkts,
	      uint16_t n)
{
	lc->encap[NVGRE_ENCAP_OK] += n;
	tx_run(lc, snap, snap->uplink_slot, pkts, n);
}

void
dp_flood_overlay(struct dp_lcore *lc, const struct dp_snapshot *snap, uint16_t bd, uint16_t in_slot,
		 struct rte_mbuf *m)
{
	const struct ovl_snapshot *os = ovl_snapshot_get(dp_main.ovl);
	uint16_t nb_slots;
	const uint16_t *slots = ovl_flood_slots(os, bd, &nb_slots);
	unsigned int nb_sent = 0;
	uint32_t flow_hash;

	/* Copies from the overlay never go back to it (split horizon). */
	if (in_slot == snap->uplink_slot || snap->uplink_slot >= VSW_MAX_PORTS)
		nb_slots = 0;
	if (nb_slots > 0 && nvgre_strip_vlan(m) < 0) {
		count_encap(lc, NVGRE_ENCAP_MALFORMED, m);
		return;
	}
	flow_hash = nvgre_flow_hash(m);
	for (uint16_t i = 0; i < nb_slots; i++) {
		enum nvgre_encap_reason why;
		const struct nvgre_template *t = ovl_tmpl_get(os, slots[i], &why);
		struct rte_mbuf *copy;

		if (t == NULL) {
			lc->encap[why]++;
			lc->tunnel_drops[slots[i] % DP_MAX_TUNNELS]++;
			continue;
		}
		copy = nvgre_encap_clone(m, dp_main.pool, t, flow_hash, &why);
		lc->encap[why]++;
		if (copy == NULL)
			lc->tunnel_drops[slots[i] % DP_MAX_TUNNELS]++;
		if (copy != NULL) {
			tx_uplink_one(lc, snap, copy);
			nb_sent++;
		}
	}
	/* The clones hold their own references to 'm'; the local flood may consume it. */
	nb_sent += dp_flood_local(lc, snap, bd, in_slot, m);
	if (nb_sent == 0)
		count(lc, DP_CNT_DROP_NO_DESTINATION);
}

void
dp_overlay_lookup_bulk(const uint64_t *keys, uint16_t n, uint16_t *ports)
{
	struct ovl_mac_dest dests[VSW_BURST_SIZE];

	ovl_mac_lookup_bulk(dp_main.ovl, keys, n, dests);
	for (uint16_t i = 0; i < n; i++)
		ports[i] = dests[i].slot < OVL_MAX_SLOTS ?
				   (uint16_t)(DP_PORT_REMOTE | dests[i].slot) :
				   FDB_PORT_NONE;
}

int
dp_arp_suppress(struct dp_lcore *lc, const struct dp_snapshot *snap, uint16_t bd,
		struct rte_mbuf *m)
{
	if (ovl_arp_suppress(dp_main.ovl, snap->bd_vsid[bd], m) != 1)
		return 0;
	count(lc, DP_CNT_ARP_SUPPRESSED);
	return 1;
}

void
dp_inject_drain(struct dp_lcore *lc, const struct dp_snapshot *snap)
{
	struct rte_mbuf *m;

	while (rte_ring_sc_dequeue(lc->inject, (void **)&m) == 0) {
		if (m->port == snap->uplink_slot)
			tx_uplink_one(lc, snap, m);
		else if (m->port < VSW_MAX_PORTS && snap->ports[m->port].in_use)
			tx_one(lc, snap, m->port, m);
		else
			drop(lc, DP_CNT_DROP_NO_UPLINK, m); /* the uplink went away meanwhile */
	}
}
