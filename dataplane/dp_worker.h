/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker side of dataplane/: what a PMD worker lcore calls, and nothing
 * else may (tests drive the pipeline as a worker would: one thread, a
 * struct dp_lcore of its own, a snapshot loaded once per round).
 *
 * Everything here is lock-free and never blocks: it reads the published
 * snapshots (struct dp_snapshot, the overlay's and the routing domains'),
 * writes only its own struct dp_lcore, and hands work for the control thread
 * over rings (FDB events, ARP and ICMP from the uplink).  The control side
 * is dp_ctl.h; what both see is dp_priv.h.
 *
 * Files: dp_worker.c (the poll loop), dp_pipeline.c (which path a burst
 * takes; the VM port's path), dp_stage.h/.c (the stages every path shares),
 * dp_uplink.c (the uplink's path), dp_vlan.c (VLAN ports' parse stage, tag
 * push), dp_route.c (the routing stage), dp_nvgre.c (encapsulation, overlay
 * flooding, ARP suppression), dp_act.h (count, drop, buffered TX).
 */
#ifndef VSW_DP_WORKER_H
#define VSW_DP_WORKER_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "dp_priv.h"

/* The loop (dp_worker.c). */

/* Worker entry point: rte_eal_remote_launch() argument is its struct dp_lcore. */
int dp_worker_main(void *arg);
/* Bring lc->now to the whole seconds since dp_init at TSC 'tsc'. */
void dp_worker_clock(struct dp_lcore *lc, uint64_t tsc);
/* One poll of every RX queue of 'lc' in 'snap', then TX flush. @return frames received. */
uint32_t dp_poll_round(struct dp_lcore *lc, const struct dp_snapshot *snap);
/* Send every buffered frame. */
void dp_tx_flush(struct dp_lcore *lc, const struct dp_snapshot *snap);
/* Send what the control thread queued for this worker (ARP and ND on the uplink). */
void dp_inject_drain(struct dp_lcore *lc, const struct dp_snapshot *snap);

/* The paths (dp_pipeline.c, dp_vlan.c, dp_uplink.c): each consumes its frames. */

/* A burst from any port: picks the path. */
void dp_pipeline_burst(struct dp_lcore *lc, const struct dp_snapshot *snap,
		       const struct dp_rxq *rxq, struct rte_mbuf **pkts, uint16_t nb_pkts);
/* The VM port's path, for frames all of bridge domain rxq->bd. */
void dp_l2_burst(struct dp_lcore *lc, const struct dp_snapshot *snap, const struct dp_rxq *rxq,
		 struct rte_mbuf **pkts, uint16_t nb_pkts);
/*
 * A burst from a port with a VLAN mode: tags checked and popped, frames
 * given their VLAN's bridge domain, then dp_l2_burst per run of one domain,
 * so a port's frames keep their order.
 */
void dp_vlan_burst(struct dp_lcore *lc, const struct dp_snapshot *snap, const struct dp_rxq *rxq,
		   struct rte_mbuf **pkts, uint16_t nb_pkts);
/* A burst from the uplink: ARP, ND and ICMP errors to the control thread, NVGRE decapsulated and switched. */
void dp_uplink_burst(struct dp_lcore *lc, const struct dp_snapshot *snap, const struct dp_rxq *rxq,
		     struct rte_mbuf **pkts, uint16_t nb_pkts);

/* Steps the paths call. */

/* Strip the uplink's provider VLAN; frames without it are dropped.  @return frames kept. */
uint16_t dp_vlan_uplink_rx(struct dp_lcore *lc, const struct dp_snapshot *snap,
			   struct rte_mbuf **pkts, uint16_t nb_pkts);
/* Push 'vlan' onto 'm' (a copy if 'm' is shared). @return the frame, or NULL (counted, freed). */
struct rte_mbuf *dp_vlan_push(struct dp_lcore *lc, uint16_t vlan, struct rte_mbuf *m);
/* Flood to the bridge domain's local ports but 'in_slot'; consumes 'm'. @return copies sent. */
unsigned int dp_flood_local(struct dp_lcore *lc, const struct dp_snapshot *snap, uint16_t bd,
			    uint16_t in_slot, struct rte_mbuf *m);
/* Flood in a tenant subnet: local ports and every remote PA of its VSID; consumes 'm'. */
void dp_flood_overlay(struct dp_lcore *lc, const struct dp_snapshot *snap, uint16_t bd,
		      uint16_t in_slot, struct rte_mbuf *m);
/* Encapsulate 'n' frames (n <= VSW_BURST_SIZE) for template slot 'slot' and send them on the uplink; consumes them. */
void dp_encap_run(struct dp_lcore *lc, const struct dp_snapshot *snap, uint16_t slot,
		  struct rte_mbuf **pkts, uint16_t n);
/*
 * Encapsulation frame by frame (nvgre_encap.h) for template slot 'slot': its
 * IPv4 template, or NULL when the frames must go through dp_encap_run()
 * instead (no uplink, a tagged uplink, an IPv6 tunnel, no usable template:
 * that function counts and sends whatever the case).
 */
const struct nvgre_template *dp_encap_template4(const struct dp_snapshot *snap, uint16_t slot);
/* A frame the encapsulation for 'slot' refused for 'why': counted, freed. */
void dp_encap_refused(struct dp_lcore *lc, uint16_t slot, enum nvgre_encap_reason why,
		      struct rte_mbuf *m);
/* 'n' frames encapsulated frame by frame: counted, and sent on the uplink. */
void dp_encap_sent(struct dp_lcore *lc, const struct dp_snapshot *snap, struct rte_mbuf **pkts,
		   uint16_t n);
/* Unicast FDB misses in a tenant subnet: remote slots from the lookup records, or FDB_PORT_NONE; n <= VSW_BURST_SIZE. */
void dp_overlay_lookup_bulk(const uint64_t *keys, uint16_t n, uint16_t *ports);
/* If 'm' is an ARP request a lookup record answers, turn it into the reply. @return 1 if so. */
int dp_arp_suppress(struct dp_lcore *lc, const struct dp_snapshot *snap, uint16_t bd,
		    struct rte_mbuf *m);
/**
 * The routing stage (dp_route.c): take out of the burst what the
 * distributed router handles: frames to the router MAC of the ingress
 * bridge domain (routed, answered or dropped) and ARP requests for its
 * gateway (answered); move the rest down, keeping their order, 'dst_keys'
 * and 'key_of' (struct dst_lookup's).  @return the frames left.
 */
uint16_t dp_route_burst(struct dp_lcore *lc, const struct dp_snapshot *snap,
			const struct dp_rxq *rxq, struct rte_mbuf **pkts, uint64_t *dst_keys,
			uint8_t *key_of, uint16_t n);

#endif /* VSW_DP_WORKER_H */
