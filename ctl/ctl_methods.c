/* SPDX-License-Identifier: BSD-3-Clause */
#include "ctl_methods.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_bd_settings.h"
#include "ctl_config.h"
#include "ctl_log_dpdk.h"
#include "ctl_util.h"
#include "dp.h"

static int
methods_persist(void *arg, char *err, size_t errlen)
{
	struct ctl_state *st = arg;

	return ctl_config_save(st->config, err, errlen);
}

int
ctl_methods_init(struct ctl_rpc *rpc, struct ctl_state *st, struct ctl_config *config)
{
	const struct ctl_method *tables[] = {
		ctl_port_methods,   ctl_bd_methods,    ctl_fdb_methods,	   ctl_overlay_methods,
		ctl_lookup_methods, ctl_stats_methods, ctl_system_methods, ctl_show_methods,
		ctl_rd_methods,
		ctl_log_methods,
	};
	int rc;

	ctl_bd_settings_init();
	st->config = config;
	st->port_errors = json_object();
	if (st->port_errors == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		rc = ctl_rpc_register(rpc, tables[i], st);
		if (rc < 0)
			return rc;
	}
	if (config != NULL)
		ctl_rpc_set_persist(rpc, methods_persist, st);
	return 0;
}

void
ctl_methods_fini(struct ctl_state *st)
{
	json_decref(st->port_errors);
	st->port_errors = NULL;
}

/*
 * Replay one saved call; on failure log it as 'what' and count it.
 * @return 0 or -errno with the reason in 'err'.
 */
static int
methods_replay(struct ctl_rpc *rpc, const char *method, json_t *params, const char *what,
	       unsigned int *nb_failed, char *err, size_t errlen)
{
	json_t *result;
	int rc = ctl_rpc_call(rpc, method, params, true, &result, err, errlen);

	if (rc == 0) {
		json_decref(result);
		return 0;
	}
	(*nb_failed)++;
	ctl_log("warning: %s from the configuration was not restored: %s; it stays configured "
		"(delete it to drop it)",
		what, err);
	return rc;
}

/* The members of 'entry' that 'keep' selects (plus its name), or NULL when only the name is left. */
static json_t *
methods_split(json_t *entry, bool (*keep)(const char *key), bool settings)
{
	json_t *out = json_object();
	bool any = false;
	const char *key;
	json_t *v;

	if (out == NULL)
		return NULL;
	json_object_foreach(entry, key, v) {
		bool is_name = strcmp(key, "name") == 0;

		if (is_name || keep(key) == settings) {
			json_object_set(out, key, v);
			any = any || !is_name;
		}
	}
	if (settings && !any) {
		json_decref(out);
		return NULL;
	}
	return out;
}

static bool
methods_is_bd_setting(const char *key)
{
	return strcmp(key, "name") != 0;
}

/* A bridge domain and then its settings; "default" always exists and has only settings. */
static void
methods_restore_bd(struct ctl_rpc *rpc, json_t *entry, unsigned int *nb_failed)
{
	const char *name = json_string_value(json_object_get(entry, "name"));
	json_t *add = methods_split(entry, methods_is_bd_setting, false);
	json_t *set = methods_split(entry, methods_is_bd_setting, true);
	char err[CTL_ERR_LEN], what[96];
	int rc = 0;

	snprintf(what, sizeof(what), "bridge domain '%s'", name);
	if (strcmp(name, DP_DEFAULT_BD) != 0)
		rc = methods_replay(rpc, "bd.add", add, what, nb_failed, err, sizeof(err));
	if (rc == 0 && set != NULL) {
		snprintf(what, sizeof(what), "a setting of bridge domain '%s'", name);
		methods_replay(rpc, "bd.set", set, what, nb_failed, err, sizeof(err));
	}
	json_decref(add);
	json_decref(set);
}

/* A port with its options, then its settings; a port that fails is listed with its error. */
static void
methods_restore_port(struct ctl_rpc *rpc, struct ctl_state *st, json_t *entry,
		     unsigned int *nb_failed)
{
	const char *name = json_string_value(json_object_get(entry, "name"));
	json_t *add = methods_split(entry, ctl_port_is_setting, false);
	json_t *set = methods_split(entry, ctl_port_is_setting, true);
	char err[CTL_ERR_LEN], what[96];

	snprintf(what, sizeof(what), "port '%s'", name);
	if (methods_replay(rpc, "port.add", add, what, nb_failed, err, sizeof(err)) < 0) {
		json_t *why = json_string(err);

		/* Whatever the reason says, the port must show up as failed. */
		json_object_set_new(st->port_errors, name,
				    why != NULL ? why : json_string("cannot be opened"));
	} else if (set != NULL) {
		snprintf(what, sizeof(what), "a setting of port '%s'", name);
		methods_replay(rpc, "port.set", set, what, nb_failed, err, sizeof(err));
	}
	json_decref(add);
	json_decref(set);
}

/* Describe a saved overlay entry for a log line: its members as key=value. */
static void
methods_describe(const char *noun, json_t *entry, char *what, size_t len)
{
	size_t off = (size_t)snprintf(what, len, "%s", noun);
	const char *key;
	json_t *v;

	json_object_foreach(entry, key, v) {
		char *text = json_dumps(v, JSON_ENCODE_ANY);

		if (off < len)
			off += (size_t)snprintf(what + off, len - off, " %s=%s", key,
						text != NULL ? text : "?");
		free(text);
	}
}

/*
 * The overlay, in the order each part needs the one before: the uplink, the
 * PAs on it (each adds its connected route), routes through those subnets,
 * neighbours on them, and the records that point at remote PAs.
 */
static void
methods_restore_overlay(struct ctl_rpc *rpc, struct ctl_state *st, unsigned int *nb_failed)
{
	static const struct {
		const char *section; /**< saved member */
		const char *method;  /**< replayed through */
		const char *noun;    /**< for the log */
	} steps[] = {
		{ "pas", "pa.add", "provider address" },
		{ "routes", "route.add", "route" },
		{ "neighbours", "neigh.add", "neighbour" },
		{ "lookups", "lookup.add", "lookup record" },
	};
	json_t *uplink = ctl_config_section(st->config, "uplink");
	char err[CTL_ERR_LEN], what[256];
	json_t *entry;
	size_t i;

	if (uplink != NULL) {
		methods_describe("uplink", uplink, what, sizeof(what));
		methods_replay(rpc, "uplink.set", uplink, what, nb_failed, err, sizeof(err));
	}
	for (size_t s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
		json_array_foreach(ctl_config_section(st->config, steps[s].section), i, entry) {
			methods_describe(steps[s].noun, entry, what, sizeof(what));
			methods_replay(rpc, steps[s].method, entry, what, nb_failed, err,
				       sizeof(err));
		}
	}
}

/* A routing domain, then its routes; bridge domains name it in their rd= setting. */
static void
methods_restore_rd(struct ctl_rpc *rpc, json_t *entry, unsigned int *nb_failed)
{
	const char *name = json_string_value(json_object_get(entry, "name"));
	json_t *add = json_pack("{s:O*, s:O*}", "name", json_object_get(entry, "name"), "mac",
				json_object_get(entry, "mac"));
	char err[CTL_ERR_LEN], what[256];
	json_t *route;
	size_t i;

	snprintf(what, sizeof(what), "routing domain '%s'", name != NULL ? name : "?");
	if (add != NULL && methods_replay(rpc, "rd.add", add, what, nb_failed, err,
					  sizeof(err)) == 0) {
		json_array_foreach(json_object_get(entry, "routes"), i, route) {
			json_t *params = json_deep_copy(route);

			json_object_set(params, "rd", json_object_get(entry, "name"));
			methods_describe("route of a routing domain", params, what, sizeof(what));
			methods_replay(rpc, "rd.route.add", params, what, nb_failed, err,
				       sizeof(err));
			json_decref(params);
		}
	}
	json_decref(add);
}

unsigned int
ctl_restore(struct ctl_rpc *rpc, struct ctl_state *st)
{
	unsigned int nb_failed = 0;
	char err[CTL_ERR_LEN], what[128];
	json_t *entry;
	size_t i;

	if (st->config == NULL)
		return 0;
	json_array_foreach(ctl_config_section(st->config, "rds"), i, entry)
		methods_restore_rd(rpc, entry, &nb_failed);
	/* Bridge domains first: ports name the domain they join; static MACs name both. */
	json_array_foreach(ctl_config_section(st->config, "bds"), i, entry)
		methods_restore_bd(rpc, entry, &nb_failed);
	json_array_foreach(ctl_config_section(st->config, "ports"), i, entry)
		methods_restore_port(rpc, st, entry, &nb_failed);
	methods_restore_overlay(rpc, st, &nb_failed);
	json_array_foreach(ctl_config_section(st->config, "fdb_static"), i, entry) {
		snprintf(what, sizeof(what),
			 "static MAC %.20s in bridge domain '%.32s' on port '%.32s'",
			 json_string_value(json_object_get(entry, "mac")),
			 json_string_value(json_object_get(entry, "bd")),
			 json_string_value(json_object_get(entry, "port")));
		methods_replay(rpc, "fdb.add", entry, what, &nb_failed, err, sizeof(err));
	}
	return nb_failed;
}
