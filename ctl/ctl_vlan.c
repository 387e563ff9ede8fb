/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The VLAN settings of port.set (vlan-mode, vlan, trunks, native): parsed and
 * range-checked here, once, into a struct dp_port_vlan for dp_port_set(); and
 * shown back, in port.list and in the configuration file, in the same words.
 */
#include "ctl_vlan.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const mode_names[] = {
	[DP_VLAN_NONE] = "none",
	[DP_VLAN_ACCESS] = "access",
	[DP_VLAN_TRUNK] = "trunk",
};

const char *
ctl_vlan_mode_name(enum dp_vlan_mode mode)
{
	return (unsigned int)mode < sizeof(mode_names) / sizeof(mode_names[0]) ? mode_names[mode] :
										 "?";
}

/* One VLAN id of a list, "N" at 'p'; @return 0 and the text after it, or -EINVAL. */
static int
vlan_number(const char *p, const char **end, uint16_t *out)
{
	char *e;
	unsigned long v;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(p, &e, 10);
	if (errno != 0 || v < 1 || v > DP_VLAN_MAX)
		return -EINVAL;
	*out = (uint16_t)v;
	*end = e;
	return 0;
}

int
ctl_vlan_list_parse(const json_t *v, uint64_t bits[DP_VLAN_WORDS], char *err, size_t errlen)
{
	const char *p, *end;

	memset(bits, 0, DP_VLAN_WORDS * sizeof(bits[0]));
	if (json_is_integer(v)) {
		json_int_t n = json_integer_value(v);

		if (n < 1 || n > DP_VLAN_MAX) {
			snprintf(err, errlen,
				 "params.trunks: VLAN %" JSON_INTEGER_FORMAT " is not from 1 to %d",
				 n, DP_VLAN_MAX);
			return -EINVAL;
		}
		dp_vlan_bit_set(bits, (uint16_t)n);
		return 0;
	}
	if (!json_is_string(v)) {
		snprintf(err, errlen, "params.trunks: expected a list like \"10,20-29\", got %s",
			 json_is_null(v) ? "null" : "another JSON type");
		return -EINVAL;
	}
	p = json_string_value(v);
	if (*p == '\0') {
		snprintf(err, errlen,
			 "params.trunks: the list is empty; give VLANs like \"10,20-29\"");
		return -EINVAL;
	}
	while (*p != '\0') {
		uint16_t lo, hi;

		if (vlan_number(p, &end, &lo) < 0)
			goto bad;
		hi = lo;
		if (*end == '-' && vlan_number(end + 1, &end, &hi) < 0)
			goto bad;
		if (hi < lo)
			goto bad;
		for (uint32_t id = lo; id <= hi; id++)
			dp_vlan_bit_set(bits, (uint16_t)id);
		if (*end == ',')
			end++;
		else if (*end != '\0')
			goto bad;
		p = end;
	}
	return 0;
bad:
	snprintf(err, errlen,
		 "params.trunks: '%.32s' is not a VLAN list: give VLANs from 1 to %d and ranges "
		 "LOW-HIGH, comma-separated, like \"10,20-29\"",
		 p, DP_VLAN_MAX);
	return -EINVAL;
}

void
ctl_vlan_list_format(const uint64_t bits[DP_VLAN_WORDS], char *out, size_t len)
{
	size_t off = 0;

	out[0] = '\0';
	for (uint32_t id = 1; id <= DP_VLAN_MAX && off < len; id++) {
		uint32_t hi = id;

		if (!dp_vlan_test(bits, (uint16_t)id))
			continue;
		while (hi + 1 <= DP_VLAN_MAX && dp_vlan_test(bits, (uint16_t)(hi + 1)))
			hi++;
		if (hi == id)
			off += (size_t)snprintf(out + off, len - off, "%s%" PRIu32, off ? "," : "",
						id);
		else
			off += (size_t)snprintf(out + off, len - off, "%s%" PRIu32 "-%" PRIu32,
						off ? "," : "", id, hi);
		id = hi;
	}
}

/* An optional VLAN id param, 1..DP_VLAN_MAX. @return 0 (and 'given') or -EINVAL. */
static int
vlan_param(const json_t *params, const char *key, uint16_t *out, bool *given, char *err,
	   size_t errlen)
{
	const json_t *v = json_object_get(params, key);

	*given = v != NULL;
	if (v == NULL)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 1 ||
	    json_integer_value(v) > DP_VLAN_MAX) {
		snprintf(err, errlen, "params.%s: expected a VLAN id from 1 to %d", key,
			 DP_VLAN_MAX);
		return -EINVAL;
	}
	*out = (uint16_t)json_integer_value(v);
	return 0;
}

int
ctl_port_vlan_parse(const json_t *params, const struct dp_port_vlan *current,
		    struct dp_port_vlan *out, bool *given, char *err, size_t errlen)
{
	const json_t *mode = json_object_get(params, "vlan-mode");
	const json_t *trunks = json_object_get(params, "trunks");
	bool has_vlan, has_native;
	uint16_t vlan = 0, native = 0;

	*given = false;
	if (vlan_param(params, "vlan", &vlan, &has_vlan, err, errlen) < 0 ||
	    vlan_param(params, "native", &native, &has_native, err, errlen) < 0)
		return -EINVAL;
	if (mode == NULL && !has_vlan && !has_native && trunks == NULL)
		return 0;
	*given = true;
	/* A new mode starts afresh; without one, the given values change the current mode's. */
	*out = *current;
	if (mode != NULL) {
		const char *m = json_is_string(mode) ? json_string_value(mode) : "";

		memset(out, 0, sizeof(*out));
		if (strcmp(m, "none") == 0) {
			out->mode = DP_VLAN_NONE;
		} else if (strcmp(m, "access") == 0) {
			out->mode = DP_VLAN_ACCESS;
		} else if (strcmp(m, "trunk") == 0) {
			out->mode = DP_VLAN_TRUNK;
		} else {
			snprintf(err, errlen, "params.vlan-mode: expected none, access or trunk");
			return -EINVAL;
		}
	}
	if (out->mode == DP_VLAN_NONE && (has_vlan || has_native || trunks != NULL)) {
		snprintf(
			err, errlen,
			"vlan, trunks and native need vlan-mode=access (vlan=N) or vlan-mode=trunk "
			"(trunks=LIST, native=N)");
		return -EINVAL;
	}
	if (out->mode == DP_VLAN_ACCESS && (has_native || trunks != NULL)) {
		snprintf(
			err, errlen,
			"an access port takes vlan=N only; trunks and native are for vlan-mode=trunk");
		return -EINVAL;
	}
	if (out->mode == DP_VLAN_TRUNK && has_vlan) {
		snprintf(
			err, errlen,
			"a trunk port takes trunks=LIST and native=N; vlan=N is for vlan-mode=access");
		return -EINVAL;
	}
	if (has_vlan)
		out->vlan = vlan;
	if (has_native)
		out->native = native;
	if (trunks != NULL && ctl_vlan_list_parse(trunks, out->trunks, err, errlen) < 0)
		return -EINVAL;
	if (out->mode == DP_VLAN_ACCESS && out->vlan == 0) {
		snprintf(err, errlen, "vlan-mode=access needs vlan=N (the port's VLAN, 1 to %d)",
			 DP_VLAN_MAX);
		return -EINVAL;
	}
	return 0;
}

int
ctl_port_vlan_to_json(json_t *obj, const struct dp_port_vlan *v, bool config)
{
	char list[CTL_VLAN_LIST_TEXT];
	int rc = 0;

	if (config) {
		json_object_del(obj, "vlan-mode");
		json_object_del(obj, "vlan");
		json_object_del(obj, "trunks");
		json_object_del(obj, "native");
		if (v->mode == DP_VLAN_NONE)
			return 0;
		rc |= json_object_set_new(obj, "vlan-mode",
					  json_string(ctl_vlan_mode_name(v->mode)));
	} else {
		rc |= json_object_set_new(obj, "vlan_mode",
					  json_string(ctl_vlan_mode_name(v->mode)));
	}
	if (v->mode == DP_VLAN_ACCESS)
		rc |= json_object_set_new(obj, "vlan", json_integer(v->vlan));
	else if (!config)
		rc |= json_object_set_new(obj, "vlan", json_null());
	ctl_vlan_list_format(v->trunks, list, sizeof(list));
	if (v->mode == DP_VLAN_TRUNK && list[0] != '\0')
		rc |= json_object_set_new(obj, "trunks", json_string(list));
	else if (!config)
		rc |= json_object_set_new(obj, "trunks", json_null());
	if (v->mode == DP_VLAN_TRUNK && v->native != 0)
		rc |= json_object_set_new(obj, "native", json_integer(v->native));
	else if (!config)
		rc |= json_object_set_new(obj, "native", json_null());
	return rc != 0 ? -ENOMEM : 0;
}
