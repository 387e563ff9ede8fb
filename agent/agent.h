/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vswagent's state, shared by its parts: the cluster's desired state as last
 * read from etcd (agent_state.c), reconciliation of vswd to it
 * (agent_reconcile.c), migration claims (agent_claim.c) and the main loop
 * (vswagent.c).  Single-threaded: everything runs on the main loop.
 *
 * What the agent owns in vswd (and so may add, change or delete): the
 * bridge domains of the virtual subnets declared in the cluster (created
 * when missing, deleted when the subnet is deleted while the agent runs and
 * the domain has no ports), and every lookup record whose VSID is declared
 * in the cluster.  Bridge domains and lookup records of other VSIDs, ports,
 * PAs, routes and neighbours are never touched.
 */
#ifndef VSW_AGENT_H
#define VSW_AGENT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "agent_vswd.h"
#include "etcd.h"

#define AGENT_MAX_PAS	8
#define AGENT_IP_TEXT	16 /* an IPv4 address as text, with its NUL */
#define AGENT_PA_TEXT	46 /* a provider address, IPv4 or IPv6 (INET6_ADDRSTRLEN) */
#define AGENT_MAC_TEXT	18
#define AGENT_NAME_MAX	64
#define AGENT_RD_NAME	32	/* routing domain names: 1-31 of [A-Za-z0-9_.-], as vswd's */
#define AGENT_PREFIX_TEXT 19	/* "255.255.255.255/32" */
#define AGENT_CALL_MS	5000 /* bound of one vswd call */

/** A virtual subnet declared in the cluster (key PREFIX/subnets/VSID). */
struct agent_subnet {
	uint32_t vsid;		   /**< 4096..16777214 */
	char name[32];		   /**< bridge domain name used when the agent creates it */
	char rd[AGENT_RD_NAME];	   /**< routing domain it is attached to, "" = none */
	char gateway[AGENT_PREFIX_TEXT]; /**< its router address IP/LEN, set with rd */
	int64_t mod_revision;	   /**< etcd revision of its last change */
};

/** A routing domain declared in the cluster (key PREFIX/rds/NAME). */
struct agent_rd {
	char name[AGENT_RD_NAME];   /**< its name, the same on every host */
	char mac[AGENT_MAC_TEXT];   /**< router MAC, lower case; "" = vswd's default from the name */
	int64_t mod_revision;	    /**< etcd revision of its last change */
};

/** A customer route (key PREFIX/rdroutes/RD/A.B.C.D/LEN). */
struct agent_rd_route {
	char rd[AGENT_RD_NAME];		 /**< routing domain */
	char prefix[AGENT_PREFIX_TEXT];	 /**< canonical network/length */
	char via[AGENT_IP_TEXT];	 /**< next hop: a customer address (a VM of the domain) */
	int64_t mod_revision;		 /**< etcd revision of its last change */
};

/** A VM's lookup record in the cluster (key PREFIX/vms/VSID/CA_IP). */
struct agent_vm {
	uint32_t vsid;		      /**< virtual subnet */
	char ca_ip[AGENT_IP_TEXT];    /**< customer address */
	char ca_mac[AGENT_MAC_TEXT];  /**< customer MAC, lower case */
	char pa[AGENT_PA_TEXT];	      /**< provider address of the host that runs it (either family) */
	char host[AGENT_NAME_MAX];    /**< that host's name ("" if unknown) */
	int64_t mod_revision;	      /**< etcd revision of its last change */
	int64_t lost_ms;	      /**< when this agent last lost a claim on it (hold-down) */
	uint32_t hnext;		      /**< next VM in its hash chain, index + 1 (0 = end) */
};

/** Counters shown by the status interface. */
struct agent_counters {
	uint64_t lookups_added;	  /**< lookup.add calls that vswd accepted */
	uint64_t lookups_deleted; /**< lookup.del calls that vswd accepted */
	uint64_t bds_added;	  /**< bridge domains created */
	uint64_t bds_deleted;	  /**< bridge domains deleted */
	uint64_t claims_won;	  /**< records moved to this host */
	uint64_t claims_lost;	  /**< claims another host won first */
	uint64_t claims_held;	  /**< claims not made because of the hold-down */
	uint64_t resyncs;	  /**< full reconciliations */
	uint64_t relists;	  /**< full re-reads of etcd (start, compaction, resync) */
	uint64_t watch_restarts;  /**< watch streams that ended and were restarted */
	uint64_t events_lost;	  /**< events.lost notifications from vswd */
	uint64_t errors;	  /**< errors logged */
	uint64_t bad_records;	  /**< etcd values that could not be used */
	uint64_t rds_added;	  /**< routing domains created (rd.add) */
	uint64_t rds_deleted;	  /**< routing domains deleted (rd.del) */
	uint64_t attachments_set; /**< subnets attached to a routing domain or re-addressed */
	uint64_t detachments;	  /**< subnets detached from a routing domain */
	uint64_t routes_added;	  /**< customer routes added or re-pointed (rd.route.add) */
	uint64_t routes_deleted;  /**< customer routes deleted (rd.route.del) */
};

struct agent {
	/* configuration */
	const char *prefix;		   /**< key prefix, e.g. "/vsw/v1" (no trailing slash) */
	const char *host;		   /**< this host's name */
	char pas[AGENT_MAX_PAS][AGENT_PA_TEXT]; /**< this host's PAs; pas[0] is what claims write */
	unsigned int nb_pas;		   /**< used entries of 'pas' */
	int hold_s;			   /**< claim hold-down after a lost claim */
	int claim_age_s;		   /**< claim from a table re-read only entries seen this recently */

	/* connections */
	struct etcd_client *etcd;	   /**< unary calls */
	struct vswd_conn vswd;		   /**< calls */

	/* the cluster as last read, plus what the watch applied since */
	struct agent_subnet *subnets;	   /**< declared subnets */
	unsigned int nb_subnets, cap_subnets;
	struct agent_vm *vms;		   /**< VM records */
	unsigned int nb_vms, cap_vms;
	struct agent_rd *rds;		   /**< declared routing domains */
	unsigned int nb_rds, cap_rds;
	struct agent_rd_route *routes;	   /**< customer routes */
	unsigned int nb_routes, cap_routes;
	/** Routing domains deleted from the cluster while this agent ran, not yet deleted in vswd. */
	char (*rds_gone)[AGENT_RD_NAME];
	unsigned int nb_rds_gone, cap_rds_gone;
	/** Subnets a re-list no longer found (their deletion compacted away): removed from vswd next. */
	uint32_t *vsids_gone;
	unsigned int nb_vsids_gone;
	uint32_t *vm_heads;		   /**< hash chains over (vsid, ca_ip): index + 1, 0 = empty */
	unsigned int nb_vm_heads;	   /**< chains, a power of two (0 before the first VM) */
	int64_t revision;		   /**< etcd revision applied to vswd */
	bool vswd_dirty;		   /**< vswd missed changes: reconcile fully */
	int64_t next_resync_ms;		   /**< when the periodic re-list and reconciliation is due */
	bool rd_dirty;			   /**< routing changed: reconcile the routing part */
	json_t *pending_adds;		   /**< watch news for vswd not sent yet (agent_flush) */
	json_t *pending_dels;		   /**< the same for deletions */
	int64_t next_flush_ms;		   /**< not before then, unless a batch is full (agent_flush) */

	/* status */
	struct agent_counters n;	   /**< counters */
	char last_error[512];		   /**< last error logged */
	int64_t last_error_ms;		   /**< when (CLOCK_MONOTONIC ms) */
};

/* vswagent.c */
void agent_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void agent_err(struct agent *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* agent_state.c: the desired state and its key schema */
enum { AGENT_CHG_SUBNET = 1, AGENT_CHG_VM = 2, AGENT_CHG_ROUTING = 3 };
/** Forget everything read so far (before a re-list). */
void agent_state_clear(struct agent *a);
/** Free what the desired state holds (at exit). */
void agent_state_free(struct agent *a);
/**
 * Apply one key of the cluster (a put or a delete) to the desired state.
 * @return AGENT_CHG_SUBNET a subnet was added, renamed or deleted,
 * AGENT_CHG_VM a VM record changed, AGENT_CHG_ROUTING a routing domain, a
 * customer route or a subnet's attachment changed, 0 not ours or unchanged,
 * -EINVAL a value that cannot be used (logged, counted).
 */
int agent_state_apply(struct agent *a, bool put, const struct etcd_kv *kv, struct agent_vm *old);
struct agent_subnet *agent_subnet_find(struct agent *a, uint32_t vsid);
struct agent_vm *agent_vm_find(struct agent *a, uint32_t vsid, const char *ca_ip);
/** Key and JSON value of a VM record (value malloc'd). */
void agent_vm_key(const struct agent *a, uint32_t vsid, const char *ca_ip, char *key, size_t len);
char *agent_vm_value(const struct agent_vm *vm);
/** Whether 'ip' is one of this host's PAs. */
bool agent_pa_is_local(const struct agent *a, const char *ip);
/** Whether 's' is a dotted IPv4 address. */
bool agent_ipv4_ok(const char *s);
/** Parse "aa:bb:cc:dd:ee:ff" (any case) into lower case 'out'. */
bool agent_mac_ok(const char *s, char out[AGENT_MAC_TEXT]);
/** Parse a VM record value into 'vm'; @return 0 or -EINVAL with 'why'. */
int agent_vm_parse(const char *value, struct agent_vm *vm, char *why, size_t len);

/* agent_rd_state.c: routing domains, customer routes and attachments in the key schema */
/** Whether 'name' is a routing domain name vswd accepts (1-31 of [A-Za-z0-9_.-], not "none"). */
bool agent_rd_name_ok(const char *name);
/**
 * Parse a customer route's prefix "A.B.C.D/LEN" into its canonical text.
 * @return 0, or -EINVAL with 'why' (host bits set: names the network meant).
 */
int agent_route_prefix_parse(const char *text, char out[AGENT_PREFIX_TEXT], char *why, size_t len);
/** Parse a gateway "IP/LEN" (a host address, LEN 1-30) into canonical text; 0 or -EINVAL + 'why'. */
int agent_gateway_parse(const char *text, char out[AGENT_PREFIX_TEXT], char *why, size_t len);
/** Whether two IP/LEN subnets overlap. */
bool agent_prefixes_overlap(const char *p1, const char *p2);
/** Values as stored in etcd (malloc'd compact JSON): a domain, a route, a subnet. */
char *agent_rd_value(const struct agent_rd *rd);
char *agent_route_value(const struct agent_rd_route *r);
char *agent_subnet_value(const struct agent_subnet *s);
/** Parse those values; 0 or -EINVAL with 'why'.  The key's parts must match the value's. */
int agent_rd_parse(const char *value, struct agent_rd *rd, char *why, size_t len);
int agent_route_parse(const char *value, struct agent_rd_route *r, char *why, size_t len);
int agent_subnet_parse(const char *value, struct agent_subnet *s, char *why, size_t len);
struct agent_rd *agent_rd_find(struct agent *a, const char *name);
struct agent_rd_route *agent_route_find(struct agent *a, const char *rd, const char *prefix);
/** Apply one rds/ or rdroutes/ key ('rest' = the key after PREFIX/); as agent_state_apply. */
int agent_rd_state_apply(struct agent *a, bool put, const char *rest, const struct etcd_kv *kv);
/** Whether 'name' was deleted from the cluster while the agent ran (vswd's copy is ours). */
bool agent_rd_is_gone(const struct agent *a, const char *name);
/** Forget such a deletion: done in vswd, re-declared, or vswd does not have it. */
void agent_rd_gone_forget(struct agent *a, const char *name);
/** A copy of the declared routing domains (nb_rds of them, to free), NULL on ENOMEM. */
struct agent_rd *agent_rd_snapshot(const struct agent *a);
/**
 * After a complete re-list: a domain of 'before' (the 'nb' declared before
 * it) that the cluster no longer declares was deleted while the agent ran,
 * its deletion not seen (compacted away): remembered as agent_rd_is_gone().
 */
void agent_rd_relisted(struct agent *a, const struct agent_rd *before, unsigned int nb);
/** Forget the routing part of the desired state (not the pending deletions). */
void agent_rd_state_clear(struct agent *a);
void agent_rd_state_free(struct agent *a);

/* agent_rd_reconcile.c: vswd's routing domains, attachments and routes */
/**
 * The calls that make vswd's routing match the desired state, in order:
 * route deletions, detachments, domain deletions, then domain creations,
 * attachments, route additions.  Input: vswd's bd.list, rd.list and
 * rd.route.show results.  Only what the agent owns is touched: domains the
 * cluster declares (and 'rds_gone'), their routes, and the attachment of
 * declared subnets to them.  Pure: no I/O.
 * @return a JSON array of {"method", "params"} (to decref), NULL on ENOMEM.
 */
json_t *agent_rd_plan(struct agent *a, json_t *bds, json_t *rds, json_t *routes);
/** Read vswd's routing state, plan and apply; 0 or -errno. */
int agent_rd_reconcile(struct agent *a);
/** A declared subnet whose bridge domain is 'bd' left the cluster: detach it if ours. */
void agent_rd_subnet_removed(struct agent *a, json_t *bd);

/* agent_reconcile.c */
/** vswd failed a call: log it, and for a lost connection reconcile when it is back. */
void agent_vswd_failed(struct agent *a, int rc, const char *what);
/**
 * vswd failed a read ('what': bd.list, lookup.show, rd.list...) that a
 * reconciliation needs.  Refused: logged with when it is read again, at the
 * next periodic resync, and not sooner (asked again at once it would be
 * refused again, on every wake-up of the loop).  Otherwise as agent_vswd_failed().
 */
void agent_vswd_read_failed(struct agent *a, int rc, const char *what);
/** vswd's record params: {vsid, ca_ip, ca_mac, pa} of 'vm', or {vsid, ca_ip} when 'vm' is NULL. */
json_t *agent_record_json(uint32_t vsid, const char *ca_ip, const struct agent_vm *vm);
/** What vswd's lookup records lack or have too many, against the desired state. */
struct agent_diff {
	struct agent_vm *dels;	 /**< records to delete (vsid and ca_ip set) */
	unsigned int nb_dels;	 /**< entries of 'dels' */
	unsigned int *adds;	 /**< indexes into a->vms of records to add or re-add */
	unsigned int nb_adds;	 /**< entries of 'adds' */
};
/**
 * Compare vswd's lookup.show result 'recs' with the desired state.  Only
 * VSIDs the cluster declares are compared (the rest is not the agent's).
 * Pure: no I/O.  @return 0 or -ENOMEM.
 */
int agent_lookup_diff(struct agent *a, json_t *recs, struct agent_diff *d);
void agent_diff_free(struct agent_diff *d);
/** Re-read the whole cluster at one revision (paged) into the desired state. */
int agent_relist(struct agent *a);
/** Make vswd match the desired state (only what the agent owns); 0 or -errno. */
int agent_reconcile(struct agent *a);
/** Apply one watch event to the desired state, and queue it for vswd. */
void agent_watch_event(struct agent *a, const struct etcd_event *ev);
/**
 * Send vswd what the watch events queued, in one lookup.apply: at once after
 * a quiet spell, but no sooner after the last call than that call took, so
 * that a storm of changes is sent in large batches (each call saves vswd's
 * configuration).  @return ms until a flush is due, or -1 if nothing waits.
 */
int64_t agent_flush(struct agent *a);

/* agent_claim.c */
enum agent_claim_verdict {
	AGENT_CLAIM_NO,	  /**< not this VM, or it is recorded here already */
	AGENT_CLAIM_HELD, /**< this VM, but a lost claim's hold-down is running */
	AGENT_CLAIM_YES,  /**< this VM arrived here: claim it */
};
/**
 * Whether a sighting of 'mac' (lower case) in 'vsid' on a local VM port at
 * 'now_ms' makes this host claim 'vm'.  Pure.
 */
enum agent_claim_verdict agent_claim_decide(const struct agent *a, const struct agent_vm *vm,
					    uint32_t vsid, const char *mac, int64_t now_ms);
/** Whether an FDB event's port names a local VM port ("pa:IP" is a remote host, "#N" unknown). */
bool agent_port_is_local(const char *port);
/** Whether a fdb.show entry is a sighting: dynamic and seen within 'max_age_s'. */
bool agent_fdb_entry_recent(const json_t *e, int max_age_s);
/** A MAC was learned or moved to 'port' in bridge domain 'bd'. */
void agent_claim_mac(struct agent *a, const char *bd, const char *mac, const char *port,
		     const char *why);
/** Re-read vswd's MAC table and claim what recently appeared here (after events.lost, start). */
void agent_claim_scan(struct agent *a);

#endif
