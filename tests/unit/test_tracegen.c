/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Trace generator: the same parameters give the same bytes, streams have the
 * shape the benchmark relies on (every source once per round, destinations
 * from the other side, sizes as asked), and the pcap files are reproducible.
 * No EAL: the generator does not use DPDK.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>
#include <pcap/pcap.h>

#include "trace.h"

#define MAX_FRAMES 20000

struct frames {
	uint32_t nb;				   /* frames generated */
	uint16_t len[MAX_FRAMES];		   /* length of each */
	uint8_t data[MAX_FRAMES][TRACE_FRAME_MAX]; /* the frames */
};

static struct frames fa, fb;

static void
gen(const struct trace_params *p, struct frames *out)
{
	struct trace_gen g;
	int len;

	CU_ASSERT_FATAL(trace_gen_init(&g, p) == 0);
	out->nb = 0;
	while ((len = trace_gen_next(&g, out->data[out->nb], TRACE_FRAME_MAX)) > 0) {
		CU_ASSERT_FATAL(out->nb < MAX_FRAMES);
		out->len[out->nb++] = (uint16_t)len;
	}
	CU_ASSERT(len == 0);
	trace_gen_fini(&g);
}

static bool
same_frames(const struct frames *a, const struct frames *b)
{
	if (a->nb != b->nb)
		return false;
	for (uint32_t i = 0; i < a->nb; i++)
		if (a->len[i] != b->len[i] || memcmp(a->data[i], b->data[i], a->len[i]) != 0)
			return false;
	return true;
}

static int
mac_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 6);
}

static void
test_tracegen_same_seed_same_frames(void)
{
	struct trace_params p = {
		.mode = TRACE_MODE_L2, .seed = 7, .nb_macs = 1000, .frame_size = 64
	};

	gen(&p, &fa);
	gen(&p, &fb);
	CU_ASSERT(fa.nb > 0);
	CU_ASSERT(same_frames(&fa, &fb));
}

static void
test_tracegen_other_seed_other_frames(void)
{
	struct trace_params p = {
		.mode = TRACE_MODE_L2, .seed = 7, .nb_macs = 1000, .frame_size = 64
	};

	gen(&p, &fa);
	p.seed = 8;
	gen(&p, &fb);
	CU_ASSERT(!same_frames(&fa, &fb));
	/* Two streams of one seed differ too. */
	p.seed = 7;
	p.stream = "rev";
	gen(&p, &fb);
	CU_ASSERT(!same_frames(&fa, &fb));
}

/* Pinned bytes: a change here changes every published benchmark trace. */
static void
test_tracegen_known_first_frame(void)
{
	static const uint8_t want[14] = { 0x02, 0x01, 0x2b, 0x48, 0xa6, 0x86, 0x02,
					  0x00, 0x0d, 0x0f, 0xe4, 0x26, 0x08, 0x00 };
	struct trace_params p = {
		.mode = TRACE_MODE_L2, .seed = 1, .nb_macs = 1024, .frame_size = 64
	};

	gen(&p, &fa);
	CU_ASSERT(memcmp(fa.data[0], want, sizeof(want)) == 0);
}

static void
test_tracegen_l2_every_source_once_per_round(void)
{
	struct trace_params p = {
		.mode = TRACE_MODE_L2, .seed = 3, .nb_macs = 1000, .frame_size = 64
	};
	uint8_t(*src)[6] = calloc(1000, 6), (*expect)[6] = calloc(1000, 6);

	CU_ASSERT_FATAL(src != NULL && expect != NULL);
	gen(&p, &fa);
	/* Default length: whole rounds of 1000, at least 8192 frames. */
	CU_ASSERT(fa.nb == 9000);
	for (uint32_t round = 0; round < fa.nb / 1000; round++) {
		for (uint32_t i = 0; i < 1000; i++) {
			memcpy(src[i], fa.data[round * 1000 + i] + 6, 6);
			trace_mac(3, TRACE_SET_A, i, expect[i]);
		}
		qsort(src, 1000, 6, mac_cmp);
		qsort(expect, 1000, 6, mac_cmp);
		CU_ASSERT(memcmp(src, expect, 1000 * 6) == 0);
	}
	/* Destinations are B addresses; "rev" sends from B to A. */
	for (uint32_t i = 0; i < fa.nb; i++) {
		CU_ASSERT(fa.data[i][0] == 0x02 && fa.data[i][1] == TRACE_SET_B);
		CU_ASSERT(fa.data[i][7] == TRACE_SET_A);
	}
	p.stream = "rev";
	gen(&p, &fb);
	CU_ASSERT(fb.data[0][1] == TRACE_SET_A && fb.data[0][7] == TRACE_SET_B);
	free(src);
	free(expect);
}

static void
test_tracegen_macs_distinct_and_unicast(void)
{
	enum { N = 100000 };
	uint8_t(*macs)[6] = calloc(N, 6);
	uint32_t dups = 0;

	CU_ASSERT_FATAL(macs != NULL);
	for (uint32_t i = 0; i < N; i++)
		trace_mac(42, TRACE_SET_LEARN, i, macs[i]);
	qsort(macs, N, 6, mac_cmp);
	for (uint32_t i = 1; i < N; i++)
		dups += memcmp(macs[i - 1], macs[i], 6) == 0;
	CU_ASSERT(dups == 0);
	CU_ASSERT((macs[0][0] & 0x01) == 0); /* unicast */
	CU_ASSERT((macs[0][0] & 0x02) != 0); /* locally administered */
	free(macs);
}

static void
test_tracegen_frame_sizes_exclude_fcs(void)
{
	static const uint16_t sizes[] = { 64, 512, 1518 };
	struct trace_params p = { .mode = TRACE_MODE_L2, .seed = 1, .nb_macs = 1, .nb_frames = 3 };

	for (unsigned int i = 0; i < 3; i++) {
		p.frame_size = sizes[i];
		gen(&p, &fa);
		CU_ASSERT(fa.nb == 3);
		CU_ASSERT(fa.len[0] == sizes[i] - TRACE_FCS_LEN);
		/* IPv4 total length covers the rest of the frame. */
		CU_ASSERT(((fa.data[0][16] << 8) | fa.data[0][17]) ==
			  sizes[i] - TRACE_FCS_LEN - 14);
		/* Sequence numbers count frames. */
		CU_ASSERT(fa.data[2][TRACE_SEQ_OFFSET + 3] == 2);
	}
	p.frame_size = 63;
	CU_ASSERT(trace_gen_init(&(struct trace_gen){ 0 }, &p) == -EINVAL);
	p.frame_size = 1519;
	CU_ASSERT(trace_gen_init(&(struct trace_gen){ 0 }, &p) == -EINVAL);
}

static void
test_tracegen_learn_all_new_sources(void)
{
	struct trace_params p = {
		.mode = TRACE_MODE_LEARN, .seed = 5, .nb_macs = 5000, .frame_size = 64
	};
	uint8_t(*src)[6] = calloc(5000, 6);
	uint32_t dups = 0;

	CU_ASSERT_FATAL(src != NULL);
	gen(&p, &fa);
	CU_ASSERT_FATAL(fa.nb == 5000);
	for (uint32_t i = 0; i < fa.nb; i++) {
		memcpy(src[i], fa.data[i] + 6, 6);
		CU_ASSERT(memcmp(fa.data[i], fa.data[0], 6) == 0); /* one fixed destination */
	}
	qsort(src, 5000, 6, mac_cmp);
	for (uint32_t i = 1; i < 5000; i++)
		dups += memcmp(src[i - 1], src[i], 6) == 0;
	CU_ASSERT(dups == 0);
	free(src);
}

static void
test_tracegen_migrate_garp_announces_m(void)
{
	struct trace_params p = { .mode = TRACE_MODE_MIGRATE,
				  .stream = "garp",
				  .seed = 9,
				  .nb_macs = 1,
				  .frame_size = 64 };
	uint8_t m[6];
	const uint8_t *f;

	trace_mac(9, TRACE_SET_MIGRATE, 0, m);
	gen(&p, &fa);
	CU_ASSERT_FATAL(fa.nb == 1);
	f = fa.data[0];
	CU_ASSERT(memcmp(f, "\xff\xff\xff\xff\xff\xff", 6) == 0);
	CU_ASSERT(memcmp(f + 6, m, 6) == 0);
	CU_ASSERT(f[12] == 0x08 && f[13] == 0x06);
	CU_ASSERT(f[20] == 0 && f[21] == 1);	   /* request */
	CU_ASSERT(memcmp(f + 22, m, 6) == 0);	   /* sender MAC */
	CU_ASSERT(memcmp(f + 28, f + 38, 4) == 0); /* sender IP = target IP */
	/* "traffic" goes to M, "old" comes from M. */
	p.stream = "traffic";
	gen(&p, &fa);
	CU_ASSERT(fa.nb == 1024 && memcmp(fa.data[0], m, 6) == 0);
	p.stream = "old";
	gen(&p, &fa);
	CU_ASSERT(fa.nb == TRACE_MIGRATE_OLD_FRAMES && memcmp(fa.data[0] + 6, m, 6) == 0);
	p.stream = "nope";
	CU_ASSERT(trace_gen_init(&(struct trace_gen){ 0 }, &p) == -EINVAL);
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The ones'-complement sum of a valid IPv4 header, checksum included, is 0xffff. */
static bool
ipv4_csum_ok(const uint8_t *ip)
{
	uint32_t sum = 0;

	for (int i = 0; i < 20; i += 2)
		sum += be16(ip + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

static void
test_tracegen_nvgre_tenant_and_encap(void)
{
	enum { N = 1000 };
	struct trace_params p = { .mode = TRACE_MODE_NVGRE,
				  .stream = "tenant",
				  .seed = 4,
				  .nb_macs = N,
				  .frame_size = 64 };
	uint8_t mac[6];
	bool seen_src[N] = { false }, flow_ids[256] = { false };
	uint32_t nb_flow_ids = 0;

	/* Fixed, documented addresses: CA MACs and IPs come from the index alone. */
	trace_ca_mac(TRACE_SET_CA_REMOTE, 0x010203, mac);
	CU_ASSERT(memcmp(mac, "\x02\x05\x00\x01\x02\x03", 6) == 0);
	CU_ASSERT(trace_ca_ip(TRACE_SET_CA_LOCAL, 0) == 0x0a000001u);
	CU_ASSERT(trace_ca_ip(TRACE_SET_CA_REMOTE, 9) == 0x0a80000au);

	/* tenant: local CA -> remote CA, 64-byte frames (FCS included), every source per round. */
	gen(&p, &fa);
	CU_ASSERT_FATAL(fa.nb == 9000);
	for (uint32_t i = 0; i < fa.nb; i++) {
		const uint8_t *f = fa.data[i];

		CU_ASSERT(fa.len[i] == 60);
		CU_ASSERT(f[0] == 0x02 && f[1] == TRACE_SET_CA_REMOTE);
		CU_ASSERT(f[6] == 0x02 && f[7] == TRACE_SET_CA_LOCAL);
		CU_ASSERT(be32(f + 26) == trace_ca_ip(TRACE_SET_CA_LOCAL, be32(f + 8)));
		CU_ASSERT(be32(f + 30) == trace_ca_ip(TRACE_SET_CA_REMOTE, be32(f + 2)));
		CU_ASSERT(ipv4_csum_ok(f + 14));
		if (i < N) {
			CU_ASSERT(be32(f + 8) < N && !seen_src[be32(f + 8)]);
			seen_src[be32(f + 8) % N] = true;
		}
	}

	/* encap: remote CA -> local CA inside NVGRE from 192.0.2.1 to 198.51.100.1. */
	p.stream = "encap";
	gen(&p, &fb);
	CU_ASSERT_FATAL(fb.nb == 9000);
	for (uint32_t i = 0; i < fb.nb; i++) {
		const uint8_t *f = fb.data[i], *ip = f + 14, *gre = ip + 20, *in = gre + 8;
		uint32_t key = be32(gre + 4), s = be32(in + 8), d = be32(in + 2);

		CU_ASSERT(fb.len[i] == 60 + TRACE_NVGRE_ENCAP_LEN);
		CU_ASSERT(memcmp(f, TRACE_NVGRE_HOST_MAC, 6) == 0);
		CU_ASSERT(memcmp(f + 6, TRACE_NVGRE_GATEWAY_MAC, 6) == 0);
		CU_ASSERT(be16(f + 12) == 0x0800);
		CU_ASSERT(ip[0] == 0x45 && ip[1] == 0);
		CU_ASSERT(be16(ip + 2) == 20 + 8 + 60);
		CU_ASSERT(be16(ip + 4) == 0 && be16(ip + 6) == 0x4000); /* id 0, DF */
		CU_ASSERT(ip[8] == 64 && ip[9] == 47);
		CU_ASSERT(be32(ip + 12) == 0xc0000201u); /* 192.0.2.1 */
		CU_ASSERT(be32(ip + 16) == 0xc6336401u); /* 198.51.100.1 */
		CU_ASSERT(ipv4_csum_ok(ip));
		CU_ASSERT(be16(gre) == 0x2000 && be16(gre + 2) == 0x6558);
		CU_ASSERT(key >> 8 == 5001);
		CU_ASSERT(in[0] == 0x02 && in[1] == TRACE_SET_CA_LOCAL);
		CU_ASSERT(in[6] == 0x02 && in[7] == TRACE_SET_CA_REMOTE);
		CU_ASSERT(s < N && d < N);
		CU_ASSERT((key & 0xff) == trace_nvgre_flow_id(s, d));
		CU_ASSERT(be32(in + 26) == trace_ca_ip(TRACE_SET_CA_REMOTE, s));
		CU_ASSERT(ipv4_csum_ok(in + 14));
		CU_ASSERT(be32(in + TRACE_SEQ_OFFSET) == i);
		if (!flow_ids[key & 0xff]) {
			flow_ids[key & 0xff] = true;
			nb_flow_ids++;
		}
	}
	/* FlowIDs vary per flow: 9000 random pairs use nearly all 256 values. */
	CU_ASSERT(nb_flow_ids > 200);
	/* Deterministic. */
	gen(&p, &fa);
	CU_ASSERT(same_frames(&fa, &fb));
	/* Sizes: the outer frame must fit 1518 bytes. */
	p.frame_size = TRACE_NVGRE_FRAME_MAX;
	struct trace_gen biggest = { 0 };

	CU_ASSERT(trace_gen_init(&biggest, &p) == 0);
	trace_gen_fini(&biggest);
	p.frame_size = TRACE_NVGRE_FRAME_MAX + 1;
	CU_ASSERT(trace_gen_init(&(struct trace_gen){ 0 }, &p) == -EINVAL);
	p.frame_size = 64;
	p.nb_frames = 1;
	gen(&p, &fa);
	CU_ASSERT(trace_gen_next(&(struct trace_gen){ .p = p, .stream = 1, .nb_frames = 1 },
				 fa.data[0], 60 + 41) == -ENOSPC);
}

static long
file_bytes(const char *path, uint8_t *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL)
		return -1;
	n = fread(buf, 1, cap, f);
	fclose(f);
	return (long)n;
}

static void
test_tracegen_pcap_reproducible_and_readable(void)
{
	struct trace_params p = { .mode = TRACE_MODE_L2,
				  .seed = 11,
				  .nb_macs = 64,
				  .nb_frames = 300,
				  .frame_size = 128 };
	char a[] = "/tmp/test_tracegen_aXXXXXX", b[] = "/tmp/test_tracegen_bXXXXXX";
	static uint8_t ba[300 * 200], bb[300 * 200];
	char err[PCAP_ERRBUF_SIZE > 256 ? PCAP_ERRBUF_SIZE : 256];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *pc;
	long na, nb;
	uint32_t i = 0;
	int fd;

	fd = mkstemp(a);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	fd = mkstemp(b);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	CU_ASSERT(trace_write_pcap(&p, a, err, sizeof(err)) == 300);
	CU_ASSERT(trace_write_pcap(&p, b, err, sizeof(err)) == 300);
	na = file_bytes(a, ba, sizeof(ba));
	nb = file_bytes(b, bb, sizeof(bb));
	CU_ASSERT(na > 0 && na == nb && memcmp(ba, bb, (size_t)na) == 0);

	/* libpcap reads back exactly what the generator produces. */
	gen(&p, &fa);
	pc = pcap_open_offline(a, err);
	CU_ASSERT_FATAL(pc != NULL);
	CU_ASSERT(pcap_datalink(pc) == DLT_EN10MB);
	while (pcap_next_ex(pc, &h, &data) == 1 && i < fa.nb) {
		CU_ASSERT(h->caplen == fa.len[i] && memcmp(data, fa.data[i], h->caplen) == 0);
		i++;
	}
	CU_ASSERT(i == 300);
	pcap_close(pc);
	unlink(a);
	unlink(b);
	CU_ASSERT(trace_write_pcap(&p, "/nonexistent-dir/x.pcap", err, sizeof(err)) < 0);
}

/* Ones'-complement sum of 'n' bytes (n even), folded. */
static uint16_t
fold_sum(const uint8_t *p, size_t n, uint32_t sum)
{
	for (size_t i = 0; i < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/*
 * l2-ipv6 and l2-vlan: the l2 shape (the same A and B MACs, every source
 * once per round) in IPv6/UDP with a correct UDP checksum, and in a VLAN tag
 * around a correct IPv4 header.
 */
static void
test_tracegen_l2_ipv6_and_vlan(void)
{
	struct trace_params p = { .mode = TRACE_MODE_L2_IPV6, .seed = 5, .nb_macs = 100,
				  .frame_size = 66 };
	struct trace_params v4 = { .mode = TRACE_MODE_L2, .seed = 5, .nb_macs = 100, .frame_size = 64 };
	char err[128];

	gen(&v4, &fb);
	gen(&p, &fa);
	CU_ASSERT_EQUAL(fa.nb, fb.nb);
	for (uint32_t i = 0; i < fa.nb; i++) {
		const uint8_t *f = fa.data[i], *ip6 = f + 14;

		CU_ASSERT_EQUAL(fa.len[i], 62);
		/* Same source order as l2 (the shuffle does not depend on the mode). */
		CU_ASSERT_EQUAL(memcmp(f + 6, fb.data[i] + 6, 6), 0);
		CU_ASSERT(f[12] == 0x86 && f[13] == 0xdd && ip6[0] == 0x60 && ip6[6] == 17);
		CU_ASSERT(ip6[4] == 0 && ip6[5] == 8); /* payload: the UDP header */
		/* UDP over the pseudo-header: the sum of everything is all ones. */
		CU_ASSERT_EQUAL(fold_sum(ip6 + 8, 32 + 8, 8 + 17), 0xffff);
	}
	CU_ASSERT_EQUAL(trace_params_check(&(struct trace_params){ .mode = TRACE_MODE_L2_IPV6,
			.seed = 1, .nb_macs = 1, .frame_size = 64 }, err, sizeof(err)), -EINVAL);
	p.mode = TRACE_MODE_L2_VLAN;
	p.frame_size = 64;
	gen(&p, &fa);
	for (uint32_t i = 0; i < fa.nb; i++) {
		const uint8_t *f = fa.data[i];

		CU_ASSERT_EQUAL(fa.len[i], 60);
		CU_ASSERT_EQUAL(memcmp(f + 6, fb.data[i] + 6, 6), 0);
		CU_ASSERT(f[12] == 0x81 && f[13] == 0x00 && f[14] == 0 && f[15] == TRACE_VLAN_ID);
		CU_ASSERT(f[16] == 0x08 && f[17] == 0x00 && f[18] == 0x45);
		CU_ASSERT_EQUAL(fold_sum(f + 18, 20, 0), 0xffff);
		CU_ASSERT_EQUAL(f[18 + 28 + 3], (uint8_t)i); /* the sequence number, after the tag */
	}
}

int
main(void)
{
	CU_pSuite s;
	unsigned int failures;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("tracegen", NULL, NULL);
	CU_add_test(s, "same_seed_same_frames", test_tracegen_same_seed_same_frames);
	CU_add_test(s, "other_seed_other_frames", test_tracegen_other_seed_other_frames);
	CU_add_test(s, "known_first_frame", test_tracegen_known_first_frame);
	CU_add_test(s, "l2_every_source_once_per_round",
		    test_tracegen_l2_every_source_once_per_round);
	CU_add_test(s, "macs_distinct_and_unicast", test_tracegen_macs_distinct_and_unicast);
	CU_add_test(s, "frame_sizes_exclude_fcs", test_tracegen_frame_sizes_exclude_fcs);
	CU_add_test(s, "learn_all_new_sources", test_tracegen_learn_all_new_sources);
	CU_add_test(s, "migrate_garp_announces_m", test_tracegen_migrate_garp_announces_m);
	CU_add_test(s, "nvgre_tenant_and_encap", test_tracegen_nvgre_tenant_and_encap);
	CU_add_test(s, "l2_ipv6_and_vlan", test_tracegen_l2_ipv6_and_vlan);
	CU_add_test(s, "pcap_reproducible_and_readable",
		    test_tracegen_pcap_reproducible_and_readable);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures();
	CU_cleanup_registry();
	return failures ? 1 : 0;
}
