/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Routing domains as the control plane sees them (issue 15).
 *
 * A routing domain is a tenant's set of virtual subnets that route to each
 * other.  A bridge domain with a VSID joins one with the bridge-domain
 * settings rd and gateway (struct dp_bd_settings, dp_bd_apply()); the gateway is the
 * address its VMs use as their default router, and its prefix is the
 * subnet.  Every host is the distributed router of every domain it carries:
 * it answers ARP for each gateway with the domain's router MAC, and routes
 * IPv4 frames sent to that MAC straight to the destination VM, on this host
 * or over NVGRE with the destination subnet's VSID.
 *
 * The router MAC is 02:76:72 ("vr", locally administered) followed by the
 * low 24 bits of the FNV-1a hash of the domain's name, so that every host
 * with the same configuration uses the same MAC and a migrated VM's ARP
 * cache stays valid; dp_rd_add() with a MAC overrides it.
 *
 * Customer routes send a prefix through a customer address (CA) inside one
 * of the domain's subnets, e.g. 0.0.0.0/0 via a tenant gateway VM.
 *
 * Addresses are IPv4 in network byte order.  Functions return 0 or -errno
 * and write no words: ctl/ctl_rd.c checks its input and says what was wrong.
 *
 * Thread-safety: control thread only, unless it says otherwise.
 */
#ifndef VSW_DP_RD_H
#define VSW_DP_RD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ether.h>

#include "port.h"

#define DP_MAX_RDS	 64 /* routing domains */
#define DP_RD_MAX_ROUTES 64 /* customer routes per routing domain */

struct dp_rd_info {
	char name[PORT_NAME_MAX]; /**< routing domain name */
	uint16_t id;		  /**< index */
	uint8_t mac[6];		  /**< router MAC */
	bool mac_default;	  /**< derived from the name (not given with mac=) */
	unsigned int nb_subnets;  /**< bridge domains attached with a gateway */
	unsigned int nb_routes;	  /**< customer routes */
};

struct dp_rd_subnet {
	char rd[PORT_NAME_MAX]; /**< routing domain */
	char bd[PORT_NAME_MAX]; /**< bridge domain */
	uint32_t vsid;		/**< its VSID */
	rte_be32_t gateway;	/**< gateway address, 0 while none is set */
	uint8_t len;		/**< subnet prefix length */
};

struct dp_rd_route {
	char rd[PORT_NAME_MAX];	    /**< routing domain */
	rte_be32_t prefix;	    /**< network, host bits zero */
	uint8_t len;		    /**< prefix length 0..32 */
	rte_be32_t via;		    /**< customer address of the next hop */
	char subnet[PORT_NAME_MAX]; /**< bridge domain whose subnet holds 'via'; "" = none yet */
};

/** The default router MAC of a domain called 'name'.  Any thread. */
void dp_rd_default_mac(const char *name, uint8_t mac[6]);

/**
 * Create routing domain 'name' with router MAC 'mac' (NULL: the default).
 * @return 0; -EINVAL (name empty or too long, MAC not unicast or zero);
 * -EEXIST; -ENOSPC (DP_MAX_RDS exist); -ENOMEM.
 */
int dp_rd_add(const char *name, const struct rte_ether_addr *mac);
/** Delete a routing domain.  @return 0; -ENOENT; -EBUSY (bridge domains still attached); -ENOMEM. */
int dp_rd_del(const char *name);
/**
 * Add (or give a new next hop to) the customer route 'prefix'/'len' via 'via'.
 * @return 0; -ENOENT (no such domain); -EINVAL (length above 32, host bits
 * set, 'via' not a unicast address); -ENOSPC (DP_RD_MAX_ROUTES); -ENOMEM.
 */
int dp_rd_route_add(const char *rd, rte_be32_t prefix, uint8_t len, rte_be32_t via);
/** @return 0; -ENOENT (no such domain or route); -ENOMEM. */
int dp_rd_route_del(const char *rd, rte_be32_t prefix, uint8_t len);

/** Fill up to 'max' entries; @return the number of routing domains. */
unsigned int dp_rd_list(struct dp_rd_info *out, unsigned int max);

typedef void dp_rd_subnet_cb(const struct dp_rd_subnet *s, void *arg);
typedef void dp_rd_route_cb(const struct dp_rd_route *r, void *arg);
/** Walk the subnets (or routes) of domain 'rd', NULL = all.  @return entries visited or -ENOENT. */
int dp_rd_subnet_walk(const char *rd, dp_rd_subnet_cb *cb, void *arg);
int dp_rd_route_walk(const char *rd, dp_rd_route_cb *cb, void *arg);

#endif /* VSW_DP_RD_H */
