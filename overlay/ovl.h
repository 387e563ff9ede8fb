/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The overlay (NVGRE, RFC 7637) as the dataplane and the control side use it.
 * nvgre.h holds the wire format and the pure per-packet steps; ovl_tables.h
 * the tables; this header adds the two worker steps that need both
 * (decapsulation check, ARP suppression) and says how the pipeline is meant
 * to call the whole.
 *
 * How the pipeline calls it (worker context; 'snap' = ovl_snapshot_get(),
 * loaded once per burst, like the dataplane's own snapshot):
 *
 *   From a VM port whose bridge domain 'bd' has a VSID (ovl_bd_to_vsid):
 *     1. ARP request?  ovl_arp_suppress(ovl, vsid, m) == 1 -> send 'm' back
 *        out of the ingress port; nothing goes over the overlay.
 *     2. FDB lookup of (bd, dst MAC) as today.  A local port wins.
 *     3. Unicast FDB miss: ovl_mac_lookup_bulk() with the same keys
 *        (ovl_mac_key() == fdb_key()).  slot < OVL_MAX_SLOTS:
 *          t = ovl_tmpl_get(snap, slot, &why); NULL -> count 'why', free;
 *          fid = nvgre_flow_id(nvgre_flow_hash(m));
 *          nvgre_encap_one(m, t, fid) != OK -> count the reason, free;
 *          else TX on the uplink.
 *        OVL_SLOT_LOCAL or OVL_SLOT_NONE: flood as an unknown unicast.
 *     4. Broadcast, multicast, unknown unicast: flood to the local members
 *        and head-end replicate to every slot of ovl_flood_slots(snap, bd):
 *        nvgre_strip_vlan(m) once, then nvgre_encap_clone() per slot with
 *        one flow id for all copies.
 *
 *   From the uplink:
 *     1. ARP (EtherType 0x0806): hand the frame to the control thread by
 *        rte_ring; the control thread calls ovl_arp_input() and sends the
 *        reply it may build.  Workers never change the neighbour table,
 *        because a change rebuilds templates and waits for a grace period.
 *     2. Otherwise r = ovl_decap_check(ovl, snap, m, flags, &memo, &info); r != OK
 *        -> count nvgre_decap_reason_name(r), free.
 *     3. nvgre_decap_strip(m, &info); learn (info.bd, inner src MAC) as
 *        living at info.src_pa; forward the inner frame in info.bd to local
 *        ports only (never back to the uplink: split horizon).
 *
 * Counters: generate one per-lcore counter per NVGRE_ENCAP_REASONS and
 * NVGRE_DECAP_REASONS entry (X-macros in nvgre.h); names come from
 * nvgre_*_reason_name().  "drop_malformed" appears in both lists and in the
 * dataplane's own list on purpose: one counter, three sources.
 *
 * The control thread (ctl methods) calls the configuration functions of
 * ovl_tables.h: vsid add/del, lookup-record add/del/walk, PA add/del,
 * uplink set, route add/del/walk, neighbour add/del/walk.  Periodically
 * (say every second) it calls ovl_neigh_age(), then ovl_neigh_wanted() and
 * sends an ovl_arp_request_build() frame on the uplink for each address.
 *
 * Thread-safety: the functions declared here are worker-safe and lock-free;
 * see ovl_tables.h and nvgre.h for the others.
 */
#ifndef VSW_OVL_H
#define VSW_OVL_H

#include <stdint.h>

#include "nvgre.h"
#include "ovl_tables.h"

/* The last VSID a burst mapped to its bridge domain: a burst is usually one subnet's. */
struct ovl_vsid_memo {
	uint32_t vsid; /**< 0 (never a valid VSID) until the first lookup */
	uint16_t bd;   /**< its bridge domain */
};

/**
 * nvgre_decap_check() against our PAs in 'snap', then the VSID against the
 * configured ones (UNKNOWN_VSID); on OK, info->bd is the VSID's bridge
 * domain.  The VSID is looked up once per run of frames of one VSID:
 * 'memo', zeroed before a burst, remembers the last one.  Worker-safe,
 * lock-free.
 */
static inline enum nvgre_decap_reason
ovl_decap_check(const struct ovl *ovl, const struct ovl_snapshot *snap, const struct rte_mbuf *m,
		unsigned int flags, struct ovl_vsid_memo *memo, struct nvgre_decap_info *info)
{
	enum nvgre_decap_reason r = nvgre_decap_check(m, &snap->local, flags, info);

	if (r != NVGRE_DECAP_OK)
		return r;
	if (info->vsid != memo->vsid) {
		if (ovl_vsid_to_bd(ovl, info->vsid, &memo->bd) != 0) {
			memo->vsid = 0;
			return NVGRE_DECAP_UNKNOWN_VSID;
		}
		memo->vsid = info->vsid;
	}
	info->bd = memo->bd;
	return NVGRE_DECAP_OK;
}

/**
 * ARP suppression.  If 'm' (an untagged frame from a VM in virtual subnet
 * 'vsid') is an ARP request for an address that has a lookup record in
 * 'vsid', rewrite it in place into the reply a host would send (the record's
 * MAC as sender, the requester as target).  Not answered: gratuitous ARP and
 * announcements (sender IP = target IP, they must reach everyone so a moved
 * VM is found), and requests for the requester's own address (DAD probes must
 * not see a conflict with themselves).  Worker-safe, lock-free.
 * @return 1 if 'm' now holds the reply, to send back out of the ingress port;
 *   0 if not handled ('m' unchanged; forward it as usual); -EINVAL if it is
 *   a truncated or invalid ARP frame; -ENOTSUP if not Ethernet/IPv4 ARP.
 */
int ovl_arp_suppress(const struct ovl *ovl, uint32_t vsid, struct rte_mbuf *m);

#endif /* VSW_OVL_H */
