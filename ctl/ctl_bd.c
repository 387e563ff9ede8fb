/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bd.* methods: bridge domains, the L2 segments ports join, and their MAC
 * table settings.  A bridge domain with a VSID ("vsid", a setting like the
 * others) is a tenant virtual subnet carried over NVGRE; bd.add takes it too.
 * The settings themselves (keys, types, ranges, how they are shown and
 * saved) are the table in ctl_bd_settings.c; bd.set parses every key into
 * one struct dp_bd_settings and hands it to dp_bd_apply(), all or nothing.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ctl_bd_settings.h"
#include "ctl_config.h"
#include "ctl_methods.h"
#include "dp.h"
#include "nvgre.h"

/* The number of ports of bridge domain 'name' (0 if it is gone). */
static unsigned int
bd_nb_ports(const char *name)
{
	struct dp_bd_info bds[VSW_MAX_BDS];
	unsigned int n = dp_bd_list(bds, VSW_MAX_BDS);

	for (unsigned int i = 0; i < n && i < VSW_MAX_BDS; i++)
		if (strcmp(bds[i].name, name) == 0)
			return bds[i].nb_ports;
	return 0;
}

/* dp_bd_add() or dp_bd_del()'s refusal 'rc' in words.  @return rc. */
static int
bd_fail(struct ctl_call *call, int rc, const char *name)
{
	struct dp_bd_settings set;
	unsigned int nb_ports;

	switch (rc) {
	case -EINVAL:
		call->code = CTL_E_INVALID_PARAMS;
		snprintf(call->err, sizeof(call->err),
			 "bridge domain name must be 1 to %d characters", PORT_NAME_MAX - 1);
		break;
	case -EEXIST:
		snprintf(call->err, sizeof(call->err), "bridge domain '%s' already exists", name);
		break;
	case -ENOSPC:
		snprintf(call->err, sizeof(call->err),
			 "all %d bridge domains are in use; delete one first", VSW_MAX_BDS);
		break;
	case -ENOENT:
		snprintf(call->err, sizeof(call->err), "bridge domain '%s' does not exist", name);
		break;
	case -EPERM:
		snprintf(call->err, sizeof(call->err),
			 "the default bridge domain cannot be deleted");
		break;
	case -EBUSY:
		nb_ports = bd_nb_ports(name);
		if (nb_ports > 0)
			snprintf(
				call->err, sizeof(call->err),
				"bridge domain '%s' still has %u port(s); delete or move them first",
				name, nb_ports);
		else if (dp_bd_get(name, &set) >= 0)
			snprintf(
				call->err, sizeof(call->err),
				"bridge domain '%s': vsid %u still has lookup records; delete them first (vswctl lookup del %u IP)",
				name, set.vsid, set.vsid);
		break;
	default:
		snprintf(call->err, sizeof(call->err), "bridge domain '%s': %s", name,
			 strerror(-rc));
	}
	return rc;
}

static int
bd_add(struct ctl_call *call)
{
	struct ctl_state *st = call->ctx;
	json_t *name = json_object_get(call->params, "name");
	json_t *vsid = json_object_get(call->params, "vsid");
	struct dp_bd_settings set = dp_bd_defaults;
	struct dp_bd_refusal why;
	int rc;

	/* vsid 0 is "none": the plain local domain bd.add has always made. */
	if (vsid != NULL && json_integer_value(vsid) == 0)
		vsid = NULL;
	if (vsid != NULL && json_integer_value(vsid) > NVGRE_VSID_MASK) {
		call->code = CTL_E_INVALID_PARAMS;
		snprintf(
			call->err, sizeof(call->err),
			"params.vsid: expected a VSID from %u to %u (0 = none), got %" JSON_INTEGER_FORMAT,
			NVGRE_VSID_MIN, NVGRE_VSID_MAX, json_integer_value(vsid));
		return -EINVAL;
	}
	if (vsid != NULL && ctl_bd_setting_parse(call, "vsid", vsid, &set, NULL) < 0)
		return -EINVAL;
	rc = dp_bd_add(json_string_value(name));
	if (rc < 0)
		return bd_fail(call, rc, json_string_value(name));
	if (vsid != NULL) {
		rc = dp_bd_apply(json_string_value(name), &set, &why);
		if (rc < 0) {
			/* Nothing half-made: a domain without its VSID is not what was asked. */
			ctl_bd_refusal(call, json_string_value(name), &set, rc, &why);
			dp_bd_del(json_string_value(name));
			return rc;
		}
	}
	if (!call->restoring && st->config != NULL) {
		json_t *entry = json_pack("{s:O, s:O*}", "name", name, "vsid", vsid);

		if (entry == NULL || ctl_config_add(st->config, "bds", entry) < 0) {
			json_decref(entry);
			dp_bd_del(json_string_value(name));
			snprintf(call->err, sizeof(call->err),
				 "out of memory recording bridge domain '%s'",
				 json_string_value(name));
			return -ENOMEM;
		}
		json_decref(entry);
	}
	return 0;
}

/* A port that failed to open still names its domain; keep the pair consistent. */
static const char *
bd_failed_user(const struct ctl_state *st, const char *bd)
{
	const char *port;
	json_t *reason;

	if (st->config == NULL)
		return NULL;
	json_object_foreach(st->port_errors, port, reason) {
		json_t *entry = ctl_config_find(st->config, "ports", port);
		const char *its_bd = json_string_value(json_object_get(entry, "bd"));

		if (its_bd != NULL && strcmp(its_bd, bd) == 0)
			return port;
	}
	return NULL;
}

static int
bd_del(struct ctl_call *call)
{
	struct ctl_state *st = call->ctx;
	const char *name = json_string_value(json_object_get(call->params, "name"));
	const char *user = bd_failed_user(st, name);
	int rc;

	if (user != NULL) {
		snprintf(
			call->err, sizeof(call->err),
			"bridge domain '%s' is used by port '%s' (configured, in error); delete the port first",
			name, user);
		return -EBUSY;
	}
	rc = dp_bd_del(name);
	/* A saved domain that could not be restored exists only in the file. */
	if (rc == -ENOENT && st->config != NULL && ctl_config_find(st->config, "bds", name) != NULL)
		rc = 0;
	if (rc < 0)
		return bd_fail(call, rc, name);
	if (st->config != NULL) {
		ctl_config_remove(st->config, "bds", name);
		ctl_config_remove_static(st->config, "bd", name, NULL);
	}
	return 0;
}

/* A bd.list row; bd.set and system.show show the same.  vsid is null for a plain local domain. */
json_t *
ctl_bd_info_json(const struct dp_bd_info *b)
{
	json_t *row = json_pack("{s:s, s:i, s:i, s:I}", "name", b->name, "id", (int)b->id, "ports",
				(int)b->nb_ports, "macs", (json_int_t)b->nb_macs);

	if (row != NULL && ctl_bd_settings_show(row, &b->set, false) < 0) {
		json_decref(row);
		return NULL;
	}
	return row;
}

/* Find 'name' among the bridge domains; @return 0 or -ENOENT. */
static int
bd_get(const char *name, struct dp_bd_info *out)
{
	struct dp_bd_info bds[VSW_MAX_BDS];
	unsigned int n = dp_bd_list(bds, VSW_MAX_BDS);

	for (unsigned int i = 0; i < n && i < VSW_MAX_BDS; i++) {
		if (strcmp(bds[i].name, name) == 0) {
			*out = bds[i];
			return 0;
		}
	}
	return -ENOENT;
}

static int
bd_list(struct ctl_call *call)
{
	struct dp_bd_info bds[VSW_MAX_BDS];
	unsigned int n = dp_bd_list(bds, VSW_MAX_BDS);

	if (n > VSW_MAX_BDS)
		n = VSW_MAX_BDS;
	call->result = json_array();
	if (call->result == NULL)
		return -ENOMEM;
	for (unsigned int i = 0; i < n; i++)
		json_array_append_new(call->result, ctl_bd_info_json(&bds[i]));
	return 0;
}

#define BD_MAX_SETTINGS 16 /* keys one bd.set may change */

/* One key of a bd.set call, as the configuration records it. */
struct bd_saved {
	const char *key; /**< member of params */
	json_t *value;	 /**< what to record (owned) */
};

/* Record the settings in the domain's entry, creating one for a domain not in the file. */
static int
bd_save_settings(struct ctl_state *st, const char *name, const struct bd_saved *set,
		 unsigned int nb)
{
	json_t *entry = ctl_config_find(st->config, "bds", name);
	bool created = false;

	if (entry == NULL) {
		entry = json_pack("{s:s}", "name", name);
		if (entry == NULL || ctl_config_add(st->config, "bds", entry) < 0) {
			json_decref(entry);
			return -ENOMEM;
		}
		json_decref(entry);
		created = true;
	}
	for (unsigned int i = 0; i < nb; i++) {
		if (json_object_set(entry, set[i].key, set[i].value) < 0) {
			if (created)
				ctl_config_remove(st->config, "bds", name);
			return -ENOMEM;
		}
	}
	return 0;
}

static void
bd_saved_free(struct bd_saved *saved, unsigned int nb)
{
	for (unsigned int i = 0; i < nb; i++)
		json_decref(saved[i].value);
}

/*
 * All or nothing: every key is parsed into one copy of the current settings
 * before anything changes, and dp_bd_apply() takes the copy whole or not at all.
 */
static int
bd_set(struct ctl_call *call)
{
	struct ctl_state *st = call->ctx;
	const char *name = json_string_value(json_object_get(call->params, "name"));
	struct bd_saved saved[BD_MAX_SETTINGS];
	struct dp_bd_settings set = dp_bd_defaults;
	struct dp_bd_refusal why;
	struct dp_bd_info after;
	unsigned int nb = 0;
	bool exists = dp_bd_get(name, &set) >= 0;
	const char *key;
	json_t *v;
	int rc = 0;

	json_object_foreach(call->params, key, v) {
		if (strcmp(key, "name") == 0)
			continue;
		if (nb == BD_MAX_SETTINGS) {
			bd_saved_free(saved, nb);
			call->code = CTL_E_INVALID_PARAMS;
			snprintf(call->err, sizeof(call->err),
				 "params: too many settings (at most %d)", BD_MAX_SETTINGS);
			return -EINVAL;
		}
		rc = ctl_bd_setting_parse(call, key, v, &set, &saved[nb].value);
		if (rc < 0) {
			bd_saved_free(saved, nb);
			return rc;
		}
		saved[nb++].key = key;
	}
	if (nb == 0) {
		call->code = CTL_E_INVALID_PARAMS;
		snprintf(call->err, sizeof(call->err),
			 "bd.set: nothing to set; give at least one of %s", ctl_bd_setting_keys());
		return -EINVAL;
	}
	rc = exists ? dp_bd_apply(name, &set, &why) : -ENOENT;
	if (rc < 0) {
		if (!exists)
			why = (struct dp_bd_refusal){ .setting = DP_BD_SET_NONE };
		bd_saved_free(saved, nb);
		return ctl_bd_refusal(call, name, &set, rc, &why);
	}
	if (!call->restoring && st->config != NULL && bd_save_settings(st, name, saved, nb) < 0) {
		bd_saved_free(saved, nb);
		snprintf(call->err, sizeof(call->err),
			 "out of memory recording the settings of bridge domain '%s'", name);
		return -ENOMEM;
	}
	bd_saved_free(saved, nb);
	if (bd_get(name, &after) < 0)
		return 0;
	call->result = ctl_bd_info_json(&after);
	return call->result != NULL ? 0 : -ENOMEM;
}

static const struct ctl_param bd_add_params[] = {
	{ "name", CTL_P_NAME, true },
	{ "vsid", CTL_P_UINT, false },
	{ NULL },
};

/* Any string: a saved domain with a name that is no longer valid must still be deletable. */
static const struct ctl_param bd_del_params[] = {
	{ "name", CTL_P_STRING, true },
	{ NULL },
};

const struct ctl_method ctl_bd_methods[] = {
	{
		.name = "bd.add",
		.params = bd_add_params,
		.help = "create a bridge domain; with vsid, a tenant virtual subnet carried over NVGRE",
		.handler = bd_add,
		.persist = true,
	},
	{
		.name = "bd.del",
		.params = bd_del_params,
		.help = "delete a bridge domain that has no ports",
		.handler = bd_del,
		.persist = true,
	},
	{
		.name = "bd.set",
		.params = ctl_bd_set_params, /* the settings table's keys */
		.extra_params = true,
		.help = "change settings of a bridge domain: aging, max-macs, learning, "
			"limit-action, flap-moves, flap-window, flap-hold, vsid; rd and gateway "
			"(attach the subnet to a routing domain, with its router address IP/PREFIX)",
		.handler = bd_set,
		.persist = true,
	},
	{
		.name = "bd.list",
		.help = "list bridge domains with their VSID, port and MAC counts and MAC table settings",
		.handler = bd_list,
	},
	{ .name = NULL },
};
