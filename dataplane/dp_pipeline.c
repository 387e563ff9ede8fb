/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-burst pipeline: which path a burst takes (VM port, VLAN port,
 * uplink), and the VM port's path: parse -> learn -> lookup -> route -> act,
 * each stage over the whole burst before the next, then buffered TX per
 * output port.  The stages the paths share are in dp_stage.h.
 *
 * Learning runs before any lookup, so forwarding sees the table as it is
 * after the whole burst was learned: a reply in the same burst as the frame
 * that taught us its destination already goes out as unicast.
 */
#include "dp_stage.h"
#include "dp_worker.h"

#include <rte_branch_prediction.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#define PREFETCH_OFFSET 4 /* prefetch this many packets ahead */

/*
 * Parse, from a VM port: frames with a valid Ethernet header and a source
 * the port may use, learned on the port, in its bridge domain.
 */
static void
parse_burst(struct dp_lcore *lc, const struct dp_snapshot *snap, const struct dp_rxq *rxq,
	    struct rte_mbuf **pkts, uint16_t nb_pkts, struct dp_burst *b)
{
	const struct dp_port_rt *port = &snap->ports[rxq->slot];
	/* Port security's "none" as NULL, decided once: then one compare per frame. */
	const struct dp_port_rt *sec = port->nb_allowed > 0 ? port : NULL;
	/* In locals: the stores into 'b' might alias '*rxq' for all the compiler knows. */
	const uint16_t slot = rxq->slot, bd = rxq->bd;
	struct dp_parse p;

	dp_parse_start(&p, b, slot, bd);
	for (uint16_t i = 0; i < nb_pkts; i++) {
		struct rte_mbuf *m = pkts[i];
		const struct rte_ether_hdr *eth = NULL;
		int cause;

		if (i + PREFETCH_OFFSET < nb_pkts)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + PREFETCH_OFFSET], void *));
		cause = dp_frame_source(lc, sec, m, &eth);
		if (unlikely(cause < 0))
			continue;
		dp_burst_add(b, &p, pkts, m, eth, bd, fdb_key_src(bd, eth), slot, cause, false);
	}
	dp_parse_end(&p, b);
}

/*
 * Lookup, in a tenant subnet: unicast FDB misses may be MACs on other hosts
 * that the lookup records know; ask the overlay for all of them in one bulk
 * call.
 */
static void
resolve_misses(const struct dp_snapshot *snap, const struct dp_burst *b, uint16_t *out)
{
	uint64_t keys[VSW_BURST_SIZE];
	uint16_t idx[VSW_BURST_SIZE], ports[VSW_BURST_SIZE];
	uint16_t nb = 0;

	if (snap->bd_vsid[b->in_bd] == 0)
		return;
	for (uint16_t i = 0; i < b->nb; i++) {
		if (out[i] == FDB_PORT_NONE && b->dst_keys[i] != DP_KEY_FLOOD) {
			idx[nb] = i;
			keys[nb++] = b->dst_keys[i];
		}
	}
	if (nb == 0)
		return;
	dp_overlay_lookup_bulk(keys, nb, ports);
	for (uint16_t k = 0; k < nb; k++)
		out[idx[k]] = ports[k];
}

/*
 * A benchmark build's stand-in for the pipeline: every frame goes out of the
 * lowest-numbered other port, untouched, as testpmd's io mode does.  What such a
 * build costs per frame is vswd's floor: ports, poll loop, TX buffering and
 * its accounting, with no switching at all.  Compiled in every build so that
 * it cannot rot; only -Dbench_io_forward=true calls it.
 */
static __rte_unused void
io_forward(struct dp_lcore *lc, const struct dp_snapshot *snap, const struct dp_rxq *rxq,
	   struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	/* The lowest other slot: with the two ports of a benchmark, one or two probes. */
	for (uint16_t slot = 0; slot < VSW_MAX_PORTS; slot++) {
		if (slot != rxq->slot && snap->ports[slot].in_use) {
			tx_run(lc, snap, slot, pkts, nb_pkts);
			lc->counters[DP_CNT_FORWARD_UNICAST] += nb_pkts;
			return;
		}
	}
	for (uint16_t i = 0; i < nb_pkts; i++)
		drop(lc, DP_CNT_DROP_NO_DESTINATION, pkts[i]);
}

void
dp_pipeline_burst(struct dp_lcore *lc, const struct dp_snapshot *snap, const struct dp_rxq *rxq,
		  struct rte_mbuf **pkts, uint16_t nb_pkts)
{
#ifdef VSW_BENCH_IO_FORWARD
	io_forward(lc, snap, rxq, pkts, nb_pkts);
	return;
#endif
	if (unlikely(rxq->is_uplink)) {
		dp_uplink_burst(lc, snap, rxq, pkts, nb_pkts);
		return;
	}
	/* Once per burst: a port without a VLAN mode never looks at a tag. */
	if (unlikely(rxq->vlan_mode != DP_VLAN_NONE)) {
		dp_vlan_burst(lc, snap, rxq, pkts, nb_pkts);
		return;
	}
	dp_l2_burst(lc, snap, rxq, pkts, nb_pkts);
}

void
dp_l2_burst(struct dp_lcore *lc, const struct dp_snapshot *snap, const struct dp_rxq *rxq,
	    struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct dp_burst b;
	uint16_t out[VSW_BURST_SIZE];

	parse_burst(lc, snap, rxq, pkts, nb_pkts, &b);
	dp_learn_lookup(lc, pkts, &b);
	b.nb = dp_route_burst(lc, snap, rxq, pkts, b.dst_keys, b.dl.key_of, b.nb);
	dp_out_ports(&b, out);
	resolve_misses(snap, &b, out);
	dp_act_burst(lc, snap, pkts, &b, out);
}

void
dp_tx_flush(struct dp_lcore *lc, const struct dp_snapshot *snap)
{
	uint64_t pending = lc->tx_pending;

	while (pending != 0) {
		unsigned int slot = (unsigned int)__builtin_ctzll(pending);

		pending &= pending - 1;
		tx_flush_slot(lc, snap, (uint16_t)slot);
	}
	lc->tx_pending = 0;
}
