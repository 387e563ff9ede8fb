/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The overlay's tables: virtual subnets, lookup records, the encap map,
 * flood lists, our provider addresses, provider routes and the uplink
 * neighbour table, and the encap templates built from all of them.
 *
 * What maps to what:
 *   - VSID <-> bridge domain, one to one.  The bridge-domain id is the
 *     caller's (dataplane) number, 0 .. nb_bds-1; the overlay uses it only as
 *     an index and as the top 16 bits of encap-map keys.
 *   - Lookup record: (VSID, CA IPv4) -> CA MAC, kept as the MAC's FDB key in
 *     the VSID's bridge domain (the routing stage's next lookup), in a
 *     bucket table built like the FDB's (ovl_rec_table.h).  The record's PA is the PA of
 *     its MAC (next item): a MAC lives on one host, so all addresses of one
 *     MAC move together when a record gives that MAC a new PA (migration).
 *     Provider addresses (PAs, routes, gateways, neighbours) are of either
 *     family (struct ovl_ip); customer addresses are IPv4.
 *   - Encap map: (bridge domain, CA MAC) -> (PA, template slot); the PA is
 *     kept as the id of an interned address (control side only).  The key
 *     has the same layout as an FDB key (bd << 48 | MAC), so the pipeline can
 *     look up the destination keys it already built.  A MAC whose PA is one
 *     of ours maps to OVL_SLOT_LOCAL: it is delivered by the FDB, not encapsulated.
 *   - Template slot: one per (VSID, remote PA) that some MAC uses; holds the
 *     precomputed outer headers (or why there are none: no route, no
 *     neighbour).  The slots of a bridge domain are its flood list for
 *     head-end replication; a slot lives while some MAC references it.
 *   - Template: outer Ethernet + IPv4 + GRE (42 bytes) or outer Ethernet +
 *     IPv6 + GRE (62 bytes), after the family of the remote PA, chosen when
 *     the template is built; workers never look at an address to choose.
 *   - Provider routes: prefix -> gateway in rte_lpm (IPv4) or rte_lpm6
 *     (IPv6), plus a connected route for the subnet of each of our PAs and
 *     an optional default route per family (neither LPM has a /0).  A
 *     gateway must lie in a connected subnet of its family.
 *   - Neighbours: next-hop address -> MAC on the uplink; static, or learned
 *     from ARP (IPv4) or neighbour discovery (IPv6) with a time stamp, and
 *     expired after the configured timeout.
 *
 * Templates are (re)built on the control thread whenever something they
 * depend on changes: a neighbour's MAC, a route, a PA, the uplink MAC or MTU.
 * Next-hop resolution is PA -> longest-prefix route -> gateway (or the PA
 * itself on a connected subnet) -> neighbour MAC.  The outer source address is
 * our PA whose subnet holds the next hop; a next hop on none of our subnets
 * (a gateway configured before its PA) leaves the template unresolved, NO_ROUTE.
 *
 * Limits: fixed at creation (struct ovl_params).  Full tables refuse with
 * -ENOSPC.  The neighbour table is a linear array: it holds next hops (a
 * gateway and the PAs of one's own subnet), not tenant addresses.
 *
 * Time: functions that need the time take 'now_ms' (any monotonic
 * millisecond clock), so that aging is testable without sleeping.
 *
 * Thread-safety: workers read, the control thread writes.
 *   - Worker-safe, lock-free: ovl_snapshot_get() and the inline snapshot
 *     accessors, ovl_vsid_to_bd(), ovl_record_mac_bulk(), ovl_record_key_slot_bulk(), ovl_mac_lookup(),
 *     ovl_mac_lookup_bulk().  (ovl_arp_suppress() and ovl_decap_check() in
 *     ovl.h too.)
 *   - Everything else: the control thread only, one caller at a time.
 *   Hashes are rte_hash with lock-free readers, the records' table is read
 *   lock-free (ovl_rec_table.h).  Immutable data (templates,
 *   flood lists, our PA set, bd -> VSID) is published as one snapshot by
 *   pointer swap; each change waits for a grace period on the rte_rcu_qsbr
 *   variable given at creation before it frees the old snapshot or reuses a
 *   deleted hash slot, so it may block for as long as the slowest worker
 *   takes to report a quiescent state.  A new template is published before
 *   any encap-map entry points at it, and a slot is reused only after the
 *   entries that pointed at it are gone and a grace period has passed, so a
 *   worker never follows a slot into the wrong template.
 */
#ifndef VSW_OVL_TABLES_H
#define VSW_OVL_TABLES_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ether.h>

#include "nvgre.h"
#include "ovl_addr.h"

struct rte_rcu_qsbr;
struct rte_mbuf;
struct ovl;

#define OVL_SLOT_NONE	0xffffu /* encap-map miss */
#define OVL_SLOT_LOCAL	0xfffeu /* the MAC lives on one of our PAs: no encapsulation */
#define OVL_MAX_SLOTS	0xfff0u /* template slots are below the special values */
#define OVL_BULK_MAX	64u	/* most keys per bulk lookup */
#define OVL_DEFAULT_MTU 1500u	/* uplink IP MTU until ovl_uplink_set() says otherwise */
#define OVL_KEY_NONE	0ULL	/* ovl_record_key_slot_bulk() miss: no FDB key is 0 (MACs are unicast) */

/* Neighbour flags. */
#define OVL_NEIGH_F_STATIC 0x01u /* configured; never learned over or aged */

struct ovl_params {
	const char *name;	   /**< unique prefix for DPDK object names */
	int socket_id;		   /**< NUMA socket for table memory */
	struct rte_rcu_qsbr *qsbr; /**< workers' quiescent states; NULL = no concurrent readers */
	uint16_t nb_bds;	   /**< bridge-domain ids the caller uses: 0 .. nb_bds-1 */
	uint16_t max_vsids;	   /**< configured virtual subnets */
	uint32_t max_records;	   /**< lookup records (VSID, CA IP) */
	uint32_t max_macs;	   /**< encap-map entries (bridge domain, CA MAC) */
	uint16_t max_slots;	   /**< templates: (VSID, remote PA) pairs, <= OVL_MAX_SLOTS */
	uint32_t max_routes;	   /**< provider routes, connected ones included (< 2^21) */
	uint16_t max_neighbours;   /**< uplink neighbours */
	uint32_t neigh_timeout_ms; /**< learned neighbours expire this long after the last ARP */
};

/* A lookup record as returned by lookup and walk. */
struct ovl_record {
	uint32_t vsid;		      /**< virtual subnet */
	rte_be32_t ca_ip;	      /**< customer address */
	struct rte_ether_addr ca_mac; /**< customer MAC */
	struct ovl_ip pa;	      /**< provider address of the host that runs it */
};

/* Where a tenant MAC is sent (encap-map value). */
struct ovl_mac_dest {
	uint32_t pa_id; /**< interned provider address (control side); 0 on a miss */
	uint16_t slot;	/**< template slot, OVL_SLOT_LOCAL or OVL_SLOT_NONE */
};

/* An uplink neighbour as returned by lookup and walk. */
struct ovl_neigh {
	struct ovl_ip ip;	   /**< next-hop address */
	struct rte_ether_addr mac; /**< its MAC */
	uint8_t flags;		   /**< OVL_NEIGH_F_* */
	uint64_t updated_ms;	   /**< last learned or refreshed */
};

/* A provider route as returned by walk. */
struct ovl_route {
	struct ovl_prefix prefix; /**< network, host bits zero; length 0 = the default route */
	struct ovl_ip gateway;	  /**< family 0 for a connected route */
};

/*
 * What workers read, immutable once published.  The arrays follow the
 * struct in the same allocation.
 */
struct ovl_snapshot {
	struct nvgre_pa_set local;	   /**< our provider addresses */
	uint16_t mtu;			   /**< uplink IP MTU */
	uint16_t nb_slots;		   /**< entries in 'tmpl' and 'tmpl_state' */
	uint16_t nb_bds;		   /**< entries in 'bd_vsid'; 'flood_first' has one more */
	const struct nvgre_template *tmpl; /**< by slot; valid where tmpl_state is OK */
	const uint8_t
		*tmpl_state; /**< by slot: enum nvgre_encap_reason (OK, NO_ROUTE, NO_NEIGHBOUR) */
	const uint32_t *bd_vsid;     /**< by bridge domain: its VSID, 0 = none */
	const uint32_t *flood_first; /**< by bridge domain: first index in 'flood_slots' (CSR) */
	const uint16_t *flood_slots; /**< remote-PA template slots of each bridge domain */
	const struct ovl_ip *slot_pa; /**< by slot: its remote PA (even while unresolved);
					   family 0 = free slot */
};



/* Create and destroy: control thread, before workers start / after they stop. */

/** @return a new, empty overlay, or NULL with rte_errno set (EINVAL, ENOMEM, EEXIST). */
struct ovl *ovl_create(const struct ovl_params *params);
/** Free everything; accepts NULL.  No worker may use it any more. */
void ovl_destroy(struct ovl *ovl);

/* Worker-side reads. */

/**
 * The current snapshot.  Worker: load once per burst and do not keep it
 * past the next quiescent-state report.  Never NULL after ovl_create().
 */
const struct ovl_snapshot *ovl_snapshot_get(const struct ovl *ovl);

/** True if 'ip' is one of our provider addresses.  Worker-safe. */
static inline bool
ovl_is_local_pa(const struct ovl_snapshot *s, const struct ovl_ip *ip)
{
	if (ip->family == AF_INET6)
		return nvgre_pa_set_has6(&s->local, ip->v6);
	return ip->family == AF_INET && nvgre_pa_set_has(&s->local, ip->v4);
}

/**
 * The template of 'slot' (from the encap map), or NULL with '*why' saying
 * why it cannot be used (NO_ROUTE, NO_NEIGHBOUR).  Worker-safe.
 */
static inline const struct nvgre_template *
ovl_tmpl_get(const struct ovl_snapshot *s, uint16_t slot, enum nvgre_encap_reason *why)
{
	if (slot >= s->nb_slots) {
		*why = NVGRE_ENCAP_NO_ROUTE;
		return NULL;
	}
	*why = (enum nvgre_encap_reason)s->tmpl_state[slot];
	return *why == NVGRE_ENCAP_OK ? &s->tmpl[slot] : NULL;
}

/** The flood list (template slots) of bridge domain 'bd'; '*n' gets its length.  Worker-safe. */
static inline const uint16_t *
ovl_flood_slots(const struct ovl_snapshot *s, uint16_t bd, uint16_t *n)
{
	if (bd >= s->nb_bds) {
		*n = 0;
		return NULL;
	}
	*n = (uint16_t)(s->flood_first[bd + 1] - s->flood_first[bd]);
	return &s->flood_slots[s->flood_first[bd]];
}

/**
 * The largest tenant IP packet the tunnel of 'slot' carries: the uplink MTU
 * less the outer headers of its family (42 for IPv4, 62 for IPv6).  Worker-safe.
 */
static inline uint16_t
ovl_slot_tenant_mtu(const struct ovl_snapshot *s, uint16_t slot)
{
	uint16_t overhead = slot < s->nb_slots && s->slot_pa[slot].family == AF_INET6 ?
				    NVGRE_MTU_OVERHEAD6 :
				    NVGRE_MTU_OVERHEAD;

	return s->mtu > overhead ? (uint16_t)(s->mtu - overhead) : 0;
}

/** The VSID of bridge domain 'bd', 0 if it has none.  Worker-safe. */
static inline uint32_t
ovl_bd_to_vsid(const struct ovl_snapshot *s, uint16_t bd)
{
	return bd < s->nb_bds ? s->bd_vsid[bd] : 0;
}

/**
 * The template slot of remote PA 'pa' in bridge domain 'bd', or OVL_SLOT_NONE
 * when no lookup record of that domain points at 'pa'.  A scan of the
 * domain's flood list (one entry per remote host).  Worker-safe.
 */
static inline uint16_t
ovl_slot_of_pa(const struct ovl_snapshot *s, uint16_t bd, const struct ovl_ip *pa)
{
	uint16_t n;
	const uint16_t *slots = ovl_flood_slots(s, bd, &n);

	for (uint16_t i = 0; i < n; i++)
		if (ovl_ip_eq(&s->slot_pa[slots[i]], pa))
			return slots[i];
	return OVL_SLOT_NONE;
}

/** Encap-map key: same layout as fdb_key(): bd in bits 63..48, MAC in 47..0.  Any thread. */
static inline uint64_t
ovl_mac_key(uint16_t bd, const struct rte_ether_addr *mac)
{
	uint64_t key = 0;

	for (int i = 0; i < RTE_ETHER_ADDR_LEN; i++)
		key = (key << 8) | mac->addr_bytes[i];
	return key | (uint64_t)bd << 48;
}

/** @return 0 and the bridge domain of 'vsid' in '*bd', or -ENOENT.  Worker-safe. */
int ovl_vsid_to_bd(const struct ovl *ovl, uint32_t vsid, uint16_t *bd);

/**
 * @return 0 and fill 'rec', or -ENOENT.  Control thread only: the PA lives in
 * a control-side table (workers use ovl_record_mac_bulk()).
 */
int ovl_record_lookup(const struct ovl *ovl, uint32_t vsid, rte_be32_t ca_ip,
		      struct ovl_record *rec);

/**
 * The customer MACs of the records (vsids[i], ips[i]) for i < n <= OVL_BULK_MAX, in one bulk
 * lookup; found[i] says whether record i exists ('macs[i]' is set only then).  Unlike
 * ovl_record_lookup() it does not look up the PA.  Worker-safe, lock-free (the routing stage).
 */
void ovl_record_mac_bulk(const struct ovl *ovl, const uint32_t *vsids, const rte_be32_t *ips,
			 unsigned int n, struct rte_ether_addr *macs, bool *found);

/*
 * Where a record sits, for a worker that keeps it (the routing stage's route
 * cache) and checks it later with ovl_record_slot_holds() instead of a
 * lookup: a present record never moves, and a freed slot is reused only
 * after the workers' grace period.  Opaque; NULL: no record.
 */
typedef const uint64_t *ovl_record_slot;

#define OVL_REC_SLOT_VAL_OFFSET 4 /* a slot's value is this many words after its key */

/**
 * For the records (vsids[i], ips[i]), i < n <= OVL_BULK_MAX: keys[i] is the
 * FDB key of the record's MAC in the VSID's bridge domain (ovl_mac_key(),
 * == fdb_key()), or OVL_KEY_NONE without a record; and where each record
 * sits, slots[i] with its key rkeys[i] (opaque), slots[i] NULL without a
 * record.  One bulk lookup, inline, in the records' own table.  Worker-safe,
 * lock-free (the routing stage).
 */
void ovl_record_key_slot_bulk(const struct ovl *ovl, const uint32_t *vsids, const rte_be32_t *ips,
			      unsigned int n, uint64_t *keys, uint64_t *rkeys,
			      ovl_record_slot *slots);

/**
 * How many times a record was deleted or given another value so far: while
 * it has not moved, every record a worker found is still what it found.
 * Worker-safe (an acquire load).
 */
uint32_t ovl_record_changes(const struct ovl *ovl);

/**
 * Does 'slot' still hold record 'rkey' naming FDB key 'key' (neither deleted
 * nor given another MAC)?  Worker-safe, lock-free, while the table exists.
 */
static inline bool
ovl_record_slot_holds(ovl_record_slot slot, uint64_t rkey, uint64_t key)
{
	/* Acquire on the key, then the value: the value is this key's, or newer. */
	return slot != NULL && __atomic_load_n(slot, __ATOMIC_ACQUIRE) == rkey &&
	       __atomic_load_n(slot + OVL_REC_SLOT_VAL_OFFSET, __ATOMIC_RELAXED) == key;
}

/** @return 0 and fill 'dest', or -ENOENT (then dest->slot = OVL_SLOT_NONE).  Worker-safe. */
int ovl_mac_lookup(const struct ovl *ovl, uint64_t key, struct ovl_mac_dest *dest);

/**
 * Look up 'keys[0..n)' in the encap map; misses get OVL_SLOT_NONE.
 * n <= OVL_BULK_MAX.  Worker-safe, lock-free.
 */
void ovl_mac_lookup_bulk(const struct ovl *ovl, const uint64_t *keys, unsigned int n,
			 struct ovl_mac_dest *dests);

/* Virtual subnets: control thread. */

/**
 * Make 'vsid' the virtual subnet of bridge domain 'bd'.
 * @return 0; -EINVAL (reserved or wider than 24 bits); -ERANGE (bd >= nb_bds);
 *   -EEXIST (VSID or bridge domain already mapped); -ENOSPC; -ENOMEM.
 */
int ovl_vsid_add(struct ovl *ovl, uint32_t vsid, uint16_t bd);
/** @return 0; -ENOENT; -EBUSY (lookup records still use it); -ENOMEM. */
int ovl_vsid_del(struct ovl *ovl, uint32_t vsid);

/* Lookup records: control thread. */

/**
 * Add or replace the record (vsid, ca_ip) -> (ca_mac, pa).  Giving a MAC a
 * new PA moves every record of that MAC (the VM moved).
 * @return 0; -ENOENT (VSID not configured); -EINVAL (MAC not unicast, PA
 *   zero or multicast); -ENOSPC (records, MACs or template slots full); -ENOMEM.
 */
int ovl_record_add(struct ovl *ovl, uint32_t vsid, rte_be32_t ca_ip,
		   const struct rte_ether_addr *ca_mac, const struct ovl_ip *pa);
/** @return 0 or -ENOENT. */
int ovl_record_del(struct ovl *ovl, uint32_t vsid, rte_be32_t ca_ip);
/** Template slots freed so far: what was learned against a freed slot must go.  Control thread. */
uint64_t ovl_slots_freed(const struct ovl *ovl);

typedef void ovl_record_fn(const struct ovl_record *rec, void *arg);
/** Call 'fn' for every record.  @return the number of records. */
unsigned int ovl_record_walk(const struct ovl *ovl, ovl_record_fn *fn, void *arg);

/* The uplink and our provider addresses: control thread. */

/**
 * Set the uplink MAC and IP MTU (68 + 42 .. 65535; an IPv6 tunnel whose MTU
 * leaves its tenants less than 68 is left unresolved, NO_ROUTE).
 * @return 0, -EINVAL, -ERANGE, -ENOMEM.
 */
int ovl_uplink_set(struct ovl *ovl, const struct rte_ether_addr *mac, uint16_t mtu);

/**
 * Own 'pa' on the uplink, in a subnet of 'prefix_len' bits (which becomes a
 * connected route).  Records already installed keep their encap-map values:
 * add PAs before records.
 * @return 0; -EINVAL (bad address or length); -EEXIST; -ENOSPC; -ENOMEM.
 */
int ovl_pa_add(struct ovl *ovl, const struct ovl_prefix *pa);
/** @return 0, -ENOENT. */
int ovl_pa_del(struct ovl *ovl, const struct ovl_ip *pa);
/** This host's PAs with their prefix lengths, in the order added. @return how many (<= max). */
unsigned int ovl_pa_list(const struct ovl *ovl, struct ovl_prefix *pas, unsigned int max);

/* Provider routes: control thread. */

/**
 * Route 'prefix'/'len' through 'gateway' (replacing the gateway of an
 * existing route).  len 0 is the default route.
 * @return 0; -EINVAL (bad prefix, host bits set, families differ, or gateway
 *   not usable); -EEXIST (a connected route has that prefix); -ENOSPC; -ENOMEM.
 */
int ovl_route_add(struct ovl *ovl, const struct ovl_prefix *prefix, const struct ovl_ip *gateway);
/** @return 0; -ENOENT; -EPERM (connected routes go with their PA). */
int ovl_route_del(struct ovl *ovl, const struct ovl_prefix *prefix);

/**
 * The next hop towards 'dst': the gateway of the longest matching route, or
 * 'dst' itself on a connected subnet.  @return 0 or -ENETUNREACH.
 */
int ovl_route_lookup(const struct ovl *ovl, const struct ovl_ip *dst, struct ovl_ip *next_hop);

typedef void ovl_route_fn(const struct ovl_route *route, void *arg);
unsigned int ovl_route_walk(const struct ovl *ovl, ovl_route_fn *fn, void *arg);

/* Uplink neighbours: control thread. */

/** Add or replace a static neighbour.  @return 0, -EINVAL, -ENOSPC, -ENOMEM. */
int ovl_neigh_add_static(struct ovl *ovl, const struct ovl_ip *ip,
			 const struct rte_ether_addr *mac);
/** @return 0, -ENOENT, -ENOMEM. */
int ovl_neigh_del(struct ovl *ovl, const struct ovl_ip *ip);

/**
 * Learn that 'ip' is at 'mac' (from ARP or neighbour discovery).  'create'
 * is false to only refresh an existing entry (RFC 826: learn new neighbours
 * only from ARP addressed to us).  Static entries are never changed.
 * @return 1 if the table changed (templates rebuilt), 0 if it only refreshed
 *   or ignored it; -EINVAL; -ENETUNREACH (not on a connected subnet); -ENOSPC; -ENOMEM.
 */
int ovl_neigh_learn(struct ovl *ovl, const struct ovl_ip *ip, const struct rte_ether_addr *mac,
		    bool create, uint64_t now_ms);

/** @return 0 and fill 'n', or -ENOENT. */
int ovl_neigh_lookup(const struct ovl *ovl, const struct ovl_ip *ip, struct ovl_neigh *n);

/** Expire learned neighbours not refreshed within the timeout.  @return how many expired. */
unsigned int ovl_neigh_age(struct ovl *ovl, uint64_t now_ms);

/**
 * Next hops that need an ARP request (IPv4) or a neighbour solicitation
 * (IPv6) now: those that templates need and
 * have no neighbour, and learned ones past half their timeout (refreshed
 * before they expire).  Fills up to 'max' addresses.  @return the count.
 */
unsigned int ovl_neigh_wanted(const struct ovl *ovl, uint64_t now_ms, struct ovl_ip *ips,
			      unsigned int max);

/* A tunnel: a remote PA some lookup record of a VSID points at, and how it resolves. */
struct ovl_tunnel {
	uint16_t slot;	       /**< its template slot */
	uint32_t vsid;	       /**< virtual subnet */
	uint16_t bd;	       /**< its bridge domain */
	struct ovl_ip pa;      /**< remote provider address */
	uint8_t state;	       /**< enum nvgre_encap_reason: OK, NO_ROUTE or NO_NEIGHBOUR */
	struct ovl_ip next_hop; /**< the PA itself or a gateway; family 0 without a route */
	struct ovl_ip src_pa;  /**< our PA on the next hop's subnet; family 0 without a route */
};

/** Call 'fn' for every tunnel.  Control thread.  @return how many. */
typedef void ovl_tunnel_fn(const struct ovl_tunnel *t, void *arg);
unsigned int ovl_tunnel_walk(const struct ovl *ovl, ovl_tunnel_fn *fn, void *arg);

typedef void ovl_neigh_fn(const struct ovl_neigh *n, void *arg);
unsigned int ovl_neigh_walk(const struct ovl *ovl, ovl_neigh_fn *fn, void *arg);

/* ARP on the uplink: control thread (workers hand uplink ARP frames over by ring). */

/**
 * Append an ARP request for 'target' to the empty mbuf 'm': broadcast, from
 * the uplink MAC and our PA on the target's subnet, padded to 60 bytes.
 * @return 0; -ENETUNREACH (no PA on that subnet, or no uplink MAC); -ENOBUFS.
 */
int ovl_arp_request_build(const struct ovl *ovl, struct rte_mbuf *m, rte_be32_t target);

/*
 * Neighbour discovery (RFC 4861) on the uplink, for IPv6 next hops: control
 * thread (workers hand ICMPv6 frames over by ring, as they do ARP).  We join
 * no multicast group (the uplink is polled, every frame reaches us): a
 * solicitation to the solicited-node address of one of our PAs is answered
 * like one sent to the PA itself.
 */

/* ICMPv6 types of the two messages we read and send (RFC 4861 4.3, 4.4). */
#define OVL_ND_SOLICIT 135u /* neighbour solicitation */
#define OVL_ND_ADVERT  136u /* neighbour advertisement */

/**
 * Append a neighbour solicitation for 'target' to the empty mbuf 'm': to its
 * solicited-node multicast address, from the uplink MAC and our PA on the
 * target's subnet, with the source link-layer address option.
 * @return 0; -ENETUNREACH (no PA on that subnet, or no uplink MAC); -ENOBUFS.
 */
int ovl_nd_solicit_build(const struct ovl *ovl, struct rte_mbuf *m, const struct ovl_ip *target);

/**
 * Take an ICMPv6 frame received on the uplink: learn from advertisements and
 * from solicitations that carry a source link-layer address, and if it
 * solicits one of our PAs, turn 'm' into the advertisement that answers it.
 * @return 1 if 'm' now holds a reply to send on the uplink; 0 if consumed or
 *   not neighbour discovery (the caller frees 'm'); -EINVAL if malformed
 *   (bad checksum, hop limit not 255, truncated).
 */
int ovl_nd_input(struct ovl *ovl, struct rte_mbuf *m, uint64_t now_ms);

/**
 * Take an ARP frame received on the uplink: learn or refresh its sender as
 * a neighbour, and if it asks for one of our PAs, turn 'm' into the reply.
 * @return 1 if 'm' now holds a reply to send on the uplink; 0 if consumed
 *   (the caller frees 'm'); -EINVAL if malformed; -ENOTSUP if not Ethernet/IPv4 ARP.
 */
int ovl_arp_input(struct ovl *ovl, struct rte_mbuf *m, uint64_t now_ms);

/* Introspection: control thread. */
struct ovl_counts {
	uint32_t nb_vsids;	/**< virtual subnets */
	uint32_t nb_records;	/**< lookup records */
	uint32_t nb_macs;	/**< encap-map entries */
	uint32_t nb_slots;	/**< template slots in use */
	uint32_t nb_unresolved; /**< slots without a usable template */
	uint32_t nb_routes;	/**< routes, connected and default included */
	uint32_t nb_neighbours; /**< neighbours */
	uint32_t nb_pas;	/**< our provider addresses */
};
void ovl_counts_get(const struct ovl *ovl, struct ovl_counts *c);

#endif /* VSW_OVL_TABLES_H */
