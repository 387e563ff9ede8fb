/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The overlay's control side: the uplink, provider addresses, routes,
 * neighbours and lookup records, given as typed values by the control plane
 * (parsed there) and handed to overlay/.  Also the periodic work the overlay
 * needs: answering ARP and neighbour solicitations on the uplink and
 * resolving next hops.  Control thread only.
 */
#include "dp_ctl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "ovl.h"

#define NEIGH_WANTED_MAX 16 /* ARP requests and solicitations sent per second at most */

void
dp_ip_text(rte_be32_t ip, char *out, size_t len)
{
	struct in_addr a = { .s_addr = ip };

	inet_ntop(AF_INET, &a, out, (socklen_t)len);
}

void
dp_pa_text(const struct ovl_ip *ip, char *out, size_t len)
{
	if (ip->family == AF_INET6)
		inet_ntop(AF_INET6, ip->v6, out, (socklen_t)len);
	else if (ip->family == AF_INET)
		dp_ip_text(ip->v4, out, len);
	else
		snprintf(out, len, "?");
}

int
dp_bd_set_vsid(uint16_t bd, uint32_t vsid, uint16_t *other)
{
	uint32_t old = ovl_bd_to_vsid(ovl_snapshot_get(dp_main.ovl), bd);
	int ret;

	if (vsid != 0 && !nvgre_vsid_is_valid(vsid))
		return -EINVAL;
	if (vsid == old)
		return 0;
	if (vsid != 0 && ovl_vsid_to_bd(dp_main.ovl, vsid, other) == 0)
		return -EEXIST;
	if (old != 0) {
		/* -EBUSY while the old VSID has lookup records. */
		ret = ovl_vsid_del(dp_main.ovl, old);
		if (ret < 0)
			return ret;
	}
	if (vsid == 0)
		return 0;
	ret = ovl_vsid_add(dp_main.ovl, vsid, bd);
	/* Put the old one back; it was there a moment ago, so its slot is free. */
	if (ret < 0 && old != 0)
		ovl_vsid_add(dp_main.ovl, old, bd);
	return ret;
}

uint32_t
dp_bd_vsid(uint16_t bd)
{
	return ovl_bd_to_vsid(ovl_snapshot_get(dp_main.ovl), bd);
}

int
dp_uplink_set(const char *name, uint16_t mtu)
{
	int slot = dp_port_find(name);
	struct rte_ether_addr mac;
	int ret;

	if (slot < 0)
		return -ENOENT;
	if (mtu == 0)
		mtu = OVL_DEFAULT_MTU;
	if (rte_eth_macaddr_get(dp_main.ports[slot].handle.eth_port, &mac) != 0)
		return -ENODEV;
	/* Virtual ports (ring, null) may have none: any locally administered one will do. */
	if (rte_is_zero_ether_addr(&mac))
		rte_eth_random_addr(mac.addr_bytes);
	ret = ovl_uplink_set(dp_main.ovl, &mac, mtu);
	if (ret < 0)
		return ret;
	for (uint16_t s = 0; s < VSW_MAX_PORTS; s++)
		dp_main.ports[s].is_uplink = false;
	dp_main.ports[slot].is_uplink = true;
	/* It left its bridge domain, which may now be deleted: if replaced, it joins 'default'. */
	dp_main.ports[slot].bd = 0;
	memset(&dp_main.ports[slot].vlan, 0, sizeof(dp_main.ports[slot].vlan));
	dp_main.uplink_mtu = mtu;
	/* Its learned MACs were tenant MACs of its old bridge domain. */
	ret = dp_publish();
	if (ret == 0)
		dp_fdb_forget_port((uint16_t)slot);
	return ret;
}

static void remap_records_of(const struct ovl_ip *pa);

int
dp_pa_add(const struct ovl_prefix *pa)
{
	int ret = ovl_pa_add(dp_main.ovl, pa);

	if (ret < 0)
		return ret;
	remap_records_of(&pa->addr);
	return 0;
}

int
dp_pa_del(const struct ovl_ip *pa)
{
	int ret = ovl_pa_del(dp_main.ovl, pa);

	if (ret < 0)
		return ret;
	remap_records_of(pa);
	return 0;
}

int
dp_route_add(const struct ovl_prefix *prefix, const struct ovl_ip *gateway)
{
	return ovl_route_add(dp_main.ovl, prefix, gateway);
}

int
dp_route_del(const struct ovl_prefix *prefix)
{
	return ovl_route_del(dp_main.ovl, prefix);
}

int
dp_neigh_add(const struct ovl_ip *ip, const uint8_t mac[6])
{
	struct rte_ether_addr addr;

	memcpy(addr.addr_bytes, mac, sizeof(addr.addr_bytes));
	return ovl_neigh_add_static(dp_main.ovl, ip, &addr);
}

int
dp_neigh_del(const struct ovl_ip *ip)
{
	return ovl_neigh_del(dp_main.ovl, ip);
}

/* Where the lookup records place MAC key 'key': a remote FDB port value, or FDB_PORT_NONE. */
static uint16_t
record_port(uint64_t key)
{
	struct ovl_mac_dest dest;

	if (ovl_mac_lookup(dp_main.ovl, key, &dest) < 0 || dest.slot >= OVL_MAX_SLOTS)
		return FDB_PORT_NONE;
	return (uint16_t)(DP_PORT_REMOTE | dest.slot);
}

/*
 * Records are the authority for where a tenant address lives: mirror each
 * remote CA MAC into the FDB (cause "record", never aged), so encapsulation
 * finds it with the same bulk lookup as local MACs instead of a second
 * table.  A MAC whose records are gone, or that lives on one of our PAs,
 * loses its record entry; learned and static entries on local ports are
 * not the record's to remove.
 */
static void
sync_record_entry(uint16_t bd, const struct rte_ether_addr *mac)
{
	uint64_t key = fdb_key(bd, mac);
	uint16_t dest = record_port(key);
	struct fdb_entry e;

	if (dp_port_is_remote(dest)) {
		fdb_add_record(dp_main.fdb, key, dest);
		return;
	}
	if (fdb_lookup(dp_main.fdb, key, &e) == 0 && (e.flags & FDB_F_RECORD))
		fdb_delete(dp_main.fdb, key);
}

static bool
on_dead_slot(const struct fdb_entry *e, const void *arg)
{
	const struct ovl_snapshot *os = arg;
	uint16_t slot;

	if (!dp_port_is_remote(e->port))
		return false;
	slot = dp_remote_slot(e->port);
	return slot >= os->nb_slots || os->slot_pa[slot].family == 0;
}

/*
 * A template slot lives while lookup records use it and may then be reused
 * for another host: MACs learned over the overlay against a slot that just
 * died must go, or they would follow the slot to the wrong host.  The walk
 * of the whole MAC table is for the changes that freed a slot only: most
 * record changes free none, and an agent applies thousands of them.
 */
static void
forget_dead_slots(void)
{
	static uint64_t freed_seen;
	uint64_t freed = ovl_slots_freed(dp_main.ovl);

	if (freed == freed_seen)
		return;
	freed_seen = freed;
	fdb_delete_if(dp_main.fdb, on_dead_slot, ovl_snapshot_get(dp_main.ovl));
}

struct pa_records {
	struct ovl_ip pa;         /**< the provider address looked for */
	struct ovl_record *recs;  /**< its records, or NULL: count only */
	unsigned int n;           /**< records found */
};

static void
collect_pa_record(const struct ovl_record *rec, void *arg)
{
	struct pa_records *w = arg;

	if (!ovl_ip_eq(&rec->pa, &w->pa))
		return;
	if (w->recs != NULL)
		w->recs[w->n] = *rec;
	w->n++;
}

/*
 * A record's destination (our own host, or a template slot for another)
 * is fixed when the record is added, so records of a PA that just became
 * ours, or stopped being ours, are added again: otherwise traffic to a VM
 * recorded before its host's PA was configured is encapsulated to ourselves
 * and dropped until the VM speaks.  Control thread only.
 */
static void
remap_records_of(const struct ovl_ip *pa)
{
	struct pa_records w = { .pa = *pa };
	unsigned int n;

	ovl_record_walk(dp_main.ovl, collect_pa_record, &w);
	if (w.n == 0)
		return;
	n = w.n;
	w.recs = calloc(n, sizeof(*w.recs));
	if (w.recs == NULL) {
		fprintf(stderr, "vswd: no memory to remap the records of a provider address\n");
		return;
	}
	w.n = 0;
	ovl_record_walk(dp_main.ovl, collect_pa_record, &w);
	for (unsigned int i = 0; i < w.n && i < n; i++) {
		const struct ovl_record *r = &w.recs[i];
		uint16_t bd;

		if (ovl_record_add(dp_main.ovl, r->vsid, r->ca_ip, &r->ca_mac, &r->pa) < 0 ||
		    ovl_vsid_to_bd(dp_main.ovl, r->vsid, &bd) < 0)
			continue;
		sync_record_entry(bd, &r->ca_mac);
	}
	forget_dead_slots();
	free(w.recs);
}

int
dp_lookup_add(uint32_t vsid, uint32_t ca_ip, const uint8_t ca_mac[6], const struct ovl_ip *pa)
{
	struct rte_ether_addr mac;
	struct ovl_record old;
	bool had_old;
	uint16_t bd;
	int ret;

	if (!nvgre_vsid_is_valid(vsid))
		return -EDOM;
	if (ovl_vsid_to_bd(dp_main.ovl, vsid, &bd) < 0)
		return -ENOENT;
	memcpy(mac.addr_bytes, ca_mac, sizeof(mac.addr_bytes));
	/* A record whose CA MAC changes must not leave the old MAC's entry behind. */
	had_old = ovl_record_lookup(dp_main.ovl, vsid, ca_ip, &old) == 0 &&
		  !rte_is_same_ether_addr(&old.ca_mac, &mac);
	ret = ovl_record_add(dp_main.ovl, vsid, ca_ip, &mac, pa);
	if (ret < 0)
		return ret;
	forget_dead_slots();
	dp_tunnel_sync();
	sync_record_entry(bd, &mac);
	if (had_old)
		sync_record_entry(bd, &old.ca_mac);
	return 0;
}

int
dp_lookup_del(uint32_t vsid, uint32_t ca_ip)
{
	struct ovl_record rec;
	uint16_t bd;
	int ret;

	if (ovl_record_lookup(dp_main.ovl, vsid, ca_ip, &rec) < 0 ||
	    ovl_vsid_to_bd(dp_main.ovl, vsid, &bd) < 0)
		return -ENOENT;
	ret = ovl_record_del(dp_main.ovl, vsid, ca_ip);
	if (ret < 0)
		return ret;
	forget_dead_slots();
	sync_record_entry(bd, &rec.ca_mac);
	return 0;
}

void
dp_overlay_get(struct dp_overlay_info *info)
{
	const struct ovl_snapshot *s = ovl_snapshot_get(dp_main.ovl);

	memset(info, 0, sizeof(*info));
	for (uint16_t slot = 0; slot < VSW_MAX_PORTS; slot++) {
		const struct dp_port *p = &dp_main.ports[slot];
		struct rte_ether_addr mac;

		if (!p->in_use || !p->is_uplink)
			continue;
		snprintf(info->uplink, sizeof(info->uplink), "%s", p->name);
		if (rte_eth_macaddr_get(p->handle.eth_port, &mac) == 0) {
			memcpy(info->uplink_mac, mac.addr_bytes, sizeof(info->uplink_mac));
			info->has_uplink_mac = true;
		}
	}
	info->uplink_mtu = s->mtu;
	info->tenant_mtu = (uint16_t)(s->mtu - NVGRE_MTU_OVERHEAD);
	info->tenant_mtu6 = s->mtu > NVGRE_MTU_OVERHEAD6 ? (uint16_t)(s->mtu - NVGRE_MTU_OVERHEAD6) : 0;
	info->nb_pas = ovl_pa_list(dp_main.ovl, info->pas, RTE_DIM(info->pas));
	info->uplink_vlan = dp_main.uplink_vlan;
}

struct lookup_walk {
	uint32_t vsid;       /**< 0 = all */
	dp_lookup_cb *cb;    /**< caller's */
	void *arg;           /**< its argument */
	int n;               /**< passed on */
};

static void
lookup_one(const struct ovl_record *rec, void *arg)
{
	struct lookup_walk *w = arg;
	struct dp_lookup_record out;

	if (w->vsid != 0 && rec->vsid != w->vsid)
		return;
	memset(&out, 0, sizeof(out));
	out.vsid = rec->vsid;
	out.ca_ip = rec->ca_ip;
	memcpy(out.ca_mac, rec->ca_mac.addr_bytes, sizeof(out.ca_mac));
	out.pa = rec->pa;
	out.local = ovl_is_local_pa(ovl_snapshot_get(dp_main.ovl), &rec->pa);
	w->cb(&out, w->arg);
	w->n++;
}

int
dp_lookup_walk(uint32_t vsid, dp_lookup_cb *cb, void *arg)
{
	struct lookup_walk w = { .vsid = vsid, .cb = cb, .arg = arg };

	ovl_record_walk(dp_main.ovl, lookup_one, &w);
	return w.n;
}

struct route_walk {
	dp_route_cb *cb; /**< caller's */
	void *arg;       /**< its argument */
	int n;           /**< passed on */
};

static void
route_one(const struct ovl_route *r, void *arg)
{
	struct route_walk *w = arg;
	struct dp_route_info out;

	memset(&out, 0, sizeof(out));
	out.prefix = r->prefix;
	out.gateway = r->gateway;
	out.connected = r->gateway.family == 0;
	w->cb(&out, w->arg);
	w->n++;
}

int
dp_route_walk(dp_route_cb *cb, void *arg)
{
	struct route_walk w = { .cb = cb, .arg = arg };

	ovl_route_walk(dp_main.ovl, route_one, &w);
	return w.n;
}

struct neigh_walk {
	dp_neigh_cb *cb;  /**< caller's */
	void *arg;        /**< its argument */
	uint64_t now_ms;  /**< for ages */
	int n;            /**< passed on */
};

static void
neigh_one(const struct ovl_neigh *nb, void *arg)
{
	struct neigh_walk *w = arg;
	struct dp_neigh_info out;

	memset(&out, 0, sizeof(out));
	out.ip = nb->ip;
	memcpy(out.mac, nb->mac.addr_bytes, sizeof(out.mac));
	out.is_static = (nb->flags & OVL_NEIGH_F_STATIC) != 0;
	out.resolved = !rte_is_zero_ether_addr(&nb->mac);
	if (!out.is_static && w->now_ms >= nb->updated_ms)
		out.age_s = (uint32_t)((w->now_ms - nb->updated_ms) / 1000);
	w->cb(&out, w->arg);
	w->n++;
}

int
dp_neigh_walk(dp_neigh_cb *cb, void *arg)
{
	struct neigh_walk w = { .cb = cb, .arg = arg, .now_ms = dp_now_ms() };

	struct ovl_ip wanted[64];
	unsigned int nb_wanted;
	struct ovl_neigh n;

	ovl_neigh_walk(dp_main.ovl, neigh_one, &w);
	/* Next hops that tunnels need and ARP has not answered yet: incomplete. */
	nb_wanted = ovl_neigh_wanted(dp_main.ovl, w.now_ms, wanted, RTE_DIM(wanted));
	for (unsigned int i = 0; i < nb_wanted; i++) {
		struct dp_neigh_info out;

		if (ovl_neigh_lookup(dp_main.ovl, &wanted[i], &n) == 0)
			continue;
		memset(&out, 0, sizeof(out));
		out.ip = wanted[i];
		cb(&out, arg);
		w.n++;
	}
	return w.n;
}

/* Hand a frame the control thread built to a worker, which sends it on the uplink. */
static void
send_on_uplink(struct rte_mbuf *m)
{
	int slot = dp_uplink_slot();

	if (slot < 0) {
		dp_main.control_tx_dropped++;
		rte_pktmbuf_free(m);
		return;
	}
	/* The worker reads the destination slot from 'port'. */
	m->port = (uint16_t)slot;
	if (rte_ring_mp_enqueue(dp_main.lcores[0]->inject, m) != 0) {
		dp_main.control_tx_dropped++;
		rte_pktmbuf_free(m);
	}
}

/*
 * Frames the workers passed up from the uplink: ARP and neighbour discovery
 * (learn neighbours, answer for our PAs) and ICMP errors (which tunnel the
 * provider network refused).
 */
static void
take_uplink_arp(uint64_t now_ms)
{
	struct rte_mbuf *m;

	for (unsigned int n = 0; n < 256 && rte_ring_sc_dequeue(dp_main.ctl_rx, (void **)&m) == 0;
	     n++) {
		rte_be16_t type = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *)->ether_type;
		int ret;

		/* IPv4 comes up only as ICMP errors; IPv6 as ICMPv6 errors or neighbour discovery. */
		if (type == RTE_BE16(RTE_ETHER_TYPE_IPV4)) {
			dp_tunnel_icmp_input(m, now_ms);
			rte_pktmbuf_free(m);
			continue;
		}
		if (type == RTE_BE16(RTE_ETHER_TYPE_IPV6) && dp_tunnel_icmp_input(m, now_ms)) {
			rte_pktmbuf_free(m);
			continue;
		}
		if (type == RTE_BE16(RTE_ETHER_TYPE_IPV6))
			ret = ovl_nd_input(dp_main.ovl, m, now_ms);
		else
			ret = ovl_arp_input(dp_main.ovl, m, now_ms);
		if (ret == 1)
			send_on_uplink(m);
		else
			rte_pktmbuf_free(m);
	}
}

static void
resolve_next_hops(uint64_t now_ms)
{
	struct ovl_ip wanted[NEIGH_WANTED_MAX];
	unsigned int n;

	ovl_neigh_age(dp_main.ovl, now_ms);
	n = ovl_neigh_wanted(dp_main.ovl, now_ms, wanted, NEIGH_WANTED_MAX);
	for (unsigned int i = 0; i < n; i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(dp_main.pool);

		if (m == NULL) {
			dp_main.control_tx_dropped++;
			return;
		}
		/* ARP for an IPv4 next hop, a neighbour solicitation for an IPv6 one. */
		if ((ovl_ip_is6(&wanted[i]) ?
			     ovl_nd_solicit_build(dp_main.ovl, m, &wanted[i]) :
			     ovl_arp_request_build(dp_main.ovl, m, wanted[i].v4)) < 0) {
			dp_main.control_tx_dropped++;
			rte_pktmbuf_free(m);
			continue;
		}
		send_on_uplink(m);
	}
}

void
dp_overlay_periodic(bool second)
{
	uint64_t now_ms = dp_now_ms();

	take_uplink_arp(now_ms);
	if (second)
		resolve_next_hops(now_ms);
}
