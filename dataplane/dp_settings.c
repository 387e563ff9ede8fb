/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bridge-domain settings (typed: ctl/ctl_bd_settings.c parses and checks
 * them), applied to the MAC table, the overlay, the routing domains and the
 * VLANs; port settings are in dp_port_conf.c.  Control thread only.
 */
#include "dp_ctl.h"

#include <errno.h>
#include <string.h>

#include "nvgre.h"

const struct dp_bd_settings dp_bd_defaults = {
	.aging_s = FDB_DEFAULT_AGING_S,
	.learning = true,
	.flap_moves = FDB_DEFAULT_FLAP_MOVES,
	.flap_window_s = FDB_DEFAULT_FLAP_WINDOW_S,
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
	/* A reused id must not inherit the VLAN of the domain deleted before it. */
	dp_main.bds[bd].vlan = dp_bd_defaults.vlan;
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
		.vlan = dp_main.bds[bd].vlan,
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
	ret = dp_bd_vlan_check(bd, s->vlan, &other);
	if (ret < 0)
		return refuse(ret, why, DP_BD_SET_VLAN, other);
	ret = dp_bd_set_vsid(bd, s->vsid, &other);
	if (ret < 0)
		return refuse(ret, why, DP_BD_SET_VSID, other);
	ret = dp_rd_bd_apply(bd, s);
	dp_main.bds[bd].vlan = s->vlan;
	if (ret == 0 && (s->vsid != before.vsid || s->vlan != before.vlan))
		ret = dp_publish();
	if (ret < 0) {
		dp_rd_bd_apply(bd, &before);
		dp_bd_set_vsid(bd, before.vsid, &other);
		dp_main.bds[bd].vlan = before.vlan;
		dp_publish();
		return refuse(ret, why, DP_BD_SET_NONE, 0);
	}
	to_fdb_conf(s, &conf);
	fdb_bd_configure(dp_main.fdb, bd, &conf);
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
