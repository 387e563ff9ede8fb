/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rd.* methods: routing domains (a tenant's subnets that route to each
 * other, with every host as their distributed router) and their customer
 * routes.  Subnets join a domain through bridge-domain settings
 * (bd.set rd=RD gateway=IP/PREFIX, in ctl_bd.c like the other settings).
 *
 * Saved in the "rds" member, one object per domain with its routes:
 *   "rds": [{"name": "red", "mac": "02:76:72:00:00:01",
 *            "routes": [{"prefix": "0.0.0.0/0", "via": "203.0.113.9"}]}]
 * ("mac" only when it was given).  Replayed before the bridge domains, whose
 * rd= settings name the domain (ctl_restore()).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ether.h>

#include "ctl_config.h"
#include "ctl_methods.h"
#include "ctl_util.h"
#include "dp.h"
#include "dp_rd.h"

/* params.'key' as a prefix: canonical text, network-order address and length. */
static rte_be32_t
rd_mask(uint8_t len)
{
	return len == 0 ? 0 : htonl(~0u << (32 - len));
}

static int
rd_param_prefix(struct ctl_call *call, const char *key, char *canon, uint32_t *net, uint8_t *len)
{
	const char *text = json_string_value(json_object_get(call->params, key));
	char ip[CTL_PREFIX_TEXT], *slash;
	struct in_addr a;
	const char *why;

	if (ctl_prefix_parse(text, canon, &why) < 0) {
		call->code = CTL_E_INVALID_PARAMS;
		snprintf(call->err, sizeof(call->err),
			 "params.%s: '%.64s' is not an IPv4 prefix (%s; expected A.B.C.D/LEN, e.g. "
			 "0.0.0.0/0)",
			 key, text != NULL ? text : "", why);
		return -EINVAL;
	}
	snprintf(ip, sizeof(ip), "%s", canon);
	slash = strchr(ip, '/');
	*slash = '\0';
	*len = (uint8_t)atoi(slash + 1);
	inet_pton(AF_INET, ip, &a);
	*net = a.s_addr;
	return 0;
}

/* The dataplane's refusal 'rc' in words: 'fmt' for the error the caller expects, else a generic one. */
static int rd_fail(struct ctl_call *call, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
rd_fail(struct ctl_call *call, int rc, const char *fmt, ...)
{
	va_list ap;

	if (rc == -EINVAL)
		call->code = CTL_E_INVALID_PARAMS;
	if (rc == -ENOMEM) {
		snprintf(call->err, sizeof(call->err), "out of memory for the routing tables");
		return rc;
	}
	va_start(ap, fmt);
	vsnprintf(call->err, sizeof(call->err), fmt, ap);
	va_end(ap);
	return rc;
}

/* The name of a bridge domain attached to routing domain 'rd', and how many are; 0 if none. */
static unsigned int
rd_attached(const char *rd, char *one, size_t len)
{
	struct dp_bd_info bds[VSW_MAX_BDS];
	unsigned int n = dp_bd_list(bds, VSW_MAX_BDS), nb = 0;

	for (unsigned int i = 0; i < n && i < VSW_MAX_BDS; i++) {
		if (strcmp(bds[i].set.rd, rd) == 0) {
			if (nb++ == 0)
				snprintf(one, len, "%.*s", PORT_NAME_MAX - 1, bds[i].name);
		}
	}
	return nb;
}

static json_t *
rd_info_json(const struct dp_rd_info *r)
{
	char mac[CTL_MAC_TEXT];

	return json_pack("{s:s, s:i, s:s, s:b, s:i, s:i}", "name", r->name, "id", (int)r->id, "mac",
			 ctl_mac_format(r->mac, mac), "mac_default", (int)r->mac_default, "subnets",
			 (int)r->nb_subnets, "routes", (int)r->nb_routes);
}

static int
rd_get(const char *name, struct dp_rd_info *out)
{
	struct dp_rd_info rds[DP_MAX_RDS];
	unsigned int n = dp_rd_list(rds, DP_MAX_RDS);

	for (unsigned int i = 0; i < n && i < DP_MAX_RDS; i++) {
		if (strcmp(rds[i].name, name) == 0) {
			*out = rds[i];
			return 0;
		}
	}
	return -ENOENT;
}

static int
rd_add(struct ctl_call *call)
{
	struct ctl_state *st = call->ctx;
	const char *name = json_string_value(json_object_get(call->params, "name"));
	json_t *mac_param = json_object_get(call->params, "mac");
	char text[CTL_MAC_TEXT];
	struct dp_rd_info info;
	struct rte_ether_addr mac;
	int rc;

	if (strcmp(name, "none") == 0)
		return rd_fail(call, -EINVAL,
			       "'none' cannot name a routing domain: bd set NAME rd=none detaches; "
			       "choose another name");
	if (mac_param != NULL && ctl_param_mac(call, "mac", mac.addr_bytes, text) < 0)
		return -EINVAL;
	if (mac_param != NULL && (!rte_is_unicast_ether_addr(&mac) || rte_is_zero_ether_addr(&mac)))
		return rd_fail(
			call, -EINVAL,
			"a router MAC must be unicast and non-zero (e.g. 02:76:72:00:00:01)");
	rc = dp_rd_add(name, mac_param != NULL ? &mac : NULL);
	if (rc == -EEXIST)
		return rd_fail(call, rc, "routing domain '%s' already exists", name);
	if (rc == -ENOSPC)
		return rd_fail(call, rc,
			       "no room for routing domain '%s': %d exist; delete one first", name,
			       DP_MAX_RDS);
	if (rc < 0)
		return rd_fail(call, rc, "routing domain '%s': %s", name, strerror(-rc));
	if (!call->restoring && st->config != NULL) {
		json_t *entry = json_pack("{s:s, s:[]}", "name", name, "routes");

		if (entry != NULL && mac_param != NULL)
			json_object_set_new(entry, "mac", json_string(text));
		if (entry == NULL || ctl_config_add(st->config, "rds", entry) < 0) {
			json_decref(entry);
			dp_rd_del(name);
			snprintf(call->err, sizeof(call->err),
				 "out of memory recording routing domain '%s'", name);
			return -ENOMEM;
		}
		json_decref(entry);
	}
	if (rd_get(name, &info) < 0)
		return 0;
	call->result = rd_info_json(&info);
	return call->result != NULL ? 0 : -ENOMEM;
}

static int
rd_del(struct ctl_call *call)
{
	struct ctl_state *st = call->ctx;
	const char *name = json_string_value(json_object_get(call->params, "name"));
	int rc = dp_rd_del(name);
	char one[PORT_NAME_MAX] = "";
	unsigned int nb;

	/* A saved domain that could not be restored exists only in the file. */
	if (rc == -ENOENT && st->config != NULL && ctl_config_find(st->config, "rds", name) != NULL)
		rc = 0;
	if (rc == -ENOENT)
		return rd_fail(call, rc, "routing domain '%s' does not exist", name);
	if (rc == -EBUSY) {
		nb = rd_attached(name, one, sizeof(one));
		return rd_fail(
			call, rc,
			"routing domain '%s' still has %u bridge domain(s), e.g. '%s'; detach them first (vswctl bd set %s rd=none)",
			name, nb, one, one);
	}
	if (rc < 0)
		return rd_fail(call, rc, "routing domain '%s': %s", name, strerror(-rc));
	if (st->config != NULL)
		ctl_config_remove(st->config, "rds", name);
	return 0;
}

static void
rd_subnet_append(const struct dp_rd_subnet *s, void *arg)
{
	json_t *row = json_object_get(arg, s->rd);

	json_array_append_new(json_object_get(row, "subnets"), json_string(s->bd));
}

static int
rd_list(struct ctl_call *call)
{
	struct dp_rd_info rds[DP_MAX_RDS];
	unsigned int n = dp_rd_list(rds, DP_MAX_RDS);
	json_t *by_name = json_object();

	call->result = json_array();
	if (call->result == NULL || by_name == NULL) {
		json_decref(by_name);
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < n && i < DP_MAX_RDS; i++) {
		json_t *row = rd_info_json(&rds[i]);

		/* Subnets by name here; bd.list has each one's gateway. */
		json_object_set_new(row, "subnets", json_array());
		json_object_set(by_name, rds[i].name, row);
		json_array_append_new(call->result, row);
	}
	dp_rd_subnet_walk(NULL, rd_subnet_append, by_name);
	json_decref(by_name);
	return 0;
}

/* The saved routes of domain 'rd', or NULL. */
static json_t *
rd_saved_routes(struct ctl_state *st, const char *rd)
{
	json_t *entry = st->config != NULL ? ctl_config_find(st->config, "rds", rd) : NULL;
	json_t *routes = json_object_get(entry, "routes");

	if (entry != NULL && routes == NULL) {
		json_object_set_new(entry, "routes", json_array());
		routes = json_object_get(entry, "routes");
	}
	return routes;
}

static ssize_t
rd_saved_route_index(json_t *routes, const char *prefix)
{
	json_t *r;
	size_t i;

	json_array_foreach(routes, i, r) {
		const char *p = json_string_value(json_object_get(r, "prefix"));

		if (p != NULL && strcmp(p, prefix) == 0)
			return (ssize_t)i;
	}
	return -1;
}

static int
rd_route_add(struct ctl_call *call)
{
	struct ctl_state *st = call->ctx;
	const char *rd = json_string_value(json_object_get(call->params, "rd"));
	char prefix[CTL_PREFIX_TEXT], via[CTL_IPV4_TEXT];
	struct in_addr a;
	uint32_t net;
	uint8_t len;
	json_t *routes, *entry;
	ssize_t i;
	int rc;

	if (rd_param_prefix(call, "prefix", prefix, &net, &len) < 0 ||
	    ctl_param_ipv4(call, "via", via) < 0)
		return -EINVAL;
	inet_pton(AF_INET, via, &a);
	if ((net & ~rd_mask(len)) != 0) {
		struct in_addr want = { .s_addr = net & rd_mask(len) };
		char w[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &want, w, sizeof(w));
		return rd_fail(call, -EINVAL, "prefix %s has host bits set; did you mean %s/%u?",
			       prefix, w, len);
	}
	if (a.s_addr == 0 || a.s_addr == UINT32_MAX || (ntohl(a.s_addr) >> 28) >= 0xe)
		return rd_fail(
			call, -EINVAL,
			"the next hop must be a unicast customer address (a VM of the domain)");
	rc = dp_rd_route_add(rd, net, len, a.s_addr);
	if (rc == -ENOENT)
		return rd_fail(
			call, rc,
			"routing domain '%s' does not exist; create it with 'vswctl rd add %s'", rd,
			rd);
	if (rc == -ENOSPC)
		return rd_fail(call, rc,
			       "routing domain '%s' already has %d routes; delete one first", rd,
			       DP_RD_MAX_ROUTES);
	if (rc < 0)
		return rd_fail(call, rc, "route %s via %s: %s", prefix, via, strerror(-rc));
	routes = call->restoring ? NULL : rd_saved_routes(st, rd);
	if (routes != NULL) {
		entry = json_pack("{s:s, s:s}", "prefix", prefix, "via", via);
		i = rd_saved_route_index(routes, prefix);
		if (entry == NULL || (i >= 0 ? json_array_set_new(routes, (size_t)i, entry) :
					       json_array_append_new(routes, entry)) < 0) {
			snprintf(call->err, sizeof(call->err), "out of memory recording the route");
			return -ENOMEM;
		}
	}
	call->result = json_pack("{s:s, s:s, s:s}", "rd", rd, "prefix", prefix, "via", via);
	return call->result != NULL ? 0 : -ENOMEM;
}

static int
rd_route_del(struct ctl_call *call)
{
	struct ctl_state *st = call->ctx;
	const char *rd = json_string_value(json_object_get(call->params, "rd"));
	char prefix[CTL_PREFIX_TEXT];
	struct dp_rd_info info;
	json_t *routes;
	uint32_t net;
	uint8_t len;
	ssize_t i;
	int rc;

	if (rd_param_prefix(call, "prefix", prefix, &net, &len) < 0)
		return -EINVAL;
	routes = rd_saved_routes(st, rd);
	i = rd_saved_route_index(routes, prefix);
	rc = dp_rd_route_del(rd, net, len);
	/* A saved route that could not be restored exists only in the file. */
	if (rc == -ENOENT && i >= 0)
		rc = 0;
	if (rc == -ENOENT && rd_get(rd, &info) < 0)
		return rd_fail(call, rc, "routing domain '%s' does not exist", rd);
	if (rc == -ENOENT)
		return rd_fail(call, rc, "routing domain '%s' has no route %s", rd, prefix);
	if (rc < 0)
		return rd_fail(call, rc, "route %s: %s", prefix, strerror(-rc));
	if (i >= 0)
		json_array_remove(routes, (size_t)i);
	return 0;
}

static void
rd_route_append(const struct dp_rd_route *r, void *arg)
{
	char net[INET_ADDRSTRLEN], via[INET_ADDRSTRLEN], prefix[CTL_PREFIX_TEXT + 4];
	struct in_addr a = { .s_addr = r->prefix }, v = { .s_addr = r->via };

	inet_ntop(AF_INET, &a, net, sizeof(net));
	inet_ntop(AF_INET, &v, via, sizeof(via));
	snprintf(prefix, sizeof(prefix), "%s/%u", net, r->len);
	json_array_append_new(arg, json_pack("{s:s, s:s, s:s, s:o}", "rd", r->rd, "prefix", prefix,
					     "via", via, "subnet",
					     r->subnet[0] != '\0' ? json_string(r->subnet) :
								    json_null()));
}

static int
rd_route_show(struct ctl_call *call)
{
	const char *rd = json_string_value(json_object_get(call->params, "rd"));

	call->result = json_array();
	if (call->result == NULL)
		return -ENOMEM;
	if (dp_rd_route_walk(rd, rd_route_append, call->result) < 0) {
		snprintf(call->err, sizeof(call->err), "routing domain '%s' does not exist", rd);
		return -ENOENT;
	}
	return 0;
}

/* Routing domains as system.show shows them. */
json_t *
ctl_rd_list_json(void)
{
	struct ctl_call call = { .params = NULL };
	json_t *rows;

	if (rd_list(&call) < 0)
		return NULL;
	rows = call.result;
	return rows;
}

static const struct ctl_param rd_add_params[] = {
	{ "name", CTL_P_NAME, true },
	{ "mac", CTL_P_STRING, false },
	{ NULL },
};

static const struct ctl_param rd_del_params[] = {
	{ "name", CTL_P_STRING, true },
	{ NULL },
};

static const struct ctl_param rd_route_params[] = {
	{ "rd", CTL_P_STRING, true },
	{ "prefix", CTL_P_STRING, true },
	{ "via", CTL_P_STRING, true },
	{ NULL },
};

static const struct ctl_param rd_route_del_params[] = {
	{ "rd", CTL_P_STRING, true },
	{ "prefix", CTL_P_STRING, true },
	{ NULL },
};

static const struct ctl_param rd_route_show_params[] = {
	{ "rd", CTL_P_STRING, false },
	{ NULL },
};

const struct ctl_method ctl_rd_methods[] = {
	{
		.name = "rd.add",
		.params = rd_add_params,
		.help = "create a routing domain (a tenant's subnets that route to each other); "
			"mac = its router MAC (default: derived from the name)",
		.handler = rd_add,
		.persist = true,
	},
	{
		.name = "rd.del",
		.params = rd_del_params,
		.help = "delete a routing domain that has no bridge domains attached",
		.handler = rd_del,
		.persist = true,
	},
	{
		.name = "rd.list",
		.help = "list routing domains with their router MAC, subnets and route count",
		.handler = rd_list,
	},
	{
		.name = "rd.route.add",
		.params = rd_route_params,
		.help = "route a prefix of a routing domain through a customer address (e.g. "
			"0.0.0.0/0 via a tenant gateway VM)",
		.handler = rd_route_add,
		.persist = true,
	},
	{
		.name = "rd.route.del",
		.params = rd_route_del_params,
		.help = "delete a customer route",
		.handler = rd_route_del,
		.persist = true,
	},
	{
		.name = "rd.route.show",
		.params = rd_route_show_params,
		.help = "list customer routes, of one routing domain or all",
		.handler = rd_route_show,
	},
	{ .name = NULL },
};
