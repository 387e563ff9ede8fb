/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * 802.1Q on the worker side: the ingress stage of ports with a VLAN mode and
 * of a uplink on a provider VLAN, and the tag push on the way out.
 *
 * A VLAN is a bridge domain (docs/vswctl.md, "VLANs"): the tag is checked and
 * popped here, on the way in, and the frame is switched untagged in its
 * VLAN's domain by the ordinary L2 stages; a trunk port gets the domain's
 * tag pushed back on the way out (tx_bd_one).  Ports without a VLAN mode
 * never come here: dp_pipeline_burst tests the mode once per burst.
 */
#include "dp_act.h"
#include "dp_worker.h"

#include <rte_branch_prediction.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

static inline bool
is_tagged(const struct rte_ether_hdr *eth)
{
	return eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_VLAN) ||
	       eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_QINQ);
}

/* The VLAN id of an 802.1Q header; the caller has checked the frame holds one. */
static inline uint16_t
frame_vlan(const struct rte_mbuf *m)
{
	const struct rte_vlan_hdr *vh =
		(const struct rte_vlan_hdr *)(rte_pktmbuf_mtod(m, const uint8_t *) +
					      sizeof(struct rte_ether_hdr));

	return rte_be_to_cpu_16(vh->vlan_tci) & RTE_VLAN_ID_MASK;
}

/* Remove the 802.1Q header; the frame then looks as if it had come untagged. */
static inline void
pop_tag(struct rte_mbuf *m)
{
	rte_vlan_strip(m);
	m->ol_flags &= ~(RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED);
}

/*
 * The bridge domain of a frame from a trunk port, its tag popped; or
 * DP_BD_NONE when the frame was dropped (counted, freed).  A priority tag
 * (VLAN 0) counts as untagged, as 802.1Q says.
 */
static uint16_t
trunk_classify(struct dp_lcore *lc, const struct dp_snapshot *snap, const struct dp_port_rt *port,
	       struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	uint16_t vlan, bd;

	if (!is_tagged(eth)) {
		if (unlikely(port->bd == DP_BD_NONE)) {
			drop(lc, DP_CNT_DROP_VLAN_NOT_ALLOWED, m);
			return DP_BD_NONE;
		}
		return port->bd;
	}
	if (unlikely(eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_VLAN) ||
		     rte_pktmbuf_data_len(m) <
			     sizeof(struct rte_ether_hdr) + sizeof(struct rte_vlan_hdr))) {
		/* An 802.1ad outer tag is not one of ours, and neither is a torn header. */
		drop(lc, DP_CNT_DROP_VLAN_NOT_ALLOWED, m);
		return DP_BD_NONE;
	}
	vlan = frame_vlan(m);
	if (vlan == 0) {
		bd = port->bd;
	} else if (unlikely(vlan > DP_VLAN_MAX || !dp_vlan_test(port->trunks, vlan))) {
		drop(lc, DP_CNT_DROP_VLAN_NOT_ALLOWED, m);
		return DP_BD_NONE;
	} else {
		bd = snap->vlan_bd[vlan];
	}
	if (unlikely(bd == DP_BD_NONE)) {
		drop(lc, vlan == 0 ? DP_CNT_DROP_VLAN_NOT_ALLOWED : DP_CNT_DROP_VLAN_NO_DOMAIN, m);
		return DP_BD_NONE;
	}
	pop_tag(m);
	return bd;
}

void
dp_vlan_burst(struct dp_lcore *lc, const struct dp_snapshot *snap, const struct dp_rxq *rxq,
	      struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	const struct dp_port_rt *port = &snap->ports[rxq->slot];
	uint16_t bds[VSW_BURST_SIZE];
	uint16_t nb_kept = 0;
	struct dp_rxq run_rxq = *rxq;

	for (uint16_t i = 0; i < nb_pkts; i++) {
		struct rte_mbuf *m = pkts[i];
		uint16_t bd = port->bd;

		/* Too short for a tag too: the L2 stage counts it as malformed. */
		if (rte_pktmbuf_data_len(m) >= sizeof(struct rte_ether_hdr)) {
			if (rxq->vlan_mode == DP_VLAN_ACCESS) {
				if (unlikely(is_tagged(
					    rte_pktmbuf_mtod(m, const struct rte_ether_hdr *)))) {
					drop(lc, DP_CNT_DROP_VLAN_TAGGED_ON_ACCESS, m);
					continue;
				}
			} else {
				bd = trunk_classify(lc, snap, port, m);
				if (bd == DP_BD_NONE)
					continue;
			}
		} else if (bd == DP_BD_NONE) {
			drop(lc, DP_CNT_DROP_MALFORMED, m);
			continue;
		}
		bds[nb_kept] = bd;
		pkts[nb_kept++] = m;
	}
	/* One pass of the L2 stages per run of one domain, in order: a flow stays in order. */
	for (uint16_t start = 0, end; start < nb_kept; start = end) {
		for (end = (uint16_t)(start + 1); end < nb_kept && bds[end] == bds[start]; end++)
			;
		run_rxq.bd = bds[start];
		dp_l2_burst(lc, snap, &run_rxq, &pkts[start], (uint16_t)(end - start));
	}
}

uint16_t
dp_vlan_uplink_rx(struct dp_lcore *lc, const struct dp_snapshot *snap, struct rte_mbuf **pkts,
		  uint16_t nb_pkts)
{
	uint16_t nb_kept = 0;

	for (uint16_t i = 0; i < nb_pkts; i++) {
		struct rte_mbuf *m = pkts[i];

		if (rte_pktmbuf_data_len(m) <
			    sizeof(struct rte_ether_hdr) + sizeof(struct rte_vlan_hdr) ||
		    rte_pktmbuf_mtod(m, const struct rte_ether_hdr *)->ether_type !=
			    RTE_BE16(RTE_ETHER_TYPE_VLAN) ||
		    frame_vlan(m) != snap->uplink_vlan) {
			drop(lc, DP_CNT_DROP_UPLINK_VLAN, m);
			continue;
		}
		pop_tag(m);
		pkts[nb_kept++] = m;
	}
	return nb_kept;
}

struct rte_mbuf *
dp_vlan_push(struct dp_lcore *lc, uint16_t vlan, struct rte_mbuf *m)
{
	struct rte_mbuf *copy;

	/* In place when the frame is ours alone; a flooded frame is shared with other ports. */
	if (RTE_MBUF_DIRECT(m) && rte_mbuf_refcnt_read(m) == 1) {
		m->vlan_tci = vlan;
		if (rte_vlan_insert(&m) == 0)
			return m;
	}
	copy = rte_pktmbuf_copy(m, dp_main.pool, 0, UINT32_MAX);
	rte_pktmbuf_free(m);
	if (copy == NULL) {
		count(lc, DP_CNT_DROP_VLAN_PUSH);
		return NULL;
	}
	copy->vlan_tci = vlan;
	if (rte_vlan_insert(&copy) != 0) {
		drop(lc, DP_CNT_DROP_VLAN_PUSH, copy);
		return NULL;
	}
	return copy;
}
