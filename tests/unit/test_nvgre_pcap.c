/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NVGRE decapsulation of the real captures in tests/fixtures/pcaps.  The
 * expected result of every frame was checked with tshark 4.0 (an independent
 * decoder), as noted at each assertion; SOURCES.md there says where each
 * capture comes from.
 */
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <pcap/pcap.h>
#include <rte_eal.h>
#include <rte_mbuf.h>

#include "ovl.h"
#include "test_common.h"
#include "test_addr.h"

#ifndef FIXTURES
#define FIXTURES "tests/fixtures/pcaps"
#endif

static struct rte_mempool *pool;

struct pcap_tally {
	const struct nvgre_pa_set *local;	 /* our PAs for this capture */
	const struct ovl *ovl;			 /* non-NULL: use ovl_decap_check() */
	unsigned int nb_frames;			 /* frames read */
	unsigned int by_reason[NVGRE_DECAP_MAX]; /* results */
	enum nvgre_decap_reason first[8];	 /* results of the first frames */
	struct nvgre_decap_info info;		 /* of the last OK frame */
	uint8_t inner_head[16];			 /* its first inner bytes after strip */
};

static void
tally_frame(struct pcap_tally *t, const uint8_t *data, uint32_t caplen)
{
	struct rte_mbuf *m = test_mbuf_of(pool, data, caplen);
	struct nvgre_decap_info info;
	struct ovl_vsid_memo memo = { .vsid = 0 };
	enum nvgre_decap_reason r;

	if (t->ovl != NULL)
		r = ovl_decap_check(t->ovl, ovl_snapshot_get(t->ovl), m, 0, &memo, &info);
	else
		r = nvgre_decap_check(m, t->local, 0, &info);
	if (t->nb_frames < RTE_DIM(t->first))
		t->first[t->nb_frames] = r;
	t->by_reason[r]++;
	t->nb_frames++;
	if (r == NVGRE_DECAP_OK) {
		t->info = info;
		CU_ASSERT_EQUAL(nvgre_decap_strip(m, &info), 0);
		CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), info.inner_len);
		memcpy(t->inner_head, rte_pktmbuf_mtod(m, uint8_t *), sizeof(t->inner_head));
	}
	rte_pktmbuf_free(m);
}

static int
tally_pcap(const char *file, struct pcap_tally *t)
{
	char err[PCAP_ERRBUF_SIZE], path[512];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *pc;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", FIXTURES, file);
	pc = pcap_open_offline(path, err);
	if (pc == NULL) {
		printf("cannot open %s: %s\n", path, err);
		return -1;
	}
	while ((ret = pcap_next_ex(pc, &h, &data)) == 1)
		tally_frame(t, data, h->caplen);
	if (ret != PCAP_ERROR_BREAK)
		printf("%s: %s\n", path, pcap_geterr(pc));
	pcap_close(pc);
	return ret == PCAP_ERROR_BREAK ? 0 : -1;
}

static uint32_t
get32(const uint8_t *p, bool swap)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return swap ? rte_bswap32(v) : v;
}

/*
 * A minimal pcapng reader (section header, interface description, enhanced
 * and simple packet blocks; Ethernet only).  libpcap 1.10 refuses files whose
 * interfaces differ in snapshot length ("an interface has a snapshot length
 * 65535 different from the snapshot length of the first interface"), which
 * is the case of the PcapPlusPlus capture.
 */
static int
tally_pcapng(const char *file, struct pcap_tally *t)
{
	static uint8_t buf[1 << 16];
	char path[512];
	size_t len, off = 0;
	bool swap = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", FIXTURES, file);
	f = fopen(path, "rb");
	if (f == NULL)
		return -1;
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	while (off + 12 <= len) {
		uint32_t type, blen;

		if (off == 0) /* section header: the byte-order magic says how to read the rest */
			swap = get32(buf + 8, false) != 0x1a2b3c4d;
		type = get32(buf + off, swap);
		blen = get32(buf + off + 4, swap);
		if (blen < 12 || off + blen > len)
			return -1;
		if (type == 6 && blen >= 32) /* enhanced packet block */
			tally_frame(t, buf + off + 28, get32(buf + off + 20, swap));
		else if (type == 3 && blen >= 16) /* simple packet block */
			tally_frame(t, buf + off + 12,
				    RTE_MIN(get32(buf + off + 8, swap), blen - 16));
		else if (type == 1 && (get32(buf + off + 8, swap) & 0xffff) != 1) /* link type */
			return -1;
		off += blen;
	}
	return off == len ? 0 : -1;
}

static void
test_nvgre_decap_packetnet_vsid123456(void)
{
	struct nvgre_pa_set local = { .nb_pa = 1, .pa = { RTE_BE32(0x64001102) } }; /* 100.0.17.2 */
	struct nvgre_pa_set other = { .nb_pa = 1, .pa = { RTE_BE32(0x64001101) } };
	struct pcap_tally t = { .local = &local };
	const uint8_t inner_dst[6] = { 0xaa, 0xbb, 0x00, 0x00, 0x10, 0x02 };

	CU_ASSERT_EQUAL_FATAL(tally_pcap("nvgre_single-tcp_vsid123456_packetnet.pcap", &t), 0);
	/* tshark: gre.key 0x12345602, ip.len 84 (0x54), inner eth aa:bb:00:00:10:01 -> :10:02 */
	CU_ASSERT_EQUAL(t.nb_frames, 1);
	CU_ASSERT_EQUAL(t.by_reason[NVGRE_DECAP_OK], 1);
	CU_ASSERT_EQUAL(t.info.vsid, 0x123456);
	CU_ASSERT_EQUAL(t.info.flow_id, 0x02);
	CU_ASSERT(ovl_ip_eq(&t.info.src_pa, tip4(test_ip4(100, 0, 17, 1))));
	CU_ASSERT_EQUAL(t.info.inner_off, 42);
	CU_ASSERT_EQUAL(t.info.inner_len, 84 - 28);
	CU_ASSERT_EQUAL(memcmp(t.inner_head, inner_dst, 6), 0);
	/* The same frame sent to a PA that is not ours. */
	memset(&t, 0, sizeof(t));
	t.local = &other;
	tally_pcap("nvgre_single-tcp_vsid123456_packetnet.pcap", &t);
	CU_ASSERT_EQUAL(t.by_reason[NVGRE_DECAP_NOT_OUR_PA], 1);
}

static void
test_nvgre_decap_packetnet_zero_checksum_fails_strict_check(void)
{
	char err[PCAP_ERRBUF_SIZE];
	struct nvgre_pa_set local = { .nb_pa = 1, .pa = { RTE_BE32(0x64001102) } };
	struct nvgre_decap_info info;
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *pc = pcap_open_offline(FIXTURES "/nvgre_single-tcp_vsid123456_packetnet.pcap", err);
	struct rte_mbuf *m;

	CU_ASSERT_PTR_NOT_NULL_FATAL(pc);
	CU_ASSERT_EQUAL_FATAL(pcap_next_ex(pc, &h, &data), 1);
	/* tshark: ip.checksum 0x0000 (crafted, never computed): only lenient mode accepts it. */
	m = test_mbuf_of(pool, data, h->caplen);
	CU_ASSERT_EQUAL(nvgre_decap_check(m, &local, NVGRE_DECAP_F_VERIFY_CSUM, &info),
			NVGRE_DECAP_BAD_CHECKSUM);
	rte_pktmbuf_free(m);
	pcap_close(pc);
}

static void
test_nvgre_decap_ryu_reserved_vsid_and_inner_vlan(void)
{
	struct nvgre_pa_set local = { .nb_pa = 1,
				      .pa = { RTE_BE32(0x0a640a02) } }; /* 10.100.10.2 */
	struct pcap_tally t = { .local = &local };
	char err[PCAP_ERRBUF_SIZE];
	struct nvgre_decap_info info;
	struct pcap_pkthdr *h;
	const u_char *data;
	uint8_t g[256];
	pcap_t *pc;

	/* tshark: gre.key 0x00000064 (VSID 0), inner vlan.id 100. */
	CU_ASSERT_EQUAL_FATAL(tally_pcap("nvgre_inner-vlan_ryu.pcap", &t), 0);
	CU_ASSERT_EQUAL(t.nb_frames, 1);
	CU_ASSERT_EQUAL(t.by_reason[NVGRE_DECAP_RESERVED_VSID], 1);
	/* With a usable VSID the inner tag is what gets it dropped. */
	pc = pcap_open_offline(FIXTURES "/nvgre_inner-vlan_ryu.pcap", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pc);
	CU_ASSERT_EQUAL_FATAL(pcap_next_ex(pc, &h, &data), 1);
	CU_ASSERT_FATAL(h->caplen <= sizeof(g));
	memcpy(g, data, h->caplen);
	CU_ASSERT_EQUAL(g[38] | g[39] | g[40], 0);
	g[39] = 0x10; /* VSID 0x001000 */
	{
		struct rte_mbuf *m = test_mbuf_of(pool, g, h->caplen);

		CU_ASSERT_EQUAL(nvgre_decap_check(m, &local, 0, &info), NVGRE_DECAP_INNER_VLAN);
		rte_pktmbuf_free(m);
	}
	pcap_close(pc);
}

static void
test_nvgre_decap_suricata_gre_teb_without_key(void)
{
	struct nvgre_pa_set local = { .nb_pa = 2,
				      .pa = { RTE_BE32(0xc0a80014), RTE_BE32(0xc0a80017) } };
	struct pcap_tally t = { .local = &local };

	/* tshark: 17 frames to 192.168.0.20, gre.flags_and_version 0x0000, gre.proto 0x6558. */
	CU_ASSERT_EQUAL_FATAL(tally_pcap("gre-teb_nokey_http_suricata-verify.pcap", &t), 0);
	CU_ASSERT_EQUAL(t.nb_frames, 17);
	CU_ASSERT_EQUAL(t.by_reason[NVGRE_DECAP_BAD_FLAGS], 17);
}

static void
test_nvgre_decap_zeek_mirror_counts_fragments(void)
{
	struct nvgre_pa_set local = { .nb_pa = 1,
				      .pa = { RTE_BE32(0x0ac800e0) } }; /* 10.200.0.224 */
	struct pcap_tally t = { .local = &local };

	/*
	 * tshark: 287 frames, all IPv4 proto 47 to 10.200.0.224; 55 are fragments
	 * (39 with MF set, 16 last fragments with offset > 0); of the 232
	 * unfragmented ones, gre.key 0x00000000 (VSID 0, reserved) in 125 and
	 * 0x02000000 (VSID 0x020000, FlowID 0) in 107.
	 */
	CU_ASSERT_EQUAL_FATAL(tally_pcap("nvgre_real-mirror_gre-teb-key_zeek.pcap", &t), 0);
	CU_ASSERT_EQUAL(t.nb_frames, 287);
	CU_ASSERT_EQUAL(t.by_reason[NVGRE_DECAP_FRAGMENT], 55);
	CU_ASSERT_EQUAL(t.by_reason[NVGRE_DECAP_RESERVED_VSID], 125);
	CU_ASSERT_EQUAL(t.by_reason[NVGRE_DECAP_OK], 107);
	CU_ASSERT_EQUAL(t.info.vsid, 0x020000);
	CU_ASSERT_EQUAL(t.info.flow_id, 0);
	CU_ASSERT(ovl_ip_eq(&t.info.src_pa, tip4(test_ip4(10, 200, 0, 3))));
}

static void
test_nvgre_decap_zeek_mirror_needs_configured_vsid(void)
{
	struct ovl_params p = {
		.name = "t_hdr",
		.socket_id = SOCKET_ID_ANY,
		.nb_bds = 8,
		.max_vsids = 4,
		.max_records = 64,
		.max_macs = 64,
		.max_slots = 16,
		.max_routes = 16,
		.max_neighbours = 8,
		.neigh_timeout_ms = 1000,
	};
	struct ovl *ovl = ovl_create(&p);
	struct pcap_tally t = { 0 };

	CU_ASSERT_PTR_NOT_NULL_FATAL(ovl);
	CU_ASSERT_EQUAL(ovl_pa_add(ovl, tpfx4(test_ip4(10, 200, 0, 224), 24)), 0);
	t.ovl = ovl;
	tally_pcap("nvgre_real-mirror_gre-teb-key_zeek.pcap", &t);
	CU_ASSERT_EQUAL(t.by_reason[NVGRE_DECAP_UNKNOWN_VSID], 107);
	CU_ASSERT_EQUAL(t.by_reason[NVGRE_DECAP_FRAGMENT], 55);
	CU_ASSERT_EQUAL(ovl_vsid_add(ovl, 0x020000, 3), 0);
	memset(&t, 0, sizeof(t));
	t.ovl = ovl;
	tally_pcap("nvgre_real-mirror_gre-teb-key_zeek.pcap", &t);
	CU_ASSERT_EQUAL(t.by_reason[NVGRE_DECAP_OK], 107);
	CU_ASSERT_EQUAL(t.info.bd, 3);
	ovl_destroy(ovl);
}

static void
test_nvgre_decap_pcapplusplus_mixed_gre(void)
{
	struct nvgre_pa_set local = { .nb_pa = 4,
				      .pa = { RTE_BE32(0xc0a802fe), RTE_BE32(0x7f000001),
					      RTE_BE32(0x48cd3646), RTE_BE32(0x04030201) } };
	struct pcap_tally t = { .local = &local };

	/*
	 * pcapng (read without libpcap, see tally_pcapng).  tshark per frame:
	 * (1) 0x3081 GREv1/PPTP, (2) 0x2081 GREv1,
	 * (3) 0x8000 keepalive (C bit), (4) 0x8000 C bit, (5) 0x0000 GRE-in-GRE
	 * (no key), (6) 802.1Q + IPv6 outer, (7) 0x2000/0x6558 key 0x0000fde8:
	 * VSID 0x0000fd, which RFC 7637 reserves.
	 */
	CU_ASSERT_EQUAL_FATAL(tally_pcapng("gre_mixed-types_one-nvgre_pcapplusplus.pcap", &t), 0);
	CU_ASSERT_EQUAL_FATAL(t.nb_frames, 7);
	CU_ASSERT_EQUAL(t.first[0], NVGRE_DECAP_BAD_VERSION);
	CU_ASSERT_EQUAL(t.first[1], NVGRE_DECAP_BAD_VERSION);
	CU_ASSERT_EQUAL(t.first[2], NVGRE_DECAP_BAD_FLAGS);
	CU_ASSERT_EQUAL(t.first[3], NVGRE_DECAP_BAD_FLAGS);
	CU_ASSERT_EQUAL(t.first[4], NVGRE_DECAP_BAD_FLAGS);
	CU_ASSERT_EQUAL(t.first[5], NVGRE_DECAP_NOT_IP);
	CU_ASSERT_EQUAL(t.first[6], NVGRE_DECAP_RESERVED_VSID);
}

int
main(int argc, char **argv)
{
	CU_pSuite s;
	int ret;

	(void)argc;
	pool = test_eal_pool(argv[0], "nvgre_pcap", 512);
	if (pool == NULL || CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("nvgre_decap_pcaps", NULL, NULL);
	CU_add_test(s, "packetnet vsid 0x123456", test_nvgre_decap_packetnet_vsid123456);
	CU_add_test(s, "packetnet zero checksum",
		    test_nvgre_decap_packetnet_zero_checksum_fails_strict_check);
	CU_add_test(s, "ryu reserved vsid / inner vlan",
		    test_nvgre_decap_ryu_reserved_vsid_and_inner_vlan);
	CU_add_test(s, "suricata no key", test_nvgre_decap_suricata_gre_teb_without_key);
	CU_add_test(s, "zeek fragments", test_nvgre_decap_zeek_mirror_counts_fragments);
	CU_add_test(s, "zeek unknown vsid", test_nvgre_decap_zeek_mirror_needs_configured_vsid);
	CU_add_test(s, "pcapplusplus mixed gre", test_nvgre_decap_pcapplusplus_mixed_gre);
	ret = test_run_suites();
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return ret;
}
