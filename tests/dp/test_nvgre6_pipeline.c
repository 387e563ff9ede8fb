/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NVGRE over IPv6 through the real pipeline on ring ports, on a host with
 * provider addresses of both families: PA 2001:db8:1::1/64 (gateway
 * 2001:db8:1::fe to 2001:db8:2::/64) and PA 198.51.100.1/24 (gateway
 * 198.51.100.254 to 192.0.2.0/24).  In VSID 5001, VM_A is local on vm1,
 * VM_B lives behind the IPv6 PA 2001:db8:2::1 and VM_E behind the IPv4 PA
 * 192.0.2.1.  Outer headers are checked byte by byte here.
 */
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "dp.h"
#include "dp_harness.h"
#include "dp_priv.h"
#include "ovl.h"
#include "test_common.h"
#include "test_frames.h"
#include "test_addr.h"

#define VSID	  5001
#define VM_A	  "02:00:00:00:00:0a" /* local, on vm1 */
#define VM_B	  "02:00:00:00:00:0b" /* behind the IPv6 PA */
#define VM_E	  "02:00:00:00:00:0e" /* behind the IPv4 PA */
#define GW6_MAC	  "02:00:00:00:fe:06"
#define GW4_MAC	  "02:00:00:00:fe:04"
#define BCAST	  "ff:ff:ff:ff:ff:ff"
#define OUR6	  "2001:db8:1::1"
#define THEIR6	  "2001:db8:2::1"
#define GW6	  "2001:db8:1::fe"
#define THEIR4	  "192.0.2.1"

static struct rte_mbuf *
frame(const char *dst, const char *src)
{
	return test_frame(dp_main.pool, dst, src, RTE_ETHER_TYPE_IPV4, 60);
}

/* NVGRE over IPv6 from 'src_pa' to 'dst_pa' carrying 'inner' (freed). */
static struct rte_mbuf *
nvgre6_frame(const char *src_pa, const char *dst_pa, uint32_t vsid, struct rte_mbuf *inner)
{
	const struct test_nvgre o = {
		.src_pa = src_pa,
		.dst_pa = dst_pa,
		.vsid = vsid,
		.flow_id = 7,
		.ttl = 63,
		.flow_label = 0x01234, /* some flow label */
	};

	return test_nvgre_frame(dp_main.pool, "02:02:02:02:02:02", GW6_MAC, &o, inner);
}

static int
setup_host(void)
{
	const char *ports[] = { "vm1", "vm2", "up" };
	uint8_t mac[6], gw6[6], gw4[6];

	if (dp_bd_add("t1") < 0 || DP_TEST_BD_SET("t1", vsid, 5001) != 0)
		return 1;
	for (unsigned int i = 0; i < 3; i++)
		if (dp_test_add_ring(ports[i], "t1") < 0)
			return 1;
	test_mac(GW6_MAC, gw6);
	test_mac(GW4_MAC, gw4);
	if (dp_uplink_set("up", 1500) < 0 || dp_pa_add(tpfx(OUR6 "/64")) < 0 ||
	    dp_pa_add(tpfx("198.51.100.1/24")) < 0 || dp_neigh_add(tip(GW6), gw6) < 0 ||
	    dp_neigh_add(tip("198.51.100.254"), gw4) < 0 ||
	    dp_route_add(tpfx("2001:db8:2::/64"), tip(GW6)) < 0 ||
	    dp_route_add(tpfx("192.0.2.0/24"), tip("198.51.100.254")) < 0)
		return 1;
	test_mac(VM_B, mac);
	if (dp_lookup_add(VSID, tca("203.0.113.2"), mac, tip(THEIR6)) < 0)
		return 1;
	test_mac(VM_E, mac);
	if (dp_lookup_add(VSID, tca("203.0.113.5"), mac, tip(THEIR4)) < 0)
		return 1;
	test_mac(VM_A, mac);
	return dp_lookup_add(VSID, tca("203.0.113.1"), mac, tip(OUR6)) < 0;
}

/* The outer IPv6 header of an encapsulated frame of 'inner_len' bytes, byte by byte. */
static void
check_outer6(const uint8_t *p, unsigned int len, uint16_t inner_len, uint32_t flow_hash)
{
	uint8_t gw[6];
	uint32_t label = (p[15] & 0xfu) << 16 | (uint32_t)p[16] << 8 | p[17];
	uint32_t key = (uint32_t)p[58] << 24 | (uint32_t)p[59] << 16 | (uint32_t)p[60] << 8 | p[61];

	CU_ASSERT_EQUAL_FATAL(len, 62u + inner_len);
	test_mac(GW6_MAC, gw);
	CU_ASSERT(memcmp(p, gw, 6) == 0);		/* to the gateway, found by ND or pinned */
	CU_ASSERT(p[12] == 0x86 && p[13] == 0xdd);	/* IPv6 */
	CU_ASSERT(p[14] == 0x60 && (p[15] & 0xf0) == 0); /* version 6, traffic class 0 */
	CU_ASSERT_EQUAL(label, (flow_hash ^ flow_hash >> 20) & 0xfffff);
	CU_ASSERT_EQUAL((uint32_t)p[18] << 8 | p[19], 8u + inner_len);
	CU_ASSERT_EQUAL(p[20], 47); /* next header: GRE, no extension headers */
	CU_ASSERT_EQUAL(p[21], 64); /* hop limit */
	CU_ASSERT(memcmp(p + 22, tip(OUR6)->v6, 16) == 0);
	CU_ASSERT(memcmp(p + 38, tip(THEIR6)->v6, 16) == 0);
	CU_ASSERT(p[54] == 0x20 && p[55] == 0x00 && p[56] == 0x65 && p[57] == 0x58);
	CU_ASSERT_EQUAL(key, (uint32_t)VSID << 8 | nvgre_flow_id(flow_hash));
}

static void
test_unicast_to_an_ipv6_pa_is_encapsulated_in_ipv6(void)
{
	struct rte_mbuf *in = frame(VM_B, VM_A), *out;
	uint8_t orig[60], buf[256];
	uint32_t h = nvgre_flow_hash(in);

	memcpy(orig, rte_pktmbuf_mtod(in, void *), 60);
	dp_test_inject("vm1", in);
	dp_test_round();
	out = dp_test_take("up");
	CU_ASSERT_FATAL(out != NULL);
	check_outer6(buf, test_flat(out, buf, sizeof(buf)), 60, h);
	CU_ASSERT(memcmp(buf + 62, orig, 60) == 0);
	rte_pktmbuf_free(out);
	CU_ASSERT_EQUAL(dp_test_drain("up"), 0);
}

static void
test_unicast_to_an_ipv4_pa_stays_ipv4(void)
{
	struct rte_mbuf *out;
	uint8_t buf[256];

	dp_test_inject("vm1", frame(VM_E, VM_A));
	dp_test_round();
	out = dp_test_take("up");
	CU_ASSERT_FATAL(out != NULL);
	CU_ASSERT_EQUAL(test_flat(out, buf, sizeof(buf)), 42u + 60);
	CU_ASSERT(buf[12] == 0x08 && buf[13] == 0x00 && buf[14] == 0x45 && buf[23] == 47);
	CU_ASSERT(buf[26] == 198 && buf[29] == 1 && buf[30] == 192 && buf[33] == 1);
	rte_pktmbuf_free(out);
}

static void
test_broadcast_goes_to_each_pa_in_its_family(void)
{
	struct rte_mbuf *out;
	uint8_t buf[256];
	unsigned int nb4 = 0, nb6 = 0;

	dp_test_inject("vm1", frame(BCAST, VM_A));
	dp_test_round();
	CU_ASSERT_EQUAL(dp_test_drain("vm2"), 1);
	while ((out = dp_test_take("up")) != NULL) {
		unsigned int len = test_flat(out, buf, sizeof(buf));

		nb6 += len == 62 + 60 && buf[12] == 0x86;
		nb4 += len == 42 + 60 && buf[12] == 0x08;
		rte_pktmbuf_free(out);
	}
	CU_ASSERT_EQUAL(nb6, 1);
	CU_ASSERT_EQUAL(nb4, 1);
}

static void
test_decap_of_nvgre_over_ipv6_delivers_and_learns_the_pa(void)
{
	uint64_t ok = dp_test_counter("nvgre_decap_ok");

	dp_test_inject("up", nvgre6_frame(THEIR6, OUR6, VSID, frame(VM_A, "02:00:00:00:00:1b")));
	dp_test_round();
	CU_ASSERT_EQUAL(dp_test_drain("vm1") + dp_test_drain("vm2"), 1);
	CU_ASSERT_EQUAL(dp_test_drain("up"), 0); /* never back to the overlay */
	CU_ASSERT_EQUAL(dp_test_counter("nvgre_decap_ok"), ok + 1);
	/* A MAC of that host's, learned against its IPv6 PA. */
	CU_ASSERT_STRING_EQUAL(dp_test_where("t1", "02:00:00:00:00:1b").port, "pa:" THEIR6);
}

static void
test_decap_of_nvgre_over_ipv6_drops_what_is_not_ours(void)
{
	uint64_t pa = dp_test_counter("drop_nvgre_not_our_pa"),
		 vsid = dp_test_counter("drop_nvgre_unknown_vsid");

	dp_test_inject("up", nvgre6_frame(THEIR6, "2001:db8:1::9", VSID, frame(VM_A, VM_B)));
	dp_test_inject("up", nvgre6_frame(THEIR6, OUR6, 6001, frame(VM_A, VM_B)));
	dp_test_round();
	CU_ASSERT_EQUAL(dp_test_drain("vm1") + dp_test_drain("vm2") + dp_test_drain("up"), 0);
	CU_ASSERT_EQUAL(dp_test_counter("drop_nvgre_not_our_pa"), pa + 1);
	CU_ASSERT_EQUAL(dp_test_counter("drop_nvgre_unknown_vsid"), vsid + 1);
}

static void
test_solicitation_for_our_pa_is_answered_on_the_uplink(void)
{
	uint64_t nd = dp_test_counter("uplink_nd_rx");
	struct rte_mbuf *m = rte_pktmbuf_alloc(dp_main.pool), *reply;
	struct ovl_ip target = *tip(OUR6);
	const uint8_t *r;

	/* Built by the overlay as if for a next hop, then turned round: a gateway asking for us. */
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL_FATAL(ovl_nd_solicit_build(dp_main.ovl, m, tip(GW6)), 0);
	{
		uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);

		/* From the gateway (its address and MAC), about our PA; checksum redone. */
		test_mac(GW6_MAC, p + 6);
		test_mac(GW6_MAC, p + 80);
		memcpy(p + 22, tip(GW6)->v6, 16);
		memcpy(p + 62, target.v6, 16);
		p[56] = p[57] = 0;
		{
			uint16_t c = rte_ipv6_udptcp_cksum((const struct rte_ipv6_hdr *)(p + 14), p + 54);

			memcpy(p + 56, &c, 2);
		}
	}
	dp_test_inject("up", m);
	dp_test_round(); /* the worker passes it up */
	CU_ASSERT_EQUAL(dp_test_counter("uplink_nd_rx"), nd + 1);
	dp_periodic();	 /* the control thread answers */
	dp_test_round(); /* the worker sends the answer */
	reply = dp_test_take("up");
	CU_ASSERT_FATAL(reply != NULL);
	r = rte_pktmbuf_mtod(reply, const uint8_t *);
	CU_ASSERT_EQUAL(r[54], 136); /* neighbour advertisement */
	CU_ASSERT(memcmp(r + 22, target.v6, 16) == 0);
	CU_ASSERT(memcmp(r + 38, tip(GW6)->v6, 16) == 0);
	rte_pktmbuf_free(reply);
}

/* The tunnel to 'pa' in dp_tunnel_walk(). */
struct tunnel_seen {
	const char *pa;		  /**< looked for */
	struct dp_tunnel_info t;  /**< found */
};

static void
tunnel_one(const struct dp_tunnel_info *t, void *arg)
{
	struct tunnel_seen *s = arg;

	if (ovl_ip_eq(&t->pa, tip(s->pa)))
		s->t = *t;
}

static void
test_packet_too_big_about_an_ipv6_tunnel_is_reported(void)
{
	uint64_t icmp = dp_test_counter("uplink_icmp_error_rx");
	struct tunnel_seen seen = { .pa = THEIR6 };
	struct rte_mbuf *m = rte_pktmbuf_alloc(dp_main.pool);
	uint8_t *p = m ? (uint8_t *)rte_pktmbuf_append(m, 14 + 40 + 8 + 40 + 8) : NULL;
	uint32_t key = (uint32_t)VSID << 8;

	if (p == NULL) {
		CU_FAIL("no mbuf");
		return;
	}
	memset(p, 0, 14 + 40 + 8 + 40 + 8);
	test_eth_hdr(p, "02:02:02:02:02:02", GW6_MAC, RTE_ETHER_TYPE_IPV6);
	/* From the gateway to our PA: ICMPv6 packet too big, MTU 1280. */
	test_ip6_hdr(p + 14, 0, 8 + 40 + 8, IPPROTO_ICMPV6, 64, GW6, OUR6);
	p[54] = 2, p[60] = 0x05, p[61] = 0x00;
	/* ...quoting the start of one of our tunnel packets. */
	test_ip6_hdr(p + 62, 0, 0, IPPROTO_GRE, 63, OUR6, THEIR6);
	p[102] = 0x20, p[104] = 0x65, p[105] = 0x58;
	p[106] = (uint8_t)(key >> 24), p[107] = (uint8_t)(key >> 16), p[108] = (uint8_t)(key >> 8);
	dp_test_inject("up", m);
	dp_test_round();
	dp_periodic(); /* the control thread reads it */
	CU_ASSERT_EQUAL(dp_test_counter("uplink_icmp_error_rx"), icmp + 1);
	dp_tunnel_walk(tunnel_one, &seen);
	CU_ASSERT_PTR_NOT_NULL_FATAL(seen.t.state);
	CU_ASSERT_STRING_EQUAL(seen.t.state, "unreachable");
	CU_ASSERT_STRING_EQUAL(seen.t.last_error,
			       "packet too big from " GW6 " for " OUR6 " -> " THEIR6
			       ", next-hop MTU 1280, VSID 5001");
	CU_ASSERT_EQUAL(seen.t.tenant_mtu, 1500 - 62);
}

int
main(int argc, char **argv)
{
	CU_pSuite s;

	(void)argc;
	if (dp_test_start(argv[0]) < 0)
		return 1;
	if (setup_host() != 0) {
		fprintf(stderr, "setup failed\n");
		return 1;
	}
	s = CU_add_suite("nvgre6_pipeline", NULL, NULL);
	CU_add_test(s, "unicast to an ipv6 pa is encapsulated in ipv6",
		    test_unicast_to_an_ipv6_pa_is_encapsulated_in_ipv6);
	CU_add_test(s, "unicast to an ipv4 pa stays ipv4", test_unicast_to_an_ipv4_pa_stays_ipv4);
	CU_add_test(s, "broadcast goes to each pa in its family",
		    test_broadcast_goes_to_each_pa_in_its_family);
	CU_add_test(s, "decap of nvgre over ipv6 delivers and learns the pa",
		    test_decap_of_nvgre_over_ipv6_delivers_and_learns_the_pa);
	CU_add_test(s, "decap of nvgre over ipv6 drops what is not ours",
		    test_decap_of_nvgre_over_ipv6_drops_what_is_not_ours);
	CU_add_test(s, "solicitation for our pa is answered on the uplink",
		    test_solicitation_for_our_pa_is_answered_on_the_uplink);
	CU_add_test(s, "packet too big about an ipv6 tunnel is reported",
		    test_packet_too_big_about_an_ipv6_tunnel_is_reported);
	return dp_test_finish();
}
