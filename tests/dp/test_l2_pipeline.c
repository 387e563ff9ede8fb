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
#include "dp_priv.h"
#include "test_common.h"

#define MAC_A "02:00:00:00:00:0a"
#define MAC_B "02:00:00:00:00:0b"
#define MAC_C "02:00:00:00:00:0c"
#define BCAST "ff:ff:ff:ff:ff:ff"

static struct rte_mempool *pool;
static char err[VSW_ERR_LEN];

static struct rte_ring *
ring_of(const char *port, const char *dir)
{
	char name[RTE_RING_NAMESIZE];

	snprintf(name, sizeof(name), "vsw_%s_%s", dir, port);
	return rte_ring_lookup(name);
}

static void
inject(const char *port, const char *dst, const char *src, uint16_t len)
{
	struct rte_mbuf *m = test_frame(pool, dst, src, RTE_ETHER_TYPE_IPV4, len);

	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL_FATAL(rte_ring_enqueue(ring_of(port, "rx"), m), 0);
}

static void
run_round(void)
{
	dp_poll_round(dp_main.lcores[0], atomic_load(&dp_main.snapshot));
}

/* Frames sent to 'port' since the last call; each checked against 'src', then freed. */
static unsigned int
drain(const char *port, const char *src)
{
	struct rte_ring *r = ring_of(port, "tx");
	struct rte_mbuf *m;
	unsigned int n = 0;
	uint8_t want[6];

	if (src != NULL)
		test_mac(src, want);
	while (rte_ring_dequeue(r, (void **)&m) == 0) {
		const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

		if (src != NULL)
			CU_ASSERT(memcmp(eth->src_addr.addr_bytes, want, 6) == 0);
		rte_pktmbuf_free(m);
		n++;
	}
	return n;
}

static uint64_t
counter(const char *name)
{
	struct dp_counter c[64];
	unsigned int n = dp_counters(c, 64);

	for (unsigned int i = 0; i < n && i < 64; i++)
		if (strcmp(c[i].name, name) == 0)
			return c[i].value;
	CU_FAIL("no such counter");
	return 0;
}

static int
add_ring_port(const char *name, const char *bd)
{
	struct port_spec spec = { .name = name, .type = "ring" };

	return dp_port_add(&spec, bd, err, sizeof(err));
}

static int
setup(void)
{
	if (add_ring_port("p1", NULL) < 0 || add_ring_port("p2", NULL) < 0 ||
	    add_ring_port("p3", NULL) < 0) {
		fprintf(stderr, "setup: %s\n", err);
		return 1;
	}
	return 0;
}

static int
teardown(void)
{
	dp_port_del("p1", err, sizeof(err));
	dp_port_del("p2", err, sizeof(err));
	dp_port_del("p3", err, sizeof(err));
	dp_port_del("p4", err, sizeof(err));
	dp_bd_del("blue", err, sizeof(err));
	return 0;
}

static void
test_broadcast_floods_to_other_ports_only(void)
{
	inject("p1", BCAST, MAC_A, 60);
	run_round();
	CU_ASSERT_EQUAL(drain("p1", NULL), 0);
	CU_ASSERT_EQUAL(drain("p2", MAC_A), 1);
	CU_ASSERT_EQUAL(drain("p3", MAC_A), 1);
}

static void
test_learned_unicast_goes_to_one_port(void)
{
	inject("p1", BCAST, MAC_A, 60); /* teaches A on p1 */
	run_round();
	drain("p2", NULL);
	drain("p3", NULL);
	inject("p2", MAC_A, MAC_B, 60);
	run_round();
	CU_ASSERT_EQUAL(drain("p1", MAC_B), 1);
	CU_ASSERT_EQUAL(drain("p3", NULL), 0);
	inject("p1", MAC_B, MAC_A, 60);
	run_round();
	CU_ASSERT_EQUAL(drain("p2", MAC_A), 1);
	CU_ASSERT_EQUAL(drain("p3", NULL), 0);
}

static void
test_unknown_unicast_floods(void)
{
	uint64_t before = counter("flood_unknown_unicast");

	inject("p1", MAC_C, MAC_A, 60);
	run_round();
	CU_ASSERT_EQUAL(drain("p2", NULL), 1);
	CU_ASSERT_EQUAL(drain("p3", NULL), 1);
	CU_ASSERT_EQUAL(counter("flood_unknown_unicast"), before + 1);
}

static void
test_burst_is_learned_before_lookup(void)
{
	uint64_t before = counter("drop_same_port");

	/* C's first frame is to itself: learned first, it is then found on its own port. */
	inject("p1", MAC_C, MAC_C, 60);
	run_round();
	CU_ASSERT_EQUAL(drain("p2", NULL) + drain("p3", NULL), 0);
	CU_ASSERT_EQUAL(counter("drop_same_port"), before + 1);
}

static void
test_mac_move_redirects_next_frame(void)
{
	uint64_t moves = counter("fdb_moves");

	inject("p1", BCAST, MAC_A, 60);
	inject("p2", BCAST, MAC_B, 60);
	run_round();
	drain("p1", NULL);
	drain("p2", NULL);
	drain("p3", NULL);
	/* A shows up on p3 (a migrated VM): the next frame to A goes there. */
	inject("p3", BCAST, MAC_A, 60);
	run_round();
	drain("p1", NULL);
	drain("p2", NULL);
	inject("p2", MAC_A, MAC_B, 60);
	run_round();
	CU_ASSERT_EQUAL(drain("p3", MAC_B), 1);
	CU_ASSERT_EQUAL(drain("p1", NULL), 0);
	CU_ASSERT_EQUAL(counter("fdb_moves"), moves + 1);
}

static void
test_frame_to_ingress_port_is_dropped_and_counted(void)
{
	uint64_t before = counter("drop_same_port");

	inject("p1", BCAST, MAC_A, 60);
	run_round();
	drain("p2", NULL);
	drain("p3", NULL);
	inject("p1", MAC_A, MAC_C, 60);
	run_round();
	CU_ASSERT_EQUAL(drain("p1", NULL) + drain("p2", NULL) + drain("p3", NULL), 0);
	CU_ASSERT_EQUAL(counter("drop_same_port"), before + 1);
}

static void
test_bad_frames_are_counted(void)
{
	uint64_t malformed = counter("drop_malformed"), invalid = counter("drop_invalid_src_mac");

	inject("p1", BCAST, MAC_A, 10);
	inject("p1", BCAST, "01:00:5e:00:00:01", 60);
	inject("p1", BCAST, "00:00:00:00:00:00", 60);
	run_round();
	CU_ASSERT_EQUAL(drain("p2", NULL) + drain("p3", NULL), 0);
	CU_ASSERT_EQUAL(counter("drop_malformed"), malformed + 1);
	CU_ASSERT_EQUAL(counter("drop_invalid_src_mac"), invalid + 2);
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
	int blue = dp_bd_add("blue", err, sizeof(err));

	CU_ASSERT_FATAL(blue > 0);
	CU_ASSERT_FATAL(add_ring_port("p4", "blue") >= 0);
	inject("p1", BCAST, MAC_A, 60);
	inject("p4", BCAST, MAC_A, 60); /* same MAC, other domain: not a move */
	run_round();
	CU_ASSERT_EQUAL(drain("p4", NULL), 0);
	CU_ASSERT_EQUAL(drain("p2", NULL), 1);
	CU_ASSERT_EQUAL(drain("p3", NULL), 1);
	CU_ASSERT_EQUAL(drain("p1", NULL), 0);
	CU_ASSERT_EQUAL(dp_fdb_walk("blue", count_entry, &nb_blue), 1);
	CU_ASSERT_EQUAL(nb_blue, 1);
	CU_ASSERT_EQUAL(dp_fdb_walk(NULL, count_entry, &nb_all), 2);
	CU_ASSERT_EQUAL(dp_bd_del("blue", err, sizeof(err)), -EBUSY);
}

static void
test_port_delete_forgets_its_macs(void)
{
	inject("p3", BCAST, MAC_C, 60);
	run_round();
	drain("p1", NULL);
	drain("p2", NULL);
	CU_ASSERT_EQUAL(dp_port_del("p3", err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(dp_port_find("p3"), -ENOENT);
	/* C is unknown again: a frame to it floods to the remaining port. */
	inject("p1", MAC_C, MAC_A, 60);
	run_round();
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
	CU_ASSERT_EQUAL_FATAL(rte_ring_enqueue(ring_of("p1", "rx"), head), 0);
	run_round();
	CU_ASSERT_EQUAL(drain("p2", NULL), 1);
	CU_ASSERT_EQUAL(drain("p3", NULL), 1);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(dp_main.pool), avail);
}

static void
test_port_add_rejects_bad_input(void)
{
	struct port_spec spec = { .name = "p1", .type = "ring" };

	CU_ASSERT_EQUAL(dp_port_add(&spec, NULL, err, sizeof(err)), -EEXIST);
	spec.name = "px";
	CU_ASSERT_EQUAL(dp_port_add(&spec, "nosuchbd", err, sizeof(err)), -ENOENT);
	CU_ASSERT(strstr(err, "nosuchbd") != NULL);
	spec.type = "warp";
	CU_ASSERT_EQUAL(dp_port_add(&spec, NULL, err, sizeof(err)), -EINVAL);
	CU_ASSERT(strstr(err, "warp") != NULL);
	spec.type = "kernel";
	spec.nb_options = 1;
	spec.options[0].key = "iface";
	spec.options[0].value = "nosuchif0";
	CU_ASSERT_EQUAL(dp_port_add(&spec, NULL, err, sizeof(err)), -ENODEV);
	CU_ASSERT(strstr(err, "nosuchif0") != NULL);
	spec.type = "ring";
	spec.options[0].key = "colour";
	CU_ASSERT_EQUAL(dp_port_add(&spec, NULL, err, sizeof(err)), -EINVAL);
	CU_ASSERT(strstr(err, "colour") != NULL);
	CU_ASSERT_EQUAL(dp_port_find("px"), -ENOENT);
}

int
main(int argc, char **argv)
{
	struct dp_options opts = { .fdb_size = 4096, .nb_mbufs = 4095 };
	CU_pSuite s;
	int ret;

	(void)argc;
	if (test_eal_init(argv[0], 2) < 0)
		return 1;
	if (dp_init(&opts, err, sizeof(err)) < 0) {
		fprintf(stderr, "dp_init: %s\n", err);
		return 1;
	}
	pool = dp_main.pool;
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
#define ADD(fn)                                                                                 \
	do {                                                                                     \
		s = CU_add_suite(#fn, setup, teardown);                                          \
		CU_add_test(s, #fn, fn);                                                         \
	} while (0)
	ADD(test_broadcast_floods_to_other_ports_only);
	ADD(test_learned_unicast_goes_to_one_port);
	ADD(test_unknown_unicast_floods);
	ADD(test_burst_is_learned_before_lookup);
	ADD(test_mac_move_redirects_next_frame);
	ADD(test_frame_to_ingress_port_is_dropped_and_counted);
	ADD(test_bad_frames_are_counted);
	ADD(test_bridge_domains_are_isolated);
	ADD(test_port_delete_forgets_its_macs);
	ADD(test_flood_of_chained_mbuf_frees_every_segment_once);
	ADD(test_port_add_rejects_bad_input);
	ret = test_run_suites();
	dp_stop();
	dp_fini();
	rte_eal_cleanup();
	return ret;
}
