/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ARP suppression: the switch answers a VM's ARP request for an address it
 * has a lookup record for, so that address resolution inside a virtual
 * subnet costs no broadcast over the overlay.  The lookup records are the
 * authority on where tenant addresses live (DESIGN, data model), so the
 * answer is the one the owner would give.
 */
#include <errno.h>

#include <rte_arp.h>
#include <rte_mbuf.h>

#include "ovl_priv.h"

int
ovl_arp_suppress(const struct ovl *ovl, uint32_t vsid, struct rte_mbuf *m)
{
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;
	struct rte_ether_addr ca_mac;
	rte_be32_t sip, tip;
	bool found;
	int ret;

	ret = ovl_arp_parse(m, &eth, &arp);
	if (ret != 0)
		return ret;
	if (arp->arp_opcode != RTE_BE16(RTE_ARP_OP_REQUEST))
		return 0;
	sip = arp->arp_data.arp_sip;
	tip = arp->arp_data.arp_tip;
	/* Gratuitous requests announce a (maybe moved) VM: everyone must see them. */
	if (sip == tip || tip == 0)
		return 0;
	/* The MAC alone: the record's PA is for the control thread. */
	ovl_record_mac_bulk(ovl, &vsid, &tip, 1, &ca_mac, &found);
	if (!found)
		return 0;
	/* A VM asking for its own address is probing for duplicates: it must not hear itself. */
	if (rte_is_same_ether_addr(&ca_mac, &arp->arp_data.arp_sha))
		return 0;
	ovl_arp_make_reply(eth, arp, &ca_mac, tip);
	return 1;
}
