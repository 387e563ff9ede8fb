/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-burst L2 pipeline: parse -> learn -> lookup -> route -> act, each stage over
 * the whole burst before the next, then buffered TX per output port.
 *
 * Learning runs before any lookup, so forwarding sees the table as it is
 * after the whole burst was learned: a reply in the same burst as the frame
 * that taught us its destination already goes out as unicast.
 */
#include "dp_act.h"
#include "dp_priv.h"

#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "dp_rd_priv.h"
#include "fdb_announce.h"

#define PREFETCH_OFFSET 4       /* prefetch this many packets ahead */

unsigned int
dp_flood_local(struct dp_lcore *lc, const struct dp_snapshot *snap, uint16_t bd, uint16_t in_slot,
	       struct rte_mbuf *m)
{
	const struct dp_bd_rt *b = &snap->bds[bd];
	uint16_t nb_out = 0;

	/* The ingress port, if a member (the uplink is not), gets nothing back. */
	for (uint16_t i = 0; i < b->nb_members; i++)
		nb_out += b->members[i] != in_slot;
	if (nb_out == 0) {
		rte_pktmbuf_free(m);
		return 0;
	}
	if (nb_out > 1)
		share_mbuf(m, (uint16_t)(nb_out - 1));
	for (uint16_t i = 0; i < b->nb_members; i++)
		if (b->members[i] != in_slot)
			tx_bd_one(lc, snap, b->members[i], bd, m);
	return nb_out;
}

static void
flood(struct dp_lcore *lc, const struct dp_snapshot *snap, uint16_t bd, uint16_t in_slot,
      struct rte_mbuf *m)
{
	if (unlikely(snap->bd_vsid[bd] != 0)) {
		dp_flood_overlay(lc, snap, bd, in_slot, m);
		return;
	}
	if (dp_flood_local(lc, snap, bd, in_slot, m) == 0)
		count(lc, DP_CNT_DROP_NO_DESTINATION);
}

static inline bool
src_mac_valid(const struct rte_ether_addr *mac)
{
	return !rte_is_multicast_ether_addr(mac) && !rte_is_zero_ether_addr(mac);
}

static inline bool
mac_allowed(const struct dp_port_rt *port, const uint8_t *mac_bytes)
{
	struct rte_ether_addr mac;
	uint64_t key;

	memcpy(mac.addr_bytes, mac_bytes, RTE_ETHER_ADDR_LEN);
	key = fdb_key(0, &mac);
	for (uint16_t i = 0; i < port->nb_allowed; i++)
		if (port->allowed[i] == key)
			return true;
	return false;
}

static const enum dp_counter_id announce_counter[] = {
	[FDB_ANN_GARP] = DP_CNT_GARP_RX,
	[FDB_ANN_RARP] = DP_CNT_RARP_RX,
	[FDB_ANN_UNA] = DP_CNT_UNA_RX,
	[FDB_ANN_MALFORMED_ARP] = DP_CNT_DROP_MALFORMED_ARP,
	[FDB_ANN_MALFORMED_ND] = DP_CNT_DROP_MALFORMED_ND,
};

static const uint8_t announce_cause[] = {
	[FDB_ANN_NONE] = FDB_CAUSE_LEARNED,
	[FDB_ANN_GARP] = FDB_CAUSE_GARP,
	[FDB_ANN_RARP] = FDB_CAUSE_RARP,
	[FDB_ANN_UNA] = FDB_CAUSE_UNA,
};

/*
 * Is this an announcement, and may this port make it?  @return the learn
 * cause, or -1 when the frame was dropped (malformed, or spoofed).
 */
static int
check_source(struct dp_lcore *lc, const struct dp_port_rt *port, struct rte_mbuf *m,
	     const struct rte_ether_hdr *eth)
{
	enum fdb_announce ann = FDB_ANN_NONE;
	const uint8_t *sha = NULL;

	if (unlikely(port->nb_allowed > 0) && !mac_allowed(port, eth->src_addr.addr_bytes)) {
		drop(lc, DP_CNT_DROP_SPOOFED_MAC, m);
		return -1;
	}
	if (likely(!fdb_announce_candidate((const uint8_t *)eth, rte_pktmbuf_data_len(m))))
		return FDB_CAUSE_LEARNED;
	ann = fdb_announce_classify((const uint8_t *)eth, rte_pktmbuf_data_len(m), &sha);
	if (ann == FDB_ANN_NONE)
		return FDB_CAUSE_LEARNED;
	if (ann == FDB_ANN_MALFORMED_ARP || ann == FDB_ANN_MALFORMED_ND) {
		drop(lc, announce_counter[ann], m);
		return -1;
	}
	/* A forged announcement may carry a victim's MAC inside the ARP body. */
	if (unlikely(port->nb_allowed > 0) && sha != NULL && !mac_allowed(port, sha)) {
		drop(lc, DP_CNT_DROP_SPOOFED_MAC, m);
		return -1;
	}
	count(lc, announce_counter[ann]);
	return announce_cause[ann];
}

/* What parsing a burst yields for the later stages. */
struct parsed_burst {
	uint16_t nb_kept;                          /**< frames still in the burst */
	uint16_t nb_reqs;                          /**< distinct-in-a-row sources to learn */
	uint64_t dst_keys[VSW_BURST_SIZE];         /**< per kept frame: destination key */
	uint8_t req_of[VSW_BURST_SIZE];            /**< per kept frame: its learn request */
	struct fdb_learn_req reqs[VSW_BURST_SIZE]; /**< learn requests */
	struct dst_lookup dl;                      /**< unicast destinations, collected while parsing */
};

/*
 * Parse: keep frames with a valid Ethernet header and an acceptable source,
 * collect their sources to learn (a source repeated from the previous frame
 * shares its request: bursts tend to come from a few MACs) and their
 * destinations to look up (likewise).
 */
static void
parse_burst(struct dp_lcore *lc, const struct dp_snapshot *snap, const struct dp_rxq *rxq,
	    struct rte_mbuf **pkts, uint16_t nb_pkts, struct parsed_burst *pb)
{
	const struct dp_port_rt *port = &snap->ports[rxq->slot];
	uint64_t last_src = DP_KEY_FLOOD, last_dst = DP_KEY_FLOOD;
	/* Counts in locals: the byte stores below may alias anything in 'pb'. */
	uint16_t nb_kept = 0, nb_reqs = 0, nb_keys = 0;

	for (uint16_t i = 0; i < nb_pkts; i++) {
		struct rte_mbuf *m = pkts[i];
		const struct rte_ether_hdr *eth;
		uint64_t key;
		int cause;

		if (i + PREFETCH_OFFSET < nb_pkts)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + PREFETCH_OFFSET], void *));
		if (unlikely(rte_pktmbuf_data_len(m) < sizeof(struct rte_ether_hdr))) {
			drop(lc, DP_CNT_DROP_MALFORMED, m);
			continue;
		}
		eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
		if (unlikely(!src_mac_valid(&eth->src_addr))) {
			drop(lc, DP_CNT_DROP_INVALID_SRC, m);
			continue;
		}
		cause = check_source(lc, port, m, eth);
		if (unlikely(cause < 0))
			continue;
		key = fdb_key_src(rxq->bd, eth);
		if (key != last_src) {
			pb->reqs[nb_reqs].key = key;
			pb->reqs[nb_reqs++].cause = (uint8_t)cause;
			last_src = key;
		} else if (cause != FDB_CAUSE_LEARNED) {
			/* An announcement outranks the ordinary frames it shares a request with. */
			pb->reqs[nb_reqs - 1].cause = (uint8_t)cause;
		}
		pb->req_of[nb_kept] = (uint8_t)(nb_reqs - 1);
		if (rte_is_multicast_ether_addr(&eth->dst_addr)) {
			pb->dst_keys[nb_kept] = DP_KEY_FLOOD;
		} else {
			key = fdb_key_dst(rxq->bd, eth);
			/* As for sources: a destination repeated from the previous frame is looked up once. */
			if (key != last_dst) {
				pb->dl.keys[nb_keys++] = key;
				last_dst = key;
			}
			pb->dl.key_of[nb_kept] = (uint8_t)(nb_keys - 1);
			pb->dst_keys[nb_kept] = key;
		}
		pkts[nb_kept++] = m;
	}
	pb->nb_kept = nb_kept;
	pb->nb_reqs = nb_reqs;
	pb->dl.nb_keys = nb_keys;
}

/*
 * Learn the burst's sources and look up its destinations in one call, so
 * the table's cache misses for both overlap; then drop the frames a limit
 * refused when the domain says so.
 */
static void
learn_lookup_burst(struct dp_lcore *lc, const struct dp_rxq *rxq, struct rte_mbuf **pkts,
		   struct parsed_burst *pb, uint16_t *out)
{
	struct fdb_learn_ctx ctx = { .port = rxq->slot, .now = lc->now, .stats = &lc->learn,
				     .events = lc->events, .urgent = lc->urgent };
	uint8_t verdicts[VSW_BURST_SIZE];
	uint16_t nb_kept = 0, r = 0;

	fdb_learn_lookup_bulk(dp_main.fdb, pb->reqs, pb->nb_reqs, &ctx, verdicts, pb->dl.keys,
			      pb->dl.nb_keys, pb->dl.ports);
	dst_spread(&pb->dl, pb->dst_keys, pb->nb_kept, out);
	/* Compact only when a limit dropped something: almost never. */
	while (r < pb->nb_reqs && verdicts[r] != FDB_VERDICT_DROP)
		r++;
	if (likely(r == pb->nb_reqs))
		return;
	for (uint16_t i = 0; i < pb->nb_kept; i++) {
		if (unlikely(verdicts[pb->req_of[i]] == FDB_VERDICT_DROP)) {
			drop(lc, DP_CNT_DROP_LEARN_LIMIT, pkts[i]);
			continue;
		}
		pb->dst_keys[nb_kept] = pb->dst_keys[i];
		out[nb_kept] = out[i];
		pkts[nb_kept++] = pkts[i];
	}
	pb->nb_kept = nb_kept;
}

/*
 * In a tenant subnet, unicast FDB misses may be MACs on other hosts that the
 * lookup records know: ask the overlay for all of them in one bulk call.
 */
static void
resolve_misses(const uint64_t *dst_keys, uint16_t n, uint16_t *out)
{
	uint64_t keys[VSW_BURST_SIZE];
	uint16_t idx[VSW_BURST_SIZE], ports[VSW_BURST_SIZE];
	uint16_t nb = 0;

	for (uint16_t i = 0; i < n; i++) {
		if (out[i] == FDB_PORT_NONE && dst_keys[i] != DP_KEY_FLOOD) {
			idx[nb] = i;
			keys[nb++] = dst_keys[i];
		}
	}
	if (nb == 0)
		return;
	dp_overlay_lookup_bulk(keys, nb, ports);
	for (uint16_t k = 0; k < nb; k++)
		out[idx[k]] = ports[k];
}

static inline bool
is_arp(const struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod(m, const struct rte_ether_hdr *)->ether_type ==
	       RTE_BE16(RTE_ETHER_TYPE_ARP);
}

/* A frame not sent in a run: flood, ARP suppression, same-port drop. */
static void
act_other(struct dp_lcore *lc, const struct dp_snapshot *snap, const struct dp_rxq *rxq,
	  struct rte_mbuf *m, uint64_t dst_key, uint16_t slot)
{
	const uint16_t bd = rxq->bd, in_slot = rxq->slot;

	if (dst_key == DP_KEY_FLOOD) {
		if (unlikely(snap->bd_vsid[bd] != 0) && is_arp(m) &&
		    dp_arp_suppress(lc, snap, bd, m) == 1) {
			tx_bd_one(lc, snap, in_slot, bd, m);
			return;
		}
		count(lc, DP_CNT_FLOOD_MULTICAST);
		flood(lc, snap, bd, in_slot, m);
	} else if (slot == in_slot) {
		drop(lc, DP_CNT_DROP_SAME_PORT, m);
	} else {
		/* Unknown, learned on a port being removed, or on another host outside a tenant subnet. */
		count(lc, DP_CNT_FLOOD_UNKNOWN);
		flood(lc, snap, bd, in_slot, m);
	}
}

/* How act_burst() sends a frame: in a run to a local port, in a run to a remote host, or alone. */
enum run_kind { RUN_OTHER, RUN_LOCAL, RUN_REMOTE };

static inline enum run_kind
run_kind(const struct dp_snapshot *snap, uint16_t bd, uint16_t in_slot, uint64_t dst_key,
	 uint16_t slot)
{
	if (dst_key == DP_KEY_FLOOD || slot == in_slot)
		return RUN_OTHER;
	if (likely(dp_port_in_bd(snap, slot, bd)))
		return RUN_LOCAL;
	if (dp_port_is_remote(slot) && snap->bd_vsid[bd] != 0)
		return RUN_REMOTE;
	return RUN_OTHER;
}

/*
 * Act on the decisions in order.  Runs of frames to the same port, or to
 * the same remote host, are sent together; anything else is handled one
 * frame at a time between the runs, so a port still sees its frames in
 * arrival order.
 */
static void
act_burst(struct dp_lcore *lc, const struct dp_snapshot *snap, const struct dp_rxq *rxq,
	  struct rte_mbuf **pkts, const struct parsed_burst *pb, const uint16_t *out)
{
	uint16_t nb_unicast = 0;
	uint16_t i = 0;

	while (i < pb->nb_kept) {
		uint16_t slot = out[i], run = i, len;
		enum run_kind kind = run_kind(snap, rxq->bd, rxq->slot, pb->dst_keys[i], slot);

		if (kind == RUN_OTHER) {
			act_other(lc, snap, rxq, pkts[i], pb->dst_keys[i], slot);
			i++;
			continue;
		}
		/* A flood key has FDB_PORT_NONE, never a port's slot: it ends a run. */
		while (++i < pb->nb_kept && out[i] == slot)
			;
		len = (uint16_t)(i - run);
		if (kind == RUN_LOCAL) {
			tx_bd_run(lc, snap, slot, rxq->bd, &pkts[run], len);
			nb_unicast = (uint16_t)(nb_unicast + len);
		} else {
			dp_encap_run(lc, snap, dp_remote_slot(slot), &pkts[run], len);
		}
	}
	lc->counters[DP_CNT_FORWARD_UNICAST] += nb_unicast;
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
	struct parsed_burst pb;
	uint16_t out[VSW_BURST_SIZE];

	parse_burst(lc, snap, rxq, pkts, nb_pkts, &pb);
	learn_lookup_burst(lc, rxq, pkts, &pb, out);
	pb.nb_kept = dp_route_burst(lc, snap, rxq, pkts, pb.dst_keys, out, pb.nb_kept);
	if (snap->bd_vsid[rxq->bd] != 0)
		resolve_misses(pb.dst_keys, pb.nb_kept, out);
	act_burst(lc, snap, rxq, pkts, &pb, out);
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
