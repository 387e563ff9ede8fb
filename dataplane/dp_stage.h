/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The stages every packet path shares (worker context, lock-free).
 *
 * A path is its own parse stage, which takes off what comes before the
 * Ethernet header it switches on (nothing, a VLAN tag, an NVGRE header) and
 * decides the frame's bridge domain, followed by the same stages in the same
 * order:
 *
 *   parse           dp_frame_source(): Ethernet header, source MAC, port
 *                   security, announcements; dp_burst_add(): the source to
 *                   learn and the destination to look up
 *   learn, lookup   dp_learn_lookup(): the sources learned and the
 *                   destinations looked up in one bulk call into the FDB
 *   route           dp_route_burst() (dp_route.c), frames from VM ports
 *   ports           dp_out_ports(): each frame left, its output port
 *   act             dp_act_burst(): runs of frames to one port or one
 *                   remote host sent together, anything else one by one,
 *                   in arrival order
 *
 * dp_l2_burst() (dp_pipeline.c) and dp_uplink_burst() (dp_uplink.c) read
 * as that list.  A new path writes its own parse loop around
 * dp_frame_source() and dp_burst_add() and calls the rest; a new step on
 * every path is one more stage here and one more line in each path.
 *
 * Frames from a VM port are all of one bridge domain (a trunk's are split
 * into runs of one domain before they come here) and learned on their port;
 * frames from the overlay each carry their own domain (their VSID's) and are
 * learned against the PA that sent them.  struct dp_burst says which.
 */
#ifndef VSW_DP_STAGE_H
#define VSW_DP_STAGE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "dp_act.h"
#include "dp_priv.h"
#include "fdb_announce.h"

/* A destination key that is flooded without lookup (broadcast, multicast). */
#define DP_KEY_FLOOD UINT64_MAX

/*
 * Unicast destinations of a burst, each run of one key once (VPP's last-key
 * cache: a burst is often one flow); broadcast and multicast are not looked up.
 */
struct dst_lookup {
	uint16_t nb_keys;		/**< keys to look up */
	uint64_t keys[VSW_BURST_SIZE];	/**< the distinct-in-a-row keys */
	uint8_t key_of[VSW_BURST_SIZE]; /**< per frame: its index in 'keys' */
	uint16_t ports[VSW_BURST_SIZE]; /**< per key: the lookup's answer */
};

#define DP_NO_REQ 0xffu /* req_of[] of a frame whose source is not learned */

/* A burst between its stages: what parsing found, for learning, lookup and action. */
struct dp_burst {
	uint16_t nb;			   /**< frames still in the burst */
	uint16_t nb_reqs;		   /**< sources to learn */
	uint16_t in_slot;		   /**< the port the burst came from */
	uint16_t in_bd;			   /**< its bridge domain; DP_BD_NONE: per frame, in 'bd' */
	uint64_t dst_keys[VSW_BURST_SIZE]; /**< per frame: destination key, or DP_KEY_FLOOD */
	uint16_t bd[VSW_BURST_SIZE];	   /**< per frame, when in_bd is DP_BD_NONE: its domain */
	uint8_t req_of[VSW_BURST_SIZE];	   /**< per frame: its learn request, or DP_NO_REQ */
	struct fdb_learn_req reqs[VSW_BURST_SIZE]; /**< sources to learn */
	uint16_t req_port[VSW_BURST_SIZE]; /**< per request, when in_bd is DP_BD_NONE: learned on */
	struct dst_lookup dl;		   /**< unicast destinations, collected while parsing */
};

/* A parse loop's running state, in locals: the stores into a dp_burst may alias anything in it. */
struct dp_parse {
	/* Counts as unsigned int, not uint16_t: indexes without a zero-extension each. */
	unsigned int nb_kept; /**< frames kept so far */
	unsigned int nb_reqs; /**< learn requests so far */
	unsigned int nb_keys; /**< destinations to look up so far */
	uint16_t last_port; /**< port of the last request */
	uint64_t last_src;  /**< source key of the last request */
	uint64_t last_dst;  /**< the last destination queued */
};

/* Start parsing a burst from port 'in_slot' of bridge domain 'in_bd' (DP_BD_NONE: per frame). */
static inline void
dp_parse_start(struct dp_parse *p, struct dp_burst *b, uint16_t in_slot, uint16_t in_bd)
{
	p->nb_kept = 0;
	p->nb_reqs = 0;
	p->nb_keys = 0;
	p->last_port = FDB_PORT_NONE;
	p->last_src = DP_KEY_FLOOD;
	p->last_dst = DP_KEY_FLOOD;
	b->in_slot = in_slot;
	b->in_bd = in_bd;
}

static inline void
dp_parse_end(const struct dp_parse *p, struct dp_burst *b)
{
	b->nb = (uint16_t)p->nb_kept;
	b->nb_reqs = (uint16_t)p->nb_reqs;
	b->dl.nb_keys = (uint16_t)p->nb_keys;
}

/* Is 'mac_bytes' one of the MACs port 'port' may send from (port security)? */
static inline bool
dp_mac_allowed(const struct dp_port_rt *port, const uint8_t *mac_bytes)
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

/*
 * An announcement candidate (ARP, RARP, ICMPv6): is it one, is it well
 * formed, and may port 'sec' (NULL: no port security) make it?  @return the
 * learn cause, or -1 when the frame was dropped.  dp_stage.c.
 */
int dp_announce_cause(struct dp_lcore *lc, const struct dp_port_rt *sec, struct rte_mbuf *m,
		      const struct rte_ether_hdr *eth);

/*
 * Parse, every path: 'm' starts with the Ethernet header to switch on.
 * Check the header, the source (unicast, not zero; one that port 'sec' may
 * use, NULL for frames without port security) and any announcement it
 * makes.  @return the learn cause with '*ethp' set, or -1 when the frame was
 * dropped (counted, freed).
 */
static inline int
dp_frame_source(struct dp_lcore *lc, const struct dp_port_rt *sec, struct rte_mbuf *m,
		const struct rte_ether_hdr **ethp)
{
	const struct rte_ether_hdr *eth;

	if (unlikely(rte_pktmbuf_data_len(m) < sizeof(struct rte_ether_hdr))) {
		drop(lc, DP_CNT_DROP_MALFORMED, m);
		return -1;
	}
	eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (unlikely(rte_is_multicast_ether_addr(&eth->src_addr) ||
		     rte_is_zero_ether_addr(&eth->src_addr))) {
		drop(lc, DP_CNT_DROP_INVALID_SRC, m);
		return -1;
	}
	if (unlikely(sec != NULL && sec->nb_allowed > 0) &&
	    !dp_mac_allowed(sec, eth->src_addr.addr_bytes)) {
		drop(lc, DP_CNT_DROP_SPOOFED_MAC, m);
		return -1;
	}
	*ethp = eth;
	if (likely(!fdb_announce_candidate((const uint8_t *)eth, rte_pktmbuf_data_len(m))))
		return FDB_CAUSE_LEARNED;
	return dp_announce_cause(lc, sec, m, eth);
}

/*
 * Parse, every path: keep 'm' (checked by dp_frame_source, header 'eth',
 * of bridge domain 'bd') in the burst.  Its source 'src_key' is to be
 * learned on 'port' with 'cause' (port FDB_PORT_NONE: not learned); a
 * source repeated from the previous frame on the same port shares its
 * request, as bursts tend to come from a few MACs.  Its destination is
 * queued for lookup unless it is a flood; a destination repeated from the
 * previous frame is looked up once.  'per_frame' is b->in_bd == DP_BD_NONE,
 * a constant at each call so that the L2 path compiles without its stores.
 */
static inline void
dp_burst_add(struct dp_burst *b, struct dp_parse *p, struct rte_mbuf **pkts, struct rte_mbuf *m,
	     const struct rte_ether_hdr *eth, uint16_t bd, uint64_t src_key, uint16_t port,
	     int cause, const bool per_frame)
{
	const unsigned int k = p->nb_kept;

	if (per_frame && unlikely(port == FDB_PORT_NONE)) {
		b->req_of[k] = DP_NO_REQ;
	} else {
		if (src_key != p->last_src || (per_frame && port != p->last_port)) {
			b->reqs[p->nb_reqs].key = src_key;
			b->reqs[p->nb_reqs].cause = (uint8_t)cause;
			if (per_frame)
				b->req_port[p->nb_reqs] = port;
			p->nb_reqs++;
			p->last_src = src_key;
			p->last_port = port;
		} else if (cause != FDB_CAUSE_LEARNED) {
			/* An announcement outranks the ordinary frames it shares a request with. */
			b->reqs[p->nb_reqs - 1].cause = (uint8_t)cause;
		}
		b->req_of[k] = (uint8_t)(p->nb_reqs - 1);
	}
	if (per_frame)
		b->bd[k] = bd;
	if (rte_is_multicast_ether_addr(&eth->dst_addr)) {
		b->dst_keys[k] = DP_KEY_FLOOD;
		b->dl.key_of[k] = 0; /* unused, but moved with the frame by compactions */
	} else {
		uint64_t key = fdb_key_dst(bd, eth);

		if (key != p->last_dst) {
			b->dl.keys[p->nb_keys++] = key;
			p->last_dst = key;
		}
		b->dl.key_of[k] = (uint8_t)(p->nb_keys - 1);
		b->dst_keys[k] = key;
	}
	pkts[k] = m;
	p->nb_kept = k + 1;
}

/*
 * Learn and look up, every path: learn the burst's sources and look up its
 * destinations in one call, so the table's cache misses for both overlap
 * (from the overlay, one call per run of sources from one host, the last
 * with the lookup); b->dl.ports then holds each destination's port.
 * Frames whose source a limit refused are dropped when the domain says so;
 * the rest keep their order.
 */
void dp_learn_lookup(struct dp_lcore *lc, struct rte_mbuf **pkts, struct dp_burst *b);

/*
 * Ports, every path: out[i] is frame i's port, FDB_PORT_NONE for a miss or
 * a flood.  After routing, so that the frames the router took cost nothing here.
 */
static inline void
dp_out_ports(const struct dp_burst *b, uint16_t *out)
{
	for (uint16_t i = 0; i < b->nb; i++)
		out[i] = b->dst_keys[i] == DP_KEY_FLOOD ? FDB_PORT_NONE :
							  b->dl.ports[b->dl.key_of[i]];
}

/*
 * Act, every path: send each frame to out[i], in order.  Runs of frames to
 * one local port (and domain), or from a VM port to one remote host, go out
 * together; floods, misses and frames back to their own port one by one.
 * Frames from the overlay go to local ports only (split horizon).
 */
void dp_act_burst(struct dp_lcore *lc, const struct dp_snapshot *snap, struct rte_mbuf **pkts,
		  const struct dp_burst *b, const uint16_t *out);

#endif /* VSW_DP_STAGE_H */
