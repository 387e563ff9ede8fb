/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-packet steps of a tenant's distributed router (routing domains,
 * issue 15), kept apart from the tables so that they are tested on plain
 * frames: IPv4 header checks, the TTL decrement with its incremental
 * checksum update (RFC 1624), the ICMP errors a router owes the sender
 * (time exceeded, fragmentation needed: RFC 792, RFC 1191, RFC 1812 4.3),
 * the echo reply of a gateway address, and the ARP reply for a gateway.
 *
 * Every function works in place on the first segment of 'm' (an untagged
 * Ethernet frame from a VM) and never allocates.
 *
 * Thread-safety: all worker-safe; no shared state.
 */
#ifndef VSW_OVL_RD_PKT_H
#define VSW_OVL_RD_PKT_H

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_ip.h>

struct rte_mbuf;

#define OVL_RD_ICMP_TTL 64 /* TTL of the ICMP messages the router sends */

/*
 * The ones'-complement sum of the 16-bit words of an IPv4 header of 'hl'
 * bytes (a multiple of 4), folded: in 32-bit words, whose sum folds to the
 * same value (RFC 1071), in host order, which only swaps the result's bytes.
 * Inline and word-wide because every routed frame is checked.
 */
static inline uint16_t
ovl_rd_hdr_sum(const void *hdr, uint32_t hl)
{
	const uint8_t *p = hdr;
	uint64_t sum = 0;

	for (uint32_t i = 0; i < hl; i += 4) {
		uint32_t w;

		memcpy(&w, p + i, sizeof(w));
		sum += w;
	}
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/*
 * Does the 20-byte header at 'ip' (no options) sum to all ones?  Two 64-bit
 * words and one 32-bit word added with end-around carries: every 2^16k is 1
 * modulo 0xffff, so folding the RFC 1071 sum to 16 bits gives all ones
 * exactly when this sum is a non-zero multiple of 0xffff.  Three loads
 * straight from the frame, no folds.
 */
static inline bool
ovl_rd_hdr20_ok(const struct rte_ipv4_hdr *ip)
{
	const uint8_t *p = (const uint8_t *)ip;
	uint64_t a, b, sum;
	uint32_t c;

	memcpy(&a, p, sizeof(a));
	memcpy(&b, p + 8, sizeof(b));
	memcpy(&c, p + 16, sizeof(c));
	sum = a + b;
	sum += sum < a; /* 2^64 is 1 modulo 0xffff too */
	sum += c;
	sum += sum < c;
	return sum % 0xffff == 0 && sum != 0;
}

/**
 * Check the IPv4 header at 'ip': 'contig' bytes from 'ip' are contiguous
 * (the first segment), 'avail' are in the whole frame.  Version 4, IHL >= 5,
 * the header contiguous, total length within the frame and at least the
 * header, header checksum correct (RFC 1812 5.2.2: a router verifies it).
 * @return the header length in bytes, or -EINVAL.
 */
static inline int
ovl_rd_ipv4_check(const struct rte_ipv4_hdr *ip, uint32_t contig, uint32_t avail)
{
	uint32_t hl, total;

	if (contig < sizeof(*ip))
		return -EINVAL;
	total = rte_be_to_cpu_16(ip->total_length);
	/* Nearly every header has no options: a constant length, and the sum unrolled. */
	if (likely(ip->version_ihl == RTE_IPV4_VHL_DEF)) {
		if (total < sizeof(*ip) || total > avail || !ovl_rd_hdr20_ok(ip))
			return -EINVAL;
		return (int)sizeof(*ip);
	}
	if ((ip->version_ihl >> 4) != 4)
		return -EINVAL;
	hl = (uint32_t)(ip->version_ihl & 0xf) * 4;
	if (hl < sizeof(*ip) || hl > contig || total < hl || total > avail)
		return -EINVAL;
	/* A correct header sums to all ones, whatever the checksum's own value. */
	if (ovl_rd_hdr_sum(ip, hl) != 0xffff)
		return -EINVAL;
	return (int)hl;
}

/**
 * Decrement the TTL of a checked header and update its checksum
 * incrementally (RFC 1624): the 16-bit word holding TTL and protocol drops
 * by 0x0100, so the checksum, its complemented sum, grows by 0x0100 with an
 * end-around carry.  Done in network byte order (the constant swapped),
 * which the ones'-complement sum does not mind; a result of 0xffff (-0)
 * carries over to 0x0000 as a full computation gives.  The caller has
 * checked TTL > 1.
 */
static inline void
ovl_rd_ttl_dec(struct rte_ipv4_hdr *ip)
{
	uint32_t check = ip->hdr_checksum;

	check += RTE_BE16(0x0100);
	ip->hdr_checksum = (rte_be16_t)(check + (check >= 0xffff));
	ip->time_to_live--;
}

/**
 * Turn 'm' (a checked IPv4 frame whose header is at offset 14) into the ICMP
 * error 'type'/'code' for its sender, from 'src_ip' (the gateway the sender
 * uses) and 'src_mac' (the router MAC); 'mtu' is the next-hop MTU of a
 * "fragmentation needed" (type 3 code 4), 0 otherwise.  The message quotes
 * the offending IP header and the first 8 bytes of its payload, as received.
 * Segments after the first are freed.
 * @return 0 if 'm' now holds the message, to send back out of the ingress
 *   port; -EPERM when no error may be sent about this datagram (RFC 1812
 *   4.3.2.7: it is an ICMP error itself, a non-first fragment, or from a
 *   source that is not a unicast address): drop it.
 */
int ovl_rd_icmp_error(struct rte_mbuf *m, uint8_t type, uint8_t code, uint16_t mtu,
		      rte_be32_t src_ip, const struct rte_ether_addr *src_mac);

/**
 * If 'm' (a checked IPv4 frame addressed to a gateway address) is an ICMP
 * echo request, turn it into the reply from that address and 'src_mac'.
 * @return 0 if so, -ENOTSUP if it is anything else (drop it).
 */
int ovl_rd_icmp_echo_reply(struct rte_mbuf *m, const struct rte_ether_addr *src_mac);

/**
 * If 'm' is an ARP request for 'gateway' (not a gratuitous one), turn it
 * into the reply "'gateway' is at 'mac'", sent back to the requester.
 * @return 1 if 'm' now holds the reply; 0 if it is another ARP frame or not
 *   ARP; -EINVAL if it is truncated.
 */
int ovl_rd_arp_answer(struct rte_mbuf *m, rte_be32_t gateway, const struct rte_ether_addr *mac);

#endif /* VSW_OVL_RD_PKT_H */
