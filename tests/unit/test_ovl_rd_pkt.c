/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The distributed router's packet steps (overlay/ovl_rd_pkt.c) against
 * full recomputation: the incremental TTL checksum over many headers, and
 * the ICMP messages' refusals (RFC 1812 4.3.2.7).
 */
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "ovl_rd_pkt.h"
#include "test_common.h"
#include "test_frames.h"

static struct rte_mempool *pool;

static void
test_ttl_decrement_matches_a_full_recomputation(void)
{
	struct rte_ipv4_hdr ip;
	unsigned int bad = 0;

	srand(15);
	for (unsigned int i = 0; i < 200000; i++) {
		uint16_t want;

		memset(&ip, 0, sizeof(ip));
		ip.version_ihl = 0x45;
		ip.total_length = (uint16_t)rand();
		ip.packet_id = (uint16_t)rand();
		ip.fragment_offset = (uint16_t)rand();
		ip.time_to_live = (uint8_t)(2 + rand() % 254);
		ip.next_proto_id = (uint8_t)rand();
		ip.src_addr = (uint32_t)rand() << 1 ^ (uint32_t)rand();
		ip.dst_addr = (uint32_t)rand() << 1 ^ (uint32_t)rand();
		ip.hdr_checksum = rte_ipv4_cksum(&ip);
		ovl_rd_ttl_dec(&ip);
		/* Valid: the header sums to all ones. */
		bad += rte_raw_cksum(&ip, sizeof(ip)) != 0xffff;
		want = ip.hdr_checksum;
		ip.hdr_checksum = 0;
		/* And the same bytes as a fresh computation (RFC 1624 eqn. 3 never yields -0). */
		bad += rte_ipv4_cksum(&ip) != want;
	}
	CU_ASSERT_EQUAL(bad, 0);
}

static struct rte_mbuf *
ip_mbuf(uint8_t proto, uint8_t icmp_type, uint16_t frag, rte_be32_t src)
{
	const struct test_ip4 ip = {
		.len = 84,
		.frag = frag,
		.ttl = 1,
		.proto = proto,
		.src = src,
		.dst = test_ip4(198, 18, 10, 2),
		.cksum = true,
	};
	uint8_t buf[98] = { 0 };

	test_eth_hdr(buf, NULL, NULL, RTE_ETHER_TYPE_IPV4);
	test_ip4_hdr(buf + 14, &ip);
	buf[34] = icmp_type;
	return test_mbuf_of(pool, buf, sizeof(buf));
}

static void
test_no_icmp_error_about_errors_fragments_or_bad_sources(void)
{
	const struct rte_ether_addr mac = { { 0x02, 0x76, 0x72, 1, 2, 3 } };
	rte_be32_t gw = test_ip4(203, 0, 113, 254), src = test_ip4(203, 0, 113, 1);
	struct {
		uint8_t proto, type;
		uint16_t frag;
		rte_be32_t src;
		int want;
	} cases[] = {
		{ IPPROTO_ICMP, 8, 0, src, 0 },		       /* echo request: yes */
		{ IPPROTO_UDP, 0, 0x4000, src, 0 },	       /* DF alone: yes */
		{ IPPROTO_ICMP, 3, 0, src, -EPERM },	       /* about an error: never */
		{ IPPROTO_ICMP, 11, 0, src, -EPERM },
		{ IPPROTO_UDP, 0, 0x0010, src, -EPERM },       /* a non-first fragment */
		{ IPPROTO_UDP, 0, 0, 0, -EPERM },	       /* from 0.0.0.0 */
		{ IPPROTO_UDP, 0, 0, test_ip4(224, 0, 0, 1), -EPERM }, /* from multicast */
	};

	for (unsigned int i = 0; i < RTE_DIM(cases); i++) {
		struct rte_mbuf *m = ip_mbuf(cases[i].proto, cases[i].type, cases[i].frag, cases[i].src);
		int r = ovl_rd_icmp_error(m, 11, 0, 0, gw, &mac);

		CU_ASSERT_EQUAL(r, cases[i].want);
		if (r == 0) {
			const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);

			CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), 14u + 20 + 8 + 28);
			CU_ASSERT_EQUAL(rte_raw_cksum(p + 14, 20), 0xffff);
			CU_ASSERT_EQUAL(rte_raw_cksum(p + 34, 36), 0xffff);
		}
		rte_pktmbuf_free(m);
	}
}

static void
test_ipv4_check_refuses_what_a_router_must_not_forward(void)
{
	struct rte_mbuf *m = ip_mbuf(IPPROTO_UDP, 0, 0, test_ip4(203, 0, 113, 1));
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14);

	CU_ASSERT_EQUAL(ovl_rd_ipv4_check(ip, 84, 84), 20);
	CU_ASSERT_EQUAL(ovl_rd_ipv4_check(ip, 84, 83), -EINVAL); /* total length beyond the frame */
	CU_ASSERT_EQUAL(ovl_rd_ipv4_check(ip, 19, 84), -EINVAL); /* header not all there */
	ip->hdr_checksum ^= 1;
	CU_ASSERT_EQUAL(ovl_rd_ipv4_check(ip, 84, 84), -EINVAL); /* bad checksum */
	ip->hdr_checksum ^= 1;
	ip->version_ihl = 0x44;
	CU_ASSERT_EQUAL(ovl_rd_ipv4_check(ip, 84, 84), -EINVAL);
	rte_pktmbuf_free(m);
}

/* The word-wide header sum agrees with DPDK's checksum on headers of every length. */
static void
test_ipv4_check_agrees_with_rte_ipv4_cksum(void)
{
	uint8_t buf[64];
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)buf;
	uint32_t seed = 1;

	for (int round = 0; round < 2000; round++) {
		uint32_t hl = 20 + 4 * (uint32_t)(round % 11);

		for (size_t i = 0; i < sizeof(buf); i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = (uint8_t)(seed >> 16);
		}
		ip->version_ihl = (uint8_t)(0x40 | hl / 4);
		ip->total_length = rte_cpu_to_be_16((uint16_t)hl);
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		CU_ASSERT_EQUAL(ovl_rd_ipv4_check(ip, hl, hl), (int)hl);
		/* Any one flipped bit of the header is caught. */
		buf[4 + (seed >> 8) % (hl - 4)] ^= (uint8_t)(1u << (seed % 8));
		CU_ASSERT_EQUAL(ovl_rd_ipv4_check(ip, hl, hl), -EINVAL);
	}
}

int
main(int argc, char **argv)
{
	CU_pSuite s;
	int ret;

	(void)argc;
	pool = test_eal_pool(argv[0], "rd_pkt_test", 256);
	if (pool == NULL || CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("ovl_rd_pkt", NULL, NULL);
	CU_add_test(s, "ttl decrement matches a full recomputation",
		    test_ttl_decrement_matches_a_full_recomputation);
	CU_add_test(s, "no icmp error about errors, fragments or bad sources",
		    test_no_icmp_error_about_errors_fragments_or_bad_sources);
	CU_add_test(s, "ipv4 check refuses what a router must not forward",
		    test_ipv4_check_refuses_what_a_router_must_not_forward);
	CU_add_test(s, "ipv4 check agrees with rte_ipv4_cksum", test_ipv4_check_agrees_with_rte_ipv4_cksum);
	ret = test_run_suites();
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return ret;
}
