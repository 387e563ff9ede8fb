/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * system.show: the whole switch on one page (`vswctl show`): the overlay
 * (uplink, its MTU and the MTU to give tenants, provider addresses), bridge
 * domains with their VSID, ports with the uplink flag, provider routes, and
 * how many neighbours and lookup records there are.  The rows are shortened;
 * bd.list, port.list, neigh.show and lookup.show give every column.
 */
#include <errno.h>
#include <string.h>

#include "ctl_methods.h"
#include "dp.h"

/* Keep only 'keys' of each row of 'rows' (consumed); @return the new rows. */
static json_t *
show_columns(json_t *rows, const char *const *keys)
{
	json_t *out = json_array();
	json_t *row;
	size_t i;

	json_array_foreach(rows, i, row) {
		json_t *slim = json_object();

		for (const char *const *k = keys; slim != NULL && *k != NULL; k++) {
			json_t *v = json_object_get(row, *k);

			json_object_set(slim, *k, v != NULL ? v : json_null());
		}
		json_array_append_new(out, slim);
	}
	json_decref(rows);
	return out;
}

static void
show_count_neigh(const struct dp_neigh_info *n, void *arg)
{
	unsigned int *counts = arg;

	counts[0]++;
	counts[1] += n->resolved;
}

static void
show_count_lookup(const struct dp_lookup_record *r, void *arg)
{
	(void)r;
	(*(unsigned int *)arg)++;
}

static int
show_system(struct ctl_call *call)
{
	static const char *const bd_keys[] = { "name", "vsid", "rd", "gateway", "ports", "macs", NULL };
	static const char *const port_keys[] = { "name", "type",   "bd",    "ifname",
						 "link", "uplink", "state", NULL };
	struct dp_bd_info bds[VSW_MAX_BDS];
	unsigned int nb_bds = dp_bd_list(bds, VSW_MAX_BDS);
	unsigned int neigh[2] = { 0, 0 }, nb_lookups = 0;
	json_t *bd_rows = json_array();

	for (unsigned int i = 0; bd_rows != NULL && i < nb_bds && i < VSW_MAX_BDS; i++)
		json_array_append_new(bd_rows, ctl_bd_info_json(&bds[i]));
	dp_neigh_walk(show_count_neigh, neigh);
	dp_lookup_walk(0, show_count_lookup, &nb_lookups);
	call->result = json_pack("{s:s, s:o*, s:o*, s:o*, s:o*, s:{s:i, s:i}, s:i, s:o*}", "version",
				 VSW_VERSION, "overlay", ctl_overlay_json(), "bds",
				 show_columns(bd_rows, bd_keys), "ports",
				 show_columns(ctl_port_list_json(call->ctx), port_keys), "routes",
				 ctl_route_list_json(), "neighbours", "total", (int)neigh[0],
				 "resolved", (int)neigh[1], "lookups", (int)nb_lookups, "rds",
				 ctl_rd_list_json());
	return call->result != NULL ? 0 : -ENOMEM;
}

const struct ctl_method ctl_show_methods[] = {
	{
		.name = "system.show",
		.help = "the whole switch: overlay (uplink, MTUs, PAs), bridge domains with VSIDs, "
			"ports, routes, neighbour and lookup record counts",
		.handler = show_system,
	},
	{ .name = NULL },
};
