/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bridge-domain and port settings, given as key=value text by the control
 * plane and checked here, where their meaning lives.  Control thread only.
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

/* Parse "MAC[,MAC...]" ("" or "any" = no restriction) into fdb_key(0, mac) values. */
static int
parse_allowed(const char *value, uint64_t *macs, uint16_t *nb, char *err, size_t errlen)
{
	char buf[VSW_MAX_ALLOWED_MACS * 19 + 1], *save = NULL, *tok;

	*nb = 0;
	if (value[0] == '\0' || strcmp(value, "any") == 0)
		return 0;
	if (strlen(value) >= sizeof(buf))
		return dp_fail(-EINVAL, err, errlen, "allowed-macs lists at most %d MACs",
			    VSW_MAX_ALLOWED_MACS);
	snprintf(buf, sizeof(buf), "%s", value);
	for (tok = strtok_r(buf, ", ", &save); tok != NULL; tok = strtok_r(NULL, ", ", &save)) {
		struct rte_ether_addr mac;

		if (rte_ether_unformat_addr(tok, &mac) != 0)
			return dp_fail(-EINVAL, err, errlen,
				    "allowed-macs: '%s' is not a MAC address (aa:bb:cc:dd:ee:ff)", tok);
		if (!rte_is_unicast_ether_addr(&mac) || rte_is_zero_ether_addr(&mac))
			return dp_fail(-EINVAL, err, errlen,
				    "allowed-macs: %s is not a unicast MAC a VM could send from", tok);
		if (*nb == VSW_MAX_ALLOWED_MACS)
			return dp_fail(-EINVAL, err, errlen, "allowed-macs lists at most %d MACs",
				    VSW_MAX_ALLOWED_MACS);
		macs[(*nb)++] = fdb_key(0, &mac);
	}
	return 0;
}

static bool
learned_not_allowed(const struct fdb_entry *e, const void *arg)
{
	const struct dp_port *p = arg;
	uint64_t mac = e->key & 0xffffffffffffULL;

	if (e->flags & FDB_F_STATIC || e->port != (uint16_t)(p - dp_main.ports))
		return false;
	for (uint16_t i = 0; i < p->nb_allowed; i++)
		if (p->allowed[i] == mac)
			return false;
	return true;
}

int
dp_port_set(const char *name, const char *key, const char *value, char *err, size_t errlen)
{
	int slot = dp_port_find(name);
	struct dp_port *p;
	uint64_t allowed[VSW_MAX_ALLOWED_MACS] = { 0 };
	uint16_t nb_allowed;
	uint32_t max = 0;
	int ret;

	if (slot < 0)
		return dp_fail(-ENOENT, err, errlen, "port '%s' does not exist", name);
	p = &dp_main.ports[slot];
	if (strcmp(key, "max-macs") == 0) {
		ret = parse_u32(key, value, &max, err, errlen);
		if (ret == 0)
			fdb_port_set_max_macs(dp_main.fdb, (uint16_t)slot, max);
		return ret;
	}
	if (strcmp(key, "allowed-macs") != 0)
		return dp_fail(-EINVAL, err, errlen,
			    "unknown port setting '%s'; settings: max-macs, allowed-macs", key);
	ret = parse_allowed(value, allowed, &nb_allowed, err, errlen);
	if (ret < 0)
		return ret;
	memcpy(p->allowed, allowed, sizeof(allowed));
	p->nb_allowed = nb_allowed;
	ret = dp_publish();
	if (ret < 0)
		return dp_fail(ret, err, errlen, "out of memory while applying allowed-macs");
	/* MACs learned before the restriction must not keep drawing traffic. */
	if (nb_allowed > 0)
		fdb_delete_if(dp_main.fdb, learned_not_allowed, p);
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
