/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * port.* methods.  A port's type-specific options travel as extra members of
 * port.add's params; ports/ validates them, so a new option needs no change
 * here.  Ports that are configured but could not be opened at start-up stay
 * listed, with their error, until they are deleted.  port.set changes the
 * MAC table settings of a port (max-macs, allowed-macs) and its VLAN mode
 * (ctl_vlan.c); they are saved in the port's entry next to its options and
 * replayed after port.add.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ctl_config.h"
#include "ctl_methods.h"
#include "ctl_util.h"
#include "ctl_vlan.h"
#include "dp.h"
#include "port.h"

#define PORT_OPTION_TEXT 24 /* room for an integer or boolean option as text */

static bool
port_is_main_param(const char *key)
{
	return strcmp(key, "name") == 0 || strcmp(key, "type") == 0 || strcmp(key, "bd") == 0;
}

/*
 * Turn the extra params into port options.  Strings are borrowed from
 * 'params'; integers and booleans are written as text into 'text'.
 */
static int
port_fill_options(struct ctl_call *call, struct port_spec *spec,
		  char text[PORT_MAX_OPTIONS][PORT_OPTION_TEXT])
{
	const char *key;
	json_t *v;

	json_object_foreach(call->params, key, v) {
		unsigned int n = spec->nb_options;

		if (port_is_main_param(key))
			continue;
		if (n == PORT_MAX_OPTIONS) {
			call->code = CTL_E_INVALID_PARAMS;
			snprintf(call->err, sizeof(call->err),
				 "params: too many port options (at most %d)", PORT_MAX_OPTIONS);
			return -EINVAL;
		}
		if (json_is_string(v)) {
			spec->options[n].value = json_string_value(v);
		} else if (json_is_integer(v)) {
			snprintf(text[n], PORT_OPTION_TEXT, "%" JSON_INTEGER_FORMAT,
				 json_integer_value(v));
			spec->options[n].value = text[n];
		} else if (json_is_boolean(v)) {
			snprintf(text[n], PORT_OPTION_TEXT, "%s",
				 json_is_true(v) ? "true" : "false");
			spec->options[n].value = text[n];
		} else {
			call->code = CTL_E_INVALID_PARAMS;
			snprintf(call->err, sizeof(call->err),
				 "params.%.64s: expected a string, integer or boolean, got %s", key,
				 ctl_json_type_name(v));
			return -EINVAL;
		}
		spec->options[n].key = key;
		spec->nb_options++;
	}
	return 0;
}

/* The configuration entry: name, type and bd first, then the options as given. */
static json_t *
port_config_entry(json_t *params, const char *bd)
{
	json_t *entry = json_pack("{s:O, s:O, s:s}", "name", json_object_get(params, "name"),
				  "type", json_object_get(params, "type"), "bd", bd);
	const char *key;
	json_t *v;

	if (entry == NULL)
		return NULL;
	json_object_foreach(params, key, v) {
		if (!port_is_main_param(key) && json_object_set(entry, key, v) < 0) {
			json_decref(entry);
			return NULL;
		}
	}
	return entry;
}

static int
port_add(struct ctl_call *call)
{
	struct ctl_state *st = call->ctx;
	char text[PORT_MAX_OPTIONS][PORT_OPTION_TEXT];
	struct port_spec spec = {
		.name = json_string_value(json_object_get(call->params, "name")),
		.type = json_string_value(json_object_get(call->params, "type")),
	};
	const char *bd = json_string_value(json_object_get(call->params, "bd"));
	json_t *reason;
	int rc, id;

	rc = port_fill_options(call, &spec, text);
	if (rc < 0)
		return rc;
	reason = json_object_get(st->port_errors, spec.name);
	if (reason != NULL && !call->restoring) {
		snprintf(call->err, sizeof(call->err),
			 "port '%s' already exists (configured, but in error: %s); delete it first",
			 spec.name, json_string_value(reason));
		return -EEXIST;
	}
	/* A bad type or option is the caller's mistake, told apart from a device that fails. */
	if (port_spec_validate(&spec, call->err, sizeof(call->err)) < 0) {
		call->code = CTL_E_INVALID_PARAMS;
		return -EINVAL;
	}
	rc = dp_port_add(&spec, bd, call->err, sizeof(call->err));
	if (rc < 0)
		return rc;
	if (!call->restoring && st->config != NULL) {
		json_t *entry = port_config_entry(call->params, bd != NULL ? bd : DP_DEFAULT_BD);

		if (entry == NULL || ctl_config_add(st->config, "ports", entry) < 0) {
			char ignored[VSW_ERR_LEN];

			json_decref(entry);
			dp_port_del(spec.name, ignored, sizeof(ignored));
			snprintf(call->err, sizeof(call->err), "out of memory recording port '%s'",
				 spec.name);
			return -ENOMEM;
		}
		json_decref(entry);
	}
	id = dp_port_find(spec.name);
	call->result = json_pack("{s:s, s:i}", "name", spec.name, "id", id);
	return call->result != NULL ? 0 : -ENOMEM;
}

static int
port_del(struct ctl_call *call)
{
	struct ctl_state *st = call->ctx;
	const char *name = json_string_value(json_object_get(call->params, "name"));
	int rc;

	if (json_object_get(st->port_errors, name) != NULL) {
		/* It never opened: forgetting it is all there is to do. */
		if (st->config != NULL && ctl_is_saved_uplink(st, name))
			json_object_del(st->config->root, "uplink");
		if (st->config != NULL)
			ctl_config_remove(st->config, "ports", name);
		json_object_del(st->port_errors, name);
		return 0;
	}
	rc = dp_port_del(name, call->err, sizeof(call->err));
	if (rc < 0)
		return rc;
	/* The dataplane forgets the port's static MACs with it; so does the file. */
	if (st->config != NULL) {
		ctl_config_remove(st->config, "ports", name);
		ctl_config_remove_static(st->config, "port", name, NULL);
		/* An uplink that is gone is no uplink; PAs, routes and records stay. */
		if (ctl_is_saved_uplink(st, name))
			json_object_del(st->config->root, "uplink");
	}
	return 0;
}

/* Find 'name' among the open ports; @return 0 or -ENOENT. */
static int
port_get(const char *name, struct dp_port_info *out)
{
	struct dp_port_info ports[VSW_MAX_PORTS];
	unsigned int n = dp_port_list(ports, VSW_MAX_PORTS);

	for (unsigned int i = 0; i < n && i < VSW_MAX_PORTS; i++) {
		if (strcmp(ports[i].name, name) == 0) {
			*out = ports[i];
			return 0;
		}
	}
	return -ENOENT;
}

#define PORT_ALLOWED_TEXT sizeof(((struct dp_port_info *)0)->allowed_macs)

/* Add the MAC 'text' ('len' bytes, of 'where') to the list 'out'; @return 0 or -EINVAL. */
static int
port_allowed_add(struct ctl_call *call, const char *text, size_t len, const char *where, char *out,
		 size_t *off)
{
	char canon[CTL_MAC_TEXT];
	uint8_t mac[6];

	if (ctl_mac_parse(text, len, mac) < 0) {
		snprintf(call->err, sizeof(call->err),
			 "%s: invalid MAC address '%.*s': expected six hex bytes like "
			 "02:00:00:00:00:01",
			 where, (int)(len < 64 ? len : 64), text);
		return -EINVAL;
	}
	if (*off + CTL_MAC_TEXT > PORT_ALLOWED_TEXT) {
		snprintf(call->err, sizeof(call->err), "%s: too many MAC addresses (at most %zu)",
			 where, PORT_ALLOWED_TEXT / CTL_MAC_TEXT);
		return -EINVAL;
	}
	*off += (size_t)snprintf(out + *off, PORT_ALLOWED_TEXT - *off, "%s%s", *off > 0 ? "," : "",
				 ctl_mac_format(mac, canon));
	return 0;
}

/*
 * allowed-macs as the dataplane takes it: canonical MACs joined by commas,
 * "" for any.  From "MAC,MAC" text ("" or "any": no restriction) or an array
 * of MAC strings.  @return 0 or -EINVAL with call->err naming the bad entry.
 */
static int
port_allowed_text(struct ctl_call *call, json_t *v, char *out)
{
	size_t off = 0;
	json_t *item;
	size_t i;

	out[0] = '\0';
	call->code = CTL_E_INVALID_PARAMS;
	if (json_is_string(v)) {
		const char *p = json_string_value(v);

		if (strcmp(p, "any") == 0)
			p = "";
		while (*p != '\0') {
			size_t n;

			while (*p == ' ')
				p++;
			n = strcspn(p, ", ");
			if (port_allowed_add(call, p, n, "params.allowed-macs", out, &off) < 0)
				return -EINVAL;
			p += n;
			while (*p == ' ')
				p++;
			if (*p == ',')
				p++;
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, item) {
			char where[48];

			snprintf(where, sizeof(where), "params.allowed-macs[%zu]", i);
			if (!json_is_string(item)) {
				snprintf(call->err, sizeof(call->err),
					 "%s: expected a string, got %s", where,
					 ctl_json_type_name(item));
				return -EINVAL;
			}
			if (port_allowed_add(call, json_string_value(item),
					     json_string_length(item), where, out, &off) < 0)
				return -EINVAL;
		}
	} else {
		snprintf(
			call->err, sizeof(call->err),
			"params.allowed-macs: expected \"MAC,MAC,...\" or an array of MACs, got %s",
			ctl_json_type_name(v));
		return -EINVAL;
	}
	call->code = CTL_E_APP;
	return 0;
}

static const char *const port_setting_keys[] = { "max-macs", "allowed-macs", "vlan-mode", "vlan",
						  "trunks", "native" };

bool
ctl_port_is_setting(const char *key)
{
	for (size_t i = 0; i < sizeof(port_setting_keys) / sizeof(port_setting_keys[0]); i++)
		if (strcmp(key, port_setting_keys[i]) == 0)
			return true;
	return false;
}

/* The canonical "MAC,MAC" text of port_allowed_text() as the dataplane's MACs. */
static void
port_allowed_macs(const char *text, struct dp_port_settings *s)
{
	s->nb_allowed = 0;
	for (const char *p = text; *p != '\0' && s->nb_allowed < VSW_MAX_ALLOWED_MACS;) {
		size_t n = strcspn(p, ",");

		if (ctl_mac_parse(p, n, s->allowed[s->nb_allowed].addr_bytes) == 0)
			s->nb_allowed++;
		p += n;
		if (*p == ',')
			p++;
	}
}

/* Record what port.set changed in the port's saved entry. */
static int
port_save_settings(struct ctl_state *st, const char *name, const struct dp_port_settings *s,
		   json_t *max, const char *allowed_text, const struct dp_port_info *after)
{
	json_t *entry = st->config != NULL ? ctl_config_find(st->config, "ports", name) : NULL;

	if (entry == NULL)
		return 0;
	if ((s->fields & DP_PORT_SET_MAX_MACS) && json_object_set(entry, "max-macs", max) < 0)
		return -ENOMEM;
	if ((s->fields & DP_PORT_SET_ALLOWED) &&
	    json_object_set_new(entry, "allowed-macs", json_string(allowed_text)) < 0)
		return -ENOMEM;
	if (!(s->fields & DP_PORT_SET_VLAN))
		return 0;
	/* An access port moved to its VLAN's domain: it is re-added there on restart. */
	if (json_object_set_new(entry, "bd",
				json_string(after->bd[0] != '\0' ? after->bd : DP_DEFAULT_BD)) < 0)
		return -ENOMEM;
	return ctl_port_vlan_to_json(entry, &after->vlan, true);
}

/* dp_port_set()'s refusal 'rc' in words.  @return 'rc'. */
static int
port_set_refused(struct ctl_call *call, const char *name, const struct dp_port_settings *s,
		 int rc, const struct dp_port_refusal *why)
{
	char mac[CTL_MAC_TEXT];

	switch (rc) {
	case -ENOENT:
		snprintf(call->err, sizeof(call->err), "port '%s' not found", name);
		break;
	case -EPERM:
		snprintf(call->err, sizeof(call->err),
			 "port '%s' is the uplink: give the provider network's VLAN with "
			 "'vswctl uplink set %s vlan=N'",
			 name, name);
		break;
	case -ESRCH:
		snprintf(call->err, sizeof(call->err),
			 "no bridge domain has VLAN %u; give one that VLAN first "
			 "(vswctl bd set NAME vlan=%u)",
			 why->vlan, why->vlan);
		break;
	case -EINVAL:
		call->code = CTL_E_INVALID_PARAMS;
		if (why->field == DP_PORT_SET_ALLOWED && why->index < s->nb_allowed)
			snprintf(call->err, sizeof(call->err),
				 "params.allowed-macs: %s is not a unicast MAC a VM could send from",
				 ctl_mac_format(s->allowed[why->index].addr_bytes, mac));
		else if (why->field == DP_PORT_SET_ALLOWED)
			snprintf(call->err, sizeof(call->err),
				 "params.allowed-macs: at most %d MACs", VSW_MAX_ALLOWED_MACS);
		else
			snprintf(call->err, sizeof(call->err),
				 "a trunk port needs trunks=LIST and/or native=N");
		break;
	default:
		snprintf(call->err, sizeof(call->err),
			 "out of memory applying the settings of port '%s'", name);
		break;
	}
	return rc;
}

static int
port_set(struct ctl_call *call)
{
	struct ctl_state *st = call->ctx;
	const char *name = json_string_value(json_object_get(call->params, "name"));
	json_t *max = json_object_get(call->params, "max-macs");
	json_t *allowed = json_object_get(call->params, "allowed-macs");
	char allowed_text[PORT_ALLOWED_TEXT];
	struct dp_port_settings s;
	struct dp_port_refusal why;
	struct dp_port_info before, after;
	bool vlan_given;
	int rc;

	memset(&s, 0, sizeof(s));
	if (max != NULL && json_integer_value(max) > (json_int_t)UINT32_MAX) {
		call->code = CTL_E_INVALID_PARAMS;
		snprintf(call->err, sizeof(call->err),
			 "params.max-macs: expected an integer from 0 to %u", UINT32_MAX);
		return -EINVAL;
	}
	if (allowed != NULL && port_allowed_text(call, allowed, allowed_text) < 0)
		return -EINVAL;
	if (json_object_get(st->port_errors, name) != NULL) {
		snprintf(call->err, sizeof(call->err),
			 "port '%s' is configured but in error (%s); delete and add it again", name,
			 json_string_value(json_object_get(st->port_errors, name)));
		return -ENODEV;
	}
	if (port_get(name, &before) < 0) {
		snprintf(call->err, sizeof(call->err), "port '%s' not found", name);
		return -ENOENT;
	}
	if (ctl_port_vlan_parse(call->params, &before.vlan, &s.vlan, &vlan_given, call->err,
				sizeof(call->err)) < 0) {
		call->code = CTL_E_INVALID_PARAMS;
		return -EINVAL;
	}
	if (max == NULL && allowed == NULL && !vlan_given) {
		call->code = CTL_E_INVALID_PARAMS;
		snprintf(call->err, sizeof(call->err),
			 "port.set: nothing to set; give max-macs, allowed-macs, or vlan-mode with "
			 "vlan, trunks, native");
		return -EINVAL;
	}
	if (max != NULL) {
		s.fields |= DP_PORT_SET_MAX_MACS;
		s.max_macs = (uint32_t)json_integer_value(max);
	}
	if (allowed != NULL) {
		s.fields |= DP_PORT_SET_ALLOWED;
		port_allowed_macs(allowed_text, &s);
	}
	if (vlan_given)
		s.fields |= DP_PORT_SET_VLAN;
	rc = dp_port_set(name, &s, &why);
	if (rc < 0)
		return port_set_refused(call, name, &s, rc, &why);
	if (port_get(name, &after) < 0)
		return 0;
	if (!call->restoring &&
	    port_save_settings(st, name, &s, max, allowed != NULL ? allowed_text : "", &after) < 0) {
		snprintf(call->err, sizeof(call->err),
			 "out of memory recording the settings of port '%s'", name);
		return -ENOMEM;
	}
	call->result = ctl_port_info_json(&after);
	return call->result != NULL ? 0 : -ENOMEM;
}

json_t *
ctl_port_info_json(const struct dp_port_info *p)
{
	char mac[sizeof(p->mac)], allowed[sizeof(p->allowed_macs)];

	/* Lower case, as fdb.show prints MACs, so the two can be compared by eye or grep. */
	for (size_t i = 0; i < sizeof(mac); i++)
		mac[i] = (char)tolower((unsigned char)p->mac[i]);
	mac[sizeof(mac) - 1] = '\0';
	for (size_t i = 0; i < sizeof(allowed); i++)
		allowed[i] = (char)tolower((unsigned char)p->allowed_macs[i]);
	allowed[sizeof(allowed) - 1] = '\0';
	json_t *obj;

	/* "state" last: an error reason is long and would push the other columns away. */
	obj = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:i, s:i, s:I, s:I, s:I, s:s, s:i, "
			 "s:i, s:b, s:s}",
			 "name", p->name, "type", p->type, "bd", p->bd, "ifname", p->ifname, "mac",
			 mac, "link", p->link_up ? "up" : "down", "uplink", (int)p->is_uplink,
			 "eth_port", (int)p->eth_port, "id", (int)p->id, "macs",
			 (json_int_t)p->nb_macs, "max_macs", (json_int_t)p->max_macs,
			 "link_changes", (json_int_t)p->link_changes, "allowed_macs", allowed,
			 "rx_queues", (int)p->nb_rxq, "tx_queues", (int)p->nb_txq, "tx_shared",
			 (int)p->tx_shared, "driver", p->driver);
	if (obj != NULL && (ctl_port_vlan_to_json(obj, &p->vlan, false) < 0 ||
			    json_object_set_new(obj, "state", json_string("up")) < 0)) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

/* A configured port that could not be opened: what the file says, and why. */
static json_t *
port_error_json(const struct ctl_state *st, const char *name, json_t *reason)
{
	json_t *entry = st->config != NULL ? ctl_config_find(st->config, "ports", name) : NULL;
	json_t *iface = json_object_get(entry, "iface");
	char state[CTL_ERR_LEN + 8];

	snprintf(state, sizeof(state), "error: %s", json_string_value(reason));
	return json_pack(
		"{s:s, s:O?, s:O?, s:O?, s:n, s:s, s:b, s:n, s:n, s:n, s:O?, s:n, s:O?, s:n, s:n, s:n, "
		"s:n, s:O?, s:O?, s:O?, s:O?, s:s}",
		"name", name, "type", json_object_get(entry, "type"), "bd",
		json_object_get(entry, "bd"), "ifname", json_is_string(iface) ? iface : NULL, "mac",
		"link", "down", "uplink", (int)ctl_is_saved_uplink(st, name), "eth_port", "id",
		"macs", "max_macs", json_object_get(entry, "max-macs"), "link_changes",
		"allowed_macs", json_object_get(entry, "allowed-macs"), "rx_queues", "tx_queues",
		"tx_shared", "driver", "vlan_mode", json_object_get(entry, "vlan-mode"), "vlan",
		json_object_get(entry, "vlan"), "trunks", json_object_get(entry, "trunks"), "native",
		json_object_get(entry, "native"), "state", state);
}

json_t *
ctl_port_list_json(const struct ctl_state *st)
{
	struct dp_port_info ports[VSW_MAX_PORTS];
	unsigned int n = dp_port_list(ports, VSW_MAX_PORTS);
	json_t *list = json_array();
	const char *name;
	json_t *reason;

	if (n > VSW_MAX_PORTS)
		n = VSW_MAX_PORTS;
	if (list == NULL)
		return NULL;
	for (unsigned int i = 0; i < n; i++)
		json_array_append_new(list, ctl_port_info_json(&ports[i]));
	json_object_foreach(st->port_errors, name, reason)
		json_array_append_new(list, port_error_json(st, name, reason));
	return list;
}

static int
port_list(struct ctl_call *call)
{
	call->result = ctl_port_list_json(call->ctx);
	return call->result != NULL ? 0 : -ENOMEM;
}

static const struct ctl_param port_add_params[] = {
	{ "name", CTL_P_NAME, true },
	{ "type", CTL_P_STRING, true },
	{ "bd", CTL_P_NAME, false },
	{ NULL },
};

/* Any string: a saved port with a name that is no longer valid must still be deletable. */
static const struct ctl_param port_name_param[] = {
	{ "name", CTL_P_STRING, true },
	{ NULL },
};

static const struct ctl_param port_set_params[] = {
	{ "name", CTL_P_NAME, true },
	{ "max-macs", CTL_P_UINT, false },
	{ "allowed-macs", CTL_P_ANY, false },
	{ "vlan-mode", CTL_P_STRING, false },
	{ "vlan", CTL_P_UINT, false },
	{ "trunks", CTL_P_SCALAR, false },
	{ "native", CTL_P_UINT, false },
	{ NULL },
};

const struct ctl_method ctl_port_methods[] = {
	{
		.name = "port.add",
		.params = port_add_params,
		.extra_params = true,
		.help = "create a port of a type (tap, kernel, vhost-user, pcap, ring, null, dpdk) with its options",
		.handler = port_add,
		.persist = true,
	},
	{
		.name = "port.del",
		.params = port_name_param,
		.help = "delete a port",
		.handler = port_del,
		.persist = true,
	},
	{
		.name = "port.set",
		.params = port_set_params,
		.help = "change settings of a port: max-macs, allowed-macs; vlan-mode=access vlan=N, "
			"vlan-mode=trunk trunks=LIST [native=N], vlan-mode=none",
		.handler = port_set,
		.persist = true,
	},
	{
		.name = "port.list",
		.help = "list ports: type, bridge domain, interface, MAC, link, uplink flag, MAC counts "
			"and state",
		.handler = port_list,
	},
	{ .name = NULL },
};
