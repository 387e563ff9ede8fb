/* SPDX-License-Identifier: BSD-3-Clause */
/* The routing tests' host, frames and checks (rd_fixture.h). */
#include "rd_fixture.h"

#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <rte_ether.h>
#include <rte_ip.h>

#include "dp.h"
#include "dp_harness.h"
#include "dp_priv.h"
#include "dp_rd.h"
#include "test_common.h"
#include "test_frames.h"
#include "test_addr.h"

uint8_t red_mac[6], blue_mac[6];
char red_text[18], blue_text[18];

struct rte_mbuf *
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

int
rd_setup_host(void)
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
		{ 5001, "203.0.113.1", VM_A, OUR_PA },	 { 5002, "198.18.10.2", VM_B, OUR_PA },
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
	snprintf(red_text, sizeof(red_text), "%02x:%02x:%02x:%02x:%02x:%02x", red_mac[0],
		 red_mac[1], red_mac[2], red_mac[3], red_mac[4], red_mac[5]);
	snprintf(blue_text, sizeof(blue_text), "%02x:%02x:%02x:%02x:%02x:%02x", blue_mac[0],
		 blue_mac[1], blue_mac[2], blue_mac[3], blue_mac[4], blue_mac[5]);
	return 0;
fail:
	fprintf(stderr, "setup: %s\n", dp_test_err);
	return 1;
}

void
drain_all(void)
{
	const char *ports[] = { "vm1", "vm2", "vm3", "p1", "p2", "up" };

	for (unsigned int i = 0; i < RTE_DIM(ports); i++)
		dp_test_drain(ports[i]);
}

void
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

unsigned int
send_one(const char *port, struct rte_mbuf *m, uint8_t *orig)
{
	unsigned int len;

	CU_ASSERT_FATAL(m != NULL);
	len = test_flat(m, orig, 2048);
	dp_test_inject(port, m);
	dp_test_round();
	return len;
}

void
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

const char *
routed_to(const char *dip, uint8_t *mac)
{
	static const char *const ports[] = { "vm2", "vm2b", "up", "vm1", "vm3" };
	const char *where = NULL;
	uint8_t got[2048];
	const char *red = red_text;

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

void
learn_on(const char *port, const char *mac)
{
	dp_test_inject(port, test_frame(dp_main.pool, "ff:ff:ff:ff:ff:ff", mac, 0x88b5, 60));
	dp_test_round();
	drain_all();
	dp_test_drain("vm2b");
}
