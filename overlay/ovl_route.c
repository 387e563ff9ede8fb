/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The provider side of the overlay: our PAs, provider routes (rte_lpm for
 * IPv4, rte_lpm6 for IPv6), the uplink neighbour table, next-hop resolution
 * into templates, and ARP on the uplink (neighbour discovery is in
 * ovl_nd.c).  Control thread only; workers see the result only through the
 * templates of the published snapshot.
 */
#include <errno.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_lpm.h>
#include <rte_lpm6.h>
#include <rte_mbuf.h>

#include "ovl_priv.h"

#define ARP_FRAME_LEN 60u /* minimum Ethernet frame without FCS; ARP is 42, the rest padding */

bool
ovl_ip_usable(const struct ovl_ip *ip)
{
	if (ip->family == AF_INET6) {
		const uint8_t *a = ip->v6;

		/* Unspecified, multicast and link-local are never a PA, gateway or tunnel end. */
		return !ovl_ip_is_zero(ip) && a[0] != 0xff && !(a[0] == 0xfe && (a[1] & 0xc0) == 0x80);
	}
	if (ip->family == AF_INET) {
		uint32_t h = rte_be_to_cpu_32(ip->v4);

		return (h >> 24) != 0 && (h >> 28) < 0xe;
	}
	return false;
}

bool
ovl_pa_is_ours(const struct ovl *ovl, const struct ovl_ip *ip)
{
	for (uint32_t i = 0; i < ovl->nb_pas; i++)
		if (ovl_ip_eq(&ovl->pas[i].addr, ip))
			return true;
	return false;
}

const struct ovl_ip *
ovl_pa_for_subnet(const struct ovl *ovl, const struct ovl_ip *ip)
{
	for (uint32_t i = 0; i < ovl->nb_pas; i++)
		if (ovl_ip_prefix_match(ip, &ovl->pas[i].addr, ovl->pas[i].len))
			return &ovl->pas[i].addr;
	return NULL;
}

int
ovl_uplink_set(struct ovl *ovl, const struct rte_ether_addr *mac, uint16_t mtu)
{
	if (!rte_is_unicast_ether_addr(mac) || rte_is_zero_ether_addr(mac))
		return -EINVAL;
	if (mtu < 68 + NVGRE_MTU_OVERHEAD)
		return -ERANGE;
	rte_ether_addr_copy(mac, &ovl->uplink_mac);
	ovl->has_uplink_mac = true;
	ovl->mtu = mtu;
	ovl->dirty = true;
	return ovl_commit(ovl);
}

/* Routes. */

static struct ovl_route_cfg *
route_find(const struct ovl *ovl, const struct ovl_prefix *prefix)
{
	for (uint32_t i = 0; i < ovl->params.max_routes; i++) {
		struct ovl_route_cfg *r = &ovl->routes[i];

		if (r->in_use && r->prefix.len == prefix->len &&
		    ovl_ip_eq(&r->prefix.addr, &prefix->addr))
			return r;
	}
	return NULL;
}

/* Add 'prefix' to its family's LPM in a free entry.  @return the entry, or NULL (-ENOSPC in *err). */
static struct ovl_route_cfg *
route_insert(struct ovl *ovl, const struct ovl_prefix *prefix, int *err)
{
	for (uint32_t i = 0; i < ovl->params.max_routes; i++) {
		struct ovl_route_cfg *r = &ovl->routes[i];
		int ret;

		if (r->in_use)
			continue;
		if (ovl_ip_is6(&prefix->addr))
			ret = rte_lpm6_add(ovl->lpm6, prefix->addr.v6, prefix->len, i);
		else
			ret = rte_lpm_add(ovl->lpm, rte_be_to_cpu_32(prefix->addr.v4), prefix->len, i);
		if (ret != 0)
			break;
		memset(r, 0, sizeof(*r));
		r->in_use = true;
		r->prefix = *prefix;
		return r;
	}
	*err = -ENOSPC;
	return NULL;
}

static void
route_remove(struct ovl *ovl, struct ovl_route_cfg *r)
{
	/* Workers never read the LPMs, so their tbl8 groups need no grace period. */
	if (ovl_ip_is6(&r->prefix.addr))
		rte_lpm6_delete(ovl->lpm6, r->prefix.addr.v6, r->prefix.len);
	else
		rte_lpm_delete(ovl->lpm, rte_be_to_cpu_32(r->prefix.addr.v4), r->prefix.len);
	memset(r, 0, sizeof(*r));
}

/* Index of the default route of 'a''s family in ovl->has_default / default_gw. */
static inline unsigned int
fam(const struct ovl_ip *a)
{
	return ovl_ip_is6(a) ? 1 : 0;
}

int
ovl_route_add(struct ovl *ovl, const struct ovl_prefix *prefix, const struct ovl_ip *gateway)
{
	struct ovl_route_cfg *r;
	struct ovl_ip net;
	int err = 0;

	if (!ovl_prefix_is_valid(prefix) || gateway->family != prefix->addr.family ||
	    !ovl_ip_usable(gateway))
		return -EINVAL;
	net = ovl_ip_network(&prefix->addr, prefix->len);
	if (!ovl_ip_eq(&net, &prefix->addr))
		return -EINVAL; /* host bits set */
	if (prefix->len == 0) {
		/* Neither LPM has a /0: the default route is the fallback of a miss. */
		ovl->has_default[fam(gateway)] = true;
		ovl->default_gw[fam(gateway)] = *gateway;
	} else {
		r = route_find(ovl, prefix);
		if (r != NULL && r->nb_pa_refs > 0)
			return -EEXIST;
		if (r == NULL)
			r = route_insert(ovl, prefix, &err);
		if (r == NULL)
			return err;
		r->gateway = *gateway;
	}
	ovl->dirty = true;
	return ovl_commit(ovl);
}

int
ovl_route_del(struct ovl *ovl, const struct ovl_prefix *prefix)
{
	struct ovl_route_cfg *r;

	if (!ovl_prefix_is_valid(prefix))
		return -ENOENT;
	if (prefix->len == 0) {
		if (!ovl->has_default[fam(&prefix->addr)] || !ovl_ip_is_zero(&prefix->addr))
			return -ENOENT;
		ovl->has_default[fam(&prefix->addr)] = false;
		memset(&ovl->default_gw[fam(&prefix->addr)], 0, sizeof(struct ovl_ip));
	} else {
		r = route_find(ovl, prefix);
		if (r == NULL)
			return -ENOENT;
		if (r->nb_pa_refs > 0)
			return -EPERM;
		route_remove(ovl, r);
	}
	ovl->dirty = true;
	return ovl_commit(ovl);
}

int
ovl_route_lookup(const struct ovl *ovl, const struct ovl_ip *dst, struct ovl_ip *next_hop)
{
	uint32_t idx;
	int ret;

	if (ovl_ip_is6(dst))
		ret = rte_lpm6_lookup(ovl->lpm6, dst->v6, &idx);
	else if (dst->family == AF_INET)
		ret = rte_lpm_lookup(ovl->lpm, rte_be_to_cpu_32(dst->v4), &idx);
	else
		return -ENETUNREACH;
	if (ret == 0 && idx < ovl->params.max_routes && ovl->routes[idx].in_use) {
		const struct ovl_route_cfg *r = &ovl->routes[idx];

		*next_hop = r->nb_pa_refs > 0 ? *dst : r->gateway;
		return 0;
	}
	if (ovl->has_default[fam(dst)]) {
		*next_hop = ovl->default_gw[fam(dst)];
		return 0;
	}
	return -ENETUNREACH;
}

unsigned int
ovl_route_walk(const struct ovl *ovl, ovl_route_fn *fn, void *arg)
{
	unsigned int n = 0;

	for (uint32_t i = 0; i < ovl->params.max_routes; i++) {
		const struct ovl_route_cfg *r = &ovl->routes[i];
		struct ovl_route route;

		if (!r->in_use)
			continue;
		memset(&route, 0, sizeof(route));
		route.prefix = r->prefix;
		if (r->nb_pa_refs == 0)
			route.gateway = r->gateway;
		fn(&route, arg);
		n++;
	}
	for (unsigned int f = 0; f < 2; f++) {
		struct ovl_route route;

		if (!ovl->has_default[f])
			continue;
		memset(&route, 0, sizeof(route));
		route.prefix.addr.family = ovl->default_gw[f].family;
		route.gateway = ovl->default_gw[f];
		fn(&route, arg);
		n++;
	}
	return n;
}

/* Our provider addresses. */

int
ovl_pa_add(struct ovl *ovl, const struct ovl_prefix *pa)
{
	struct ovl_prefix net;
	struct ovl_route_cfg *r;
	int err = 0;

	if (!ovl_prefix_is_valid(pa) || !ovl_ip_usable(&pa->addr) || pa->len == 0)
		return -EINVAL;
	if (ovl_pa_is_ours(ovl, &pa->addr))
		return -EEXIST;
	if (ovl->nb_pas == NVGRE_MAX_LOCAL_PA)
		return -ENOSPC;
	net.addr = ovl_ip_network(&pa->addr, pa->len);
	net.len = pa->len;
	r = route_find(ovl, &net);
	if (r != NULL && r->nb_pa_refs == 0)
		return -EEXIST; /* a configured route already claims the subnet */
	if (r == NULL)
		r = route_insert(ovl, &net, &err);
	if (r == NULL)
		return err;
	r->nb_pa_refs++;
	memset(&r->gateway, 0, sizeof(r->gateway));
	ovl->pas[ovl->nb_pas] = *pa;
	ovl->nb_pas++;
	ovl->dirty = true;
	return ovl_commit(ovl);
}

unsigned int
ovl_pa_list(const struct ovl *ovl, struct ovl_prefix *pas, unsigned int max)
{
	unsigned int n = 0;

	for (uint32_t i = 0; i < ovl->nb_pas && n < max; i++, n++)
		pas[n] = ovl->pas[i];
	return n;
}

int
ovl_pa_del(struct ovl *ovl, const struct ovl_ip *pa)
{
	for (uint32_t i = 0; i < ovl->nb_pas; i++) {
		struct ovl_prefix *p = &ovl->pas[i];
		struct ovl_prefix net;
		struct ovl_route_cfg *r;

		if (!ovl_ip_eq(&p->addr, pa))
			continue;
		net.addr = ovl_ip_network(&p->addr, p->len);
		net.len = p->len;
		r = route_find(ovl, &net);
		if (r != NULL && --r->nb_pa_refs == 0)
			route_remove(ovl, r);
		ovl->pas[i] = ovl->pas[ovl->nb_pas - 1];
		ovl->nb_pas--;
		ovl->dirty = true;
		return ovl_commit(ovl);
	}
	return -ENOENT;
}

/* Neighbours. */

static struct ovl_neigh *
neigh_find(const struct ovl *ovl, const struct ovl_ip *ip)
{
	for (uint16_t i = 0; i < ovl->nb_neighs; i++)
		if (ovl_ip_eq(&ovl->neighs[i].ip, ip))
			return &ovl->neighs[i];
	return NULL;
}

static struct ovl_neigh *
neigh_new(struct ovl *ovl, const struct ovl_ip *ip)
{
	struct ovl_neigh *n;

	if (ovl->nb_neighs == ovl->params.max_neighbours)
		return NULL;
	n = &ovl->neighs[ovl->nb_neighs++];
	memset(n, 0, sizeof(*n));
	n->ip = *ip;
	return n;
}

static void
neigh_remove(struct ovl *ovl, struct ovl_neigh *n)
{
	*n = ovl->neighs[--ovl->nb_neighs];
}

int
ovl_neigh_add_static(struct ovl *ovl, const struct ovl_ip *ip, const struct rte_ether_addr *mac)
{
	struct ovl_neigh *n;

	if (!ovl_ip_usable(ip) || !rte_is_unicast_ether_addr(mac) || rte_is_zero_ether_addr(mac))
		return -EINVAL;
	n = neigh_find(ovl, ip);
	if (n == NULL)
		n = neigh_new(ovl, ip);
	if (n == NULL)
		return -ENOSPC;
	rte_ether_addr_copy(mac, &n->mac);
	n->flags = OVL_NEIGH_F_STATIC;
	n->updated_ms = 0;
	ovl->dirty = true;
	return ovl_commit(ovl);
}

int
ovl_neigh_del(struct ovl *ovl, const struct ovl_ip *ip)
{
	struct ovl_neigh *n = neigh_find(ovl, ip);

	if (n == NULL)
		return -ENOENT;
	neigh_remove(ovl, n);
	ovl->dirty = true;
	return ovl_commit(ovl);
}

int
ovl_neigh_learn(struct ovl *ovl, const struct ovl_ip *ip, const struct rte_ether_addr *mac,
		bool create, uint64_t now_ms)
{
	struct ovl_neigh *n;
	int ret;

	if (!ovl_ip_usable(ip) || !rte_is_unicast_ether_addr(mac) || rte_is_zero_ether_addr(mac))
		return -EINVAL;
	if (ovl_pa_for_subnet(ovl, ip) == NULL)
		return -ENETUNREACH;
	n = neigh_find(ovl, ip);
	if (n != NULL && (n->flags & OVL_NEIGH_F_STATIC))
		return 0;
	if (n != NULL && rte_is_same_ether_addr(&n->mac, mac)) {
		n->updated_ms = now_ms;
		return 0;
	}
	if (n == NULL) {
		if (!create)
			return 0;
		n = neigh_new(ovl, ip);
		if (n == NULL)
			return -ENOSPC;
	}
	rte_ether_addr_copy(mac, &n->mac);
	n->flags = 0;
	n->updated_ms = now_ms;
	ovl->dirty = true;
	ret = ovl_commit(ovl);
	return ret == 0 ? 1 : ret;
}

int
ovl_neigh_lookup(const struct ovl *ovl, const struct ovl_ip *ip, struct ovl_neigh *n)
{
	const struct ovl_neigh *e = neigh_find(ovl, ip);

	if (e == NULL)
		return -ENOENT;
	*n = *e;
	return 0;
}

unsigned int
ovl_neigh_age(struct ovl *ovl, uint64_t now_ms)
{
	unsigned int nb_expired = 0;

	for (uint16_t i = 0; i < ovl->nb_neighs;) {
		struct ovl_neigh *n = &ovl->neighs[i];

		if (!(n->flags & OVL_NEIGH_F_STATIC) &&
		    now_ms - n->updated_ms > ovl->params.neigh_timeout_ms) {
			neigh_remove(ovl, n); /* the last entry moves here: look at 'i' again */
			nb_expired++;
			continue;
		}
		i++;
	}
	if (nb_expired > 0) {
		ovl->dirty = true;
		ovl_commit(ovl);
	}
	return nb_expired;
}

static unsigned int
add_unique(struct ovl_ip *ips, unsigned int n, unsigned int max, const struct ovl_ip *ip)
{
	for (unsigned int i = 0; i < n; i++)
		if (ovl_ip_eq(&ips[i], ip))
			return n;
	if (n < max)
		ips[n++] = *ip;
	return n;
}

unsigned int
ovl_neigh_wanted(const struct ovl *ovl, uint64_t now_ms, struct ovl_ip *ips, unsigned int max)
{
	unsigned int n = 0;

	for (uint16_t i = 0; i < ovl->params.max_slots; i++) {
		struct nvgre_template t;
		struct ovl_ip nh;

		if (ovl->slots[i].vsid != 0 &&
		    ovl_slot_resolve(ovl, &ovl->slots[i], &t, &nh) == NVGRE_ENCAP_NO_NEIGHBOUR)
			n = add_unique(ips, n, max, &nh);
	}
	for (uint16_t i = 0; i < ovl->nb_neighs; i++) {
		const struct ovl_neigh *e = &ovl->neighs[i];

		if (!(e->flags & OVL_NEIGH_F_STATIC) &&
		    now_ms - e->updated_ms > ovl->params.neigh_timeout_ms / 2)
			n = add_unique(ips, n, max, &e->ip);
	}
	return n;
}

unsigned int
ovl_tunnel_walk(const struct ovl *ovl, ovl_tunnel_fn *fn, void *arg)
{
	unsigned int n = 0;

	for (uint16_t i = 0; i < ovl->params.max_slots; i++) {
		const struct ovl_slot *s = &ovl->slots[i];
		struct nvgre_template t;
		struct ovl_tunnel out;
		struct ovl_ip nh;
		const struct ovl_ip *src;

		if (s->vsid == 0)
			continue;
		memset(&out, 0, sizeof(out));
		out.slot = i;
		out.vsid = s->vsid;
		out.bd = s->bd;
		out.pa = s->pa;
		out.state = (uint8_t)ovl_slot_resolve(ovl, s, &t, &nh);
		if (out.state == NVGRE_ENCAP_OK) {
			if (ovl_route_lookup(ovl, &s->pa, &nh) == 0)
				out.next_hop = nh;
			out.src_pa = t.src_pa;
		} else if (out.state == NVGRE_ENCAP_NO_NEIGHBOUR) {
			out.next_hop = nh;
			src = ovl_pa_for_subnet(ovl, &nh);
			if (src != NULL)
				out.src_pa = *src;
		}
		fn(&out, arg);
		n++;
	}
	return n;
}

unsigned int
ovl_neigh_walk(const struct ovl *ovl, ovl_neigh_fn *fn, void *arg)
{
	for (uint16_t i = 0; i < ovl->nb_neighs; i++)
		fn(&ovl->neighs[i], arg);
	return ovl->nb_neighs;
}

/* Resolution: remote PA -> route -> next hop -> neighbour MAC -> template. */

enum nvgre_encap_reason
ovl_slot_resolve(const struct ovl *ovl, const struct ovl_slot *slot, struct nvgre_template *t,
		 struct ovl_ip *next_hop)
{
	struct nvgre_template_params p;
	const struct ovl_neigh *n;
	const struct ovl_ip *src;
	struct ovl_ip nh;

	memset(next_hop, 0, sizeof(*next_hop));
	if (!ovl->has_uplink_mac || ovl_route_lookup(ovl, &slot->pa, &nh) != 0)
		return NVGRE_ENCAP_NO_ROUTE;
	/* The next hop must be on one of our subnets; that PA is the outer source. */
	src = ovl_pa_for_subnet(ovl, &nh);
	if (src == NULL)
		return NVGRE_ENCAP_NO_ROUTE;
	n = neigh_find(ovl, &nh);
	if (n == NULL) {
		*next_hop = nh;
		return NVGRE_ENCAP_NO_NEIGHBOUR;
	}
	memset(&p, 0, sizeof(p));
	p.src_pa = *src;
	p.dst_pa = slot->pa;
	rte_ether_addr_copy(&ovl->uplink_mac, &p.src_mac);
	rte_ether_addr_copy(&n->mac, &p.dst_mac);
	p.vsid = slot->vsid;
	p.mtu = ovl->mtu;
	return nvgre_template_build(t, &p) == 0 ? NVGRE_ENCAP_OK : NVGRE_ENCAP_NO_ROUTE;
}

/* ARP on the uplink. */

int
ovl_arp_request_build(const struct ovl *ovl, struct rte_mbuf *m, rte_be32_t target)
{
	struct ovl_ip tgt = ovl_ip4(target);
	const struct ovl_ip *src = ovl_pa_for_subnet(ovl, &tgt);
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;

	if (src == NULL || !ovl->has_uplink_mac)
		return -ENETUNREACH;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, ARP_FRAME_LEN);
	if (eth == NULL)
		return -ENOBUFS;
	memset(eth, 0, ARP_FRAME_LEN);
	memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
	rte_ether_addr_copy(&ovl->uplink_mac, &eth->src_addr);
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	arp = (struct rte_arp_hdr *)(eth + 1);
	arp->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = sizeof(uint32_t);
	arp->arp_opcode = RTE_BE16(RTE_ARP_OP_REQUEST);
	rte_ether_addr_copy(&ovl->uplink_mac, &arp->arp_data.arp_sha);
	arp->arp_data.arp_sip = src->v4;
	arp->arp_data.arp_tip = target; /* arp_tha stays zero: unknown */
	return 0;
}

int
ovl_arp_input(struct ovl *ovl, struct rte_mbuf *m, uint64_t now_ms)
{
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;
	struct ovl_ip sip, tip;
	bool for_us;
	int ret;

	ret = ovl_arp_parse(m, &eth, &arp);
	if (ret != 0)
		return ret;
	sip = ovl_ip4(arp->arp_data.arp_sip);
	tip = ovl_ip4(arp->arp_data.arp_tip);
	for_us = ovl_pa_is_ours(ovl, &tip);
	/*
	 * RFC 826: refresh a neighbour we know from any ARP it sends (this is
	 * how a gateway's new MAC reaches the templates), but create one only
	 * from ARP addressed to us.  A probe (sender 0.0.0.0) teaches nothing.
	 */
	if (sip.v4 != 0 && !ovl_pa_is_ours(ovl, &sip))
		ovl_neigh_learn(ovl, &sip, &arp->arp_data.arp_sha, for_us, now_ms);
	if (!for_us || arp->arp_opcode != RTE_BE16(RTE_ARP_OP_REQUEST) || !ovl->has_uplink_mac)
		return 0;
	ovl_arp_make_reply(eth, arp, &ovl->uplink_mac, tip.v4);
	return 1;
}
