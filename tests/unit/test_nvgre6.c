/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NVGRE over IPv6 (RFC 7637 section 4 allows either outer family): the
 * template and encapsulation byte by byte (outer IPv6 header, payload
 * length, next header 47, flow label from the flow hash, GRE key), the
 * tenant MTU of 62 bytes of overhead, and decapsulation of NVGRE over IPv6
 * with each drop cause.  Expected values are worked out here, not read back
 * from the code under test.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <rte_eal.h>
#include <rte_mbuf.h>

#include "ovl.h"
#include "test_common.h"
#include "test_frames.h"
#include "test_addr.h"

static struct rte_mempool *pool;

#define OUR6   "2001:db8:1::1"
#define THEIR6 "2001:db8:2::2"

static void
params6(struct nvgre_template_params *p)
{
	memset(p, 0, sizeof(*p));
	p->src_pa = *tip(OUR6);
	p->dst_pa = *tip(THEIR6);
	test_mac("02:00:00:00:00:01", p->src_mac.addr_bytes);
	test_mac("02:00:00:00:00:fe", p->dst_mac.addr_bytes);
	p->vsid = 0x123456;
	p->mtu = 1500;
}

/* A 'len'-byte untagged IPv4/UDP tenant frame, ports 'sport' -> 2000. */
static struct rte_mbuf *
inner(unsigned int len, uint16_t sport)
{
	const struct test_udp4 s = {
		.sport = sport,
		.dport = 2000,
		.ip_id = 0x5a5a,
		.ttl = 64,
		.fill = 0x5a,
		.len = len,
	};

	return test_udp4_frame(pool, &s);
}

/* The outer header we expect for VSID 0x123456, with the per-frame fields zero. */
static void
expected_hdr6(uint8_t *want)
{
	static const uint8_t eth[14] = { 0x02, 0, 0, 0, 0, 0xfe, 0x02, 0, 0, 0, 0, 0x01,
					 0x86, 0xdd };
	static const uint8_t gre[8] = { 0x20, 0x00, 0x65, 0x58, 0x12, 0x34, 0x56, 0x00 };

	memset(want, 0, NVGRE_ENCAP_LEN6);
	memcpy(want, eth, sizeof(eth));
	want[14] = 0x60;  /* version 6, traffic class 0, flow label 0 */
	want[20] = 47;	  /* next header: GRE */
	want[21] = 64;	  /* hop limit, as the IPv4 TTL */
	memcpy(want + 22, tip(OUR6)->v6, 16);
	memcpy(want + 38, tip(THEIR6)->v6, 16);
	memcpy(want + 54, gre, sizeof(gre));
}

static void
test_nvgre6_template_bytes(void)
{
	struct nvgre_template_params p;
	struct nvgre_template t;
	uint8_t want[NVGRE_ENCAP_LEN6];

	params6(&p);
	CU_ASSERT_EQUAL_FATAL(nvgre_template_build(&t, &p), 0);
	expected_hdr6(want);
	CU_ASSERT_EQUAL(t.hdr_len, 62);
	CU_ASSERT_EQUAL(t.is6, 1);
	CU_ASSERT_EQUAL(memcmp(t.hdr, want, sizeof(want)), 0);
	/* Families must agree; an IPv6 tunnel needs 62 bytes of room for a 68-byte tenant packet. */
	p.src_pa = *tip("198.51.100.1");
	CU_ASSERT_EQUAL(nvgre_template_build(&t, &p), -EINVAL);
	params6(&p);
	p.dst_pa = *tip("ff02::1");
	CU_ASSERT_EQUAL(nvgre_template_build(&t, &p), -EINVAL);
	params6(&p);
	p.dst_pa = *tip("fe80::2");
	CU_ASSERT_EQUAL(nvgre_template_build(&t, &p), -EINVAL);
	params6(&p);
	p.mtu = 68 + 61;
	CU_ASSERT_EQUAL(nvgre_template_build(&t, &p), -ERANGE);
	p.mtu = 68 + 62;
	CU_ASSERT_EQUAL(nvgre_template_build(&t, &p), 0);
}

static void
test_nvgre6_encap_bytes_and_flow_label(void)
{
	struct nvgre_template_params p;
	struct nvgre_template t;
	uint8_t want[NVGRE_ENCAP_LEN6];
	struct rte_mbuf *m = inner(64, 1000), *m2 = inner(64, 1001);
	uint32_t h = nvgre_flow_hash(m), h2 = nvgre_flow_hash(m2);
	uint32_t label = (h ^ h >> 20) & 0xfffff;
	uint8_t flow_id = (uint8_t)h; /* the hash's low byte */
	const uint8_t *b;

	params6(&p);
	CU_ASSERT_EQUAL_FATAL(nvgre_template_build(&t, &p), 0);
	CU_ASSERT_EQUAL_FATAL(nvgre_encap_one(m, &t, h), NVGRE_ENCAP_OK);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), 64 + 62);
	b = rte_pktmbuf_mtod(m, const uint8_t *);
	expected_hdr6(want);
	/* Version 6 (4 bits), traffic class 0 (8 bits), flow label (20 bits). */
	want[15] = (uint8_t)(label >> 16);
	want[16] = (uint8_t)(label >> 8);
	want[17] = (uint8_t)label;
	want[18] = 0, want[19] = 64 + 8; /* payload length: GRE + inner frame */
	want[61] = flow_id;		  /* GRE key = VSID << 8 | FlowID */
	CU_ASSERT_EQUAL(memcmp(b, want, sizeof(want)), 0);
	CU_ASSERT_EQUAL(b[62 + 12], 0x08); /* the inner frame follows untouched */
	CU_ASSERT_EQUAL(m->l3_len, 40);
	/* Another flow: another label (ECMP spreads them), and stable within a flow. */
	CU_ASSERT_NOT_EQUAL(nvgre_flow_label(h2), label);
	CU_ASSERT_EQUAL(nvgre_flow_label(nvgre_flow_hash(inner(64, 1000))), label);
	rte_pktmbuf_free(m);
	rte_pktmbuf_free(m2);
}

static void
test_nvgre6_encap_mtu_is_uplink_minus_62(void)
{
	struct nvgre_template_params p;
	struct nvgre_template t;
	/* Tenant IP packet 1500 - 62 = 1438 bytes: a 1452-byte frame fits, 1453 does not. */
	struct rte_mbuf *fits = inner(1438 + 14, 1), *big = inner(1439 + 14, 1);
	struct rte_mbuf *c;
	enum nvgre_encap_reason why;

	params6(&p);
	CU_ASSERT_EQUAL_FATAL(nvgre_template_build(&t, &p), 0);
	CU_ASSERT_EQUAL(nvgre_encap_one(fits, &t, 0), NVGRE_ENCAP_OK);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(fits), 1500 + 14);
	CU_ASSERT_EQUAL(nvgre_encap_one(big, &t, 0), NVGRE_ENCAP_TOO_BIG);
	/* Replication: the header segment carries the 62 bytes. */
	c = nvgre_encap_clone(inner(100, 1), pool, &t, 7, &why);
	CU_ASSERT_EQUAL(why, NVGRE_ENCAP_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(rte_pktmbuf_data_len(c), 62);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(c), 162);
	CU_ASSERT_EQUAL(rte_pktmbuf_mtod(c, const uint8_t *)[19], 108); /* payload length */
	rte_pktmbuf_free(c);
	rte_pktmbuf_free(fits);
	rte_pktmbuf_free(big);
}

/* Our PAs: one IPv4, one IPv6. */
static struct nvgre_pa_set ours;

/* An encapsulated frame from THEIR6 to OUR6's peer, as bytes in 'f'; @return its length. */
static unsigned int
frame6(uint8_t *f)
{
	struct nvgre_template_params p;
	struct nvgre_template t;
	struct rte_mbuf *m = inner(64, 1000);
	unsigned int len;

	params6(&p);
	/* Sent by them to us. */
	p.src_pa = *tip(THEIR6);
	p.dst_pa = *tip(OUR6);
	CU_ASSERT_EQUAL_FATAL(nvgre_template_build(&t, &p), 0);
	CU_ASSERT_EQUAL_FATAL(nvgre_encap_one(m, &t, 0x1234567), NVGRE_ENCAP_OK);
	len = rte_pktmbuf_pkt_len(m);
	memcpy(f, rte_pktmbuf_mtod(m, const uint8_t *), len);
	rte_pktmbuf_free(m);
	return len;
}

static enum nvgre_decap_reason
decap(const uint8_t *f, unsigned int len, struct nvgre_decap_info *info)
{
	struct rte_mbuf *m = test_mbuf_of(pool, f, len);
	enum nvgre_decap_reason r;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	r = nvgre_decap_check(m, &ours, 0, info);
	rte_pktmbuf_free(m);
	return r;
}

/* 'f' (from frame6()) with byte 'off' set to 'v'. */
static enum nvgre_decap_reason
decap_with(const uint8_t *f, unsigned int len, unsigned int off, uint8_t v)
{
	uint8_t g[256];
	struct nvgre_decap_info info;

	memcpy(g, f, len);
	g[off] = v;
	return decap(g, len, &info);
}

static void
test_nvgre6_decap_round_trip(void)
{
	uint8_t f[256];
	unsigned int len = frame6(f);
	struct nvgre_decap_info info;
	struct rte_mbuf *m;

	CU_ASSERT_EQUAL_FATAL(decap(f, len, &info), NVGRE_DECAP_OK);
	CU_ASSERT_EQUAL(info.vsid, 0x123456);
	CU_ASSERT_EQUAL(info.flow_id, nvgre_flow_id(0x1234567));
	CU_ASSERT(ovl_ip_eq(&info.src_pa, tip(THEIR6)));
	CU_ASSERT(ovl_ip_eq(&info.dst_pa, tip(OUR6)));
	CU_ASSERT_EQUAL(info.inner_off, 62);
	CU_ASSERT_EQUAL(info.inner_len, 64);
	m = test_mbuf_of(pool, f, len);
	CU_ASSERT_EQUAL(nvgre_decap_strip(m, &info), 0);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), 64);
	CU_ASSERT_EQUAL(rte_pktmbuf_mtod(m, const uint8_t *)[5], 0x0b);
	rte_pktmbuf_free(m);
}

static void
test_nvgre6_decap_refuses_each_bad_field(void)
{
	uint8_t f[256];
	unsigned int len = frame6(f);
	struct nvgre_decap_info info;

	CU_ASSERT_EQUAL(decap_with(f, len, 14, 0x40), NVGRE_DECAP_MALFORMED);	  /* version 4 */
	CU_ASSERT_EQUAL(decap_with(f, len, 18, 0x01), NVGRE_DECAP_MALFORMED);	  /* plen > frame */
	CU_ASSERT_EQUAL(decap_with(f, len, 53, 0x03), NVGRE_DECAP_NOT_OUR_PA);	  /* dst ::3 */
	CU_ASSERT_EQUAL(decap_with(f, len, 20, 44), NVGRE_DECAP_FRAGMENT);	  /* fragment hdr */
	CU_ASSERT_EQUAL(decap_with(f, len, 20, 17), NVGRE_DECAP_NOT_GRE);	  /* UDP */
	CU_ASSERT_EQUAL(decap_with(f, len, 20, 0), NVGRE_DECAP_NOT_GRE);	  /* hop-by-hop */
	CU_ASSERT_EQUAL(decap_with(f, len, 55, 0x01), NVGRE_DECAP_BAD_VERSION);  /* GRE v1 */
	CU_ASSERT_EQUAL(decap_with(f, len, 54, 0x30), NVGRE_DECAP_BAD_FLAGS);	  /* K and S */
	CU_ASSERT_EQUAL(decap_with(f, len, 57, 0x59), NVGRE_DECAP_BAD_PROTO);	  /* 0x6559 */
	CU_ASSERT_EQUAL(decap_with(f, len, 58, 0x00), NVGRE_DECAP_OK);		  /* VSID 0x003456 */
	{
		uint8_t g[256];

		memcpy(g, f, len);
		g[58] = 0, g[59] = 0x0f, g[60] = 0xff; /* VSID 0xfff: reserved */
		CU_ASSERT_EQUAL(decap(g, len, &info), NVGRE_DECAP_RESERVED_VSID);
	}
	{
		uint8_t g[256];

		memcpy(g, f, len);
		g[62 + 12] = 0x81, g[62 + 13] = 0x00; /* inner 802.1Q tag */
		CU_ASSERT_EQUAL(decap(g, len, &info), NVGRE_DECAP_INNER_VLAN);
	}
	/* Every truncation before the end of the inner Ethernet header is malformed. */
	for (unsigned int l = 14; l < 62 + 14; l++)
		CU_ASSERT_EQUAL(decap(f, l, &info), NVGRE_DECAP_MALFORMED);
	/* An IPv4 frame is still checked as before, beside IPv6 PAs. */
	CU_ASSERT_EQUAL(decap_with(f, len, 12, 0x88), NVGRE_DECAP_NOT_IP);
}

int
main(int argc, char **argv)
{
	CU_pSuite s;
	int ret;

	(void)argc;
	pool = test_eal_pool(argv[0], "nvgre6_test", 1024);
	if (pool == NULL || CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	ours.nb_pa = 1;
	ours.pa[0] = test_ip4(198, 51, 100, 1);
	ours.nb_pa6 = 1;
	memcpy(ours.pa6[0], tip(OUR6)->v6, 16);
	s = CU_add_suite("nvgre6", NULL, NULL);
	CU_add_test(s, "template bytes", test_nvgre6_template_bytes);
	CU_add_test(s, "encap bytes and flow label", test_nvgre6_encap_bytes_and_flow_label);
	CU_add_test(s, "encap mtu is uplink - 62", test_nvgre6_encap_mtu_is_uplink_minus_62);
	CU_add_test(s, "decap round trip", test_nvgre6_decap_round_trip);
	CU_add_test(s, "decap each bad field", test_nvgre6_decap_refuses_each_bad_field);
	ret = test_run_suites();
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return ret;
}
