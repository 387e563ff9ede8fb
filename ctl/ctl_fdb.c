/* SPDX-License-Identifier: BSD-3-Clause */
/* fdb.* methods: look at and flush the MAC table. */
#include <errno.h>
#include <stdio.h>

#include "ctl_methods.h"
#include "dp.h"

static void
fdb_append(const struct dp_fdb_entry *e, void *arg)
{
	json_t *list = arg;
	char mac[18];

	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", e->mac[0], e->mac[1], e->mac[2],
		 e->mac[3], e->mac[4], e->mac[5]);
	json_array_append_new(list,
			      json_pack("{s:s, s:s, s:s, s:s}", "bd", e->bd, "mac", mac, "port",
					e->port, "type", e->is_static ? "static" : "dynamic"));
}

static int
fdb_show(struct ctl_call *call)
{
	const char *bd = json_string_value(json_object_get(call->params, "bd"));
	int rc;

	call->result = json_array();
	if (call->result == NULL)
		return -ENOMEM;
	rc = dp_fdb_walk(bd, fdb_append, call->result);
	if (rc == -ENOENT)
		snprintf(call->err, sizeof(call->err), "bridge domain '%s' not found", bd);
	return rc < 0 ? rc : 0;
}

static int
fdb_flush(struct ctl_call *call)
{
	const char *bd = json_string_value(json_object_get(call->params, "bd"));
	const char *port = json_string_value(json_object_get(call->params, "port"));
	int rc;

	rc = dp_fdb_flush(bd, port, call->err, sizeof(call->err));
	if (rc < 0)
		return rc;
	call->result = json_pack("{s:i}", "flushed", rc);
	return call->result != NULL ? 0 : -ENOMEM;
}

static const struct ctl_param fdb_show_params[] = {
	{ "bd", CTL_P_NAME, false },
	{ NULL },
};

static const struct ctl_param fdb_flush_params[] = {
	{ "bd", CTL_P_NAME, false },
	{ "port", CTL_P_NAME, false },
	{ NULL },
};

const struct ctl_method ctl_fdb_methods[] = {
	{
		.name = "fdb.show",
		.params = fdb_show_params,
		.help = "show the MAC table, of one bridge domain or all",
		.handler = fdb_show,
	},
	{
		.name = "fdb.flush",
		.params = fdb_flush_params,
		.help = "remove learned MACs, optionally only of a bridge domain and/or port",
		.handler = fdb_flush,
	},
	{ .name = NULL },
};
