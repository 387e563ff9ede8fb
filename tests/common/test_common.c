/* SPDX-License-Identifier: BSD-3-Clause */
#include "test_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

int
test_eal_init(const char *prog, unsigned int nb_lcores)
{
	char lcores[16], prefix[64];
	char arg_prog[64], arg_l[] = "-l", arg_nohuge[] = "--no-huge", arg_m[] = "-m",
			   arg_mem[] = "512", arg_noshconf[] = "--no-shconf", arg_nopci[] = "--no-pci",
			   arg_log[] = "--log-level=*:warning", arg_prefix[] = "--file-prefix";
	char *argv[16];
	int argc = 0;

	if ((long)nb_lcores > sysconf(_SC_NPROCESSORS_ONLN)) {
		printf("SKIP: needs %u cores\n", nb_lcores);
		exit(TEST_SKIP);
	}
	snprintf(arg_prog, sizeof(arg_prog), "%s", prog);
	snprintf(lcores, sizeof(lcores), "0-%u", nb_lcores - 1);
	snprintf(prefix, sizeof(prefix), "vswtest%d", (int)getpid());
	argv[argc++] = arg_prog;
	argv[argc++] = arg_l;
	argv[argc++] = lcores;
	argv[argc++] = arg_nohuge;
	argv[argc++] = arg_m;
	argv[argc++] = arg_mem;
	argv[argc++] = arg_noshconf;
	argv[argc++] = arg_nopci;
	argv[argc++] = arg_log;
	argv[argc++] = arg_prefix;
	argv[argc++] = prefix;
	argv[argc] = NULL;
	return rte_eal_init(argc, argv) < 0 ? -1 : 0;
}

struct rte_mempool *
test_eal_pool(const char *prog, const char *name, unsigned int nb)
{
	if (test_eal_init(prog, 1) < 0)
		return NULL;
	return rte_pktmbuf_pool_create(name, nb, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
}

int
test_run_suites(void)
{
	unsigned int failures;

	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failures == 0 ? 0 : 1;
}

void
test_mac(const char *text, uint8_t out[6])
{
	struct rte_ether_addr mac;

	if (rte_ether_unformat_addr(text, &mac) != 0) {
		fprintf(stderr, "bad MAC in test: %s\n", text);
		abort();
	}
	memcpy(out, mac.addr_bytes, 6);
}

struct rte_ether_addr
tmac(const char *text)
{
	struct rte_ether_addr m;

	test_mac(text, m.addr_bytes);
	return m;
}

struct rte_mbuf *
test_frame(struct rte_mempool *pool, const char *dst, const char *src, uint16_t ethertype,
	   uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct rte_ether_hdr *eth;

	if (m == NULL)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, len);
	if (eth == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(eth, 0, len);
	if (len >= sizeof(*eth)) {
		test_mac(dst, eth->dst_addr.addr_bytes);
		test_mac(src, eth->src_addr.addr_bytes);
		eth->ether_type = rte_cpu_to_be_16(ethertype);
	}
	return m;
}

struct rte_mbuf *
test_mbuf_of(struct rte_mempool *pool, const uint8_t *bytes, unsigned int len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	char *p;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	p = rte_pktmbuf_append(m, (uint16_t)len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	memcpy(p, bytes, len);
	return m;
}
