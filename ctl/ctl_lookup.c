/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lookup.* methods: the customer -> provider records, (VSID, customer IP) ->
 * (customer MAC, provider address of the host that runs it).  The control
 * plane installs the same records on every host; adding a record again with
 * a new PA is how a migrated VM is followed.
 *
 * The dataplane keeps one PA per customer MAC: giving a MAC a new PA moves
 * every address of that MAC in the VSID.  The saved records follow it, so
 * that a replay re-creates what the dataplane had, not an older PA.
 * Records are saved in the "lookups" member and replayed after the
 * neighbours (ctl_restore()).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctl_config.h"
#include "ctl_methods.h"
#include "ctl_util.h"
#include "dp.h"
#include "nvgre.h"

static json_t *
lookup_record_json(uint32_t vsid, const char *ca_ip, const char *ca_mac, const char *pa, bool local)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:b}", "vsid", (json_int_t)vsid, "ca_ip", ca_ip,
			 "ca_mac", ca_mac, "pa", pa, "local", (int)local);
}

/* Saved records of 'vsid' with MAC 'mac' now live at 'pa', as in the dataplane. */
static void
lookup_follow_mac(struct ctl_state *st, uint32_t vsid, const uint8_t mac[6], const char *pa)
{
	json_t *entry;
	size_t i;

	json_array_foreach(ctl_config_section(st->config, "lookups"), i, entry) {
		json_t *m = json_object_get(entry, "ca_mac");
		uint8_t other[6];

		if (json_integer_value(json_object_get(entry, "vsid")) == (json_int_t)vsid &&
		    ctl_mac_parse(json_string_value(m), json_string_length(m), other) == 0 &&
		    memcmp(other, mac, 6) == 0)
			json_object_set_new(entry, "pa", json_string(pa));
	}
}

/* dp_lookup_add()'s refusal in words. */
static int
lookup_failed(struct ctl_call *call, int rc, uint32_t vsid, const char *ca_ip, const char *pa)
{
	switch (rc) {
	case -EDOM:
		call->code = CTL_E_INVALID_PARAMS;
		snprintf(call->err, sizeof(call->err),
			 "vsid %u is reserved or out of range (%u..%u)", vsid, NVGRE_VSID_MIN,
			 NVGRE_VSID_MAX);
		break;
	case -ENOENT:
		snprintf(call->err, sizeof(call->err),
			 "no bridge domain has vsid %u; create one with 'vswctl bd add NAME vsid=%u'",
			 vsid, vsid);
		break;
	case -EINVAL:
		call->code = CTL_E_INVALID_PARAMS;
		snprintf(call->err, sizeof(call->err),
			 "%s -> %s: the customer address must be non-zero and the provider address "
			 "a usable unicast one (not zero, multicast or link-local)",
			 ca_ip, pa);
		break;
	case -ENOSPC:
		snprintf(call->err, sizeof(call->err),
			 "no room for the lookup record: the records, MACs or tunnels table is full");
		break;
	default:
		snprintf(call->err, sizeof(call->err), "the lookup record: %s", strerror(-rc));
		break;
	}
	return rc;
}

static int
lookup_add(struct ctl_call *call)
{
	struct ctl_state *st = call->ctx;
	char ca_ip[CTL_IPV4_TEXT], pa[CTL_IP_TEXT], text[CTL_MAC_TEXT];
	struct ovl_ip pa_ip;
	uint32_t vsid, cip;
	uint8_t mac[6];
	json_t *entry;
	int rc;

	if (ctl_param_vsid(call, "vsid", &vsid) < 0 || ctl_param_ipv4(call, "ca_ip", ca_ip) < 0 ||
	    ctl_param_mac(call, "ca_mac", mac, text) < 0 || ctl_param_ip(call, "pa", &pa_ip, pa) < 0)
		return -EINVAL;
	inet_pton(AF_INET, ca_ip, &cip);
	if (mac[0] & 1) {
		call->code = CTL_E_INVALID_PARAMS;
		snprintf(call->err, sizeof(call->err),
			 "params.ca_mac: %s is a multicast MAC; a customer address needs a unicast "
			 "one",
			 text);
		return -EINVAL;
	}
	if (memcmp(mac, "\0\0\0\0\0\0", 6) == 0) {
		call->code = CTL_E_INVALID_PARAMS;
		snprintf(call->err, sizeof(call->err),
			 "params.ca_mac: a customer MAC must be unicast and non-zero");
		return -EINVAL;
	}
	rc = dp_lookup_add(vsid, cip, mac, &pa_ip);
	if (rc < 0)
		return lookup_failed(call, rc, vsid, ca_ip, pa);
	if (!call->restoring && st->config != NULL) {
		entry = json_pack("{s:I, s:s, s:s, s:s}", "vsid", (json_int_t)vsid, "ca_ip", ca_ip,
				  "ca_mac", text, "pa", pa);
		rc = entry != NULL ? ctl_config_put_entry(st->config, "lookups", entry) : -ENOMEM;
		json_decref(entry);
		if (rc < 0) {
			snprintf(call->err, sizeof(call->err),
				 "out of memory recording the lookup record");
			return rc;
		}
		lookup_follow_mac(st, vsid, mac, pa);
	}
	call->result = json_pack("{s:I, s:s, s:s, s:s}", "vsid", (json_int_t)vsid, "ca_ip", ca_ip,
				 "ca_mac", text, "pa", pa);
	return call->result != NULL ? 0 : -ENOMEM;
}

static int
lookup_del(struct ctl_call *call)
{
	struct ctl_state *st = call->ctx;
	char ca_ip[CTL_IPV4_TEXT];
	uint32_t vsid, cip;
	json_t *probe;
	bool saved;
	int rc;

	if (ctl_param_vsid(call, "vsid", &vsid) < 0 || ctl_param_ipv4(call, "ca_ip", ca_ip) < 0)
		return -EINVAL;
	inet_pton(AF_INET, ca_ip, &cip);
	probe = json_pack("{s:I, s:s}", "vsid", (json_int_t)vsid, "ca_ip", ca_ip);
	if (probe == NULL)
		return -ENOMEM;
	saved = st->config != NULL && ctl_config_find_entry(st->config, "lookups", probe) != NULL;
	rc = dp_lookup_del(vsid, cip);
	/* A saved record that could not be restored exists only in the file. */
	if (rc == -ENOENT && saved)
		rc = 0;
	if (rc == 0 && saved)
		ctl_config_remove_entry(st->config, "lookups", probe);
	json_decref(probe);
	if (rc == -ENOENT)
		snprintf(call->err, sizeof(call->err), "no lookup record for %s in vsid %u", ca_ip,
			 vsid);
	return rc < 0 ? rc : 0;
}

static void
lookup_append(const struct dp_lookup_record *r, void *arg)
{
	char mac[CTL_MAC_TEXT], ca_ip[CTL_IPV4_TEXT], pa[CTL_IP_TEXT];

	json_array_append_new(arg,
			      lookup_record_json(r->vsid,
						 inet_ntop(AF_INET, &r->ca_ip, ca_ip, sizeof(ca_ip)),
						 ctl_mac_format(r->ca_mac, mac), ctl_ip_format(&r->pa, pa),
						 r->local));
}

static int
lookup_show(struct ctl_call *call)
{
	uint32_t vsid = 0;

	if (json_object_get(call->params, "vsid") != NULL &&
	    ctl_param_vsid(call, "vsid", &vsid) < 0)
		return -EINVAL;
	call->result = json_array();
	if (call->result == NULL)
		return -ENOMEM;
	dp_lookup_walk(vsid, lookup_append, call->result);
	return 0;
}

/*
 * One element of lookup.apply: run the single-record handler on it, as a
 * call of its own, and note a failure in 'failed'.  @return 0 or -errno.
 */
static int
lookup_apply_one(struct ctl_call *call, int (*handler)(struct ctl_call *), const char *op,
		 size_t index, json_t *params, json_t *failed)
{
	struct ctl_call sub = *call;
	int rc;

	sub.params = params;
	sub.result = NULL;
	sub.err[0] = '\0';
	sub.code = CTL_E_APP;
	rc = json_is_object(params) ? handler(&sub) : -EINVAL;
	if (!json_is_object(params))
		snprintf(sub.err, sizeof(sub.err), "expected an object, got %s",
			 ctl_json_type_name(params));
	json_decref(sub.result);
	if (rc < 0)
		json_array_append_new(failed, json_pack("{s:s, s:I, s:s}", "op", op, "index",
							(json_int_t)index, "error", sub.err));
	return rc;
}

/*
 * Many records in one call and one save of the configuration: what an agent
 * needs to load thousands of records (one save per record made that take
 * minutes).  Deletions first, then additions; each element is checked and
 * applied like lookup.del / lookup.add, and one that fails does not stop the
 * others: the reply lists them.
 */
static int
lookup_apply(struct ctl_call *call)
{
	json_t *dels = json_object_get(call->params, "del");
	json_t *adds = json_object_get(call->params, "add");
	json_t *failed = json_array(), *e;
	unsigned int nb_added = 0, nb_deleted = 0;
	size_t i;

	if ((dels != NULL && !json_is_array(dels)) || (adds != NULL && !json_is_array(adds))) {
		json_decref(failed);
		call->code = CTL_E_INVALID_PARAMS;
		snprintf(call->err, sizeof(call->err),
			 "params.add and params.del: expected arrays of records");
		return -EINVAL;
	}
	json_array_foreach(dels, i, e)
		nb_deleted += lookup_apply_one(call, lookup_del, "del", i, e, failed) == 0;
	json_array_foreach(adds, i, e)
		nb_added += lookup_apply_one(call, lookup_add, "add", i, e, failed) == 0;
	call->result = json_pack("{s:i, s:i, s:o}", "added", (int)nb_added, "deleted",
				 (int)nb_deleted, "failed", failed);
	return call->result != NULL ? 0 : -ENOMEM;
}

static const struct ctl_param lookup_apply_params[] = {
	{ "add", CTL_P_ANY, false },
	{ "del", CTL_P_ANY, false },
	{ NULL },
};

static const struct ctl_param lookup_add_params[] = {
	{ "vsid", CTL_P_UINT, true },
	{ "ca_ip", CTL_P_STRING, true },
	{ "ca_mac", CTL_P_STRING, true },
	{ "pa", CTL_P_STRING, true },
	{ NULL },
};

static const struct ctl_param lookup_del_params[] = {
	{ "vsid", CTL_P_UINT, true },
	{ "ca_ip", CTL_P_STRING, true },
	{ NULL },
};

static const struct ctl_param lookup_show_params[] = {
	{ "vsid", CTL_P_UINT, false },
	{ NULL },
};

const struct ctl_method ctl_lookup_methods[] = {
	{
		.name = "lookup.add",
		.params = lookup_add_params,
		.help = "add or update a customer->provider record: (vsid, ca_ip) -> (ca_mac, pa); "
			"a new pa moves every address of that MAC",
		.handler = lookup_add,
		.persist = true,
	},
	{
		.name = "lookup.del",
		.params = lookup_del_params,
		.help = "delete a customer->provider record",
		.handler = lookup_del,
		.persist = true,
	},
	{
		.name = "lookup.apply",
		.params = lookup_apply_params,
		.help = "delete (del: [{vsid, ca_ip}]) then add (add: [{vsid, ca_ip, ca_mac, pa}]) "
			"many records with one save; failures are listed, not fatal",
		.handler = lookup_apply,
		.persist = true,
	},
	{
		.name = "lookup.show",
		.params = lookup_show_params,
		.help = "list customer->provider records, of one VSID or all",
		.handler = lookup_show,
	},
	{ .name = NULL },
};
