/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What routing costs per frame beside L2 switching, in-process: one real
 * poll round of the pipeline on ring ports (RX, pipeline, TX flush) for
 * 32 frames, the minimum over 3000 rounds, so that a machine shared with
 * other jobs (a preempted round) does not move the figure.  1K destination
 * VMs each: L2 to static MACs in the same subnet; routed to another
 * subnet's VMs on this host (static MACs); routed to another host's VMs
 * (encapsulated).  Not a test (meson never runs it): build/tests/dp/rd_microbench.
 * Figures and their context: docs/bench.md, "Routing domains".
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <CUnit/Basic.h>
#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include "dp.h"
#include "dp_harness.h"
#include "dp_priv.h"
#include "dp_rd.h"
#include "test_common.h"
#include "test_addr.h"

#define N 1024
static struct rte_ether_addr rmac_addr = { { 2, 0x76, 0x72, 0, 0, 1 } };
static uint8_t *const rmac = rmac_addr.addr_bytes;

static void
mac_of(int set, int i, uint8_t *m)
{
	m[0] = 2;
	m[1] = (uint8_t)set;
	m[2] = 0;
	m[3] = 0;
	m[4] = (uint8_t)(i >> 8);
	m[5] = (uint8_t)i;
}

static void
frame(uint8_t *buf, const uint8_t *dst, uint32_t dip)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(buf + 14);
	memset(buf, 0, 60);
	memcpy(buf, dst, 6);
	mac_of(9, 1, buf + 6);
	buf[12] = 8;
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16(46);
	ip->time_to_live = 64;
	ip->next_proto_id = 17;
	ip->src_addr = htonl(0x0a000001);
	ip->dst_addr = htonl(dip);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

static uint64_t
measure(const char *what, int kind)
{
	uint8_t bufs[32][60];
	uint64_t best = UINT64_MAX;
	for (int it = 0; it < 3000; it++) {
		for (int k = 0; k < 32; k++) {
			int d = (it * 32 + k) % N;
			uint8_t m[6];
			if (kind == 0) {
				mac_of(7, d, m);
				frame(bufs[k], m, 0x0a000100 + (uint32_t)d);
			} else
				frame(bufs[k], rmac,
				      (kind == 1 ? 0x0a800000 : 0x0ac00000) + 1 + (uint32_t)d);
			rte_ring_enqueue(dp_test_ring("vm1", "rx"),
					 test_mbuf_of(dp_main.pool, bufs[k], 60));
		}
		uint64_t t0 = rte_rdtsc();
		dp_test_round();
		uint64_t t = rte_rdtsc() - t0;
		if (t < best)
			best = t;
		dp_test_drain("vm1b");
		dp_test_drain("vm2");
		dp_test_drain("up");
	}
	printf("%-14s min %6lu cycles per round of 32 = %5.1f cycles/frame\n", what, best,
	       best / 32.0);
	return best;
}

static void
run(void)
{
	struct rte_ether_addr addr;
	uint8_t *mac = addr.addr_bytes;
	char ip[32];
	dp_rd_add("red", &rmac_addr);
	dp_bd_add("s1");
	DP_TEST_BD_SET("s1", vsid, 5001);
	dp_bd_add("s2");
	DP_TEST_BD_SET("s2", vsid, 5002);
	dp_bd_add("s3");
	DP_TEST_BD_SET("s3", vsid, 5003);
	dp_test_bd_route("s1", "red", NULL, 0);
	dp_test_bd_route("s1", NULL, "10.0.255.254", 16);
	dp_test_bd_route("s2", "red", NULL, 0);
	dp_test_bd_route("s2", NULL, "10.128.255.254", 16);
	dp_test_bd_route("s3", "red", NULL, 0);
	dp_test_bd_route("s3", NULL, "10.192.255.254", 16);
	dp_test_add_ring("vm1", "s1");
	dp_test_add_ring("vm1b", "s1");
	dp_test_add_ring("vm2", "s2");
	dp_test_add_ring("up", NULL);
	test_mac("02:00:00:00:fe:fe", mac);
	dp_uplink_set("up", 1500);
	dp_pa_add(tpfx("198.51.100.1/24"));
	dp_neigh_add(tip("198.51.100.254"), mac);
	dp_route_add(tpfx("192.0.2.0/24"), tip("198.51.100.254"));
	for (int i = 0; i < N; i++) {
		mac_of(7, i, mac);
		dp_fdb_add_static("s1", &addr, "vm1b");
		mac_of(5, i, mac);
		snprintf(ip, sizeof(ip), "10.128.%d.%d", (i + 1) >> 8, (i + 1) & 255);
		dp_lookup_add(5002, tca(ip), mac, tip("198.51.100.1"));
		dp_fdb_add_static("s2", &addr, "vm2");
		mac_of(6, i, mac);
		snprintf(ip, sizeof(ip), "10.192.%d.%d", (i + 1) >> 8, (i + 1) & 255);
		if (dp_lookup_add(5003, tca(ip), mac, tip("192.0.2.1")) < 0) {
			fprintf(stderr, "lookup add %s refused\n", ip);
			return;
		}
	}
	measure("l2", 0);
	measure("routed-local", 1);
	measure("routed-remote", 2);
	measure("l2", 0);
	measure("routed-local", 1);
	measure("routed-remote", 2);
	printf("routed_local %lu routed_remote %lu fwd %lu drops rd_unresolved %lu\n",
	       (unsigned long)dp_test_counter("routed_local"),
	       (unsigned long)dp_test_counter("routed_remote"),
	       (unsigned long)dp_test_counter("forward_unicast"),
	       (unsigned long)dp_test_counter("drop_rd_unresolved"));
}

int
main(int argc, char **argv)
{
	(void)argc;
	if (dp_test_start(argv[0]) < 0)
		return 1;
	CU_add_test(CU_add_suite("b", NULL, NULL), "b", run);
	return dp_test_finish();
}
