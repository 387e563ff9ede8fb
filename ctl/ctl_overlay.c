/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The provider side of the NVGRE overlay: uplink.set (the port that faces the
 * provider network, and its IP MTU), pa.* (this host's provider addresses),
 * route.* (provider routes; the dataplane adds a connected route for each
 * PA's subnet) and neigh.* (static neighbours on the uplink; the others are
 * learned by ARP and shown with their age).
 *
 * Addresses of either family are parsed once, by ctl_params.c, into typed
 * values (struct ovl_ip, struct ovl_prefix) for the dataplane, and written in
 * canonical form, so that the saved file and the replies all spell them the
 * same way; the dataplane checks what only it can (overlaps, existence) and
 * answers with an errno that this file turns into a sentence.
 * All of it is configuration: saved in the "uplink", "pas", "routes" and
 * "neighbours" members and replayed after the ports (ctl_restore()).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ctl_config.h"
#include "ctl_methods.h"
#include "ctl_util.h"
#include "dp.h"

/*
 * A dataplane refusal of an operation on 'what' (its text as the user gave
 * it), in words.  -EINVAL means the request itself was wrong; the other
 * errnos say what stood in the way, and what to do about it.
 */
static int
overlay_dp_failed(struct ctl_call *call, int rc, const char *what)
{
	switch (rc) {
	case -EINVAL:
		call->code = CTL_E_INVALID_PARAMS;
		snprintf(call->err, sizeof(call->err),
			 "%s: not a usable unicast address (zero, multicast, link-local or a "
			 "reserved range)",
			 what);
		break;
	case -EEXIST:
		snprintf(call->err, sizeof(call->err), "%s already exists", what);
		break;
	case -ENOENT:
		snprintf(call->err, sizeof(call->err), "%s does not exist", what);
		break;
	case -ENOSPC:
		snprintf(call->err, sizeof(call->err),
			 "no room for %s: its table is full; delete entries you no longer need", what);
		break;
	case -ENETUNREACH:
		snprintf(call->err, sizeof(call->err),
			 "%s is not on a connected subnet: add a provider address (pa add) in its "
			 "subnet first",
			 what);
		break;
	case -ENOMEM:
		snprintf(call->err, sizeof(call->err), "out of memory for %s", what);
		break;
	default:
		snprintf(call->err, sizeof(call->err), "%s: %s", what, strerror(-rc));
		break;
	}
	return rc;
}

/* Save 'entry' (consumed) in 'section', replacing the same one; @return 0 or -ENOMEM with call->err. */
static int
overlay_save(struct ctl_call *call, const char *section, json_t *entry, const char *what)
{
	struct ctl_state *st = call->ctx;
	int rc = -ENOMEM;

	if (call->restoring || st->config == NULL) {
		json_decref(entry);
		return 0;
	}
	if (entry != NULL)
		rc = ctl_config_put_entry(st->config, section, entry);
	json_decref(entry);
	if (rc < 0)
		snprintf(call->err, sizeof(call->err), "out of memory recording %s", what);
	return rc;
}

/* Forget the saved entry like 'probe' (consumed); @return true if there was one. */
static bool
overlay_forget(struct ctl_call *call, const char *section, json_t *probe)
{
	struct ctl_state *st = call->ctx;
	bool found = false;

	if (st->config != NULL && probe != NULL)
		found = ctl_config_remove_entry(st->config, section, probe) == 0;
	json_decref(probe);
	return found;
}

/* Is the entry like 'probe' (consumed) saved? */
static bool
overlay_is_saved(struct ctl_call *call, const char *section, json_t *probe)
{
	struct ctl_state *st = call->ctx;
	bool found = st->config != NULL && probe != NULL &&
		     ctl_config_find_entry(st->config, section, probe) != NULL;

	json_decref(probe);
	return found;
}

bool
ctl_is_saved_uplink(const struct ctl_state *st, const char *name)
{
	json_t *uplink = st->config != NULL ? ctl_config_section(st->config, "uplink") : NULL;
	const char *port = json_string_value(json_object_get(uplink, "port"));

	return port != NULL && strcmp(port, name) == 0;
}

json_t *
ctl_overlay_json(void)
{
	struct dp_overlay_info info;
	char mac[CTL_MAC_TEXT];
	bool has = false;
	json_t *pas = json_array();

	memset(&info, 0, sizeof(info));
	dp_overlay_get(&info);
	has = info.uplink[0] != '\0';
	for (unsigned int i = 0; pas != NULL && i < info.nb_pas && i < 8; i++) {
		char text[CTL_IPPREFIX_TEXT];

		json_array_append_new(pas, json_string(ctl_prefix_format(&info.pas[i], text)));
	}
	/* Without an uplink nothing is carried: no MTU to speak of. */
	/* uplink_vlan only when there is one: most provider networks are untagged. */
	return json_pack("{s:s?, s:o, s:o, s:o, s:o*, s:s?, s:o*}", "uplink", has ? info.uplink : NULL,
			 "uplink_mtu", has ? json_integer(info.uplink_mtu) : json_null(),
			 "tenant_mtu", has ? json_integer(info.tenant_mtu) : json_null(),
			 "tenant_mtu6", has ? json_integer(info.tenant_mtu6) : json_null(),
			 "uplink_vlan",
			 has && info.uplink_vlan != 0 ? json_integer(info.uplink_vlan) : NULL,
			 "uplink_mac",
			 has && info.has_uplink_mac ? ctl_mac_format(info.uplink_mac, mac) : NULL,
			 "pas", pas);
}

/* --- uplink --- */

static int
overlay_uplink_set(struct ctl_call *call)
{
	struct ctl_state *st = call->ctx;
	const char *port = json_string_value(json_object_get(call->params, "port"));
	json_t *mtu = json_object_get(call->params, "mtu");
	json_t *vlan = json_object_get(call->params, "vlan");
	json_t *reason = json_object_get(st->port_errors, port);
	struct dp_overlay_info info;
	int rc;

	if (mtu != NULL && json_integer_value(mtu) > 65535) {
		call->code = CTL_E_INVALID_PARAMS;
		snprintf(
			call->err, sizeof(call->err),
			"params.mtu: expected an IP MTU up to 65535 (0 = 1500), got %" JSON_INTEGER_FORMAT,
			json_integer_value(mtu));
		return -EINVAL;
	}
	if (vlan != NULL && json_integer_value(vlan) > DP_VLAN_MAX) {
		call->code = CTL_E_INVALID_PARAMS;
		snprintf(call->err, sizeof(call->err),
			 "params.vlan: expected the provider network's VLAN id, 1 to %d (0 = untagged)",
			 DP_VLAN_MAX);
		return -EINVAL;
	}
	if (reason != NULL) {
		snprintf(call->err, sizeof(call->err),
			 "port '%s' is configured but in error (%s); fix it before making it the "
			 "uplink",
			 port, json_string_value(reason));
		return -ENODEV;
	}
	memset(&info, 0, sizeof(info));
	dp_overlay_get(&info);
	/* Moving the uplink cuts every tunnel and puts the old uplink in 'default': ask. */
	if (info.uplink[0] != '\0' && strcmp(info.uplink, port) != 0 &&
	    !json_is_true(json_object_get(call->params, "force"))) {
		snprintf(call->err, sizeof(call->err),
			 "'%s' is the uplink; making '%s' the uplink instead cuts every tunnel and "
			 "puts '%s' in bridge domain 'default': add force=true to do it",
			 info.uplink, port, info.uplink);
		return -EEXIST;
	}
	if (info.uplink[0] != '\0' && strcmp(info.uplink, port) != 0)
		ctl_log("uplink.set: '%s' replaces '%s' as the uplink; '%s' joins 'default'", port,
			info.uplink, info.uplink);
	rc = dp_uplink_set(port, (uint16_t)json_integer_value(mtu));
	if (rc == -ENOENT) {
		snprintf(call->err, sizeof(call->err), "port '%s' does not exist; add it first", port);
		return rc;
	}
	if (rc == -ENODEV) {
		snprintf(call->err, sizeof(call->err), "cannot read the MAC address of port '%s'",
			 port);
		return rc;
	}
	if (rc == -ERANGE) {
		snprintf(call->err, sizeof(call->err),
			 "MTU %" JSON_INTEGER_FORMAT
			 " is too small for NVGRE (at least 110), and IPv6 tunnels need 130",
			 json_integer_value(mtu));
		return rc;
	}
	if (rc == -EINVAL) {
		snprintf(call->err, sizeof(call->err),
			 "port '%s' has no unicast MAC address to send from", port);
		return rc;
	}
	if (rc < 0)
		return overlay_dp_failed(call, rc, "the uplink");
	if (dp_uplink_set_vlan((uint16_t)json_integer_value(vlan)) < 0) {
		snprintf(call->err, sizeof(call->err), "out of memory applying the uplink's VLAN");
		return -ENOMEM;
	}
	if (!call->restoring && st->config != NULL) {
		json_t *entry = json_pack("{s:s, s:O*, s:O*}", "port", port, "mtu", mtu, "vlan",
					  vlan != NULL && json_integer_value(vlan) != 0 ? vlan : NULL);
		json_t *saved_port = ctl_config_find(st->config, "ports", port);

		/* It left its bridge domain (which may be deleted now); restored, it is in none. */
		if (saved_port != NULL)
			json_object_del(saved_port, "bd");
		if (entry == NULL || json_object_set_new(st->config->root, "uplink", entry) < 0) {
			snprintf(call->err, sizeof(call->err),
				 "out of memory recording the uplink");
			return -ENOMEM;
		}
	}
	call->result = ctl_overlay_json();
	return call->result != NULL ? 0 : -ENOMEM;
}

/* --- provider addresses --- */

static int
overlay_pa_add(struct ctl_call *call)
{
	const char *port = json_string_value(json_object_get(call->params, "port"));
	char address[CTL_IPPREFIX_TEXT];
	struct dp_overlay_info info;
	struct ovl_prefix pa;
	int rc;

	if (ctl_param_prefix(call, "address", &pa, address) < 0)
		return -EINVAL;
	if (pa.len == 0) {
		call->code = CTL_E_INVALID_PARAMS;
		snprintf(call->err, sizeof(call->err),
			 "params.address: %s: a provider address needs its subnet's prefix length "
			 "(1 or more)",
			 address);
		return -EINVAL;
	}
	memset(&info, 0, sizeof(info));
	dp_overlay_get(&info);
	if (port != NULL && info.uplink[0] == '\0') {
		snprintf(call->err, sizeof(call->err),
			 "params.port: there is no uplink; make '%s' the uplink first "
			 "(vswctl uplink set %s)",
			 port, port);
		return -ENOENT;
	}
	if (port != NULL && strcmp(port, info.uplink) != 0) {
		call->code = CTL_E_INVALID_PARAMS;
		snprintf(call->err, sizeof(call->err),
			 "params.port: '%s' is not the uplink; provider addresses live on the "
			 "uplink '%s'",
			 port, info.uplink);
		return -EINVAL;
	}
	rc = dp_pa_add(&pa);
	if (rc == -ENOSPC) {
		snprintf(call->err, sizeof(call->err),
			 "this host has 8 provider addresses already, the most it can own; delete one "
			 "first");
		return rc;
	}
	if (rc == -EEXIST) {
		snprintf(call->err, sizeof(call->err),
			 "%s already exists, or a configured route claims its subnet (route del it "
			 "first)",
			 address);
		return rc;
	}
	if (rc < 0)
		return overlay_dp_failed(call, rc, address);
	rc = overlay_save(call, "pas", json_pack("{s:s, s:s*}", "address", address, "port", port),
			  "the provider address");
	if (rc < 0)
		return rc;
	dp_overlay_get(&info);
	call->result = json_pack("{s:s, s:s?}", "address", address, "port",
				 info.uplink[0] != '\0' ? info.uplink : NULL);
	return call->result != NULL ? 0 : -ENOMEM;
}

static int
overlay_pa_del(struct ctl_call *call)
{
	const char *text = json_string_value(json_object_get(call->params, "address"));
	char ip[CTL_IP_TEXT], prefix[CTL_IPPREFIX_TEXT];
	struct ovl_prefix p;
	bool saved;
	int rc;

	/* "IP" or "IP/LEN": a PA is named by its address. */
	if (strchr(text, '/') != NULL) {
		if (ctl_param_prefix(call, "address", &p, prefix) < 0)
			return -EINVAL;
		ctl_ip_format(&p.addr, ip);
	} else if (ctl_param_ip(call, "address", &p.addr, ip) < 0) {
		return -EINVAL;
	}
	saved = overlay_is_saved(call, "pas", json_pack("{s:s}", "address", ip));
	rc = dp_pa_del(&p.addr);
	/* A saved PA that could not be restored exists only in the file. */
	if (rc == -ENOENT && saved)
		rc = 0;
	if (rc < 0)
		return overlay_dp_failed(call, rc, ip);
	overlay_forget(call, "pas", json_pack("{s:s}", "address", ip));
	return 0;
}

static int
overlay_pa_list(struct ctl_call *call)
{
	struct dp_overlay_info info;

	memset(&info, 0, sizeof(info));
	dp_overlay_get(&info);
	call->result = json_array();
	if (call->result == NULL)
		return -ENOMEM;
	for (unsigned int i = 0; i < info.nb_pas && i < 8; i++) {
		char text[CTL_IPPREFIX_TEXT];

		json_array_append_new(call->result,
				      json_pack("{s:s, s:s, s:s}", "address",
						ctl_prefix_format(&info.pas[i], text), "family",
						ovl_ip_is6(&info.pas[i].addr) ? "ipv6" : "ipv4",
						"port", info.uplink));
	}
	return 0;
}

/* --- provider routes --- */

static void
overlay_route_append(const struct dp_route_info *r, void *arg)
{
	char prefix[CTL_IPPREFIX_TEXT], via[CTL_IP_TEXT];

	json_array_append_new(arg, json_pack("{s:s, s:s?, s:s}", "prefix",
					     ctl_prefix_format(&r->prefix, prefix), "via",
					     r->connected ? NULL : ctl_ip_format(&r->gateway, via),
					     "type", r->connected ? "connected" : "static"));
}

json_t *
ctl_route_list_json(void)
{
	json_t *list = json_array();

	if (list != NULL)
		dp_route_walk(overlay_route_append, list);
	return list;
}

/* The gateway of the static route to 'prefix' ("" if there is none) into 'via'. */
static void
route_via(const char *prefix, char *via, size_t len)
{
	json_t *routes = ctl_route_list_json();
	json_t *r;
	size_t i;

	via[0] = '\0';
	json_array_foreach(routes, i, r) {
		const char *gw = json_string_value(json_object_get(r, "via"));

		if (gw != NULL && strcmp(json_string_value(json_object_get(r, "prefix")), prefix) == 0)
			snprintf(via, len, "%s", gw);
	}
	json_decref(routes);
}

static int
overlay_route_add(struct ctl_call *call)
{
	char prefix[CTL_IPPREFIX_TEXT], via[CTL_IP_TEXT], old_via[CTL_IP_TEXT];
	struct ovl_prefix p;
	struct ovl_ip gw, net;
	int rc;

	if (ctl_param_prefix(call, "prefix", &p, prefix) < 0 ||
	    ctl_param_ip(call, "via", &gw, via) < 0)
		return -EINVAL;
	call->code = CTL_E_INVALID_PARAMS;
	if (gw.family != p.addr.family) {
		snprintf(call->err, sizeof(call->err),
			 "params.via: gateway %s and prefix %s are of different families", via,
			 prefix);
		return -EINVAL;
	}
	net = ovl_ip_network(&p.addr, p.len);
	if (!ovl_ip_eq(&net, &p.addr)) {
		struct ovl_prefix want = { .addr = net, .len = p.len };
		char text[CTL_IPPREFIX_TEXT];

		snprintf(call->err, sizeof(call->err),
			 "route prefix %s has host bits set; did you mean %s?", prefix,
			 ctl_prefix_format(&want, text));
		return -EINVAL;
	}
	call->code = CTL_E_APP;
	route_via(prefix, old_via, sizeof(old_via));
	rc = dp_route_add(&p, &gw);
	if (rc == -EINVAL) {
		call->code = CTL_E_INVALID_PARAMS;
		snprintf(call->err, sizeof(call->err), "gateway %s is not a usable unicast address",
			 via);
		return rc;
	}
	if (rc == -EEXIST) {
		snprintf(call->err, sizeof(call->err),
			 "%s is the connected route of a provider address: it needs no gateway",
			 prefix);
		return rc;
	}
	if (rc < 0)
		return overlay_dp_failed(call, rc, prefix);
	rc = overlay_save(call, "routes", json_pack("{s:s, s:s}", "prefix", prefix, "via", via),
			  "the route");
	if (rc < 0)
		return rc;
	if (old_via[0] != '\0' && strcmp(old_via, via) != 0)
		ctl_log("route.add: %s via %s replaces %s via %s", prefix, via, prefix, old_via);
	/* Say what a replacement replaced: a default route is easy to overwrite by mistake. */
	call->result = json_pack("{s:s, s:s, s:s?}", "prefix", prefix, "via", via, "replaced_via",
				 old_via[0] != '\0' && strcmp(old_via, via) != 0 ? old_via : NULL);
	return call->result != NULL ? 0 : -ENOMEM;
}

static int
overlay_route_del(struct ctl_call *call)
{
	char prefix[CTL_IPPREFIX_TEXT];
	struct ovl_prefix p;
	bool saved;
	int rc;

	if (ctl_param_prefix(call, "prefix", &p, prefix) < 0)
		return -EINVAL;
	saved = overlay_is_saved(call, "routes", json_pack("{s:s}", "prefix", prefix));
	rc = dp_route_del(&p);
	if (rc == -ENOENT && saved)
		rc = 0;
	if (rc == -EPERM) {
		snprintf(call->err, sizeof(call->err),
			 "%s is the connected route of a provider address; delete the address "
			 "(vswctl pa del) to remove it",
			 prefix);
		return rc;
	}
	if (rc < 0)
		return overlay_dp_failed(call, rc, prefix);
	overlay_forget(call, "routes", json_pack("{s:s}", "prefix", prefix));
	return 0;
}

static int
overlay_route_show(struct ctl_call *call)
{
	call->result = ctl_route_list_json();
	return call->result != NULL ? 0 : -ENOMEM;
}

/* --- neighbours --- */

static void
overlay_neigh_append(const struct dp_neigh_info *n, void *arg)
{
	char mac[CTL_MAC_TEXT], ip[CTL_IP_TEXT];

	json_array_append_new(
		arg, json_pack("{s:s, s:s?, s:s, s:s, s:o}", "ip", ctl_ip_format(&n->ip, ip), "mac",
			       n->resolved ? ctl_mac_format(n->mac, mac) : NULL, "type",
			       n->is_static ? "static" : "dynamic", "state",
			       n->resolved ? "resolved" : "incomplete", "age",
			       n->is_static || !n->resolved ? json_null() :
							     json_integer((json_int_t)n->age_s)));
}

static int
overlay_neigh_add(struct ctl_call *call)
{
	char ip[CTL_IP_TEXT], text[CTL_MAC_TEXT];
	struct ovl_ip addr;
	uint8_t mac[6];
	int rc;

	if (ctl_param_ip(call, "ip", &addr, ip) < 0 || ctl_param_mac(call, "mac", mac, text) < 0)
		return -EINVAL;
	if ((mac[0] & 1) != 0 || memcmp(mac, "\0\0\0\0\0\0", 6) == 0) {
		call->code = CTL_E_INVALID_PARAMS;
		snprintf(call->err, sizeof(call->err),
			 "params.mac: %s: a neighbour needs a unicast, non-zero MAC", text);
		return -EINVAL;
	}
	rc = dp_neigh_add(&addr, mac);
	if (rc < 0)
		return overlay_dp_failed(call, rc, ip);
	rc = overlay_save(call, "neighbours", json_pack("{s:s, s:s}", "ip", ip, "mac", text),
			  "the neighbour");
	if (rc < 0)
		return rc;
	call->result = json_pack("{s:s, s:s, s:s}", "ip", ip, "mac", text, "type", "static");
	return call->result != NULL ? 0 : -ENOMEM;
}

static int
overlay_neigh_del(struct ctl_call *call)
{
	char ip[CTL_IP_TEXT];
	struct ovl_ip addr;
	bool saved;
	int rc;

	if (ctl_param_ip(call, "ip", &addr, ip) < 0)
		return -EINVAL;
	saved = overlay_is_saved(call, "neighbours", json_pack("{s:s}", "ip", ip));
	rc = dp_neigh_del(&addr);
	if (rc == -ENOENT && saved)
		rc = 0;
	if (rc < 0)
		return overlay_dp_failed(call, rc, ip);
	overlay_forget(call, "neighbours", json_pack("{s:s}", "ip", ip));
	return 0;
}

/* --- tunnels --- */

static void
overlay_tunnel_append(const struct dp_tunnel_info *t, void *arg)
{
	char pa[CTL_IP_TEXT], nh[CTL_IP_TEXT], src[CTL_IP_TEXT];

	json_array_append_new(
		arg, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s?, s:s?, s:I, s:I, s:s?, s:o, s:I}",
			       "vsid", (json_int_t)t->vsid, "bd", t->bd, "pa",
			       ctl_ip_format(&t->pa, pa), "family",
			       ovl_ip_is6(&t->pa) ? "ipv6" : "ipv4", "state", t->state, "next_hop",
			       t->next_hop.family != 0 ? ctl_ip_format(&t->next_hop, nh) : NULL,
			       "src_pa", t->src_pa.family != 0 ? ctl_ip_format(&t->src_pa, src) : NULL,
			       "tenant_mtu", (json_int_t)t->tenant_mtu, "drops",
			       (json_int_t)t->drops, "last_error",
			       t->last_error[0] != '\0' ? t->last_error : NULL, "last_error_age",
			       t->last_error_age_s == UINT32_MAX ?
				       json_null() :
				       json_integer((json_int_t)t->last_error_age_s),
			       "errors", (json_int_t)t->nb_errors));
}

static int
overlay_tunnel_list(struct ctl_call *call)
{
	call->result = json_array();
	if (call->result == NULL)
		return -ENOMEM;
	dp_tunnel_walk(overlay_tunnel_append, call->result);
	return 0;
}

static int
overlay_neigh_show(struct ctl_call *call)
{
	call->result = json_array();
	if (call->result == NULL)
		return -ENOMEM;
	dp_neigh_walk(overlay_neigh_append, call->result);
	return 0;
}

static const struct ctl_param overlay_uplink_params[] = {
	{ "port", CTL_P_NAME, true },
	{ "mtu", CTL_P_UINT, false },
	{ "vlan", CTL_P_UINT, false },
	{ "force", CTL_P_BOOL, false },
	{ NULL },
};

static const struct ctl_param overlay_pa_add_params[] = {
	{ "address", CTL_P_STRING, true },
	{ "port", CTL_P_NAME, false },
	{ NULL },
};

static const struct ctl_param overlay_pa_del_params[] = {
	{ "address", CTL_P_STRING, true },
	{ NULL },
};

static const struct ctl_param overlay_route_add_params[] = {
	{ "prefix", CTL_P_STRING, true },
	{ "via", CTL_P_STRING, true },
	{ NULL },
};

static const struct ctl_param overlay_route_del_params[] = {
	{ "prefix", CTL_P_STRING, true },
	{ NULL },
};

static const struct ctl_param overlay_neigh_add_params[] = {
	{ "ip", CTL_P_STRING, true },
	{ "mac", CTL_P_STRING, true },
	{ NULL },
};

static const struct ctl_param overlay_neigh_del_params[] = {
	{ "ip", CTL_P_STRING, true },
	{ NULL },
};

const struct ctl_method ctl_overlay_methods[] = {
	{
		.name = "uplink.set",
		.params = overlay_uplink_params,
		.help = "make a port the uplink to the provider network (it leaves its bridge "
			"domain); mtu = its IP MTU (default 1500); vlan = the provider network's 802.1Q "
			"VLAN on it (default untagged); force=true to replace another uplink",
		.handler = overlay_uplink_set,
		.persist = true,
	},
	{
		.name = "pa.add",
		.params = overlay_pa_add_params,
		.help = "add a provider address of this host on the uplink, as IP/PREFIX, IPv4 or "
			"IPv6 (adds a connected route)",
		.handler = overlay_pa_add,
		.persist = true,
	},
	{
		.name = "pa.del",
		.params = overlay_pa_del_params,
		.help = "delete a provider address",
		.handler = overlay_pa_del,
		.persist = true,
	},
	{
		.name = "pa.list",
		.help = "list this host's provider addresses",
		.handler = overlay_pa_list,
	},
	{
		.name = "route.add",
		.params = overlay_route_add_params,
		.help = "add (or replace) a provider route: PREFIX via GATEWAY on the uplink",
		.handler = overlay_route_add,
		.persist = true,
	},
	{
		.name = "route.del",
		.params = overlay_route_del_params,
		.help = "delete a provider route",
		.handler = overlay_route_del,
		.persist = true,
	},
	{
		.name = "route.show",
		.help = "list provider routes, connected and configured",
		.handler = overlay_route_show,
	},
	{
		.name = "neigh.add",
		.params = overlay_neigh_add_params,
		.help = "add (or replace) a static neighbour on the uplink: IP and MAC",
		.handler = overlay_neigh_add,
		.persist = true,
	},
	{
		.name = "neigh.del",
		.params = overlay_neigh_del_params,
		.help = "delete a neighbour, static or learned",
		.handler = overlay_neigh_del,
		.persist = true,
	},
	{
		.name = "neigh.show",
		.help = "list neighbours on the uplink: static, and learned by ARP or neighbour "
			"discovery with their age",
		.handler = overlay_neigh_show,
	},
	{
		.name = "tunnel.list",
		.help = "list the remote PAs lookup records point at: family, state (resolved, "
			"no_route, no_neighbour, unreachable), next hop, tenant MTU, drops and the last "
			"ICMP error",
		.handler = overlay_tunnel_list,
	},
	{ .name = NULL },
};
