/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port settings (MAC limits, port security, VLAN mode) and the VLANs of
 * bridge domains and of the uplink.  Values arrive typed from ctl, which
 * checks their ranges and writes every sentence; what is decided here is
 * what only the switch knows (which domain has a VLAN, which port uses it),
 * returned as an errno and the setting refused.  Control thread only.
 *
 * The VLAN model: a bridge domain per VLAN (as VPP's bridge domains with
 * sub-interfaces, and as the unit of learning, limits and the VSID here).
 * An access port is a member of its VLAN's domain; a trunk port of every
 * domain whose VLAN it lists, and of its native VLAN's for untagged frames.
 */
#include "dp_ctl.h"

#include <errno.h>
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
dp_bd_vlan_check(uint16_t bd, uint16_t vlan, uint16_t *other)
{
	uint16_t old = dp_main.bds[bd].vlan;
	int holder;

	if (vlan > DP_VLAN_MAX)
		return -EINVAL;
	if (vlan == old)
		return 0;
	holder = vlan != 0 ? bd_of_vlan(vlan) : -ESRCH;
	if (holder >= 0) {
		*other = (uint16_t)holder;
		return -EEXIST;
	}
	/* Trunks follow the change; a port whose own VLAN it is would be left in the wrong domain. */
	for (uint16_t slot = 0; slot < VSW_MAX_PORTS && old != 0; slot++) {
		const struct dp_port *p = &dp_main.ports[slot];

		if (p->in_use && p->bd == bd &&
		    (p->vlan.mode == DP_VLAN_ACCESS ||
		     (p->vlan.mode == DP_VLAN_TRUNK && p->vlan.native != 0))) {
			*other = slot;
			return -EBUSY;
		}
	}
	return 0;
}

int
dp_uplink_set_vlan(uint16_t vlan)
{
	uint16_t old = dp_main.uplink_vlan;

	if (vlan > DP_VLAN_MAX)
		return -ERANGE;
	dp_main.uplink_vlan = vlan;
	if (dp_publish() < 0) {
		dp_main.uplink_vlan = old;
		return -ENOMEM;
	}
	return 0;
}

/* Refuse with -'err' the setting 'field' (a DP_PORT_SET_* bit). */
static int
refuse(struct dp_port_refusal *why, int err, uint32_t field)
{
	why->field = field;
	return -err;
}

/* Check a port's VLAN settings; 'bd' gets the domain its untagged frames belong to. */
static int
vlan_check(const struct dp_port *p, const struct dp_port_vlan *v, uint16_t *bd,
	   struct dp_port_refusal *why)
{
	uint16_t need = 0;
	bool any = false;
	int id;

	*bd = p->bd;
	switch (v->mode) {
	case DP_VLAN_NONE:
		return 0;
	case DP_VLAN_ACCESS:
		if (v->vlan == 0 || v->vlan > DP_VLAN_MAX)
			return refuse(why, EINVAL, DP_PORT_SET_VLAN);
		need = v->vlan;
		break;
	case DP_VLAN_TRUNK:
		if (v->native > DP_VLAN_MAX || dp_vlan_test(v->trunks, 0) ||
		    (v->trunks[DP_VLAN_WORDS - 1] >> (DP_VLAN_MAX % 64 + 1)) != 0)
			return refuse(why, EINVAL, DP_PORT_SET_VLAN);
		for (unsigned int w = 0; w < DP_VLAN_WORDS; w++)
			any |= v->trunks[w] != 0;
		if (!any && v->native == 0)
			return refuse(why, EINVAL, DP_PORT_SET_VLAN);
		need = v->native;
		/* No native VLAN: no domain of its own; vlan-mode none later puts it in default. */
		*bd = 0;
		break;
	default:
		return refuse(why, EINVAL, DP_PORT_SET_VLAN);
	}
	if (need == 0)
		return 0;
	id = bd_of_vlan(need);
	if (id < 0) {
		why->vlan = need;
		return refuse(why, ESRCH, DP_PORT_SET_VLAN);
	}
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
dp_port_set(const char *name, const struct dp_port_settings *s, struct dp_port_refusal *why)
{
	int slot = dp_port_find(name);
	struct dp_port_refusal ignored;
	struct dp_port *p;
	uint64_t old_allowed[VSW_MAX_ALLOWED_MACS];
	uint16_t old_nb_allowed, old_bd, bd = 0;
	struct dp_port_vlan old_vlan;
	uint32_t old_max;
	int ret;

	if (why == NULL)
		why = &ignored;
	memset(why, 0, sizeof(*why));
	if (slot < 0)
		return -ENOENT;
	p = &dp_main.ports[slot];
	if (s->fields & DP_PORT_SET_ALLOWED) {
		if (s->nb_allowed > VSW_MAX_ALLOWED_MACS)
			return refuse(why, EINVAL, DP_PORT_SET_ALLOWED);
		for (uint16_t i = 0; i < s->nb_allowed; i++) {
			if (!rte_is_unicast_ether_addr(&s->allowed[i]) ||
			    rte_is_zero_ether_addr(&s->allowed[i])) {
				why->index = i;
				return refuse(why, EINVAL, DP_PORT_SET_ALLOWED);
			}
		}
	}
	if (s->fields & DP_PORT_SET_VLAN) {
		if (p->is_uplink)
			return refuse(why, EPERM, DP_PORT_SET_VLAN);
		ret = vlan_check(p, &s->vlan, &bd, why);
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
		return ret;
	}
	/* MACs learned before the restriction must not keep drawing traffic. */
	if ((s->fields & DP_PORT_SET_ALLOWED) && p->nb_allowed > 0)
		fdb_delete_if(dp_main.fdb, learned_not_allowed, p);
	/* What it learned belonged to the domains it was in before. */
	if ((s->fields & DP_PORT_SET_VLAN) && memcmp(&old_vlan, &p->vlan, sizeof(p->vlan)) != 0)
		dp_fdb_forget_port((uint16_t)slot);
	return 0;
}
