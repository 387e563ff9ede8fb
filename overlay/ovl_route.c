/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The provider side of the overlay: our PAs, provider routes (rte_lpm),
 * the uplink neighbour table, next-hop resolution into templates, and ARP
 * on the uplink.  Control thread only; workers see the result only through
 * the templates of the published snapshot.
 */
#include <errno.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_lpm.h>
#include <rte_mbuf.h>

#include "ovl_priv.h"

#define ARP_FRAME_LEN 60u /* minimum Ethernet frame without FCS; ARP is 42, the rest padding */

static inline uint32_t
mask_of(uint8_t len)
{
	return len == 0 ? 0 : ~0u << (32 - len);
}

static inline bool
in_subnet(rte_be32_t ip, rte_be32_t net, uint8_t len)
{
	return ((rte_be_to_cpu_32(ip) ^ rte_be_to_cpu_32(net)) & mask_of(len)) == 0;
}

static bool
ip_usable(rte_be32_t ip)
{
	uint32_t h = rte_be_to_cpu_32(ip);

	return (h >> 24) != 0 && (h >> 28) < 0xe;
}

bool
ovl_pa_is_ours(const struct ovl *ovl, rte_be32_t ip)
{
	for (uint32_t i = 0; i < ovl->nb_pas; i++)
		if (ovl->pas[i].pa == ip)
			return true;
	return false;
}

rte_be32_t
ovl_pa_for_subnet(const struct ovl *ovl, rte_be32_t ip)
{
	for (uint32_t i = 0; i < ovl->nb_pas; i++)
		if (in_subnet(ip, ovl->pas[i].pa, ovl->pas[i].len))
			return ovl->pas[i].pa;
	return 0;
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
route_find(const struct ovl *ovl, rte_be32_t prefix, uint8_t len)
{
	for (uint32_t i = 0; i < ovl->params.max_routes; i++) {
		struct ovl_route_cfg *r = &ovl->routes[i];

		if (r->in_use && r->prefix == prefix && r->len == len)
			return r;
	}
	return NULL;
}

/* Add 'prefix'/'len' to the LPM in a free entry.  @return the entry, or NULL (-ENOSPC in *err). */
static struct ovl_route_cfg *
route_insert(struct ovl *ovl, rte_be32_t prefix, uint8_t len, int *err)
{
	for (uint32_t i = 0; i < ovl->params.max_routes; i++) {
		struct ovl_route_cfg *r = &ovl->routes[i];

		if (r->in_use)
			continue;
		if (rte_lpm_add(ovl->lpm, rte_be_to_cpu_32(prefix), len, i) != 0)
			break;
		memset(r, 0, sizeof(*r));
		r->in_use = true;
		r->prefix = prefix;
		r->len = len;
		return r;
	}
	*err = -ENOSPC;
	return NULL;
}

static void
route_remove(struct ovl *ovl, struct ovl_route_cfg *r)
{
	/* Workers never read the LPM, so its tbl8 groups need no grace period. */
	rte_lpm_delete(ovl->lpm, rte_be_to_cpu_32(r->prefix), r->len);
	memset(r, 0, sizeof(*r));
}

int
ovl_route_add(struct ovl *ovl, rte_be32_t prefix, uint8_t len, rte_be32_t gateway)
{
	struct ovl_route_cfg *r;
	int err = 0;

	if (len > 32 || (rte_be_to_cpu_32(prefix) & ~mask_of(len)) != 0 || !ip_usable(gateway))
		return -EINVAL;
	if (len == 0) {
		/* rte_lpm has no /0: the default route is the fallback of a miss. */
		ovl->has_default = true;
		ovl->default_gw = gateway;
	} else {
		r = route_find(ovl, prefix, len);
		if (r != NULL && r->nb_pa_refs > 0)
			return -EEXIST;
		if (r == NULL)
			r = route_insert(ovl, prefix, len, &err);
		if (r == NULL)
			return err;
		r->gateway = gateway;
	}
	ovl->dirty = true;
	return ovl_commit(ovl);
}

int
ovl_route_del(struct ovl *ovl, rte_be32_t prefix, uint8_t len)
{
	struct ovl_route_cfg *r;

	if (len == 0) {
		if (!ovl->has_default || prefix != 0)
			return -ENOENT;
		ovl->has_default = false;
		ovl->default_gw = 0;
	} else {
		r = route_find(ovl, prefix, len);
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
ovl_route_lookup(const struct ovl *ovl, rte_be32_t dst, rte_be32_t *next_hop)
{
	uint32_t idx;

	if (rte_lpm_lookup(ovl->lpm, rte_be_to_cpu_32(dst), &idx) == 0 &&
	    idx < ovl->params.max_routes && ovl->routes[idx].in_use) {
		const struct ovl_route_cfg *r = &ovl->routes[idx];

		*next_hop = r->nb_pa_refs > 0 ? dst : r->gateway;
		return 0;
	}
	if (ovl->has_default) {
		*next_hop = ovl->default_gw;
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
		route.prefix = r->prefix;
		route.len = r->len;
		route.gateway = r->nb_pa_refs > 0 ? 0 : r->gateway;
		fn(&route, arg);
		n++;
	}
	if (ovl->has_default) {
		struct ovl_route route = { .prefix = 0, .len = 0, .gateway = ovl->default_gw };

		fn(&route, arg);
		n++;
	}
	return n;
}

/* Our provider addresses. */

int
ovl_pa_add(struct ovl *ovl, rte_be32_t pa, uint8_t prefix_len)
{
	rte_be32_t net;
	struct ovl_route_cfg *r;
	int err = 0;

	if (!ip_usable(pa) || prefix_len == 0 || prefix_len > 32)
		return -EINVAL;
	if (ovl_pa_is_ours(ovl, pa))
		return -EEXIST;
	if (ovl->nb_pas == NVGRE_MAX_LOCAL_PA)
		return -ENOSPC;
	net = rte_cpu_to_be_32(rte_be_to_cpu_32(pa) & mask_of(prefix_len));
	r = route_find(ovl, net, prefix_len);
	if (r != NULL && r->nb_pa_refs == 0)
		return -EEXIST; /* a configured route already claims the subnet */
	if (r == NULL)
		r = route_insert(ovl, net, prefix_len, &err);
	if (r == NULL)
		return err;
	r->nb_pa_refs++;
	r->gateway = 0;
	ovl->pas[ovl->nb_pas].pa = pa;
	ovl->pas[ovl->nb_pas].len = prefix_len;
	ovl->nb_pas++;
	ovl->dirty = true;
	return ovl_commit(ovl);
}

unsigned int
ovl_pa_list(const struct ovl *ovl, rte_be32_t *pas, uint8_t *lens, unsigned int max)
{
	unsigned int n = 0;

	for (uint32_t i = 0; i < ovl->nb_pas && n < max; i++, n++) {
		pas[n] = ovl->pas[i].pa;
		lens[n] = ovl->pas[i].len;
	}
	return n;
}

int
ovl_pa_del(struct ovl *ovl, rte_be32_t pa)
{
	for (uint32_t i = 0; i < ovl->nb_pas; i++) {
		struct ovl_pa_cfg *p = &ovl->pas[i];
		rte_be32_t net;
		struct ovl_route_cfg *r;

		if (p->pa != pa)
			continue;
		net = rte_cpu_to_be_32(rte_be_to_cpu_32(pa) & mask_of(p->len));
		r = route_find(ovl, net, p->len);
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
neigh_find(const struct ovl *ovl, rte_be32_t ip)
{
	for (uint16_t i = 0; i < ovl->nb_neighs; i++)
		if (ovl->neighs[i].ip == ip)
			return &ovl->neighs[i];
	return NULL;
}

static struct ovl_neigh *
neigh_new(struct ovl *ovl, rte_be32_t ip)
{
	struct ovl_neigh *n;

	if (ovl->nb_neighs == ovl->params.max_neighbours)
		return NULL;
	n = &ovl->neighs[ovl->nb_neighs++];
	memset(n, 0, sizeof(*n));
	n->ip = ip;
	return n;
}

static void
neigh_remove(struct ovl *ovl, struct ovl_neigh *n)
{
	*n = ovl->neighs[--ovl->nb_neighs];
}

int
ovl_neigh_add_static(struct ovl *ovl, rte_be32_t ip, const struct rte_ether_addr *mac)
{
	struct ovl_neigh *n;

	if (!ip_usable(ip) || !rte_is_unicast_ether_addr(mac) || rte_is_zero_ether_addr(mac))
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
ovl_neigh_del(struct ovl *ovl, rte_be32_t ip)
{
	struct ovl_neigh *n = neigh_find(ovl, ip);

	if (n == NULL)
		return -ENOENT;
	neigh_remove(ovl, n);
	ovl->dirty = true;
	return ovl_commit(ovl);
}

int
ovl_neigh_learn(struct ovl *ovl, rte_be32_t ip, const struct rte_ether_addr *mac, bool create,
		uint64_t now_ms)
{
	struct ovl_neigh *n;
	int ret;

	if (!ip_usable(ip) || !rte_is_unicast_ether_addr(mac) || rte_is_zero_ether_addr(mac))
		return -EINVAL;
	if (ovl_pa_for_subnet(ovl, ip) == 0)
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
ovl_neigh_lookup(const struct ovl *ovl, rte_be32_t ip, struct ovl_neigh *n)
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
add_unique(rte_be32_t *ips, unsigned int n, unsigned int max, rte_be32_t ip)
{
	for (unsigned int i = 0; i < n; i++)
		if (ips[i] == ip)
			return n;
	if (n < max)
		ips[n++] = ip;
	return n;
}

unsigned int
ovl_neigh_wanted(const struct ovl *ovl, uint64_t now_ms, rte_be32_t *ips, unsigned int max)
{
	unsigned int n = 0;

	for (uint16_t i = 0; i < ovl->params.max_slots; i++) {
		struct nvgre_template t;
		rte_be32_t nh;

		if (ovl->slots[i].vsid != 0 &&
		    ovl_slot_resolve(ovl, &ovl->slots[i], &t, &nh) == NVGRE_ENCAP_NO_NEIGHBOUR)
			n = add_unique(ips, n, max, nh);
	}
	for (uint16_t i = 0; i < ovl->nb_neighs; i++) {
		const struct ovl_neigh *e = &ovl->neighs[i];

		if (!(e->flags & OVL_NEIGH_F_STATIC) &&
		    now_ms - e->updated_ms > ovl->params.neigh_timeout_ms / 2)
			n = add_unique(ips, n, max, e->ip);
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
		struct ovl_tunnel out = { .slot = i, .vsid = s->vsid, .bd = s->bd, .pa = s->pa };
		rte_be32_t nh;

		if (s->vsid == 0)
			continue;
		out.state = (uint8_t)ovl_slot_resolve(ovl, s, &t, &nh);
		if (out.state == NVGRE_ENCAP_OK) {
			out.next_hop = ovl_route_lookup(ovl, s->pa, &nh) == 0 ? nh : 0;
			out.src_pa = t.src_pa;
		} else if (out.state == NVGRE_ENCAP_NO_NEIGHBOUR) {
			out.next_hop = nh;
			out.src_pa = ovl_pa_for_subnet(ovl, nh);
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
		 rte_be32_t *next_hop)
{
	struct nvgre_template_params p;
	const struct ovl_neigh *n;
	rte_be32_t nh, src;

	*next_hop = 0;
	if (!ovl->has_uplink_mac || ovl_route_lookup(ovl, slot->pa, &nh) != 0)
		return NVGRE_ENCAP_NO_ROUTE;
	/* The next hop must be on one of our subnets; that PA is the outer source. */
	src = ovl_pa_for_subnet(ovl, nh);
	if (src == 0)
		return NVGRE_ENCAP_NO_ROUTE;
	n = neigh_find(ovl, nh);
	if (n == NULL) {
		*next_hop = nh;
		return NVGRE_ENCAP_NO_NEIGHBOUR;
	}
	p.src_pa = src;
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
	rte_be32_t src = ovl_pa_for_subnet(ovl, target);
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;

	if (src == 0 || !ovl->has_uplink_mac)
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
	arp->arp_data.arp_sip = src;
	arp->arp_data.arp_tip = target; /* arp_tha stays zero: unknown */
	return 0;
}

int
ovl_arp_input(struct ovl *ovl, struct rte_mbuf *m, uint64_t now_ms)
{
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;
	rte_be32_t sip, tip;
	bool for_us;
	int ret;

	ret = ovl_arp_parse(m, &eth, &arp);
	if (ret != 0)
		return ret;
	sip = arp->arp_data.arp_sip;
	tip = arp->arp_data.arp_tip;
	for_us = ovl_pa_is_ours(ovl, tip);
	/*
	 * RFC 826: refresh a neighbour we know from any ARP it sends (this is
	 * how a gateway's new MAC reaches the templates), but create one only
	 * from ARP addressed to us.  A probe (sender 0.0.0.0) teaches nothing.
	 */
	if (sip != 0 && !ovl_pa_is_ours(ovl, sip))
		ovl_neigh_learn(ovl, sip, &arp->arp_data.arp_sha, for_us, now_ms);
	if (!for_us || arp->arp_opcode != RTE_BE16(RTE_ARP_OP_REQUEST) || !ovl->has_uplink_mac)
		return 0;
	ovl_arp_make_reply(eth, arp, &ovl->uplink_mac, tip);
	return 1;
}
