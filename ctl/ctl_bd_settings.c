/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bridge-domain settings table: each row names a member of struct
 * dp_bd_settings for bd.set, bd.list and the configuration, and its kind
 * says how a JSON value becomes that member, is shown and is saved.  The
 * defaults are dp_bd_defaults (dp.h), read through the same offsets.
 */
#include "ctl_bd_settings.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_util.h"
#include "nvgre.h"

enum bd_kind {
	BD_UINT32,  /* uint32_t: a JSON integer in min..max */
	BD_ONOFF,   /* bool: true/false or "on"/"off" */
	BD_DROP,    /* bool: "drop" (true) or "forward" (false) */
	BD_VSID,    /* uint32_t: 0 or NVGRE_VSID_MIN..NVGRE_VSID_MAX (RFC 7637's words) */
	BD_RD,	    /* char[PORT_NAME_MAX]: a routing domain, "none" or "" for none */
	BD_GATEWAY, /* rte_be32_t + uint8_t gateway_len: "IP/LEN", "none" or "" for none */
	BD_VLAN,    /* uint16_t: 0 (none) or an 802.1Q VLAN id 1..DP_VLAN_MAX */
};

struct bd_setting {
	const char *key;  /**< bd.set member, vswctl key, saved member */
	const char *show; /**< bd.list member */
	enum bd_kind kind;
	size_t offset;	  /**< of its member of struct dp_bd_settings */
	uint32_t min;	  /**< BD_UINT32: smallest value */
	uint32_t max;	  /**< BD_UINT32: largest value */
	bool fdb;	  /**< a MAC-table setting, shown by fdb.stats too */
	const char *help; /**< one line: what it does (its default comes from dp_bd_defaults) */
};

#define BD_AT(member) offsetof(struct dp_bd_settings, member)

/* Saved as given (learning as a boolean); shown by bd.list under .show. */
static const struct bd_setting bd_settings[] = {
	{ .key = "aging",
	  .show = "aging",
	  .kind = BD_UINT32,
	  .offset = BD_AT(aging_s),
	  .max = UINT32_MAX,
	  .fdb = true,
	  .help = "seconds before an unseen learned MAC expires; 0 = never" },
	{ .key = "max-macs",
	  .show = "max_macs",
	  .kind = BD_UINT32,
	  .offset = BD_AT(max_macs),
	  .max = UINT32_MAX,
	  .fdb = true,
	  .help = "most MACs the domain learns; 0 = no limit" },
	{ .key = "learning",
	  .show = "learning",
	  .kind = BD_ONOFF,
	  .offset = BD_AT(learning),
	  .fdb = true,
	  .help = "learn source MACs (announcements move MACs regardless)" },
	{ .key = "limit-action",
	  .show = "limit_action",
	  .kind = BD_DROP,
	  .offset = BD_AT(drop_over_limit),
	  .fdb = true,
	  .help = "frames from MACs over the limit: forward or drop" },
	{ .key = "flap-moves",
	  .show = "flap_moves",
	  .kind = BD_UINT32,
	  .offset = BD_AT(flap_moves),
	  .max = UINT32_MAX,
	  .fdb = true,
	  .help = "more moves than this within flap-window is a flap; 0 = no detection" },
	{ .key = "flap-window",
	  .show = "flap_window",
	  .kind = BD_UINT32,
	  .offset = BD_AT(flap_window_s),
	  .max = UINT32_MAX,
	  .fdb = true,
	  .help = "seconds over which moves are counted" },
	{ .key = "flap-hold",
	  .show = "flap_hold",
	  .kind = BD_UINT32,
	  .offset = BD_AT(flap_hold_s),
	  .max = UINT32_MAX,
	  .fdb = true,
	  .help = "seconds a flapping MAC is held on its port; 0 = report only" },
	{ .key = "vsid",
	  .show = "vsid",
	  .kind = BD_VSID,
	  .offset = BD_AT(vsid),
	  .help = "NVGRE virtual subnet; 0 = a plain local domain" },
	{ .key = "rd",
	  .show = "rd",
	  .kind = BD_RD,
	  .offset = BD_AT(rd),
	  .help = "routing domain the subnet is attached to" },
	{ .key = "gateway",
	  .show = "gateway",
	  .kind = BD_GATEWAY,
	  .offset = BD_AT(gateway),
	  .help = "the subnet's router address IP/PREFIX in its routing domain" },
	{ .key = "vlan",
	  .show = "vlan",
	  .kind = BD_VLAN,
	  .offset = BD_AT(vlan),
	  .help = "802.1Q VLAN of its access and trunk ports (unique); 0 = none" },
};

#define NB_SETTINGS (sizeof(bd_settings) / sizeof(bd_settings[0]))

struct ctl_param ctl_bd_set_params[NB_SETTINGS + 2];

void
ctl_bd_settings_init(void)
{
	ctl_bd_set_params[0] = (struct ctl_param){ "name", CTL_P_NAME, true };
	for (size_t i = 0; i < NB_SETTINGS; i++) {
		enum bd_kind k = bd_settings[i].kind;

		ctl_bd_set_params[i + 1] = (struct ctl_param){
			bd_settings[i].key,
			k == BD_UINT32 || k == BD_VSID || k == BD_VLAN ? CTL_P_UINT :
			k == BD_ONOFF		       ? CTL_P_SCALAR :
							 CTL_P_STRING,
			false,
		};
	}
	ctl_bd_set_params[NB_SETTINGS + 1] = (struct ctl_param){ NULL };
}

static void *
member(struct dp_bd_settings *s, const struct bd_setting *row)
{
	return (char *)s + row->offset;
}

static const void *
cmember(const struct dp_bd_settings *s, const struct bd_setting *row)
{
	return (const char *)s + row->offset;
}

const char *
ctl_bd_setting_keys(void)
{
	static char keys[256];
	size_t off = 0;

	if (keys[0] != '\0')
		return keys;
	for (size_t i = 0; i < NB_SETTINGS && off < sizeof(keys); i++)
		off += (size_t)snprintf(keys + off, sizeof(keys) - off, "%s%s", i > 0 ? ", " : "",
					bd_settings[i].key);
	return keys;
}

static int invalid(struct ctl_call *call, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
invalid(struct ctl_call *call, const char *fmt, ...)
{
	va_list ap;

	call->code = CTL_E_INVALID_PARAMS;
	va_start(ap, fmt);
	vsnprintf(call->err, sizeof(call->err), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* A JSON integer min..max, in the words ctl_rpc uses for declared parameters. */
static int
parse_u32(struct ctl_call *call, const char *key, json_t *v, uint32_t min, uint32_t max,
	  uint32_t *out)
{
	json_int_t n = json_integer_value(v);

	if (!json_is_integer(v))
		return invalid(call, "params.%s: expected a non-negative integer, got %s", key,
			       ctl_json_type_name(v));
	if (n < 0)
		return invalid(
			call,
			"params.%s: expected a non-negative integer, got %" JSON_INTEGER_FORMAT,
			key, n);
	if (n < (json_int_t)min || n > (json_int_t)max)
		return invalid(call,
			       "params.%s: expected an integer from %" PRIu32 " to %" PRIu32
			       ", got %" JSON_INTEGER_FORMAT,
			       key, min, max, n);
	*out = (uint32_t)n;
	return 0;
}

static int
parse_onoff(struct ctl_call *call, const char *key, json_t *v, bool *out)
{
	const char *t = json_string_value(v);

	if (json_is_boolean(v))
		*out = json_is_true(v);
	else if (t != NULL && (strcmp(t, "on") == 0 || strcmp(t, "true") == 0))
		*out = true;
	else if (t != NULL && (strcmp(t, "off") == 0 || strcmp(t, "false") == 0))
		*out = false;
	else if (t != NULL)
		return invalid(call,
			       "params.%s: expected true/false or \"on\"/\"off\", got '%.32s'", key,
			       t);
	else
		return invalid(call, "params.%s: expected true/false or \"on\"/\"off\", got %s",
			       key, ctl_json_type_name(v));
	return 0;
}

static int
parse_drop(struct ctl_call *call, const char *key, json_t *v, bool *out)
{
	const char *t = json_string_value(v);

	if (t == NULL)
		return invalid(call, "params.%s: expected a string, got %s", key,
			       ctl_json_type_name(v));
	if (strcmp(t, "drop") == 0 || strcmp(t, "true") == 0)
		*out = true;
	else if (strcmp(t, "forward") == 0 || strcmp(t, "false") == 0)
		*out = false;
	else
		return invalid(call, "%s must be drop or forward, not '%.64s'", key, t);
	return 0;
}

static int
parse_vsid(struct ctl_call *call, const char *key, json_t *v, uint32_t *out)
{
	uint32_t vsid;
	int rc = parse_u32(call, key, v, 0, UINT32_MAX, &vsid);

	if (rc < 0)
		return rc;
	if (vsid != 0 && !nvgre_vsid_is_valid(vsid))
		return invalid(
			call,
			"vsid must be %u..%u (0..%u and %u are reserved by RFC 7637), or 0 for none; not '%" PRIu32
			"'",
			NVGRE_VSID_MIN, NVGRE_VSID_MAX, NVGRE_VSID_MIN - 1, NVGRE_VSID_MASK, vsid);
	*out = vsid;
	return 0;
}

static bool
is_none(const char *t)
{
	return t[0] == '\0' || strcmp(t, "none") == 0;
}

static int
parse_rd(struct ctl_call *call, const char *key, json_t *v, char *out)
{
	const char *t = json_string_value(v);

	if (t == NULL)
		return invalid(call, "params.%s: expected a string, got %s", key,
			       ctl_json_type_name(v));
	if (strlen(t) >= PORT_NAME_MAX)
		return invalid(call, "params.%s: a routing-domain name has at most %d characters",
			       key, PORT_NAME_MAX - 1);
	snprintf(out, PORT_NAME_MAX, "%s", is_none(t) ? "" : t);
	return 0;
}

static int
parse_gateway(struct ctl_call *call, const char *key, json_t *v, struct dp_bd_settings *s)
{
	const char *value = json_string_value(v);
	char buf[32], *slash, *end;
	struct in_addr a;
	unsigned long bits;
	uint32_t host, m;

	if (value == NULL)
		return invalid(call, "params.%s: expected a string, got %s", key,
			       ctl_json_type_name(v));
	if (is_none(value)) {
		s->gateway = 0;
		s->gateway_len = 0;
		return 0;
	}
	snprintf(buf, sizeof(buf), "%s", value);
	slash = strchr(buf, '/');
	if (slash == NULL || strlen(value) >= sizeof(buf))
		return invalid(
			call,
			"gateway must be the subnet's router address with its prefix length, like 203.0.113.254/24; not '%.64s'",
			value);
	*slash = '\0';
	bits = strtoul(slash + 1, &end, 10);
	if (inet_pton(AF_INET, buf, &a) != 1)
		return invalid(call, "gateway '%s': '%s' is not an IPv4 address", value, buf);
	if (slash[1] == '\0' || *end != '\0' || bits < DP_BD_GATEWAY_LEN_MIN ||
	    bits > DP_BD_GATEWAY_LEN_MAX)
		return invalid(call, "gateway '%s': the prefix length must be %d to %d", value,
			       DP_BD_GATEWAY_LEN_MIN, DP_BD_GATEWAY_LEN_MAX);
	host = ntohl(a.s_addr);
	m = ~0u << (32 - bits);
	if ((host & ~m) == 0 || (host & ~m) == ~m || (host >> 28) >= 0xe)
		return invalid(
			call,
			"gateway '%s' is the network, broadcast or a multicast address; use a host address of the subnet",
			value);
	s->gateway = a.s_addr;
	s->gateway_len = (uint8_t)bits;
	return 0;
}

static const struct bd_setting *
find_setting(const char *key)
{
	for (size_t i = 0; i < NB_SETTINGS; i++)
		if (strcmp(bd_settings[i].key, key) == 0)
			return &bd_settings[i];
	return NULL;
}

int
ctl_bd_setting_parse(struct ctl_call *call, const char *key, json_t *v, struct dp_bd_settings *s,
		     json_t **saved)
{
	const struct bd_setting *row = find_setting(key);
	bool on = false;
	int rc;

	if (saved != NULL)
		*saved = NULL;
	if (row == NULL) {
		if (!json_is_string(v) && !json_is_integer(v) && !json_is_boolean(v))
			return invalid(
				call, "params.%.64s: expected a string, integer or boolean, got %s",
				key, ctl_json_type_name(v));
		return invalid(call, "unknown bridge-domain setting '%.64s'; settings: %s", key,
			       ctl_bd_setting_keys());
	}
	switch (row->kind) {
	case BD_UINT32:
		rc = parse_u32(call, key, v, row->min, row->max, member(s, row));
		break;
	case BD_ONOFF:
		rc = parse_onoff(call, key, v, &on);
		if (rc == 0)
			*(bool *)member(s, row) = on;
		/* Saved as a boolean, whichever spelling came in. */
		if (rc == 0 && saved != NULL)
			*saved = json_boolean(on);
		return rc;
	case BD_DROP:
		rc = parse_drop(call, key, v, member(s, row));
		break;
	case BD_VSID:
		rc = parse_vsid(call, key, v, member(s, row));
		break;
	case BD_RD:
		rc = parse_rd(call, key, v, member(s, row));
		break;
	case BD_GATEWAY:
		rc = parse_gateway(call, key, v, s);
		break;
	case BD_VLAN: {
		uint32_t vlan = 0;

		rc = parse_u32(call, key, v, 0, DP_VLAN_MAX, &vlan);
		if (rc == 0)
			*(uint16_t *)member(s, row) = (uint16_t)vlan;
		break;
	}
	default:
		rc = invalid(call, "params.%s: cannot be set", key);
	}
	if (rc == 0 && saved != NULL)
		*saved = json_incref(v);
	return rc;
}

static json_t *
show_value(const struct dp_bd_settings *s, const struct bd_setting *row)
{
	const void *m = cmember(s, row);
	char ip[INET_ADDRSTRLEN], text[CTL_PREFIX_TEXT];

	switch (row->kind) {
	case BD_UINT32:
		return json_integer((json_int_t) * (const uint32_t *)m);
	case BD_ONOFF:
		return json_boolean(*(const bool *)m);
	case BD_DROP:
		return json_string(*(const bool *)m ? "drop" : "forward");
	case BD_VSID:
		/* null for a plain local domain */
		return s->vsid != 0 ? json_integer((json_int_t)s->vsid) : json_null();
	case BD_RD:
		return s->rd[0] != '\0' ? json_string(s->rd) : json_null();
	case BD_GATEWAY:
		if (s->gateway == 0 || inet_ntop(AF_INET, &s->gateway, ip, sizeof(ip)) == NULL)
			return json_null();
		snprintf(text, sizeof(text), "%s/%u", ip, s->gateway_len);
		return json_string(text);
	case BD_VLAN:
		return s->vlan != 0 ? json_integer(s->vlan) : json_null();
	}
	return json_null();
}

int
ctl_bd_settings_show(json_t *row, const struct dp_bd_settings *s, bool fdb_only)
{
	for (size_t i = 0; i < NB_SETTINGS; i++) {
		if (fdb_only && !bd_settings[i].fdb)
			continue;
		if (json_object_set_new(row, bd_settings[i].show, show_value(s, &bd_settings[i])) <
		    0)
			return -ENOMEM;
	}
	return 0;
}

/* The name of bridge domain 'id', "?" if it went away. */
static void
bd_name(uint16_t id, char *out, size_t len)
{
	struct dp_bd_info bds[VSW_MAX_BDS];
	unsigned int n = dp_bd_list(bds, VSW_MAX_BDS);

	snprintf(out, len, "?");
	for (unsigned int i = 0; i < n && i < VSW_MAX_BDS; i++) {
		if (bds[i].id == id) {
			size_t l = strnlen(bds[i].name, sizeof(bds[i].name));

			l = l < len ? l : len - 1;
			memcpy(out, bds[i].name, l);
			out[l] = '\0';
		}
	}
}

static void
subnet_text(rte_be32_t gw, uint8_t len, char *out, size_t size)
{
	rte_be32_t net = len == 0 ? 0 : gw & htonl(~0u << (32 - len));
	char ip[INET_ADDRSTRLEN] = "?";

	inet_ntop(AF_INET, &net, ip, sizeof(ip));
	snprintf(out, size, "%s/%u", ip, len);
}

/* A refused VLAN: another domain has it, or a port takes the old one as its own. */
static void
vlan_refusal(struct ctl_call *call, const char *name, const struct dp_bd_settings *s, int rc,
	     const struct dp_bd_refusal *why, const char *other)
{
	struct dp_port_info ports[VSW_MAX_PORTS];
	unsigned int n = rc == -EBUSY ? dp_port_list(ports, VSW_MAX_PORTS) : 0;

	for (unsigned int i = 0; i < n && i < VSW_MAX_PORTS; i++) {
		const struct dp_port_vlan *v = &ports[i].vlan;

		if (ports[i].id != why->other)
			continue;
		snprintf(call->err, sizeof(call->err),
			 "port '%s' takes VLAN %u of bridge domain '%s' as its %s VLAN; change the "
			 "port first (vswctl port set %s vlan-mode=...)",
			 ports[i].name, v->mode == DP_VLAN_ACCESS ? v->vlan : v->native, name,
			 v->mode == DP_VLAN_ACCESS ? "access" : "native", ports[i].name);
		return;
	}
	if (rc == -EEXIST)
		snprintf(call->err, sizeof(call->err),
			 "VLAN %u already belongs to bridge domain '%s'; a VLAN names one domain",
			 s->vlan, other);
	else
		snprintf(call->err, sizeof(call->err), "vlan %u: %s", s->vlan, strerror(-rc));
}

int
ctl_bd_refusal(struct ctl_call *call, const char *name, const struct dp_bd_settings *s, int rc,
	       const struct dp_bd_refusal *why)
{
	char other[PORT_NAME_MAX], mine[CTL_PREFIX_TEXT], theirs[CTL_PREFIX_TEXT];
	struct dp_bd_settings o, cur = { .vsid = 0 };

	if (rc == -EINVAL)
		call->code = CTL_E_INVALID_PARAMS;
	bd_name(why->other, other, sizeof(other));
	/* What the domain has now (unchanged: the refusal changed nothing). */
	dp_bd_get(name, &cur);
	switch (why->setting) {
	case DP_BD_SET_VSID:
		if (rc == -EEXIST)
			snprintf(call->err, sizeof(call->err),
				 "vsid %" PRIu32 " already belongs to bridge domain '%s'", s->vsid,
				 other);
		else if (rc == -EBUSY)
			snprintf(
				call->err, sizeof(call->err),
				"bridge domain '%s': vsid %" PRIu32
				" still has lookup records; delete them first (vswctl lookup del %" PRIu32
				" IP)",
				name, cur.vsid, cur.vsid);
		else
			snprintf(call->err, sizeof(call->err), "vsid %" PRIu32 ": %s", s->vsid,
				 strerror(-rc));
		break;
	case DP_BD_SET_RD:
		if (rc == -ENOENT)
			snprintf(
				call->err, sizeof(call->err),
				"routing domain '%s' does not exist; create it with 'vswctl rd add %s'",
				s->rd, s->rd);
		else if (cur.vsid != 0 && strcmp(cur.rd, s->rd) == 0)
			/* The call drops the VSID of a domain already attached. */
			snprintf(
				call->err, sizeof(call->err),
				"bridge domain '%s' cannot drop vsid %" PRIu32
				" while in routing domain '%s': routed destinations are found through lookup records; detach it first (vswctl bd set %s rd=none)",
				name, cur.vsid, s->rd, name);
		else if (cur.vsid != 0)
			/* The call attaches it and drops its VSID at once. */
			snprintf(
				call->err, sizeof(call->err),
				"bridge domain '%s' needs its vsid %" PRIu32
				" to join routing domain '%s': routed destinations are found through lookup records; keep it (leave out vsid=0)",
				name, cur.vsid, s->rd);
		else
			snprintf(
				call->err, sizeof(call->err),
				"bridge domain '%s' has no vsid: routed destinations are found through lookup records; give it one first (vswctl bd set %s vsid=N)",
				name, name);
		break;
	case DP_BD_SET_GATEWAY:
		subnet_text(s->gateway, s->gateway_len, mine, sizeof(mine));
		if (rc == -EEXIST && dp_bd_get(other, &o) >= 0) {
			subnet_text(o.gateway, o.gateway_len, theirs, sizeof(theirs));
			snprintf(
				call->err, sizeof(call->err),
				"subnet %s overlaps %s of bridge domain '%s' in routing domain '%s'; give it another subnet",
				mine, theirs, other, o.rd);
		} else {
			snprintf(call->err, sizeof(call->err), "gateway of subnet %s: %s", mine,
				 strerror(-rc));
		}
		break;
	case DP_BD_SET_VLAN:
		vlan_refusal(call, name, s, rc, why, other);
		break;
	case DP_BD_SET_NONE:
	default:
		if (rc == -ENOENT)
			snprintf(call->err, sizeof(call->err), "bridge domain '%s' not found",
				 name);
		else
			snprintf(
				call->err, sizeof(call->err),
				"bridge domain '%s': could not apply the settings (%s); nothing changed",
				name, strerror(-rc));
	}
	return rc;
}
