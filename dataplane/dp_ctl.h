/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control side of dataplane/: what only the control thread (the EAL main
 * lcore, vswd's socket loop) calls, behind the public dp.h.  It owns struct
 * dp_main's configuration (ports, bridge domains, the overlay and routing
 * tables), builds the snapshots the workers read and publishes them by
 * pointer swap, frees what they read after a grace period, and takes what
 * the workers hand it over rings (FDB events, ARP and ICMP from the uplink).
 * Nothing here may be called from a worker.  The worker side is
 * dp_worker.h; what both see is dp_priv.h.
 *
 * Files: dp_switch.c (bridge domains, port slots, start and stop,
 * publishing), dp_lcore.c (per-worker state), dp_settings.c and
 * dp_port_conf.c (settings), dp_fdb.c (the MAC table by names), dp_events.c
 * (FDB events to the control plane), dp_periodic.c (the periodic work),
 * dp_departed.c, dp_overlay.c, dp_tunnel.c, dp_rd.c (routing domains),
 * dp_stats.c (counters).
 */
#ifndef VSW_DP_CTL_H
#define VSW_DP_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>

#include "dp_priv.h"

/* Seconds since dp_init, the clock of FDB last-seen stamps (workers keep lc->now). */
static inline uint32_t
dp_now_s(void)
{
	return (uint32_t)((rte_rdtsc() - dp_main.epoch_tsc) / dp_main.tsc_hz);
}

/* Milliseconds since dp_init, the overlay's clock. */
static inline uint64_t
dp_now_ms(void)
{
	return (rte_rdtsc() - dp_main.epoch_tsc) * 1000 / dp_main.tsc_hz;
}

/* Snapshots and workers (dp_switch.c, dp_lcore.c). */

/* Rebuild and publish the snapshot, then wait until no worker reads the old one. */
int dp_publish(void);
/* Per-worker state, shared by init and by tests that drive the pipeline directly. */
struct dp_lcore *dp_lcore_create(unsigned int index, unsigned int lcore_id);
void dp_lcore_destroy(struct dp_lcore *lc);
/* Write the sentence for a caller's 'err' buffer (may be NULL). @return 'ret'. */
int dp_fail(int ret, char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Events (dp_events.c) and the periodic work (dp_periodic.c). */

/* fdb_event_fn: translate a worker's (or the aging walk's) event to names and hand it on. */
void dp_event_deliver(const struct fdb_event *fe, void *arg);
/* Deliver what the workers queued: moves and announcements all, ordinary learns up to a budget. */
void dp_events_drain(uint32_t now);

/* dp_departed.c: MACs flushed with a downed port, so that reappearing elsewhere is a move. */

/* Flush the learned MACs of 'slot', whose link went down, remembering them. */
void dp_departed_flush_port(uint16_t slot, uint32_t now);
/* Forget everything: a new dp_init() starts a new clock. */
void dp_departed_reset(void);
/* Forget what was remembered of 'slot': the port is gone and the slot may be reused. */
void dp_departed_forget_port(uint16_t slot);
/* A worker's "learned" event for a remembered MAC on another port becomes "moved". */
void dp_departed_resolve(struct fdb_event *ev, uint32_t now);

/* Overlay control (dp_overlay.c). */

/**
 * Give bridge domain 'bd' VSID 'vsid' (0 = none).  @return 0; -EINVAL (out of
 * range); -EEXIST (it is bridge domain '*other's); -EBUSY (the old VSID has
 * lookup records); -ENOMEM.  Nothing changed on failure.
 */
int dp_bd_set_vsid(uint16_t bd, uint32_t vsid, uint16_t *other);
uint32_t dp_bd_vsid(uint16_t bd);
/* The overlay's share of dp_periodic(): ARP and ND from the uplink, next hops; 'second': once a second. */
void dp_overlay_periodic(bool second);
/* The uplink's slot, or -ENOENT. */
int dp_uplink_slot(void);
/** 'ip' (network order) as dotted text.  Any thread. */
void dp_ip_text(rte_be32_t ip, char *out, size_t len);
/* A provider address of either family as text (inet_ntop), for logs and "pa:IP" names. */
void dp_pa_text(const struct ovl_ip *ip, char *out, size_t len);

/* The MAC table (dp_fdb.c). */

/* Forget what was learned on a port (dynamic entries only). */
void dp_fdb_forget_port(uint16_t slot);
/* fdb_match_fn: a learned (not static) entry on the port slot '*(const uint16_t *)arg'. */
bool dp_fdb_learned_on(const struct fdb_entry *e, const void *arg);
/* "pa:IP" for a remote FDB port value. */
void dp_remote_name(uint16_t port, char *out, size_t len);
/* Entries per bridge-domain id (VSW_MAX_BDS counts). */
void dp_fdb_count_per_bd(uint32_t *per_bd);

/* Settings (dp_settings.c, dp_port_conf.c). */

/* Is port 'slot' a member of bridge domain 'bd' (trunks: of several)? */
bool dp_port_member(uint16_t slot, uint16_t bd);
/*
 * May bridge domain 'bd' take VLAN 'vlan' (dp_bd_apply)?  @return 0; -EINVAL
 * (over DP_VLAN_MAX); -EEXIST (domain '*other' has it); -EBUSY (port slot
 * '*other' takes the current VLAN as its access or native one).
 */
int dp_bd_vlan_check(uint16_t bd, uint16_t vlan, uint16_t *other);
/** Give bridge domain 'bd' the MAC-table part of dp_bd_defaults (a new or reused id). */
void dp_bd_reset_conf(uint16_t bd);
bool dp_port_link_up(uint16_t eth_port);

/* Counters (dp_stats.c): the workers' per-lcore values, summed. */

/* The uint64_t counter at 'offset' (DP_LCORE_U64) summed over the workers. */
uint64_t dp_lcore_sum(size_t offset);

/* TX-full drops of a slot, summed over workers (since the daemon started). */
static inline uint64_t
dp_tx_full_sum(uint16_t slot)
{
	return dp_lcore_sum(DP_LCORE_U64(tx_full, slot));
}

/* Link-down drops of a slot, summed over workers (since the daemon started). */
static inline uint64_t
dp_tx_link_down_sum(uint16_t slot)
{
	return dp_lcore_sum(DP_LCORE_U64(tx_link_down, slot));
}

/* Tunnels (dp_tunnel.c). */

/** An ICMP error from the uplink about one of our tunnels: note it and log it. @return true if it was one. */
bool dp_tunnel_icmp_input(const struct rte_mbuf *m, uint64_t now_ms);
/** Start the drop count of slots that changed (VSID, PA); after records change. */
void dp_tunnel_sync(void);

/* Routing domains (dp_rd.c); the routing stage's snapshot is dp_rd_priv.h. */

/** Forget every domain and publish an empty snapshot: dp_init().  @return 0 or -ENOMEM. */
int dp_rd_reset(void);
/** Free the snapshot: dp_fini(), workers stopped. */
void dp_rd_fini(void);
/**
 * May bridge domain 'bd' take the routing settings of 's' (rd, gateway,
 * gateway_len, with its vsid)?  @return 0 or -errno with 'why' (dp_bd_apply()).
 */
int dp_rd_bd_check(uint16_t bd, const struct dp_bd_settings *s, struct dp_bd_refusal *why);
/** Take them, once checked.  @return 0, or -ENOMEM with nothing changed. */
int dp_rd_bd_apply(uint16_t bd, const struct dp_bd_settings *s);
/** Bridge domain 'bd' is being deleted: it leaves its routing domain. */
void dp_rd_bd_forget(uint16_t bd);
/** Fill the routing settings of 's' (rd, gateway, gateway_len) from those of 'bd'. */
void dp_rd_bd_get(uint16_t bd, struct dp_bd_settings *s);

#endif /* VSW_DP_CTL_H */
