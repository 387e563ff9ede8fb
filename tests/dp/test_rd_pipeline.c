/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Routing domains through the real pipeline on ring ports.  This host owns
 * PA 198.51.100.1/24; the other host, 192.0.2.1, is reached through the
 * provider gateway 198.51.100.254.
 *
 *   tenant "red":  t1 VSID 5001 203.0.113.0/24 gw .254, vm1 = A (.1, here)
 *                  t2 VSID 5002 198.18.10.0/24 gw .254, vm2 = B (.2, here)
 *                  t3 VSID 5003 198.18.20.0/24 gw .254, C (.3, other host)
 *   tenant "blue": u1 VSID 6001 203.0.113.0/24 gw .254, vm3 = E (.1, here)
 *                  u2 VSID 6002 198.18.10.0/24 gw .254, D (.2, other host)
 *   "plain":       no VSID, no routing domain: p1, p2.
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

#define VM_A	 "02:00:00:00:00:0a"
#define VM_B	 "02:00:00:00:00:0b"
#define VM_C	 "02:00:00:00:00:0c"
#define VM_D	 "02:00:00:00:00:0d"
#define VM_E	 "02:00:00:00:00:0e"
#define GW_MAC	 "02:00:00:00:fe:fe"
#define OUR_PA	 "198.51.100.1"
#define THEIR_PA "192.0.2.1"
#define TENANT_MTU 1458u /* uplink 1500 - 42 */

static uint8_t red_mac[6], blue_mac[6];

/* An IPv4 ICMP echo request 'sip' -> 'dip' of 'ip_len' bytes of IP, from 'src' to 'dst'. */
static struct rte_mbuf *
ip_frame(const char *dst, const char *src, const char *sip, const char *dip, uint8_t ttl,
	 uint16_t ip_len, bool df)
{
	const struct test_ip4 ip = {
		.len = ip_len,
		.id = 0x1234,
		.frag = df ? 0x4000 : 0,
		.ttl = ttl,
		.proto = IPPROTO_ICMP,
		.src = tca(sip),
		.dst = tca(dip),
		.cksum = true,
	};
	uint8_t buf[2048] = { 0 };
	uint8_t *icmp = buf + 34;
	unsigned int len = 14u + ip_len < 60 ? 60 : 14u + ip_len;

	test_eth_hdr(buf, dst, src, RTE_ETHER_TYPE_IPV4);
	test_ip4_hdr(buf + 14, &ip);
	icmp[0] = 8; /* echo request */
	icmp[4] = 0x42;
	for (unsigned int i = 8; i + 20 < ip_len; i++)
		icmp[i] = (uint8_t)i;
	((uint16_t *)icmp)[1] = (uint16_t)~rte_raw_cksum(icmp, ip_len - 20u);
	return test_mbuf_of(dp_main.pool, buf, len);
}

static int
setup_host(void)
{
	static const struct {
		const char *bd;
		uint32_t vsid;
		const char *rd, *gw;
		uint8_t len;
	} bds[] = {
		{ "t1", 5001, "red", "203.0.113.254", 24 },
		{ "t2", 5002, "red", "198.18.10.254", 24 },
		{ "t3", 5003, "red", "198.18.20.254", 24 },
		{ "u1", 6001, "blue", "203.0.113.254", 24 },
		{ "u2", 6002, "blue", "198.18.10.254", 24 },
	};
	static const struct {
		uint32_t vsid;
		const char *ip, *mac, *pa;
	} recs[] = {
		{ 5001, "203.0.113.1", VM_A, OUR_PA },	{ 5002, "198.18.10.2", VM_B, OUR_PA },
		{ 5003, "198.18.20.3", VM_C, THEIR_PA }, { 6001, "203.0.113.1", VM_E, OUR_PA },
		{ 6002, "198.18.10.2", VM_D, THEIR_PA },
	};
	uint8_t mac[6];

	if (dp_rd_add("red", NULL) < 0 || dp_rd_add("blue", NULL) < 0)
		goto fail;
	for (unsigned int i = 0; i < RTE_DIM(bds); i++)
		if (dp_bd_add(bds[i].bd) < 0 || DP_TEST_BD_SET(bds[i].bd, vsid, bds[i].vsid) < 0 ||
		    dp_test_bd_route(bds[i].bd, bds[i].rd, bds[i].gw, bds[i].len) < 0)
			goto fail;
	if (dp_bd_add("plain") < 0 || dp_test_add_ring("vm1", "t1") < 0 ||
	    dp_test_add_ring("vm2", "t2") < 0 || dp_test_add_ring("vm3", "u1") < 0 ||
	    dp_test_add_ring("p1", "plain") < 0 || dp_test_add_ring("p2", "plain") < 0 ||
	    dp_test_add_ring("up", NULL) < 0)
		goto fail;
	test_mac(GW_MAC, mac);
	if (dp_uplink_set("up", 1500) < 0 || dp_pa_add(tpfx(OUR_PA "/24")) < 0 ||
	    dp_neigh_add(tip("198.51.100.254"), mac) < 0 ||
	    dp_route_add(tpfx("192.0.2.0/24"), tip("198.51.100.254")) < 0)
		goto fail;
	for (unsigned int i = 0; i < RTE_DIM(recs); i++) {
		test_mac(recs[i].mac, mac);
		if (dp_lookup_add(recs[i].vsid, tca(recs[i].ip), mac, tip(recs[i].pa)) < 0)
			goto fail;
	}
	dp_rd_default_mac("red", red_mac);
	dp_rd_default_mac("blue", blue_mac);
	return 0;
fail:
	fprintf(stderr, "setup: %s\n", dp_test_err);
	return 1;
}

static void
drain_all(void)
{
	const char *ports[] = { "vm1", "vm2", "vm3", "p1", "p2", "up" };

	for (unsigned int i = 0; i < RTE_DIM(ports); i++)
		dp_test_drain(ports[i]);
}

/* What a router makes of 'in' (IP at 14): MACs rewritten, TTL - 1, checksum recomputed. */
static void
expect_routed(const uint8_t *in, unsigned int len, const char *dst_mac, const uint8_t *router,
	      uint8_t *want)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(want + 14);

	memcpy(want, in, len);
	test_mac(dst_mac, want);
	memcpy(want + 6, router, 6);
	ip->time_to_live--;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

/* Inject 'm' on 'port', run a round; @return a copy of its bytes in 'orig'. */
static unsigned int
send_one(const char *port, struct rte_mbuf *m, uint8_t *orig)
{
	unsigned int len;

	CU_ASSERT_FATAL(m != NULL);
	len = test_flat(m, orig, 2048);
	dp_test_inject(port, m);
	dp_test_round();
	return len;
}

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
	char red[18];
	uint8_t orig[2048], want[2048], got[2048];
	unsigned int len;
	struct rte_mbuf *out;

	snprintf(red, sizeof(red), "%02x:%02x:%02x:%02x:%02x:%02x", red_mac[0], red_mac[1],
		 red_mac[2], red_mac[3], red_mac[4], red_mac[5]);
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

/* The outer headers of a routed frame to the other host, with the destination's VSID. */
static void
check_outer(const uint8_t *p, uint32_t vsid)
{
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(p + 14);
	struct rte_ipv4_hdr copy = *ip;
	uint8_t gw[6];

	test_mac(GW_MAC, gw);
	CU_ASSERT(memcmp(p, gw, 6) == 0);
	CU_ASSERT_EQUAL(ip->next_proto_id, 47);
	CU_ASSERT_EQUAL(ip->src_addr, tca(OUR_PA));
	CU_ASSERT_EQUAL(ip->dst_addr, tca(THEIR_PA));
	copy.hdr_checksum = 0;
	CU_ASSERT_EQUAL(rte_ipv4_cksum(&copy), ip->hdr_checksum);
	CU_ASSERT(p[34] == 0x20 && p[35] == 0x00 && p[36] == 0x65 && p[37] == 0x58);
	CU_ASSERT_EQUAL((uint32_t)p[38] << 16 | (uint32_t)p[39] << 8 | p[40], vsid);
}

static void
test_routed_to_another_host_with_the_destination_vsid(void)
{
	char red[18];
	uint8_t orig[2048], want[2048], got[2048];
	unsigned int len;
	struct rte_mbuf *out;

	snprintf(red, sizeof(red), "%02x:%02x:%02x:%02x:%02x:%02x", red_mac[0], red_mac[1],
		 red_mac[2], red_mac[3], red_mac[4], red_mac[5]);
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
	char red[18];
	uint8_t orig[2048], got[2048], mac[6];
	uint64_t unres = dp_test_counter("drop_rd_unresolved");
	struct rte_mbuf *out;

	snprintf(red, sizeof(red), "%02x:%02x:%02x:%02x:%02x:%02x", red_mac[0], red_mac[1],
		 red_mac[2], red_mac[3], red_mac[4], red_mac[5]);
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
	char red[18];
	uint64_t unres = dp_test_counter("drop_rd_unresolved");
	uint8_t got[2048];

	snprintf(red, sizeof(red), "%02x:%02x:%02x:%02x:%02x:%02x", red_mac[0], red_mac[1],
		 red_mac[2], red_mac[3], red_mac[4], red_mac[5]);
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
	char red[18];
	uint8_t orig[2048], got[2048], a_mac[6];
	uint64_t before = dp_test_counter("drop_rd_ttl_exceeded");
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(got + 14);
	struct rte_mbuf *out;
	unsigned int len;

	snprintf(red, sizeof(red), "%02x:%02x:%02x:%02x:%02x:%02x", red_mac[0], red_mac[1],
		 red_mac[2], red_mac[3], red_mac[4], red_mac[5]);
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
	char red[18];
	uint8_t orig[2048], got[2048];
	uint64_t big = dp_test_counter("drop_rd_too_big");
	struct rte_mbuf *out;

	snprintf(red, sizeof(red), "%02x:%02x:%02x:%02x:%02x:%02x", red_mac[0], red_mac[1],
		 red_mac[2], red_mac[3], red_mac[4], red_mac[5]);
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
	char blue[18], red[18];
	uint8_t orig[2048], got[2048], want[2048];
	struct rte_mbuf *out;
	unsigned int len;

	snprintf(blue, sizeof(blue), "%02x:%02x:%02x:%02x:%02x:%02x", blue_mac[0], blue_mac[1],
		 blue_mac[2], blue_mac[3], blue_mac[4], blue_mac[5]);
	snprintf(red, sizeof(red), "%02x:%02x:%02x:%02x:%02x:%02x", red_mac[0], red_mac[1],
		 red_mac[2], red_mac[3], red_mac[4], red_mac[5]);
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
	char red[18];
	uint8_t orig[2048], got[2048];
	struct rte_mbuf *out;
	unsigned int len;

	snprintf(red, sizeof(red), "%02x:%02x:%02x:%02x:%02x:%02x", red_mac[0], red_mac[1],
		 red_mac[2], red_mac[3], red_mac[4], red_mac[5]);
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
	char red[18];
	uint8_t orig[2048], got[2048];
	uint64_t unres = dp_test_counter("drop_rd_unresolved"), noroute = dp_test_counter("drop_rd_no_route");
	struct rte_mbuf *out;

	snprintf(red, sizeof(red), "%02x:%02x:%02x:%02x:%02x:%02x", red_mac[0], red_mac[1],
		 red_mac[2], red_mac[3], red_mac[4], red_mac[5]);
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
	char red[18];
	uint8_t orig[2048], got[2048];
	struct rte_mbuf *out;
	unsigned int len;

	snprintf(red, sizeof(red), "%02x:%02x:%02x:%02x:%02x:%02x", red_mac[0], red_mac[1],
		 red_mac[2], red_mac[3], red_mac[4], red_mac[5]);
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
	char red[18];
	uint64_t sent = dp_test_counter("rd_icmp_errors_sent"),
		 limited = dp_test_counter("drop_rd_icmp_rate_limited");
	unsigned int out = 0;

	snprintf(red, sizeof(red), "%02x:%02x:%02x:%02x:%02x:%02x", red_mac[0], red_mac[1],
		 red_mac[2], red_mac[3], red_mac[4], red_mac[5]);
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
	char red[18];
	uint64_t before = dp_test_counter("routed_local");

	snprintf(red, sizeof(red), "%02x:%02x:%02x:%02x:%02x:%02x", red_mac[0], red_mac[1],
		 red_mac[2], red_mac[3], red_mac[4], red_mac[5]);
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

/* Send one routed frame A -> 'dip'; @return the port it left by (NULL: none), its inner dst MAC in 'mac'. */
static const char *
routed_to(const char *dip, uint8_t *mac)
{
	static const char *const ports[] = { "vm2", "vm2b", "up", "vm1", "vm3" };
	const char *where = NULL;
	uint8_t got[2048];
	char red[18];

	snprintf(red, sizeof(red), "%02x:%02x:%02x:%02x:%02x:%02x", red_mac[0], red_mac[1],
		 red_mac[2], red_mac[3], red_mac[4], red_mac[5]);
	dp_test_inject("vm1", ip_frame(red, VM_A, "203.0.113.1", dip, 64, 84, true));
	dp_test_round();
	for (unsigned int i = 0; i < RTE_DIM(ports); i++) {
		struct rte_mbuf *out = dp_test_take(ports[i]);

		if (out == NULL)
			continue;
		CU_ASSERT_PTR_NULL(where); /* one copy, one port */
		where = ports[i];
		test_flat(out, got, sizeof(got));
		memcpy(mac, got + (strcmp(where, "up") == 0 ? 42 : 0), 6);
		rte_pktmbuf_free(out);
		CU_ASSERT_EQUAL(dp_test_drain(ports[i]), 0);
	}
	return where != NULL ? where : "(nowhere)";
}

/* A frame from 'mac' on 'port' teaches the switch where 'mac' is. */
static void
learn_on(const char *port, const char *mac)
{
	dp_test_inject(port, test_frame(dp_main.pool, "ff:ff:ff:ff:ff:ff", mac, 0x88b5, 60));
	dp_test_round();
	drain_all();
	dp_test_drain("vm2b");
}

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
	char red[18];

	snprintf(red, sizeof(red), "%02x:%02x:%02x:%02x:%02x:%02x", red_mac[0], red_mac[1],
		 red_mac[2], red_mac[3], red_mac[4], red_mac[5]);
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
	char red[18];

	snprintf(red, sizeof(red), "%02x:%02x:%02x:%02x:%02x:%02x", red_mac[0], red_mac[1],
		 red_mac[2], red_mac[3], red_mac[4], red_mac[5]);
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

int
main(int argc, char **argv)
{
	CU_pSuite s;

	(void)argc;
	if (dp_test_start(argv[0]) < 0 || setup_host() != 0)
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
	CU_add_test(s, "route cache hits and follows changes",
		    test_route_cache_hits_and_follows_changes);
	CU_add_test(s, "routed frames keep their order around a cache miss",
		    test_routed_frames_keep_their_order_around_a_cache_miss);
	CU_add_test(s, "routed floods after a run in the same subnet",
		    test_routed_floods_after_a_run_in_the_same_subnet);
	return dp_test_finish();
}
