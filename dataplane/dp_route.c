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
 * A destination this worker routed before is answered by its route cache
 * (dp_route_cache.h), checked against the two table slots the answer came
 * from; only a miss does the prefix scan and the two lookups.  While no
 * table has changed since an entry was filled, its answer holds as it is,
 * and the frame joins its run at once, in the pass that checks it; the
 * first frame that needs more (and every frame after it, so that none
 * overtakes it) waits in 'struct hops' for the passes below.
 *
 * It runs after learning and the FDB lookup (sources are learned as for any
 * frame) and before the overlay's miss resolution, which has nothing to
 * say about the router MAC.
 */
#include "dp_rd_priv.h"

#include <rte_branch_prediction.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "dp_route_cache.h"
#include "dp_stage.h"
#include "dp_worker.h"
#include "fdb.h"
#include "nvgre_encap.h"
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

/*
 * Where the routed frames of a burst that could not be sent at once go,
 * pass by pass, in arrival order.
 * Frame k's next hop comes from its route-cache entry, or, when bit k of
 * 'lookup' is set, from the tables (vsid[k], nh[k] say which record).  A
 * frame whose bit is set in 'follow' hit the same entry as the frame before
 * it (a flow) and takes that frame's answer without checking it again; one
 * in 'known' hit an entry whose port no table change can have made wrong.
 */
struct hops {
	uint16_t nb;		      /**< frames to send */
	uint64_t lookup;	      /**< frames whose next hop the tables must give */
	uint64_t follow;	      /**< frames that take the answer of the frame before */
	uint64_t known;		      /**< frames whose entry's port holds as it is */
	uint64_t gens;		      /**< the snapshots' generations, as entries keep them */
	struct dp_route_cache *cache; /**< the worker's */
	uint64_t tag;		      /**< the burst's dp_route_cache_tag() */
	/** The entry the frame last taken hit, NULL after a miss: a frame that hits it follows. */
	const struct dp_route_cache_hot *lead;
	struct rte_mbuf *m[VSW_BURST_SIZE];	       /**< the frames */
	struct dp_route_cache_hot *ce[VSW_BURST_SIZE]; /**< each frame's cache entry */
	uint32_t vsid[VSW_BURST_SIZE];		       /**< VSID of the destination subnet */
	rte_be32_t nh[VSW_BURST_SIZE];		       /**< next-hop customer address */
	uint64_t
		key[VSW_BURST_SIZE]; /**< FDB key (destination bd, next-hop MAC), from its record */
	uint16_t port[VSW_BURST_SIZE]; /**< the FDB's answer for 'key' */
};

_Static_assert(VSW_BURST_SIZE <= 64, "struct hops keeps a bit per frame in a uint64_t");

/*
 * First pass, one frame: is it an IPv4 datagram to route (ARP to the router
 * MAC is answered, anything else dropped)?  @return true if it is.
 */
static inline bool
route_check(struct dp_lcore *lc, const struct dp_snapshot *snap, const struct dp_rxq *rxq,
	    const struct dp_rd_snap *rs, struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

	if (unlikely(eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4))) {
		if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_ARP))
			unicast_arp(lc, snap, rxq, rs, m);
		else
			drop(lc, DP_CNT_DROP_RD_NOT_IPV4, m);
		return false;
	}
	if (unlikely(ovl_rd_ipv4_check((const struct rte_ipv4_hdr *)(eth + 1),
				       (uint32_t)rte_pktmbuf_data_len(m) - RTE_ETHER_HDR_LEN,
				       rte_pktmbuf_pkt_len(m) - RTE_ETHER_HDR_LEN) < 0)) {
		drop(lc, DP_CNT_DROP_RD_BAD_IPV4, m);
		return false;
	}
	return true;
}

static inline const struct rte_ipv4_hdr *
ipv4_of(const struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);
}

/* A datagram that arrived with TTL <= 1 goes no further.  @return true if it was taken. */
static inline bool
ttl_expired(struct dp_lcore *lc, const struct dp_snapshot *snap, const struct dp_rxq *rxq,
	    const struct dp_rd_snap *rs, struct rte_mbuf *m)
{
	if (likely(ipv4_of(m)->time_to_live > 1))
		return false;
	count(lc, DP_CNT_DROP_RD_TTL_EXCEEDED);
	/* Code 0: TTL exceeded in transit. */
	icmp_error(lc, snap, rxq, rs, m, DP_ICMP_TIME_EXCEEDED, 0, 0);
	return true;
}

/*
 * A frame the route cache did not know: the longest prefix, the gateway's
 * own address, TTL; its record to look up goes in vsid[k], nh[k].
 * @return true if 'm' is to be routed; false if it was answered or dropped.
 */
static bool
route_resolve(struct dp_lcore *lc, const struct dp_snapshot *snap, const struct dp_rxq *rxq,
	      const struct dp_rd_snap *rs, struct rte_mbuf *m, struct hops *h, uint16_t k)
{
	const struct rte_ipv4_hdr *ip = ipv4_of(m);
	const struct dp_rd_rt *r = &rs->rds[rs->bds[rxq->bd].rd];
	const struct dp_rd_prefix *p = rd_lookup(rs, r, ip->dst_addr);

	count(lc, DP_CNT_RD_CACHE_MISS);
	if (unlikely(p == NULL || p->bd == DP_RD_NO_SUBNET)) {
		drop(lc, DP_CNT_DROP_RD_NO_ROUTE, m);
		return false;
	}
	if (unlikely(p->via == 0 && ip->dst_addr == rs->bds[p->bd].gateway)) {
		to_router(lc, snap, rxq, rs, m);
		return false;
	}
	if (ttl_expired(lc, snap, rxq, rs, m))
		return false;
	h->vsid[k] = snap->bd_vsid[p->bd];
	h->nh[k] = p->via != 0 ? p->via : ip->dst_addr;
	h->lookup |= UINT64_C(1) << k;
	return true;
}

/* The frames 0 .. nb-1 as a mask. */
static inline uint64_t
all_frames(uint16_t nb)
{
	return UINT64_MAX >> (64 - nb);
}

/* The frames of 'mask' (a bit per frame of 'h'), as indices in 'idx'.  @return how many. */
static inline uint16_t
frames_of(uint64_t mask, uint8_t *idx)
{
	uint16_t n = 0;

	while (mask != 0) {
		idx[n++] = (uint8_t)__builtin_ctzll(mask);
		mask &= mask - 1;
	}
	return n;
}

/* Is frame k's entry still about its next hop (not refilled for another destination of the burst)? */
static inline bool
entry_is_for(const struct hops *h, unsigned int k)
{
	const struct dp_route_cache_hot *e = h->ce[k];

	return e->fdb_key == h->key[k] && e->dst == ipv4_of(h->m[k])->dst_addr;
}

/* Keep in frame k's entry the port its next hop resolved to, checked in this epoch. */
static inline void
remember_port(const struct hops *h, unsigned int k)
{
	dp_route_cache_set_port(h->cache, h->ce[k], h->port[k]);
}

/*
 * Second pass, the hits that lead (not following the frame before): is
 * their record still what the entry says, and where is its MAC now?  A
 * changed record is looked up again from what the entry says; a MAC no
 * longer in its FDB slot is looked up again in the FDB.  @return those.
 */
static uint64_t
route_check_hits(struct dp_lcore *lc, struct hops *h)
{
	uint64_t lead = all_frames(h->nb) & ~h->lookup & ~h->follow & ~h->known, again = 0;

	while (lead != 0) {
		unsigned int k = (unsigned int)__builtin_ctzll(lead);
		const struct dp_route_cache_cold *cold = dp_route_cache_cold_of(h->cache, h->ce[k]);

		lead &= lead - 1;
		if (unlikely(!ovl_record_slot_holds(cold->rec_slot, cold->rec_key, h->key[k]))) {
			count(lc, DP_CNT_RD_CACHE_MISS);
			h->vsid[k] = cold->vsid;
			h->nh[k] = cold->nh;
			h->lookup |= UINT64_C(1) << k;
			continue;
		}
		h->port[k] = fdb_slot_port(cold->fdb_slot, h->key[k]);
		if (unlikely(h->port[k] == FDB_PORT_NONE))
			again |= UINT64_C(1) << k;
		else if (entry_is_for(h, k))
			remember_port(h, k);
	}
	return again;
}

/*
 * Third pass: the records of the frames the cache could not answer, in one
 * bulk lookup; their entries are refilled (the FDB slot comes next).
 * Frames without a record are dropped.  @return the frames without a record.
 */
static uint64_t
route_lookup_records(struct dp_lcore *lc, uint8_t rd, struct hops *h)
{
	uint64_t rkeys[VSW_BURST_SIZE], keys[VSW_BURST_SIZE], unresolved = 0;
	uint32_t vsids[VSW_BURST_SIZE];
	ovl_record_slot slots[VSW_BURST_SIZE];
	rte_be32_t nhs[VSW_BURST_SIZE];
	uint8_t idx[VSW_BURST_SIZE];
	uint16_t n = frames_of(h->lookup, idx);

	for (uint16_t j = 0; j < n; j++) {
		vsids[j] = h->vsid[idx[j]];
		nhs[j] = h->nh[idx[j]];
	}
	ovl_record_key_slot_bulk(dp_main.ovl, vsids, nhs, n, keys, rkeys, slots);
	for (uint16_t j = 0; j < n; j++) {
		uint8_t k = idx[j];
		struct dp_route_cache_hot *e = h->ce[k];
		struct dp_route_cache_cold *cold = dp_route_cache_cold_of(h->cache, h->ce[k]);

		if (unlikely(keys[j] == OVL_KEY_NONE)) {
			drop(lc, DP_CNT_DROP_RD_UNRESOLVED, h->m[k]);
			unresolved |= UINT64_C(1) << k;
			continue;
		}
		h->key[k] = keys[j];
		e->dst = ipv4_of(h->m[k])->dst_addr;
		e->rd = rd;
		e->stamp = 0;
		e->port = FDB_PORT_NONE;
		e->fdb_key = keys[j];
		cold->gens = h->gens;
		cold->rec_key = rkeys[j];
		cold->rec_slot = slots[j];
		cold->fdb_slot = NULL;
		cold->nh = nhs[j];
		cold->vsid = vsids[j];
	}
	return unresolved;
}

/* Fourth pass: the FDB's answer for the next hops of 'mask', whose slots go into their entries. */
static void
route_lookup_ports(struct hops *h, uint64_t mask)
{
	uint64_t keys[VSW_BURST_SIZE];
	fdb_slot_ref slots[VSW_BURST_SIZE];
	uint16_t ports[VSW_BURST_SIZE];
	uint8_t idx[VSW_BURST_SIZE];
	uint16_t n = frames_of(mask, idx);

	for (uint16_t j = 0; j < n; j++)
		keys[j] = h->key[idx[j]];
	fdb_lookup_slot_bulk(dp_main.fdb, keys, n, ports, slots);
	for (uint16_t j = 0; j < n; j++) {
		uint8_t k = idx[j];

		h->port[k] = ports[j];
		if (entry_is_for(h, k)) {
			dp_route_cache_cold_of(h->cache, h->ce[k])->fdb_slot = slots[j];
			remember_port(h, k);
		}
	}
}

/*
 * The frames of a flow take the answer of the frame before them, and go
 * where it goes (or are dropped with it).  @return 'unresolved' with theirs.
 */
static uint64_t
route_follow(struct dp_lcore *lc, struct hops *h, uint64_t unresolved)
{
	uint64_t f = h->follow;

	while (f != 0) {
		unsigned int k = (unsigned int)__builtin_ctzll(f);

		f &= f - 1;
		if (unlikely(unresolved & UINT64_C(1) << (k - 1))) {
			drop(lc, DP_CNT_DROP_RD_UNRESOLVED, h->m[k]);
			unresolved |= UINT64_C(1) << k;
			continue;
		}
		h->key[k] = h->key[k - 1];
		h->port[k] = h->port[k - 1];
	}
	return unresolved;
}

/* Drop from 'h' the frames of 'gone' (already freed); the rest keep their order. */
static void
hops_compact(struct hops *h, uint64_t gone)
{
	uint16_t nb = 0;

	for (uint16_t k = 0; k < h->nb; k++) {
		if (gone & (UINT64_C(1) << k))
			continue;
		h->m[nb] = h->m[k];
		h->key[nb] = h->key[k];
		h->port[nb++] = h->port[k];
	}
	h->nb = nb;
}

/*
 * The router MAC as a routed frame's new source, in the two pieces the
 * rewrite stores: its first two bytes go in one word behind the next hop's
 * six, the other four after it.
 */
struct rewrite_src {
	uint64_t head; /**< the first two bytes, as the low half of a big-endian word */
	uint32_t tail; /**< the last four bytes, as they sit in the frame */
};

static inline struct rewrite_src
rewrite_src_of(const struct rte_ether_addr *router_mac)
{
	struct rewrite_src r;

	r.head = (uint64_t)router_mac->addr_bytes[0] << 8 | router_mac->addr_bytes[1];
	memcpy(&r.tail, &router_mac->addr_bytes[2], sizeof(r.tail));
	return r;
}

/* Rewrite a routed frame for its next hop (FDB key 'key'): MACs, TTL and checksum. */
static inline void
route_rewrite(struct rte_mbuf *m, uint64_t key, const struct rewrite_src *src)
{
	uint8_t *eth = rte_pktmbuf_mtod(m, uint8_t *);
	/* fdb_key_mac()'s word, with the source's first two bytes in its free low half. */
	uint64_t head = rte_cpu_to_be_64(key << 16 | src->head);

	memcpy(eth, &head, sizeof(head));
	memcpy(eth + sizeof(head), &src->tail, sizeof(src->tail));
	ovl_rd_ttl_dec((struct rte_ipv4_hdr *)(eth + RTE_ETHER_HDR_LEN));
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
 * A run of routed frames to one local port (in one bridge domain) or to one
 * remote host, rewritten and waiting to be sent together, so that a port
 * still sees its frames in order.  port FDB_PORT_NONE: no run.
 */
struct route_run {
	uint16_t port; /**< where the run goes, or FDB_PORT_NONE */
	uint16_t bd;   /**< the bridge domain of its next hops */
	uint16_t mtu;  /**< to a remote host: the tunnel's tenant MTU */
	uint16_t n;    /**< frames in the run */
	bool remote;   /**< to a remote host (encapsulated) */
	/** To a remote host: its template when each frame is encapsulated as it joins, else NULL. */
	const struct nvgre_template *tmpl;
	struct rte_mbuf *m[VSW_BURST_SIZE]; /**< the frames */
};

static inline void
run_start(struct route_run *r)
{
	r->port = FDB_PORT_NONE;
	r->n = 0;
}

/*
 * Send the frames of run 'r', if any, and count them: to a local port (a
 * trunk tags them with the domain's VLAN), or to a remote host, encapsulated
 * already or here.  The run is empty again.
 */
static inline void
run_flush(struct dp_lcore *lc, const struct dp_snapshot *snap, struct route_run *r)
{
	if (r->n == 0)
		return;
	if (!r->remote) {
		lc->counters[DP_CNT_ROUTED_LOCAL] += r->n;
		tx_bd_run(lc, snap, r->port, r->bd, r->m, r->n);
	} else {
		lc->counters[DP_CNT_ROUTED_REMOTE] += r->n;
		if (likely(r->tmpl != NULL))
			dp_encap_sent(lc, snap, r->m, r->n);
		else
			dp_encap_run(lc, snap, dp_remote_slot(r->port), r->m, r->n);
	}
	r->n = 0;
}

/*
 * Frame 'm', checked and rewritten, joins remote run 'r': encapsulated as it
 * joins when the run has a template, else later by run_flush().
 */
static __rte_always_inline void
run_add_remote(struct dp_lcore *lc, struct route_run *r, struct rte_mbuf *m)
{
	if (likely(r->tmpl != NULL)) {
		enum nvgre_encap_reason why =
			nvgre_encap_untagged(m, r->tmpl, nvgre_flow_hash_checked_ipv4(m), false);

		if (unlikely(why != NVGRE_ENCAP_OK)) {
			count(lc, DP_CNT_ROUTED_REMOTE); /* as if run_flush() had sent it */
			dp_encap_refused(lc, dp_remote_slot(r->port), why, m);
			return;
		}
	}
	r->m[r->n++] = m;
}

/*
 * Frame 'm', resolved to 'port' for FDB key 'key', joins run 'r' (sending
 * the run before it first if it goes elsewhere): rewritten, or, to a remote
 * host, refused by too_big().  @return false, with 'r' sent, for a next hop
 * of this host that has no port yet (a VM that has not spoken): the caller
 * floods to it.
 */
static __rte_always_inline bool
run_join(struct dp_lcore *lc, const struct dp_snapshot *snap, const struct dp_rxq *rxq,
	 const struct dp_rd_snap *rs, struct route_run *r, struct rte_mbuf *m, uint16_t port,
	 uint64_t key, const struct rewrite_src *src)
{
	const uint16_t bd = fdb_key_bd(key);

	/* An empty run is decided again: its port may be one a flood left it, its domain stale. */
	if (unlikely(r->n == 0 || port != r->port || bd != r->bd)) {
		run_flush(lc, snap, r);
		if (dp_port_in_bd(snap, port, bd)) {
			r->remote = false;
		} else if (dp_port_is_remote(port) && snap->bd_vsid[bd] != 0) {
			/* The tunnel's family decides: an IPv6 outer header takes 20 bytes more. */
			r->remote = true;
			r->mtu = ovl_slot_tenant_mtu(ovl_snapshot_get(dp_main.ovl),
						     dp_remote_slot(port));
			r->tmpl = dp_encap_template4(snap, dp_remote_slot(port));
		} else {
			r->port = FDB_PORT_NONE;
			return false;
		}
		r->port = port;
		r->bd = bd;
	}
	if (r->remote && too_big(lc, snap, rxq, rs, m, r->mtu))
		return true;
	route_rewrite(m, key, src);
	if (r->remote)
		run_add_remote(lc, r, m);
	else
		r->m[r->n++] = m;
	return true;
}

/* A VM of this host (its record says so) that has not spoken yet: flood to it. */
static void
route_flood_local(struct dp_lcore *lc, const struct dp_snapshot *snap, const struct dp_rxq *rxq,
		  struct rte_mbuf *m, uint64_t key, const struct rewrite_src *src)
{
	route_rewrite(m, key, src);
	count(lc, DP_CNT_ROUTED_FLOOD_LOCAL);
	if (dp_flood_local(lc, snap, fdb_key_bd(key), rxq->slot, m) == 0)
		count(lc, DP_CNT_DROP_NO_DESTINATION);
}

/* Last pass: send the resolved frames in runs, in their order. */
static void
route_send(struct dp_lcore *lc, const struct dp_snapshot *snap, const struct dp_rxq *rxq,
	   const struct dp_rd_snap *rs, struct hops *h, const struct rewrite_src *src)
{
	struct route_run r;

	run_start(&r);
	for (uint16_t k = 0; k < h->nb; k++)
		if (!run_join(lc, snap, rxq, rs, &r, h->m[k], h->port[k], h->key[k], src))
			route_flood_local(lc, snap, rxq, h->m[k], h->key[k], src);
	run_flush(lc, snap, &r);
}

/*
 * Start 'h' for a burst of bridge domain 'in' routed in 'rs': no frames yet,
 * and what a cache entry is checked against.
 */
static inline void
hops_start(struct hops *h, struct dp_lcore *lc, const struct dp_snapshot *snap,
	   const struct dp_rd_snap *rs, uint8_t rd)
{
	h->nb = 0;
	h->lookup = 0;
	h->follow = 0;
	h->known = 0;
	h->lead = NULL;
	h->cache = lc->route_cache;
	h->gens = dp_route_cache_gens(snap->gen, rs->gen);
	dp_route_cache_begin(
		h->cache, h->gens,
		dp_route_cache_changes(fdb_changes(dp_main.fdb), ovl_record_changes(dp_main.ovl)));
	h->tag = dp_route_cache_tag(h->cache, rd);
}

/*
 * First pass, one frame to the router MAC: checked, then its destination in
 * the route cache.  A hit stamped in this epoch keeps the entry's answer as
 * it is; an older hit starts loading the two slots it is checked against; a
 * miss is resolved in full.  Frames answered or dropped do not join 'h'.
 */
static inline void
route_take(struct dp_lcore *lc, const struct dp_snapshot *snap, const struct dp_rxq *rxq,
	   const struct dp_rd_snap *rs, uint8_t rd, struct rte_mbuf *m, struct hops *h,
	   struct route_run *run, const struct rewrite_src *src)
{
	struct dp_route_cache *c = h->cache;
	const uint16_t nb = h->nb;
	struct dp_route_cache_hot *home, *e;
	rte_be32_t dst;
	bool known;

	if (!route_check(lc, snap, rxq, rs, m))
		return;
	dst = ipv4_of(m)->dst_addr;
	home = &c->hot[dp_route_cache_index(rd, dst)];
	e = dp_route_cache_known_entry(c, home, h->tag, dst);
	known = e != NULL;
	if (unlikely(!known))
		e = dp_route_cache_stale_entry(c, home, rd, dst, h->gens);
	if (likely(e != NULL)) {
		if (ttl_expired(lc, snap, rxq, rs, m))
			return;
		/*
		 * Until a frame of the burst waits for the tables, a frame whose
		 * entry's port holds goes straight into its run: nothing before
		 * it can be sent after it.
		 */
		if (known && h->nb == 0 &&
		    run_join(lc, snap, rxq, rs, run, m, e->port, e->fdb_key, src))
			return;
		if (e == h->lead) {
			h->follow |= UINT64_C(1) << nb;
		} else if (known) {
			h->port[nb] = e->port;
			h->known |= UINT64_C(1) << nb;
		} else {
			rte_prefetch0(dp_route_cache_cold_of(c, e)->rec_slot);
			rte_prefetch0(dp_route_cache_cold_of(c, e)->fdb_slot);
		}
		h->lead = e;
	} else if (route_resolve(lc, snap, rxq, rs, m, h, nb)) {
		e = dp_route_cache_victim(c, home);
		h->lead = NULL;
	} else {
		return;
	}
	h->key[nb] = e->fdb_key; /* a miss's comes from its record */
	h->m[nb] = m;
	h->ce[nb] = e;
	h->nb = (uint16_t)(nb + 1);
}

/* The frames the first pass took, from the route cache to their ports. */
static void
route_frames(struct dp_lcore *lc, const struct dp_snapshot *snap, const struct dp_rxq *rxq,
	     const struct dp_rd_snap *rs, uint8_t rd, struct hops *h, const struct rewrite_src *src)
{
	uint64_t unresolved, again;

	again = route_check_hits(lc, h);
	unresolved = 0;
	if (unlikely(h->lookup != 0)) {
		unresolved = route_lookup_records(lc, rd, h);
		again |= h->lookup & ~unresolved;
	}
	if (unlikely(again != 0))
		route_lookup_ports(h, again);
	if (h->follow != 0)
		unresolved = route_follow(lc, h, unresolved);
	if (unlikely(unresolved != 0))
		hops_compact(h, unresolved);
	if (h->nb > 0)
		route_send(lc, snap, rxq, rs, h, src);
}

uint16_t
dp_route_burst(struct dp_lcore *lc, const struct dp_snapshot *snap, const struct dp_rxq *rxq,
	       struct rte_mbuf **pkts, uint64_t *dst_keys, uint8_t *key_of, uint16_t n)
{
	const struct dp_rd_snap *rs = dp_rd_snapshot();
	uint16_t nb_kept = 0;
	const struct dp_rd_bd_rt *in;
	struct rewrite_src src;
	struct route_run run;
	struct hops h;

	if (rs == NULL || likely(rs->bds[rxq->bd].router_key == 0))
		return n;
	in = &rs->bds[rxq->bd];
	src = rewrite_src_of(&rs->rds[in->rd].mac);
	run_start(&run);
	hops_start(&h, lc, snap, rs, in->rd);
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (dst_keys[i] == in->router_key) {
			route_take(lc, snap, rxq, rs, in->rd, m, &h, &run, &src);
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
		key_of[nb_kept++] = key_of[i];
	}
	run_flush(lc, snap, &run);
	if (h.nb > 0)
		route_frames(lc, snap, rxq, rs, in->rd, &h, &src);
	return nb_kept;
}
