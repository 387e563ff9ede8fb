/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The overlay stages of the pipeline (worker context, lock-free):
 *
 *   VM port, tenant subnet:  unicast to a remote MAC -> encapsulate, uplink;
 *                            flood -> local ports + one copy per remote PA
 *                            (head-end replication); ARP requests a lookup
 *                            record answers -> answered here (suppression).
 *   Uplink:                  ARP -> the control thread (neighbours, our PAs);
 *                            NVGRE -> checked, decapsulated, its source
 *                            learned against the sending PA, switched to
 *                            local ports only (never back to the overlay).
 *
 * The overlay snapshot is loaded per call; it is freed only after a grace
 * period, which the worker's quiescent report after the round provides.
 */
#include "dp_act.h"
#include "dp_priv.h"

#include <rte_branch_prediction.h>
#include <rte_ring.h>

#include "fdb_announce.h"
#include "ovl.h"

static inline void
count_encap(struct dp_lcore *lc, enum nvgre_encap_reason r, struct rte_mbuf *m)
{
	lc->encap[r]++;
	if (r != NVGRE_ENCAP_OK)
		rte_pktmbuf_free(m);
}

static inline bool
uplink_ready(struct dp_lcore *lc, const struct dp_snapshot *snap, struct rte_mbuf *m)
{
	if (likely(snap->uplink_slot < VSW_MAX_PORTS))
		return true;
	drop(lc, DP_CNT_DROP_NO_UPLINK, m);
	return false;
}

void
dp_encap_unicast(struct dp_lcore *lc, const struct dp_snapshot *snap, uint16_t slot,
		 struct rte_mbuf *m)
{
	const struct ovl_snapshot *os = ovl_snapshot_get(dp_main.ovl);
	enum nvgre_encap_reason why;
	const struct nvgre_template *t;

	if (!uplink_ready(lc, snap, m))
		return;
	t = ovl_tmpl_get(os, slot, &why);
	if (unlikely(t == NULL)) {
		count_encap(lc, why, m);
		return;
	}
	why = nvgre_encap_one(m, t, nvgre_flow_id(nvgre_flow_hash(m)));
	count_encap(lc, why, m);
	if (likely(why == NVGRE_ENCAP_OK))
		tx_one(lc, snap, snap->uplink_slot, m);
}

void
dp_flood_overlay(struct dp_lcore *lc, const struct dp_snapshot *snap, uint16_t bd,
		 uint16_t in_slot, struct rte_mbuf *m)
{
	const struct ovl_snapshot *os = ovl_snapshot_get(dp_main.ovl);
	uint16_t nb_slots;
	const uint16_t *slots = ovl_flood_slots(os, bd, &nb_slots);
	unsigned int nb_sent = 0;
	uint8_t flow_id;

	/* Copies from the overlay never go back to it (split horizon). */
	if (in_slot == snap->uplink_slot || snap->uplink_slot >= VSW_MAX_PORTS)
		nb_slots = 0;
	if (nb_slots > 0 && nvgre_strip_vlan(m) < 0) {
		count_encap(lc, NVGRE_ENCAP_MALFORMED, m);
		return;
	}
	flow_id = nvgre_flow_id(nvgre_flow_hash(m));
	for (uint16_t i = 0; i < nb_slots; i++) {
		enum nvgre_encap_reason why;
		const struct nvgre_template *t = ovl_tmpl_get(os, slots[i], &why);
		struct rte_mbuf *copy;

		if (t == NULL) {
			lc->encap[why]++;
			continue;
		}
		copy = nvgre_encap_clone(m, dp_main.pool, t, flow_id, &why);
		lc->encap[why]++;
		if (copy != NULL) {
			tx_one(lc, snap, snap->uplink_slot, copy);
			nb_sent++;
		}
	}
	/* The clones hold their own references to 'm'; the local flood may consume it. */
	nb_sent += dp_flood_local(lc, snap, bd, in_slot, m);
	if (nb_sent == 0)
		count(lc, DP_CNT_DROP_NO_DESTINATION);
}

uint16_t
dp_overlay_lookup(uint64_t key)
{
	struct ovl_mac_dest dest;

	if (ovl_mac_lookup(dp_main.ovl, key, &dest) < 0 || dest.slot >= OVL_MAX_SLOTS)
		return FDB_PORT_NONE;
	return (uint16_t)(DP_PORT_REMOTE | dest.slot);
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

/* ARP on the uplink is the control thread's: neighbours and replies for our PAs. */
static void
pass_up(struct dp_lcore *lc, struct rte_mbuf *m)
{
	if (rte_ring_mp_enqueue(dp_main.ctl_rx, m) != 0) {
		drop(lc, DP_CNT_DROP_CONTROL_BUSY, m);
		return;
	}
	count(lc, DP_CNT_UPLINK_ARP);
}

/* The inner frame's learn cause; -1 if the frame was dropped. */
static int
inner_cause(struct dp_lcore *lc, struct rte_mbuf *m, const struct rte_ether_hdr *eth)
{
	const uint8_t *sha;
	enum fdb_announce ann;

	if (likely(!fdb_announce_candidate(eth->ether_type)))
		return FDB_CAUSE_LEARNED;
	ann = fdb_announce_classify((const uint8_t *)eth, rte_pktmbuf_data_len(m), &sha);
	switch (ann) {
	case FDB_ANN_GARP:
		count(lc, DP_CNT_GARP_RX);
		return FDB_CAUSE_GARP;
	case FDB_ANN_RARP:
		count(lc, DP_CNT_RARP_RX);
		return FDB_CAUSE_RARP;
	case FDB_ANN_UNA:
		count(lc, DP_CNT_UNA_RX);
		return FDB_CAUSE_UNA;
	case FDB_ANN_MALFORMED_ARP:
		drop(lc, DP_CNT_DROP_MALFORMED_ARP, m);
		return -1;
	case FDB_ANN_MALFORMED_ND:
		drop(lc, DP_CNT_DROP_MALFORMED_ND, m);
		return -1;
	default:
		return FDB_CAUSE_LEARNED;
	}
}

/* Learn an inner source against the PA it came from: a migrated VM's announcement moves it. */
static bool
learn_remote(struct dp_lcore *lc, const struct ovl_snapshot *os,
	     const struct nvgre_decap_info *info, const struct rte_ether_hdr *eth, uint8_t cause)
{
	uint16_t slot = ovl_slot_of_pa(os, info->bd, info->src_pa);
	struct fdb_learn_req req = { .key = fdb_key(info->bd, &eth->src_addr), .cause = cause };
	struct fdb_learn_ctx ctx = { .now = lc->now, .stats = &lc->learn, .events = lc->events };
	uint8_t verdict;

	if (slot == OVL_SLOT_NONE || slot >= DP_PORT_REMOTE) {
		/* No lookup record points at that host in this VSID: nowhere to send replies. */
		count(lc, DP_CNT_FDB_REMOTE_NO_RECORD);
		return true;
	}
	ctx.port = (uint16_t)(DP_PORT_REMOTE | slot);
	fdb_learn_bulk(dp_main.fdb, &req, 1, &ctx, &verdict);
	return verdict != FDB_VERDICT_DROP;
}

/* Switch a decapsulated frame in its bridge domain, to local ports only. */
static void
switch_inner(struct dp_lcore *lc, const struct dp_snapshot *snap, uint16_t bd,
	     struct rte_mbuf *m, const struct rte_ether_hdr *eth)
{
	uint64_t key;
	uint16_t port;

	if (rte_is_multicast_ether_addr(&eth->dst_addr)) {
		count(lc, DP_CNT_FLOOD_MULTICAST);
		if (dp_flood_local(lc, snap, bd, snap->uplink_slot, m) == 0)
			count(lc, DP_CNT_DROP_NO_DESTINATION);
		return;
	}
	key = fdb_key(bd, &eth->dst_addr);
	fdb_lookup_bulk(dp_main.fdb, &key, 1, &port);
	if (port < VSW_MAX_PORTS && snap->ports[port].in_use && snap->ports[port].bd == bd) {
		count(lc, DP_CNT_FORWARD_UNICAST);
		tx_one(lc, snap, port, m);
	} else if (dp_port_is_remote(port)) {
		drop(lc, DP_CNT_DROP_SPLIT_HORIZON, m);
	} else {
		count(lc, DP_CNT_FLOOD_UNKNOWN);
		if (dp_flood_local(lc, snap, bd, snap->uplink_slot, m) == 0)
			count(lc, DP_CNT_DROP_NO_DESTINATION);
	}
}

static void
decap_one(struct dp_lcore *lc, const struct dp_snapshot *snap, const struct ovl_snapshot *os,
	  struct rte_mbuf *m)
{
	struct nvgre_decap_info info;
	enum nvgre_decap_reason r = ovl_decap_check(dp_main.ovl, os, m, 0, &info);
	const struct rte_ether_hdr *eth;
	int cause;

	lc->decap[r]++;
	if (unlikely(r != NVGRE_DECAP_OK)) {
		rte_pktmbuf_free(m);
		return;
	}
	if (unlikely(nvgre_decap_strip(m, &info) < 0 ||
		     rte_pktmbuf_data_len(m) < sizeof(struct rte_ether_hdr))) {
		drop(lc, DP_CNT_DROP_MALFORMED, m);
		return;
	}
	eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (unlikely(rte_is_multicast_ether_addr(&eth->src_addr) ||
		     rte_is_zero_ether_addr(&eth->src_addr))) {
		drop(lc, DP_CNT_DROP_INVALID_SRC, m);
		return;
	}
	cause = inner_cause(lc, m, eth);
	if (cause < 0)
		return;
	if (!learn_remote(lc, os, &info, eth, (uint8_t)cause)) {
		drop(lc, DP_CNT_DROP_LEARN_LIMIT, m);
		return;
	}
	switch_inner(lc, snap, info.bd, m, eth);
}

void
dp_uplink_burst(struct dp_lcore *lc, const struct dp_snapshot *snap, const struct dp_rxq *rxq,
		struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	const struct ovl_snapshot *os = ovl_snapshot_get(dp_main.ovl);

	(void)rxq;
	for (uint16_t i = 0; i < nb_pkts; i++) {
		struct rte_mbuf *m = pkts[i];

		if (unlikely(rte_pktmbuf_data_len(m) < sizeof(struct rte_ether_hdr))) {
			drop(lc, DP_CNT_DROP_MALFORMED, m);
			continue;
		}
		if (rte_pktmbuf_mtod(m, const struct rte_ether_hdr *)->ether_type ==
		    RTE_BE16(RTE_ETHER_TYPE_ARP)) {
			pass_up(lc, m);
			continue;
		}
		decap_one(lc, snap, os, m);
	}
}

void
dp_inject_drain(struct dp_lcore *lc, const struct dp_snapshot *snap)
{
	struct rte_mbuf *m;

	while (rte_ring_sc_dequeue(lc->inject, (void **)&m) == 0) {
		if (m->port < VSW_MAX_PORTS && snap->ports[m->port].in_use)
			tx_one(lc, snap, m->port, m);
		else
			rte_pktmbuf_free(m);
	}
}
