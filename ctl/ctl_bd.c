/* SPDX-License-Identifier: BSD-3-Clause */
/* bd.* methods: bridge domains, the L2 segments ports join. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctl_config.h"
#include "ctl_methods.h"
#include "dp.h"

static int
bd_add(struct ctl_call *call)
{
	struct ctl_state *st = call->ctx;
	json_t *name = json_object_get(call->params, "name");
	int rc;

	rc = dp_bd_add(json_string_value(name), call->err, sizeof(call->err));
	if (rc < 0)
		return rc;
	if (!call->restoring && st->config != NULL) {
		json_t *entry = json_pack("{s:O}", "name", name);

		if (entry == NULL || ctl_config_add(st->config, "bds", entry) < 0) {
			char ignored[VSW_ERR_LEN];

			json_decref(entry);
			dp_bd_del(json_string_value(name), ignored, sizeof(ignored));
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
	rc = dp_bd_del(name, call->err, sizeof(call->err));
	/* A saved domain that could not be restored exists only in the file. */
	if (rc == -ENOENT && st->config != NULL && ctl_config_find(st->config, "bds", name) != NULL)
		rc = 0;
	if (rc < 0)
		return rc;
	if (st->config != NULL)
		ctl_config_remove(st->config, "bds", name);
	return 0;
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
		json_array_append_new(call->result,
				      json_pack("{s:s, s:i, s:i, s:I}", "name", bds[i].name, "id",
						(int)bds[i].id, "ports", (int)bds[i].nb_ports,
						"macs", (json_int_t)bds[i].nb_macs));
	return 0;
}

static const struct ctl_param bd_name_param[] = {
	{ "name", CTL_P_NAME, true },
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
		.params = bd_name_param,
		.help = "create a bridge domain",
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
		.name = "bd.list",
		.help = "list bridge domains with their port and MAC counts",
		.handler = bd_list,
	},
	{ .name = NULL },
};
