/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VLAN access and trunk ports through the real pipeline on ring ports.
 * Bridge domain "v10" has VLAN 10 and "v20" VLAN 20; "a10" and "b10" are
 * access ports of VLAN 10, "a20" of VLAN 20; "tr" trunks 10 and 20 with no
 * native VLAN; "nat" trunks 20 with native VLAN 10; "p1" and "p2" have no
 * VLAN mode, in "default".  Frames are checked byte by byte against what was
 * sent, with the 802.1Q header added or removed by the test itself.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "dp.h"
#include "dp_harness.h"
#include "dp_priv.h"
#include "test_common.h"

#define MAC_A "02:00:00:00:00:0a"
#define MAC_B "02:00:00:00:00:0b"
#define MAC_C "02:00:00:00:00:0c"
#define MAC_T "02:00:00:00:00:0d"
#define BCAST "ff:ff:ff:ff:ff:ff"
#define LEN   64

static const char *const all_ports[] = { "a10", "b10", "a20", "tr", "nat", "p1", "p2" };

/* What the test sent, and what a port should then see. */
struct sent {
	uint8_t bytes[LEN + 4]; /**< the untagged frame */
	unsigned int len;	/**< its length */
};

static struct rte_mbuf *
make(const char *dst, const char *src, struct sent *s)
{
	struct rte_mbuf *m = test_frame(dp_main.pool, dst, src, RTE_ETHER_TYPE_IPV4, LEN);

	CU_ASSERT_FATAL(m != NULL);
	s->len = rte_pktmbuf_data_len(m);
	memcpy(s->bytes, rte_pktmbuf_mtod(m, void *), s->len);
	return m;
}

/* 'm' with an 802.1Q header for 'vlan' after its MACs. */
static struct rte_mbuf *
tag(struct rte_mbuf *m, uint16_t vlan)
{
	m->vlan_tci = vlan;
	CU_ASSERT_FATAL(rte_vlan_insert(&m) == 0);
	return m;
}

/* One frame on 'port', equal to 's' with a tag for 'vlan' (0: untagged); consumes it. */
static void
expect(const char *port, const struct sent *s, uint16_t vlan)
{
	struct rte_mbuf *m = dp_test_take(port);
	uint8_t want[LEN + 4], got[LEN + 4];
	unsigned int len = s->len;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	memcpy(want, s->bytes, 12);
	if (vlan != 0) {
		want[12] = 0x81, want[13] = 0x00;
		want[14] = (uint8_t)(vlan >> 8), want[15] = (uint8_t)vlan;
		len += 4;
	}
	memcpy(want + (vlan != 0 ? 16 : 12), s->bytes + 12, s->len - 12);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), len);
	if (rte_pktmbuf_pkt_len(m) == len) {
		const uint8_t *p = rte_pktmbuf_read(m, 0, len, got);

		CU_ASSERT(p != NULL && memcmp(p, want, len) == 0);
	}
	rte_pktmbuf_free(m);
	CU_ASSERT_PTR_NULL(dp_test_take(port)); /* and only one */
}

/* Nothing went out of the ports not named in 'except' (a NULL-ended list). */
static void
expect_nothing_else(const char *const *except)
{
	for (size_t i = 0; i < sizeof(all_ports) / sizeof(all_ports[0]); i++) {
		bool skip = false;

		for (const char *const *e = except; *e != NULL; e++)
			skip |= strcmp(*e, all_ports[i]) == 0;
		if (!skip)
			CU_ASSERT_EQUAL(dp_test_drain(all_ports[i]), 0);
	}
}

static struct dp_port_refusal refused; /* the last set_vlan()'s */

static int
set_vlan(const char *port, enum dp_vlan_mode mode, uint16_t vlan, const uint16_t *trunks,
	 uint16_t native)
{
	struct dp_port_settings s = { .fields = DP_PORT_SET_VLAN };

	s.vlan.mode = mode;
	s.vlan.vlan = vlan;
	s.vlan.native = native;
	for (; trunks != NULL && *trunks != 0; trunks++)
		dp_vlan_bit_set(s.vlan.trunks, *trunks);
	return dp_port_set(port, &s, &refused);
}

static int
setup(void)
{
	static const uint16_t both[] = { 10, 20, 0 }, twenty[] = { 20, 0 };

	for (size_t i = 0; i < sizeof(all_ports) / sizeof(all_ports[0]); i++)
		if (dp_test_add_ring(all_ports[i], NULL) < 0)
			goto fail;
	if (dp_bd_add("v10") < 0 || dp_bd_add("v20") < 0 || DP_TEST_BD_SET("v10", vlan, 10) < 0 ||
	    DP_TEST_BD_SET("v20", vlan, 20) < 0 ||
	    set_vlan("a10", DP_VLAN_ACCESS, 10, NULL, 0) < 0 ||
	    set_vlan("b10", DP_VLAN_ACCESS, 10, NULL, 0) < 0 ||
	    set_vlan("a20", DP_VLAN_ACCESS, 20, NULL, 0) < 0 ||
	    set_vlan("tr", DP_VLAN_TRUNK, 0, both, 0) < 0 ||
	    set_vlan("nat", DP_VLAN_TRUNK, 0, twenty, 10) < 0)
		goto fail;
	return 0;
fail:
	fprintf(stderr, "setup: %s\n", dp_test_err);
	return 1;
}

static void
test_access_broadcast_reaches_its_vlan_only_tagged_on_trunks(void)
{
	static const char *const got[] = { "b10", "tr", "nat", NULL };
	struct sent s;

	dp_test_inject("a10", make(BCAST, MAC_A, &s));
	dp_test_round();
	expect("b10", &s, 0);
	expect("tr", &s, 10);
	expect("nat", &s, 0); /* VLAN 10 is its native one: untagged */
	expect_nothing_else(got);
}

static void
test_trunk_frame_is_popped_into_its_vlan(void)
{
	static const char *const got20[] = { "a20", "nat", NULL }, *const got10[] = { "a10", "b10",
										      "nat", NULL };
	struct sent s;

	dp_test_inject("tr", tag(make(BCAST, MAC_T, &s), 20));
	dp_test_round();
	expect("a20", &s, 0);
	expect("nat", &s, 20);
	expect_nothing_else(got20);
	dp_test_inject("tr", tag(make(BCAST, MAC_T, &s), 10));
	dp_test_round();
	expect("a10", &s, 0);
	expect("b10", &s, 0);
	expect("nat", &s, 0);
	expect_nothing_else(got10);
}

static void
test_native_vlan_takes_untagged_frames(void)
{
	static const char *const got[] = { "a10", "b10", "tr", NULL };
	struct sent s;

	dp_test_inject("nat", make(BCAST, MAC_B, &s));
	dp_test_round();
	expect("a10", &s, 0);
	expect("b10", &s, 0);
	expect("tr", &s, 10);
	expect_nothing_else(got);
}

static void
test_unicast_learned_per_vlan(void)
{
	static const char *const none[] = { NULL };
	struct sent s;

	/* MAC_T speaks on the trunk in VLAN 10 and, as another host might, in VLAN 20. */
	dp_test_inject("tr", tag(make(BCAST, MAC_T, &s), 10));
	dp_test_inject("a20", make(BCAST, MAC_C, &s));
	dp_test_round();
	for (size_t i = 0; i < sizeof(all_ports) / sizeof(all_ports[0]); i++)
		dp_test_drain(all_ports[i]);
	CU_ASSERT_STRING_EQUAL(dp_test_where("v10", MAC_T).port, "tr");
	CU_ASSERT_STRING_EQUAL(dp_test_where("v20", MAC_C).port, "a20");
	CU_ASSERT_STRING_EQUAL(dp_test_where("v10", MAC_C).port, ""); /* one domain per VLAN */
	/* To the trunk: tagged with the domain's VLAN; from it: popped, to the access port. */
	dp_test_inject("a10", make(MAC_T, MAC_A, &s));
	dp_test_round();
	expect("tr", &s, 10);
	dp_test_inject("tr", tag(make(MAC_C, MAC_T, &s), 20));
	dp_test_round();
	expect("a20", &s, 0);
	expect_nothing_else(none);
}

static void
test_tagged_on_access_and_foreign_vlans_are_dropped(void)
{
	static const char *const none[] = { NULL };
	static const uint16_t with30[] = { 10, 20, 30, 0 }, both[] = { 10, 20, 0 };
	uint64_t access = dp_test_counter("drop_vlan_tagged_on_access");
	uint64_t allowed = dp_test_counter("drop_vlan_not_allowed");
	uint64_t domain = dp_test_counter("drop_vlan_no_domain");
	struct sent s;

	dp_test_inject("a10", tag(make(BCAST, MAC_A, &s), 10));
	dp_test_inject("tr", tag(make(BCAST, MAC_T, &s), 30));	/* not in its list */
	dp_test_inject("tr", make(BCAST, MAC_T, &s));		/* untagged, no native VLAN */
	dp_test_inject("nat", tag(make(BCAST, MAC_B, &s), 10)); /* native, but not listed */
	dp_test_round();
	expect_nothing_else(none);
	CU_ASSERT_EQUAL(dp_test_counter("drop_vlan_tagged_on_access"), access + 1);
	CU_ASSERT_EQUAL(dp_test_counter("drop_vlan_not_allowed"), allowed + 3);
	/* Listed, but no bridge domain has it. */
	CU_ASSERT_EQUAL_FATAL(set_vlan("tr", DP_VLAN_TRUNK, 0, with30, 0), 0);
	dp_test_inject("tr", tag(make(BCAST, MAC_T, &s), 30));
	dp_test_round();
	expect_nothing_else(none);
	CU_ASSERT_EQUAL(dp_test_counter("drop_vlan_no_domain"), domain + 1);
	CU_ASSERT_EQUAL(set_vlan("tr", DP_VLAN_TRUNK, 0, both, 0), 0);
}

static void
test_ports_without_vlan_mode_switch_tagged_frames_as_they_are(void)
{
	static const char *const got[] = { "p2", NULL };
	struct sent s;
	struct rte_mbuf *m = tag(make(BCAST, MAC_A, &s), 10);

	/* What p2 must see is the tagged frame itself. */
	s.len = rte_pktmbuf_data_len(m);
	memcpy(s.bytes, rte_pktmbuf_mtod(m, void *), s.len);
	dp_test_inject("p1", m);
	dp_test_round();
	expect("p2", &s, 0);
	expect_nothing_else(got);
}

static void
test_vlan_settings_errors_name_what_to_run(void)
{
	struct dp_port_info ports[VSW_MAX_PORTS];
	unsigned int n;

	CU_ASSERT_EQUAL(set_vlan("p1", DP_VLAN_ACCESS, 30, NULL, 0), -ESRCH);
	CU_ASSERT_EQUAL(refused.field, DP_PORT_SET_VLAN);
	CU_ASSERT_EQUAL(refused.vlan, 30);
	CU_ASSERT_EQUAL(set_vlan("p1", DP_VLAN_TRUNK, 0, NULL, 0), -EINVAL);
	CU_ASSERT_EQUAL(set_vlan("nope", DP_VLAN_NONE, 0, NULL, 0), -ENOENT);
	CU_ASSERT_EQUAL(DP_TEST_BD_SET("v20", vlan, 10), -EEXIST);
	CU_ASSERT_EQUAL(dp_test_why.setting, DP_BD_SET_VLAN);
	CU_ASSERT_EQUAL(dp_test_why.other, dp_bd_find("v10"));
	CU_ASSERT_EQUAL(DP_TEST_BD_SET("v10", vlan, 11), -EBUSY);
	CU_ASSERT_EQUAL(dp_test_why.setting, DP_BD_SET_VLAN);
	CU_ASSERT_EQUAL(dp_test_why.other, dp_port_find("a10")); /* the first port that takes VLAN 10 */
	CU_ASSERT_EQUAL(DP_TEST_BD_SET("v10", vlan, 5000), -EINVAL);
	CU_ASSERT_EQUAL(dp_test_bd("v10")->vlan, 10); /* all or nothing */
	/* A deleted domain's VLAN is free again, and a domain reusing its id starts without one. */
	CU_ASSERT_FATAL(dp_bd_add("v30") >= 0);
	CU_ASSERT_EQUAL(DP_TEST_BD_SET("v30", vlan, 30), 0);
	CU_ASSERT_EQUAL(dp_bd_del("v30"), 0);
	CU_ASSERT_FATAL(dp_bd_add("v31") >= 0);
	CU_ASSERT_EQUAL(dp_test_bd("v31")->vlan, 0);
	CU_ASSERT_EQUAL(set_vlan("p1", DP_VLAN_ACCESS, 30, NULL, 0), -ESRCH);
	CU_ASSERT_EQUAL(DP_TEST_BD_SET("v31", vlan, 30), 0);
	CU_ASSERT_EQUAL(dp_bd_del("v31"), 0);
	/* The access port moved to its VLAN's domain; the trunk without native has none of its own. */
	n = dp_port_list(ports, VSW_MAX_PORTS);
	for (unsigned int i = 0; i < n && i < VSW_MAX_PORTS; i++) {
		if (strcmp(ports[i].name, "a20") == 0) {
			CU_ASSERT_STRING_EQUAL(ports[i].bd, "v20");
			CU_ASSERT_EQUAL(ports[i].vlan.mode, DP_VLAN_ACCESS);
			CU_ASSERT_EQUAL(ports[i].vlan.vlan, 20);
		} else if (strcmp(ports[i].name, "tr") == 0) {
			CU_ASSERT_STRING_EQUAL(ports[i].bd, "");
			CU_ASSERT(dp_vlan_test(ports[i].vlan.trunks, 20));
		} else if (strcmp(ports[i].name, "nat") == 0) {
			CU_ASSERT_STRING_EQUAL(ports[i].bd, "v10");
		}
	}
}

static void
test_back_to_no_vlan_mode_switches_as_before(void)
{
	static const char *const none[] = { NULL };
	struct sent s;

	CU_ASSERT_EQUAL_FATAL(set_vlan("a10", DP_VLAN_NONE, 0, NULL, 0), 0);
	/* Still in v10, where it was; tagged frames pass as they are. */
	dp_test_inject("a10", make(BCAST, MAC_A, &s));
	dp_test_round();
	expect("b10", &s, 0);
	expect("tr", &s, 10);
	expect("nat", &s, 0);
	CU_ASSERT_EQUAL_FATAL(set_vlan("a10", DP_VLAN_ACCESS, 10, NULL, 0), 0);
	expect_nothing_else(none);
}

int
main(int argc, char **argv)
{
	CU_pSuite s;

	(void)argc;
	if (dp_test_start(argv[0]) < 0 || setup() != 0)
		return 1;
	s = CU_add_suite("vlan_pipeline", NULL, NULL);
	CU_add_test(s, "access broadcast reaches its vlan only, tagged on trunks",
		    test_access_broadcast_reaches_its_vlan_only_tagged_on_trunks);
	CU_add_test(s, "trunk frame is popped into its vlan",
		    test_trunk_frame_is_popped_into_its_vlan);
	CU_add_test(s, "native vlan takes untagged frames", test_native_vlan_takes_untagged_frames);
	CU_add_test(s, "unicast learned per vlan", test_unicast_learned_per_vlan);
	CU_add_test(s, "tagged on access and foreign vlans are dropped",
		    test_tagged_on_access_and_foreign_vlans_are_dropped);
	CU_add_test(s, "ports without vlan mode switch tagged frames as they are",
		    test_ports_without_vlan_mode_switch_tagged_frames_as_they_are);
	CU_add_test(s, "vlan settings errors name what to run",
		    test_vlan_settings_errors_name_what_to_run);
	CU_add_test(s, "back to no vlan mode switches as before",
		    test_back_to_no_vlan_mode_switches_as_before);
	return dp_test_finish();
}
