/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Harness 3: ARP input on the uplink.  Every frame is made an ARP frame
 * (EtherType 0x0806) and enters the uplink; the worker passes it to the
 * control thread, whose ovl_arp_input() learns neighbours and answers for
 * our PA, and the answer leaves through the uplink.  Checked: whatever the
 * switch sends is an ARP frame from our uplink MAC and PA, nothing reaches a
 * tenant port, the static gateway neighbour keeps its MAC, and the
 * neighbour table never grows past its size.  Input format: fuzz_common.h.
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "dp.h"
#include "dp_priv.h"
#include "fuzz_common.h"
#include "test_addr.h"
#include "ovl_priv.h"

static struct rte_ether_addr uplink_mac;
static rte_be32_t our_pa;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_host_setup();
	/*
	 * The MAC the overlay sends from.  Not dp_overlay_get()'s: for a port
	 * without a MAC of its own (ring, null) the overlay makes one up, and
	 * dp_overlay_get() reports the port's all-zero one.
	 */
	rte_ether_addr_copy(&dp_main.ovl->uplink_mac, &uplink_mac);
	inet_pton(AF_INET, FUZZ_OUR_PA, &our_pa);
	return 0;
}

static void
make_arp(struct rte_mbuf *m)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);

	if (rte_pktmbuf_data_len(m) >= RTE_ETHER_HDR_LEN) {
		p[12] = 0x08;
		p[13] = 0x06;
	}
}

static void
check_sent(const char *port, const struct rte_mbuf *m)
{
	struct rte_ether_hdr eth_copy;
	struct rte_arp_hdr arp_copy;
	const struct rte_ether_hdr *eth = rte_pktmbuf_read(m, 0, sizeof(eth_copy), &eth_copy);
	const struct rte_arp_hdr *arp = rte_pktmbuf_read(m, sizeof(eth_copy), sizeof(arp_copy),
							 &arp_copy);

	if (strcmp(port, "up") != 0)
		fuzz_fail("uplink ARP reached tenant port %s", port);
	if (eth == NULL || arp == NULL || eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_ARP))
		fuzz_fail("the uplink sent a frame that is not ARP");
	if (!rte_is_same_ether_addr(&eth->src_addr, &uplink_mac) ||
	    !rte_is_same_ether_addr(&arp->arp_data.arp_sha, &uplink_mac))
		fuzz_fail("an ARP frame left the uplink with another host's MAC");
	if (arp->arp_data.arp_sip != our_pa)
		fuzz_fail("an ARP frame left the uplink with a sender IP that is not our PA");
	if (arp->arp_opcode == RTE_BE16(RTE_ARP_OP_REPLY) &&
	    !rte_is_same_ether_addr(&eth->dst_addr, &arp->arp_data.arp_tha))
		fuzz_fail("an ARP reply is not addressed to its requester");
}

/* What the neighbour table holds after an input. */
struct neigh_seen {
	unsigned int n;        /**< entries */
	bool gw_ok;            /**< the static gateway is there with its MAC */
	bool gw6_ok;           /**< the static IPv6 gateway too (ARP never touches it) */
};

static void
walk_neigh(const struct dp_neigh_info *ni, void *arg)
{
	struct neigh_seen *s = arg;
	struct rte_ether_addr gw;

	rte_ether_unformat_addr(FUZZ_GW_MAC, &gw);
	s->n++;
	if (ovl_ip_eq(&ni->ip, tip(FUZZ_GW)) && ni->is_static && memcmp(ni->mac, gw.addr_bytes, 6) == 0)
		s->gw_ok = true;
	if (ovl_ip_eq(&ni->ip, tip(FUZZ_GW6)) && ni->is_static &&
	    memcmp(ni->mac, gw.addr_bytes, 6) == 0)
		s->gw6_ok = true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const ports[] = { "up" };
	struct neigh_seen s = { 0 };

	fuzz_packets(data, size, ports, 1, make_arp, check_sent);
	dp_neigh_walk(walk_neigh, &s);
	if (!s.gw_ok || !s.gw6_ok || s.n != 2)
		fuzz_fail("after forgetting learned neighbours: %u entries, static gateways %s", s.n,
			  s.gw_ok && s.gw6_ok ? "intact" : "changed or gone");
	return 0;
}
