/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers shared by the CUnit test programs. */
#ifndef VSW_TEST_COMMON_H
#define VSW_TEST_COMMON_H

#include <stdint.h>

#include <CUnit/CUnit.h>
#include <rte_byteorder.h>
#include <rte_ether.h>

struct rte_mbuf;
struct rte_mempool;

#define TEST_SKIP 77 /* meson's exit code for a skipped test */

/**
 * Start EAL for a test without hugepages or PCI.  'nb_lcores' lcores
 * (0..n-1); exits 77 if the machine has fewer cores.  @return 0 or -1.
 */
int test_eal_init(const char *prog, unsigned int nb_lcores);

/**
 * test_eal_init() with one lcore, then a pool 'name' of 'nb' mbufs of the
 * default size, as most tests of frames start.  @return the pool, or NULL.
 */
struct rte_mempool *test_eal_pool(const char *prog, const char *name, unsigned int nb);

/** Run the registered suites verbosely; @return the process exit status. */
int test_run_suites(void);

/*
 * Frames: test_frame() is the plain one; test_frames.h builds every other
 * kind (IPv4, IPv6, ARP, ND, NVGRE).
 */

/** A frame dst <- src with 'ethertype' and 'len' bytes in all (>= 14), zero payload. */
struct rte_mbuf *test_frame(struct rte_mempool *pool, const char *dst, const char *src,
			    uint16_t ethertype, uint16_t len);

/** A frame holding a copy of 'len' bytes; a failure fails the test. */
struct rte_mbuf *test_mbuf_of(struct rte_mempool *pool, const uint8_t *bytes, unsigned int len);

/** The IPv4 address a.b.c.d in network byte order. */
static inline rte_be32_t
test_ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	return rte_cpu_to_be_32((uint32_t)a << 24 | (uint32_t)b << 16 | (uint32_t)c << 8 | d);
}

/** Parse "aa:bb:cc:dd:ee:ff" into 6 bytes; aborts the test program on a typo. */
void test_mac(const char *text, uint8_t out[6]);

/** test_mac() as a struct rte_ether_addr (short, as test_addr.h's tip()). */
struct rte_ether_addr tmac(const char *text);

#endif /* VSW_TEST_COMMON_H */
