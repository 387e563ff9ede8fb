/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Routing domains, control side: the domains, the subnets attached to them
 * (bridge-domain settings rd= and gateway=), customer routes, and the
 * snapshot the routing stage reads.  Every change builds a new snapshot,
 * publishes it with a release store and frees the old one after the
 * workers' grace period.  Control thread only.
 */
#include "dp_rd_priv.h"

#include "dp_ctl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "fdb.h"

/* A customer route (control side). */
struct rd_route_cfg {
	rte_be32_t prefix; /**< network, host bits zero */
	uint8_t len;	   /**< prefix length */
	rte_be32_t via;	   /**< next-hop customer address */
};

struct rd_cfg {
	bool in_use;			/**< id taken */
	char name[PORT_NAME_MAX];	/**< user's name */
	struct rte_ether_addr mac;	/**< router MAC */
	bool mac_default;		/**< derived from the name */
	uint16_t nb_routes;		/**< entries used in 'routes' */
	struct rd_route_cfg routes[DP_RD_MAX_ROUTES]; /**< customer routes */
};

/* A bridge domain's routing settings; either may be set without the other. */
struct rd_bd_cfg {
	uint8_t rd;	    /**< routing domain, DP_RD_NONE */
	rte_be32_t gateway; /**< 0 = none */
	uint8_t len;	    /**< subnet prefix length */
};

static struct {
	struct rd_cfg rds[DP_MAX_RDS];
	struct rd_bd_cfg bds[VSW_MAX_BDS];
} rdc;

_Atomic(const struct dp_rd_snap *) dp_rd_current;

static inline rte_be32_t
prefix_mask(uint8_t len)
{
	return len == 0 ? 0 : rte_cpu_to_be_32(~0u << (32 - len));
}

void
dp_rd_default_mac(const char *name, uint8_t mac[6])
{
	uint32_t h = 2166136261u; /* FNV-1a: small, stable across hosts and builds */

	for (const char *c = name; *c != '\0'; c++)
		h = (h ^ (uint8_t)*c) * 16777619u;
	mac[0] = 0x02; /* locally administered, unicast */
	mac[1] = 0x76; /* 'v' */
	mac[2] = 0x72; /* 'r' */
	mac[3] = (uint8_t)(h >> 16);
	mac[4] = (uint8_t)(h >> 8);
	mac[5] = (uint8_t)h;
}

static int
rd_find(const char *name)
{
	for (int id = 0; id < DP_MAX_RDS; id++)
		if (rdc.rds[id].in_use && strcmp(rdc.rds[id].name, name) == 0)
			return id;
	return -ENOENT;
}

/* A bridge domain that routes: in a domain, with a gateway. */
static inline bool
bd_routed(uint16_t bd)
{
	return rdc.bds[bd].rd != DP_RD_NONE && rdc.bds[bd].gateway != 0;
}

/* The subnet of 'rd' that holds 'ip' (longest prefix), or DP_RD_NO_SUBNET. */
static uint16_t
subnet_of(uint8_t rd, rte_be32_t ip)
{
	uint16_t best = DP_RD_NO_SUBNET;
	int best_len = -1;

	for (uint16_t bd = 0; bd < VSW_MAX_BDS; bd++) {
		const struct rd_bd_cfg *b = &rdc.bds[bd];

		if (b->rd == rd && bd_routed(bd) && ((ip ^ b->gateway) & prefix_mask(b->len)) == 0 &&
		    (int)b->len > best_len) {
			best = bd;
			best_len = b->len;
		}
	}
	return best;
}

/* Append the prefixes of 'rd' to 'out' from 'n', longest first (subnets before routes on a tie). */
static uint16_t
build_prefixes(uint8_t rd, struct dp_rd_prefix *out, uint16_t n)
{
	const struct rd_cfg *r = &rdc.rds[rd];
	uint8_t lens[VSW_MAX_BDS + DP_RD_MAX_ROUTES];
	uint16_t first = n;

	for (uint16_t bd = 0; bd < VSW_MAX_BDS; bd++) {
		const struct rd_bd_cfg *b = &rdc.bds[bd];

		if (b->rd != rd || !bd_routed(bd))
			continue;
		lens[n - first] = b->len;
		out[n++] = (struct dp_rd_prefix){ .net = b->gateway & prefix_mask(b->len),
						  .mask = prefix_mask(b->len), .via = 0, .bd = bd };
	}
	for (uint16_t i = 0; i < r->nb_routes; i++) {
		const struct rd_route_cfg *rt = &r->routes[i];

		lens[n - first] = rt->len;
		out[n++] = (struct dp_rd_prefix){ .net = rt->prefix, .mask = prefix_mask(rt->len),
						  .via = rt->via, .bd = subnet_of(rd, rt->via) };
	}
	/* Insertion sort, stable: a handful of entries, sorted once per change. */
	for (uint16_t i = (uint16_t)(first + 1); i < n; i++) {
		struct dp_rd_prefix p = out[i];
		uint8_t l = lens[i - first];
		uint16_t j = i;

		while (j > first && lens[j - 1 - first] < l) {
			out[j] = out[j - 1];
			lens[j - first] = lens[j - 1 - first];
			j--;
		}
		out[j] = p;
		lens[j - first] = l;
	}
	return n;
}

static struct dp_rd_snap *
build_snapshot(void)
{
	size_t nb = 0;
	struct dp_rd_snap *s;
	uint16_t n = 0;

	for (uint16_t bd = 0; bd < VSW_MAX_BDS; bd++)
		nb += bd_routed(bd);
	for (int id = 0; id < DP_MAX_RDS; id++)
		nb += rdc.rds[id].in_use ? rdc.rds[id].nb_routes : 0;
	s = rte_zmalloc("dp_rd_snap", sizeof(*s) + nb * sizeof(s->prefixes[0]), RTE_CACHE_LINE_SIZE);
	if (s == NULL)
		return NULL;
	s->gen = dp_snapshot_gen();
	for (uint16_t bd = 0; bd < VSW_MAX_BDS; bd++) {
		const struct rd_bd_cfg *b = &rdc.bds[bd];

		s->bds[bd].rd = DP_RD_NONE;
		if (!bd_routed(bd) || !rdc.rds[b->rd].in_use)
			continue;
		s->bds[bd].rd = b->rd;
		s->bds[bd].gateway = b->gateway;
		s->bds[bd].router_key = fdb_key(bd, &rdc.rds[b->rd].mac);
	}
	for (uint8_t id = 0; id < DP_MAX_RDS; id++) {
		if (!rdc.rds[id].in_use)
			continue;
		s->rds[id].mac = rdc.rds[id].mac;
		s->rds[id].first = n;
		n = build_prefixes(id, s->prefixes, n);
		s->rds[id].nb = (uint16_t)(n - s->rds[id].first);
	}
	return s;
}

/* Publish what the tables say now; the old snapshot is freed once no worker can read it. */
static int
publish(void)
{
	struct dp_rd_snap *s = build_snapshot();
	const struct dp_rd_snap *old;

	if (s == NULL)
		return -ENOMEM;
	old = atomic_exchange_explicit(&dp_rd_current, s, memory_order_acq_rel);
	if (dp_main.started)
		rte_rcu_qsbr_synchronize(dp_main.qsbr, RTE_QSBR_THRID_INVALID);
	rte_free((void *)(uintptr_t)old);
	return 0;
}

int
dp_rd_reset(void)
{
	memset(&rdc, 0, sizeof(rdc));
	for (uint16_t bd = 0; bd < VSW_MAX_BDS; bd++)
		rdc.bds[bd].rd = DP_RD_NONE;
	return publish();
}

void
dp_rd_fini(void)
{
	rte_free((void *)(uintptr_t)atomic_exchange(&dp_rd_current, NULL));
}

int
dp_rd_add(const char *name, const struct rte_ether_addr *mac)
{
	struct rd_cfg *r = NULL;
	int ret;

	if (name == NULL || name[0] == '\0' || strlen(name) >= PORT_NAME_MAX)
		return -EINVAL;
	if (rd_find(name) >= 0)
		return -EEXIST;
	if (mac != NULL && (!rte_is_unicast_ether_addr(mac) || rte_is_zero_ether_addr(mac)))
		return -EINVAL;
	for (int id = 0; id < DP_MAX_RDS && r == NULL; id++)
		if (!rdc.rds[id].in_use)
			r = &rdc.rds[id];
	if (r == NULL)
		return -ENOSPC;
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->mac_default = mac == NULL;
	if (mac != NULL)
		r->mac = *mac;
	else
		dp_rd_default_mac(name, r->mac.addr_bytes);
	r->in_use = true;
	ret = publish();
	if (ret < 0)
		r->in_use = false;
	return ret;
}

int
dp_rd_del(const char *name)
{
	int id = rd_find(name);

	if (id < 0)
		return -ENOENT;
	for (uint16_t bd = 0; bd < VSW_MAX_BDS; bd++)
		if (rdc.bds[bd].rd == id)
			return -EBUSY;
	rdc.rds[id].in_use = false;
	return publish();
}

/* A unicast host address: not 0, not broadcast, not multicast or above. */
static bool
is_unicast_host(rte_be32_t ip)
{
	uint32_t v = rte_be_to_cpu_32(ip);

	return v != 0 && v != UINT32_MAX && (v >> 28) < 0xe;
}

int
dp_rd_route_add(const char *rd, rte_be32_t prefix, uint8_t len, rte_be32_t via)
{
	int id = rd_find(rd);
	struct rd_cfg *r;
	struct rd_route_cfg *slot = NULL;

	if (id < 0)
		return -ENOENT;
	r = &rdc.rds[id];
	if (len > 32 || (prefix & ~prefix_mask(len)) != 0 || !is_unicast_host(via))
		return -EINVAL;
	for (uint16_t i = 0; i < r->nb_routes && slot == NULL; i++)
		if (r->routes[i].prefix == prefix && r->routes[i].len == len)
			slot = &r->routes[i];
	if (slot == NULL) {
		if (r->nb_routes == DP_RD_MAX_ROUTES)
			return -ENOSPC;
		slot = &r->routes[r->nb_routes++];
	}
	*slot = (struct rd_route_cfg){ .prefix = prefix, .len = len, .via = via };
	return publish();
}

int
dp_rd_route_del(const char *rd, rte_be32_t prefix, uint8_t len)
{
	int id = rd_find(rd);
	struct rd_cfg *r;

	if (id < 0)
		return -ENOENT;
	r = &rdc.rds[id];
	for (uint16_t i = 0; i < r->nb_routes; i++) {
		if (r->routes[i].prefix == prefix && r->routes[i].len == len) {
			r->routes[i] = r->routes[--r->nb_routes];
			return publish();
		}
	}
	return -ENOENT;
}

/* The bridge domain other than 'bd' whose subnet in 'rd' overlaps 'gw'/'len'; -ENOENT if none. */
static int
find_overlap(uint16_t bd, uint8_t rd, rte_be32_t gw, uint8_t len)
{
	if (rd == DP_RD_NONE || gw == 0)
		return -ENOENT;
	for (uint16_t o = 0; o < VSW_MAX_BDS; o++) {
		const struct rd_bd_cfg *ob = &rdc.bds[o];
		uint8_t l = RTE_MIN(len, ob->len);

		if (o != bd && ob->rd == rd && ob->gateway != 0 &&
		    ((gw ^ ob->gateway) & prefix_mask(l)) == 0)
			return o;
	}
	return -ENOENT;
}

/* A host address of a subnet of DP_BD_GATEWAY_LEN_MIN..MAX bits, not multicast or above. */
static bool
gateway_valid(rte_be32_t gw, uint8_t len)
{
	uint32_t host = rte_be_to_cpu_32(gw), m;

	if (len < DP_BD_GATEWAY_LEN_MIN || len > DP_BD_GATEWAY_LEN_MAX)
		return false;
	m = ~0u << (32 - len);
	return (host & ~m) != 0 && (host & ~m) != ~m && (host >> 28) < 0xe;
}

static int
refuse(int ret, struct dp_bd_refusal *why, enum dp_bd_setting setting, uint16_t other)
{
	if (why != NULL)
		*why = (struct dp_bd_refusal){ .setting = setting, .other = other };
	return ret;
}

int
dp_rd_bd_check(uint16_t bd, const struct dp_bd_settings *s, struct dp_bd_refusal *why)
{
	int id = s->rd[0] == '\0' ? (int)DP_RD_NONE : rd_find(s->rd);
	int other;

	if (id < 0)
		return refuse(-ENOENT, why, DP_BD_SET_RD, 0);
	/* Routed destinations are found through lookup records, which need a VSID. */
	if (id != (int)DP_RD_NONE && s->vsid == 0)
		return refuse(-EINVAL, why, DP_BD_SET_RD, 0);
	if (s->gateway != 0 && !gateway_valid(s->gateway, s->gateway_len))
		return refuse(-EINVAL, why, DP_BD_SET_GATEWAY, 0);
	other = find_overlap(bd, (uint8_t)id, s->gateway, s->gateway != 0 ? s->gateway_len : 0);
	if (other >= 0)
		return refuse(-EEXIST, why, DP_BD_SET_GATEWAY, (uint16_t)other);
	return 0;
}

int
dp_rd_bd_apply(uint16_t bd, const struct dp_bd_settings *s)
{
	struct rd_bd_cfg *b = &rdc.bds[bd], before = *b;
	int id = s->rd[0] == '\0' ? (int)DP_RD_NONE : rd_find(s->rd);
	int ret;

	if (id < 0)
		return -ENOENT;
	b->rd = (uint8_t)id;
	b->gateway = s->gateway;
	b->len = s->gateway != 0 ? s->gateway_len : 0;
	if (memcmp(b, &before, sizeof(*b)) == 0)
		return 0;
	ret = publish();
	if (ret < 0)
		*b = before;
	return ret;
}

void
dp_rd_bd_forget(uint16_t bd)
{
	if (rdc.bds[bd].rd == DP_RD_NONE && rdc.bds[bd].gateway == 0)
		return;
	rdc.bds[bd] = (struct rd_bd_cfg){ .rd = DP_RD_NONE };
	publish();
}

void
dp_rd_bd_get(uint16_t bd, struct dp_bd_settings *s)
{
	const struct rd_bd_cfg *b = &rdc.bds[bd];

	snprintf(s->rd, sizeof(s->rd), "%s", b->rd != DP_RD_NONE ? rdc.rds[b->rd].name : "");
	s->gateway = b->gateway;
	s->gateway_len = b->gateway != 0 ? b->len : 0;
}

unsigned int
dp_rd_list(struct dp_rd_info *out, unsigned int max)
{
	unsigned int n = 0;

	for (uint16_t id = 0; id < DP_MAX_RDS; id++) {
		const struct rd_cfg *r = &rdc.rds[id];
		struct dp_rd_info *i;

		if (!r->in_use)
			continue;
		if (n++ >= max)
			continue;
		i = &out[n - 1];
		memset(i, 0, sizeof(*i));
		snprintf(i->name, sizeof(i->name), "%s", r->name);
		i->id = id;
		memcpy(i->mac, r->mac.addr_bytes, 6);
		i->mac_default = r->mac_default;
		i->nb_routes = r->nb_routes;
		for (uint16_t bd = 0; bd < VSW_MAX_BDS; bd++)
			i->nb_subnets += rdc.bds[bd].rd == id;
	}
	return n;
}

int
dp_rd_subnet_walk(const char *rd, dp_rd_subnet_cb *cb, void *arg)
{
	int only = rd != NULL ? rd_find(rd) : -1;
	int n = 0;

	if (rd != NULL && only < 0)
		return -ENOENT;
	for (uint16_t bd = 0; bd < VSW_MAX_BDS; bd++) {
		const struct rd_bd_cfg *b = &rdc.bds[bd];
		struct dp_rd_subnet s = { .gateway = b->gateway, .len = b->len };

		if (b->rd == DP_RD_NONE || (only >= 0 && b->rd != only))
			continue;
		snprintf(s.rd, sizeof(s.rd), "%s", rdc.rds[b->rd].name);
		snprintf(s.bd, sizeof(s.bd), "%s", dp_main.bds[bd].name);
		s.vsid = dp_bd_vsid(bd);
		cb(&s, arg);
		n++;
	}
	return n;
}

int
dp_rd_route_walk(const char *rd, dp_rd_route_cb *cb, void *arg)
{
	int only = rd != NULL ? rd_find(rd) : -1;
	int n = 0;

	if (rd != NULL && only < 0)
		return -ENOENT;
	for (uint8_t id = 0; id < DP_MAX_RDS; id++) {
		const struct rd_cfg *r = &rdc.rds[id];

		if (!r->in_use || (only >= 0 && id != only))
			continue;
		for (uint16_t i = 0; i < r->nb_routes; i++) {
			struct dp_rd_route o = { .prefix = r->routes[i].prefix,
						 .len = r->routes[i].len, .via = r->routes[i].via };
			uint16_t bd = subnet_of(id, o.via);

			snprintf(o.rd, sizeof(o.rd), "%s", r->name);
			if (bd != DP_RD_NO_SUBNET)
				snprintf(o.subnet, sizeof(o.subnet), "%s", dp_main.bds[bd].name);
			cb(&o, arg);
			n++;
		}
	}
	return n;
}
