/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The overlay's control side: the uplink, provider addresses, routes,
 * neighbours and lookup records, given as text by the control plane and
 * handed to overlay/.  Also the periodic work the overlay needs: answering
 * ARP on the uplink and resolving next hops.  Control thread only.
 */
#include "dp_priv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dp_act.h"
#include "ovl.h"

#define NEIGH_WANTED_MAX 16 /* ARP requests sent per second at most */

static int
parse_ip(const char *what, const char *text, rte_be32_t *ip, char *err, size_t errlen)
{
	struct in_addr a;

	if (text == NULL || inet_pton(AF_INET, text, &a) != 1)
		return dp_fail(-EINVAL, err, errlen, "%s '%s' is not an IPv4 address (like 192.0.2.1)",
			    what, text ? text : "");
	*ip = a.s_addr;
	return 0;
}

static int
parse_prefix(const char *what, const char *text, rte_be32_t *ip, uint8_t *len, char *err,
	     size_t errlen)
{
	char buf[32], *slash, *end;
	unsigned long bits;

	if (text == NULL || strlen(text) >= sizeof(buf))
		return dp_fail(-EINVAL, err, errlen, "%s must look like 192.0.2.0/24", what);
	snprintf(buf, sizeof(buf), "%s", text);
	slash = strchr(buf, '/');
	if (slash == NULL)
		return dp_fail(-EINVAL, err, errlen, "%s '%s' needs a prefix length, like %s/24", what,
			    text, text);
	*slash = '\0';
	bits = strtoul(slash + 1, &end, 10);
	if (slash[1] == '\0' || *end != '\0' || bits > 32)
		return dp_fail(-EINVAL, err, errlen, "%s '%s': prefix length must be 0 to 32", what,
			    text);
	*len = (uint8_t)bits;
	return parse_ip(what, buf, ip, err, errlen);
}

void
dp_ip_text(rte_be32_t ip, char *out, size_t len)
{
	struct in_addr a = { .s_addr = ip };

	inet_ntop(AF_INET, &a, out, (socklen_t)len);
}

/* Map an overlay -errno to a sentence for the user. */
static int
ovl_fail(int ret, char *err, size_t errlen, const char *what)
{
	switch (ret) {
	case -EEXIST:
		return dp_fail(ret, err, errlen, "%s already exists", what);
	case -ENOENT:
		return dp_fail(ret, err, errlen, "%s does not exist", what);
	case -ENOSPC:
		return dp_fail(ret, err, errlen, "no room for %s: its table is full", what);
	case -ENETUNREACH:
		return dp_fail(ret, err, errlen,
			    "%s is not on a connected subnet: add a provider address (pa add) in its subnet first",
			    what);
	case -ENOMEM:
		return dp_fail(ret, err, errlen, "out of memory for %s", what);
	default:
		return dp_fail(ret, err, errlen, "%s: %s", what, strerror(-ret));
	}
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
dp_uplink_set(const char *name, uint16_t mtu, char *err, size_t errlen)
{
	int slot = dp_port_find(name);
	struct rte_ether_addr mac;
	int ret;

	if (slot < 0)
		return dp_fail(-ENOENT, err, errlen, "port '%s' does not exist; add it first", name);
	if (mtu == 0)
		mtu = OVL_DEFAULT_MTU;
	if (rte_eth_macaddr_get(dp_main.ports[slot].handle.eth_port, &mac) != 0)
		return dp_fail(-ENODEV, err, errlen, "cannot read the MAC address of port '%s'", name);
	/* Virtual ports (ring, null) may have none: any locally administered one will do. */
	if (rte_is_zero_ether_addr(&mac))
		rte_eth_random_addr(mac.addr_bytes);
	ret = ovl_uplink_set(dp_main.ovl, &mac, mtu);
	if (ret == -ERANGE)
		return dp_fail(ret, err, errlen, "MTU %u is too small for NVGRE (at least %u)", mtu,
			    68 + NVGRE_MTU_OVERHEAD);
	if (ret < 0)
		return dp_fail(ret, err, errlen, "port '%s' has no unicast MAC address to send from",
			    name);
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

static void remap_records_of(rte_be32_t pa);

int
dp_pa_add(const char *ip_prefix, char *err, size_t errlen)
{
	rte_be32_t ip = 0;
	uint8_t len;
	int ret = parse_prefix("provider address", ip_prefix, &ip, &len, err, errlen);

	if (ret < 0)
		return ret;
	ret = ovl_pa_add(dp_main.ovl, ip, len);
	if (ret < 0)
		return ovl_fail(ret, err, errlen, ip_prefix);
	remap_records_of(ip);
	return 0;
}

int
dp_pa_del(const char *ip, char *err, size_t errlen)
{
	rte_be32_t pa = 0;
	int ret = parse_ip("provider address", ip, &pa, err, errlen);

	if (ret < 0)
		return ret;
	ret = ovl_pa_del(dp_main.ovl, pa);
	if (ret < 0)
		return ovl_fail(ret, err, errlen, ip);
	remap_records_of(pa);
	return 0;
}

int
dp_route_add(const char *prefix, const char *gateway, char *err, size_t errlen)
{
	rte_be32_t net = 0, gw = 0;
	uint8_t len;
	int ret = parse_prefix("route prefix", prefix, &net, &len, err, errlen);

	if (ret < 0 || (ret = parse_ip("gateway", gateway, &gw, err, errlen)) < 0)
		return ret;
	ret = ovl_route_add(dp_main.ovl, net, len, gw);
	if (ret == -EINVAL && len < 32 && (rte_be_to_cpu_32(net) & (UINT32_MAX >> len)) != 0) {
		char want[INET_ADDRSTRLEN];

		dp_ip_text(rte_cpu_to_be_32(rte_be_to_cpu_32(net) & ~(UINT32_MAX >> len)), want,
			   sizeof(want));
		return dp_fail(ret, err, errlen,
			       "route prefix %s has host bits set; did you mean %s/%u?", prefix, want,
			       len);
	}
	if (ret == -EINVAL)
		return dp_fail(ret, err, errlen,
			       "gateway %s is not a usable unicast address", gateway);
	if (ret == -EEXIST)
		return dp_fail(ret, err, errlen,
			       "%s is the connected route of a provider address: it needs no gateway",
			       prefix);
	return ret < 0 ? ovl_fail(ret, err, errlen, prefix) : 0;
}

int
dp_route_del(const char *prefix, char *err, size_t errlen)
{
	rte_be32_t net = 0;
	uint8_t len;
	int ret = parse_prefix("route prefix", prefix, &net, &len, err, errlen);

	if (ret < 0)
		return ret;
	ret = ovl_route_del(dp_main.ovl, net, len);
	if (ret == -EPERM)
		return dp_fail(ret, err, errlen,
			       "%s is the connected route of a provider address; delete the address "
			       "(vswctl pa del) to remove it",
			       prefix);
	return ret < 0 ? ovl_fail(ret, err, errlen, prefix) : 0;
}

int
dp_neigh_add(const char *ip, const uint8_t mac[6], char *err, size_t errlen)
{
	struct rte_ether_addr addr;
	rte_be32_t nip = 0;
	int ret = parse_ip("neighbour", ip, &nip, err, errlen);

	if (ret < 0)
		return ret;
	memcpy(addr.addr_bytes, mac, sizeof(addr.addr_bytes));
	if (!rte_is_unicast_ether_addr(&addr) || rte_is_zero_ether_addr(&addr))
		return dp_fail(-EINVAL, err, errlen, "a neighbour needs a unicast, non-zero MAC");
	ret = ovl_neigh_add_static(dp_main.ovl, nip, &addr);
	return ret < 0 ? ovl_fail(ret, err, errlen, ip) : 0;
}

int
dp_neigh_del(const char *ip, char *err, size_t errlen)
{
	rte_be32_t nip = 0;
	int ret = parse_ip("neighbour", ip, &nip, err, errlen);

	if (ret < 0)
		return ret;
	ret = ovl_neigh_del(dp_main.ovl, nip);
	return ret < 0 ? ovl_fail(ret, err, errlen, ip) : 0;
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
	uint16_t dest = dp_overlay_lookup(key);
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
	return slot >= os->nb_slots || os->slot_pa[slot] == 0;
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
	rte_be32_t pa;            /**< the provider address looked for */
	struct ovl_record *recs;  /**< its records, or NULL: count only */
	unsigned int n;           /**< records found */
};

static void
collect_pa_record(const struct ovl_record *rec, void *arg)
{
	struct pa_records *w = arg;

	if (rec->pa != w->pa)
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
remap_records_of(rte_be32_t pa)
{
	struct pa_records w = { .pa = pa };
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

		if (ovl_record_add(dp_main.ovl, r->vsid, r->ca_ip, &r->ca_mac, r->pa) < 0 ||
		    ovl_vsid_to_bd(dp_main.ovl, r->vsid, &bd) < 0)
			continue;
		sync_record_entry(bd, &r->ca_mac);
	}
	forget_dead_slots();
	free(w.recs);
}

int
dp_lookup_add(uint32_t vsid, const char *ca_ip, const uint8_t ca_mac[6], const char *pa,
	      char *err, size_t errlen)
{
	struct rte_ether_addr mac;
	rte_be32_t cip = 0, pip = 0;
	struct ovl_record old;
	bool had_old;
	uint16_t bd;
	int ret;

	if (!nvgre_vsid_is_valid(vsid))
		return dp_fail(-EINVAL, err, errlen, "vsid %u is reserved or out of range (4096..16777214)",
			    vsid);
	if (ovl_vsid_to_bd(dp_main.ovl, vsid, &bd) < 0)
		return dp_fail(-ENOENT, err, errlen,
			    "no bridge domain has vsid %u; create one with 'vswctl bd add NAME vsid=%u'",
			    vsid, vsid);
	if ((ret = parse_ip("customer address", ca_ip, &cip, err, errlen)) < 0 ||
	    (ret = parse_ip("provider address", pa, &pip, err, errlen)) < 0)
		return ret;
	memcpy(mac.addr_bytes, ca_mac, sizeof(mac.addr_bytes));
	if (!rte_is_unicast_ether_addr(&mac) || rte_is_zero_ether_addr(&mac))
		return dp_fail(-EINVAL, err, errlen, "a customer MAC must be unicast and non-zero");
	/* A record whose CA MAC changes must not leave the old MAC's entry behind. */
	had_old = ovl_record_lookup(dp_main.ovl, vsid, cip, &old) == 0 &&
		  !rte_is_same_ether_addr(&old.ca_mac, &mac);
	ret = ovl_record_add(dp_main.ovl, vsid, cip, &mac, pip);
	if (ret < 0)
		return ovl_fail(ret, err, errlen, "the lookup record");
	forget_dead_slots();
	dp_tunnel_sync();
	sync_record_entry(bd, &mac);
	if (had_old)
		sync_record_entry(bd, &old.ca_mac);
	return 0;
}

int
dp_lookup_del(uint32_t vsid, const char *ca_ip, char *err, size_t errlen)
{
	rte_be32_t cip = 0;
	struct ovl_record rec;
	uint16_t bd;
	int ret = parse_ip("customer address", ca_ip, &cip, err, errlen);

	if (ret < 0)
		return ret;
	if (ovl_record_lookup(dp_main.ovl, vsid, cip, &rec) < 0 ||
	    ovl_vsid_to_bd(dp_main.ovl, vsid, &bd) < 0)
		return dp_fail(-ENOENT, err, errlen, "no lookup record for %s in vsid %u", ca_ip, vsid);
	ret = ovl_record_del(dp_main.ovl, vsid, cip);
	if (ret < 0)
		return ovl_fail(ret, err, errlen, "that lookup record");
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
		if (rte_eth_macaddr_get(p->handle.eth_port, &mac) == 0)
			rte_ether_format_addr(info->uplink_mac, sizeof(info->uplink_mac), &mac);
	}
	info->uplink_mtu = s->mtu;
	info->tenant_mtu = (uint16_t)(s->mtu - NVGRE_MTU_OVERHEAD);
	info->uplink_vlan = dp_main.uplink_vlan;
	rte_be32_t pas[RTE_DIM(info->pas)];
	uint8_t lens[RTE_DIM(info->pas)];

	info->nb_pas = ovl_pa_list(dp_main.ovl, pas, lens, RTE_DIM(info->pas));
	for (unsigned int i = 0; i < info->nb_pas; i++) {
		char ip[16];

		dp_ip_text(pas[i], ip, sizeof(ip));
		snprintf(info->pas[i], sizeof(info->pas[i]), "%s/%u", ip, lens[i]);
	}
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
	dp_ip_text(rec->ca_ip, out.ca_ip, sizeof(out.ca_ip));
	memcpy(out.ca_mac, rec->ca_mac.addr_bytes, sizeof(out.ca_mac));
	dp_ip_text(rec->pa, out.pa, sizeof(out.pa));
	out.local = nvgre_pa_set_has(&ovl_snapshot_get(dp_main.ovl)->local, rec->pa);
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
	char ip[16];

	memset(&out, 0, sizeof(out));
	dp_ip_text(r->prefix, ip, sizeof(ip));
	snprintf(out.prefix, sizeof(out.prefix), "%s/%u", ip, r->len);
	if (r->gateway != 0)
		dp_ip_text(r->gateway, out.gateway, sizeof(out.gateway));
	out.connected = r->gateway == 0;
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
	dp_ip_text(nb->ip, out.ip, sizeof(out.ip));
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

	rte_be32_t wanted[64];
	unsigned int nb_wanted;
	struct ovl_neigh n;

	ovl_neigh_walk(dp_main.ovl, neigh_one, &w);
	/* Next hops that tunnels need and ARP has not answered yet: incomplete. */
	nb_wanted = ovl_neigh_wanted(dp_main.ovl, w.now_ms, wanted, RTE_DIM(wanted));
	for (unsigned int i = 0; i < nb_wanted; i++) {
		struct dp_neigh_info out;

		if (ovl_neigh_lookup(dp_main.ovl, wanted[i], &n) == 0)
			continue;
		memset(&out, 0, sizeof(out));
		dp_ip_text(wanted[i], out.ip, sizeof(out.ip));
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
 * Frames the workers passed up from the uplink: ARP (learn neighbours, answer
 * for our PAs) and ICMP errors (which tunnel the provider network refused).
 */
static void
take_uplink_arp(uint64_t now_ms)
{
	struct rte_mbuf *m;

	for (unsigned int n = 0; n < 256 && rte_ring_sc_dequeue(dp_main.ctl_rx, (void **)&m) == 0;
	     n++) {
		if (rte_pktmbuf_mtod(m, const struct rte_ether_hdr *)->ether_type ==
		    RTE_BE16(RTE_ETHER_TYPE_IPV4)) {
			dp_tunnel_icmp_input(m, now_ms);
			rte_pktmbuf_free(m);
		} else if (ovl_arp_input(dp_main.ovl, m, now_ms) == 1)
			send_on_uplink(m);
		else
			rte_pktmbuf_free(m);
	}
}

static void
resolve_next_hops(uint64_t now_ms)
{
	rte_be32_t wanted[NEIGH_WANTED_MAX];
	unsigned int n;

	ovl_neigh_age(dp_main.ovl, now_ms);
	n = ovl_neigh_wanted(dp_main.ovl, now_ms, wanted, NEIGH_WANTED_MAX);
	for (unsigned int i = 0; i < n; i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(dp_main.pool);

		if (m == NULL) {
			dp_main.control_tx_dropped++;
			return;
		}
		if (ovl_arp_request_build(dp_main.ovl, m, wanted[i]) < 0) {
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
