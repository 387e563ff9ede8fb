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

#include <stddef.h>

#include <rte_branch_prediction.h>
#include <rte_ip.h>
#include <rte_ring.h>

#include "dp_rd_priv.h"
#include "fdb_announce.h"
#include "ovl.h"

static inline void
count_encap(struct dp_lcore *lc, enum nvgre_encap_reason r, struct rte_mbuf *m)
{
	lc->encap[r]++;
	if (r != NVGRE_ENCAP_OK)
		rte_pktmbuf_free(m);
}

/*
 * Encapsulate a run of frames for one remote host: the template is fetched
 * once, and the flow hashes, each a chain of dependent CRC steps, are
 * computed in a loop of their own so that the chains of different frames
 * overlap.
 */
void
dp_encap_run(struct dp_lcore *lc, const struct dp_snapshot *snap, uint16_t slot,
	     struct rte_mbuf **pkts, uint16_t n)
{
	const struct nvgre_template *t;
	enum nvgre_encap_reason why;
	uint16_t nb_ok = 0;

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
	for (uint16_t i = 0; i < n; i++) {
		why = nvgre_encap_one(pkts[i], t, nvgre_flow_hash(pkts[i]));
		if (likely(why == NVGRE_ENCAP_OK)) {
			pkts[nb_ok++] = pkts[i];
		} else {
			lc->encap[why]++;
			lc->tunnel_drops[slot % DP_MAX_TUNNELS]++;
			rte_pktmbuf_free(pkts[i]);
		}
	}
	lc->encap[NVGRE_ENCAP_OK] += nb_ok;
	if (nb_ok > 0 && likely(snap->uplink_vlan == 0))
		tx_run(lc, snap, snap->uplink_slot, pkts, nb_ok);
	else
		for (uint16_t i = 0; i < nb_ok; i++)
			tx_uplink_one(lc, snap, pkts[i]);
}

void
dp_flood_overlay(struct dp_lcore *lc, const struct dp_snapshot *snap, uint16_t bd,
		 uint16_t in_slot, struct rte_mbuf *m)
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

uint16_t
dp_overlay_lookup(uint64_t key)
{
	struct ovl_mac_dest dest;

	if (ovl_mac_lookup(dp_main.ovl, key, &dest) < 0 || dest.slot >= OVL_MAX_SLOTS)
		return FDB_PORT_NONE;
	return (uint16_t)(DP_PORT_REMOTE | dest.slot);
}

void
dp_overlay_lookup_bulk(const uint64_t *keys, uint16_t n, uint16_t *ports)
{
	struct ovl_mac_dest dests[VSW_BURST_SIZE];

	ovl_mac_lookup_bulk(dp_main.ovl, keys, n, dests);
	for (uint16_t i = 0; i < n; i++)
		ports[i] = dests[i].slot < OVL_MAX_SLOTS ? (uint16_t)(DP_PORT_REMOTE | dests[i].slot) :
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

/*
 * ARP on the uplink is the control thread's (neighbours, replies for our
 * PAs), and so are ICMP errors about our tunnels (diagnostics).
 */
static void
pass_up(struct dp_lcore *lc, struct rte_mbuf *m, enum dp_counter_id id)
{
	if (rte_ring_mp_enqueue(dp_main.ctl_rx, m) != 0) {
		drop(lc, DP_CNT_DROP_CONTROL_BUSY, m);
		return;
	}
	count(lc, id);
}

/*
 * An ICMP destination-unreachable or time-exceeded, or an ICMPv6
 * destination-unreachable, packet-too-big or time-exceeded (no extension
 * headers): maybe about a tunnel of ours.
 */
static bool
is_icmp_error(const struct rte_mbuf *m)
{
	uint8_t buf[RTE_ETHER_HDR_LEN + 60 + 1];
	const uint8_t *p = rte_pktmbuf_read(m, 0, RTE_MIN(rte_pktmbuf_pkt_len(m), sizeof(buf)), buf);
	uint32_t ihl;

	if (p == NULL || rte_pktmbuf_pkt_len(m) < RTE_ETHER_HDR_LEN + 20 + 8)
		return false;
	if (p[12] == 0x86 && p[13] == 0xdd)
		return rte_pktmbuf_pkt_len(m) >= RTE_ETHER_HDR_LEN + 40 + 8 &&
		       p[RTE_ETHER_HDR_LEN + 6] == DP_IPPROTO_ICMPV6 &&
		       p[RTE_ETHER_HDR_LEN + 40] >= DP_ICMP6_DEST_UNREACH &&
		       p[RTE_ETHER_HDR_LEN + 40] <= DP_ICMP6_TIME_EXCEEDED;
	if (p[12] != 0x08 || p[13] != 0x00)
		return false;
	ihl = (uint32_t)(p[RTE_ETHER_HDR_LEN] & 0xf) * 4;
	if (p[RTE_ETHER_HDR_LEN + 9] != IPPROTO_ICMP || ihl < 20 ||
	    rte_pktmbuf_pkt_len(m) < RTE_ETHER_HDR_LEN + ihl + 1)
		return false;
	return p[RTE_ETHER_HDR_LEN + ihl] == DP_ICMP_DEST_UNREACH ||
	       p[RTE_ETHER_HDR_LEN + ihl] == DP_ICMP_TIME_EXCEEDED;
}

#define ND_SOLICIT    135u /* ICMPv6 neighbour solicitation */
#define ND_ADVERT     136u /* ICMPv6 neighbour advertisement */

/*
 * True for an IPv6 neighbour solicitation or advertisement (no extension
 * headers: RFC 4861 messages carry none).  The control thread answers them
 * as it answers ARP.
 */
static inline bool
is_nd(const struct rte_mbuf *m)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);

	if (rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv6_hdr) + 1 ||
	    p[12] != 0x86 || p[13] != 0xdd ||
	    p[RTE_ETHER_HDR_LEN + offsetof(struct rte_ipv6_hdr, proto)] != DP_IPPROTO_ICMPV6)
		return false;
	p += RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv6_hdr);
	return p[0] == ND_SOLICIT || p[0] == ND_ADVERT;
}

/* The inner frame's learn cause; -1 if the frame was dropped. */
static int
inner_cause(struct dp_lcore *lc, struct rte_mbuf *m, const struct rte_ether_hdr *eth)
{
	const uint8_t *sha;
	enum fdb_announce ann;

	if (likely(!fdb_announce_candidate((const uint8_t *)eth, rte_pktmbuf_data_len(m))))
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

/* A decapsulated burst, as the later stages need it. */
struct decap_burst {
	uint16_t nb_kept;                          /**< inner frames still in the burst */
	uint16_t nb_reqs;                          /**< sources to learn */
	uint16_t bd[VSW_BURST_SIZE];               /**< per kept frame: its bridge domain */
	uint64_t dst_keys[VSW_BURST_SIZE];         /**< per kept frame: destination key or DP_KEY_FLOOD */
	uint8_t req_of[VSW_BURST_SIZE];            /**< per kept frame: its learn request, or 0xff */
	struct fdb_learn_req reqs[VSW_BURST_SIZE]; /**< sources */
	uint16_t req_port[VSW_BURST_SIZE];         /**< per request: remote port value (sending PA) */
};

#define NO_REQ    0xffu      /* a frame whose source is not learned */

/* The learn port of the PA a frame came from; a burst is usually from one host. */
static inline uint16_t
remote_port(const struct ovl_snapshot *os, uint16_t bd, const struct ovl_ip *pa,
	    uint16_t *last_bd, struct ovl_ip *last_pa, uint16_t *last_port)
{
	if (bd != *last_bd || !ovl_ip_eq(pa, last_pa)) {
		uint16_t slot = ovl_slot_of_pa(os, bd, pa);

		*last_bd = bd;
		*last_pa = *pa;
		*last_port = slot < DP_PORT_REMOTE ? (uint16_t)(DP_PORT_REMOTE | slot) : FDB_PORT_NONE;
	}
	return *last_port;
}

/* The last VSID a burst mapped to its bridge domain: a burst is usually one subnet's. */
struct vsid_memo {
	uint32_t vsid; /**< 0 (never a valid VSID) until the first lookup */
	uint16_t bd;
};

/* ovl_decap_check(), with the VSID's bridge domain looked up once per run of one VSID. */
static enum nvgre_decap_reason
decap_check(const struct ovl_snapshot *os, struct vsid_memo *memo, const struct rte_mbuf *m,
	    struct nvgre_decap_info *info)
{
	enum nvgre_decap_reason r = nvgre_decap_check(m, &os->local, 0, info);

	if (r != NVGRE_DECAP_OK)
		return r;
	if (info->vsid != memo->vsid) {
		if (ovl_vsid_to_bd(dp_main.ovl, info->vsid, &memo->bd) != 0) {
			memo->vsid = 0;
			return NVGRE_DECAP_UNKNOWN_VSID;
		}
		memo->vsid = info->vsid;
	}
	info->bd = memo->bd;
	return NVGRE_DECAP_OK;
}

/* Check, strip and classify one frame from the uplink. @return the inner Ethernet header, or NULL if dropped. */
static const struct rte_ether_hdr *
decap_one(struct dp_lcore *lc, const struct ovl_snapshot *os, struct vsid_memo *memo,
	  struct rte_mbuf *m, struct nvgre_decap_info *info, int *cause)
{
	enum nvgre_decap_reason r = decap_check(os, memo, m, info);
	const struct rte_ether_hdr *eth;

	if (unlikely(r == NVGRE_DECAP_NOT_GRE) && is_icmp_error(m)) {
		pass_up(lc, m, DP_CNT_UPLINK_ICMP_ERROR);
		return NULL;
	}
	/*
	 * Neighbour discovery is not NVGRE: to one of our PAs it fails the GRE
	 * test, to a solicited-node address the PA test.  Asked only then, so
	 * that NVGRE frames pay nothing for it.
	 */
	if (unlikely(r == NVGRE_DECAP_NOT_GRE || r == NVGRE_DECAP_NOT_OUR_PA) && is_nd(m)) {
		pass_up(lc, m, DP_CNT_UPLINK_ND);
		return NULL;
	}
	lc->decap[r]++;
	if (unlikely(r != NVGRE_DECAP_OK)) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	if (unlikely(nvgre_decap_strip(m, info) < 0 ||
		     rte_pktmbuf_data_len(m) < sizeof(struct rte_ether_hdr))) {
		drop(lc, DP_CNT_DROP_MALFORMED, m);
		return NULL;
	}
	eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (unlikely(rte_is_multicast_ether_addr(&eth->src_addr) ||
		     rte_is_zero_ether_addr(&eth->src_addr))) {
		drop(lc, DP_CNT_DROP_INVALID_SRC, m);
		return NULL;
	}
	*cause = inner_cause(lc, m, eth);
	return *cause < 0 ? NULL : eth;
}

/*
 * Stage 1: ARP up to the control thread; NVGRE checked and stripped; each
 * inner source becomes a learn request against its sender's PA (a source
 * repeated from the previous frame shares its request).
 */
static void
decap_parse(struct dp_lcore *lc, const struct ovl_snapshot *os, struct rte_mbuf **pkts,
	    uint16_t nb_pkts, struct decap_burst *db)
{
	uint16_t last_bd = 0xffff, last_port = FDB_PORT_NONE;
	struct ovl_ip last_pa = { .family = 0 };
	struct vsid_memo memo = { .vsid = 0 };

	db->nb_kept = 0;
	db->nb_reqs = 0;
	for (uint16_t i = 0; i < nb_pkts; i++) {
		struct rte_mbuf *m = pkts[i];
		struct nvgre_decap_info info;
		const struct rte_ether_hdr *eth;
		uint16_t port;
		uint64_t key;
		int cause;

		if (unlikely(rte_pktmbuf_data_len(m) < sizeof(struct rte_ether_hdr))) {
			drop(lc, DP_CNT_DROP_MALFORMED, m);
			continue;
		}
		if (rte_pktmbuf_mtod(m, const struct rte_ether_hdr *)->ether_type ==
		    RTE_BE16(RTE_ETHER_TYPE_ARP)) {
			pass_up(lc, m, DP_CNT_UPLINK_ARP);
			continue;
		}
		eth = decap_one(lc, os, &memo, m, &info, &cause);
		if (eth == NULL)
			continue;
		port = remote_port(os, info.bd, &info.src_pa, &last_bd, &last_pa, &last_port);
		db->req_of[db->nb_kept] = NO_REQ;
		if (unlikely(port == FDB_PORT_NONE)) {
			/* No lookup record names that host in this VSID: nowhere to send replies. */
			count(lc, DP_CNT_FDB_REMOTE_NO_RECORD);
		} else if (unlikely(dp_rd_is_router_src(info.bd, fdb_key_src(info.bd, eth)))) {
			/* Routed by another host: the router MAC is on every host, so learned on none. */
		} else {
			key = fdb_key_src(info.bd, eth);
			if (db->nb_reqs == 0 || db->reqs[db->nb_reqs - 1].key != key ||
			    db->req_port[db->nb_reqs - 1] != port) {
				db->reqs[db->nb_reqs].key = key;
				db->reqs[db->nb_reqs].cause = (uint8_t)cause;
				db->req_port[db->nb_reqs++] = port;
			} else if (cause != FDB_CAUSE_LEARNED) {
				db->reqs[db->nb_reqs - 1].cause = (uint8_t)cause;
			}
			db->req_of[db->nb_kept] = (uint8_t)(db->nb_reqs - 1);
		}
		db->bd[db->nb_kept] = info.bd;
		db->dst_keys[db->nb_kept] = rte_is_multicast_ether_addr(&eth->dst_addr) ?
						    DP_KEY_FLOOD :
						    fdb_key_dst(info.bd, eth);
		pkts[db->nb_kept++] = m;
	}
}

/*
 * Stage 2: learn the sources, one bulk call per run of requests from the
 * same host, the last run together with the destinations' lookup (usually
 * the whole burst is one run); then drop what a limit refused.
 */
static void
decap_learn_lookup(struct dp_lcore *lc, struct rte_mbuf **pkts, struct decap_burst *db,
		   uint16_t *out)
{
	struct fdb_learn_ctx ctx = { .now = lc->now, .stats = &lc->learn, .events = lc->events,
				     .urgent = lc->urgent };
	uint8_t verdicts[VSW_BURST_SIZE];
	uint16_t start = 0, nb_kept = 0;
	struct dst_lookup dl;
	bool dropped = false;

	dst_collect(db->dst_keys, db->nb_kept, &dl);
	do {
		uint16_t end = start + 1;

		while (end < db->nb_reqs && db->req_port[end] == db->req_port[start])
			end++;
		end = RTE_MIN(end, db->nb_reqs); /* no requests: the lookup alone */
		ctx.port = end > start ? db->req_port[start] : FDB_PORT_NONE;
		if (end < db->nb_reqs)
			fdb_learn_bulk(dp_main.fdb, &db->reqs[start], end - start, &ctx,
				       &verdicts[start]);
		else
			fdb_learn_lookup_bulk(dp_main.fdb, &db->reqs[start], end - start, &ctx,
					      &verdicts[start], dl.keys, dl.nb_keys, dl.ports);
		for (uint16_t r = start; r < end; r++)
			dropped |= verdicts[r] == FDB_VERDICT_DROP;
		start = end;
	} while (start < db->nb_reqs);
	dst_spread(&dl, db->dst_keys, db->nb_kept, out);
	if (likely(!dropped))
		return;
	for (uint16_t i = 0; i < db->nb_kept; i++) {
		if (db->req_of[i] != NO_REQ && verdicts[db->req_of[i]] == FDB_VERDICT_DROP) {
			drop(lc, DP_CNT_DROP_LEARN_LIMIT, pkts[i]);
			continue;
		}
		db->bd[nb_kept] = db->bd[i];
		db->dst_keys[nb_kept] = db->dst_keys[i];
		out[nb_kept] = out[i];
		pkts[nb_kept++] = pkts[i];
	}
	db->nb_kept = nb_kept;
}

/* Stage 3, one frame: flood, split-horizon drop, or a port outside its domain. */
static void
switch_inner_other(struct dp_lcore *lc, const struct dp_snapshot *snap, uint16_t bd,
		   uint64_t dst_key, uint16_t port, struct rte_mbuf *m)
{
	if (dst_key == DP_KEY_FLOOD) {
		count(lc, DP_CNT_FLOOD_MULTICAST);
		if (dp_flood_local(lc, snap, bd, snap->uplink_slot, m) == 0)
			count(lc, DP_CNT_DROP_NO_DESTINATION);
	} else if (dp_port_is_remote(port)) {
		/* Never back to the overlay (split horizon). */
		drop(lc, DP_CNT_DROP_SPLIT_HORIZON, m);
	} else {
		count(lc, DP_CNT_FLOOD_UNKNOWN);
		if (dp_flood_local(lc, snap, bd, snap->uplink_slot, m) == 0)
			count(lc, DP_CNT_DROP_NO_DESTINATION);
	}
}

/*
 * Stage 3: switch the inner frames in their bridge domains, to local ports
 * only; runs of frames to one port in one domain go to its TX buffer together.
 */
static void
switch_inner(struct dp_lcore *lc, const struct dp_snapshot *snap, struct rte_mbuf **pkts,
	     const struct decap_burst *db, const uint16_t *out)
{
	uint16_t nb_unicast = 0;
	uint16_t i = 0;

	while (i < db->nb_kept) {
		uint16_t port = out[i], bd = db->bd[i], run = i;

		if (db->dst_keys[i] == DP_KEY_FLOOD || !dp_port_in_bd(snap, port, bd)) {
			switch_inner_other(lc, snap, bd, db->dst_keys[i], port, pkts[i]);
			i++;
			continue;
		}
		/* A flood key has FDB_PORT_NONE, never a port's slot: it ends a run. */
		while (++i < db->nb_kept && out[i] == port && db->bd[i] == bd)
			;
		tx_bd_run(lc, snap, port, bd, &pkts[run], (uint16_t)(i - run));
		nb_unicast = (uint16_t)(nb_unicast + i - run);
	}
	lc->counters[DP_CNT_FORWARD_UNICAST] += nb_unicast;
}

void
dp_uplink_burst(struct dp_lcore *lc, const struct dp_snapshot *snap, const struct dp_rxq *rxq,
		struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	const struct ovl_snapshot *os = ovl_snapshot_get(dp_main.ovl);
	struct decap_burst db;
	uint16_t out[VSW_BURST_SIZE];

	(void)rxq;
	if (unlikely(snap->uplink_vlan != 0))
		nb_pkts = dp_vlan_uplink_rx(lc, snap, pkts, nb_pkts);
	decap_parse(lc, os, pkts, nb_pkts, &db);
	decap_learn_lookup(lc, pkts, &db, out);
	switch_inner(lc, snap, pkts, &db, out);
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
