/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bridge-domain settings, given as key=value text by the control plane and
 * checked here, where their meaning lives (port settings: dp_port_conf.c).
 * Control thread only.
 */
#include "dp_priv.h"
#include "dp_rd_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ether.h>

static int
parse_u32(const char *key, const char *value, uint32_t *out, char *err, size_t errlen)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(value, &end, 10);
	if (value[0] == '\0' || value[0] == '-' || *end != '\0' || errno != 0 || v > UINT32_MAX)
		return dp_fail(-EINVAL, err, errlen, "%s must be a whole number from 0 to %u, not '%s'",
			    key, UINT32_MAX, value);
	*out = (uint32_t)v;
	return 0;
}

static int
parse_choice(const char *key, const char *value, const char *yes, const char *no, bool *out,
	     char *err, size_t errlen)
{
	if (strcmp(value, yes) == 0 || strcmp(value, "true") == 0) {
		*out = true;
		return 0;
	}
	if (strcmp(value, no) == 0 || strcmp(value, "false") == 0) {
		*out = false;
		return 0;
	}
	return dp_fail(-EINVAL, err, errlen, "%s must be %s or %s, not '%s'", key, yes, no, value);
}

void
dp_bd_reset_conf(uint16_t bd)
{
	struct fdb_bd_conf conf = { .aging_s = 300, .learning = true, .flap_moves = 5,
				    .flap_window_s = 10 };

	fdb_bd_configure(dp_main.fdb, bd, &conf);
}

int
dp_bd_set(const char *name, const char *key, const char *value, char *err, size_t errlen)
{
	int id = dp_bd_find(name);
	struct fdb_bd_conf conf;
	bool drop_action = false;
	int ret;

	if (id < 0)
		return dp_fail(-ENOENT, err, errlen, "bridge domain '%s' does not exist", name);
	fdb_bd_get_conf(dp_main.fdb, (uint16_t)id, &conf);
	if (strcmp(key, "aging") == 0)
		ret = parse_u32(key, value, &conf.aging_s, err, errlen);
	else if (strcmp(key, "max-macs") == 0)
		ret = parse_u32(key, value, &conf.max_macs, err, errlen);
	else if (strcmp(key, "learning") == 0)
		ret = parse_choice(key, value, "on", "off", &conf.learning, err, errlen);
	else if (strcmp(key, "limit-action") == 0) {
		ret = parse_choice(key, value, "drop", "forward", &drop_action, err, errlen);
		conf.drop_over_limit = drop_action;
	} else if (strcmp(key, "flap-moves") == 0)
		ret = parse_u32(key, value, &conf.flap_moves, err, errlen);
	else if (strcmp(key, "flap-window") == 0)
		ret = parse_u32(key, value, &conf.flap_window_s, err, errlen);
	else if (strcmp(key, "flap-hold") == 0)
		ret = parse_u32(key, value, &conf.flap_hold_s, err, errlen);
	else if (strcmp(key, "vsid") == 0) {
		ret = dp_bd_set_vsid((uint16_t)id, value, err, errlen);
		return ret < 0 ? ret : dp_publish();
	} else if (strcmp(key, "rd") == 0 || strcmp(key, "gateway") == 0)
		return dp_rd_bd_set((uint16_t)id, key, value, err, errlen);
	else
		return dp_fail(-EINVAL, err, errlen,
			    "unknown bridge-domain setting '%s'; settings: aging, max-macs, learning, limit-action, flap-moves, flap-window, flap-hold, vsid, rd, gateway",
			    key);
	if (ret < 0)
		return ret;
	fdb_bd_configure(dp_main.fdb, (uint16_t)id, &conf);
	return 0;
}

bool
dp_port_link_up(uint16_t eth_port)
{
	/* A tap port: ask where its interface is now; net_tap asks by name here. */
	int tap = port_tap_link_up(eth_port);
	struct rte_eth_link link;

	if (tap >= 0)
		return tap == 1;
	return rte_eth_link_get_nowait(eth_port, &link) == 0 && link.link_status == RTE_ETH_LINK_UP;
}
