/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The routing stage's route cache and runs through the real pipeline, on
 * rd_fixture.h's host: hits that follow every change at the next frame,
 * order kept around a frame that waits for the tables, floods that join no
 * run, and runs to another host sent by the general encapsulation.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "dp.h"
#include "dp_harness.h"
#include "dp_priv.h"
#include "dp_rd.h"
#include "test_common.h"
#include "test_frames.h"
#include "test_addr.h"
#include "rd_fixture.h"

/*
 * A worker's route cache answers a destination seen before without the
 * tables, and still follows whatever changes the answer at the very next
 * frame: the MAC moving to another port, the record naming another MAC, a
 * customer route, the MAC forgotten and learned elsewhere.
 */
static void
test_route_cache_hits_and_follows_changes(void)
{
	const char *dip = "198.18.10.2", *x_text = "02:00:00:00:00:2b";
	uint8_t mac[6], b[6], c[6], x[6];
	struct rte_ether_addr x_addr;
	char err[128];
	uint64_t miss;

	test_mac(VM_B, b);
	test_mac(VM_C, c);
	test_mac(x_text, x);
	memcpy(x_addr.addr_bytes, x, 6);
	CU_ASSERT_FATAL(dp_test_add_ring("vm2b", "t2") >= 0);
	learn_on("vm2", VM_B);
	CU_ASSERT_STRING_EQUAL(routed_to(dip, mac), "vm2");
	miss = dp_test_counter("rd_route_cache_misses");
	CU_ASSERT_STRING_EQUAL(routed_to(dip, mac), "vm2");
	CU_ASSERT(memcmp(mac, b, 6) == 0);
	CU_ASSERT_EQUAL(dp_test_counter("rd_route_cache_misses"), miss); /* a hit */

	/* B moves to vm2b: still a hit, and the hit reads where B is now. */
	learn_on("vm2b", VM_B);
	CU_ASSERT_STRING_EQUAL(routed_to(dip, mac), "vm2b");
	CU_ASSERT_EQUAL(dp_test_counter("rd_route_cache_misses"), miss);

	/* The address now belongs to X: the cached record no longer holds. */
	learn_on("vm2", x_text);
	CU_ASSERT_EQUAL_FATAL(dp_lookup_add(5002, tca(dip), x, tip(OUR_PA)), 0);
	CU_ASSERT_STRING_EQUAL(routed_to(dip, mac), "vm2");
	CU_ASSERT(memcmp(mac, x, 6) == 0);
	CU_ASSERT_EQUAL(dp_test_counter("rd_route_cache_misses"), miss + 1);

	/* A more specific customer route through C (another host), then gone again. */
	CU_ASSERT_EQUAL_FATAL(dp_rd_route_add("red", tca(dip), 32, tca("198.18.20.3")), 0);
	CU_ASSERT_STRING_EQUAL(routed_to(dip, mac), "up");
	CU_ASSERT(memcmp(mac, c, 6) == 0);
	CU_ASSERT_EQUAL_FATAL(dp_rd_route_del("red", tca(dip), 32), 0);
	CU_ASSERT_STRING_EQUAL(routed_to(dip, mac), "vm2");
	CU_ASSERT(memcmp(mac, x, 6) == 0);

	/* X forgotten, then learned on vm2b: wherever its new slot is, it is found. */
	CU_ASSERT_EQUAL_FATAL(dp_fdb_del("t2", &x_addr), 0);
	learn_on("vm2b", x_text);
	CU_ASSERT_STRING_EQUAL(routed_to(dip, mac), "vm2b");

	/* As the other tests expect it. */
	CU_ASSERT_EQUAL(dp_lookup_add(5002, tca(dip), b, tip(OUR_PA)), 0);
	learn_on("vm2", VM_B);
	CU_ASSERT_EQUAL(dp_port_del("vm2b", err, sizeof(err)), 0);
}

/*
 * Frames whose cached answer holds are sent as they come, until one frame
 * of the burst has to wait for the tables: from then on the rest wait too,
 * so that none overtakes it on their common port.
 */
static void
test_routed_frames_keep_their_order_around_a_cache_miss(void)
{
	/* 198.18.10.2 (B) is cached after the first frame; 198.18.10.7 (F) never was. */
	static const char *const burst[] = { "198.18.10.2", "198.18.10.2", "198.18.10.7",
					     "198.18.10.2", "198.18.10.2" };
	const char *f_text = "02:00:00:00:00:2f";
	uint8_t mac[6], f[6], got[2048];
	const char *red = red_text;

	test_mac(f_text, f);
	dp_test_inject("vm2", test_frame(dp_main.pool, "ff:ff:ff:ff:ff:ff", f_text, 0x88b5, 60));
	dp_test_round();
	drain_all();
	CU_ASSERT_EQUAL_FATAL(dp_lookup_add(5002, tca("198.18.10.7"), f, tip(OUR_PA)), 0);
	CU_ASSERT_STRING_EQUAL(routed_to("198.18.10.2", mac), "vm2");
	for (unsigned int i = 0; i < RTE_DIM(burst); i++)
		dp_test_inject("vm1", ip_frame(red, VM_A, "203.0.113.1", burst[i],
					       (uint8_t)(64 - i), 84, true));
	dp_test_round();
	/* The TTL tells the frames apart: frame i leaves with 63 - i, in that order. */
	for (unsigned int i = 0; i < RTE_DIM(burst); i++) {
		struct rte_mbuf *out = dp_test_take("vm2");

		CU_ASSERT_FATAL(out != NULL);
		test_flat(out, got, sizeof(got));
		CU_ASSERT_EQUAL(((const struct rte_ipv4_hdr *)(got + 14))->time_to_live, 63 - i);
		CU_ASSERT_EQUAL(got[5], i == 2 ? 0x2f : 0x0b);
		rte_pktmbuf_free(out);
	}
	CU_ASSERT_EQUAL(dp_test_drain("vm2"), 0);
	CU_ASSERT_EQUAL(dp_lookup_del(5002, tca("198.18.10.7")), 0);
}

/*
 * Frames to a VM of this host that has not spoken yet are flooded to its
 * subnet's local ports, each of them, also right after a run to a known VM
 * of the same subnet: none joins that run.
 */
static void
test_routed_floods_after_a_run_in_the_same_subnet(void)
{
	static const char *const burst[] = { "198.18.10.11", "198.18.10.12", "198.18.10.12" };
	const char *g_text = "02:00:00:00:00:3a", *f_text = "02:00:00:00:00:3b";
	uint64_t flooded = dp_test_counter("routed_flood_local");
	uint64_t local = dp_test_counter("routed_local");
	uint8_t g[6], f[6];
	const char *red = red_text;

	test_mac(g_text, g);
	test_mac(f_text, f);
	/* G speaks on vm2; F never does. */
	dp_test_inject("vm2", test_frame(dp_main.pool, "ff:ff:ff:ff:ff:ff", g_text, 0x88b5, 60));
	dp_test_round();
	drain_all();
	CU_ASSERT_EQUAL_FATAL(dp_lookup_add(5002, tca("198.18.10.11"), g, tip(OUR_PA)), 0);
	CU_ASSERT_EQUAL_FATAL(dp_lookup_add(5002, tca("198.18.10.12"), f, tip(OUR_PA)), 0);
	for (unsigned int i = 0; i < RTE_DIM(burst); i++)
		dp_test_inject("vm1", ip_frame(red, VM_A, "203.0.113.1", burst[i], 64, 84, true));
	dp_test_round();
	CU_ASSERT_EQUAL(dp_test_counter("routed_local"), local + 1);
	CU_ASSERT_EQUAL(dp_test_counter("routed_flood_local"), flooded + 2);
	CU_ASSERT_EQUAL(dp_test_drain("vm2"), 3);
	CU_ASSERT_EQUAL(dp_test_drain("up") + dp_test_drain("vm1"), 0);
	CU_ASSERT_EQUAL(dp_lookup_del(5002, tca("198.18.10.11")), 0);
	CU_ASSERT_EQUAL(dp_lookup_del(5002, tca("198.18.10.12")), 0);
}
/*
 * Runs to another host over a tagged uplink (the provider network on a VLAN)
 * cannot take the inline encapsulation; the general one sends them, byte for
 * byte what an untagged uplink sends, behind the tag, in their order.
 */
static void
test_routed_to_another_host_over_a_tagged_uplink(void)
{
	const char *red = red_text;
	uint64_t remote = dp_test_counter("routed_remote");
	uint8_t orig[2][2048], want[2048], got[2048], untagged[2048];
	unsigned int len[2];

	drain_all();
	CU_ASSERT_EQUAL_FATAL(dp_uplink_set_vlan(100), 0);
	for (unsigned int i = 0; i < 2; i++) {
		struct rte_mbuf *m = ip_frame(red, VM_A, "203.0.113.1", "198.18.20.3",
					      (uint8_t)(64 - i), 100, true);

		len[i] = test_flat(m, orig[i], sizeof(orig[i]));
		dp_test_inject("vm1", m);
	}
	dp_test_round();
	for (unsigned int i = 0; i < 2; i++) {
		struct rte_mbuf *out = dp_test_take("up");

		CU_ASSERT_FATAL(out != NULL);
		CU_ASSERT_EQUAL_FATAL(test_flat(out, got, sizeof(got)), 4 + 42 + len[i]);
		rte_pktmbuf_free(out);
		CU_ASSERT(got[12] == 0x81 && got[13] == 0x00 && got[14] == 0x00 && got[15] == 100);
		memcpy(untagged, got, 12);
		memcpy(untagged + 12, got + 16, 42 + len[i] - 12);
		check_outer(untagged, 5003);
		expect_routed(orig[i], len[i], VM_C, red_mac, want);
		CU_ASSERT(memcmp(untagged + 42, want, len[i]) == 0);
	}
	CU_ASSERT_EQUAL(dp_test_drain("up"), 0);
	CU_ASSERT_EQUAL(dp_test_counter("routed_remote"), remote + 2);
	CU_ASSERT_EQUAL(dp_uplink_set_vlan(0), 0);
}

int
main(int argc, char **argv)
{
	CU_pSuite s;

	(void)argc;
	if (dp_test_start(argv[0]) < 0 || rd_setup_host() != 0)
		return 1;
	s = CU_add_suite("rd_cache_pipeline", NULL, NULL);
	CU_add_test(s, "route cache hits and follows changes",
		    test_route_cache_hits_and_follows_changes);
	CU_add_test(s, "routed frames keep their order around a cache miss",
		    test_routed_frames_keep_their_order_around_a_cache_miss);
	CU_add_test(s, "routed floods after a run in the same subnet",
		    test_routed_floods_after_a_run_in_the_same_subnet);
	CU_add_test(s, "routed to another host over a tagged uplink",
		    test_routed_to_another_host_over_a_tagged_uplink);
	return dp_test_finish();
}
