/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Recognising migration announcements: crafted frames of every form,
 * malformed and truncated ones, and real captures whose expected counts were
 * taken with tshark (an independent decoder), as noted at each assertion.
 * No EAL needed.
 */
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <pcap/pcap.h>

#include "fdb_announce.h"
#include "test_common.h"

#ifndef FIXTURES
#define FIXTURES "tests/fixtures/pcaps"
#endif

static const uint8_t vm_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

/* Ethernet header to broadcast from vm_mac with 'type'; @return bytes written. */
static unsigned int
eth(uint8_t *f, uint16_t type)
{
	memset(f, 0xff, 6);
	memcpy(f + 6, vm_mac, 6);
	f[12] = (uint8_t)(type >> 8);
	f[13] = (uint8_t)type;
	return 14;
}

/* An Ethernet/IPv4 ARP body with operation 'op', sender IP spa, target IP tpa. */
static unsigned int
arp(uint8_t *p, uint16_t op, uint8_t spa_last, uint8_t tpa_last)
{
	const uint8_t hdr[8] = { 0, 1, 0x08, 0x00, 6, 4, (uint8_t)(op >> 8), (uint8_t)op };

	memcpy(p, hdr, 8);
	memcpy(p + 8, vm_mac, 6);
	p[14] = 203, p[15] = 0, p[16] = 113, p[17] = spa_last;
	memset(p + 18, 0, 6);
	p[24] = 203, p[25] = 0, p[26] = 113, p[27] = tpa_last;
	return 28;
}

/* Classify, and check that the inline pre-check never rules out what classify finds. */
static enum fdb_announce
classify(const uint8_t *f, unsigned int len)
{
	const uint8_t *sha;
	enum fdb_announce ann = fdb_announce_classify(f, len, &sha);

	if (len >= 14)
		CU_ASSERT(ann == FDB_ANN_NONE || fdb_announce_candidate(f, len));
	return ann;
}

static void
test_gratuitous_arp_request_and_reply(void)
{
	uint8_t f[64] = { 0 };
	unsigned int n = eth(f, 0x0806);
	const uint8_t *sha;

	arp(f + n, 1, 7, 7);
	CU_ASSERT_EQUAL(fdb_announce_classify(f, 60, &sha), FDB_ANN_GARP);
	CU_ASSERT_PTR_EQUAL(sha, f + n + 8);
	arp(f + n, 2, 7, 7);
	CU_ASSERT_EQUAL(classify(f, 60), FDB_ANN_GARP);
}

static void
test_ordinary_arp_is_not_an_announcement(void)
{
	uint8_t f[64] = { 0 };
	unsigned int n = eth(f, 0x0806);

	arp(f + n, 1, 7, 1);
	CU_ASSERT_EQUAL(classify(f, 60), FDB_ANN_NONE);
	/* RARP opcodes inside ethertype ARP (seen in fuzzed captures) are not GARP either. */
	arp(f + n, 3, 7, 7);
	CU_ASSERT_EQUAL(classify(f, 60), FDB_ANN_NONE);
}

static void
test_truncated_and_malformed_arp(void)
{
	uint8_t f[64] = { 0 };
	unsigned int n = eth(f, 0x0806);

	arp(f + n, 1, 7, 7);
	CU_ASSERT_EQUAL(classify(f, n + 27), FDB_ANN_MALFORMED_ARP);
	CU_ASSERT_EQUAL(classify(f, n), FDB_ANN_MALFORMED_ARP);
	f[n + 4] = 8; /* hardware address length */
	CU_ASSERT_EQUAL(classify(f, 60), FDB_ANN_MALFORMED_ARP);
	f[n + 4] = 6;
	f[n + 3] = 0xdd; /* protocol type 0x08dd */
	CU_ASSERT_EQUAL(classify(f, 60), FDB_ANN_MALFORMED_ARP);
}

static void
test_rarp_as_qemu_sends_it(void)
{
	uint8_t f[64] = { 0 };
	unsigned int n = eth(f, 0x8035);

	/* QEMU: operation 3, sender and target hardware = the guest, IPs zero. */
	arp(f + n, 3, 0, 0);
	memcpy(f + n + 18, vm_mac, 6);
	CU_ASSERT_EQUAL(classify(f, 60), FDB_ANN_RARP);
	CU_ASSERT_EQUAL(classify(f, n + 20), FDB_ANN_MALFORMED_ARP);
	arp(f + n, 1, 0, 0);
	CU_ASSERT_EQUAL(classify(f, 60), FDB_ANN_MALFORMED_ARP);
}

static void
test_vlan_tagged_garp(void)
{
	uint8_t f[72] = { 0 };
	unsigned int n = eth(f, 0x8100);

	f[n++] = 0, f[n++] = 123, f[n++] = 0x08, f[n++] = 0x06;
	arp(f + n, 1, 9, 9);
	CU_ASSERT_EQUAL(classify(f, 64), FDB_ANN_GARP);
	CU_ASSERT_EQUAL(classify(f, 16), FDB_ANN_NONE);
}

/* IPv6 + ICMPv6 NA: S flag, hop limit and length as given. */
static unsigned int
na(uint8_t *f, int solicited, uint8_t hop_limit, uint16_t payload)
{
	unsigned int n = eth(f, 0x86dd);
	uint8_t *ip6 = f + n, *icmp = ip6 + 40;

	memset(ip6, 0, 40 + 32);
	ip6[0] = 0x60;
	ip6[4] = (uint8_t)(payload >> 8), ip6[5] = (uint8_t)payload;
	ip6[6] = 58;
	ip6[7] = hop_limit;
	icmp[0] = 136;
	icmp[4] = (uint8_t)(0x20 | (solicited ? 0x40 : 0)); /* Override, maybe Solicited */
	return n + 40 + payload;
}

static void
test_unsolicited_na(void)
{
	uint8_t f[128];
	unsigned int len = na(f, 0, 255, 32);

	CU_ASSERT_EQUAL(classify(f, len), FDB_ANN_UNA);
	len = na(f, 1, 255, 32);
	CU_ASSERT_EQUAL(classify(f, len), FDB_ANN_NONE);
	len = na(f, 0, 64, 32);
	CU_ASSERT_EQUAL(classify(f, len), FDB_ANN_MALFORMED_ND);
	len = na(f, 0, 255, 32);
	CU_ASSERT_EQUAL(classify(f, 14 + 40 + 10), FDB_ANN_MALFORMED_ND);
	len = na(f, 0, 255, 16);
	CU_ASSERT_EQUAL(classify(f, len), FDB_ANN_MALFORMED_ND);
}

/*
 * The frames a switch carries most are ruled out inline, without a call:
 * IPv4 (tagged or not) and IPv6 that is not ICMPv6.
 */
static void
test_ordinary_ipv6_and_tagged_frames_are_no_candidates(void)
{
	uint8_t f[128] = { 0 };
	unsigned int n = eth(f, 0x86dd);

	f[n + 6] = 17; /* UDP */
	CU_ASSERT_FALSE(fdb_announce_candidate(f, 64));
	f[n + 6] = 58; /* ICMPv6: may be a neighbour advertisement */
	CU_ASSERT_TRUE(fdb_announce_candidate(f, 64));
	CU_ASSERT_FALSE(fdb_announce_candidate(f, 14 + 39));
	n = eth(f, 0x8100);
	f[n++] = 0, f[n++] = 10, f[n++] = 0x08, f[n++] = 0x00;
	CU_ASSERT_FALSE(fdb_announce_candidate(f, 64));
	f[n - 2] = 0x08, f[n - 1] = 0x06; /* tagged ARP */
	CU_ASSERT_TRUE(fdb_announce_candidate(f, 64));
	f[n - 2] = 0x81, f[n - 1] = 0x00; /* a second tag, then IPv4 */
	f[n + 2] = 0x08, f[n + 3] = 0x00;
	CU_ASSERT_FALSE(fdb_announce_candidate(f, 64));
	f[n + 2] = 0x80, f[n + 3] = 0x35; /* a second tag, then RARP */
	CU_ASSERT_TRUE(fdb_announce_candidate(f, 64));
	CU_ASSERT_FALSE(fdb_announce_candidate(f, 14 + 4 + 2));
}

/* Count each classification over every frame of a capture. */
static int
count_pcap(const char *file, unsigned int counts[6], unsigned int *total)
{
	char errbuf[PCAP_ERRBUF_SIZE], path[512];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *p;

	snprintf(path, sizeof(path), "%s/%s", FIXTURES, file);
	p = pcap_open_offline(path, errbuf);
	if (p == NULL) {
		fprintf(stderr, "%s\n", errbuf);
		return -1;
	}
	memset(counts, 0, 6 * sizeof(counts[0]));
	*total = 0;
	while (pcap_next_ex(p, &h, &data) == 1) {
		counts[classify(data, h->caplen)]++;
		(*total)++;
	}
	pcap_close(p);
	return 0;
}

static void
test_real_captures(void)
{
	unsigned int c[6], total;

	/* tshark: 15 frames, arp.isgratuitous == 1 in 2 (VLAN 123). */
	CU_ASSERT_EQUAL_FATAL(count_pcap("garp_vlan123_arp-icmp_zeek.pcap", c, &total), 0);
	CU_ASSERT_EQUAL(total, 15);
	CU_ASSERT_EQUAL(c[FDB_ANN_GARP], 2);
	CU_ASSERT_EQUAL(c[FDB_ANN_MALFORMED_ARP], 0);
	/* tshark: icmpv6.type == 136 && S == 0 in 2 of 20 frames. */
	CU_ASSERT_EQUAL_FATAL(count_pcap("ipv6_nd_unsolicited-na_zeek.pcap", c, &total), 0);
	CU_ASSERT_EQUAL(c[FDB_ANN_UNA], 2);
	CU_ASSERT_EQUAL(c[FDB_ANN_MALFORMED_ND], 0);
	/*
	 * The fuzzed ARP trace: tshark counts 23 gratuitous frames that are also
	 * well-formed Ethernet/IPv4 ARP requests or replies, and 259 frames that
	 * are not Ethernet/IPv4 ARP of full length.
	 */
	CU_ASSERT_EQUAL_FATAL(count_pcap("arp_fuzzed-malformed_211macs_tcpdump.pcap", c, &total), 0);
	CU_ASSERT_EQUAL(total, 2282);
	CU_ASSERT_EQUAL(c[FDB_ANN_GARP], 23);
	CU_ASSERT_EQUAL(c[FDB_ANN_MALFORMED_ARP], 259);
	/* Truncated 802.1ad ARP with an oversized hardware length: tshark calls it gratuitous. */
	CU_ASSERT_EQUAL_FATAL(count_pcap("arp_too-long-tha_qinq_malformed_tcpdump.pcap", c, &total),
			      0);
	CU_ASSERT_EQUAL(c[FDB_ANN_GARP], 0);
	CU_ASSERT_EQUAL(c[FDB_ANN_MALFORMED_ARP], 1);
}

int
main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("fdb_announce", NULL, NULL);
	CU_add_test(s, "gratuitous arp request and reply", test_gratuitous_arp_request_and_reply);
	CU_add_test(s, "ordinary arp is not an announcement", test_ordinary_arp_is_not_an_announcement);
	CU_add_test(s, "truncated and malformed arp", test_truncated_and_malformed_arp);
	CU_add_test(s, "rarp as qemu sends it", test_rarp_as_qemu_sends_it);
	CU_add_test(s, "vlan tagged garp", test_vlan_tagged_garp);
	CU_add_test(s, "unsolicited na", test_unsolicited_na);
	CU_add_test(s, "ordinary ipv6 and tagged frames are no candidates",
		    test_ordinary_ipv6_and_tagged_frames_are_no_candidates);
	CU_add_test(s, "real captures", test_real_captures);
	return test_run_suites();
}
