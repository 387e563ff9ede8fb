/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ARP in the overlay: suppression of a VM's request answered from the
 * lookup records (reply bytes checked against RFC 826 layout by hand), the
 * cases that must not be answered, and ARP on the uplink: answering for our
 * PAs, learning the gateway, and building requests for next hops.
 */
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <rte_eal.h>
#include <rte_mbuf.h>

#include "ovl.h"
#include "test_common.h"
#include "test_frames.h"
#include "test_addr.h"

#define VSID_A 0x5001u
#define BD_A   1

static struct rte_mempool *pool;
static struct ovl *ovl;
static unsigned int table_seq;

/* A broadcast ARP frame from 'src': operation 'op', sender 'sha'/'spa', target 'tpa'. */
static struct rte_mbuf *
arp_frame(const char *src, uint16_t op, const char *sha, rte_be32_t spa, rte_be32_t tpa)
{
	uint8_t f[60];

	return test_mbuf_of(pool, f,
			    test_arp_bytes(f, "ff:ff:ff:ff:ff:ff", src, 0x0806, op, sha, spa, tpa));
}

static int
setup(void)
{
	char name[16];
	struct ovl_params p = {
		.socket_id = SOCKET_ID_ANY,
		.nb_bds = 4,
		.max_vsids = 2,
		.max_records = 16,
		.max_macs = 16,
		.max_slots = 4,
		.max_routes = 8,
		.max_neighbours = 4,
		.neigh_timeout_ms = 10000,
	};
	struct rte_ether_addr b = tmac("52:54:00:00:00:0b"), up = tmac("02:00:00:00:00:01");

	snprintf(name, sizeof(name), "t_arp%u", table_seq++);
	p.name = name;
	ovl = ovl_create(&p);
	if (ovl == NULL)
		return 1;
	/* VM B (203.0.113.11) lives behind 198.51.100.2; we are 192.0.2.1 on the uplink. */
	return ovl_vsid_add(ovl, VSID_A, BD_A) != 0 ||
	       ovl_record_add(ovl, VSID_A, test_ip4(203, 0, 113, 11), &b, tip4(test_ip4(198, 51, 100, 2))) != 0 ||
	       ovl_uplink_set(ovl, &up, 1500) != 0 || ovl_pa_add(ovl, tpfx4(test_ip4(192, 0, 2, 1), 24)) != 0;
}

static int
teardown(void)
{
	ovl_destroy(ovl);
	ovl = NULL;
	return 0;
}

static void
test_ovl_arp_suppress_builds_reply_from_record(void)
{
	/*
	 * VM A (02:..:0a, 203.0.113.10) asks who-has 203.0.113.11.  The reply, as
	 * B itself would send it: unicast to A, from B's MAC, opcode 2, sender
	 * (B's MAC, 203.0.113.11 = cb 00 71 0b), target (A's MAC, 203.0.113.10).
	 */
	static const uint8_t want[42] = {
		0x02, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x52, 0x54, 0x00, 0x00, 0x00, 0x0b, 0x08, 0x06,
		0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x02, 0x52, 0x54, 0x00, 0x00, 0x00, 0x0b,
		0xcb, 0x00, 0x71, 0x0b, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a, 0xcb, 0x00, 0x71, 0x0a,
	};
	static const uint8_t zero[18];
	struct rte_mbuf *m = arp_frame("02:00:00:00:00:0a", 1, "02:00:00:00:00:0a",
				       test_ip4(203, 0, 113, 10), test_ip4(203, 0, 113, 11));

	CU_ASSERT_EQUAL_FATAL(ovl_arp_suppress(ovl, VSID_A, m), 1);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), 60);
	CU_ASSERT_EQUAL(memcmp(rte_pktmbuf_mtod(m, uint8_t *), want, sizeof(want)), 0);
	CU_ASSERT_EQUAL(memcmp(rte_pktmbuf_mtod_offset(m, uint8_t *, 42), zero, 18), 0);
	rte_pktmbuf_free(m);
}

static void
check_not_answered(struct rte_mbuf *m, uint32_t vsid, int want)
{
	uint8_t before[60];

	memcpy(before, rte_pktmbuf_mtod(m, uint8_t *), 60);
	CU_ASSERT_EQUAL(ovl_arp_suppress(ovl, vsid, m), want);
	CU_ASSERT_EQUAL(memcmp(rte_pktmbuf_mtod(m, uint8_t *), before, 60), 0);
	rte_pktmbuf_free(m);
}

static void
test_ovl_arp_suppress_leaves_what_it_must_not_answer(void)
{
	const char *a = "02:00:00:00:00:0a";
	struct rte_mbuf *m;

	/* No record for the target, or the record is in another virtual subnet. */
	check_not_answered(arp_frame(a, 1, a, test_ip4(203, 0, 113, 10), test_ip4(203, 0, 113, 99)), VSID_A,
			   0);
	check_not_answered(arp_frame(a, 1, a, test_ip4(203, 0, 113, 10), test_ip4(203, 0, 113, 11)), 0x6000,
			   0);
	/* Replies and gratuitous announcements travel as usual (migration depends on them). */
	check_not_answered(arp_frame(a, 2, a, test_ip4(203, 0, 113, 10), test_ip4(203, 0, 113, 11)), VSID_A,
			   0);
	check_not_answered(arp_frame(a, 1, a, test_ip4(203, 0, 113, 11), test_ip4(203, 0, 113, 11)), VSID_A,
			   0);
	/* B probing for its own address (DAD) must not be told it is taken. */
	check_not_answered(
		arp_frame("52:54:00:00:00:0b", 1, "52:54:00:00:00:0b", 0, test_ip4(203, 0, 113, 11)),
		VSID_A, 0);
	/* Another VM probing for B's address (sender 0.0.0.0) is told: it is B's. */
	m = arp_frame(a, 1, a, 0, test_ip4(203, 0, 113, 11));
	CU_ASSERT_EQUAL(ovl_arp_suppress(ovl, VSID_A, m), 1);
	rte_pktmbuf_free(m);
	/* Not ARP, not Ethernet/IPv4 ARP, truncated, bad sender. */
	m = arp_frame(a, 1, a, test_ip4(203, 0, 113, 10), test_ip4(203, 0, 113, 11));
	rte_pktmbuf_mtod(m, uint8_t *)[13] = 0x35; /* RARP EtherType */
	check_not_answered(m, VSID_A, -ENOTSUP);
	m = arp_frame(a, 1, a, test_ip4(203, 0, 113, 10), test_ip4(203, 0, 113, 11));
	rte_pktmbuf_mtod(m, uint8_t *)[18] = 8; /* hlen 8 */
	check_not_answered(m, VSID_A, -ENOTSUP);
	m = arp_frame(a, 1, "01:00:5e:00:00:01", test_ip4(203, 0, 113, 10), test_ip4(203, 0, 113, 11));
	check_not_answered(m, VSID_A, -EINVAL);
	m = arp_frame(a, 1, a, test_ip4(203, 0, 113, 10), test_ip4(203, 0, 113, 11));
	rte_pktmbuf_trim(m, 60 - 41);
	CU_ASSERT_EQUAL(ovl_arp_suppress(ovl, VSID_A, m), -EINVAL);
	rte_pktmbuf_free(m);
}

static void
test_ovl_arp_input_answers_for_our_pa_and_learns_gateway(void)
{
	/* The gateway 192.0.2.254 (02:..:fe) asks for 192.0.2.1, which is ours. */
	static const uint8_t want[42] = {
		0x02, 0x00, 0x00, 0x00, 0x00, 0xfe, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06,
		0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
		0xc0, 0x00, 0x02, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0xfe, 0xc0, 0x00, 0x02, 0xfe,
	};
	const char *gw = "02:00:00:00:00:fe";
	struct rte_ether_addr gw2 = tmac("02:00:00:00:00:fd");
	struct ovl_neigh n;
	struct rte_mbuf *m;

	m = arp_frame(gw, 1, gw, test_ip4(192, 0, 2, 254), test_ip4(192, 0, 2, 1));
	CU_ASSERT_EQUAL_FATAL(ovl_arp_input(ovl, m, 500), 1);
	CU_ASSERT_EQUAL(memcmp(rte_pktmbuf_mtod(m, uint8_t *), want, sizeof(want)), 0);
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL_FATAL(ovl_neigh_lookup(ovl, tip4(test_ip4(192, 0, 2, 254)), &n), 0);
	CU_ASSERT_EQUAL(n.updated_ms, 500);
	/* Someone else's conversation teaches nothing new... */
	m = arp_frame("02:00:00:00:00:33", 1, "02:00:00:00:00:33", test_ip4(192, 0, 2, 33),
		      test_ip4(192, 0, 2, 34));
	CU_ASSERT_EQUAL(ovl_arp_input(ovl, m, 600), 0);
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(ovl_neigh_lookup(ovl, tip4(test_ip4(192, 0, 2, 33)), &n), -ENOENT);
	/* ...but updates a neighbour we know (a gratuitous ARP after gateway failover). */
	m = arp_frame("02:00:00:00:00:fd", 1, "02:00:00:00:00:fd", test_ip4(192, 0, 2, 254),
		      test_ip4(192, 0, 2, 254));
	CU_ASSERT_EQUAL(ovl_arp_input(ovl, m, 700), 0);
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(ovl_neigh_lookup(ovl, tip4(test_ip4(192, 0, 2, 254)), &n), 0);
	CU_ASSERT(rte_is_same_ether_addr(&n.mac, &gw2));
	/* A reply to our request creates the entry. */
	m = arp_frame("02:00:00:00:00:07", 2, "02:00:00:00:00:07", test_ip4(192, 0, 2, 7),
		      test_ip4(192, 0, 2, 1));
	CU_ASSERT_EQUAL(ovl_arp_input(ovl, m, 800), 0);
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(ovl_neigh_lookup(ovl, tip4(test_ip4(192, 0, 2, 7)), &n), 0);
}

static void
test_ovl_arp_request_build_bytes(void)
{
	static const uint8_t want[60] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06,
		0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
		0xc0, 0x00, 0x02, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x02, 0xfe,
		/* 18 bytes of padding to the 60-byte minimum */
	};
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	CU_ASSERT_EQUAL_FATAL(ovl_arp_request_build(ovl, m, test_ip4(192, 0, 2, 254)), 0);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), 60);
	CU_ASSERT_EQUAL(memcmp(rte_pktmbuf_mtod(m, uint8_t *), want, sizeof(want)), 0);
	rte_pktmbuf_free(m);
	m = rte_pktmbuf_alloc(pool);
	CU_ASSERT_EQUAL(ovl_arp_request_build(ovl, m, test_ip4(198, 51, 100, 1)), -ENETUNREACH);
	rte_pktmbuf_free(m);
}

int
main(int argc, char **argv)
{
	CU_pSuite s;
	int ret;

	(void)argc;
	pool = test_eal_pool(argv[0], "arp_test", 256);
	if (pool == NULL || CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("ovl_arp_suppress", setup, teardown);
	CU_add_test(s, "reply from record", test_ovl_arp_suppress_builds_reply_from_record);
	CU_add_test(s, "not answered", test_ovl_arp_suppress_leaves_what_it_must_not_answer);
	s = CU_add_suite("ovl_arp_uplink", setup, teardown);
	CU_add_test(s, "answer for our pa",
		    test_ovl_arp_input_answers_for_our_pa_and_learns_gateway);
	CU_add_test(s, "request bytes", test_ovl_arp_request_build_bytes);
	ret = test_run_suites();
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return ret;
}
