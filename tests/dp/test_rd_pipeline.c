/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Routing domains through the real pipeline on ring ports, on rd_fixture.h's
 * host (two tenants with the same addresses, a subnet in no domain, another
 * host behind the provider gateway).
 *
 * Frames are checked byte by byte against what a router must send, computed
 * here from the frame that went in (checksums by full recomputation).
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

static void
test_arp_for_the_gateway_is_answered_not_flooded(void)
{
	uint64_t before = dp_test_counter("rd_arp_replied");
	struct rte_mbuf *reply;
	const uint8_t *a;
	uint8_t a_mac[6];

	dp_test_inject("vm1", test_arp_frame(dp_main.pool, VM_A, 0x0806, 1, VM_A, 1, 254));
	dp_test_round();
	CU_ASSERT_EQUAL(dp_test_drain("up") + dp_test_drain("vm2") + dp_test_drain("vm3"), 0);
	reply = dp_test_take("vm1");
	CU_ASSERT_FATAL(reply != NULL);
	a = rte_pktmbuf_mtod(reply, const uint8_t *);
	test_mac(VM_A, a_mac);
	CU_ASSERT(memcmp(a, a_mac, 6) == 0);
	CU_ASSERT(memcmp(a + 6, red_mac, 6) == 0);
	CU_ASSERT_EQUAL(a[14 + 7], 2);                   /* reply */
	CU_ASSERT(memcmp(a + 14 + 8, red_mac, 6) == 0);  /* the router MAC ... */
	CU_ASSERT_EQUAL(a[14 + 17], 254);                /* ... is at 203.0.113.254 */
	CU_ASSERT(memcmp(a + 14 + 18, a_mac, 6) == 0);
	CU_ASSERT_EQUAL(a[14 + 27], 1);
	rte_pktmbuf_free(reply);
	CU_ASSERT_EQUAL(dp_test_counter("rd_arp_replied"), before + 1);
	/* The same MAC on every host with this configuration: derived from the name. */
	CU_ASSERT(red_mac[0] == 0x02 && red_mac[1] == 0x76 && red_mac[2] == 0x72);
	CU_ASSERT(memcmp(red_mac, blue_mac, 6) != 0);
}

static void
test_routed_to_a_local_vm_byte_by_byte(void)
{
	const char *red = red_text;
	uint8_t orig[2048], want[2048], got[2048];
	unsigned int len;
	struct rte_mbuf *out;

	drain_all();
	/* B has not spoken yet: its record says "this host", so its subnet's local ports get it. */
	len = send_one("vm1", ip_frame(red, VM_A, "203.0.113.1", "198.18.10.2", 64, 84, true), orig);
	CU_ASSERT_EQUAL(dp_test_counter("routed_flood_local"), 1);
	CU_ASSERT_EQUAL(dp_test_drain("vm2"), 1);
	CU_ASSERT_EQUAL(dp_test_drain("up") + dp_test_drain("vm3") + dp_test_drain("vm1"), 0);
	/* Once B is learned on vm2, unicast. */
	dp_test_inject("vm2", test_frame(dp_main.pool, "ff:ff:ff:ff:ff:ff", VM_B, 0x88b5, 60));
	dp_test_round();
	drain_all();
	len = send_one("vm1", ip_frame(red, VM_A, "203.0.113.1", "198.18.10.2", 64, 84, true), orig);
	out = dp_test_take("vm2");
	CU_ASSERT_FATAL(out != NULL);
	CU_ASSERT_EQUAL_FATAL(test_flat(out, got, sizeof(got)), len);
	expect_routed(orig, len, VM_B, red_mac, want);
	CU_ASSERT(memcmp(got, want, len) == 0);
	CU_ASSERT_EQUAL(got[14 + 8], 63);
	rte_pktmbuf_free(out);
	CU_ASSERT_EQUAL(dp_test_counter("routed_local"), 1);
	CU_ASSERT_EQUAL(dp_test_drain("up") + dp_test_drain("vm3") + dp_test_drain("vm1"), 0);
}

static void
test_routed_to_another_host_with_the_destination_vsid(void)
{
	const char *red = red_text;
	uint8_t orig[2048], want[2048], got[2048];
	unsigned int len;
	struct rte_mbuf *out;

	drain_all();
	len = send_one("vm1", ip_frame(red, VM_A, "203.0.113.1", "198.18.20.3", 64, 100, true), orig);
	out = dp_test_take("up");
	CU_ASSERT_FATAL(out != NULL);
	CU_ASSERT_EQUAL_FATAL(test_flat(out, got, sizeof(got)), 42 + len);
	check_outer(got, 5003);
	expect_routed(orig, len, VM_C, red_mac, want);
	CU_ASSERT(memcmp(got + 42, want, len) == 0);
	rte_pktmbuf_free(out);
	CU_ASSERT_EQUAL(dp_test_counter("routed_remote"), 1);
	CU_ASSERT_EQUAL(dp_test_drain("vm2") + dp_test_drain("vm3") + dp_test_drain("vm1"), 0);
}

/*
 * The records are the authority, and the routing stage reads them every
 * frame: a VM that moves to another host, a record given a new MAC, and a
 * deleted record are each followed by the very next routed frame.
 */
static void
test_routed_follows_record_changes_at_once(void)
{
	const char *red = red_text;
	uint8_t orig[2048], got[2048], mac[6];
	uint64_t unres = dp_test_counter("drop_rd_unresolved");
	struct rte_mbuf *out;

	drain_all();
	/* Positive control: C lives at THEIR_PA. */
	send_one("vm1", ip_frame(red, VM_A, "203.0.113.1", "198.18.20.3", 64, 84, true), orig);
	out = dp_test_take("up");
	CU_ASSERT_FATAL(out != NULL);
	test_flat(out, got, sizeof(got));
	CU_ASSERT_EQUAL(((const struct rte_ipv4_hdr *)(got + 14))->dst_addr, tca(THEIR_PA));
	rte_pktmbuf_free(out);

	/* C migrates to 192.0.2.2: the next frame goes there. */
	test_mac(VM_C, mac);
	CU_ASSERT_EQUAL_FATAL(dp_lookup_add(5003, tca("198.18.20.3"), mac, tip("192.0.2.2")), 0);
	send_one("vm1", ip_frame(red, VM_A, "203.0.113.1", "198.18.20.3", 64, 84, true), orig);
	out = dp_test_take("up");
	CU_ASSERT_FATAL(out != NULL);
	test_flat(out, got, sizeof(got));
	CU_ASSERT_EQUAL(((const struct rte_ipv4_hdr *)(got + 14))->dst_addr, tca("192.0.2.2"));
	CU_ASSERT(memcmp(got + 42, (uint8_t[]){ 0x02, 0, 0, 0, 0, 0x0c }, 6) == 0);
	rte_pktmbuf_free(out);

	/* The address is given to another MAC: the next frame is addressed to it. */
	test_mac("02:00:00:00:00:1c", mac);
	CU_ASSERT_EQUAL_FATAL(dp_lookup_add(5003, tca("198.18.20.3"), mac, tip("192.0.2.2")), 0);
	send_one("vm1", ip_frame(red, VM_A, "203.0.113.1", "198.18.20.3", 64, 84, true), orig);
	out = dp_test_take("up");
	CU_ASSERT_FATAL(out != NULL);
	test_flat(out, got, sizeof(got));
	CU_ASSERT(memcmp(got + 42, mac, 6) == 0);
	rte_pktmbuf_free(out);

	/* Deleted: the next frame is an unresolved drop, not sent anywhere. */
	CU_ASSERT_EQUAL_FATAL(dp_lookup_del(5003, tca("198.18.20.3")), 0);
	send_one("vm1", ip_frame(red, VM_A, "203.0.113.1", "198.18.20.3", 64, 84, true), orig);
	CU_ASSERT_EQUAL(dp_test_drain("up") + dp_test_drain("vm2") + dp_test_drain("vm1"), 0);
	CU_ASSERT_EQUAL(dp_test_counter("drop_rd_unresolved"), unres + 1);

	/* As the other tests expect it. */
	test_mac(VM_C, mac);
	CU_ASSERT_EQUAL(dp_lookup_add(5003, tca("198.18.20.3"), mac, tip(THEIR_PA)), 0);
}

/*
 * A burst whose frames repeat their next hop (flows) is looked up once per
 * run of one next hop: every frame still goes to its own destination, in
 * order, and a frame without a record is dropped alone.
 */
static void
test_routed_burst_with_repeated_next_hops(void)
{
	static const struct {
		const char *dip;
		const char *port; /* where it goes; NULL = dropped, unresolved */
	} burst[] = {
		{ "198.18.20.3", "up" },  { "198.18.20.3", "up" }, { "198.18.10.99", NULL },
		{ "198.18.10.99", NULL }, { "198.18.10.2", "vm2" }, { "198.18.10.2", "vm2" },
		{ "198.18.20.3", "up" },
	};
	const char *red = red_text;
	uint64_t unres = dp_test_counter("drop_rd_unresolved");
	uint8_t got[2048];

	drain_all();
	/* The TTL tells the frames apart: frame i leaves with 63 - i. */
	for (unsigned int i = 0; i < RTE_DIM(burst); i++)
		dp_test_inject("vm1", ip_frame(red, VM_A, "203.0.113.1", burst[i].dip,
					       (uint8_t)(64 - i), 84, true));
	dp_test_round();
	for (unsigned int i = 0; i < RTE_DIM(burst); i++) {
		struct rte_mbuf *out;
		unsigned int inner;

		if (burst[i].port == NULL)
			continue;
		out = dp_test_take(burst[i].port);
		CU_ASSERT_FATAL(out != NULL);
		test_flat(out, got, sizeof(got));
		inner = strcmp(burst[i].port, "up") == 0 ? 42 : 0;
		CU_ASSERT(memcmp(got + inner,
				 (uint8_t[]){ 0x02, 0, 0, 0, 0, inner != 0 ? 0x0c : 0x0b }, 6) == 0);
		CU_ASSERT_EQUAL(((const struct rte_ipv4_hdr *)(got + inner + 14))->time_to_live,
				63 - i);
		rte_pktmbuf_free(out);
	}
	CU_ASSERT_EQUAL(dp_test_drain("up") + dp_test_drain("vm2") + dp_test_drain("vm1"), 0);
	CU_ASSERT_EQUAL(dp_test_counter("drop_rd_unresolved"), unres + 2);
}

static void
test_ttl_expiry_sends_time_exceeded(void)
{
	const char *red = red_text;
	uint8_t orig[2048], got[2048], a_mac[6];
	uint64_t before = dp_test_counter("drop_rd_ttl_exceeded");
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(got + 14);
	struct rte_mbuf *out;
	unsigned int len;

	drain_all();
	send_one("vm1", ip_frame(red, VM_A, "203.0.113.1", "198.18.20.3", 1, 84, true), orig);
	CU_ASSERT_EQUAL(dp_test_drain("up") + dp_test_drain("vm2"), 0);
	out = dp_test_take("vm1");
	CU_ASSERT_FATAL(out != NULL);
	len = test_flat(out, got, sizeof(got));
	CU_ASSERT_EQUAL_FATAL(len, 14u + 20 + 8 + 28);
	test_mac(VM_A, a_mac);
	CU_ASSERT(memcmp(got, a_mac, 6) == 0);
	CU_ASSERT(memcmp(got + 6, red_mac, 6) == 0);
	CU_ASSERT_EQUAL(ip->next_proto_id, IPPROTO_ICMP);
	CU_ASSERT_EQUAL(ip->src_addr, tca("203.0.113.254"));
	CU_ASSERT_EQUAL(ip->dst_addr, tca("203.0.113.1"));
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(ip->total_length), 20 + 8 + 28);
	CU_ASSERT_EQUAL(rte_raw_cksum(ip, 20), 0xffff);		 /* IP checksum */
	CU_ASSERT_EQUAL(got[34], 11);				 /* time exceeded */
	CU_ASSERT_EQUAL(got[35], 0);				 /* in transit */
	CU_ASSERT_EQUAL(rte_raw_cksum(got + 34, 8 + 28), 0xffff); /* ICMP checksum */
	CU_ASSERT(memcmp(got + 42, orig + 14, 28) == 0);	 /* header + 8 bytes, as received */
	rte_pktmbuf_free(out);
	CU_ASSERT_EQUAL(dp_test_counter("drop_rd_ttl_exceeded"), before + 1);
}

static void
test_too_big_for_the_tunnel_gets_frag_needed(void)
{
	const char *red = red_text;
	uint8_t orig[2048], got[2048];
	uint64_t big = dp_test_counter("drop_rd_too_big");
	struct rte_mbuf *out;

	drain_all();
	/* Exactly the tenant MTU passes. */
	send_one("vm1", ip_frame(red, VM_A, "203.0.113.1", "198.18.20.3", 64, TENANT_MTU, true), orig);
	CU_ASSERT_EQUAL(dp_test_drain("up"), 1);
	CU_ASSERT_EQUAL(dp_test_drain("vm1"), 0);
	/* One byte more with DF: "fragmentation needed", next-hop MTU = the tenant MTU. */
	send_one("vm1", ip_frame(red, VM_A, "203.0.113.1", "198.18.20.3", 64, TENANT_MTU + 1, true),
		 orig);
	CU_ASSERT_EQUAL(dp_test_drain("up"), 0);
	out = dp_test_take("vm1");
	CU_ASSERT_FATAL(out != NULL);
	CU_ASSERT_EQUAL(test_flat(out, got, sizeof(got)), 14u + 20 + 8 + 28);
	CU_ASSERT_EQUAL(got[34], 3);
	CU_ASSERT_EQUAL(got[35], 4);
	CU_ASSERT_EQUAL((got[40] << 8) | got[41], TENANT_MTU);
	CU_ASSERT_EQUAL(rte_raw_cksum(got + 34, 8 + 28), 0xffff);
	CU_ASSERT_EQUAL(rte_raw_cksum(got + 14, 20), 0xffff);
	CU_ASSERT(memcmp(got + 42, orig + 14, 28) == 0);
	rte_pktmbuf_free(out);
	/* Without DF: dropped and counted, nothing back. */
	send_one("vm1", ip_frame(red, VM_A, "203.0.113.1", "198.18.20.3", 64, TENANT_MTU + 1, false),
		 orig);
	CU_ASSERT_EQUAL(dp_test_drain("up") + dp_test_drain("vm1"), 0);
	CU_ASSERT_EQUAL(dp_test_counter("drop_rd_too_big"), big + 2);
}

static void
test_two_domains_with_the_same_addresses_stay_apart(void)
{
	const char *blue = blue_text, *red = red_text;
	uint8_t orig[2048], got[2048], want[2048];
	struct rte_mbuf *out;
	unsigned int len;

	drain_all();
	/* blue's 198.18.10.2 is D on the other host, in VSID 6002; red's is B here. */
	len = send_one("vm3", ip_frame(blue, VM_E, "203.0.113.1", "198.18.10.2", 64, 84, true), orig);
	CU_ASSERT_EQUAL(dp_test_drain("vm2") + dp_test_drain("vm1"), 0);
	out = dp_test_take("up");
	CU_ASSERT_FATAL(out != NULL);
	CU_ASSERT_EQUAL_FATAL(test_flat(out, got, sizeof(got)), 42 + len);
	check_outer(got, 6002);
	expect_routed(orig, len, VM_D, blue_mac, want);
	CU_ASSERT(memcmp(got + 42, want, len) == 0);
	rte_pktmbuf_free(out);
	/* red's router MAC means nothing in blue's subnet: plain L2 there, never routed. */
	send_one("vm3", ip_frame(red, VM_E, "203.0.113.1", "198.18.10.2", 64, 84, true), orig);
	CU_ASSERT_EQUAL(dp_test_drain("vm2") + dp_test_drain("vm1"), 0);
	drain_all();
}

static void
test_subnet_in_no_domain_stays_l2(void)
{
	const char *red = red_text;
	uint8_t orig[2048], got[2048];
	struct rte_mbuf *out;
	unsigned int len;

	drain_all();
	len = send_one("p1", ip_frame(red, VM_A, "203.0.113.1", "198.18.10.2", 64, 84, true), orig);
	out = dp_test_take("p2"); /* unknown unicast, flooded, untouched */
	CU_ASSERT_FATAL(out != NULL);
	CU_ASSERT_EQUAL(test_flat(out, got, sizeof(got)), len);
	CU_ASSERT(memcmp(got, orig, len) == 0);
	rte_pktmbuf_free(out);
	dp_test_inject("p1", test_arp_frame(dp_main.pool, VM_A, 0x0806, 1, VM_A, 1, 254));
	dp_test_round();
	CU_ASSERT_EQUAL(dp_test_drain("p2"), 1); /* flooded, not answered */
	CU_ASSERT_EQUAL(dp_test_drain("p1") + dp_test_drain("vm1") + dp_test_drain("up"), 0);
}

static void
test_unknown_destinations_are_counted_never_flooded(void)
{
	const char *red = red_text;
	uint8_t orig[2048], got[2048];
	uint64_t unres = dp_test_counter("drop_rd_unresolved"), noroute = dp_test_counter("drop_rd_no_route");
	struct rte_mbuf *out;

	drain_all();
	send_one("vm1", ip_frame(red, VM_A, "203.0.113.1", "198.18.10.99", 64, 84, true), orig);
	send_one("vm1", ip_frame(red, VM_A, "203.0.113.1", "192.0.2.77", 64, 84, true), orig);
	CU_ASSERT_EQUAL(dp_test_drain("vm2") + dp_test_drain("up") + dp_test_drain("vm1"), 0);
	CU_ASSERT_EQUAL(dp_test_counter("drop_rd_unresolved"), unres + 1);
	CU_ASSERT_EQUAL(dp_test_counter("drop_rd_no_route"), noroute + 1);
	/* A default route through a tenant gateway VM (C, on the other host). */
	CU_ASSERT_EQUAL(dp_rd_route_add("red", 0, 0, tca("198.18.20.3")), 0);
	send_one("vm1", ip_frame(red, VM_A, "203.0.113.1", "192.0.2.77", 64, 84, true), orig);
	out = dp_test_take("up");
	CU_ASSERT_FATAL(out != NULL);
	test_flat(out, got, sizeof(got));
	check_outer(got, 5003);
	CU_ASSERT(memcmp(got + 42, (uint8_t[]){ 0x02, 0, 0, 0, 0, 0x0c }, 6) == 0); /* to C */
	CU_ASSERT_EQUAL(((const struct rte_ipv4_hdr *)(got + 42 + 14))->dst_addr,
			tca("192.0.2.77"));
	rte_pktmbuf_free(out);
	CU_ASSERT_EQUAL(dp_rd_route_del("red", 0, 0), 0);
}

static void
test_ping_to_the_gateway_is_answered(void)
{
	const char *red = red_text;
	uint8_t orig[2048], got[2048];
	struct rte_mbuf *out;
	unsigned int len;

	drain_all();
	len = send_one("vm1", ip_frame(red, VM_A, "203.0.113.1", "198.18.10.254", 64, 84, true), orig);
	out = dp_test_take("vm1");
	CU_ASSERT_FATAL(out != NULL);
	CU_ASSERT_EQUAL(test_flat(out, got, sizeof(got)), len);
	CU_ASSERT_EQUAL(got[34], 0); /* echo reply */
	CU_ASSERT_EQUAL(rte_raw_cksum(got + 34, 84 - 20), 0xffff);
	CU_ASSERT_EQUAL(rte_raw_cksum(got + 14, 20), 0xffff);
	CU_ASSERT_EQUAL(((const struct rte_ipv4_hdr *)(got + 14))->src_addr, tca("198.18.10.254"));
	CU_ASSERT(memcmp(got + 38, orig + 38, len - 38) == 0); /* id, sequence and data kept */
	rte_pktmbuf_free(out);
}

static void
test_icmp_errors_are_rate_limited(void)
{
	const char *red = red_text;
	uint64_t sent = dp_test_counter("rd_icmp_errors_sent"),
		 limited = dp_test_counter("drop_rd_icmp_rate_limited");
	unsigned int out = 0;

	drain_all();
	for (unsigned int r = 0; r < 4; r++) {
		for (unsigned int i = 0; i < 32; i++)
			dp_test_inject("vm1", ip_frame(red, VM_A, "203.0.113.1", "198.18.20.3", 1, 84,
						       true));
		dp_test_round();
		out += dp_test_drain("vm1");
	}
	sent = dp_test_counter("rd_icmp_errors_sent") - sent;
	limited = dp_test_counter("drop_rd_icmp_rate_limited") - limited;
	CU_ASSERT_EQUAL(sent + limited, 128);
	CU_ASSERT_EQUAL(out, sent);
	CU_ASSERT(sent <= 100);
	CU_ASSERT(limited >= 28);
	CU_ASSERT_EQUAL(dp_test_drain("up") + dp_test_drain("vm2"), 0);
}

static void
test_control_errors_say_what_is_wrong(void)
{
	/* The refusal names the setting (and the other domain); ctl puts it in words (test_ctl_bd). */
	CU_ASSERT_EQUAL(dp_test_bd_route("t3", NULL, "198.18.10.1", 16), -EEXIST);
	CU_ASSERT_EQUAL(dp_test_why.setting, DP_BD_SET_GATEWAY);
	CU_ASSERT_EQUAL(dp_test_why.other, dp_bd_find("t2"));
	CU_ASSERT_EQUAL(dp_test_bd_route("plain", "red", NULL, 0), -EINVAL);
	CU_ASSERT_EQUAL(dp_test_why.setting, DP_BD_SET_RD);
	CU_ASSERT_EQUAL(dp_test_bd_route("t1", "green", NULL, 0), -ENOENT);
	CU_ASSERT_EQUAL(dp_test_why.setting, DP_BD_SET_RD);
	CU_ASSERT_EQUAL(dp_rd_del("red"), -EBUSY);
	CU_ASSERT_EQUAL(dp_rd_route_add("red", tca("10.0.0.1"), 8, tca("198.18.20.3")),
			-EINVAL);
	CU_ASSERT_EQUAL(dp_rd_route_add("red", 0, 0, tca("224.0.0.1")), -EINVAL);
	CU_ASSERT_EQUAL(dp_rd_route_add("green", 0, 0, tca("198.18.20.3")), -ENOENT);
}

/*
 * Routed frames to VMs behind a trunk carry their destination subnet's tag:
 * a burst that alternates between two subnets on one trunk goes out in
 * arrival order, each frame tagged with its own subnet's VLAN.
 */
static void
test_routed_to_a_trunk_tagged_per_subnet(void)
{
	static const uint16_t trunks[] = { 40, 50 };
	static const char *const dips[] = { "198.18.30.4", "198.18.40.5" };
	static const char *const macs[] = { "02:00:00:00:00:1d", "02:00:00:00:00:1e" };
	struct dp_port_settings ps = { .fields = DP_PORT_SET_VLAN };
	struct dp_port_refusal why;
	struct rte_ether_addr addr;
	const char *red = red_text;
	uint64_t before = dp_test_counter("routed_local");

	CU_ASSERT_FATAL(dp_test_add_ring("tr", NULL) >= 0);
	ps.vlan.mode = DP_VLAN_TRUNK;
	for (unsigned int i = 0; i < RTE_DIM(trunks); i++)
		dp_vlan_bit_set(ps.vlan.trunks, trunks[i]);
	for (unsigned int i = 0; i < 2; i++) {
		const char *bd = i == 0 ? "t4" : "t5";

		CU_ASSERT_FATAL(dp_bd_add(bd) >= 0);
		CU_ASSERT_FATAL(DP_TEST_BD_SET(bd, vsid, 5004 + i) == 0);
		CU_ASSERT_FATAL(DP_TEST_BD_SET(bd, vlan, trunks[i]) == 0);
		CU_ASSERT_FATAL(dp_test_bd_route(bd, "red", i == 0 ? "198.18.30.254" : "198.18.40.254",
						 24) == 0);
	}
	CU_ASSERT_FATAL(dp_port_set("tr", &ps, &why) == 0);
	for (unsigned int i = 0; i < 2; i++) {
		test_mac(macs[i], addr.addr_bytes);
		CU_ASSERT_FATAL(dp_lookup_add(5004 + i, tca(dips[i]), addr.addr_bytes, tip(OUR_PA)) == 0);
		CU_ASSERT_FATAL(dp_fdb_add_static(i == 0 ? "t4" : "t5", &addr, "tr") == 0);
	}
	drain_all();
	for (unsigned int k = 0; k < 4; k++)
		dp_test_inject("vm1", ip_frame(red, VM_A, "203.0.113.1", dips[k % 2], 64, 84, true));
	dp_test_round();
	for (unsigned int k = 0; k < 4; k++) {
		struct rte_mbuf *out = dp_test_take("tr");
		uint8_t got[128], want_mac[6];

		CU_ASSERT_FATAL(out != NULL);
		CU_ASSERT_EQUAL_FATAL(test_flat(out, got, sizeof(got)), 14u + 4u + 84u);
		test_mac(macs[k % 2], want_mac);
		CU_ASSERT(memcmp(got, want_mac, 6) == 0);
		CU_ASSERT(memcmp(got + 6, red_mac, 6) == 0);
		CU_ASSERT(got[12] == 0x81 && got[13] == 0x00);
		CU_ASSERT_EQUAL((got[14] << 8 | got[15]) & 0xfff, trunks[k % 2]);
		CU_ASSERT(got[16] == 0x08 && got[17] == 0x00);
		CU_ASSERT_EQUAL(got[18 + 8], 63); /* TTL */
		rte_pktmbuf_free(out);
	}
	CU_ASSERT_PTR_NULL(dp_test_take("tr"));
	CU_ASSERT_EQUAL(dp_test_counter("routed_local"), before + 4);
}

int
main(int argc, char **argv)
{
	CU_pSuite s;

	(void)argc;
	if (dp_test_start(argv[0]) < 0 || rd_setup_host() != 0)
		return 1;
	s = CU_add_suite("rd_pipeline", NULL, NULL);
	CU_add_test(s, "arp for the gateway is answered, not flooded", test_arp_for_the_gateway_is_answered_not_flooded);
	CU_add_test(s, "routed to a local vm, byte by byte", test_routed_to_a_local_vm_byte_by_byte);
	CU_add_test(s, "routed to another host with the destination vsid", test_routed_to_another_host_with_the_destination_vsid);
	CU_add_test(s, "ttl expiry sends time exceeded", test_ttl_expiry_sends_time_exceeded);
	CU_add_test(s, "too big for the tunnel gets frag needed", test_too_big_for_the_tunnel_gets_frag_needed);
	CU_add_test(s, "two domains with the same addresses stay apart", test_two_domains_with_the_same_addresses_stay_apart);
	CU_add_test(s, "subnet in no domain stays l2", test_subnet_in_no_domain_stays_l2);
	CU_add_test(s, "unknown destinations are counted, never flooded", test_unknown_destinations_are_counted_never_flooded);
	CU_add_test(s, "ping to the gateway is answered", test_ping_to_the_gateway_is_answered);
	CU_add_test(s, "icmp errors are rate limited", test_icmp_errors_are_rate_limited);
	CU_add_test(s, "control errors say what is wrong", test_control_errors_say_what_is_wrong);
	CU_add_test(s, "routed to a trunk, tagged per subnet", test_routed_to_a_trunk_tagged_per_subnet);
	CU_add_test(s, "routed follows record changes at once",
		    test_routed_follows_record_changes_at_once);
	CU_add_test(s, "routed burst with repeated next hops",
		    test_routed_burst_with_repeated_next_hops);
	return dp_test_finish();
}
