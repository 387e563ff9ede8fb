/* SPDX-License-Identifier: BSD-3-Clause */
#include "test_frames.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "test_common.h"

#define ND_FRAME_MAX 86u /* Ethernet + IPv6 + NS/NA + one link-layer option */

unsigned int
test_eth_hdr(uint8_t *f, const char *dst, const char *src, uint16_t ethertype)
{
	memset(f, 0, 12);
	if (dst != NULL)
		test_mac(dst, f);
	if (src != NULL)
		test_mac(src, f + 6);
	f[12] = (uint8_t)(ethertype >> 8), f[13] = (uint8_t)ethertype;
	return 14;
}

unsigned int
test_ip4_hdr(uint8_t *f, const struct test_ip4 *h)
{
	struct rte_ipv4_hdr ip;

	/* Built aside and copied: 'f' may be anywhere in a frame, of no particular alignment. */
	memset(&ip, 0, sizeof(ip));
	ip.version_ihl = 0x45;
	ip.total_length = rte_cpu_to_be_16(h->len);
	ip.packet_id = rte_cpu_to_be_16(h->id);
	ip.fragment_offset = rte_cpu_to_be_16(h->frag);
	ip.time_to_live = h->ttl;
	ip.next_proto_id = h->proto;
	ip.src_addr = h->src;
	ip.dst_addr = h->dst;
	if (h->cksum)
		ip.hdr_checksum = rte_ipv4_cksum(&ip);
	memcpy(f, &ip, sizeof(ip));
	return sizeof(ip);
}

void
test_ip6(const char *text, uint8_t out[16])
{
	if (inet_pton(AF_INET6, text, out) != 1) {
		fprintf(stderr, "test: '%s' is not an IPv6 address\n", text);
		abort();
	}
}

/* The IPv4 address 'text', network order; aborts on a typo. */
static rte_be32_t
ip4_of(const char *text)
{
	rte_be32_t a;

	if (inet_pton(AF_INET, text, &a) != 1) {
		fprintf(stderr, "test: '%s' is not an IPv4 address\n", text);
		abort();
	}
	return a;
}

unsigned int
test_ip6_hdr(uint8_t *f, uint32_t flow_label, uint16_t plen, uint8_t next, uint8_t hops,
	     const char *src, const char *dst)
{
	f[0] = 0x60; /* version 6, traffic class 0 */
	f[1] = (uint8_t)(flow_label >> 16 & 0x0f), f[2] = (uint8_t)(flow_label >> 8);
	f[3] = (uint8_t)flow_label;
	f[4] = (uint8_t)(plen >> 8), f[5] = (uint8_t)plen;
	f[6] = next, f[7] = hops;
	memset(f + 8, 0, 32);
	if (src != NULL)
		test_ip6(src, f + 8);
	if (dst != NULL)
		test_ip6(dst, f + 24);
	return 40;
}

unsigned int
test_udp4_bytes(uint8_t *f, const struct test_udp4 *s)
{
	const struct test_ip4 ip = {
		.len = (uint16_t)(s->len - 14),
		.id = s->ip_id,
		.frag = s->frag,
		.ttl = s->ttl,
		.proto = IPPROTO_UDP,
		.src = test_ip4(203, 0, 113, 10),
		.dst = test_ip4(203, 0, 113, 11),
	};
	unsigned int off = 12, l4;

	memset(f, s->fill, s->len + 4 * s->ntags);
	test_mac("02:00:00:00:00:0b", f);
	test_mac("02:00:00:00:00:0a", f + 6);
	for (unsigned int i = 0; i < s->ntags; i++, off += 4) {
		f[off] = i == 0 && s->ntags == 2 ? 0x88 : 0x81;
		f[off + 1] = i == 0 && s->ntags == 2 ? 0xa8 : 0x00;
		f[off + 2] = 0x00;
		f[off + 3] = 100;
	}
	f[off] = 0x08, f[off + 1] = 0x00;
	l4 = off + 2 + test_ip4_hdr(f + off + 2, &ip);
	f[l4] = (uint8_t)(s->sport >> 8), f[l4 + 1] = (uint8_t)s->sport;
	f[l4 + 2] = (uint8_t)(s->dport >> 8), f[l4 + 3] = (uint8_t)s->dport;
	return s->len + 4 * s->ntags;
}

struct rte_mbuf *
test_udp4_frame(struct rte_mempool *pool, const struct test_udp4 *s)
{
	uint8_t f[RTE_MBUF_DEFAULT_DATAROOM];

	CU_ASSERT_FATAL(s->len + 4 * s->ntags <= sizeof(f));
	return test_mbuf_of(pool, f, test_udp4_bytes(f, s));
}

uint16_t
test_icmp6_sum(const uint8_t *ip6)
{
	uint32_t plen = (uint32_t)ip6[4] << 8 | ip6[5], sum = 0;

	for (unsigned int i = 8; i < 40; i += 2) /* source and destination */
		sum += (uint32_t)ip6[i] << 8 | ip6[i + 1];
	sum += plen + 58; /* upper-layer length and next header */
	for (uint32_t i = 0; i < plen; i += 2)
		sum += (uint32_t)ip6[40 + i] << 8 | (i + 1 < plen ? ip6[40 + i + 1] : 0);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

void
test_icmp6_fill(uint8_t *ip6)
{
	uint16_t c;

	ip6[42] = ip6[43] = 0;
	c = test_icmp6_sum(ip6);
	ip6[42] = (uint8_t)(c >> 8), ip6[43] = (uint8_t)c;
}

struct rte_mbuf *
test_nd_frame(struct rte_mempool *pool, uint8_t type, const char *src_mac, const char *src,
	      const char *dst_mac, const char *dst, const char *target, uint8_t opt,
	      const char *lla, uint8_t flags)
{
	uint8_t f[ND_FRAME_MAX];
	unsigned int len = opt != 0 ? ND_FRAME_MAX : ND_FRAME_MAX - 8;

	memset(f, 0, sizeof(f));
	test_eth_hdr(f, dst_mac, src_mac, RTE_ETHER_TYPE_IPV6);
	test_ip6_hdr(f + 14, 0, (uint16_t)(len - 54), IPPROTO_ICMPV6, 255, src, dst);
	f[54] = type;
	f[58] = flags;
	test_ip6(target, f + 62);
	if (opt != 0) {
		f[78] = opt, f[79] = 1;
		test_mac(lla, f + 80);
	}
	test_icmp6_fill(f + 14);
	return test_mbuf_of(pool, f, len);
}

/* A new mbuf of 'len' bytes copied from 'f'; NULL if the pool is empty. */
static struct rte_mbuf *
mbuf_or_null(struct rte_mempool *pool, const uint8_t *f, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	char *p = m != NULL ? rte_pktmbuf_append(m, len) : NULL;

	if (p == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memcpy(p, f, len);
	return m;
}

struct rte_mbuf *
test_una_frame(struct rte_mempool *pool, const char *src)
{
	uint8_t f[14 + 40 + 32];

	memset(f, 0, sizeof(f));
	test_eth_hdr(f, "33:33:00:00:00:01", src, RTE_ETHER_TYPE_IPV6);
	test_ip6_hdr(f + 14, 0, 32, IPPROTO_ICMPV6, 255, NULL, NULL);
	f[54] = 136;  /* neighbour advertisement */
	f[58] = 0x20; /* Override, not Solicited */
	return mbuf_or_null(pool, f, sizeof(f));
}

unsigned int
test_arp_bytes(uint8_t *f, const char *dst, const char *src, uint16_t ethertype, uint16_t op,
	       const char *sha, rte_be32_t spa, rte_be32_t tpa)
{
	memset(f, 0, 60);
	test_eth_hdr(f, dst, src, ethertype);
	f[14] = 0x00, f[15] = 0x01; /* hardware: Ethernet */
	f[16] = 0x08, f[17] = 0x00; /* protocol: IPv4 */
	f[18] = 6, f[19] = 4;
	f[20] = (uint8_t)(op >> 8), f[21] = (uint8_t)op;
	test_mac(sha, f + 22);
	memcpy(f + 28, &spa, 4);
	memcpy(f + 38, &tpa, 4);
	return 60;
}

struct rte_mbuf *
test_arp_frame(struct rte_mempool *pool, const char *src, uint16_t ethertype, uint16_t op,
	       const char *sha, uint8_t spa, uint8_t tpa)
{
	uint8_t f[60];

	test_arp_bytes(f, "ff:ff:ff:ff:ff:ff", src, ethertype, op, sha, test_ip4(203, 0, 113, spa),
		       test_ip4(203, 0, 113, tpa));
	return mbuf_or_null(pool, f, sizeof(f));
}

unsigned int
test_nvgre_hdrs(uint8_t *f, const struct test_nvgre *o, unsigned int inner_len)
{
	const uint32_t key = o->vsid << 8 | o->flow_id;
	unsigned int n;

	if (strchr(o->src_pa, ':') != NULL) {
		n = test_ip6_hdr(f, o->flow_label, (uint16_t)(8 + inner_len), IPPROTO_GRE, o->ttl,
				 o->src_pa, o->dst_pa);
	} else {
		const struct test_ip4 ip = {
			.len = (uint16_t)(20 + 8 + inner_len),
			.frag = o->df ? 0x4000 : 0,
			.ttl = o->ttl,
			.proto = IPPROTO_GRE,
			.src = ip4_of(o->src_pa),
			.dst = ip4_of(o->dst_pa),
			.cksum = true,
		};

		n = test_ip4_hdr(f, &ip);
	}
	f[n] = 0x20, f[n + 1] = 0x00;	  /* K set; C, S and version 0 */
	f[n + 2] = 0x65, f[n + 3] = 0x58; /* transparent Ethernet bridging */
	f[n + 4] = (uint8_t)(key >> 24), f[n + 5] = (uint8_t)(key >> 16);
	f[n + 6] = (uint8_t)(key >> 8), f[n + 7] = (uint8_t)key;
	return n + 8;
}

struct rte_mbuf *
test_nvgre_frame(struct rte_mempool *pool, const char *dst_mac, const char *src_mac,
		 const struct test_nvgre *o, struct rte_mbuf *inner)
{
	const unsigned int inner_len = rte_pktmbuf_data_len(inner);
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t *p;
	unsigned int n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(14 + 48 + inner_len));
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	n = test_eth_hdr(p, dst_mac, src_mac,
			 strchr(o->src_pa, ':') != NULL ? RTE_ETHER_TYPE_IPV6 :
							  RTE_ETHER_TYPE_IPV4);
	n += test_nvgre_hdrs(p + n, o, inner_len);
	memcpy(p + n, rte_pktmbuf_mtod(inner, void *), inner_len);
	rte_pktmbuf_trim(m, (uint16_t)(14 + 48 - n));
	rte_pktmbuf_free(inner);
	return m;
}

unsigned int
test_flat(const struct rte_mbuf *m, uint8_t *buf, unsigned int max)
{
	unsigned int len = rte_pktmbuf_pkt_len(m) < max ? rte_pktmbuf_pkt_len(m) : max;

	memcpy(buf, rte_pktmbuf_read(m, 0, len, buf), len);
	return len;
}
