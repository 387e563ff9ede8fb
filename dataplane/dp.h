/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The switch as the control plane sees it: bridge domains, ports, the MAC
 * table and the counters, addressed by name.
 *
 * The dataplane runs one poll-mode worker per worker lcore.  Workers read an
 * immutable snapshot of the configuration (ports, bridge-domain flood lists)
 * that the control thread rebuilds and publishes with a pointer swap; the old
 * snapshot is freed only after every worker has reported a quiescent state
 * (rte_rcu_qsbr).  A port is stopped and closed only after the snapshot that
 * no longer contains it has been seen by every worker, so workers never touch
 * a closed device and never wait for the control thread.
 *
 * Thread-safety: every function here is for the control thread only (the
 * DPDK main lcore), unless it says otherwise.  Functions return 0 or a
 * positive count on success and -errno on failure; where a caller-provided
 * 'err' buffer is given, it receives a sentence that says what was wrong and
 * what to do.
 */
#ifndef VSW_DP_H
#define VSW_DP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ovl_addr.h"
#include <rte_byteorder.h>
#include <rte_ether.h>

#include "port.h"

#define VSW_MAX_PORTS   32 /* port slots; at most RTE_MAX_ETHPORTS (32 in Debian's DPDK) */
#define VSW_MAX_BDS     256                  /* bridge domains, including "default" */
#define VSW_MAX_WORKERS 16                   /* worker lcores */
#define VSW_ERR_LEN     256                  /* size of an 'err' buffer */
#define VSW_MAX_QUEUE_STATS 16 /* queues per port with their own counters (rte_eth_stats) */
#define VSW_MAX_ALLOWED_MACS 16 /* allowed-macs per port */
#define DP_VLAN_MAX     4094  /* highest 802.1Q VLAN id a port or bridge domain may use */
#define DP_VLAN_WORDS   64    /* uint64_t words of a VLAN bitmap: bit v of word v / 64 */

#define DP_DEFAULT_BD "default"

/* Options fixed for the life of the daemon. */
struct dp_options {
	unsigned int idle_sleep_us; /**< sleep this long after an idle poll round; 0 = busy poll */
	uint32_t fdb_size;          /**< MAC table capacity (entries) */
	uint32_t nb_mbufs;          /**< packet buffers in the shared pool */
};

/* Start-up and shutdown, in this order: init, start, ..., stop, fini. */
int dp_init(const struct dp_options *opts, char *err, size_t errlen);
int dp_start(void);
void dp_stop(void);
void dp_fini(void);
unsigned int dp_nb_workers(void);

/*
 * Bridge domains.  Every setting is a typed member of struct dp_bd_settings;
 * ctl/ctl_bd_settings.c names each one for bd.set, bd.list and the saved
 * configuration, checks its range and writes the sentences users read.  The
 * dataplane checks only what needs its state (a VSID in use, a routing
 * domain that exists, overlapping subnets) and says which setting it refused
 * in a struct dp_bd_refusal, never in words.
 */
struct dp_bd_settings {
	uint32_t aging_s;       /**< dynamic entries expire after this; 0 = never */
	uint32_t max_macs;      /**< learning limit; 0 = none */
	bool learning;          /**< ordinary learning on (announcements always move) */
	bool drop_over_limit;   /**< drop, rather than forward, frames from MACs over the limit */
	uint32_t flap_moves;    /**< more moves than this within flap_window_s is a flap */
	uint32_t flap_window_s; /**< flap detection window */
	uint32_t flap_hold_s;   /**< freeze a flapping MAC this long; 0 = report only */
	uint32_t vsid;          /**< NVGRE virtual subnet (NVGRE_VSID_MIN..MAX); 0 = plain local L2 */
	char rd[PORT_NAME_MAX]; /**< routing domain it is attached to (dp_rd.h); "" = none */
	rte_be32_t gateway;     /**< its router address in that domain; 0 = none */
	uint8_t gateway_len;    /**< the subnet's prefix length, DP_BD_GATEWAY_LEN_MIN..MAX */
	uint16_t vlan;          /**< 802.1Q VLAN of its access and trunk ports (1..DP_VLAN_MAX,
				     unique per switch); 0 = none */
};

#define DP_BD_GATEWAY_LEN_MIN 1  /* a subnet with a gateway has room for a host ... */
#define DP_BD_GATEWAY_LEN_MAX 30 /* ... besides its network and broadcast addresses */

/** What a new bridge domain starts with, "default" included.  Any thread. */
extern const struct dp_bd_settings dp_bd_defaults;

/** The setting dp_bd_apply() refused, for the caller to put in words. */
enum dp_bd_setting {
	DP_BD_SET_NONE,    /**< no setting: the domain itself (-ENOENT) or memory (-ENOMEM) */
	DP_BD_SET_VSID,    /**< vsid */
	DP_BD_SET_RD,      /**< rd */
	DP_BD_SET_GATEWAY, /**< gateway and gateway_len */
	DP_BD_SET_VLAN,    /**< vlan */
};

struct dp_bd_refusal {
	enum dp_bd_setting setting; /**< which one */
	uint16_t other;             /**< -EEXIST: the bridge domain that holds the VSID, the
				         overlapping subnet or the VLAN (its id, as in dp_bd_info);
				         -EBUSY on VLAN: the port slot that takes the old VLAN */
};

struct dp_bd_info {
	char name[PORT_NAME_MAX];     /**< bridge domain name */
	uint16_t id;                  /**< index, part of every FDB key */
	uint16_t nb_ports;            /**< member ports */
	uint32_t nb_macs;             /**< FDB entries in this domain */
	struct dp_bd_settings set;    /**< its settings */
};

/**
 * Create bridge domain 'name' with dp_bd_defaults.
 * @return its id; -EINVAL (name empty or too long); -EEXIST; -ENOSPC (VSW_MAX_BDS exist).
 */
int dp_bd_add(const char *name);
/**
 * Delete bridge domain 'name', with its VSID and its place in a routing domain.
 * @return 0; -ENOENT; -EPERM (the default domain); -EBUSY (it has ports, or
 * its VSID has lookup records); -ENOMEM.
 */
int dp_bd_del(const char *name);
/**
 * Replace every setting of bridge domain 'name' with 's', all or nothing:
 * when it fails, the domain keeps the settings it had.  Control thread.
 * @return 0, or -errno with 'why' (may be NULL) naming the setting:
 *   -ENOENT: no such domain (NONE), or no routing domain s->rd (RD);
 *   -EINVAL: VSID out of range (VSID), a routing domain without a VSID (RD),
 *            a gateway that is no host address of a 1..30 subnet (GATEWAY),
 *            a VLAN over DP_VLAN_MAX (VLAN);
 *   -EEXIST: the VSID (VSID), the subnet (GATEWAY) or the VLAN (VLAN) belongs
 *            to why->other;
 *   -EBUSY:  the old VSID still has lookup records (VSID); port slot
 *            why->other takes the old VLAN as its access or native one (VLAN);
 *   -ENOMEM (NONE).
 */
int dp_bd_apply(const char *name, const struct dp_bd_settings *s, struct dp_bd_refusal *why);
/** Copy the settings of 'name' into 'out'.  Control thread.  @return its id, or -ENOENT. */
int dp_bd_get(const char *name, struct dp_bd_settings *out);
/** @return the bridge-domain id, or -ENOENT. */
int dp_bd_find(const char *name);
/** Fill up to 'max' entries of 'out'; @return the number of bridge domains. */
unsigned int dp_bd_list(struct dp_bd_info *out, unsigned int max);

/* Ports. */

/* How a port treats 802.1Q tags (docs/vswctl.md, "VLANs"). */
enum dp_vlan_mode {
	DP_VLAN_NONE,   /**< frames, tagged or not, are switched in the port's domain as they are */
	DP_VLAN_ACCESS, /**< untagged on the wire, in the domain whose VLAN is 'vlan'; tagged dropped */
	DP_VLAN_TRUNK,  /**< tagged with a listed VLAN, in that VLAN's domain; untagged: 'native' */
};

/* A port's VLAN settings. */
struct dp_port_vlan {
	enum dp_vlan_mode mode;          /**< none, access or trunk */
	uint16_t vlan;                   /**< access: its VLAN, 1..DP_VLAN_MAX */
	uint16_t native;                 /**< trunk: the VLAN of untagged frames; 0 = none (dropped) */
	uint64_t trunks[DP_VLAN_WORDS];  /**< trunk: the VLANs it carries tagged (bit per VLAN) */
};

static inline bool
dp_vlan_test(const uint64_t *bits, uint16_t vlan)
{
	return (bits[vlan / 64] >> (vlan % 64)) & 1;
}

static inline void
dp_vlan_bit_set(uint64_t *bits, uint16_t vlan)
{
	bits[vlan / 64] |= 1ULL << (vlan % 64);
}

struct dp_port_info {
	char name[PORT_NAME_MAX];    /**< port name */
	char type[16];               /**< type name: tap, kernel, vhost-user, pcap, ring, null, dpdk */
	char bd[PORT_NAME_MAX];      /**< bridge domain it belongs to */
	char ifname[PORT_NAME_MAX];  /**< kernel interface, when the type has one */
	char mac[18];                /**< the DPDK port's own MAC address */
	uint16_t id;                 /**< port slot */
	uint16_t eth_port;           /**< DPDK ethdev port id */
	bool link_up;                /**< link state reported by the device */
	uint32_t link_speed;         /**< Mbit/s, 0 if unknown */
	uint32_t max_macs;           /**< learning limit on this port; 0 = none */
	uint32_t nb_macs;            /**< FDB entries on this port */
	char allowed_macs[512];      /**< comma-separated MACs the port may use; "" = any */
	uint64_t link_changes;       /**< link up/down transitions seen */
	bool is_uplink;              /**< the overlay's uplink (in no bridge domain) */
	uint16_t nb_rxq;             /**< RX queues, spread over the workers */
	uint16_t nb_txq;             /**< TX queues */
	bool tx_shared;              /**< fewer TX queues than workers: they share them under a lock */
	char driver[32];             /**< DPDK driver (net_af_packet, net_pcap when a kernel port fell back...) */
	struct dp_port_vlan vlan;    /**< VLAN settings; 'bd' is "" for a trunk without a native VLAN */
};

struct dp_port_stats {
	uint64_t rx_packets; /**< frames received by the device */
	uint64_t rx_bytes;   /**< bytes received by the device */
	uint64_t rx_dropped; /**< frames the device or the switch dropped on ingress */
	uint64_t tx_packets; /**< frames sent */
	uint64_t tx_bytes;   /**< bytes sent */
	uint64_t tx_dropped; /**< frames that could not be sent (queue full, device error) */
};

/**
 * Open a port from 'spec', attach it to bridge domain 'bd' (NULL = default)
 * and start polling it.  -EEXIST if the name is taken, -ENOENT if the bridge
 * domain does not exist, -EINVAL for bad options, -ENOSPC when all slots are
 * used, -ENODEV when the device cannot be opened.
 */
int dp_port_add(const struct port_spec *spec, const char *bd, char *err, size_t errlen);
int dp_port_del(const char *name, char *err, size_t errlen);
/* Which members of struct dp_port_settings a dp_port_set() call applies. */
#define DP_PORT_SET_MAX_MACS (1u << 0)
#define DP_PORT_SET_ALLOWED  (1u << 1)
#define DP_PORT_SET_VLAN     (1u << 2)

/* Port settings, parsed and range-checked by the caller (ctl). */
struct dp_port_settings {
	uint32_t fields;                 /**< DP_PORT_SET_* bits: the members to apply */
	uint32_t max_macs;               /**< learning limit; 0 = none */
	uint16_t nb_allowed;             /**< MACs in 'allowed'; 0 = any source */
	struct rte_ether_addr allowed[VSW_MAX_ALLOWED_MACS]; /**< unicast MACs it may send from */
	struct dp_port_vlan vlan;        /**< VLAN mode and lists */
};

/* What dp_port_set() refused, for the caller to put in words. */
struct dp_port_refusal {
	uint32_t field;  /**< the DP_PORT_SET_* bit of the refused setting; 0: the port or memory */
	uint16_t vlan;   /**< -ESRCH: the VLAN no bridge domain has */
	uint16_t index;  /**< -EINVAL on DP_PORT_SET_ALLOWED: the entry refused */
};

/**
 * Apply the settings 'fields' selects, all or none.  An access port moves to
 * the bridge domain of its VLAN; a trunk's untagged frames go to its native
 * VLAN's domain; vlan-mode none keeps the domain the port is in (a trunk
 * without native VLAN: default).  Control thread.
 * @return 0, or -errno with 'why' (may be NULL) naming the setting:
 *   -ENOENT: no such port (0);
 *   -EPERM:  VLAN settings on the uplink, which has uplink_set_vlan() (VLAN);
 *   -EINVAL: more than VSW_MAX_ALLOWED_MACS, or entry why->index not a
 *            unicast MAC (ALLOWED); a VLAN id over DP_VLAN_MAX, an access
 *            port without one, a trunk with neither list nor native (VLAN);
 *   -ESRCH:  no bridge domain has VLAN why->vlan (VLAN);
 *   -ENOMEM (0).
 */
int dp_port_set(const char *name, const struct dp_port_settings *s, struct dp_port_refusal *why);
/** @return the port slot, or -ENOENT. */
int dp_port_find(const char *name);
unsigned int dp_port_list(struct dp_port_info *out, unsigned int max);
int dp_port_get_stats(const char *name, struct dp_port_stats *st);

/* Counters of one queue index of a port, from the driver's per-queue statistics. */
struct dp_queue_stats {
	uint16_t queue;      /**< queue index */
	bool has_rxq;        /**< the port has an RX queue with this index */
	bool has_txq;        /**< the port has a TX queue with this index (worker 'queue' sends on it) */
	int lcore;           /**< lcore of the worker polling the RX queue; -1 if none does */
	uint64_t rx_packets; /**< frames received on the RX queue (0 if the driver does not count) */
	uint64_t tx_packets; /**< frames sent on the TX queue (0 if the driver does not count) */
};

/**
 * Per-queue counters of port 'name', one entry per queue index up to the
 * larger of its RX and TX queue counts (at most VSW_MAX_QUEUE_STATS), and
 * which worker polls each RX queue.
 * @return the number of entries (entries beyond 'max' are not filled), or -ENOENT.
 */
int dp_port_queue_stats(const char *name, struct dp_queue_stats *out, unsigned int max);

/*
 * MAC table, addressed by bridge-domain and port names.  Control thread;
 * the results are -errno alone, ctl/ctl_fdb.c words them.
 */
struct dp_fdb_entry {
	char bd[PORT_NAME_MAX];     /**< bridge domain */
	struct rte_ether_addr mac;  /**< MAC address */
	char port[PORT_NAME_MAX];   /**< port it was learned on; "pa:IP" for a MAC on another host */
	bool is_static;             /**< configured, never moved by learning */
	bool is_record;             /**< mirrors a lookup record: never aged until traffic moves it */
	bool frozen;                /**< held on its port after flapping */
	uint32_t age_s;             /**< seconds since last seen (0 for static) */
	uint32_t moves;             /**< times it moved (saturates at 255) */
	const char *cause;          /**< how it got here: learned, garp, rarp, una, static, record */
};

typedef void dp_fdb_cb(const struct dp_fdb_entry *entry, void *arg);

/** Call 'cb' for each entry, in bridge domain 'bd' (NULL = all). @return entries visited or -ENOENT. */
int dp_fdb_walk(const char *bd, dp_fdb_cb *cb, void *arg);
/**
 * Remove learned entries, optionally only of 'bd' and/or 'port' (NULL = any).
 * @return entries removed; -ENOENT (no such bridge domain or port).
 */
int dp_fdb_flush(const char *bd, const char *port);
/**
 * Add or replace a static entry.  @return 0; -ENOENT (no such bridge domain
 * or port); -EINVAL (MAC not unicast or zero; the port is in another bridge
 * domain); -ENOSPC (the table is full: vswd --fdb-size).
 */
int dp_fdb_add_static(const char *bd, const struct rte_ether_addr *mac, const char *port);
/** Delete one entry (static or learned).  @return 0; -ENOENT (no such domain or entry); -EINVAL (MAC). */
int dp_fdb_del(const char *bd, const struct rte_ether_addr *mac);

/*
 * Events: what the MAC table did, delivered on the control thread.  The
 * control socket's names for them (fdb.learned, ...) are ctl's
 * (ctl_events.c); the dataplane says which by type.
 */
enum dp_event_type {
	DP_EVENT_LEARNED, /**< a new MAC */
	DP_EVENT_MOVED,   /**< a MAC changed port */
	DP_EVENT_AGED,    /**< a MAC expired */
	DP_EVENT_FLAP,    /**< a MAC moved too often */
	DP_EVENT_LOST,    /**< workers dropped 'count' events: re-read the table */
};

struct dp_event {
	enum dp_event_type type;  /**< what happened */
	char bd[PORT_NAME_MAX];   /**< bridge domain */
	uint8_t mac[6];           /**< the MAC */
	char from[PORT_NAME_MAX]; /**< previous port (moved, flap); "" otherwise */
	char to[PORT_NAME_MAX];   /**< new port (learned, moved, flap); port it aged on (aged);
				       a MAC on another host shows as "pa:IP" */
	const char *cause;        /**< learned, garp, rarp, una (learned, moved); "" otherwise */
	uint32_t moves;           /**< moves in the flap window (flap) */
	bool frozen;              /**< the MAC is now held on its port (flap) */
	uint64_t count;           /**< events dropped (lost) */
};

typedef void dp_event_cb(const struct dp_event *ev, void *arg);

/** Deliver every later event to 'cb' (NULL = discard). */
void dp_set_event_handler(dp_event_cb *cb, void *arg);

/**
 * Periodic control-thread work: deliver events, age entries, detect flaps,
 * watch link state.  Call at least every 100 ms; it does a bounded amount of
 * work per call.
 */
void dp_periodic(void);
/**
 * Deliver only the urgent events (moves and announcements) that workers
 * queued: cheap when there are none, so the control thread can call it far
 * more often than dp_periodic() and a migrated VM is reported within
 * milliseconds rather than at the next periodic round.  Control thread only.
 */
void dp_events_poll(void);

/*
 * Overlay (NVGRE, RFC 7637).  A bridge domain becomes a tenant virtual
 * subnet with dp_bd_apply() and a vsid; its frames to MACs on other
 * hosts leave through the uplink inside NVGRE.
 *
 * Provider addresses, routes, gateways and neighbours are typed values of
 * either family (struct ovl_ip, struct ovl_prefix in ovl_addr.h), parsed by
 * the caller; a tunnel's outer header is IPv4 or IPv6 after its remote PA.
 * These functions return 0 or -errno and write no text: the caller turns an
 * errno into a sentence for its user.  Control thread only, all of them.
 */
struct dp_overlay_info {
	char uplink[PORT_NAME_MAX];  /**< uplink port, "" if none */
	uint16_t uplink_mtu;         /**< its IP MTU */
	uint16_t tenant_mtu;         /**< the MTU to give VMs over IPv4 tunnels: uplink_mtu - 42 */
	uint16_t tenant_mtu6;        /**< the same over IPv6 tunnels: uplink_mtu - 62 */
	uint16_t uplink_vlan;        /**< 802.1Q VLAN of the provider network on it; 0 = untagged */
	uint8_t uplink_mac[6];       /**< source MAC of encapsulated frames */
	bool has_uplink_mac;         /**< uplink_mac was read */
	unsigned int nb_pas;         /**< provider addresses */
	struct ovl_prefix pas[8];    /**< each address with its subnet's prefix length */
};

struct dp_lookup_record {
	uint32_t vsid;          /**< virtual subnet */
	uint32_t ca_ip;         /**< customer IPv4 address, network order */
	uint8_t ca_mac[6];      /**< customer MAC */
	struct ovl_ip pa;       /**< provider address of the host that runs it */
	bool local;             /**< the PA is one of ours */
};

struct dp_route_info {
	struct ovl_prefix prefix; /**< network and length */
	struct ovl_ip gateway;    /**< next hop; family 0 for a connected route */
	bool connected;           /**< made for a PA's subnet */
};

struct dp_neigh_info {
	struct ovl_ip ip;       /**< neighbour on the uplink */
	uint8_t mac[6];         /**< its MAC; all zero while unresolved */
	bool is_static;         /**< configured */
	bool resolved;          /**< MAC known */
	uint32_t age_s;         /**< seconds since last confirmed (0 for static) */
};

/**
 * Make port 'name' the uplink: it leaves its bridge domain.  mtu 0 = 1500.
 * @return 0; -ENOENT (no such port); -ENODEV (its MAC cannot be read);
 *   -ERANGE (mtu below 68 + 62, too small for an IPv6 tunnel's tenant; 68 + 42
 *   for IPv4 is the overlay's floor); -EINVAL (no unicast MAC to send from).
 */
int dp_uplink_set(const char *name, uint16_t mtu);
/**
 * Carry the provider network on 802.1Q VLAN 'vlan' of the uplink (0 = untagged):
 * encapsulated frames and ARP leave with the tag, and only frames with it are
 * taken from the uplink.  Control thread.
 * @return 0, -ERANGE (vlan over DP_VLAN_MAX) or -ENOMEM.
 */
int dp_uplink_set_vlan(uint16_t vlan);
/**
 * Own 'pa' (an address and its subnet's length) on the uplink; its subnet
 * becomes a connected route.  Records that point at it become local.
 * @return 0; -EINVAL (not a usable unicast address, or the length is out of
 *   range); -EEXIST; -ENOSPC (NVGRE_MAX_LOCAL_PA already); -ENOMEM.
 */
int dp_pa_add(const struct ovl_prefix *pa);
/** Give up 'pa'.  @return 0 or -ENOENT. */
int dp_pa_del(const struct ovl_ip *pa);
/**
 * Route 'prefix' through 'gateway' (same family; replaces the gateway of an
 * existing route).  Length 0 is the default route of that family.
 * @return 0; -EINVAL (host bits set, families differ, or the gateway is not a
 *   usable unicast address); -EEXIST (the connected route of a PA has that
 *   prefix); -ENOSPC; -ENOMEM.
 */
int dp_route_add(const struct ovl_prefix *prefix, const struct ovl_ip *gateway);
/** @return 0; -ENOENT; -EPERM (a connected route goes with its PA). */
int dp_route_del(const struct ovl_prefix *prefix);
/**
 * Add or replace a static neighbour on the uplink.
 * @return 0; -EINVAL (address not usable, MAC not unicast or zero); -ENOSPC; -ENOMEM.
 */
int dp_neigh_add(const struct ovl_ip *ip, const uint8_t mac[6]);
/** Delete a neighbour, static or learned.  @return 0 or -ENOENT. */
int dp_neigh_del(const struct ovl_ip *ip);
/**
 * Add or replace the lookup record (vsid, ca_ip) -> (ca_mac, pa); 'ca_ip'
 * is an IPv4 address in network order, 'pa' of either family.
 * @return 0; -EDOM (vsid reserved or out of range); -ENOENT (no bridge
 *   domain has that vsid); -EINVAL (MAC not unicast or zero, address zero or
 *   multicast); -ENOSPC (records, MACs or tunnels full); -ENOMEM.
 */
int dp_lookup_add(uint32_t vsid, uint32_t ca_ip, const uint8_t ca_mac[6],
		  const struct ovl_ip *pa);
/** @return 0 or -ENOENT (no such record). */
int dp_lookup_del(uint32_t vsid, uint32_t ca_ip);
/** The uplink, its MTUs and our PAs. */
void dp_overlay_get(struct dp_overlay_info *info);
typedef void dp_lookup_cb(const struct dp_lookup_record *rec, void *arg);

/* A tunnel: a remote PA that lookup records of a VSID point at. */
struct dp_tunnel_info {
	uint32_t vsid;              /**< virtual subnet */
	char bd[PORT_NAME_MAX];     /**< its bridge domain */
	struct ovl_ip pa;           /**< remote provider address */
	struct ovl_ip src_pa;       /**< our PA that sends to it; family 0 without a route */
	struct ovl_ip next_hop;     /**< the PA itself or the gateway; family 0 without a route */
	uint16_t tenant_mtu;        /**< the MTU its tenants can use: uplink MTU - 42 or - 62 */
	const char *state;          /**< resolved, no_route, no_neighbour, unreachable (ICMP, last 60 s) */
	uint64_t drops;             /**< its frames not sent (unresolved, too big) since it was made */
	char last_error[192];       /**< the last ICMP error about it, in words; "" if none */
	uint32_t last_error_age_s;  /**< seconds since then; UINT32_MAX if none */
	uint64_t nb_errors;         /**< ICMP errors about it so far */
};

typedef void dp_tunnel_cb(const struct dp_tunnel_info *t, void *arg);
/** Every tunnel with its resolution state.  Control thread.  @return how many. */
unsigned int dp_tunnel_walk(dp_tunnel_cb *cb, void *arg);
typedef void dp_route_cb(const struct dp_route_info *route, void *arg);
typedef void dp_neigh_cb(const struct dp_neigh_info *neigh, void *arg);
/** Walks: @return entries visited. VSID 0 = all. */
int dp_lookup_walk(uint32_t vsid, dp_lookup_cb *cb, void *arg);
int dp_route_walk(dp_route_cb *cb, void *arg);
int dp_neigh_walk(dp_neigh_cb *cb, void *arg);

/* Counters: switch-wide named counters, summed over workers. */
struct dp_counter {
	const char *name;  /**< stable name shown by `vswctl stats` */
	const char *help;  /**< one line: what it counts */
	uint64_t value;    /**< sum over workers */
};

/** Fill up to 'max' counters; @return the number of counters. */
unsigned int dp_counters(struct dp_counter *out, unsigned int max);

/* Per-worker poll-mode statistics (like OVS pmd-stats-show). */
struct dp_pmd_stats {
	unsigned int lcore;       /**< lcore id */
	uint64_t busy_cycles;     /**< TSC cycles in iterations that received frames */
	uint64_t idle_cycles;     /**< TSC cycles in iterations that received nothing */
	uint64_t packets;         /**< frames received */
	uint64_t bursts;          /**< non-empty RX bursts */
	uint32_t nb_rxq;          /**< RX queues polled */
};

unsigned int dp_pmd_stats(struct dp_pmd_stats *out, unsigned int max);

#endif /* VSW_DP_H */
