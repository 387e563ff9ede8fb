/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The stages every packet path shares, out of line (dp_stage.h says how a
 * path uses them): announcements, learning and lookup, action and flooding.
 * Worker context, lock-free.
 */
#include "dp_stage.h"

#include <rte_branch_prediction.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "fdb_announce.h"

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

int
dp_announce_cause(struct dp_lcore *lc, const struct dp_port_rt *sec, struct rte_mbuf *m,
		  const struct rte_ether_hdr *eth)
{
	const uint8_t *sha = NULL;
	enum fdb_announce ann =
		fdb_announce_classify((const uint8_t *)eth, rte_pktmbuf_data_len(m), &sha);

	if (ann == FDB_ANN_NONE)
		return FDB_CAUSE_LEARNED;
	if (ann == FDB_ANN_MALFORMED_ARP || ann == FDB_ANN_MALFORMED_ND) {
		drop(lc, announce_counter[ann], m);
		return -1;
	}
	/* A forged announcement may carry a victim's MAC inside the ARP body. */
	if (unlikely(sec != NULL && sec->nb_allowed > 0) && sha != NULL &&
	    !dp_mac_allowed(sec, sha)) {
		drop(lc, DP_CNT_DROP_SPOOFED_MAC, m);
		return -1;
	}
	count(lc, announce_counter[ann]);
	return announce_cause[ann];
}

/*
 * Sources from the overlay are learned against the host that sent them: one
 * bulk call per run of requests from one host, the last run together with
 * the destinations' lookup (usually the whole burst is one run).
 */
static unsigned int
learn_runs(struct dp_burst *b, struct fdb_learn_ctx *ctx, uint8_t *verdicts)
{
	unsigned int refused = 0;
	uint16_t start = 0;

	do {
		uint16_t end = (uint16_t)(start + 1);

		while (end < b->nb_reqs && b->req_port[end] == b->req_port[start])
			end++;
		end = RTE_MIN(end, b->nb_reqs); /* no requests: the lookup alone */
		ctx->port = end > start ? b->req_port[start] : FDB_PORT_NONE;
		if (end < b->nb_reqs)
			refused += fdb_learn_bulk(dp_main.fdb, &b->reqs[start], end - start, ctx,
						  &verdicts[start]);
		else
			refused += fdb_learn_lookup_bulk(dp_main.fdb, &b->reqs[start], end - start,
							 ctx, &verdicts[start], b->dl.keys,
							 b->dl.nb_keys, b->dl.ports);
		start = end;
	} while (start < b->nb_reqs);
	return refused;
}

/* Drop the frames whose source a limit refused; the rest move down, in order. */
static void
drop_refused(struct dp_lcore *lc, struct rte_mbuf **pkts, struct dp_burst *b,
	     const uint8_t *verdicts)
{
	const bool per_frame = b->in_bd == DP_BD_NONE;
	uint16_t nb_kept = 0;

	for (uint16_t i = 0; i < b->nb; i++) {
		if (b->req_of[i] != DP_NO_REQ && verdicts[b->req_of[i]] == FDB_VERDICT_DROP) {
			drop(lc, DP_CNT_DROP_LEARN_LIMIT, pkts[i]);
			continue;
		}
		if (per_frame)
			b->bd[nb_kept] = b->bd[i];
		b->dst_keys[nb_kept] = b->dst_keys[i];
		b->dl.key_of[nb_kept] = b->dl.key_of[i];
		pkts[nb_kept++] = pkts[i];
	}
	b->nb = nb_kept;
}

void
dp_learn_lookup(struct dp_lcore *lc, struct rte_mbuf **pkts, struct dp_burst *b)
{
	struct fdb_learn_ctx ctx = { .cache = lc->learn_cache,
				     .port = b->in_slot,
				     .now = lc->now,
				     .stats = &lc->learn,
				     .events = lc->events,
				     .urgent = lc->urgent };
	uint8_t verdicts[VSW_BURST_SIZE];
	unsigned int refused;

	if (likely(b->in_bd != DP_BD_NONE))
		refused = fdb_learn_lookup_bulk(dp_main.fdb, b->reqs, b->nb_reqs, &ctx, verdicts,
						b->dl.keys, b->dl.nb_keys, b->dl.ports);
	else
		refused = learn_runs(b, &ctx, verdicts);
	/* Compact only when a limit dropped something: almost never. */
	if (unlikely(refused != 0))
		drop_refused(lc, pkts, b, verdicts);
}

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

/* Flood 'm' in its domain: a tenant subnet's floods from VM ports reach the other hosts too. */
static void
flood(struct dp_lcore *lc, const struct dp_snapshot *snap, uint16_t bd, uint16_t in_slot,
      struct rte_mbuf *m, bool from_overlay)
{
	if (unlikely(snap->bd_vsid[bd] != 0) && !from_overlay) {
		dp_flood_overlay(lc, snap, bd, in_slot, m);
		return;
	}
	if (dp_flood_local(lc, snap, bd, in_slot, m) == 0)
		count(lc, DP_CNT_DROP_NO_DESTINATION);
}

static inline bool
is_arp(const struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod(m, const struct rte_ether_hdr *)->ether_type ==
	       RTE_BE16(RTE_ETHER_TYPE_ARP);
}

/* A frame not sent in a run: flood, ARP suppression, same-port or split-horizon drop. */
static void
act_other(struct dp_lcore *lc, const struct dp_snapshot *snap, uint16_t in_slot, uint16_t bd,
	  struct rte_mbuf *m, uint64_t dst_key, uint16_t slot, bool from_overlay)
{
	if (dst_key == DP_KEY_FLOOD) {
		if (unlikely(snap->bd_vsid[bd] != 0) && !from_overlay && is_arp(m) &&
		    dp_arp_suppress(lc, snap, bd, m) == 1) {
			tx_bd_one(lc, snap, in_slot, bd, m);
			return;
		}
		count(lc, DP_CNT_FLOOD_MULTICAST);
		flood(lc, snap, bd, in_slot, m, from_overlay);
	} else if (from_overlay && dp_port_is_remote(slot)) {
		/* Never back to the overlay (split horizon). */
		drop(lc, DP_CNT_DROP_SPLIT_HORIZON, m);
	} else if (!from_overlay && slot == in_slot) {
		drop(lc, DP_CNT_DROP_SAME_PORT, m);
	} else {
		/* Unknown, learned on a port being removed, or on another host outside a tenant subnet. */
		count(lc, DP_CNT_FLOOD_UNKNOWN);
		flood(lc, snap, bd, in_slot, m, from_overlay);
	}
}

/* How a frame is sent: in a run to a local port, in a run to a remote host, or alone. */
enum run_kind { RUN_OTHER, RUN_LOCAL, RUN_REMOTE };

static inline enum run_kind
run_kind(const struct dp_snapshot *snap, uint16_t bd, uint16_t in_slot, uint64_t dst_key,
	 uint16_t slot, bool from_overlay)
{
	if (dst_key == DP_KEY_FLOOD || (!from_overlay && slot == in_slot))
		return RUN_OTHER;
	if (likely(dp_port_in_bd(snap, slot, bd)))
		return RUN_LOCAL;
	if (!from_overlay && dp_port_is_remote(slot) && snap->bd_vsid[bd] != 0)
		return RUN_REMOTE;
	return RUN_OTHER;
}

/*
 * dp_act_burst() for frames of one origin: 'from_overlay' is a constant at
 * both calls below, so each origin gets its own copy without the other's
 * tests.
 */
static inline __attribute__((always_inline)) void
act_burst(struct dp_lcore *lc, const struct dp_snapshot *snap, struct rte_mbuf **pkts,
	  const struct dp_burst *b, const uint16_t *out, const bool from_overlay)
{
	/* In locals: the TX buffers written below could alias '*b' as far as the compiler knows. */
	const uint16_t nb = b->nb, in_slot = b->in_slot, in_bd = b->in_bd;
	uint16_t nb_unicast = 0;
	uint16_t i = 0;

	while (i < nb) {
		uint16_t slot = out[i], run = i, len;
		uint16_t bd = from_overlay ? b->bd[i] : in_bd;
		enum run_kind kind =
			run_kind(snap, bd, in_slot, b->dst_keys[i], slot, from_overlay);

		if (kind == RUN_OTHER) {
			act_other(lc, snap, in_slot, bd, pkts[i], b->dst_keys[i], slot,
				  from_overlay);
			i++;
			continue;
		}
		/* A flood key has FDB_PORT_NONE, never a port's slot: it ends a run. */
		while (++i < nb && out[i] == slot && (!from_overlay || b->bd[i] == bd))
			;
		len = (uint16_t)(i - run);
		if (kind == RUN_LOCAL) {
			tx_bd_run(lc, snap, slot, bd, &pkts[run], len);
			nb_unicast = (uint16_t)(nb_unicast + len);
		} else {
			dp_encap_run(lc, snap, dp_remote_slot(slot), &pkts[run], len);
		}
	}
	lc->counters[DP_CNT_FORWARD_UNICAST] += nb_unicast;
}

void
dp_act_burst(struct dp_lcore *lc, const struct dp_snapshot *snap, struct rte_mbuf **pkts,
	     const struct dp_burst *b, const uint16_t *out)
{
	if (likely(b->in_bd != DP_BD_NONE))
		act_burst(lc, snap, pkts, b, out, false);
	else
		act_burst(lc, snap, pkts, b, out, true);
}
