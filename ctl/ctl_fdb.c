/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fdb.* methods: look at, flush and configure the MAC table.  Static
 * entries are configuration: they are saved in the "fdb_static" section and
 * replayed after the ports.  The table's events are ctl_events.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctl_config.h"
#include "ctl_bd_settings.h"
#include "ctl_methods.h"
#include "ctl_server.h"
#include "ctl_util.h"
#include "dp.h"

#define FDB_STATS_COUNTERS 128 /* counters looked at for fdb.stats */

static void
fdb_append(const struct dp_fdb_entry *e, void *arg)
{
	json_t *list = arg;
	char mac[CTL_MAC_TEXT];

	/* A static entry never ages: its age is null ("-" in the table), not 0. */
	json_array_append_new(
		list, json_pack("{s:s, s:s, s:s, s:s, s:o, s:I, s:s, s:b}", "bd", e->bd, "mac",
				ctl_mac_format(e->mac.addr_bytes, mac), "port", e->port, "type",
				e->is_static ? "static" :
				e->is_record ? "record" :
					       "dynamic",
				"age",
				e->is_static || e->is_record ? json_null() :
							       json_integer((json_int_t)e->age_s),
				"moves", (json_int_t)e->moves, "cause",
				e->cause != NULL ? e->cause : "", "frozen", (int)e->frozen));
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

/* The bridge domain of port 'name' into 'bd' ("?" if it is gone). */
static void
fdb_port_bd(const char *name, char *bd, size_t len)
{
	struct dp_port_info ports[VSW_MAX_PORTS];
	unsigned int n = dp_port_list(ports, VSW_MAX_PORTS);

	snprintf(bd, len, "?");
	for (unsigned int i = 0; i < n && i < VSW_MAX_PORTS; i++)
		if (strcmp(ports[i].name, name) == 0)
			snprintf(bd, len, "%.*s", PORT_NAME_MAX - 1, ports[i].bd);
}

/*
 * The dataplane's refusal 'rc' of an fdb.* call on 'bd', 'mac' (or NULL)
 * and 'port' (or NULL), in words.  @return rc.
 */
static int
fdb_fail(struct ctl_call *call, int rc, const char *bd, const struct rte_ether_addr *mac,
	 const char *port)
{
	char other[PORT_NAME_MAX];

	if (rc == -EINVAL)
		call->code = CTL_E_INVALID_PARAMS;
	if (rc == -ENOENT && bd != NULL && dp_bd_find(bd) < 0)
		snprintf(call->err, sizeof(call->err), "bridge domain '%s' does not exist", bd);
	else if (rc == -ENOENT && port != NULL && dp_port_find(port) < 0)
		snprintf(call->err, sizeof(call->err), "port '%s' does not exist", port);
	else if (rc == -ENOENT)
		snprintf(call->err, sizeof(call->err),
			 "no entry for that MAC in bridge domain '%s'", bd);
	else if (rc == -EINVAL && mac != NULL &&
		 (!rte_is_unicast_ether_addr(mac) || rte_is_zero_ether_addr(mac)))
		snprintf(call->err, sizeof(call->err),
			 "a MAC table entry needs a unicast, non-zero MAC");
	else if (rc == -EINVAL && port != NULL) {
		fdb_port_bd(port, other, sizeof(other));
		/* A trunk without a native VLAN has no domain of its own: "". */
		if (other[0] == '\0')
			snprintf(call->err, sizeof(call->err),
				 "trunk port '%s' does not carry the VLAN of bridge domain '%s'", port,
				 bd);
		else
			snprintf(call->err, sizeof(call->err),
				 "port '%s' is in bridge domain '%s', not '%s'", port, other, bd);
	} else if (rc == -ENOSPC)
		snprintf(call->err, sizeof(call->err),
			 "the MAC table is full; raise vswd --fdb-size");
	else
		snprintf(call->err, sizeof(call->err), "MAC table: %s", strerror(-rc));
	return rc;
}

static int
fdb_flush(struct ctl_call *call)
{
	const char *bd = json_string_value(json_object_get(call->params, "bd"));
	const char *port = json_string_value(json_object_get(call->params, "port"));
	int rc;

	rc = dp_fdb_flush(bd, port);
	if (rc < 0)
		return fdb_fail(call, rc, bd, NULL, port);
	call->result = json_pack("{s:i}", "flushed", rc);
	return call->result != NULL ? 0 : -ENOMEM;
}

/* params.mac as an address and canonical text; @return 0 or -EINVAL with call->err. */
static int
fdb_mac_param(struct ctl_call *call, struct rte_ether_addr *mac, char text[CTL_MAC_TEXT])
{
	json_t *v = json_object_get(call->params, "mac");

	if (ctl_mac_parse(json_string_value(v), json_string_length(v), mac->addr_bytes) < 0) {
		call->code = CTL_E_INVALID_PARAMS;
		snprintf(call->err, sizeof(call->err),
			 "params.mac: invalid MAC address '%.64s': expected six hex bytes like "
			 "02:00:00:00:00:01",
			 json_string_value(v));
		return -EINVAL;
	}
	ctl_mac_format(mac->addr_bytes, text);
	return 0;
}

/* Save the static entry, replacing the one for the same bd and MAC. */
static int
fdb_save_static(struct ctl_state *st, const char *bd, const char *mac, const char *port)
{
	json_t *entry = ctl_config_find_static(st->config, bd, mac);
	int rc;

	if (entry != NULL)
		return json_object_set_new(entry, "port", json_string(port)) < 0 ? -ENOMEM : 0;
	entry = json_pack("{s:s, s:s, s:s}", "bd", bd, "mac", mac, "port", port);
	if (entry == NULL)
		return -ENOMEM;
	rc = ctl_config_add(st->config, "fdb_static", entry);
	json_decref(entry);
	return rc;
}

static int
fdb_add(struct ctl_call *call)
{
	struct ctl_state *st = call->ctx;
	const char *bd = json_string_value(json_object_get(call->params, "bd"));
	const char *port = json_string_value(json_object_get(call->params, "port"));
	char text[CTL_MAC_TEXT];
	struct rte_ether_addr mac;
	int rc;

	rc = fdb_mac_param(call, &mac, text);
	if (rc < 0)
		return rc;
	rc = dp_fdb_add_static(bd, &mac, port);
	if (rc < 0)
		return fdb_fail(call, rc, bd, &mac, port);
	if (!call->restoring && st->config != NULL && fdb_save_static(st, bd, text, port) < 0) {
		dp_fdb_del(bd, &mac);
		snprintf(call->err, sizeof(call->err), "out of memory recording static MAC %s",
			 text);
		return -ENOMEM;
	}
	call->result = json_pack("{s:s, s:s, s:s}", "bd", bd, "mac", text, "port", port);
	return call->result != NULL ? 0 : -ENOMEM;
}

static int
fdb_del(struct ctl_call *call)
{
	struct ctl_state *st = call->ctx;
	const char *bd = json_string_value(json_object_get(call->params, "bd"));
	char text[CTL_MAC_TEXT];
	bool saved;
	struct rte_ether_addr mac;
	int rc;

	rc = fdb_mac_param(call, &mac, text);
	if (rc < 0)
		return rc;
	saved = st->config != NULL && ctl_config_find_static(st->config, bd, text) != NULL;
	rc = dp_fdb_del(bd, &mac);
	/* A saved entry that could not be restored (its port is in error) exists only in the file. */
	if (rc == -ENOENT && saved)
		rc = 0;
	if (rc < 0)
		return fdb_fail(call, rc, bd, &mac, NULL);
	if (saved)
		ctl_config_remove_static(st->config, "bd", bd, text);
	return 0;
}

/* Per bridge domain counts that only a walk of the table can give. */
struct fdb_tally {
	char name[VSW_MAX_BDS][PORT_NAME_MAX]; /**< bridge domains seen */
	uint32_t nb_static[VSW_MAX_BDS];       /**< static entries */
	uint32_t nb_frozen[VSW_MAX_BDS];       /**< entries held after flapping */
	unsigned int nb;		       /**< used entries */
};

static void
fdb_count(const struct dp_fdb_entry *e, void *arg)
{
	struct fdb_tally *t = arg;
	unsigned int i;

	for (i = 0; i < t->nb && strcmp(t->name[i], e->bd) != 0; i++)
		;
	if (i == t->nb) {
		if (t->nb == VSW_MAX_BDS)
			return;
		snprintf(t->name[t->nb++], PORT_NAME_MAX, "%s", e->bd);
	}
	t->nb_static[i] += e->is_static;
	t->nb_frozen[i] += e->frozen;
}

static json_t *
fdb_bd_stats_json(const struct dp_bd_info *b, const struct fdb_tally *t)
{
	uint32_t nb_static = 0, nb_frozen = 0;

	for (unsigned int i = 0; i < t->nb; i++) {
		if (strcmp(t->name[i], b->name) == 0) {
			nb_static = t->nb_static[i];
			nb_frozen = t->nb_frozen[i];
		}
	}
	json_t *row =
		json_pack("{s:s, s:I, s:I, s:I}", "bd", b->name, "macs", (json_int_t)b->nb_macs,
			  "static", (json_int_t)nb_static, "frozen", (json_int_t)nb_frozen);

	if (row != NULL && ctl_bd_settings_show(row, &b->set, true) < 0) {
		json_decref(row);
		return NULL;
	}
	return row;
}

static int
fdb_stats(struct ctl_call *call)
{
	struct fdb_tally tally;
	struct dp_bd_info bds[VSW_MAX_BDS];
	struct dp_counter counters[FDB_STATS_COUNTERS];
	unsigned int nb_bds = dp_bd_list(bds, VSW_MAX_BDS);
	unsigned int nb_counters = dp_counters(counters, FDB_STATS_COUNTERS);
	json_t *list, *totals;

	memset(&tally, 0, sizeof(tally));
	dp_fdb_walk(NULL, fdb_count, &tally);
	list = json_array();
	totals = json_object();
	for (unsigned int i = 0; list != NULL && i < nb_bds && i < VSW_MAX_BDS; i++)
		json_array_append_new(list, fdb_bd_stats_json(&bds[i], &tally));
	for (unsigned int i = 0; totals != NULL && i < nb_counters && i < FDB_STATS_COUNTERS; i++)
		if (strncmp(counters[i].name, "fdb_", 4) == 0)
			json_object_set_new(totals, counters[i].name,
					    json_integer((json_int_t)counters[i].value));
	call->result = json_pack("{s:o*, s:o*}", "bds", list, "counters", totals);
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

static const struct ctl_param fdb_add_params[] = {
	{ "bd", CTL_P_NAME, true },
	{ "mac", CTL_P_STRING, true },
	{ "port", CTL_P_NAME, true },
	{ NULL },
};

static const struct ctl_param fdb_del_params[] = {
	{ "bd", CTL_P_NAME, true },
	{ "mac", CTL_P_STRING, true },
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
	{
		.name = "fdb.add",
		.params = fdb_add_params,
		.help = "add (or re-point) a static MAC: never aged, never moved by learning",
		.handler = fdb_add,
		.persist = true,
	},
	{
		.name = "fdb.del",
		.params = fdb_del_params,
		.help = "delete one MAC, static or learned",
		.handler = fdb_del,
		.persist = true,
	},
	{
		.name = "fdb.stats",
		.help = "MAC counts and settings per bridge domain, and the MAC table counters",
		.handler = fdb_stats,
	},
	{ .name = NULL },
};
