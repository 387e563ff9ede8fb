/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port settings (MAC limits, port security, VLAN mode) and the VLANs of
 * bridge domains and of the uplink.  Values arrive typed and range-checked
 * from ctl; what is checked here is what only the switch knows (which domain
 * has a VLAN, which port uses it).  Control thread only.
 *
 * The VLAN model: a bridge domain per VLAN (as VPP's bridge domains with
 * sub-interfaces, and as the unit of learning, limits and the VSID here).
 * An access port is a member of its VLAN's domain; a trunk port of every
 * domain whose VLAN it lists, and of its native VLAN's for untagged frames.
 */
#include "dp_priv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* The bridge domain whose VLAN is 'vlan', or -ESRCH. */
static int
bd_of_vlan(uint16_t vlan)
{
	for (int id = 0; id < VSW_MAX_BDS; id++)
		if (dp_main.bds[id].in_use && dp_main.bds[id].vlan == vlan)
			return id;
	return -ESRCH;
}

bool
dp_port_member(uint16_t slot, uint16_t bd)
{
	const struct dp_port *p = &dp_main.ports[slot];
	uint16_t vlan = dp_main.bds[bd].vlan;

	if (!p->in_use || p->is_uplink)
		return false;
	if (p->vlan.mode != DP_VLAN_TRUNK)
		return p->bd == bd;
	return (p->vlan.native != 0 && p->bd == bd) ||
	       (vlan != 0 && dp_vlan_test(p->vlan.trunks, vlan));
}

int
dp_bd_set_vlan(const char *name, uint16_t vlan, char *err, size_t errlen)
{
	int id = dp_bd_find(name), other;
	uint16_t old;

	if (id < 0)
		return dp_fail(-ENOENT, err, errlen, "bridge domain '%s' does not exist", name);
	if (vlan > DP_VLAN_MAX)
		return dp_fail(-ERANGE, err, errlen, "vlan must be from 1 to %d (0 = none), not %u",
			       DP_VLAN_MAX, vlan);
	old = dp_main.bds[id].vlan;
	if (vlan == old)
		return 0;
	other = vlan != 0 ? bd_of_vlan(vlan) : -ESRCH;
	if (other >= 0)
		return dp_fail(-EEXIST, err, errlen,
			       "VLAN %u already belongs to bridge domain '%s'; a VLAN names one domain",
			       vlan, dp_main.bds[other].name);
	for (uint16_t slot = 0; slot < VSW_MAX_PORTS && old != 0; slot++) {
		const struct dp_port *p = &dp_main.ports[slot];

		if (!p->in_use || p->bd != id ||
		    (p->vlan.mode != DP_VLAN_ACCESS &&
		     !(p->vlan.mode == DP_VLAN_TRUNK && p->vlan.native != 0)))
			continue;
		return dp_fail(-EBUSY, err, errlen,
			       "port '%s' takes VLAN %u of bridge domain '%s' as its %s VLAN; "
			       "change the port first (vswctl port set %s vlan-mode=...)",
			       p->name, old, name, p->vlan.mode == DP_VLAN_ACCESS ? "access" : "native",
			       p->name);
	}
	dp_main.bds[id].vlan = vlan;
	if (dp_publish() < 0) {
		dp_main.bds[id].vlan = old;
		return dp_fail(-ENOMEM, err, errlen, "out of memory while applying the VLAN");
	}
	return 0;
}

int
dp_uplink_set_vlan(uint16_t vlan, char *err, size_t errlen)
{
	uint16_t old = dp_main.uplink_vlan;

	if (vlan > DP_VLAN_MAX)
		return dp_fail(-ERANGE, err, errlen,
			       "uplink vlan must be from 1 to %d (0 = untagged), not %u", DP_VLAN_MAX,
			       vlan);
	dp_main.uplink_vlan = vlan;
	if (dp_publish() < 0) {
		dp_main.uplink_vlan = old;
		return dp_fail(-ENOMEM, err, errlen, "out of memory while applying the uplink VLAN");
	}
	return 0;
}

/* Check a port's VLAN settings; 'bd' gets the domain its untagged frames belong to. */
static int
vlan_check(const struct dp_port *p, const struct dp_port_vlan *v, uint16_t *bd, char *err,
	   size_t errlen)
{
	uint16_t need = 0;
	int id;

	*bd = p->bd;
	switch (v->mode) {
	case DP_VLAN_NONE:
		return 0;
	case DP_VLAN_ACCESS:
		if (v->vlan == 0 || v->vlan > DP_VLAN_MAX)
			return dp_fail(-EINVAL, err, errlen,
				       "an access port needs vlan=N, N from 1 to %d", DP_VLAN_MAX);
		need = v->vlan;
		break;
	case DP_VLAN_TRUNK:
		if (v->native > DP_VLAN_MAX || dp_vlan_test(v->trunks, 0) ||
		    (v->trunks[DP_VLAN_WORDS - 1] >> (DP_VLAN_MAX % 64 + 1)) != 0)
			return dp_fail(-EINVAL, err, errlen,
				       "trunk VLANs and native= must be from 1 to %d", DP_VLAN_MAX);
		need = v->native;
		/* No native VLAN: no domain of its own; vlan-mode none later puts it in default. */
		*bd = 0;
		if (need == 0) {
			bool any = false;

			for (unsigned int w = 0; w < DP_VLAN_WORDS; w++)
				any |= v->trunks[w] != 0;
			if (!any)
				return dp_fail(-EINVAL, err, errlen,
					       "a trunk port needs trunks=LIST and/or native=N");
		}
		break;
	default:
		return dp_fail(-EINVAL, err, errlen, "unknown vlan-mode %d", (int)v->mode);
	}
	if (need == 0)
		return 0;
	id = bd_of_vlan(need);
	if (id < 0)
		return dp_fail(-ESRCH, err, errlen,
			       "no bridge domain has VLAN %u; give one that VLAN first "
			       "(vswctl bd set NAME vlan=%u)",
			       need, need);
	*bd = (uint16_t)id;
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
dp_port_set(const char *name, const struct dp_port_settings *s, char *err, size_t errlen)
{
	int slot = dp_port_find(name);
	struct dp_port *p;
	uint64_t old_allowed[VSW_MAX_ALLOWED_MACS];
	uint16_t old_nb_allowed, old_bd;
	struct dp_port_vlan old_vlan;
	uint32_t old_max;
	uint16_t bd = 0;
	int ret;

	if (slot < 0)
		return dp_fail(-ENOENT, err, errlen, "port '%s' does not exist", name);
	p = &dp_main.ports[slot];
	if (s->fields & DP_PORT_SET_ALLOWED) {
		if (s->nb_allowed > VSW_MAX_ALLOWED_MACS)
			return dp_fail(-EINVAL, err, errlen, "allowed-macs lists at most %d MACs",
				       VSW_MAX_ALLOWED_MACS);
		for (uint16_t i = 0; i < s->nb_allowed; i++)
			if (!rte_is_unicast_ether_addr(&s->allowed[i]) ||
			    rte_is_zero_ether_addr(&s->allowed[i]))
				return dp_fail(-EINVAL, err, errlen,
					       "allowed-macs: entry %u is not a unicast MAC a VM could send from",
					       i + 1);
	}
	if (s->fields & DP_PORT_SET_VLAN) {
		if (p->is_uplink)
			return dp_fail(-EINVAL, err, errlen,
				       "port '%s' is the uplink: give the provider network's VLAN with "
				       "'vswctl uplink set %s vlan=N'",
				       name, name);
		ret = vlan_check(p, &s->vlan, &bd, err, errlen);
		if (ret < 0)
			return ret;
	}
	/* Everything checked: apply it all, and put it all back if publishing fails. */
	memcpy(old_allowed, p->allowed, sizeof(old_allowed));
	old_nb_allowed = p->nb_allowed;
	old_vlan = p->vlan;
	old_bd = p->bd;
	old_max = fdb_port_max_macs(dp_main.fdb, (uint16_t)slot);
	if (s->fields & DP_PORT_SET_ALLOWED) {
		memset(p->allowed, 0, sizeof(p->allowed));
		for (uint16_t i = 0; i < s->nb_allowed; i++)
			p->allowed[i] = fdb_key(0, &s->allowed[i]);
		p->nb_allowed = s->nb_allowed;
	}
	if (s->fields & DP_PORT_SET_VLAN) {
		p->vlan = s->vlan;
		p->bd = bd;
	}
	if (s->fields & DP_PORT_SET_MAX_MACS)
		fdb_port_set_max_macs(dp_main.fdb, (uint16_t)slot, s->max_macs);
	ret = dp_publish();
	if (ret < 0) {
		memcpy(p->allowed, old_allowed, sizeof(old_allowed));
		p->nb_allowed = old_nb_allowed;
		p->vlan = old_vlan;
		p->bd = old_bd;
		fdb_port_set_max_macs(dp_main.fdb, (uint16_t)slot, old_max);
		return dp_fail(ret, err, errlen, "out of memory while applying the settings of '%s'",
			       name);
	}
	/* MACs learned before the restriction must not keep drawing traffic. */
	if ((s->fields & DP_PORT_SET_ALLOWED) && p->nb_allowed > 0)
		fdb_delete_if(dp_main.fdb, learned_not_allowed, p);
	/* What it learned belonged to the domains it was in before. */
	if ((s->fields & DP_PORT_SET_VLAN) && memcmp(&old_vlan, &p->vlan, sizeof(p->vlan)) != 0)
		dp_fdb_forget_port((uint16_t)slot);
	return 0;
}
