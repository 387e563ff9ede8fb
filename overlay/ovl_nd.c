/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 neighbour discovery (RFC 4861) on the uplink: what ARP is to IPv4
 * next hops.  We solicit unresolved IPv6 next hops at their solicited-node
 * multicast address, learn from advertisements (and from solicitations that
 * carry the sender's link-layer address), and advertise our own PAs when
 * solicited.  The uplink is polled, so every frame reaches us and we join no
 * multicast group.  Router and redirect messages are not read: routes are
 * configured (route add), not discovered.  Control thread only.
 */
#include <errno.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_mbuf.h>

#include "ovl_priv.h"

#define ICMPV6_PROTO	 58u  /* IPv6 next header of ICMPv6 */
#define ND_HOP_LIMIT	 255u /* RFC 4861 7.1.1: anything else came through a router */
#define ND_OPT_SRC_LLA	 1u   /* source link-layer address option */
#define ND_OPT_TGT_LLA	 2u   /* target link-layer address option */
#define ND_MSG_LEN	 24u  /* type, code, checksum, flags/reserved, target */
#define ND_OPT_LLA_LEN	 8u   /* type, length (in 8-byte units), 6-byte MAC */
#define ND_FRAME_LEN	 (RTE_ETHER_HDR_LEN + 40u + ND_MSG_LEN + ND_OPT_LLA_LEN) /* 86 */
#define ND_NA_F_SOLICIT	 0x40u /* advertisement flags, first byte: S */
#define ND_NA_F_OVERRIDE 0x20u /* O */

/* An NS or NA message as sent and received (RFC 4861 4.3, 4.4), with one link-layer option. */
struct nd_msg {
	uint8_t type;			/**< OVL_ND_SOLICIT or OVL_ND_ADVERT */
	uint8_t code;			/**< 0 */
	rte_be16_t cksum;		/**< ICMPv6 checksum, over the IPv6 pseudo-header too */
	uint8_t flags;			/**< NA: R, S, O in the top bits; NS: reserved */
	uint8_t reserved[3];		/**< zero */
	uint8_t target[OVL_IP6_LEN];	/**< address being resolved or advertised */
	uint8_t opt_type;		/**< ND_OPT_SRC_LLA or ND_OPT_TGT_LLA */
	uint8_t opt_len;		/**< 1 (8 bytes) */
	uint8_t opt_mac[RTE_ETHER_ADDR_LEN]; /**< the link-layer address */
};

_Static_assert(sizeof(struct nd_msg) == ND_MSG_LEN + ND_OPT_LLA_LEN, "NS/NA with one option");

/* ff02::1:ffXX:XXXX, the solicited-node multicast address of 'ip' (RFC 4291 2.7.1). */
static void
solicited_node(const uint8_t *ip, uint8_t *out)
{
	static const uint8_t prefix[13] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff };

	memcpy(out, prefix, sizeof(prefix));
	memcpy(out + 13, ip + 13, 3);
}

/* Write the IPv6 header of an ND message and its checksum; 'msg' follows 'ip6'. */
static void
nd_finish(struct rte_ipv6_hdr *ip6, struct nd_msg *msg, const uint8_t *src, const uint8_t *dst)
{
	ip6->vtc_flow = RTE_BE32(6u << 28);
	ip6->payload_len = rte_cpu_to_be_16(sizeof(*msg));
	ip6->proto = ICMPV6_PROTO;
	ip6->hop_limits = ND_HOP_LIMIT;
	memcpy(ip6->src_addr, src, OVL_IP6_LEN);
	memcpy(ip6->dst_addr, dst, OVL_IP6_LEN);
	msg->cksum = 0;
	/* The UDP/TCP helper sums the pseudo-header with ip6->proto: right for ICMPv6 too. */
	msg->cksum = rte_ipv6_udptcp_cksum(ip6, msg);
}

int
ovl_nd_solicit_build(const struct ovl *ovl, struct rte_mbuf *m, const struct ovl_ip *target)
{
	const struct ovl_ip *src = ovl_pa_for_subnet(ovl, target);
	struct rte_ether_hdr *eth;
	struct rte_ipv6_hdr *ip6;
	struct nd_msg *msg;
	uint8_t dst[OVL_IP6_LEN];

	if (!ovl_ip_is6(target) || src == NULL || !ovl->has_uplink_mac)
		return -ENETUNREACH;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, ND_FRAME_LEN);
	if (eth == NULL)
		return -ENOBUFS;
	memset(eth, 0, ND_FRAME_LEN);
	ip6 = (struct rte_ipv6_hdr *)(eth + 1);
	msg = (struct nd_msg *)(ip6 + 1);
	solicited_node(target->v6, dst);
	/* 33:33 + the low 32 bits of the multicast address (RFC 2464 7). */
	eth->dst_addr.addr_bytes[0] = 0x33;
	eth->dst_addr.addr_bytes[1] = 0x33;
	memcpy(&eth->dst_addr.addr_bytes[2], dst + 12, 4);
	rte_ether_addr_copy(&ovl->uplink_mac, &eth->src_addr);
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	msg->type = OVL_ND_SOLICIT;
	memcpy(msg->target, target->v6, OVL_IP6_LEN);
	msg->opt_type = ND_OPT_SRC_LLA;
	msg->opt_len = 1;
	memcpy(msg->opt_mac, ovl->uplink_mac.addr_bytes, RTE_ETHER_ADDR_LEN);
	nd_finish(ip6, msg, src->v6, dst);
	return 0;
}

/*
 * The first link-layer address option of type 'want' among the options of
 * 'len' bytes at 'opt', or NULL.  @return -EINVAL for an option of length 0
 * (RFC 4861 4.6: the message must be discarded).
 */
static int
nd_find_lla(const uint8_t *opt, uint32_t len, uint8_t want, const struct rte_ether_addr **mac)
{
	*mac = NULL;
	while (len >= 2) {
		uint32_t olen = (uint32_t)opt[1] * 8u;

		if (olen == 0 || olen > len)
			return -EINVAL;
		if (opt[0] == want && olen >= 2 + RTE_ETHER_ADDR_LEN && *mac == NULL)
			*mac = (const struct rte_ether_addr *)(opt + 2);
		opt += olen;
		len -= olen;
	}
	return 0;
}

/* True if the ICMPv6 checksum of the 'plen' bytes at 'msg' is right (pseudo-header included). */
static bool
nd_cksum_ok(const struct rte_ipv6_hdr *ip6, const uint8_t *msg, uint32_t plen)
{
	uint32_t sum = __rte_raw_cksum(msg, plen, 0) + rte_ipv6_phdr_cksum(ip6, 0);

	return __rte_raw_cksum_reduce(sum) == 0xffff;
}

/* Turn the solicitation in 'm' into our advertisement of 'target', back to its sender. */
static int
nd_make_advert(const struct ovl *ovl, struct rte_mbuf *m, const struct ovl_ip *target)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(eth + 1);
	struct nd_msg *msg = (struct nd_msg *)(ip6 + 1);
	uint8_t to[OVL_IP6_LEN];
	uint32_t len = rte_pktmbuf_pkt_len(m);

	/* Exactly our 86 bytes: cut a longer solicitation, lengthen a shorter one. */
	if (len > ND_FRAME_LEN && rte_pktmbuf_trim(m, (uint16_t)(len - ND_FRAME_LEN)) != 0)
		return -EINVAL;
	if (len < ND_FRAME_LEN && rte_pktmbuf_append(m, (uint16_t)(ND_FRAME_LEN - len)) == NULL)
		return -EINVAL;
	memcpy(to, ip6->src_addr, OVL_IP6_LEN);
	rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
	rte_ether_addr_copy(&ovl->uplink_mac, &eth->src_addr);
	memset(msg, 0, sizeof(*msg));
	msg->type = OVL_ND_ADVERT;
	msg->flags = ND_NA_F_SOLICIT | ND_NA_F_OVERRIDE;
	memcpy(msg->target, target->v6, OVL_IP6_LEN);
	msg->opt_type = ND_OPT_TGT_LLA;
	msg->opt_len = 1;
	memcpy(msg->opt_mac, ovl->uplink_mac.addr_bytes, RTE_ETHER_ADDR_LEN);
	nd_finish(ip6, msg, target->v6, to);
	return 1;
}

int
ovl_nd_input(struct ovl *ovl, struct rte_mbuf *m, uint64_t now_ms)
{
	const struct rte_ether_addr *lla;
	struct rte_ipv6_hdr *ip6;
	struct ovl_ip src, dst, target;
	const uint8_t *msg;
	uint32_t plen;
	bool for_us;

	if (!rte_pktmbuf_is_contiguous(m) ||
	    rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN + sizeof(*ip6) ||
	    rte_pktmbuf_mtod(m, const struct rte_ether_hdr *)->ether_type !=
		    RTE_BE16(RTE_ETHER_TYPE_IPV6))
		return 0;
	ip6 = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, RTE_ETHER_HDR_LEN);
	plen = rte_be_to_cpu_16(ip6->payload_len);
	if ((rte_be_to_cpu_32(ip6->vtc_flow) >> 28) != 6)
		return -EINVAL;
	if (ip6->proto != ICMPV6_PROTO)
		return 0;
	if (RTE_ETHER_HDR_LEN + sizeof(*ip6) + plen > rte_pktmbuf_data_len(m) || plen < ND_MSG_LEN)
		return -EINVAL;
	msg = (const uint8_t *)(ip6 + 1);
	if (msg[0] != OVL_ND_SOLICIT && msg[0] != OVL_ND_ADVERT)
		return 0;
	/* RFC 4861 7.1: hop limit 255 (not forwarded), code 0, a valid checksum. */
	if (ip6->hop_limits != ND_HOP_LIMIT || msg[1] != 0 ||
	    !nd_cksum_ok(ip6, msg, plen))
		return -EINVAL;
	if (nd_find_lla(msg + ND_MSG_LEN, plen - ND_MSG_LEN,
			msg[0] == OVL_ND_SOLICIT ? ND_OPT_SRC_LLA : ND_OPT_TGT_LLA, &lla) != 0)
		return -EINVAL;
	src = ovl_ip6(ip6->src_addr);
	dst = ovl_ip6(ip6->dst_addr);
	target = ovl_ip6(msg + 8);
	if (msg[0] == OVL_ND_ADVERT) {
		/*
		 * The target is at 'lla'.  A solicited answer to one of our PAs
		 * creates the neighbour (we asked); any other refreshes it only,
		 * as ARP does (RFC 826).
		 */
		if (lla != NULL && !ovl_pa_is_ours(ovl, &target))
			ovl_neigh_learn(ovl, &target, lla,
					(msg[4] & ND_NA_F_SOLICIT) && ovl_pa_is_ours(ovl, &dst), now_ms);
		return 0;
	}
	for_us = ovl_pa_is_ours(ovl, &target);
	/* The sender, unless it is checking for duplicates (source ::, no option allowed). */
	if (lla != NULL && !ovl_ip_is_zero(&src) && !ovl_pa_is_ours(ovl, &src))
		ovl_neigh_learn(ovl, &src, lla, for_us, now_ms);
	/* Duplicate address detection would need an answer to all-nodes; we do not defend. */
	if (!for_us || ovl_ip_is_zero(&src) || !ovl->has_uplink_mac)
		return 0;
	return nd_make_advert(ovl, m, &target);
}
