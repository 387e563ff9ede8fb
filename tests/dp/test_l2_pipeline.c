/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The L2 pipeline end to end on ring ports: frames injected into a port's RX
 * ring go through one real poll round; the test reads every port's TX ring.
 * The worker is not launched: the test thread runs its rounds, so every
 * outcome is deterministic.
 */
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dp.h"
#include "dp_harness.h"
#include "dp_priv.h"
#include "test_common.h"

#define MAC_A "02:00:00:00:00:0a"
#define MAC_B "02:00:00:00:00:0b"
#define MAC_C "02:00:00:00:00:0c"
#define BCAST "ff:ff:ff:ff:ff:ff"

static void
inject(const char *port, const char *dst, const char *src, uint16_t len)
{
	dp_test_inject(port, test_frame(dp_main.pool, dst, src, RTE_ETHER_TYPE_IPV4, len));
}

/* Frames sent to 'port' since the last call; each checked against 'src', then freed. */
static unsigned int
drain(const char *port, const char *src)
{
	struct rte_mbuf *m;
	unsigned int n = 0;
	uint8_t want[6];

	if (src != NULL)
		test_mac(src, want);
	while ((m = dp_test_take(port)) != NULL) {
		const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

		if (src != NULL)
			CU_ASSERT(memcmp(eth->src_addr.addr_bytes, want, 6) == 0);
		rte_pktmbuf_free(m);
		n++;
	}
	return n;
}

static int
setup(void)
{
	if (dp_test_add_ring("p1", NULL) < 0 || dp_test_add_ring("p2", NULL) < 0 ||
	    dp_test_add_ring("p3", NULL) < 0) {
		fprintf(stderr, "setup: %s\n", dp_test_err);
		return 1;
	}
	return 0;
}

static int
teardown(void)
{
	dp_port_del("p1", dp_test_err, sizeof(dp_test_err));
	dp_port_del("p2", dp_test_err, sizeof(dp_test_err));
	dp_port_del("p3", dp_test_err, sizeof(dp_test_err));
	dp_port_del("p4", dp_test_err, sizeof(dp_test_err));
	dp_bd_del("blue");
	return 0;
}

static void
test_broadcast_floods_to_other_ports_only(void)
{
	inject("p1", BCAST, MAC_A, 60);
	dp_test_round();
	CU_ASSERT_EQUAL(drain("p1", NULL), 0);
	CU_ASSERT_EQUAL(drain("p2", MAC_A), 1);
	CU_ASSERT_EQUAL(drain("p3", MAC_A), 1);
}

static void
test_learned_unicast_goes_to_one_port(void)
{
	inject("p1", BCAST, MAC_A, 60); /* teaches A on p1 */
	dp_test_round();
	drain("p2", NULL);
	drain("p3", NULL);
	inject("p2", MAC_A, MAC_B, 60);
	dp_test_round();
	CU_ASSERT_EQUAL(drain("p1", MAC_B), 1);
	CU_ASSERT_EQUAL(drain("p3", NULL), 0);
	inject("p1", MAC_B, MAC_A, 60);
	dp_test_round();
	CU_ASSERT_EQUAL(drain("p2", MAC_A), 1);
	CU_ASSERT_EQUAL(drain("p3", NULL), 0);
}

static void
test_unknown_unicast_floods(void)
{
	uint64_t before = dp_test_counter("flood_unknown_unicast");

	inject("p1", MAC_C, MAC_A, 60);
	dp_test_round();
	CU_ASSERT_EQUAL(drain("p2", NULL), 1);
	CU_ASSERT_EQUAL(drain("p3", NULL), 1);
	CU_ASSERT_EQUAL(dp_test_counter("flood_unknown_unicast"), before + 1);
}

static void
test_burst_is_learned_before_lookup(void)
{
	uint64_t before = dp_test_counter("drop_same_port");

	/* C's first frame is to itself: learned first, it is then found on its own port. */
	inject("p1", MAC_C, MAC_C, 60);
	dp_test_round();
	CU_ASSERT_EQUAL(drain("p2", NULL) + drain("p3", NULL), 0);
	CU_ASSERT_EQUAL(dp_test_counter("drop_same_port"), before + 1);
}

static void
test_mac_move_redirects_next_frame(void)
{
	uint64_t moves = dp_test_counter("fdb_moves");

	inject("p1", BCAST, MAC_A, 60);
	inject("p2", BCAST, MAC_B, 60);
	dp_test_round();
	drain("p1", NULL);
	drain("p2", NULL);
	drain("p3", NULL);
	/* A shows up on p3 (a migrated VM): the next frame to A goes there. */
	inject("p3", BCAST, MAC_A, 60);
	dp_test_round();
	drain("p1", NULL);
	drain("p2", NULL);
	inject("p2", MAC_A, MAC_B, 60);
	dp_test_round();
	CU_ASSERT_EQUAL(drain("p3", MAC_B), 1);
	CU_ASSERT_EQUAL(drain("p1", NULL), 0);
	CU_ASSERT_EQUAL(dp_test_counter("fdb_moves"), moves + 1);
}

static void
test_frame_to_ingress_port_is_dropped_and_counted(void)
{
	uint64_t before = dp_test_counter("drop_same_port");

	inject("p1", BCAST, MAC_A, 60);
	dp_test_round();
	drain("p2", NULL);
	drain("p3", NULL);
	inject("p1", MAC_A, MAC_C, 60);
	dp_test_round();
	CU_ASSERT_EQUAL(drain("p1", NULL) + drain("p2", NULL) + drain("p3", NULL), 0);
	CU_ASSERT_EQUAL(dp_test_counter("drop_same_port"), before + 1);
}

static void
test_bad_frames_are_counted(void)
{
	uint64_t malformed = dp_test_counter("drop_malformed"), invalid = dp_test_counter("drop_invalid_src_mac");

	inject("p1", BCAST, MAC_A, 10);
	inject("p1", BCAST, "01:00:5e:00:00:01", 60);
	inject("p1", BCAST, "00:00:00:00:00:00", 60);
	dp_test_round();
	CU_ASSERT_EQUAL(drain("p2", NULL) + drain("p3", NULL), 0);
	CU_ASSERT_EQUAL(dp_test_counter("drop_malformed"), malformed + 1);
	CU_ASSERT_EQUAL(dp_test_counter("drop_invalid_src_mac"), invalid + 2);
}

static void
count_entry(const struct dp_fdb_entry *e, void *arg)
{
	(void)e;
	(*(unsigned int *)arg)++;
}

static void
test_bridge_domains_are_isolated(void)
{
	unsigned int nb_blue = 0, nb_all = 0;
	int blue = dp_bd_add("blue");

	CU_ASSERT_FATAL(blue > 0);
	CU_ASSERT_FATAL(dp_test_add_ring("p4", "blue") >= 0);
	inject("p1", BCAST, MAC_A, 60);
	inject("p4", BCAST, MAC_A, 60); /* same MAC, other domain: not a move */
	dp_test_round();
	CU_ASSERT_EQUAL(drain("p4", NULL), 0);
	CU_ASSERT_EQUAL(drain("p2", NULL), 1);
	CU_ASSERT_EQUAL(drain("p3", NULL), 1);
	CU_ASSERT_EQUAL(drain("p1", NULL), 0);
	CU_ASSERT_EQUAL(dp_fdb_walk("blue", count_entry, &nb_blue), 1);
	CU_ASSERT_EQUAL(nb_blue, 1);
	CU_ASSERT_EQUAL(dp_fdb_walk(NULL, count_entry, &nb_all), 2);
	CU_ASSERT_EQUAL(dp_bd_del("blue"), -EBUSY);
}

static void
test_port_delete_forgets_its_macs(void)
{
	inject("p3", BCAST, MAC_C, 60);
	dp_test_round();
	drain("p1", NULL);
	drain("p2", NULL);
	CU_ASSERT_EQUAL(dp_port_del("p3", dp_test_err, sizeof(dp_test_err)), 0);
	CU_ASSERT_EQUAL(dp_port_find("p3"), -ENOENT);
	/* C is unknown again: a frame to it floods to the remaining port. */
	inject("p1", MAC_C, MAC_A, 60);
	dp_test_round();
	CU_ASSERT_EQUAL(drain("p2", NULL), 1);
}

static void
test_flood_of_chained_mbuf_frees_every_segment_once(void)
{
	unsigned int avail = rte_mempool_avail_count(dp_main.pool);
	struct rte_mbuf *head = test_frame(dp_main.pool, BCAST, MAC_A, RTE_ETHER_TYPE_IPV4, 60);
	struct rte_mbuf *tail = test_frame(dp_main.pool, BCAST, MAC_A, RTE_ETHER_TYPE_IPV4, 100);

	CU_ASSERT_FATAL(head != NULL && tail != NULL);
	CU_ASSERT_EQUAL_FATAL(rte_pktmbuf_chain(head, tail), 0);
	CU_ASSERT_EQUAL_FATAL(rte_ring_enqueue(dp_test_ring("p1", "rx"), head), 0);
	dp_test_round();
	CU_ASSERT_EQUAL(drain("p2", NULL), 1);
	CU_ASSERT_EQUAL(drain("p3", NULL), 1);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(dp_main.pool), avail);
}

static void
test_port_add_rejects_bad_input(void)
{
	struct port_spec spec = { .name = "p1", .type = "ring" };

	CU_ASSERT_EQUAL(dp_port_add(&spec, NULL, dp_test_err, sizeof(dp_test_err)), -EEXIST);
	spec.name = "px";
	CU_ASSERT_EQUAL(dp_port_add(&spec, "nosuchbd", dp_test_err, sizeof(dp_test_err)), -ENOENT);
	CU_ASSERT(strstr(dp_test_err, "nosuchbd") != NULL);
	spec.type = "warp";
	CU_ASSERT_EQUAL(dp_port_add(&spec, NULL, dp_test_err, sizeof(dp_test_err)), -EINVAL);
	CU_ASSERT(strstr(dp_test_err, "warp") != NULL);
	spec.type = "kernel";
	spec.nb_options = 1;
	spec.options[0].key = "iface";
	spec.options[0].value = "nosuchif0";
	CU_ASSERT_EQUAL(dp_port_add(&spec, NULL, dp_test_err, sizeof(dp_test_err)), -ENODEV);
	CU_ASSERT(strstr(dp_test_err, "nosuchif0") != NULL);
	spec.type = "ring";
	spec.options[0].key = "colour";
	CU_ASSERT_EQUAL(dp_port_add(&spec, NULL, dp_test_err, sizeof(dp_test_err)), -EINVAL);
	CU_ASSERT(strstr(dp_test_err, "colour") != NULL);
	CU_ASSERT_EQUAL(dp_port_find("px"), -ENOENT);
}

int
main(int argc, char **argv)
{
	(void)argc;
	if (dp_test_start(argv[0]) < 0)
		return 1;
	DP_TEST_ALONE(test_broadcast_floods_to_other_ports_only, setup, teardown);
	DP_TEST_ALONE(test_learned_unicast_goes_to_one_port, setup, teardown);
	DP_TEST_ALONE(test_unknown_unicast_floods, setup, teardown);
	DP_TEST_ALONE(test_burst_is_learned_before_lookup, setup, teardown);
	DP_TEST_ALONE(test_mac_move_redirects_next_frame, setup, teardown);
	DP_TEST_ALONE(test_frame_to_ingress_port_is_dropped_and_counted, setup, teardown);
	DP_TEST_ALONE(test_bad_frames_are_counted, setup, teardown);
	DP_TEST_ALONE(test_bridge_domains_are_isolated, setup, teardown);
	DP_TEST_ALONE(test_port_delete_forgets_its_macs, setup, teardown);
	DP_TEST_ALONE(test_flood_of_chained_mbuf_frees_every_segment_once, setup, teardown);
	DP_TEST_ALONE(test_port_add_rejects_bad_input, setup, teardown);
	return dp_test_finish();
}
