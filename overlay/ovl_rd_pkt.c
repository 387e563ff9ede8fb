/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The distributed router's per-packet steps (see ovl_rd_pkt.h).  The ICMP
 * messages are built in the frame that caused them, so that a worker never
 * needs a new buffer to tell a VM why its datagram went no further.
 */
#include "ovl_rd_pkt.h"

#include <errno.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_icmp.h>
#include <rte_mbuf.h>

#include "ovl_priv.h"

#define IPV4_MF_OFFSET_MASK 0x3fffu /* MF flag and fragment offset */
#define QUOTE_MAX	    (60 + 8) /* the longest IPv4 header and 8 bytes of payload */

/* May an ICMP error be sent about this datagram?  RFC 1812 4.3.2.7. */
static bool
icmp_error_allowed(const struct rte_ipv4_hdr *ip, uint32_t hl)
{
	const uint8_t *payload = (const uint8_t *)ip + hl;
	uint32_t src = rte_be_to_cpu_32(ip->src_addr);

	if (src == 0 || src == UINT32_MAX || (src >> 28) == 0xe || (src >> 24) == 127)
		return false;
	if ((rte_be_to_cpu_16(ip->fragment_offset) & RTE_IPV4_HDR_OFFSET_MASK) != 0)
		return false;
	if (ip->next_proto_id == IPPROTO_ICMP &&
	    rte_be_to_cpu_16(ip->total_length) >= hl + 1) {
		uint8_t t = payload[0];

		/* Only queries (echo, timestamp, ...) may cause an error; errors never do. */
		if (t == 3 || t == 4 || t == 5 || t == 11 || t == 12)
			return false;
	}
	return true;
}

/* Free every segment after the first: the message fits in it. */
static void
keep_first_segment(struct rte_mbuf *m)
{
	if (m->next != NULL) {
		rte_pktmbuf_free(m->next);
		m->next = NULL;
		m->nb_segs = 1;
	}
}

int
ovl_rd_icmp_error(struct rte_mbuf *m, uint8_t type, uint8_t code, uint16_t mtu,
		  rte_be32_t src_ip, const struct rte_ether_addr *src_mac)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	uint32_t hl = (uint32_t)(ip->version_ihl & 0xf) * 4;
	uint32_t contig = (uint32_t)m->data_len - RTE_ETHER_HDR_LEN;
	uint32_t quote_len = RTE_MIN(RTE_MIN(hl + 8, contig),
				     (uint32_t)rte_be_to_cpu_16(ip->total_length));
	uint8_t quote[QUOTE_MAX];
	struct rte_icmp_hdr *icmp;
	rte_be32_t to = ip->src_addr;
	uint16_t ip_len;

	if (!icmp_error_allowed(ip, hl))
		return -EPERM;
	memcpy(quote, ip, quote_len);
	keep_first_segment(m);

	rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
	rte_ether_addr_copy(src_mac, &eth->src_addr);
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);

	ip_len = (uint16_t)(sizeof(*ip) + sizeof(*icmp) + quote_len);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = 0xc0; /* internetwork control, as routers send their ICMP */
	ip->total_length = rte_cpu_to_be_16(ip_len);
	ip->time_to_live = OVL_RD_ICMP_TTL;
	ip->next_proto_id = IPPROTO_ICMP;
	ip->src_addr = src_ip;
	ip->dst_addr = to;
	ip->hdr_checksum = rte_ipv4_cksum(ip);

	icmp = (struct rte_icmp_hdr *)(ip + 1);
	icmp->icmp_type = type;
	icmp->icmp_code = code;
	icmp->icmp_cksum = 0;
	/* RFC 1191: the unused high half, then the next-hop MTU. */
	icmp->icmp_ident = 0;
	icmp->icmp_seq_nb = rte_cpu_to_be_16(mtu);
	memcpy(icmp + 1, quote, quote_len);
	icmp->icmp_cksum = (uint16_t)~rte_raw_cksum(icmp, sizeof(*icmp) + quote_len);

	m->data_len = (uint16_t)(RTE_ETHER_HDR_LEN + ip_len);
	m->pkt_len = m->data_len;
	m->ol_flags = 0;
	return 0;
}

int
ovl_rd_icmp_echo_reply(struct rte_mbuf *m, const struct rte_ether_addr *src_mac)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	uint32_t hl = (uint32_t)(ip->version_ihl & 0xf) * 4;
	uint32_t len = rte_be_to_cpu_16(ip->total_length);
	struct rte_icmp_hdr *icmp = (struct rte_icmp_hdr *)((uint8_t *)ip + hl);
	uint32_t sum;
	rte_be32_t a;

	if (ip->next_proto_id != IPPROTO_ICMP || len < hl + sizeof(*icmp) ||
	    m->nb_segs != 1 || m->data_len < RTE_ETHER_HDR_LEN + len ||
	    (rte_be_to_cpu_16(ip->fragment_offset) & IPV4_MF_OFFSET_MASK) != 0 ||
	    icmp->icmp_type != RTE_IP_ICMP_ECHO_REQUEST || icmp->icmp_code != 0)
		return -ENOTSUP;
	rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
	rte_ether_addr_copy(src_mac, &eth->src_addr);
	a = ip->src_addr;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = a;
	ip->time_to_live = OVL_RD_ICMP_TTL;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	/* Only the type changed, 8 -> 0: add that back into the checksum (RFC 1624). */
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	sum = (uint16_t)~rte_be_to_cpu_16(icmp->icmp_cksum);
	sum += (uint16_t)~(RTE_IP_ICMP_ECHO_REQUEST << 8);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	icmp->icmp_cksum = rte_cpu_to_be_16((uint16_t)~sum);
	m->ol_flags = 0;
	return 0;
}

int
ovl_rd_arp_answer(struct rte_mbuf *m, rte_be32_t gateway, const struct rte_ether_addr *mac)
{
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;
	int ret = ovl_arp_parse(m, &eth, &arp);

	if (ret == -ENOTSUP)
		return 0;
	if (ret < 0)
		return ret;
	if (arp->arp_opcode != RTE_BE16(RTE_ARP_OP_REQUEST) || arp->arp_data.arp_tip != gateway ||
	    arp->arp_data.arp_sip == gateway)
		return 0;
	ovl_arp_make_reply(eth, arp, mac, gateway);
	return 1;
}
