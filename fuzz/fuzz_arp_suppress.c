/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Harness 4: ARP suppression.  Each frame is made an ARP frame and given to
 * ovl_arp_suppress() for the tenant subnet (VSID 5001, which has lookup
 * records for 203.0.113.1-4), with the result checked against the rules of
 * ovl.h: 1 means the frame is now the reply the record's owner would send,
 * anything else leaves it unchanged.  Then the same frames go through the
 * real pipeline on the tenant's VM ports, where suppression runs in place.
 * Input format: fuzz_common.h.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "dp_priv.h"
#include "fuzz_common.h"
#include "ovl.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_host_setup();
	return 0;
}

/* The recorded MAC of tenant IP 'ip' (network order), or NULL. */
static const char *
recorded_mac(rte_be32_t ip)
{
	/* As fuzz_common.c's host_setup() adds them, .4 with an IPv6 PA. */
	static const char *const macs[] = { "02:00:00:00:00:0a", "02:00:00:00:00:0b",
					    "02:00:00:00:00:0c", "02:00:00:00:00:0d" };
	const uint8_t *b = (const uint8_t *)&ip;

	if (b[0] == 203 && b[1] == 0 && b[2] == 113 && b[3] >= 1 && b[3] <= 4)
		return macs[b[3] - 1];
	return NULL;
}

static void
check_suppress(struct rte_mbuf *m)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	uint16_t len = rte_pktmbuf_data_len(m);
	struct rte_arp_hdr req, *arp;
	struct rte_ether_addr want;
	uint8_t orig[256];
	const char *mac;
	int ret;

	if (len >= RTE_ETHER_HDR_LEN) {
		p[12] = 0x08;
		p[13] = 0x06;
	}
	memcpy(orig, p, len < sizeof(orig) ? len : sizeof(orig));
	if (len >= RTE_ETHER_HDR_LEN + sizeof(req))
		memcpy(&req, p + RTE_ETHER_HDR_LEN, sizeof(req));
	ret = ovl_arp_suppress(dp_main.ovl, FUZZ_VSID, m);
	if (rte_pktmbuf_data_len(m) != len)
		fuzz_fail("ARP suppression changed the frame's length");
	if (ret != 1) {
		if (memcmp(orig, p, len < sizeof(orig) ? len : sizeof(orig)) != 0)
			fuzz_fail("ARP suppression returned %d but changed the frame", ret);
		return;
	}
	/* Answered: the request was for a recorded address, and this is its owner's reply. */
	arp = (struct rte_arp_hdr *)(p + RTE_ETHER_HDR_LEN);
	mac = recorded_mac(req.arp_data.arp_tip);
	if (req.arp_opcode != RTE_BE16(RTE_ARP_OP_REQUEST) || mac == NULL)
		fuzz_fail("ARP suppression answered something that is not a request for a record");
	if (req.arp_data.arp_sip == req.arp_data.arp_tip)
		fuzz_fail("ARP suppression answered a gratuitous ARP");
	rte_ether_unformat_addr(mac, &want);
	if (rte_is_same_ether_addr(&want, &req.arp_data.arp_sha))
		fuzz_fail("ARP suppression answered a VM's probe for its own address");
	if (arp->arp_opcode != RTE_BE16(RTE_ARP_OP_REPLY) ||
	    !rte_is_same_ether_addr(&arp->arp_data.arp_sha, &want) ||
	    arp->arp_data.arp_sip != req.arp_data.arp_tip ||
	    arp->arp_data.arp_tip != req.arp_data.arp_sip ||
	    !rte_is_same_ether_addr(&arp->arp_data.arp_tha, &req.arp_data.arp_sha) ||
	    !rte_is_same_ether_addr((const struct rte_ether_addr *)p, &req.arp_data.arp_sha) ||
	    !rte_is_same_ether_addr((const struct rte_ether_addr *)(p + 6), &want))
		fuzz_fail("ARP suppression built a reply that is not the record owner's");
	/* Put the request back: the pipeline gets the frame as the VM sent it. */
	memcpy(p, orig, len < sizeof(orig) ? len : sizeof(orig));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const ports[] = { "vm1", "vm2" };

	fuzz_packets(data, size, ports, 2, check_suppress, NULL);
	return 0;
}
