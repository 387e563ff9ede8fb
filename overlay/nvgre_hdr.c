/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NVGRE header work: templates, encapsulation, the inner-flow hash and the
 * classification of uplink frames.  Nothing here reads a table; the caller
 * passes what it needs (a template, our PA set), so every function is a pure
 * step that the pipeline can run on any worker.
 */
#include "nvgre.h"

#include <errno.h>
#include <string.h>

#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "crc32c.h"
#include "nvgre_encap.h"

#define VSW_NVGRE_STR(name, str) str,

static const char *const encap_names[NVGRE_ENCAP_MAX] = { NVGRE_ENCAP_REASONS(VSW_NVGRE_STR) };
static const char *const decap_names[NVGRE_DECAP_MAX] = { NVGRE_DECAP_REASONS(VSW_NVGRE_STR) };

#define VLAN_TAG_LEN  4u  /* TPID + TCI */
#define MAX_VLAN_TAGS 2u  /* 802.1ad S-tag + 802.1Q C-tag */
#define IPV4_MIN_MTU  68u /* RFC 791: every IPv4 host must pass this without fragmenting */
#define IPV4_DF	      0x4000u

/* The longest outer header decap reads: Ethernet, IPv4 with options, GRE, inner Ethernet + tag. */
#define DECAP_PEEK_LEN \
	(RTE_ETHER_HDR_LEN + 60u + NVGRE_GRE_HDR_LEN + RTE_ETHER_HDR_LEN + VLAN_TAG_LEN)

const char *
nvgre_encap_reason_name(enum nvgre_encap_reason r)
{
	return (unsigned int)r < NVGRE_ENCAP_MAX ? encap_names[r] : "?";
}

const char *
nvgre_decap_reason_name(enum nvgre_decap_reason r)
{
	return (unsigned int)r < NVGRE_DECAP_MAX ? decap_names[r] : "?";
}

static inline bool
is_vlan_tpid(uint16_t be_type)
{
	return be_type == RTE_BE16(RTE_ETHER_TYPE_VLAN) ||
	       be_type == RTE_BE16(RTE_ETHER_TYPE_QINQ) ||
	       be_type == RTE_BE16(RTE_ETHER_TYPE_QINQ1);
}

static inline uint16_t
get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void
put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static bool
ip_usable(rte_be32_t ip)
{
	uint32_t h = rte_be_to_cpu_32(ip);

	/* 0.0.0.0/8, multicast and above, and the limited broadcast are never a tunnel end. */
	return (h >> 24) != 0 && (h >> 28) < 0xe;
}

static bool
ip6_usable(const uint8_t *ip)
{
	static const uint8_t zero[OVL_IP6_LEN];

	/* Unspecified, multicast (ff00::/8) and link-local (fe80::/10) never end a tunnel. */
	return memcmp(ip, zero, OVL_IP6_LEN) != 0 && ip[0] != 0xff &&
	       !(ip[0] == 0xfe && (ip[1] & 0xc0) == 0x80);
}

static bool
pa_usable(const struct ovl_ip *pa)
{
	if (pa->family == AF_INET6)
		return ip6_usable(pa->v6);
	return pa->family == AF_INET && ip_usable(pa->v4);
}

static bool
mac_usable(const struct rte_ether_addr *mac)
{
	return rte_is_unicast_ether_addr(mac) && !rte_is_zero_ether_addr(mac);
}

/* The GRE header with the key's VSID; FlowID zero, patched per frame. */
static void
gre_build(uint8_t *gre, uint32_t vsid)
{
	put_be16(gre, NVGRE_GRE_FLAGS);
	put_be16(gre + 2, NVGRE_GRE_PROTO);
	gre[4] = (uint8_t)(vsid >> 16);
	gre[5] = (uint8_t)(vsid >> 8);
	gre[6] = (uint8_t)vsid;
	gre[7] = 0;
}

/* The IPv6 half of nvgre_template_build(): Ethernet already written. */
static int
template_build6(struct nvgre_template *t, const struct nvgre_template_params *p)
{
	struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(t->hdr + NVGRE_OFF_IP);

	if (p->mtu < IPV4_MIN_MTU + NVGRE_MTU_OVERHEAD6)
		return -ERANGE;
	((struct rte_ether_hdr *)t->hdr)->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	ip6->vtc_flow = RTE_BE32(6u << 28); /* traffic class 0; flow label patched per frame */
	ip6->payload_len = 0;		    /* patched per frame */
	ip6->proto = NVGRE_IPPROTO_GRE;
	ip6->hop_limits = NVGRE_OUTER_TTL;
	memcpy(ip6->src_addr, p->src_pa.v6, OVL_IP6_LEN);
	memcpy(ip6->dst_addr, p->dst_pa.v6, OVL_IP6_LEN);
	gre_build(t->hdr + NVGRE_OFF_GRE6, p->vsid);
	t->hdr_len = NVGRE_ENCAP_LEN6;
	t->is6 = 1;
	return 0;
}

int
nvgre_template_build(struct nvgre_template *t, const struct nvgre_template_params *p)
{
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	int ret;

	if (!nvgre_vsid_is_valid(p->vsid) || !pa_usable(&p->src_pa) || !pa_usable(&p->dst_pa) ||
	    p->src_pa.family != p->dst_pa.family || !mac_usable(&p->src_mac) ||
	    !mac_usable(&p->dst_mac))
		return -EINVAL;
	if (p->mtu < IPV4_MIN_MTU + NVGRE_MTU_OVERHEAD)
		return -ERANGE;

	memset(t, 0, sizeof(*t));
	eth = (struct rte_ether_hdr *)t->hdr;
	rte_ether_addr_copy(&p->dst_mac, &eth->dst_addr);
	rte_ether_addr_copy(&p->src_mac, &eth->src_addr);
	t->mtu = p->mtu;
	t->vsid = p->vsid;
	t->src_pa = p->src_pa;
	t->dst_pa = p->dst_pa;
	if (p->dst_pa.family == AF_INET6) {
		ret = template_build6(t, p);
		if (ret != 0)
			memset(t, 0, sizeof(*t));
		return ret;
	}
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	t->hdr_len = NVGRE_ENCAP_LEN;

	ip = (struct rte_ipv4_hdr *)(t->hdr + NVGRE_OFF_IP);
	ip->version_ihl = RTE_IPV4_VHL_DEF; /* version 4, 5 words */
	ip->type_of_service = 0;
	ip->total_length = 0; /* patched per frame */
	ip->packet_id = 0;    /* DF: an atomic datagram needs no unique id */
	ip->fragment_offset = RTE_BE16(IPV4_DF);
	ip->time_to_live = NVGRE_OUTER_TTL;
	ip->next_proto_id = NVGRE_IPPROTO_GRE;
	ip->hdr_checksum = 0; /* patched per frame */
	ip->src_addr = p->src_pa.v4;
	ip->dst_addr = p->dst_pa.v4;
	gre_build(t->hdr + NVGRE_OFF_GRE, p->vsid);

	/*
	 * Sum the header as it will be sent minus the two per-frame fields.
	 * Ones'-complement addition commutes, so adding the frame's
	 * total_length later gives the same sum as summing the final header.
	 */
	t->csum_base = __rte_raw_cksum_reduce(__rte_raw_cksum(ip, NVGRE_IPV4_HDR_LEN, 0));
	return 0;
}

int
nvgre_strip_vlan(struct rte_mbuf *m)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	uint16_t len = rte_pktmbuf_data_len(m);
	uint16_t tags = 0;
	uint16_t type;

	if (unlikely(len < RTE_ETHER_HDR_LEN))
		return -EINVAL;
	memcpy(&type, p + 2 * RTE_ETHER_ADDR_LEN, sizeof(type));
	while (is_vlan_tpid(type)) {
		if (tags == MAX_VLAN_TAGS)
			return -EINVAL;
		tags++;
		if (len < RTE_ETHER_HDR_LEN + tags * VLAN_TAG_LEN)
			return -EINVAL;
		memcpy(&type, p + 2 * RTE_ETHER_ADDR_LEN + tags * VLAN_TAG_LEN, sizeof(type));
	}
	if (tags > 0) {
		/* Slide the two MAC addresses over the tags, then drop the front. */
		memmove(p + tags * VLAN_TAG_LEN, p, 2 * RTE_ETHER_ADDR_LEN);
		rte_pktmbuf_adj(m, (uint16_t)(tags * VLAN_TAG_LEN));
	}
	m->ol_flags &= ~NVGRE_VLAN_OFFLOAD_FLAGS;
	return 0;
}

/*
 * nvgre_strip_vlan() for the frame nearly every tenant sends, one without a
 * tag, except that the caller clears the VLAN offload flags (with the rest
 * it clears, in one write).
 */
static inline int
strip_vlan(struct rte_mbuf *m)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint16_t type;

	if (unlikely(rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN))
		return -EINVAL;
	memcpy(&type, p + 2 * RTE_ETHER_ADDR_LEN, sizeof(type));
	if (unlikely(type != RTE_BE16(RTE_ETHER_TYPE_IPV4)) && is_vlan_tpid(type))
		return nvgre_strip_vlan(m);
	return 0;
}

/* write_outer() for an IPv6 template: payload length, flow label, FlowID; no checksum. */
void
nvgre_write_outer6(uint8_t *hdr, const struct nvgre_template *t, uint16_t total, uint32_t flow_hash)
{
	rte_be16_t plen = rte_cpu_to_be_16((uint16_t)(total - NVGRE_IPV6_HDR_LEN));
	rte_be32_t vtc_flow = rte_cpu_to_be_32(6u << 28 | nvgre_flow_label(flow_hash));

	memcpy(hdr, t->hdr, NVGRE_ENCAP_LEN6);
	memcpy(hdr + NVGRE_OFF_IP6_FLOW, &vtc_flow, sizeof(vtc_flow));
	memcpy(hdr + NVGRE_OFF_IP6_PLEN, &plen, sizeof(plen));
	hdr[NVGRE_OFF_FLOW_ID6] = nvgre_flow_id(flow_hash);
}

/*
 * Copy the template into 'hdr' and patch the per-frame fields for an outer
 * IP packet of 'total' bytes.  The family was chosen when the template was
 * built; an IPv4 tunnel pays one predictable branch for the choice.
 */
static inline void
write_outer(uint8_t *hdr, const struct nvgre_template *t, uint16_t total, uint32_t flow_hash)
{
	if (unlikely(t->is6))
		nvgre_write_outer6(hdr, t, total, flow_hash);
	else
		nvgre_write_outer4(hdr, t, total, flow_hash);
}

/*
 * The outer IP packet's length for an inner frame of 'inner_len' behind
 * 'hdr_len' bytes of outer headers (the template's), or 0 if it exceeds the
 * template's MTU.
 */
static inline uint16_t
outer_total(uint32_t inner_len, const struct nvgre_template *t, uint32_t hdr_len)
{
	uint32_t total = inner_len + hdr_len - RTE_ETHER_HDR_LEN;

	return total > t->mtu ? 0 : (uint16_t)total;
}

/* nvgre_encap_one(), inline for nvgre_encap_bulk()'s loop. */
static __rte_always_inline enum nvgre_encap_reason
encap_one(struct rte_mbuf *m, const struct nvgre_template *t, uint32_t flow_hash)
{
	if (unlikely(strip_vlan(m) != 0))
		return NVGRE_ENCAP_MALFORMED;
	if (unlikely(t->is6))
		return nvgre_encap_untagged(m, t, flow_hash, true);
	return nvgre_encap_untagged(m, t, flow_hash, false);
}

struct rte_mbuf *
nvgre_encap_clone(struct rte_mbuf *m, struct rte_mempool *pool, const struct nvgre_template *t,
		  uint32_t flow_hash, enum nvgre_encap_reason *reason)
{
	struct rte_mbuf *h, *c;
	uint16_t total;
	uint8_t *hdr;

	if (unlikely(rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN)) {
		*reason = NVGRE_ENCAP_MALFORMED;
		return NULL;
	}
	total = outer_total(rte_pktmbuf_pkt_len(m), t, t->hdr_len);
	if (unlikely(total == 0)) {
		*reason = NVGRE_ENCAP_TOO_BIG;
		return NULL;
	}
	h = rte_pktmbuf_alloc(pool);
	if (unlikely(h == NULL))
		goto no_mbuf;
	c = rte_pktmbuf_clone(m, pool);
	if (unlikely(c == NULL))
		goto free_h;
	hdr = (uint8_t *)rte_pktmbuf_append(h, t->hdr_len);
	if (unlikely(hdr == NULL) || rte_pktmbuf_chain(h, c) != 0)
		goto free_c;
	write_outer(hdr, t, total, flow_hash);
	h->port = m->port;
	h->l2_len = RTE_ETHER_HDR_LEN;
	h->l3_len = (uint64_t)(t->hdr_len - RTE_ETHER_HDR_LEN - NVGRE_GRE_HDR_LEN) & 0x1ff;
	*reason = NVGRE_ENCAP_OK;
	return h;

free_c:
	rte_pktmbuf_free(c);
free_h:
	rte_pktmbuf_free(h);
no_mbuf:
	*reason = NVGRE_ENCAP_NO_MBUF;
	return NULL;
}

/*
 * rte_hash_crc() of the 'len' bytes at 'p', the same value, at any alignment:
 * rte_hash_crc() loads 8 bytes at a time through a cast, which is undefined
 * on packet data that is not 8-byte aligned (UBSan traps it).  memcpy()
 * compiles to the same plain loads on x86.
 */
static inline uint32_t
hash_bytes(const uint8_t *p, uint32_t len, uint32_t h)
{
	uint64_t v8;
	uint32_t v4;
	uint16_t v2;

	for (; len >= sizeof(v8); len -= sizeof(v8), p += sizeof(v8)) {
		memcpy(&v8, p, sizeof(v8));
		h = rte_hash_crc_8byte(v8, h);
	}
	if (len & sizeof(v4)) {
		memcpy(&v4, p, sizeof(v4));
		h = rte_hash_crc_4byte(v4, h);
		p += sizeof(v4);
	}
	if (len & sizeof(v2)) {
		memcpy(&v2, p, sizeof(v2));
		h = rte_hash_crc_2byte(v2, h);
		p += sizeof(v2);
	}
	if (len & 1)
		h = rte_hash_crc_1byte(*p, h);
	return h;
}

/*
 * The frame nearly every tenant sends, untagged IPv4 without options with its
 * ports in the first segment, hashed in place: the value the general path
 * below computes, without copying the headers out or walking tags.
 * @return false for any other frame.
 */
static inline bool
flow_hash_plain_ipv4(const struct rte_mbuf *m, uint32_t *hash)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(p + RTE_ETHER_HDR_LEN);

	if (rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN + sizeof(*ip) + sizeof(uint32_t) ||
	    get_be16(p + 2 * RTE_ETHER_ADDR_LEN) != RTE_ETHER_TYPE_IPV4 || ip->version_ihl != 0x45)
		return false;
	*hash = nvgre_hash_ipv4(ip, (const uint8_t *)(ip + 1), sizeof(uint32_t));
	return true;
}

/* Any frame: tags skipped, whatever the segments.  Out of line, so the fast path's call stays cheap. */
static __rte_noinline uint32_t
flow_hash_any(const struct rte_mbuf *m)
{
	/* Ethernet + 2 tags + IPv6 header + ports: enough for every field we hash. */
	uint8_t buf[RTE_ETHER_HDR_LEN + MAX_VLAN_TAGS * VLAN_TAG_LEN + 40 + 4];
	uint32_t len = RTE_MIN((uint32_t)sizeof(buf), rte_pktmbuf_pkt_len(m));
	const uint8_t *p = rte_pktmbuf_read(m, 0, len, buf);
	uint32_t off = 2 * RTE_ETHER_ADDR_LEN, h;
	uint16_t type;

	if (p == NULL || len < RTE_ETHER_HDR_LEN)
		return 0;
	type = get_be16(p + off);
	for (unsigned int i = 0; i < MAX_VLAN_TAGS && is_vlan_tpid(rte_cpu_to_be_16(type)); i++) {
		off += VLAN_TAG_LEN;
		if (off + 2 > len)
			return hash_bytes(p, 2 * RTE_ETHER_ADDR_LEN, 0);
		type = get_be16(p + off);
	}
	off += 2;
	if (type == RTE_ETHER_TYPE_IPV4 && off + sizeof(struct rte_ipv4_hdr) <= len) {
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(p + off);
		uint32_t ihl = (uint32_t)(ip->version_ihl & 0xf) * 4;

		if (ihl < sizeof(*ip) || off + ihl > len)
			ihl = len - off; /* no ports to hash */
		return nvgre_hash_ipv4(ip, p + off + ihl, len - off - ihl);
	}
	if (type == RTE_ETHER_TYPE_IPV6 && off + sizeof(struct rte_ipv6_hdr) <= len) {
		const struct rte_ipv6_hdr *ip6 = (const struct rte_ipv6_hdr *)(p + off);
		uint32_t l4 = off + (uint32_t)sizeof(*ip6);

		h = hash_bytes(ip6->src_addr, sizeof(ip6->src_addr), ip6->proto);
		h = hash_bytes(ip6->dst_addr, sizeof(ip6->dst_addr), h);
		/* Extension headers are not walked: such flows hash on addresses only. */
		return h ^ nvgre_hash_ports(ip6->proto, p + l4, len - l4);
	}
	/* Not IP: the MACs and the EtherType are all there is. */
	return rte_hash_crc_2byte(type, hash_bytes(p, 2 * RTE_ETHER_ADDR_LEN, 0));
}

static __rte_always_inline uint32_t
flow_hash(const struct rte_mbuf *m)
{
	uint32_t h;

	if (likely(flow_hash_plain_ipv4(m, &h)))
		return h;
	return flow_hash_any(m);
}

uint32_t
nvgre_flow_hash(const struct rte_mbuf *m)
{
	return flow_hash(m);
}

enum nvgre_encap_reason
nvgre_encap_one(struct rte_mbuf *m, const struct nvgre_template *t, uint32_t flow_hash)
{
	return encap_one(m, t, flow_hash);
}

uint16_t
nvgre_encap_bulk(struct rte_mbuf **pkts, uint16_t n, const struct nvgre_template *t,
		 uint8_t *reasons)
{
	uint16_t nb_ok = 0;

	for (uint16_t i = 0; i < n; i++) {
		reasons[i] = (uint8_t)encap_one(pkts[i], t, flow_hash(pkts[i]));
		nb_ok += reasons[i] == NVGRE_ENCAP_OK;
	}
	return nb_ok;
}

/* The 24-bit VSID of a GRE header with a key (RFC 7637: the key's upper three bytes). */
static inline uint32_t
gre_vsid(const uint8_t *gre)
{
	return (uint32_t)gre[4] << 16 | (uint32_t)gre[5] << 8 | gre[6];
}

/* What an accepted frame tells, from its outer IPv4 and GRE headers. */
static inline void
decap_info_fill(struct nvgre_decap_info *info, const struct rte_ipv4_hdr *ip, const uint8_t *gre,
		uint32_t inner_off, uint32_t inner_len)
{
	info->vsid = gre_vsid(gre);
	info->flow_id = gre[7];
	info->bd = 0;
	info->src_pa.family = AF_INET;
	info->src_pa.v4 = ip->src_addr;
	info->dst_pa.family = AF_INET;
	info->dst_pa.v4 = ip->dst_addr;
	info->inner_off = (uint16_t)inner_off;
	info->inner_len = (uint16_t)inner_len;
}

/* Outer Ethernet, IPv4 without options, GRE with a key, inner Ethernet. */
#define PLAIN_INNER_OFF (RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr) + NVGRE_GRE_HDR_LEN)

/*
 * The frame nearly every peer sends, IPv4 without options with all headers
 * in the first segment, accepted in place with a few combined compares.
 * @return false for anything else, or anything wrong: the general check then
 *   decides, and names the reason.
 */
static inline bool
decap_plain_ok(const struct rte_mbuf *m, const struct nvgre_pa_set *local, unsigned int flags,
	       struct nvgre_decap_info *info)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(p + RTE_ETHER_HDR_LEN);
	const uint8_t *gre = (const uint8_t *)(ip + 1);
	uint32_t total, gre_word;
	uint16_t type, inner_type;

	if (rte_pktmbuf_data_len(m) < PLAIN_INNER_OFF + RTE_ETHER_HDR_LEN ||
	    (flags & NVGRE_DECAP_F_VERIFY_CSUM) != 0 ||
	    (m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) == RTE_MBUF_F_RX_IP_CKSUM_BAD)
		return false;
	memcpy(&type, p + 2 * RTE_ETHER_ADDR_LEN, sizeof(type));
	total = rte_be_to_cpu_16(ip->total_length);
	if (type != RTE_BE16(RTE_ETHER_TYPE_IPV4) || ip->version_ihl != 0x45 ||
	    ip->next_proto_id != NVGRE_IPPROTO_GRE ||
	    (ip->fragment_offset & RTE_BE16(NVGRE_IPV4_MF_OFFSET)) != 0 ||
	    total < sizeof(*ip) + NVGRE_GRE_HDR_LEN + RTE_ETHER_HDR_LEN ||
	    RTE_ETHER_HDR_LEN + total > rte_pktmbuf_pkt_len(m))
		return false;
	memcpy(&gre_word, gre, sizeof(gre_word));
	memcpy(&inner_type, gre + NVGRE_GRE_HDR_LEN + 2 * RTE_ETHER_ADDR_LEN, sizeof(inner_type));
	if (gre_word != RTE_BE32(NVGRE_GRE_FLAGS << 16 | NVGRE_GRE_PROTO) ||
	    !nvgre_vsid_is_valid(gre_vsid(gre)) || is_vlan_tpid(inner_type) ||
	    !nvgre_pa_set_has(local, ip->dst_addr))
		return false;
	decap_info_fill(info, ip, gre, PLAIN_INNER_OFF, total - sizeof(*ip) - NVGRE_GRE_HDR_LEN);
	return true;
}

/*
 * The GRE header at 'gre_off' of the 'len' bytes read at 'p', in an IP
 * payload of 'ip_payload' bytes: the whole 8-byte header and an untagged
 * inner Ethernet header inside it, RFC 7637's flags, protocol and VSID.
 * Shared by both outer families.
 */
static enum nvgre_decap_reason
gre_check(const uint8_t *p, uint32_t len, uint32_t gre_off, uint32_t ip_payload)
{
	uint32_t inner_off = gre_off + NVGRE_GRE_HDR_LEN;
	const uint8_t *gre = p + gre_off;
	uint16_t inner_type;

	if (ip_payload < NVGRE_GRE_HDR_LEN || gre_off + 2 > len)
		return NVGRE_DECAP_MALFORMED;
	if ((gre[1] & 0x7) != 0)
		return NVGRE_DECAP_BAD_VERSION;
	if (get_be16(gre) != NVGRE_GRE_FLAGS)
		return NVGRE_DECAP_BAD_FLAGS;
	if (inner_off > len)
		return NVGRE_DECAP_MALFORMED;
	if (get_be16(gre + 2) != NVGRE_GRE_PROTO)
		return NVGRE_DECAP_BAD_PROTO;
	if (ip_payload < NVGRE_GRE_HDR_LEN + RTE_ETHER_HDR_LEN ||
	    inner_off + RTE_ETHER_HDR_LEN > len)
		return NVGRE_DECAP_MALFORMED;
	if (!nvgre_vsid_is_valid(gre_vsid(gre)))
		return NVGRE_DECAP_RESERVED_VSID;
	memcpy(&inner_type, p + inner_off + 2 * RTE_ETHER_ADDR_LEN, sizeof(inner_type));
	if (is_vlan_tpid(inner_type))
		return NVGRE_DECAP_INNER_VLAN;
	return NVGRE_DECAP_OK;
}

#define IPV6_NH_FRAGMENT 44u /* IPv6 fragment extension header */

/*
 * NVGRE over IPv6: the 'len' bytes read at 'p' of 'm' hold an Ethernet
 * header with type 0x86dd.  No extension headers: RFC 7637 senders (this
 * one too) put GRE right after the IPv6 header.
 */
static enum nvgre_decap_reason
decap_check6(const struct rte_mbuf *m, const uint8_t *p, uint32_t len,
	     const struct nvgre_pa_set *local, struct nvgre_decap_info *info)
{
	const struct rte_ipv6_hdr *ip6;
	uint32_t plen, gre_off = RTE_ETHER_HDR_LEN + NVGRE_IPV6_HDR_LEN;
	enum nvgre_decap_reason r;

	if (len < gre_off)
		return NVGRE_DECAP_MALFORMED;
	ip6 = (const struct rte_ipv6_hdr *)(p + RTE_ETHER_HDR_LEN);
	plen = rte_be_to_cpu_16(ip6->payload_len);
	if ((p[RTE_ETHER_HDR_LEN] >> 4) != 6 || gre_off + plen > rte_pktmbuf_pkt_len(m))
		return NVGRE_DECAP_MALFORMED;
	if (!nvgre_pa_set_has6(local, ip6->dst_addr))
		return NVGRE_DECAP_NOT_OUR_PA;
	if (ip6->proto == IPV6_NH_FRAGMENT)
		return NVGRE_DECAP_FRAGMENT;
	if (ip6->proto != NVGRE_IPPROTO_GRE)
		return NVGRE_DECAP_NOT_GRE;
	r = gre_check(p, len, gre_off, plen);
	if (r != NVGRE_DECAP_OK)
		return r;
	info->vsid = gre_vsid(p + gre_off);
	info->flow_id = p[gre_off + 7];
	info->bd = 0;
	info->src_pa = ovl_ip6(ip6->src_addr);
	info->dst_pa = ovl_ip6(ip6->dst_addr);
	info->inner_off = (uint16_t)(gre_off + NVGRE_GRE_HDR_LEN);
	info->inner_len = (uint16_t)(plen - NVGRE_GRE_HDR_LEN);
	return NVGRE_DECAP_OK;
}

/* Any frame, headers read across segments.  Out of line, so the fast path's call stays cheap. */
static __rte_noinline enum nvgre_decap_reason
decap_check_any(const struct rte_mbuf *m, const struct nvgre_pa_set *local, unsigned int flags,
		struct nvgre_decap_info *info)
{
	uint8_t buf[DECAP_PEEK_LEN];
	uint32_t pkt_len = rte_pktmbuf_pkt_len(m);
	uint32_t len = RTE_MIN((uint32_t)sizeof(buf), pkt_len);
	const struct rte_ipv4_hdr *ip;
	const uint8_t *p;
	uint32_t ihl, total, gre_off;
	enum nvgre_decap_reason r;
	uint16_t type;

	p = rte_pktmbuf_read(m, 0, len, buf);
	if (unlikely(p == NULL || len < RTE_ETHER_HDR_LEN))
		return NVGRE_DECAP_MALFORMED;
	memcpy(&type, p + 2 * RTE_ETHER_ADDR_LEN, sizeof(type));
	if (type == RTE_BE16(RTE_ETHER_TYPE_IPV6))
		return decap_check6(m, p, len, local, info);
	if (type != RTE_BE16(RTE_ETHER_TYPE_IPV4))
		return NVGRE_DECAP_NOT_IP;

	/* Outer IPv4: a whole header, consistent lengths, inside the frame. */
	if (len < RTE_ETHER_HDR_LEN + sizeof(*ip))
		return NVGRE_DECAP_MALFORMED;
	ip = (const struct rte_ipv4_hdr *)(p + RTE_ETHER_HDR_LEN);
	ihl = (uint32_t)(ip->version_ihl & 0xf) * 4;
	total = rte_be_to_cpu_16(ip->total_length);
	if ((ip->version_ihl >> 4) != 4 || ihl < sizeof(*ip) || total < ihl ||
	    RTE_ETHER_HDR_LEN + total > pkt_len || RTE_ETHER_HDR_LEN + ihl > len)
		return NVGRE_DECAP_MALFORMED;
	if ((m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) == RTE_MBUF_F_RX_IP_CKSUM_BAD)
		return NVGRE_DECAP_BAD_CHECKSUM;
	if ((flags & NVGRE_DECAP_F_VERIFY_CSUM) &&
	    (m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) != RTE_MBUF_F_RX_IP_CKSUM_GOOD &&
	    rte_raw_cksum(ip, ihl) != 0xffff)
		return NVGRE_DECAP_BAD_CHECKSUM;
	if (!nvgre_pa_set_has(local, ip->dst_addr))
		return NVGRE_DECAP_NOT_OUR_PA;
	if (ip->next_proto_id != NVGRE_IPPROTO_GRE)
		return NVGRE_DECAP_NOT_GRE;
	/* We never reassemble: senders set DF, so a fragment is a path that broke the rule. */
	if (rte_be_to_cpu_16(ip->fragment_offset) & NVGRE_IPV4_MF_OFFSET)
		return NVGRE_DECAP_FRAGMENT;

	gre_off = RTE_ETHER_HDR_LEN + ihl;
	r = gre_check(p, len, gre_off, total - ihl);
	if (r != NVGRE_DECAP_OK)
		return r;
	decap_info_fill(info, ip, p + gre_off, gre_off + NVGRE_GRE_HDR_LEN,
			total - ihl - NVGRE_GRE_HDR_LEN);
	return NVGRE_DECAP_OK;
}

enum nvgre_decap_reason
nvgre_decap_check(const struct rte_mbuf *m, const struct nvgre_pa_set *local, unsigned int flags,
		  struct nvgre_decap_info *info)
{
	if (likely(decap_plain_ok(m, local, flags, info)))
		return NVGRE_DECAP_OK;
	return decap_check_any(m, local, flags, info);
}
