/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What each packet path costs per frame, in-process: one real poll round of
 * the pipeline on ring ports (RX, pipeline, TX flush) for 32 frames, timed
 * over 3000 rounds per scenario; the minimum and the median are printed, so
 * that a machine shared with other jobs (a preempted round) moves neither
 * much.  1K MACs or CAs each.  The ring ports' own RX and TX are in every
 * figure, so only differences between scenarios and builds mean something.
 *
 *   l2            1 source, 1K static destinations in the same subnet
 *   l2-learn      1K sources (relearned every frame), 1K static destinations
 *   l2-ipv6       the same frames as IPv6/UDP
 *   l2-vlan       the same frames with an 802.1Q tag (a port without VLAN configuration)
 *   nvgre-encap   1K sources to 1K remote CAs of the same subnet (lookup records)
 *   nvgre-decap   NVGRE from 1K remote CAs to 1K static local MACs
 *   routed-local  routed to another subnet's VMs on this host (static MACs)
 *   routed-remote routed to another host's VMs (encapsulated)
 *   routed-flow   as routed-local, but each burst to one VM (a flow), the next burst to the next
 *   routed-learn  as routed-local, from 1K sources (bench/run's routed-local trace)
 *   routed-remote-learn  as routed-remote, from 1K sources (bench/run's routed-remote)
 *
 * Not a test (meson never runs it): build/tests/dp/dp_microbench [SCENARIO...];
 * VSW_MICROBENCH_PASSES=N repeats every scenario N times (default 2).
 * VSW_MICROBENCH_NO_HUGE=1 runs on 4 KiB pages, as under valgrind, whose
 * instruction counts (callgrind --toggle-collect=dp_poll_round) do not
 * depend on how busy the machine is.
 * Figures and their context: docs/bench.md, "In-process cycle counts".
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <CUnit/Basic.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include "dp.h"
#include "dp_harness.h"
#include "dp_priv.h"
#include "dp_rd.h"
#include "test_addr.h"
#include "test_common.h"

#define N 1024
#define ROUNDS 3000
#define FRAME_MAX 128

enum kind {
	L2, L2_LEARN, L2_IPV6, L2_VLAN, ENCAP, DECAP, ROUTED_LOCAL, ROUTED_REMOTE, ROUTED_FLOW,
	ROUTED_LEARN, ROUTED_REMOTE_LEARN,
	NB_KINDS
};

static const char *const kind_name[NB_KINDS] = {
	[L2] = "l2", [L2_LEARN] = "l2-learn", [L2_IPV6] = "l2-ipv6", [L2_VLAN] = "l2-vlan",
	[ENCAP] = "nvgre-encap", [DECAP] = "nvgre-decap", [ROUTED_LOCAL] = "routed-local",
	[ROUTED_REMOTE] = "routed-remote", [ROUTED_FLOW] = "routed-flow",
	[ROUTED_LEARN] = "routed-learn", [ROUTED_REMOTE_LEARN] = "routed-remote-learn",
};

static struct rte_ether_addr rmac_addr = { { 2, 0x76, 0x72, 0, 0, 1 } };
static uint8_t *const rmac = rmac_addr.addr_bytes;
static int argc_;
static char **argv_;

/* MAC i of set 'set': 7 static in s1, 8 sources in s1, 4 remote CAs of s1, 5 and 6 of s2 and s3. */
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

/* A 64-byte frame (60 without FCS; IPv6 needs 62) from 'src' to 'dst'. @return its length. */
static unsigned int
frame(uint8_t *buf, const uint8_t *dst, const uint8_t *src, uint32_t dip, enum kind kind)
{
	unsigned int l3 = kind == L2_VLAN ? 18 : 14;

	memset(buf, 0, FRAME_MAX);
	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	if (kind == L2_VLAN) {
		buf[12] = 0x81, buf[13] = 0x00, buf[15] = 10;
		buf[16] = 0x08;
	} else if (kind == L2_IPV6) {
		buf[12] = 0x86, buf[13] = 0xdd;
		buf[14] = 0x60;
		buf[19] = 8;                  /* payload length */
		buf[20] = 17, buf[21] = 64;   /* UDP, hop limit */
		buf[22] = 0x20, buf[23] = 0x01, buf[24] = 0x0d, buf[25] = 0xb8, buf[37] = 1;
		buf[38] = 0x20, buf[39] = 0x01, buf[40] = 0x0d, buf[41] = 0xb8;
		memcpy(buf + 50, &dip, 4);
		return 62;
	} else {
		buf[12] = 0x08;
	}
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(buf + l3);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(60 - l3));
	ip->time_to_live = 64;
	ip->next_proto_id = 17;
	ip->src_addr = htonl(0x0a000001);
	ip->dst_addr = htonl(dip);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	return 60;
}

/* NVGRE from 192.0.2.1 to our PA, VSID 5001, around the inner frame already in buf + 42. */
static unsigned int
nvgre_outer(uint8_t *p, unsigned int inner_len)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(p + 14);
	uint32_t key = 5001u << 8 | 7u;

	memset(p, 0x02, 6);
	mac_of(0xfe, 0xfe, p + 6);
	p[12] = 0x08, p[13] = 0x00;
	memset(ip, 0, 20);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(28 + inner_len));
	ip->fragment_offset = RTE_BE16(0x4000);
	ip->time_to_live = 64;
	ip->next_proto_id = 47;
	ip->src_addr = htonl(0xc0000201);
	ip->dst_addr = htonl(0xc6336401);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	p[34] = 0x20, p[35] = 0x00, p[36] = 0x65, p[37] = 0x58;
	p[38] = (uint8_t)(key >> 24), p[39] = (uint8_t)(key >> 16), p[40] = (uint8_t)(key >> 8);
	p[41] = (uint8_t)key;
	return 42 + inner_len;
}

static unsigned int
build(uint8_t *buf, enum kind kind, int d, int s)
{
	uint8_t dst[6], src[6];

	mac_of(8, s, src);
	switch (kind) {
	case L2:
		mac_of(9, 1, src);
		/* fall through */
	case L2_LEARN:
	case L2_IPV6:
	case L2_VLAN:
		mac_of(7, d, dst);
		return frame(buf, dst, src, 0x0a000100 + (uint32_t)d, kind);
	case ENCAP:
		mac_of(4, d, dst);
		return frame(buf, dst, src, 0x0a008000 + 1 + (uint32_t)d, kind);
	case DECAP: {
		uint8_t inner[FRAME_MAX];
		unsigned int len;

		mac_of(7, d, dst);
		mac_of(4, s, src);
		len = frame(inner, dst, src, 0x0a000100 + (uint32_t)d, L2);
		memcpy(buf + 42, inner, len);
		return nvgre_outer(buf, len);
	}
	case ROUTED_LOCAL:
	case ROUTED_FLOW:
		mac_of(9, 1, src);
		/* fall through */
	case ROUTED_LEARN:
		return frame(buf, rmac, src, 0x0a800000 + 1 + (uint32_t)d, kind);
	default:
		mac_of(9, 1, src);
		/* fall through */
	case ROUTED_REMOTE_LEARN:
		return frame(buf, rmac, src, 0x0ac00000 + 1 + (uint32_t)d, kind);
	}
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void
measure(enum kind kind)
{
	static uint64_t t[ROUNDS];
	uint8_t bufs[32][FRAME_MAX];
	unsigned int lens[32];
	const char *in = kind == DECAP ? "up" : "vm1";

	for (int it = 0; it < ROUNDS; it++) {
		for (int k = 0; k < 32; k++) {
			int d = kind == ROUTED_FLOW ? it % N :
						      (int)((uint32_t)(it * 32 + k) * 2654435761u % N);

			lens[k] = build(bufs[k], kind, d, (it * 32 + k) % N);
		}
		for (int k = 0; k < 32; k++)
			rte_ring_enqueue(dp_test_ring(in, "rx"),
					 test_mbuf_of(dp_main.pool, bufs[k], lens[k]));
		uint64_t t0 = rte_rdtsc();
		dp_test_round();
		t[it] = rte_rdtsc() - t0;
		dp_test_drain("vm1b");
		dp_test_drain("vm2");
		dp_test_drain("up");
		dp_test_drain("vm1");
	}
	qsort(t, ROUNDS, sizeof(t[0]), cmp_u64);
	printf("%-14s cycles/frame min %6.1f median %6.1f p10 %6.1f p90 %6.1f\n", kind_name[kind],
	       t[0] / 32.0, t[ROUNDS / 2] / 32.0, t[ROUNDS / 10] / 32.0, t[ROUNDS * 9 / 10] / 32.0);
}

static void
setup(void)
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
	test_mac("02:fe:00:00:00:fe", mac);
	dp_uplink_set("up", 1500);
	dp_pa_add(tpfx("198.51.100.1/24"));
	dp_neigh_add(tip("198.51.100.254"), mac);
	dp_route_add(tpfx("192.0.2.0/24"), tip("198.51.100.254"));
	for (int i = 0; i < N; i++) {
		mac_of(7, i, mac);
		dp_fdb_add_static("s1", &addr, "vm1b");
		mac_of(4, i, mac);
		snprintf(ip, sizeof(ip), "10.0.%d.%d", 128 + ((i + 1) >> 8), (i + 1) & 255);
		dp_lookup_add(5001, tca(ip), mac, tip("192.0.2.1"));
		mac_of(5, i, mac);
		snprintf(ip, sizeof(ip), "10.128.%d.%d", (i + 1) >> 8, (i + 1) & 255);
		dp_lookup_add(5002, tca(ip), mac, tip("198.51.100.1"));
		dp_fdb_add_static("s2", &addr, "vm2");
		mac_of(6, i, mac);
		snprintf(ip, sizeof(ip), "10.192.%d.%d", (i + 1) >> 8, (i + 1) & 255);
		if (dp_lookup_add(5003, tca(ip), mac, tip("192.0.2.1")) < 0) {
			fprintf(stderr, "lookup add %s refused\n", ip);
			exit(1);
		}
	}
}

static bool
wanted(enum kind kind)
{
	if (argc_ <= 1)
		return true;
	for (int i = 1; i < argc_; i++)
		if (strcmp(argv_[i], kind_name[kind]) == 0)
			return true;
	return false;
}

static void
run(void)
{
	static const char *const counters[] = { "forward_unicast", "routed_local", "routed_remote",
		"nvgre_encap_ok", "nvgre_decap_ok", "flood_unknown_unicast", "drop_rd_unresolved",
		"fdb_table_full" };

	const char *passes = getenv("VSW_MICROBENCH_PASSES"); /* more, for perf record */
	int nb_passes = passes != NULL ? atoi(passes) : 2;

	setup();
	for (int pass = 0; pass < nb_passes; pass++)
		for (enum kind k = 0; k < NB_KINDS; k++)
			if (wanted(k))
				measure(k);
	/* Honesty: every frame went where its scenario says (no floods, no drops). */
	for (size_t i = 0; i < RTE_DIM(counters); i++)
		printf("%s %lu\n", counters[i], (unsigned long)dp_test_counter(counters[i]));
}

/* Free 2 MiB hugepages, from /proc/meminfo. */
static long
free_hugepages(void)
{
	char line[128];
	long n = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "HugePages_Free: %ld", &n) == 1)
			break;
	fclose(f);
	return n;
}

/*
 * EAL on hugepages when enough are free, as vswd runs: on 4 KiB pages the
 * tables' TLB misses would weigh more than they do in vswd.  Else as the tests.
 */
static int
eal_init(char *prog)
{
	char prefix[64], l[] = "-l", lcores[] = "0-1", m[] = "-m", mem[] = "256",
		inmem[] = "--in-memory", nopci[] = "--no-pci", log[] = "--log-level=*:warning",
		fp[] = "--file-prefix";
	char *args[] = { prog, l, lcores, m, mem, inmem, nopci, log, fp, prefix, NULL };

	if (getenv("VSW_MICROBENCH_NO_HUGE") != NULL || free_hugepages() < 192) {
		printf("too few free hugepages: running on 4 KiB pages, TLB misses included\n");
		return test_eal_init(prog, 2);
	}
	snprintf(prefix, sizeof(prefix), "vswmb%d", (int)getpid());
	return rte_eal_init((int)RTE_DIM(args) - 1, args) < 0 ? -1 : 0;
}

int
main(int argc, char **argv)
{
	argc_ = argc;
	argv_ = argv;
	/* dp_test_start() with a MAC table that holds every scenario's MACs and records. */
	struct dp_options opts = { .fdb_size = 65536, .nb_mbufs = 4095 };

	if (eal_init(argv[0]) < 0 || dp_init(&opts, dp_test_err, sizeof(dp_test_err)) < 0 ||
	    CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_add_test(CU_add_suite("microbench", NULL, NULL), "microbench", run);
	return dp_test_finish();
}
