/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The overlay methods' parameters, parsed once here into the typed values
 * that dp.h takes (addresses of either family, prefixes, MACs, VSIDs), with
 * canonical text for the saved file and the replies, and the sentence that
 * names params.'key' when one is wrong; and the typed addresses written back
 * as text.  The edge of issue 14's "parse at the edge": the dataplane never
 * sees an address as text.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctl_methods.h"
#include "ctl_util.h"
#include "dp.h"
#include "nvgre.h"


int
ctl_param_ipv4(struct ctl_call *call, const char *key, char *canon)
{
	const char *text = json_string_value(json_object_get(call->params, key));

	if (ctl_ipv4_parse(text, canon) == 0)
		return 0;
	call->code = CTL_E_INVALID_PARAMS;
	snprintf(call->err, sizeof(call->err),
		 "params.%s: '%.64s' is not an IPv4 address (expected A.B.C.D, e.g. 198.51.100.1)",
		 key, text != NULL ? text : "");
	return -EINVAL;
}

/* Typed from what ctl_addr_parse() found. */
static struct ovl_ip
overlay_ip(int family, const uint8_t *bytes)
{
	uint32_t v4;

	if (family == AF_INET6)
		return ovl_ip6(bytes);
	memcpy(&v4, bytes, sizeof(v4));
	return ovl_ip4(v4);
}

int
ctl_param_ip(struct ctl_call *call, const char *key, struct ovl_ip *ip, char *canon)
{
	const char *text = json_string_value(json_object_get(call->params, key));
	uint8_t bytes[CTL_IP_BYTES];
	int family;

	if (ctl_addr_parse(text, &family, bytes, canon) == 0) {
		*ip = overlay_ip(family, bytes);
		return 0;
	}
	call->code = CTL_E_INVALID_PARAMS;
	snprintf(call->err, sizeof(call->err),
		 "params.%s: '%.64s' is not an IPv4 or IPv6 address (e.g. 198.51.100.1 or "
		 "2001:db8:1::1)",
		 key, text != NULL ? text : "");
	return -EINVAL;
}

int
ctl_param_prefix(struct ctl_call *call, const char *key, struct ovl_prefix *prefix,
		     char *canon)
{
	const char *text = json_string_value(json_object_get(call->params, key));
	uint8_t bytes[CTL_IP_BYTES];
	const char *why;
	int family;

	if (ctl_addr_prefix_parse(text, &family, bytes, &prefix->len, canon, &why) == 0) {
		prefix->addr = overlay_ip(family, bytes);
		return 0;
	}
	call->code = CTL_E_INVALID_PARAMS;
	snprintf(call->err, sizeof(call->err),
		 "params.%s: '%.64s' is not an IPv4 or IPv6 prefix (%s; expected ADDRESS/LEN, "
		 "e.g. 198.51.100.0/24 or 2001:db8:1::/64)",
		 key, text != NULL ? text : "", why);
	return -EINVAL;
}

char *
ctl_ip_format(const struct ovl_ip *ip, char *buf)
{
	buf[0] = '\0';
	if (ip->family == AF_INET || ip->family == AF_INET6)
		inet_ntop(ip->family, ovl_ip_bytes(ip), buf, CTL_IP_TEXT);
	return buf;
}

char *
ctl_prefix_format(const struct ovl_prefix *p, char *buf)
{
	char ip[CTL_IP_TEXT];

	buf[0] = '\0';
	if (p->addr.family == AF_INET || p->addr.family == AF_INET6)
		snprintf(buf, CTL_IPPREFIX_TEXT, "%s/%u", ctl_ip_format(&p->addr, ip), p->len);
	return buf;
}

int
ctl_param_mac(struct ctl_call *call, const char *key, uint8_t mac[6], char *text)
{
	json_t *v = json_object_get(call->params, key);

	if (ctl_mac_parse(json_string_value(v), json_string_length(v), mac) == 0) {
		ctl_mac_format(mac, text);
		return 0;
	}
	call->code = CTL_E_INVALID_PARAMS;
	snprintf(call->err, sizeof(call->err),
		 "params.%s: invalid MAC address '%.64s': expected six hex bytes like "
		 "02:00:00:00:00:01",
		 key, json_string_value(v) != NULL ? json_string_value(v) : "");
	return -EINVAL;
}

int
ctl_param_vsid(struct ctl_call *call, const char *key, uint32_t *vsid)
{
	json_int_t v = json_integer_value(json_object_get(call->params, key));

	if (v >= NVGRE_VSID_MIN && v <= NVGRE_VSID_MAX) {
		*vsid = (uint32_t)v;
		return 0;
	}
	call->code = CTL_E_INVALID_PARAMS;
	snprintf(call->err, sizeof(call->err),
		 "params.%s: VSID %" JSON_INTEGER_FORMAT " is reserved or too big (use %u to %u)",
		 key, v, NVGRE_VSID_MIN, NVGRE_VSID_MAX);
	return -EINVAL;
}
