/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the overlay's source files share: the control-side state behind
 * struct ovl.  Workers never read these arrays; they read the rte_hash
 * tables and the published snapshot only.
 */
#ifndef VSW_OVL_PRIV_H
#define VSW_OVL_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_arp.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "ovl.h"
#include "ovl_rec_table.h"

struct rte_hash;
struct rte_lpm;
struct rte_lpm6;

#define OVL_NAME_MAX	20u /* leaves room for DPDK object-name suffixes */
#define OVL_PENDING_MAX 8u  /* hash positions one operation can free */

/* A configured virtual subnet (control side). */
struct ovl_vsid_cfg {
	uint32_t vsid;	     /**< 0 = free entry */
	uint16_t bd;	     /**< its bridge domain */
	uint32_t nb_records; /**< lookup records in it (vsid_del refuses while > 0) */
};

/* A template slot (control side): one (VSID, remote PA) that some MAC uses. */
struct ovl_slot {
	uint32_t vsid;	 /**< virtual subnet; 0 = free slot */
	uint16_t bd;	 /**< its bridge domain (flood list it belongs to) */
	struct ovl_ip pa; /**< remote provider address */
	uint32_t refcnt;  /**< encap-map entries that point here */
};

/* A provider route (control side); its index is its rte_lpm / rte_lpm6 next-hop value. */
struct ovl_route_cfg {
	struct ovl_prefix prefix; /**< host bits zero; length >= 1 (defaults are kept apart) */
	bool in_use;		  /**< entry taken */
	uint8_t nb_pa_refs;	  /**< > 0: connected route of that many of our PAs */
	struct ovl_ip gateway;	  /**< family 0 for a connected route */
};

/* A deleted key whose slot is returned to its table after a grace period. */
struct ovl_pending {
	struct rte_hash *hash; /**< table the key was deleted from; NULL = the records table */
	int32_t pos;	       /**< position rte_hash_del_key() or ovl_rtab_hide() returned */
};

struct ovl {
	char name[OVL_NAME_MAX + 1];  /**< DPDK object-name prefix */
	struct ovl_params params;     /**< limits (params.name not kept) */
	struct rte_hash *vsid_hash;   /**< VSID -> bridge domain (workers read) */
	struct ovl_rtab rec;	      /**< (VSID, CA IP) -> (bd, CA MAC) as an FDB key (workers read) */
	struct rte_hash *mac_hash;    /**< (bd, CA MAC) -> (PA, slot, refcnt) (workers read) */
	struct rte_hash *slot_hash;   /**< (VSID, PA) -> slot index (control only) */
	struct rte_hash *pa_hash;     /**< interned PAs of MAC entries: key position = id (control only) */
	uint32_t *pa_refs;	      /**< by id: MAC entries using it */
	struct rte_lpm *lpm;	      /**< IPv4 prefix -> index into 'routes' (control only) */
	struct rte_lpm6 *lpm6;	      /**< IPv6 prefix -> index into 'routes' (control only) */
	struct ovl_snapshot *snap;    /**< published; read with acquire, written with release */
	bool dirty;		      /**< the snapshot no longer matches the tables */
	struct ovl_vsid_cfg *vsids;   /**< max_vsids entries */
	struct ovl_slot *slots;	      /**< max_slots entries */
	struct ovl_route_cfg *routes; /**< max_routes entries */
	bool has_default[2];	      /**< a default route exists: [0] IPv4, [1] IPv6 */
	struct ovl_ip default_gw[2];  /**< their gateways */
	struct ovl_neigh *neighs;     /**< max_neighbours entries, the first nb_neighs used */
	uint16_t nb_neighs;	      /**< neighbours in use */
	struct ovl_prefix pas[NVGRE_MAX_LOCAL_PA]; /**< our provider addresses and their lengths */
	uint32_t nb_pas;			   /**< entries used in 'pas' */
	struct rte_ether_addr uplink_mac;	   /**< outer source MAC */
	bool has_uplink_mac;			   /**< uplink_mac was set */
	uint16_t mtu;				   /**< uplink IP MTU */
	struct ovl_pending
		pending[OVL_PENDING_MAX]; /**< positions to free after the next grace period */
	unsigned int nb_pending;	  /**< entries used in 'pending' */
	uint64_t nb_slots_freed;	  /**< template slots freed so far (ovl_slots_freed) */
};

/* ovl_tables.c */

/* Rebuild and publish the snapshot if dirty, wait for a grace period, free pending positions. */
int ovl_commit(struct ovl *ovl);
/*
 * Delete 'key' from a worker-read table (a hash, or the records table when
 * 'h' is NULL); its position is reused after the next grace period.
 */
void ovl_shared_del(struct ovl *ovl, struct rte_hash *h, const void *key);
/* The configuration of 'vsid' (0: a free one), or NULL. */
struct ovl_vsid_cfg *ovl_vsid_find(const struct ovl *ovl, uint32_t vsid);

/* The encap map's references, one per lookup record of the MAC (ovl_records.c). */

/* One more record uses (bd, mac) at 'pa'.  @return 0, -ENOSPC. */
int ovl_mac_ref_get(struct ovl *ovl, uint32_t vsid, uint16_t bd, const struct rte_ether_addr *mac,
		    const struct ovl_ip *pa);
/* One record fewer uses (bd, mac); the last one removes the entry. */
void ovl_mac_ref_put(struct ovl *ovl, uint16_t bd, const struct rte_ether_addr *mac);
/*
 * The records of (bd, mac) now point at 'pa' (the VM moved, with all its
 * addresses): its entry changes PA and slot, keeping its references.
 * @return 0, -ENOSPC, -EIO (no entry: a record without one cannot happen).
 */
int ovl_mac_move(struct ovl *ovl, uint32_t vsid, uint16_t bd, const struct rte_ether_addr *mac,
		 const struct ovl_ip *pa);

/* ovl_pa_id.c: the encap map's PAs, interned (its values hold 32 bits, not 128). */

/* Take a reference on the id of 'pa'.  @return the id (>= 1), or 0 if the table is full. */
uint32_t ovl_pa_id_get(struct ovl *ovl, const struct ovl_ip *pa);
/* Drop a reference on 'id' (0 is ignored); the last one forgets the address. */
void ovl_pa_id_put(struct ovl *ovl, uint32_t id);
/* The address of 'id'; a zeroed one (family 0) for 0 or an unknown id. */
struct ovl_ip ovl_pa_of(const struct ovl *ovl, uint32_t id);

/* ovl_route.c */

/* True if 'ip' may be a PA, gateway or neighbour: unicast, not zero, not link-local. */
bool ovl_ip_usable(const struct ovl_ip *ip);
/* Our PA whose subnet holds 'ip', or NULL. */
const struct ovl_ip *ovl_pa_for_subnet(const struct ovl *ovl, const struct ovl_ip *ip);
/* True if 'ip' is one of our PAs (control-side view). */
bool ovl_pa_is_ours(const struct ovl *ovl, const struct ovl_ip *ip);
/*
 * Build the template of 'slot'.  @return OK, NO_ROUTE or NO_NEIGHBOUR; on
 * NO_NEIGHBOUR '*next_hop' is the address that needs resolving.
 */
enum nvgre_encap_reason ovl_slot_resolve(const struct ovl *ovl, const struct ovl_slot *slot,
					 struct nvgre_template *t, struct ovl_ip *next_hop);

/*
 * Find the Ethernet/IPv4 ARP header in 'm' (untagged).  @return 0; -ENOTSUP
 * if 'm' is not Ethernet/IPv4 ARP; -EINVAL if it is truncated or its sender
 * MAC is not unicast.
 */
static inline int
ovl_arp_parse(struct rte_mbuf *m, struct rte_ether_hdr **eth, struct rte_arp_hdr **arp)
{
	struct rte_arp_hdr *a;
	uint16_t op;

	if (rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN)
		return -EINVAL;
	*eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	if ((*eth)->ether_type != RTE_BE16(RTE_ETHER_TYPE_ARP))
		return -ENOTSUP;
	if (rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN + sizeof(*a))
		return -EINVAL;
	a = rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, RTE_ETHER_HDR_LEN);
	if (a->arp_hardware != RTE_BE16(RTE_ARP_HRD_ETHER) ||
	    a->arp_protocol != RTE_BE16(RTE_ETHER_TYPE_IPV4) || a->arp_hlen != RTE_ETHER_ADDR_LEN ||
	    a->arp_plen != sizeof(uint32_t))
		return -ENOTSUP;
	op = rte_be_to_cpu_16(a->arp_opcode);
	if (op != RTE_ARP_OP_REQUEST && op != RTE_ARP_OP_REPLY)
		return -ENOTSUP;
	if (!rte_is_unicast_ether_addr(&a->arp_data.arp_sha) ||
	    rte_is_zero_ether_addr(&a->arp_data.arp_sha))
		return -EINVAL;
	*arp = a;
	return 0;
}

/*
 * Turn the ARP request 'arp' in 'eth' into the reply "'ip' is at 'mac'", sent
 * back to the requester.  Frame length and padding are kept.
 */
static inline void
ovl_arp_make_reply(struct rte_ether_hdr *eth, struct rte_arp_hdr *arp,
		   const struct rte_ether_addr *mac, rte_be32_t ip)
{
	struct rte_arp_ipv4 *d = &arp->arp_data;
	rte_be32_t requester_ip = d->arp_sip;

	rte_ether_addr_copy(&d->arp_sha, &eth->dst_addr);
	rte_ether_addr_copy(mac, &eth->src_addr);
	arp->arp_opcode = RTE_BE16(RTE_ARP_OP_REPLY);
	rte_ether_addr_copy(&d->arp_sha, &d->arp_tha);
	d->arp_tip = requester_ip;
	rte_ether_addr_copy(mac, &d->arp_sha);
	d->arp_sip = ip;
}

#endif /* VSW_OVL_PRIV_H */
