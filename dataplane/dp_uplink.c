/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The uplink's path (worker context, lock-free): frames from the provider
 * network.  Its own parse stage takes the outer headers off:
 *
 *   ARP, neighbour discovery, ICMP errors about our tunnels -> the control
 *     thread (neighbours, replies for our PAs, tunnel diagnostics);
 *   NVGRE -> checked (ovl_decap_check: one of our PAs, a VSID we carry) and
 *     stripped; the inner frame is of the VSID's bridge domain and its
 *     source is learned against the sending PA.
 *
 * Then the stages every path shares (dp_stage.h): learn, look up, act, to
 * local ports only (never back to the overlay: split horizon).
 *
 * The overlay snapshot is loaded per burst; it is freed only after a grace
 * period, which the worker's quiescent report after the round provides.
 */
#include "dp_stage.h"
#include "dp_worker.h"

#include <stddef.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_ip.h>
#include <rte_ring.h>

#include "dp_rd_priv.h"
#include "ovl.h"

#define IPV4_HDR_MAX 60u  /* an IPv4 header with every option */
#define ICMP_HDR_LEN 8u	  /* an ICMP or ICMPv6 header: type, code, checksum, 4 more bytes */

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
	const uint32_t l3 = RTE_ETHER_HDR_LEN, len = rte_pktmbuf_pkt_len(m);
	uint8_t buf[RTE_ETHER_HDR_LEN + IPV4_HDR_MAX + 1];
	const uint8_t *p = rte_pktmbuf_read(m, 0, RTE_MIN(len, sizeof(buf)), buf);
	rte_be16_t type;
	uint32_t ihl;

	if (p == NULL || len < l3 + sizeof(struct rte_ipv4_hdr) + ICMP_HDR_LEN)
		return false;
	/* 'p' may be 'buf', of no particular alignment: bytes only. */
	memcpy(&type, p + offsetof(struct rte_ether_hdr, ether_type), sizeof(type));
	if (type == RTE_BE16(RTE_ETHER_TYPE_IPV6))
		return len >= l3 + sizeof(struct rte_ipv6_hdr) + ICMP_HDR_LEN &&
		       p[l3 + offsetof(struct rte_ipv6_hdr, proto)] == DP_IPPROTO_ICMPV6 &&
		       p[l3 + sizeof(struct rte_ipv6_hdr)] >= DP_ICMP6_DEST_UNREACH &&
		       p[l3 + sizeof(struct rte_ipv6_hdr)] <= DP_ICMP6_TIME_EXCEEDED;
	if (type != RTE_BE16(RTE_ETHER_TYPE_IPV4))
		return false;
	ihl = (uint32_t)(p[l3] & RTE_IPV4_HDR_IHL_MASK) * RTE_IPV4_IHL_MULTIPLIER;
	if (p[l3 + offsetof(struct rte_ipv4_hdr, next_proto_id)] != IPPROTO_ICMP ||
	    ihl < sizeof(struct rte_ipv4_hdr) || len < l3 + ihl + 1)
		return false;
	return p[l3 + ihl] == DP_ICMP_DEST_UNREACH || p[l3 + ihl] == DP_ICMP_TIME_EXCEEDED;
}

/*
 * True for an IPv6 neighbour solicitation or advertisement (no extension
 * headers: RFC 4861 messages carry none).  The control thread answers them
 * as it answers ARP.
 */
static inline bool
is_nd(const struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const uint8_t *p = (const uint8_t *)(eth + 1);

	if (rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv6_hdr) + 1 ||
	    eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV6) ||
	    p[offsetof(struct rte_ipv6_hdr, proto)] != DP_IPPROTO_ICMPV6)
		return false;
	p += sizeof(struct rte_ipv6_hdr);
	return p[0] == OVL_ND_SOLICIT || p[0] == OVL_ND_ADVERT;
}

/* The learn port of the PA a frame came from; a burst is usually from one host. */
static inline uint16_t
remote_port(const struct ovl_snapshot *os, uint16_t bd, const struct ovl_ip *pa, uint16_t *last_bd,
	    struct ovl_ip *last_pa, uint16_t *last_port)
{
	if (bd != *last_bd || !ovl_ip_eq(pa, last_pa)) {
		uint16_t slot = ovl_slot_of_pa(os, bd, pa);

		*last_bd = bd;
		*last_pa = *pa;
		*last_port =
			slot < DP_PORT_REMOTE ? (uint16_t)(DP_PORT_REMOTE | slot) : FDB_PORT_NONE;
	}
	return *last_port;
}

/*
 * Check and strip one frame from the uplink; what is not NVGRE for us goes
 * up or is dropped.  @return true if 'm' now starts with the inner frame of
 * bridge domain info->bd.
 */
static bool
decap_one(struct dp_lcore *lc, const struct ovl_snapshot *os, struct ovl_vsid_memo *memo,
	  struct rte_mbuf *m, struct nvgre_decap_info *info)
{
	enum nvgre_decap_reason r = ovl_decap_check(dp_main.ovl, os, m, 0, memo, info);

	if (unlikely(r == NVGRE_DECAP_NOT_GRE) && is_icmp_error(m)) {
		pass_up(lc, m, DP_CNT_UPLINK_ICMP_ERROR);
		return false;
	}
	/*
	 * Neighbour discovery is not NVGRE: to one of our PAs it fails the GRE
	 * test, to a solicited-node address the PA test.  Asked only then, so
	 * that NVGRE frames pay nothing for it.
	 */
	if (unlikely(r == NVGRE_DECAP_NOT_GRE || r == NVGRE_DECAP_NOT_OUR_PA) && is_nd(m)) {
		pass_up(lc, m, DP_CNT_UPLINK_ND);
		return false;
	}
	lc->decap[r]++;
	if (unlikely(r != NVGRE_DECAP_OK)) {
		rte_pktmbuf_free(m);
		return false;
	}
	if (unlikely(nvgre_decap_strip(m, info) < 0)) {
		drop(lc, DP_CNT_DROP_MALFORMED, m);
		return false;
	}
	return true;
}

/*
 * Parse, from the uplink: ARP up to the control thread; NVGRE checked and
 * stripped; each inner frame checked as any (dp_frame_source, no port
 * security: the sending host applied its own), in its VSID's bridge domain,
 * its source learned against the sending PA.
 */
static void
parse_burst(struct dp_lcore *lc, const struct dp_snapshot *snap, struct rte_mbuf **pkts,
	    uint16_t nb_pkts, struct dp_burst *b)
{
	const struct ovl_snapshot *os = ovl_snapshot_get(dp_main.ovl);
	uint16_t last_bd = DP_BD_NONE, last_port = FDB_PORT_NONE;
	struct ovl_ip last_pa = { .family = 0 };
	struct ovl_vsid_memo memo = { .vsid = 0 };
	struct dp_parse p;

	dp_parse_start(&p, b, snap->uplink_slot, DP_BD_NONE);
	for (uint16_t i = 0; i < nb_pkts; i++) {
		struct rte_mbuf *m = pkts[i];
		struct nvgre_decap_info info;
		const struct rte_ether_hdr *eth = NULL;
		uint16_t port;
		uint64_t src_key;
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
		if (!decap_one(lc, os, &memo, m, &info))
			continue;
		cause = dp_frame_source(lc, NULL, m, &eth);
		if (cause < 0)
			continue;
		port = remote_port(os, info.bd, &info.src_pa, &last_bd, &last_pa, &last_port);
		src_key = fdb_key_src(info.bd, eth);
		if (unlikely(port == FDB_PORT_NONE)) {
			/* No lookup record names that host in this VSID: nowhere to send replies. */
			count(lc, DP_CNT_FDB_REMOTE_NO_RECORD);
		} else if (unlikely(dp_rd_is_router_src(info.bd, src_key))) {
			/* Routed by another host: the router MAC is on every host, so learned on none. */
			port = FDB_PORT_NONE;
		}
		dp_burst_add(b, &p, pkts, m, eth, info.bd, src_key, port, cause, true);
	}
	dp_parse_end(&p, b);
}

void
dp_uplink_burst(struct dp_lcore *lc, const struct dp_snapshot *snap, const struct dp_rxq *rxq,
		struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct dp_burst b;
	uint16_t out[VSW_BURST_SIZE];

	(void)rxq;
	if (unlikely(snap->uplink_vlan != 0))
		nb_pkts = dp_vlan_uplink_rx(lc, snap, pkts, nb_pkts);
	parse_burst(lc, snap, pkts, nb_pkts, &b);
	dp_learn_lookup(lc, pkts, &b);
	dp_out_ports(&b, out);
	dp_act_burst(lc, snap, pkts, &b, out);
}
