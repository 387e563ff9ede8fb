/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Provider-network addresses of either family, as the overlay's tables and
 * the dataplane API (dp.h) take them: parsed once at the edge (ctl), passed
 * inward as values, compared and hashed here.  No DPDK, no text: formatting
 * and parsing belong to the callers.
 *
 * An address is a family and its bytes in network order.  Values built with
 * ovl_ip4()/ovl_ip6() (or zeroed first) have every byte defined, so that a
 * struct ovl_ip can be a hash key or compared with memcmp; ovl_ip_eq() does
 * not rely on that.
 *
 * Thread-safety: pure functions of their arguments; any thread.
 */
#ifndef VSW_OVL_ADDR_H
#define VSW_OVL_ADDR_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#define OVL_IP6_LEN 16u /* bytes of an IPv6 address */

/* An IPv4 or IPv6 address, network order. */
struct ovl_ip {
	uint8_t family; /**< AF_INET, AF_INET6, or 0 = none */
	uint8_t pad[3]; /**< zero */
	union {
		uint32_t v4;		  /**< AF_INET: the address, network order */
		uint8_t v6[OVL_IP6_LEN]; /**< AF_INET6: the address */
	};
};

/* A prefix: an address and how many of its leading bits name the network. */
struct ovl_prefix {
	struct ovl_ip addr; /**< network (routes) or the address itself (PAs) */
	uint8_t len;	    /**< 0..32 for IPv4, 0..128 for IPv6 */
};

/** The IPv4 address 'v4' (network order). */
static inline struct ovl_ip
ovl_ip4(uint32_t v4)
{
	struct ovl_ip a;

	memset(&a, 0, sizeof(a));
	a.family = AF_INET;
	a.v4 = v4;
	return a;
}

/** The IPv6 address at 'v6' (16 bytes). */
static inline struct ovl_ip
ovl_ip6(const uint8_t *v6)
{
	struct ovl_ip a;

	memset(&a, 0, sizeof(a));
	a.family = AF_INET6;
	memcpy(a.v6, v6, OVL_IP6_LEN);
	return a;
}

/** True for an IPv6 address. */
static inline bool
ovl_ip_is6(const struct ovl_ip *a)
{
	return a->family == AF_INET6;
}

/** Bits in an address of 'a''s family: 32 or 128. */
static inline uint8_t
ovl_ip_bits(const struct ovl_ip *a)
{
	return ovl_ip_is6(a) ? 128 : 32;
}

/** True if 'a' and 'b' are the same address (same family, same bytes). */
static inline bool
ovl_ip_eq(const struct ovl_ip *a, const struct ovl_ip *b)
{
	if (a->family != b->family)
		return false;
	return a->family == AF_INET6 ? memcmp(a->v6, b->v6, OVL_IP6_LEN) == 0 : a->v4 == b->v4;
}

/** True if 'a' is no address: family 0, or all its bytes zero. */
static inline bool
ovl_ip_is_zero(const struct ovl_ip *a)
{
	static const uint8_t zero[OVL_IP6_LEN];

	if (a->family == AF_INET6)
		return memcmp(a->v6, zero, OVL_IP6_LEN) == 0;
	return a->family != AF_INET || a->v4 == 0;
}

/** The address bytes of 'a' (4 or 16 of them). */
static inline const uint8_t *
ovl_ip_bytes(const struct ovl_ip *a)
{
	return ovl_ip_is6(a) ? a->v6 : (const uint8_t *)&a->v4;
}

/** True if the first 'len' bits of 'a' and 'b' agree (same family required). */
static inline bool
ovl_ip_prefix_match(const struct ovl_ip *a, const struct ovl_ip *b, uint8_t len)
{
	const uint8_t *x = ovl_ip_bytes(a), *y = ovl_ip_bytes(b);
	unsigned int i;

	if (a->family != b->family || len > ovl_ip_bits(a))
		return false;
	for (i = 0; i < len / 8u; i++)
		if (x[i] != y[i])
			return false;
	if (len % 8u != 0) {
		uint8_t mask = (uint8_t)(0xffu << (8u - len % 8u));

		return ((x[i] ^ y[i]) & mask) == 0;
	}
	return true;
}

/** 'a' with every bit after the first 'len' cleared (the network of a prefix). */
static inline struct ovl_ip
ovl_ip_network(const struct ovl_ip *a, uint8_t len)
{
	struct ovl_ip n = *a;
	uint8_t *p = ovl_ip_is6(&n) ? n.v6 : (uint8_t *)&n.v4;
	unsigned int nbytes = ovl_ip_bits(&n) / 8u;

	for (unsigned int i = 0; i < nbytes; i++) {
		unsigned int first = i * 8u;

		if (first >= len)
			p[i] = 0;
		else if (first + 8u > len)
			p[i] &= (uint8_t)(0xffu << (first + 8u - len));
	}
	return n;
}

/** True if 'p' is a valid prefix: a known family, length within it. */
static inline bool
ovl_prefix_is_valid(const struct ovl_prefix *p)
{
	return (p->addr.family == AF_INET || p->addr.family == AF_INET6) &&
	       p->len <= ovl_ip_bits(&p->addr);
}

#endif /* VSW_OVL_ADDR_H */
