/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NVGRE headers: the template and encapsulation byte by byte against RFC
 * 7637 (golden bytes worked out by hand below), VLAN stripping, MTU and
 * headroom limits, the flow hash, and decapsulation of crafted frames
 * (test_nvgre_pcap.c decodes the real captures).
 */
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <rte_eal.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "nvgre_encap.h"
#include "ovl.h"
#include "test_common.h"
#include "test_frames.h"
#include "test_addr.h"

static struct rte_mempool *pool;

/* The template every golden test uses. */
static void
golden_params(struct nvgre_template_params *p)
{
	memset(p, 0, sizeof(*p));
	p->src_pa = ovl_ip4(test_ip4(192, 0, 2, 1));
	p->dst_pa = ovl_ip4(test_ip4(198, 51, 100, 2));
	test_mac("02:00:00:00:00:01", p->src_mac.addr_bytes);
	test_mac("02:00:00:00:00:fe", p->dst_mac.addr_bytes);
	p->vsid = 0x123456;
	p->mtu = 1500;
}

/* The tenant frame most tests start from: 64 bytes, UDP 1000 -> 2000. */
static const struct test_udp4 base_spec = {
	.sport = 1000,
	.dport = 2000,
	.ip_id = 1,
	.ttl = 64,
	.fill = 0x5a,
	.len = 64,
};

/*
 * Golden outer header for a 64-byte inner frame, VSID 0x123456, FlowID 0x7b.
 * total_length = 64 (inner frame) + 8 (GRE) + 20 (IPv4) = 92 = 0x005c.
 * Header checksum, 16-bit words of the header with the checksum zero:
 *   4500 + 005c + 0000 + 4000 + 402f + 0000 + c000 + 0201 + c633 + 6402
 *   = 0x2b1c1 -> fold: 0xb1c1 + 0x2 = 0xb1c3 -> complement: 0x4e3c.
 */
static const uint8_t golden_outer[NVGRE_ENCAP_LEN] = {
	/* outer Ethernet: next hop <- uplink, IPv4 */
	0x02,
	0x00,
	0x00,
	0x00,
	0x00,
	0xfe,
	0x02,
	0x00,
	0x00,
	0x00,
	0x00,
	0x01,
	0x08,
	0x00,
	/* IPv4: v4/ihl 5, tos 0, total 92, id 0, DF, ttl 64, GRE, checksum, */
	/* 192.0.2.1 -> 198.51.100.2 */
	0x45,
	0x00,
	0x00,
	0x5c,
	0x00,
	0x00,
	0x40,
	0x00,
	0x40,
	0x2f,
	0x4e,
	0x3c,
	0xc0,
	0x00,
	0x02,
	0x01,
	0xc6,
	0x33,
	0x64,
	0x02,
	/* GRE: K=1 C=S=0 ver 0; 0x6558 (TEB); key = VSID 0x123456, FlowID 0x7b */
	0x20,
	0x00,
	0x65,
	0x58,
	0x12,
	0x34,
	0x56,
	0x7b,
};

static void
test_nvgre_template_bytes_are_rfc7637_with_per_frame_fields_zero(void)
{
	struct nvgre_template_params p;
	struct nvgre_template t;
	uint8_t want[NVGRE_ENCAP_LEN];

	golden_params(&p);
	CU_ASSERT_EQUAL_FATAL(nvgre_template_build(&t, &p), 0);
	memcpy(want, golden_outer, sizeof(want));
	want[16] = want[17] = 0;     /* total_length */
	want[24] = want[25] = 0;     /* checksum */
	want[NVGRE_OFF_FLOW_ID] = 0; /* FlowID */
	CU_ASSERT_EQUAL(memcmp(t.hdr, want, sizeof(want)), 0);
	CU_ASSERT_EQUAL(t.vsid, 0x123456);
	CU_ASSERT_EQUAL(t.mtu, 1500);
	/* What an IPv4 encapsulation reads of the template lies in its first cache line. */
	CU_ASSERT(offsetof(struct nvgre_template, hdr) + NVGRE_ENCAP_LEN <= RTE_CACHE_LINE_SIZE);
}

static void
test_nvgre_template_refuses_reserved_vsid_and_bad_input(void)
{
	struct nvgre_template_params p;
	struct nvgre_template t;

	golden_params(&p);
	p.vsid = 0;
	CU_ASSERT_EQUAL(nvgre_template_build(&t, &p), -EINVAL);
	p.vsid = 0xfff;
	CU_ASSERT_EQUAL(nvgre_template_build(&t, &p), -EINVAL);
	p.vsid = 0xffffff;
	CU_ASSERT_EQUAL(nvgre_template_build(&t, &p), -EINVAL);
	p.vsid = 0x1000000;
	CU_ASSERT_EQUAL(nvgre_template_build(&t, &p), -EINVAL);
	p.vsid = 0x1000;
	CU_ASSERT_EQUAL(nvgre_template_build(&t, &p), 0);
	p.vsid = 0xfffffe;
	CU_ASSERT_EQUAL(nvgre_template_build(&t, &p), 0);
	p.mtu = 68 + 41;
	CU_ASSERT_EQUAL(nvgre_template_build(&t, &p), -ERANGE);
	golden_params(&p);
	p.dst_pa = ovl_ip4(test_ip4(224, 0, 0, 1));
	CU_ASSERT_EQUAL(nvgre_template_build(&t, &p), -EINVAL);
	golden_params(&p);
	test_mac("01:00:5e:00:00:01", p.dst_mac.addr_bytes);
	CU_ASSERT_EQUAL(nvgre_template_build(&t, &p), -EINVAL);
	CU_ASSERT_FALSE(nvgre_vsid_is_valid(0xfff));
	CU_ASSERT_TRUE(nvgre_vsid_is_valid(0x1000));
	CU_ASSERT_FALSE(nvgre_vsid_is_valid(0xffffff));
}

static void
test_nvgre_encap_matches_golden_bytes(void)
{
	struct nvgre_template_params p;
	struct nvgre_template t;
	uint8_t inner[64];
	struct rte_mbuf *m;
	const uint8_t *out;
	struct rte_ipv4_hdr ip;

	golden_params(&p);
	CU_ASSERT_EQUAL_FATAL(nvgre_template_build(&t, &p), 0);
	test_udp4_bytes(inner, &base_spec);
	m = test_mbuf_of(pool, inner, sizeof(inner));
	CU_ASSERT_EQUAL_FATAL(nvgre_encap_one(m, &t, 0x7b), NVGRE_ENCAP_OK);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), 42 + 64);
	out = rte_pktmbuf_mtod(m, const uint8_t *);
	CU_ASSERT_EQUAL(memcmp(out, golden_outer, sizeof(golden_outer)), 0);
	CU_ASSERT_EQUAL(memcmp(out + 42, inner, sizeof(inner)), 0);
	/* Cross-check the hand-computed checksum with DPDK's full computation. */
	memcpy(&ip, out + 14, sizeof(ip));
	ip.hdr_checksum = 0;
	CU_ASSERT_EQUAL(rte_ipv4_cksum(&ip), rte_cpu_to_be_16(0x4e3c));
	rte_pktmbuf_free(m);
}

static void
test_nvgre_encap_checksum_is_right_for_every_length(void)
{
	struct nvgre_template_params p;
	struct nvgre_template t;
	struct test_udp4 s = base_spec;

	golden_params(&p);
	p.mtu = 9000;
	CU_ASSERT_EQUAL_FATAL(nvgre_template_build(&t, &p), 0);
	for (s.len = 60; s.len <= 1900; s.len += 7) {
		struct rte_mbuf *m = test_udp4_frame(pool, &s);
		const uint8_t *out;

		CU_ASSERT_EQUAL_FATAL(nvgre_encap_one(m, &t, (uint8_t)s.len), NVGRE_ENCAP_OK);
		out = rte_pktmbuf_mtod(m, const uint8_t *);
		/* A correct header sums to 0xffff, checksum included. */
		CU_ASSERT_EQUAL(rte_raw_cksum(out + 14, 20), 0xffff);
		CU_ASSERT_EQUAL((unsigned int)(out[16] << 8 | out[17]), s.len + 28);
		CU_ASSERT_EQUAL(out[NVGRE_OFF_FLOW_ID], (uint8_t)s.len);
		rte_pktmbuf_free(m);
	}
}

static void
test_nvgre_encap_strips_inner_vlan_tags(void)
{
	struct nvgre_template_params p;
	struct nvgre_template t;
	struct test_udp4 s = base_spec;
	uint8_t untagged[64];
	struct rte_mbuf *m;

	golden_params(&p);
	CU_ASSERT_EQUAL_FATAL(nvgre_template_build(&t, &p), 0);
	test_udp4_bytes(untagged, &base_spec);
	for (s.ntags = 1; s.ntags <= 2; s.ntags++) {
		m = test_udp4_frame(pool, &s);
		m->ol_flags |= RTE_MBUF_F_TX_VLAN;
		CU_ASSERT_EQUAL_FATAL(nvgre_encap_one(m, &t, 0x7b), NVGRE_ENCAP_OK);
		/* Same bytes as the untagged frame, so the same golden header (total 92). */
		CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), 42 + 64);
		CU_ASSERT_EQUAL(memcmp(rte_pktmbuf_mtod(m, uint8_t *), golden_outer, 42), 0);
		CU_ASSERT_EQUAL(memcmp(rte_pktmbuf_mtod_offset(m, uint8_t *, 42), untagged, 64), 0);
		CU_ASSERT_EQUAL(m->ol_flags & RTE_MBUF_F_TX_VLAN, 0);
		rte_pktmbuf_free(m);
	}
	/* Three tags: not a frame we can make untagged. */
	{
		uint8_t f[80];

		test_udp4_bytes(f, &base_spec);
		memmove(f + 24, f + 12, 52);
		for (int i = 0; i < 3; i++)
			f[12 + 4 * i] = 0x81, f[13 + 4 * i] = 0, f[14 + 4 * i] = 0,
				   f[15 + 4 * i] = 1;
		m = test_mbuf_of(pool, f, 76);
		CU_ASSERT_EQUAL(nvgre_encap_one(m, &t, 0), NVGRE_ENCAP_MALFORMED);
		rte_pktmbuf_free(m);
	}
	/* A runt. */
	m = test_mbuf_of(pool, untagged, 13);
	CU_ASSERT_EQUAL(nvgre_encap_one(m, &t, 0), NVGRE_ENCAP_MALFORMED);
	rte_pktmbuf_free(m);
}

/*
 * MTU: uplink IP MTU 1500 carries an outer total_length of 1500 = 20 + 8 +
 * inner frame, so the largest inner frame is 1472 bytes = 14 + a 1458-byte
 * tenant IP packet: tenant MTU = 1500 - 42.
 */
static void
test_nvgre_encap_enforces_uplink_mtu(void)
{
	struct nvgre_template_params p;
	struct nvgre_template t;
	struct test_udp4 s = base_spec;
	struct rte_mbuf *m;

	golden_params(&p);
	CU_ASSERT_EQUAL_FATAL(nvgre_template_build(&t, &p), 0);
	s.len = 1500 - NVGRE_MTU_OVERHEAD + 14;
	CU_ASSERT_EQUAL(s.len, 1472);
	m = test_udp4_frame(pool, &s);
	CU_ASSERT_EQUAL(nvgre_encap_one(m, &t, 0), NVGRE_ENCAP_OK);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), 1514); /* a full-size frame on the wire */
	rte_pktmbuf_free(m);
	s.len = 1473;
	m = test_udp4_frame(pool, &s);
	CU_ASSERT_EQUAL(nvgre_encap_one(m, &t, 0), NVGRE_ENCAP_TOO_BIG);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), 1473); /* untouched */
	rte_pktmbuf_free(m);
	/* The tag is stripped before measuring. */
	s.len = 1472;
	s.ntags = 1;
	m = test_udp4_frame(pool, &s);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), 1476);
	CU_ASSERT_EQUAL(nvgre_encap_one(m, &t, 0), NVGRE_ENCAP_OK);
	rte_pktmbuf_free(m);
}

static void
test_nvgre_encap_without_headroom_is_refused(void)
{
	struct nvgre_template_params p;
	struct nvgre_template t;
	uint8_t inner[64];
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	golden_params(&p);
	CU_ASSERT_EQUAL_FATAL(nvgre_template_build(&t, &p), 0);
	test_udp4_bytes(inner, &base_spec);
	m->data_off = NVGRE_ENCAP_LEN - 1;
	memcpy(rte_pktmbuf_append(m, sizeof(inner)), inner, sizeof(inner));
	CU_ASSERT_EQUAL(nvgre_encap_one(m, &t, 0), NVGRE_ENCAP_NO_HEADROOM);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), 64);
	rte_pktmbuf_free(m);
}

static void
test_nvgre_encap_clone_shares_payload_and_leaves_original(void)
{
	struct nvgre_template_params p;
	struct nvgre_template t;
	enum nvgre_encap_reason why;
	uint8_t inner[64], flat[106];
	struct rte_mbuf *m, *c;

	golden_params(&p);
	CU_ASSERT_EQUAL_FATAL(nvgre_template_build(&t, &p), 0);
	test_udp4_bytes(inner, &base_spec);
	m = test_mbuf_of(pool, inner, sizeof(inner));
	c = nvgre_encap_clone(m, pool, &t, 0x7b, &why);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(why, NVGRE_ENCAP_OK);
	CU_ASSERT_EQUAL(c->nb_segs, 2);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(c), 106);
	CU_ASSERT_EQUAL(rte_mbuf_refcnt_read(m), 2); /* the clone points at m's data */
	CU_ASSERT_EQUAL(memcmp(rte_pktmbuf_read(c, 0, 106, flat), golden_outer, 42), 0);
	CU_ASSERT_EQUAL(memcmp(flat + 42, inner, 64), 0);
	CU_ASSERT_EQUAL(memcmp(rte_pktmbuf_mtod(m, uint8_t *), inner, 64), 0);
	rte_pktmbuf_free(c);
	CU_ASSERT_EQUAL(rte_mbuf_refcnt_read(m), 1);
	t.mtu = 91;
	CU_ASSERT_PTR_NULL(nvgre_encap_clone(m, pool, &t, 0, &why));
	CU_ASSERT_EQUAL(why, NVGRE_ENCAP_TOO_BIG);
	rte_pktmbuf_free(m);
}

static uint32_t
hash_of(const struct test_udp4 *s)
{
	struct rte_mbuf *m = test_udp4_frame(pool, s);
	uint32_t h = nvgre_flow_hash(m);

	rte_pktmbuf_free(m);
	return h;
}

/* hash_of() with the frame in two segments, the first only its Ethernet header. */
static uint32_t
hash_of_split(const struct test_udp4 *s)
{
	struct rte_mbuf *m = test_udp4_frame(pool, s), *head = rte_pktmbuf_alloc(pool);
	uint32_t h;

	CU_ASSERT_PTR_NOT_NULL_FATAL(head);
	memcpy(rte_pktmbuf_append(head, RTE_ETHER_HDR_LEN), rte_pktmbuf_mtod(m, void *),
	       RTE_ETHER_HDR_LEN);
	rte_pktmbuf_adj(m, RTE_ETHER_HDR_LEN);
	CU_ASSERT_EQUAL_FATAL(rte_pktmbuf_chain(head, m), 0);
	h = nvgre_flow_hash(head);
	rte_pktmbuf_free(head);
	return h;
}

/* 'len' bytes of 'f' in a new mbuf whose data starts 'skew' bytes past the usual (aligned) place. */
static struct rte_mbuf *
frame_at(const uint8_t *f, unsigned int len, unsigned int skew)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	char *d;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	d = rte_pktmbuf_append(m, (uint16_t)(len + skew));
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	memcpy(d + skew, f, len);
	rte_pktmbuf_adj(m, (uint16_t)skew);
	return m;
}

/* An untagged IPv6/UDP frame, 2001:db8::10 -> 2001:db8::11, ports 1000 -> 2000. */
static unsigned int
ipv6_bytes(uint8_t *f)
{
	memset(f, 0x5a, 80);
	test_eth_hdr(f, "02:00:00:00:00:0b", "02:00:00:00:00:0a", RTE_ETHER_TYPE_IPV6);
	test_ip6_hdr(f + 14, 0, 26, IPPROTO_UDP, 64, "2001:db8::10", "2001:db8::11");
	f[54] = 1000 >> 8, f[55] = 1000 & 0xff, f[56] = 2000 >> 8, f[57] = 2000 & 0xff;
	return 80;
}

/*
 * Frames start wherever a driver or a decapsulation left them, not on an
 * 8-byte boundary: the hash must read them with no misaligned load (UBSan
 * traps one in the ASan build) and give the same value at every offset.
 */
static void
test_nvgre_flow_hash_reads_unaligned_frames(void)
{
	struct test_udp4 tagged = base_spec;
	uint8_t f[3][2048];
	unsigned int len[3];

	len[0] = test_udp4_bytes(f[0], &base_spec);
	tagged.ntags = 1;
	len[1] = test_udp4_bytes(f[1], &tagged);
	len[2] = ipv6_bytes(f[2]);
	for (unsigned int k = 0; k < 3; k++) {
		struct rte_mbuf *m = frame_at(f[k], len[k], 0);
		uint32_t h = nvgre_flow_hash(m);

		rte_pktmbuf_free(m);
		for (unsigned int skew = 1; skew < 8; skew++) {
			m = frame_at(f[k], len[k], skew);
			CU_ASSERT_EQUAL(nvgre_flow_hash(m), h);
			rte_pktmbuf_free(m);
		}
	}
	/* The IPv6 hash covers the addresses: another destination, another hash. */
	{
		struct rte_mbuf *a = frame_at(f[2], len[2], 1), *b;

		f[2][53] = 0x12;
		b = frame_at(f[2], len[2], 1);
		CU_ASSERT_NOT_EQUAL(nvgre_flow_hash(a), nvgre_flow_hash(b));
		rte_pktmbuf_free(a);
		rte_pktmbuf_free(b);
	}
}

static void
test_nvgre_flow_hash_is_stable_per_flow(void)
{
	struct test_udp4 s = base_spec, v;
	uint32_t h = hash_of(&s);

	/* Same flow, different per-packet fields: same hash. */
	v = s, v.ip_id = 999, v.ttl = 3, v.fill = 0x11, v.len = 300;
	CU_ASSERT_EQUAL(hash_of(&v), h);
	v = s, v.ntags = 1; /* tagged or not (before or after stripping) */
	CU_ASSERT_EQUAL(hash_of(&v), h);
	v = s, v.ntags = 2;
	CU_ASSERT_EQUAL(hash_of(&v), h);
	/* Whole (hashed in place) or in pieces (hashed from a copy). */
	CU_ASSERT_EQUAL(hash_of_split(&s), h);
	v = s, v.sport = 1001;
	CU_ASSERT_EQUAL(hash_of_split(&v), hash_of(&v));
	/* Another flow: another hash. */
	v = s, v.sport = 1001;
	CU_ASSERT_NOT_EQUAL(hash_of(&v), h);
	v = s, v.dport = 2001;
	CU_ASSERT_NOT_EQUAL(hash_of(&v), h);
	/* Fragments carry no ports: all fragments of a datagram hash alike. */
	v = s, v.frag = 0x2000;
	{
		struct test_udp4 w = v;

		w.sport = 5, w.frag = 0x0010;
		CU_ASSERT_EQUAL(hash_of(&w), hash_of(&v));
	}
	/* Repeatable across calls. */
	CU_ASSERT_EQUAL(hash_of(&s), h);
	CU_ASSERT_EQUAL(nvgre_flow_id(0x12345678), 0x78);
}

/*
 * Both encapsulations of frame 'f' (untagged IPv4, as the routing stage
 * checks it) with IPv4 template 't': the inline steps the routing stage
 * takes frame by frame (nvgre_encap.h) must give what the general path
 * gives, byte for byte, with the same verdict and mbuf fields.
 */
static void
check_untagged_matches(const struct nvgre_template *t, const uint8_t *f, unsigned int len,
		       unsigned int skew)
{
	struct rte_mbuf *a = frame_at(f, len, skew), *b = frame_at(f, len, skew);
	uint8_t ra;
	uint16_t na = nvgre_encap_bulk(&a, 1, t, &ra);
	enum nvgre_encap_reason rb =
		nvgre_encap_untagged(b, t, nvgre_flow_hash_checked_ipv4(b), false);

	CU_ASSERT_EQUAL(na, rb == NVGRE_ENCAP_OK);
	CU_ASSERT_EQUAL(ra, rb);
	CU_ASSERT_EQUAL_FATAL(rte_pktmbuf_pkt_len(a), rte_pktmbuf_pkt_len(b));
	CU_ASSERT_EQUAL(memcmp(rte_pktmbuf_mtod(a, void *), rte_pktmbuf_mtod(b, void *),
			       rte_pktmbuf_pkt_len(a)), 0);
	CU_ASSERT_EQUAL(a->ol_flags, b->ol_flags);
	CU_ASSERT_EQUAL(a->tx_offload, b->tx_offload);
	rte_pktmbuf_free(a);
	rte_pktmbuf_free(b);
}

static void
test_nvgre_encap_untagged_matches_the_general_path(void)
{
	struct nvgre_template_params p;
	struct nvgre_template t;
	struct test_udp4 s = base_spec;
	uint8_t f[1600];
	unsigned int len;

	golden_params(&p);
	CU_ASSERT_EQUAL_FATAL(nvgre_template_build(&t, &p), 0);
	/* UDP at sizes up to the tunnel's MTU and one byte past it, at any alignment. */
	for (s.len = 60; s.len <= 1474; s.len += s.len < 1400 ? 97 : 1) {
		len = test_udp4_bytes(f, &s);
		check_untagged_matches(&t, f, len, s.len % 8);
	}
	/* A fragment: no ports in the hash. */
	s = base_spec, s.frag = 0x2000;
	len = test_udp4_bytes(f, &s);
	check_untagged_matches(&t, f, len, 0);
	/* No ports in the frame at all (34 bytes: Ethernet + IPv4 header). */
	s = base_spec;
	len = test_udp4_bytes(f, &s);
	check_untagged_matches(&t, f, 34, 0);
	/* Not TCP, UDP or SCTP: ICMP's first bytes are not ports. */
	f[23] = IPPROTO_ICMP;
	check_untagged_matches(&t, f, len, 0);
	/* Options (IHL 6): the ports lie 4 bytes further on. */
	len = test_udp4_bytes(f, &s);
	memmove(f + 38, f + 34, len - 34);
	memset(f + 34, 1, 4); /* four no-operation options */
	f[14] = 0x46;
	check_untagged_matches(&t, f, len + 4, 3);
}

/* Decapsulation of crafted frames. */

/* Our encap of the base inner frame towards 198.51.100.2, as bytes. */
static unsigned int
encapped(uint8_t *f)
{
	struct nvgre_template_params p;
	struct nvgre_template t;
	struct rte_mbuf *m;
	unsigned int len;

	golden_params(&p);
	nvgre_template_build(&t, &p);
	m = test_udp4_frame(pool, &base_spec);
	nvgre_encap_one(m, &t, 0x7b);
	len = rte_pktmbuf_pkt_len(m);
	memcpy(f, rte_pktmbuf_mtod(m, uint8_t *), len);
	rte_pktmbuf_free(m);
	return len;
}

static const struct nvgre_pa_set our_pas = { .nb_pa = 2,
					     .pa = { RTE_BE32(0x0a000001), RTE_BE32(0xc6336402) } };

static enum nvgre_decap_reason
decap_bytes(const uint8_t *f, unsigned int len, unsigned int flags, uint64_t ol_flags,
	    struct nvgre_decap_info *info)
{
	struct rte_mbuf *m = test_mbuf_of(pool, f, len);
	enum nvgre_decap_reason r;

	m->ol_flags = ol_flags;
	r = nvgre_decap_check(m, &our_pas, flags, info);
	rte_pktmbuf_free(m);
	return r;
}

/* Decap 'f' after setting byte 'off' to 'v'. */
static enum nvgre_decap_reason
decap_with(const uint8_t *f, unsigned int len, unsigned int off, uint8_t v)
{
	uint8_t g[256];
	struct nvgre_decap_info info;

	memcpy(g, f, len);
	g[off] = v;
	return decap_bytes(g, len, 0, 0, &info);
}

static void
test_nvgre_decap_round_trip_of_our_encap(void)
{
	uint8_t f[256], inner[64];
	unsigned int len = encapped(f);
	struct nvgre_decap_info info;
	struct rte_mbuf *m;

	test_udp4_bytes(inner, &base_spec);
	m = test_mbuf_of(pool, f, len);
	CU_ASSERT_EQUAL_FATAL(nvgre_decap_check(m, &our_pas, NVGRE_DECAP_F_VERIFY_CSUM, &info),
			      NVGRE_DECAP_OK);
	CU_ASSERT_EQUAL(info.vsid, 0x123456);
	CU_ASSERT_EQUAL(info.flow_id, 0x7b);
	CU_ASSERT(ovl_ip_eq(&info.src_pa, tip4(test_ip4(192, 0, 2, 1))));
	CU_ASSERT(ovl_ip_eq(&info.dst_pa, tip4(test_ip4(198, 51, 100, 2))));
	CU_ASSERT_EQUAL(info.inner_off, 42);
	CU_ASSERT_EQUAL(info.inner_len, 64);
	CU_ASSERT_EQUAL(nvgre_decap_strip(m, &info), 0);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), 64);
	CU_ASSERT_EQUAL(memcmp(rte_pktmbuf_mtod(m, uint8_t *), inner, 64), 0);
	rte_pktmbuf_free(m);
}

static void
test_nvgre_decap_refuses_each_bad_field(void)
{
	uint8_t f[256];
	unsigned int len = encapped(f);
	struct nvgre_decap_info info;

	CU_ASSERT_EQUAL(decap_with(f, len, 12, 0x86), NVGRE_DECAP_NOT_IP);  /* EtherType 0x86dd */
	CU_ASSERT_EQUAL(decap_with(f, len, 14, 0x44), NVGRE_DECAP_MALFORMED); /* IHL 4 */
	CU_ASSERT_EQUAL(decap_with(f, len, 14, 0x65), NVGRE_DECAP_MALFORMED); /* version 6 */
	CU_ASSERT_EQUAL(decap_with(f, len, 16, 0x0f), NVGRE_DECAP_MALFORMED); /* total > frame */
	CU_ASSERT_EQUAL(decap_with(f, len, 17, 41),
			NVGRE_DECAP_MALFORMED); /* no room for inner eth */
	CU_ASSERT_EQUAL(decap_with(f, len, 33, 0x03),
			NVGRE_DECAP_NOT_OUR_PA);			      /* dst 198.51.100.3 */
	CU_ASSERT_EQUAL(decap_with(f, len, 23, 17), NVGRE_DECAP_NOT_GRE);     /* UDP */
	CU_ASSERT_EQUAL(decap_with(f, len, 20, 0x60), NVGRE_DECAP_FRAGMENT);  /* DF + MF */
	CU_ASSERT_EQUAL(decap_with(f, len, 21, 0x01), NVGRE_DECAP_FRAGMENT);  /* offset 8 */
	CU_ASSERT_EQUAL(decap_with(f, len, 20, 0x00), NVGRE_DECAP_OK);	      /* DF clear: legal */
	CU_ASSERT_EQUAL(decap_with(f, len, 34, 0xa0), NVGRE_DECAP_BAD_FLAGS); /* C + K */
	CU_ASSERT_EQUAL(decap_with(f, len, 34, 0x60), NVGRE_DECAP_BAD_FLAGS); /* R + K */
	CU_ASSERT_EQUAL(decap_with(f, len, 34, 0x30), NVGRE_DECAP_BAD_FLAGS); /* K + S */
	CU_ASSERT_EQUAL(decap_with(f, len, 34, 0x00), NVGRE_DECAP_BAD_FLAGS); /* no key */
	CU_ASSERT_EQUAL(decap_with(f, len, 35, 0x08), NVGRE_DECAP_BAD_FLAGS); /* reserved0 */
	CU_ASSERT_EQUAL(decap_with(f, len, 35, 0x01), NVGRE_DECAP_BAD_VERSION); /* GRE v1 */
	CU_ASSERT_EQUAL(decap_with(f, len, 36, 0x08), NVGRE_DECAP_BAD_PROTO);	/* 0x0858 */
	CU_ASSERT_EQUAL(decap_with(f, len, 38, 0x00), NVGRE_DECAP_OK); /* VSID 0x003456: usable */
	{
		uint8_t g[256];

		memcpy(g, f, len);
		g[38] = 0x00, g[39] = 0x0f, g[40] = 0xff; /* VSID 0xfff */
		CU_ASSERT_EQUAL(decap_bytes(g, len, 0, 0, &info), NVGRE_DECAP_RESERVED_VSID);
		g[39] = 0x10, g[40] = 0x00; /* 0x1000: the first usable */
		CU_ASSERT_EQUAL(decap_bytes(g, len, 0, 0, &info), NVGRE_DECAP_OK);
		g[38] = g[39] = g[40] = 0xff; /* vendor-reserved */
		CU_ASSERT_EQUAL(decap_bytes(g, len, 0, 0, &info), NVGRE_DECAP_RESERVED_VSID);
	}
	CU_ASSERT_EQUAL(decap_with(f, len, 54, 0x81), NVGRE_DECAP_INNER_VLAN); /* 0x8100 */
	CU_ASSERT_EQUAL(decap_with(f, len, 54, 0x88), NVGRE_DECAP_OK); /* 0x8800: not a tag */
	{
		uint8_t g[256];

		memcpy(g, f, len);
		g[54] = 0x88, g[55] = 0xa8;
		CU_ASSERT_EQUAL(decap_bytes(g, len, 0, 0, &info), NVGRE_DECAP_INNER_VLAN);
		/* Checksum: a NIC verdict of bad always drops; software check on request. */
		memcpy(g, f, len);
		CU_ASSERT_EQUAL(decap_bytes(g, len, 0, RTE_MBUF_F_RX_IP_CKSUM_BAD, &info),
				NVGRE_DECAP_BAD_CHECKSUM);
		g[25] ^= 1;
		CU_ASSERT_EQUAL(decap_bytes(g, len, NVGRE_DECAP_F_VERIFY_CSUM, 0, &info),
				NVGRE_DECAP_BAD_CHECKSUM);
		CU_ASSERT_EQUAL(decap_bytes(g, len, 0, 0, &info), NVGRE_DECAP_OK);
		CU_ASSERT_EQUAL(decap_bytes(g, len, NVGRE_DECAP_F_VERIFY_CSUM,
					    RTE_MBUF_F_RX_IP_CKSUM_GOOD, &info),
				NVGRE_DECAP_OK);
	}
}

static void
test_nvgre_decap_accepts_outer_options_and_padding(void)
{
	uint8_t f[256], g[256];
	unsigned int len = encapped(f);
	struct nvgre_decap_info info;
	struct rte_mbuf *m;

	/* IHL 6 with one word of NOP options; total_length grows by 4. */
	memcpy(g, f, 34);
	memset(g + 34, 0x01, 4);
	memcpy(g + 38, f + 34, len - 34);
	g[14] = 0x46;
	g[17] = (uint8_t)(g[17] + 4);
	CU_ASSERT_EQUAL(decap_bytes(g, len + 4, 0, 0, &info), NVGRE_DECAP_OK);
	CU_ASSERT_EQUAL(info.inner_off, 46);
	CU_ASSERT_EQUAL(info.inner_len, 64);
	/* Trailing padding after the IP packet is not part of the inner frame. */
	memset(f + len, 0xee, 10);
	m = test_mbuf_of(pool, f, len + 10);
	CU_ASSERT_EQUAL_FATAL(nvgre_decap_check(m, &our_pas, 0, &info), NVGRE_DECAP_OK);
	CU_ASSERT_EQUAL(nvgre_decap_strip(m, &info), 0);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), 64);
	rte_pktmbuf_free(m);
}

static void
test_nvgre_decap_every_truncation_is_malformed(void)
{
	uint8_t f[256];
	unsigned int len = encapped(f);
	struct nvgre_decap_info info;

	for (unsigned int cut = 0; cut < len; cut++)
		CU_ASSERT_EQUAL(decap_bytes(f, cut, 0, 0, &info), NVGRE_DECAP_MALFORMED);
	CU_ASSERT_EQUAL(decap_bytes(f, len, 0, 0, &info), NVGRE_DECAP_OK);
}

static void
test_nvgre_decap_reads_across_segments(void)
{
	uint8_t f[256];
	unsigned int len = encapped(f);
	struct nvgre_decap_info info;
	struct rte_mbuf *head = test_mbuf_of(pool, f, 20), *tail = test_mbuf_of(pool, f + 20, len - 20);

	CU_ASSERT_EQUAL_FATAL(rte_pktmbuf_chain(head, tail), 0);
	CU_ASSERT_EQUAL(nvgre_decap_check(head, &our_pas, NVGRE_DECAP_F_VERIFY_CSUM, &info),
			NVGRE_DECAP_OK);
	CU_ASSERT_EQUAL(info.vsid, 0x123456);
	/* Stripping needs the outer headers in the first segment. */
	CU_ASSERT_EQUAL(nvgre_decap_strip(head, &info), -EINVAL);
	rte_pktmbuf_free(head);
}

static void
test_nvgre_reason_names(void)
{
	CU_ASSERT_STRING_EQUAL(nvgre_decap_reason_name(NVGRE_DECAP_NOT_OUR_PA),
			       "drop_nvgre_not_our_pa");
	CU_ASSERT_STRING_EQUAL(nvgre_decap_reason_name(NVGRE_DECAP_BAD_FLAGS),
			       "drop_nvgre_bad_flags");
	CU_ASSERT_STRING_EQUAL(nvgre_decap_reason_name(NVGRE_DECAP_UNKNOWN_VSID),
			       "drop_nvgre_unknown_vsid");
	CU_ASSERT_STRING_EQUAL(nvgre_decap_reason_name(NVGRE_DECAP_FRAGMENT),
			       "drop_nvgre_fragment");
	CU_ASSERT_STRING_EQUAL(nvgre_decap_reason_name(NVGRE_DECAP_INNER_VLAN),
			       "drop_nvgre_inner_vlan");
	CU_ASSERT_STRING_EQUAL(nvgre_decap_reason_name(NVGRE_DECAP_MALFORMED), "drop_malformed");
	CU_ASSERT_STRING_EQUAL(nvgre_encap_reason_name(NVGRE_ENCAP_TOO_BIG), "drop_nvgre_too_big");
	CU_ASSERT_STRING_EQUAL(nvgre_decap_reason_name(NVGRE_DECAP_MAX), "?");
	/* Broken NVGRE is a drop_*; the provider network's own traffic is uplink_*. */
	CU_ASSERT_STRING_EQUAL(nvgre_decap_reason_name(NVGRE_DECAP_NOT_IP), "uplink_not_ip");
	CU_ASSERT_STRING_EQUAL(nvgre_decap_reason_name(NVGRE_DECAP_NOT_GRE), "uplink_not_gre");
	for (int i = 1; i < NVGRE_DECAP_MAX; i++)
		if (i != NVGRE_DECAP_NOT_IP && i != NVGRE_DECAP_NOT_GRE)
			CU_ASSERT_EQUAL(strncmp(nvgre_decap_reason_name(i), "drop_", 5), 0);
	for (int i = 1; i < NVGRE_ENCAP_MAX; i++)
		CU_ASSERT_EQUAL(strncmp(nvgre_encap_reason_name(i), "drop_", 5), 0);
}

int
main(int argc, char **argv)
{
	CU_pSuite s;
	int ret;

	(void)argc;
	pool = test_eal_pool(argv[0], "nvgre_test", 1024);
	if (pool == NULL || CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("nvgre_encap", NULL, NULL);
	CU_add_test(s, "template bytes",
		    test_nvgre_template_bytes_are_rfc7637_with_per_frame_fields_zero);
	CU_add_test(s, "template refuses reserved vsid",
		    test_nvgre_template_refuses_reserved_vsid_and_bad_input);
	CU_add_test(s, "encap golden bytes", test_nvgre_encap_matches_golden_bytes);
	CU_add_test(s, "encap checksum every length",
		    test_nvgre_encap_checksum_is_right_for_every_length);
	CU_add_test(s, "encap strips inner vlan", test_nvgre_encap_strips_inner_vlan_tags);
	CU_add_test(s, "encap uplink mtu", test_nvgre_encap_enforces_uplink_mtu);
	CU_add_test(s, "encap no headroom", test_nvgre_encap_without_headroom_is_refused);
	CU_add_test(s, "encap clone", test_nvgre_encap_clone_shares_payload_and_leaves_original);
	CU_add_test(s, "encap untagged (inline) matches general",
		    test_nvgre_encap_untagged_matches_the_general_path);
	CU_add_test(s, "flow hash stable per flow", test_nvgre_flow_hash_is_stable_per_flow);
	CU_add_test(s, "flow hash reads unaligned frames", test_nvgre_flow_hash_reads_unaligned_frames);
	s = CU_add_suite("nvgre_decap", NULL, NULL);
	CU_add_test(s, "round trip", test_nvgre_decap_round_trip_of_our_encap);
	CU_add_test(s, "each bad field", test_nvgre_decap_refuses_each_bad_field);
	CU_add_test(s, "outer options and padding",
		    test_nvgre_decap_accepts_outer_options_and_padding);
	CU_add_test(s, "every truncation", test_nvgre_decap_every_truncation_is_malformed);
	CU_add_test(s, "across segments", test_nvgre_decap_reads_across_segments);
	CU_add_test(s, "reason names", test_nvgre_reason_names);
	ret = test_run_suites();
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return ret;
}
