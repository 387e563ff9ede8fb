/* SPDX-License-Identifier: BSD-3-Clause */
#include "ctl_methods.h"

#include <errno.h>
#include <string.h>

#include "ctl_config.h"
#include "ctl_util.h"

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
		ctl_port_methods,  ctl_bd_methods,     ctl_fdb_methods,
		ctl_stats_methods, ctl_system_methods,
	};
	int rc;

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

unsigned int
ctl_restore(struct ctl_rpc *rpc, struct ctl_state *st)
{
	static const char *const sections[] = { "bds", "ports" };
	static const char *const methods[] = { "bd.add", "port.add" };
	unsigned int nb_failed = 0;

	if (st->config == NULL)
		return 0;
	/* Bridge domains first: ports name the domain they join. */
	for (size_t s = 0; s < 2; s++) {
		json_t *entry, *result;
		size_t i;

		json_array_foreach(ctl_config_section(st->config, sections[s]), i, entry) {
			const char *name = json_string_value(json_object_get(entry, "name"));
			char err[CTL_ERR_LEN];

			if (ctl_rpc_call(rpc, methods[s], entry, true, &result, err, sizeof(err)) ==
			    0) {
				json_decref(result);
				continue;
			}
			nb_failed++;
			ctl_log("warning: %s '%s' from the configuration was not restored: %s; it stays "
				"configured (delete it to drop it)",
				s == 0 ? "bridge domain" : "port", name, err);
			if (s == 1) {
				json_t *why = json_string(err);

				/* Whatever the reason says, the port must show up as failed. */
				json_object_set_new(st->port_errors, name,
						    why != NULL ? why :
								  json_string("cannot be opened"));
			}
		}
	}
	return nb_failed;
}
