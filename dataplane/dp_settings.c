/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bridge-domain settings (typed: ctl/ctl_bd_settings.c parses and checks
 * them) and port settings (still key=value text), applied to the MAC table,
 * the overlay and the routing domains.  Control thread only.
 */
#include "dp_priv.h"
#include "dp_rd_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ether.h>

#include "nvgre.h"

const struct dp_bd_settings dp_bd_defaults = {
	.aging_s = 300,
	.learning = true,
	.flap_moves = 5,
	.flap_window_s = 10,
};

static void
to_fdb_conf(const struct dp_bd_settings *s, struct fdb_bd_conf *conf)
{
	*conf = (struct fdb_bd_conf){
		.aging_s = s->aging_s,
		.max_macs = s->max_macs,
		.learning = s->learning,
		.drop_over_limit = s->drop_over_limit,
		.flap_moves = s->flap_moves,
		.flap_window_s = s->flap_window_s,
		.flap_hold_s = s->flap_hold_s,
	};
}

void
dp_bd_reset_conf(uint16_t bd)
{
	struct fdb_bd_conf conf;

	to_fdb_conf(&dp_bd_defaults, &conf);
	fdb_bd_configure(dp_main.fdb, bd, &conf);
}

/* The settings of bridge-domain id 'bd', from the three places that hold them. */
static void
bd_settings(uint16_t bd, struct dp_bd_settings *out)
{
	struct fdb_bd_conf conf;

	fdb_bd_get_conf(dp_main.fdb, bd, &conf);
	*out = (struct dp_bd_settings){
		.aging_s = conf.aging_s,
		.max_macs = conf.max_macs,
		.learning = conf.learning,
		.drop_over_limit = conf.drop_over_limit,
		.flap_moves = conf.flap_moves,
		.flap_window_s = conf.flap_window_s,
		.flap_hold_s = conf.flap_hold_s,
		.vsid = dp_bd_vsid(bd),
	};
	dp_rd_bd_get(bd, out);
}

int
dp_bd_get(const char *name, struct dp_bd_settings *out)
{
	int id = dp_bd_find(name);

	if (id >= 0)
		bd_settings((uint16_t)id, out);
	return id;
}

static int
refuse(int ret, struct dp_bd_refusal *why, enum dp_bd_setting setting, uint16_t other)
{
	if (why != NULL)
		*why = (struct dp_bd_refusal){ .setting = setting, .other = other };
	return ret;
}

/*
 * All or nothing: check what can be checked, then change the parts that can
 * fail (VSID, routing, the snapshot) one by one, undoing the earlier ones if
 * a later one fails; the MAC-table part cannot fail and goes last.
 */
int
dp_bd_apply(const char *name, const struct dp_bd_settings *s, struct dp_bd_refusal *why)
{
	int id = dp_bd_find(name);
	struct dp_bd_settings before;
	struct fdb_bd_conf conf;
	uint16_t bd, other = 0;
	int ret;

	if (id < 0)
		return refuse(-ENOENT, why, DP_BD_SET_NONE, 0);
	bd = (uint16_t)id;
	bd_settings(bd, &before);
	if (s->vsid != 0 && !nvgre_vsid_is_valid(s->vsid))
		return refuse(-EINVAL, why, DP_BD_SET_VSID, 0);
	ret = dp_rd_bd_check(bd, s, why);
	if (ret < 0)
		return ret;
	ret = dp_bd_set_vsid(bd, s->vsid, &other);
	if (ret < 0)
		return refuse(ret, why, DP_BD_SET_VSID, other);
	ret = dp_rd_bd_apply(bd, s);
	if (ret == 0 && s->vsid != before.vsid)
		ret = dp_publish();
	if (ret < 0) {
		dp_rd_bd_apply(bd, &before);
		dp_bd_set_vsid(bd, before.vsid, &other);
		dp_publish();
		return refuse(ret, why, DP_BD_SET_NONE, 0);
	}
	to_fdb_conf(s, &conf);
	fdb_bd_configure(dp_main.fdb, bd, &conf);
	return 0;
}

static int
parse_u32(const char *key, const char *value, uint32_t *out, char *err, size_t errlen)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(value, &end, 10);
	if (value[0] == '\0' || value[0] == '-' || *end != '\0' || errno != 0 || v > UINT32_MAX)
		return dp_fail(-EINVAL, err, errlen,
			       "%s must be a whole number from 0 to %u, not '%s'", key, UINT32_MAX,
			       value);
	*out = (uint32_t)v;
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
