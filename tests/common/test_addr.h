/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Typed provider addresses for tests: the dataplane and overlay APIs take
 * struct ovl_ip / struct ovl_prefix, parsed by the caller; a test is a
 * caller, and spells them as text.  Each helper returns a pointer into a
 * small ring of static values, so a call can be an argument of another
 * call; the ring holds the last TEST_ADDR_RING of them.  Test thread only.
 */
#ifndef VSW_TEST_ADDR_H
#define VSW_TEST_ADDR_H

#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ovl_addr.h"

#define TEST_ADDR_RING 16

/* The next value of the ring, zeroed. */
static inline struct ovl_prefix *
test_addr_slot(void)
{
	static struct ovl_prefix ring[TEST_ADDR_RING];
	static unsigned int next;
	struct ovl_prefix *p = &ring[next++ % TEST_ADDR_RING];

	memset(p, 0, sizeof(*p));
	return p;
}

/** The IPv4 address 'v4' (network order). */
static inline const struct ovl_ip *
tip4(uint32_t v4)
{
	struct ovl_prefix *p = test_addr_slot();

	p->addr = ovl_ip4(v4);
	return &p->addr;
}

/** The address 'text' of either family; aborts on a typo (the test is wrong). */
static inline const struct ovl_ip *
tip(const char *text)
{
	struct ovl_prefix *p = test_addr_slot();
	uint8_t b[16];
	uint32_t v4;

	if (inet_pton(AF_INET, text, &v4) == 1) {
		p->addr = ovl_ip4(v4);
	} else if (inet_pton(AF_INET6, text, b) == 1) {
		p->addr = ovl_ip6(b);
	} else {
		fprintf(stderr, "test: '%s' is not an address\n", text);
		abort();
	}
	return &p->addr;
}

/** The prefix "ADDRESS/LEN" of either family; aborts on a typo. */
static inline const struct ovl_prefix *
tpfx(const char *text)
{
	char buf[64];
	const char *slash = strchr(text, '/');
	struct ovl_prefix *p;

	if (slash == NULL || (size_t)(slash - text) >= sizeof(buf)) {
		fprintf(stderr, "test: '%s' is not a prefix\n", text);
		abort();
	}
	memcpy(buf, text, (size_t)(slash - text));
	buf[slash - text] = '\0';
	p = (struct ovl_prefix *)((uintptr_t)tip(buf) - offsetof(struct ovl_prefix, addr));
	p->len = (uint8_t)atoi(slash + 1);
	return p;
}

/** The prefix of IPv4 'v4' (network order) and 'len'. */
static inline const struct ovl_prefix *
tpfx4(uint32_t v4, uint8_t len)
{
	struct ovl_prefix *p = test_addr_slot();

	p->addr = ovl_ip4(v4);
	p->len = len;
	return p;
}

/** The IPv4 customer address 'text' (network order); aborts on a typo. */
static inline uint32_t
tca(const char *text)
{
	uint32_t v4;

	if (inet_pton(AF_INET, text, &v4) != 1) {
		fprintf(stderr, "test: '%s' is not an IPv4 address\n", text);
		abort();
	}
	return v4;
}

#endif /* VSW_TEST_ADDR_H */
