/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Routing domains inside dataplane/: what the workers read (one immutable
 * snapshot, published by pointer swap and freed after a grace period, like
 * the switch's own).  The routing stage is in dp_worker.h (dp_route.c), the
 * control thread's hooks in dp_ctl.h (dp_rd.c).
 *
 * The longest-prefix match is a scan of the domain's prefixes sorted
 * longest first.  A domain holds its subnets and a few customer routes
 * (at most VSW_MAX_BDS + DP_RD_MAX_ROUTES), and rte_lpm's DIR-24-8 table
 * would cost 64 MB per domain; a domain with many routes would want one.
 */
#ifndef VSW_DP_RD_PRIV_H
#define VSW_DP_RD_PRIV_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ether.h>

#include "dp_priv.h"
#include "dp_rd.h"

#define DP_RD_NONE	0xffu	/* a bridge domain in no routing domain */
#define DP_RD_NO_SUBNET 0xffffu /* a route whose next hop is in none of the domain's subnets */

/* A bridge domain as the routing stage sees it. */
struct dp_rd_bd_rt {
	uint64_t router_key; /**< fdb_key(bd, router MAC); 0 = not routed here */
	rte_be32_t gateway;  /**< its gateway address */
	uint8_t rd;	     /**< routing domain, DP_RD_NONE */
};

/* One prefix of a routing domain: a subnet, or a customer route. */
struct dp_rd_prefix {
	rte_be32_t net;	 /**< network, host bits zero */
	rte_be32_t mask; /**< its mask */
	rte_be32_t via;	 /**< next-hop CA of a route; 0 for a subnet (the destination itself) */
	uint16_t bd;	 /**< bridge domain of the subnet holding the next hop, or DP_RD_NO_SUBNET */
};

/* A routing domain as the routing stage sees it. */
struct dp_rd_rt {
	struct rte_ether_addr mac; /**< router MAC */
	uint16_t first;		   /**< its first prefix in dp_rd_snap.prefixes */
	uint16_t nb;		   /**< its prefixes, longest first */
};

struct dp_rd_snap {
	uint32_t gen;			     /**< dp_snapshot_gen() when built */
	struct dp_rd_bd_rt bds[VSW_MAX_BDS]; /**< by bridge-domain id */
	struct dp_rd_rt rds[DP_MAX_RDS];     /**< by routing-domain id */
	struct dp_rd_prefix prefixes[];	     /**< every domain's, grouped by domain */
};

/* The published snapshot, NULL before dp_rd_reset().  Workers load it once per burst. */
extern _Atomic(const struct dp_rd_snap *) dp_rd_current;

static inline const struct dp_rd_snap *
dp_rd_snapshot(void)
{
	return atomic_load_explicit(&dp_rd_current, memory_order_acquire);
}

/*
 * Is 'src_key' (an inner source from the overlay, in bridge domain 'bd') the
 * router MAC of that domain?  Another host routed the frame: the router MAC
 * lives on every host, so it is learned on none.  Worker-safe.
 */
static inline bool
dp_rd_is_router_src(uint16_t bd, uint64_t src_key)
{
	const struct dp_rd_snap *rs = dp_rd_snapshot();

	return rs != NULL && rs->bds[bd].router_key == src_key;
}

#endif /* VSW_DP_RD_PRIV_H */
