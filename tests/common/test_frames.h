/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frames for tests, built byte by byte from the RFCs' layouts, never by the
 * code under test: Ethernet, IPv4 (with or without its header checksum),
 * IPv6, a tenant IPv4/UDP frame, ICMPv6 checksums, ARP, neighbour
 * discovery and NVGRE outer headers of either family.  One builder each, so
 * that the unit and dp tests agree on what a well-formed frame is and a
 * test says only what differs in its frame.
 *
 * The *_hdr and *_bytes functions write at 'f' and return how many bytes
 * they wrote; they write every byte of their header, nothing around it.
 * The *_frame functions return a new single-segment mbuf from 'pool'; those
 * documented so fail the running test (CU_ASSERT_*_FATAL) when the pool is
 * empty, the others return NULL.
 *
 * Addresses are text ("203.0.113.1", "2001:db8::1", "02:00:00:00:00:01")
 * unless a parameter says network order; a typo aborts the test program.
 * Test thread only.
 */
#ifndef VSW_TEST_FRAMES_H
#define VSW_TEST_FRAMES_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>

struct rte_mbuf;
struct rte_mempool;

/** Ethernet: 'dst' <- 'src' (NULL: all zero), 'ethertype'; @return 14. */
unsigned int test_eth_hdr(uint8_t *f, const char *dst, const char *src, uint16_t ethertype);

/* The fields of an IPv4 header without options (version 4, IHL 5, TOS 0). */
struct test_ip4 {
	uint16_t len;	/**< total length */
	uint16_t id;	/**< identification */
	uint16_t frag;	/**< flags and fragment offset (0x4000: don't fragment) */
	uint8_t ttl;	/**< time to live */
	uint8_t proto;	/**< next protocol */
	rte_be32_t src; /**< source, network order */
	rte_be32_t dst; /**< destination, network order */
	bool cksum;	/**< compute the header checksum (false: leave it 0) */
};

/** An IPv4 header; @return 20. */
unsigned int test_ip4_hdr(uint8_t *f, const struct test_ip4 *h);

/**
 * An IPv6 header: traffic class 0, 'flow_label', payload length 'plen',
 * next header 'next', hop limit 'hops', 'src' -> 'dst' (NULL: ::); @return 40.
 */
unsigned int test_ip6_hdr(uint8_t *f, uint32_t flow_label, uint16_t plen, uint8_t next,
			  uint8_t hops, const char *src, const char *dst);

/** The 16 bytes of the IPv6 address 'text'. */
void test_ip6(const char *text, uint8_t out[16]);

/*
 * A tenant frame: 02:00:00:00:00:0b <- 02:00:00:00:00:0a, 'ntags' VLAN tags
 * (VID 100; with two, the outer is 802.1ad), IPv4 203.0.113.10 ->
 * 203.0.113.11 UDP 'sport' -> 'dport', 'len' bytes in all (without tags),
 * every other byte 'fill'.  The IPv4 checksum is left 0 and the UDP length
 * and checksum are 'fill': nothing that reads these frames checks them.
 */
struct test_udp4 {
	unsigned int ntags; /**< VLAN tags before the EtherType */
	uint16_t sport;	    /**< UDP source port */
	uint16_t dport;	    /**< UDP destination port */
	uint16_t ip_id;	    /**< IPv4 identification */
	uint8_t ttl;	    /**< IPv4 TTL */
	uint16_t frag;	    /**< IPv4 flags + fragment offset */
	uint8_t fill;	    /**< payload byte */
	unsigned int len;   /**< frame length without tags */
};

/** The tenant frame 's' at 'f' (room for s->len + 4 * s->ntags); @return its length. */
unsigned int test_udp4_bytes(uint8_t *f, const struct test_udp4 *s);

/** The tenant frame 's' in a new mbuf; fails the test if the pool is empty. */
struct rte_mbuf *test_udp4_frame(struct rte_mempool *pool, const struct test_udp4 *s);

/** The ICMPv6 checksum over the message at 'ip6' + 40 and the pseudo-header: 0 if right. */
uint16_t test_icmp6_sum(const uint8_t *ip6);

/** Set the checksum of the ICMPv6 message after the IPv6 header at 'ip6'. */
void test_icmp6_fill(uint8_t *ip6);

/**
 * A neighbour discovery frame: ICMPv6 'type' (135 or 136) from
 * 'src_mac'/'src' to 'dst_mac'/'dst' about 'target', hop limit 255, NA flags
 * 'flags', with a link-layer option ('opt' 1 or 2, 0 = none) holding 'lla',
 * and a right checksum.  Fails the test if the pool is empty.
 */
struct rte_mbuf *test_nd_frame(struct rte_mempool *pool, uint8_t type, const char *src_mac,
			       const char *src, const char *dst_mac, const char *dst,
			       const char *target, uint8_t opt, const char *lla, uint8_t flags);

/** An unsolicited IPv6 neighbour advertisement from 'src' to all nodes, addresses ::. */
struct rte_mbuf *test_una_frame(struct rte_mempool *pool, const char *src);

/**
 * An Ethernet/IPv4 ARP-format frame of 60 bytes (42 + zero padding), to
 * 'dst': EtherType 'ethertype' (0x0806 or 0x8035), operation 'op', sender
 * 'sha'/'spa', target hardware zero, target 'tpa' (network order); @return 60.
 */
unsigned int test_arp_bytes(uint8_t *f, const char *dst, const char *src, uint16_t ethertype,
			    uint16_t op, const char *sha, rte_be32_t spa, rte_be32_t tpa);

/**
 * test_arp_bytes() broadcast from 'src', sender IP 203.0.113.spa, target IP
 * 203.0.113.tpa (gratuitous when spa == tpa); NULL if the pool is empty.
 */
struct rte_mbuf *test_arp_frame(struct rte_mempool *pool, const char *src, uint16_t ethertype,
				uint16_t op, const char *sha, uint8_t spa, uint8_t tpa);

/* The outer headers of an NVGRE frame (RFC 7637) after its Ethernet header. */
struct test_nvgre {
	const char *src_pa;  /**< outer source, IPv4 or IPv6 */
	const char *dst_pa;  /**< outer destination, of the same family */
	uint32_t vsid;	     /**< 24-bit virtual subnet ID */
	uint8_t flow_id;     /**< the GRE key's low byte */
	uint8_t ttl;	     /**< IPv4 TTL or IPv6 hop limit */
	bool df;	     /**< IPv4: set don't-fragment */
	uint32_t flow_label; /**< IPv6 flow label */
};

/**
 * The outer IPv4 (with its checksum) or IPv6 header and the GRE header (K
 * set, protocol 0x6558, key = VSID << 8 | FlowID) for 'inner_len' bytes of
 * inner frame; @return 28 or 48.
 */
unsigned int test_nvgre_hdrs(uint8_t *f, const struct test_nvgre *o, unsigned int inner_len);

/**
 * An NVGRE frame 'dst_mac' <- 'src_mac' with outer headers 'o' around the
 * frame 'inner' (one segment; freed).  Fails the test if the pool is empty.
 */
struct rte_mbuf *test_nvgre_frame(struct rte_mempool *pool, const char *dst_mac,
				  const char *src_mac, const struct test_nvgre *o,
				  struct rte_mbuf *inner);

/** Up to 'max' bytes of 'm' (which may be chained) copied to 'buf'; @return how many. */
unsigned int test_flat(const struct rte_mbuf *m, uint8_t *buf, unsigned int max);

#endif /* VSW_TEST_FRAMES_H */
