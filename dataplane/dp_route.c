/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The routing stage of the pipeline (worker context, lock-free): every host
 * is the distributed router of the routing domains it carries.
 *
 *   ARP request for the ingress subnet's gateway  -> answered with the router
 *                                                    MAC, back out of the port
 *   IPv4 to the router MAC -> checked; longest prefix of the domain (subnets,
 *     customer routes); next hop (destination, or the route's CA) resolved
 *     by lookup record to a MAC, and the MAC by the FDB to a local port or a
 *     remote host; TTL decremented (RFC 1624 checksum update), MACs rewritten
 *     (source = router MAC); sent to the local port, or encapsulated with the
 *     destination subnet's VSID (the remote host's template for that VSID).
 *   Errors a router owes the sender (TTL <= 1, too big for the tunnel with
 *     DF) go back as ICMP built in the same buffer, at most ICMP_PER_SECOND
 *     per worker (RFC 1812 4.3.2.8).  Everything else is a counted drop;
 *     nothing routed is ever flooded to other hosts.
 *
 * It runs after learning and the FDB lookup (sources are learned as for any
 * frame) and before the overlay's miss resolution, which has nothing to
 * say about the router MAC.
 */
#include "dp_rd_priv.h"

#include <rte_branch_prediction.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "dp_stage.h"
#include "dp_worker.h"
#include "fdb.h"
#include "ovl.h"
#include "ovl_rd_pkt.h"

#define ICMP_PER_SECOND 100 /* ICMP errors one worker sends per second at most */

/* A worker's ICMP error budget: its own line, written by it alone. */
struct icmp_budget {
	uint32_t second; /**< lc->now when 'sent' started counting */
	uint32_t sent;	 /**< errors sent in that second */
} __rte_cache_aligned;

static struct icmp_budget icmp_budget[VSW_MAX_WORKERS];

static inline bool
icmp_budget_take(struct dp_lcore *lc)
{
	struct icmp_budget *b = &icmp_budget[lc->index];

	if (b->second != lc->now) {
		b->second = lc->now;
		b->sent = 0;
	}
	if (b->sent >= ICMP_PER_SECOND)
		return false;
	b->sent++;
	return true;
}

/* Tell the sender why its datagram (already counted) went no further; consumes 'm'. */
static void
icmp_error(struct dp_lcore *lc, const struct dp_snapshot *snap, const struct dp_rxq *rxq,
	   const struct dp_rd_snap *rs, struct rte_mbuf *m, uint8_t type, uint8_t code,
	   uint16_t mtu)
{
	const struct dp_rd_bd_rt *in = &rs->bds[rxq->bd];

	if (ovl_rd_icmp_error(m, type, code, mtu, in->gateway, &rs->rds[in->rd].mac) < 0) {
		rte_pktmbuf_free(m); /* about an ICMP error, a fragment, or a bad source: silence */
		return;
	}
	if (!icmp_budget_take(lc)) {
		drop(lc, DP_CNT_RD_ICMP_RATE_LIMITED, m);
		return;
	}
	count(lc, DP_CNT_RD_ICMP_SENT);
	tx_bd_one(lc, snap, rxq->slot, rxq->bd, m);
}

/* The longest prefix of the domain that holds 'dst', or NULL. */
static inline const struct dp_rd_prefix *
rd_lookup(const struct dp_rd_snap *rs, const struct dp_rd_rt *r, rte_be32_t dst)
{
	const struct dp_rd_prefix *p = &rs->prefixes[r->first];

	for (uint16_t i = 0; i < r->nb; i++)
		if (((dst ^ p[i].net) & p[i].mask) == 0)
			return &p[i];
	return NULL;
}

/* An ARP frame to the router MAC: the gateway's answer, or a drop. */
static void
unicast_arp(struct dp_lcore *lc, const struct dp_snapshot *snap, const struct dp_rxq *rxq,
	    const struct dp_rd_snap *rs, struct rte_mbuf *m)
{
	const struct dp_rd_bd_rt *in = &rs->bds[rxq->bd];

	if (ovl_rd_arp_answer(m, in->gateway, &rs->rds[in->rd].mac) != 1) {
		drop(lc, DP_CNT_DROP_RD_NOT_IPV4, m);
		return;
	}
	count(lc, DP_CNT_RD_ARP_REPLIED);
	tx_bd_one(lc, snap, rxq->slot, rxq->bd, m);
}

/* A datagram for the gateway address itself: pings are answered. */
static void
to_router(struct dp_lcore *lc, const struct dp_snapshot *snap, const struct dp_rxq *rxq,
	  const struct dp_rd_snap *rs, struct rte_mbuf *m)
{
	if (ovl_rd_icmp_echo_reply(m, &rs->rds[rs->bds[rxq->bd].rd].mac) < 0) {
		drop(lc, DP_CNT_DROP_RD_TO_ROUTER, m);
		return;
	}
	count(lc, DP_CNT_RD_ECHO_REPLIED);
	tx_bd_one(lc, snap, rxq->slot, rxq->bd, m);
}

/* Where the routed frames of a burst go, pass by pass. */
struct hops {
	uint16_t nb;			/**< frames to send */
	uint16_t nb_repeats;		/**< frames to the same next hop as the frame before */
	struct rte_mbuf *m[VSW_BURST_SIZE]; /**< the frames */
	uint32_t vsid[VSW_BURST_SIZE];	/**< VSID of the destination subnet */
	rte_be32_t nh[VSW_BURST_SIZE];	/**< next-hop customer address */
	uint64_t key[VSW_BURST_SIZE];	/**< FDB key (destination bd, next-hop MAC), from its record */
	uint16_t port[VSW_BURST_SIZE];	/**< the FDB's answer for 'key' */
};

/*
 * First pass, one frame: check, look up the prefix, find the next hop.
 * @return true if 'm' joined 'h'; false if it was answered or dropped.
 */
static bool
route_resolve(struct dp_lcore *lc, const struct dp_snapshot *snap, const struct dp_rxq *rxq,
	      const struct dp_rd_snap *rs, struct rte_mbuf *m, struct hops *h)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(eth + 1);
	const struct dp_rd_rt *r = &rs->rds[rs->bds[rxq->bd].rd];
	const struct dp_rd_prefix *p;

	if (unlikely(eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4))) {
		if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_ARP))
			unicast_arp(lc, snap, rxq, rs, m);
		else
			drop(lc, DP_CNT_DROP_RD_NOT_IPV4, m);
		return false;
	}
	if (unlikely(ovl_rd_ipv4_check(ip, (uint32_t)rte_pktmbuf_data_len(m) - RTE_ETHER_HDR_LEN,
				       rte_pktmbuf_pkt_len(m) - RTE_ETHER_HDR_LEN) < 0)) {
		drop(lc, DP_CNT_DROP_RD_BAD_IPV4, m);
		return false;
	}
	p = rd_lookup(rs, r, ip->dst_addr);
	if (unlikely(p == NULL || p->bd == DP_RD_NO_SUBNET)) {
		drop(lc, DP_CNT_DROP_RD_NO_ROUTE, m);
		return false;
	}
	if (unlikely(p->via == 0 && ip->dst_addr == rs->bds[p->bd].gateway)) {
		to_router(lc, snap, rxq, rs, m);
		return false;
	}
	if (unlikely(ip->time_to_live <= 1)) {
		count(lc, DP_CNT_DROP_RD_TTL_EXCEEDED);
		/* Code 0: TTL exceeded in transit. */
		icmp_error(lc, snap, rxq, rs, m, DP_ICMP_TIME_EXCEEDED, 0, 0);
		return false;
	}
	h->vsid[h->nb] = snap->bd_vsid[p->bd];
	h->nh[h->nb] = p->via != 0 ? p->via : ip->dst_addr;
	h->nb_repeats += h->nb > 0 && h->nh[h->nb] == h->nh[h->nb - 1] &&
			 h->vsid[h->nb] == h->vsid[h->nb - 1];
	h->m[h->nb++] = m;
	return true;
}

/*
 * Second pass: the next hops' MACs from their lookup records (the authority
 * on where a tenant address lives), in one bulk lookup that gives each
 * MAC's FDB key in the destination bridge domain, then the FDB's answer for
 * those keys in another.  Frames without a record are dropped, the rest keep
 * their order.
 */
static void
route_lookup(struct dp_lcore *lc, struct hops *h)
{
	uint16_t nb = 0;

	ovl_record_key_bulk(dp_main.ovl, h->vsid, h->nh, h->nb, h->key);
	for (uint16_t i = 0; i < h->nb; i++) {
		if (unlikely(h->key[i] == OVL_KEY_NONE)) {
			drop(lc, DP_CNT_DROP_RD_UNRESOLVED, h->m[i]);
			continue;
		}
		h->key[nb] = h->key[i];
		h->m[nb++] = h->m[i];
	}
	h->nb = nb;
	fdb_lookup_bulk(dp_main.fdb, h->key, h->nb, h->port);
}

/*
 * route_lookup() for a burst in which frames repeat the next hop of the
 * frame before them (a flow): each run of one next hop is looked up once,
 * as the L2 stage looks up a repeated destination once.
 */
static void
route_lookup_runs(struct dp_lcore *lc, struct hops *h)
{
	struct hops d; /* one entry per run of one next hop (its frames stay in h) */
	uint8_t run_of[VSW_BURST_SIZE];
	uint16_t nb = 0;

	d.nb = 0;
	for (uint16_t i = 0; i < h->nb; i++) {
		if (i == 0 || h->nh[i] != h->nh[i - 1] || h->vsid[i] != h->vsid[i - 1]) {
			d.vsid[d.nb] = h->vsid[i];
			d.nh[d.nb++] = h->nh[i];
		}
		run_of[i] = (uint8_t)(d.nb - 1);
	}
	ovl_record_key_bulk(dp_main.ovl, d.vsid, d.nh, d.nb, d.key);
	fdb_lookup_bulk(dp_main.fdb, d.key, d.nb, d.port); /* a miss's key 0 is never found */
	for (uint16_t i = 0; i < h->nb; i++) {
		uint8_t k = run_of[i];

		if (unlikely(d.key[k] == OVL_KEY_NONE)) {
			drop(lc, DP_CNT_DROP_RD_UNRESOLVED, h->m[i]);
			continue;
		}
		h->key[nb] = d.key[k];
		h->port[nb] = d.port[k];
		h->m[nb++] = h->m[i];
	}
	h->nb = nb;
}

/* Rewrite a routed frame for its next hop: MACs, TTL and checksum. */
static inline void
route_rewrite(struct rte_mbuf *m, uint64_t key, const struct rte_ether_addr *router_mac)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	fdb_key_mac(key, &eth->dst_addr);
	rte_ether_addr_copy(router_mac, &eth->src_addr);
	ovl_rd_ttl_dec((struct rte_ipv4_hdr *)(eth + 1));
}

/* A frame for another host that the tunnel cannot carry.  @return true if it was taken. */
static inline bool
too_big(struct dp_lcore *lc, const struct dp_snapshot *snap, const struct dp_rxq *rxq,
	const struct dp_rd_snap *rs, struct rte_mbuf *m, uint16_t tenant_mtu)
{
	const struct rte_ipv4_hdr *ip =
		rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);

	if (likely(rte_be_to_cpu_16(ip->total_length) <= tenant_mtu))
		return false;
	count(lc, DP_CNT_DROP_RD_TOO_BIG);
	if (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_DF_FLAG))
		icmp_error(lc, snap, rxq, rs, m, DP_ICMP_DEST_UNREACH, DP_ICMP_FRAG_NEEDED,
			   tenant_mtu);
	else
		rte_pktmbuf_free(m);
	return true;
}

/*
 * Send a run of routed frames of bridge domain 'bd' to one local port (a
 * trunk tags them with the domain's VLAN), or encapsulated to one remote
 * host, and count them.
 */
static inline void
route_run(struct dp_lcore *lc, const struct dp_snapshot *snap, uint16_t port, uint16_t bd,
	  struct rte_mbuf **run, uint16_t n)
{
	if (dp_port_is_remote(port)) {
		lc->counters[DP_CNT_ROUTED_REMOTE] += n;
		dp_encap_run(lc, snap, dp_remote_slot(port), run, n);
	} else {
		lc->counters[DP_CNT_ROUTED_LOCAL] += n;
		tx_bd_run(lc, snap, port, bd, run, n);
	}
}

/*
 * Second pass: send the resolved frames in runs to the same local port or
 * remote host and bridge domain (a burst routed to one subnet is mostly one
 * run), so a port still sees its frames in order.  Where a run goes is
 * decided by its first frame; the frames that join it are only rewritten
 * (and, to a remote host, checked against the tunnel's MTU).
 */
static void
route_send(struct dp_lcore *lc, const struct dp_snapshot *snap, const struct dp_rxq *rxq,
	   const struct dp_rd_snap *rs, struct hops *h)
{
	const struct rte_ether_addr *mac = &rs->rds[rs->bds[rxq->bd].rd].mac;
	const struct ovl_snapshot *os = ovl_snapshot_get(dp_main.ovl);
	struct rte_mbuf *run[VSW_BURST_SIZE];
	uint16_t nb_run = 0, run_port = FDB_PORT_NONE, run_bd = 0, run_mtu = 0;
	bool run_remote = false;

	for (uint16_t k = 0; k < h->nb; k++) {
		struct rte_mbuf *m = h->m[k];
		uint16_t port = h->port[k], bd = fdb_key_bd(h->key[k]);

		if (nb_run == 0 || port != run_port || bd != run_bd) {
			if (nb_run > 0) {
				route_run(lc, snap, run_port, run_bd, run, nb_run);
				nb_run = 0;
			}
			if (dp_port_in_bd(snap, port, bd)) {
				run_remote = false;
			} else if (dp_port_is_remote(port) && snap->bd_vsid[bd] != 0) {
				/* The tunnel's family decides: an IPv6 outer header takes 20 bytes more. */
				run_remote = true;
				run_mtu = ovl_slot_tenant_mtu(os, dp_remote_slot(port));
			} else {
				/* A VM of this host (its record says so) that has not spoken yet. */
				route_rewrite(m, h->key[k], mac);
				count(lc, DP_CNT_ROUTED_FLOOD_LOCAL);
				if (dp_flood_local(lc, snap, bd, rxq->slot, m) == 0)
					count(lc, DP_CNT_DROP_NO_DESTINATION);
				continue;
			}
			run_port = port;
			run_bd = bd;
		}
		if (run_remote && too_big(lc, snap, rxq, rs, m, run_mtu))
			continue;
		route_rewrite(m, h->key[k], mac);
		run[nb_run++] = m;
	}
	if (nb_run > 0)
		route_run(lc, snap, run_port, run_bd, run, nb_run);
}

static void
route_frames(struct dp_lcore *lc, const struct dp_snapshot *snap, const struct dp_rxq *rxq,
	     const struct dp_rd_snap *rs, struct rte_mbuf **pkts, uint16_t n)
{
	struct hops h;

	h.nb = 0;
	h.nb_repeats = 0;
	for (uint16_t i = 0; i < n; i++)
		route_resolve(lc, snap, rxq, rs, pkts[i], &h);
	if (h.nb > 0 && h.nb_repeats == 0)
		route_lookup(lc, &h);
	else if (h.nb > 0)
		route_lookup_runs(lc, &h);
	if (h.nb > 0)
		route_send(lc, snap, rxq, rs, &h);
}

uint16_t
dp_route_burst(struct dp_lcore *lc, const struct dp_snapshot *snap, const struct dp_rxq *rxq,
	       struct rte_mbuf **pkts, uint64_t *dst_keys, uint16_t *out, uint16_t n)
{
	const struct dp_rd_snap *rs = dp_rd_snapshot();
	struct rte_mbuf *routed[VSW_BURST_SIZE];
	uint16_t nb_routed = 0, nb_kept = 0;
	const struct dp_rd_bd_rt *in;

	if (rs == NULL || likely(rs->bds[rxq->bd].router_key == 0))
		return n;
	in = &rs->bds[rxq->bd];
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (dst_keys[i] == in->router_key) {
			routed[nb_routed++] = m;
			continue;
		}
		/* A broadcast ARP request for the gateway is answered here, never flooded. */
		if (dst_keys[i] == DP_KEY_FLOOD &&
		    rte_pktmbuf_mtod(m, const struct rte_ether_hdr *)->ether_type ==
			    RTE_BE16(RTE_ETHER_TYPE_ARP) &&
		    ovl_rd_arp_answer(m, in->gateway, &rs->rds[in->rd].mac) == 1) {
			count(lc, DP_CNT_RD_ARP_REPLIED);
			tx_bd_one(lc, snap, rxq->slot, rxq->bd, m);
			continue;
		}
		pkts[nb_kept] = m;
		dst_keys[nb_kept] = dst_keys[i];
		out[nb_kept++] = out[i];
	}
	if (nb_routed > 0)
		route_frames(lc, snap, rxq, rs, routed, nb_routed);
	return nb_kept;
}
