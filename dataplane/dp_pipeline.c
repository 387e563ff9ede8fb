/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-burst L2 pipeline: parse -> learn -> lookup -> act, each stage over
 * the whole burst before the next, then buffered TX per output port.
 *
 * Learning runs before any lookup, so forwarding sees the table as it is
 * after the whole burst was learned: a reply in the same burst as the frame
 * that taught us its destination already goes out as unicast.
 */
#include "dp_priv.h"

#include <rte_branch_prediction.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#define PREFETCH_OFFSET 4       /* prefetch this many packets ahead */
#define KEY_FLOOD       UINT64_MAX /* a destination that is flooded without lookup */

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

static inline void
tx_one(struct dp_lcore *lc, const struct dp_snapshot *snap, uint16_t slot, struct rte_mbuf *m)
{
	rte_eth_tx_buffer(snap->ports[slot].eth_port, (uint16_t)lc->index, lc->txb[slot], m);
	lc->tx_pending |= 1ULL << slot;
}

/* Every segment gains the references, so freeing one copy never frees a shared segment. */
static inline void
share_mbuf(struct rte_mbuf *m, uint16_t extra)
{
	for (struct rte_mbuf *seg = m; seg != NULL; seg = seg->next)
		rte_mbuf_refcnt_update(seg, (int16_t)extra);
}

static void
flood(struct dp_lcore *lc, const struct dp_snapshot *snap, uint16_t bd, uint16_t in_slot,
      struct rte_mbuf *m)
{
	const struct dp_bd_rt *b = &snap->bds[bd];
	uint16_t nb_out = (uint16_t)(b->nb_members - 1);

	/* The ingress port is always a member of its own bridge domain. */
	if (nb_out == 0) {
		drop(lc, DP_CNT_DROP_NO_DESTINATION, m);
		return;
	}
	if (nb_out > 1)
		share_mbuf(m, (uint16_t)(nb_out - 1));
	for (uint16_t i = 0; i < b->nb_members; i++)
		if (b->members[i] != in_slot)
			tx_one(lc, snap, b->members[i], m);
}

static inline bool
src_mac_valid(const struct rte_ether_addr *mac)
{
	return !rte_is_multicast_ether_addr(mac) && !rte_is_zero_ether_addr(mac);
}

/*
 * Parse: keep frames with a valid Ethernet header, collect their source keys
 * (skipping a source repeated from the previous frame: bursts tend to come
 * from a few MACs) and their destination keys.  @return frames kept.
 */
static uint16_t
parse_burst(struct dp_lcore *lc, uint16_t bd, struct rte_mbuf **pkts, uint16_t nb_pkts,
	    uint64_t *src_keys, uint16_t *nb_src, uint64_t *dst_keys)
{
	uint16_t nb_kept = 0, nb_learn = 0;
	uint64_t last_src = KEY_FLOOD;

	for (uint16_t i = 0; i < nb_pkts; i++) {
		struct rte_mbuf *m = pkts[i];
		const struct rte_ether_hdr *eth;
		uint64_t key;

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
		key = fdb_key(bd, &eth->src_addr);
		if (key != last_src) {
			src_keys[nb_learn++] = key;
			last_src = key;
		}
		dst_keys[nb_kept] = rte_is_multicast_ether_addr(&eth->dst_addr) ?
					    KEY_FLOOD :
					    fdb_key(bd, &eth->dst_addr);
		pkts[nb_kept++] = m;
	}
	*nb_src = nb_learn;
	return nb_kept;
}

/* Look up the unicast destinations in one bulk call; floods get FDB_PORT_NONE. */
static void
lookup_burst(const struct fdb *fdb, const uint64_t *dst_keys, uint16_t n, uint16_t *out)
{
	uint64_t keys[VSW_BURST_SIZE];
	uint16_t idx[VSW_BURST_SIZE], ports[VSW_BURST_SIZE];
	uint16_t nb_keys = 0;

	for (uint16_t i = 0; i < n; i++) {
		out[i] = FDB_PORT_NONE;
		if (dst_keys[i] != KEY_FLOOD) {
			idx[nb_keys] = i;
			keys[nb_keys++] = dst_keys[i];
		}
	}
	if (nb_keys == 0)
		return;
	fdb_lookup_bulk(fdb, keys, nb_keys, ports);
	for (uint16_t k = 0; k < nb_keys; k++)
		out[idx[k]] = ports[k];
}

void
dp_pipeline_burst(struct dp_lcore *lc, const struct dp_snapshot *snap, const struct dp_rxq *rxq,
		  struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	uint64_t src_keys[VSW_BURST_SIZE], dst_keys[VSW_BURST_SIZE];
	uint16_t out[VSW_BURST_SIZE];
	uint16_t nb_src, nb_kept;
	const uint16_t bd = rxq->bd, in_slot = rxq->slot;

	nb_kept = parse_burst(lc, bd, pkts, nb_pkts, src_keys, &nb_src, dst_keys);
	if (nb_src > 0)
		fdb_learn_bulk(dp_main.fdb, src_keys, nb_src, in_slot, &lc->learn);
	lookup_burst(dp_main.fdb, dst_keys, nb_kept, out);

	for (uint16_t i = 0; i < nb_kept; i++) {
		struct rte_mbuf *m = pkts[i];
		uint16_t slot = out[i];

		if (dst_keys[i] == KEY_FLOOD) {
			count(lc, DP_CNT_FLOOD_MULTICAST);
			flood(lc, snap, bd, in_slot, m);
		} else if (slot == FDB_PORT_NONE || slot >= VSW_MAX_PORTS ||
			   !snap->ports[slot].in_use || snap->ports[slot].bd != bd) {
			/* Unknown, or learned on a port that is being removed. */
			count(lc, DP_CNT_FLOOD_UNKNOWN);
			flood(lc, snap, bd, in_slot, m);
		} else if (slot == in_slot) {
			drop(lc, DP_CNT_DROP_SAME_PORT, m);
		} else {
			count(lc, DP_CNT_FORWARD_UNICAST);
			tx_one(lc, snap, slot, m);
		}
	}
}

void
dp_tx_flush(struct dp_lcore *lc, const struct dp_snapshot *snap)
{
	uint64_t pending = lc->tx_pending;

	while (pending != 0) {
		unsigned int slot = (unsigned int)__builtin_ctzll(pending);

		pending &= pending - 1;
		rte_eth_tx_buffer_flush(snap->ports[slot].eth_port, (uint16_t)lc->index,
					lc->txb[slot]);
	}
	lc->tx_pending = 0;
}
