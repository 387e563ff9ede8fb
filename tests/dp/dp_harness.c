/* SPDX-License-Identifier: BSD-3-Clause */
#include "dp_harness.h"

#include <stdio.h>
#include <arpa/inet.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <rte_eal.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dp_priv.h"
#include "dp_worker.h"
#include "test_common.h"

char dp_test_err[VSW_ERR_LEN];
struct dp_bd_refusal dp_test_why;
static struct dp_bd_settings test_bd;

struct dp_bd_settings *
dp_test_bd(const char *bd)
{
	if (dp_bd_get(bd, &test_bd) < 0)
		memset(&test_bd, 0, sizeof(test_bd));
	return &test_bd;
}

int
dp_test_bd_apply(const char *bd)
{
	memset(&dp_test_why, 0, sizeof(dp_test_why));
	return dp_bd_apply(bd, &test_bd, &dp_test_why);
}

int
dp_test_bd_route(const char *bd, const char *rd, const char *ip, uint8_t len)
{
	struct dp_bd_settings *s = dp_test_bd(bd);

	if (rd != NULL)
		snprintf(s->rd, sizeof(s->rd), "%s", rd);
	if (ip != NULL) {
		s->gateway = 0;
		s->gateway_len = len;
		if (inet_pton(AF_INET, ip, &s->gateway) != 1)
			return -EINVAL;
	}
	return dp_test_bd_apply(bd);
}

int
dp_test_start(const char *prog)
{
	struct dp_options opts = { .fdb_size = 4096, .nb_mbufs = 4095 };

	if (test_eal_init(prog, 2) < 0)
		return -1;
	if (dp_init(&opts, dp_test_err, sizeof(dp_test_err)) < 0) {
		fprintf(stderr, "dp_init: %s\n", dp_test_err);
		return -1;
	}
	return CU_initialize_registry() == CUE_SUCCESS ? 0 : -1;
}

int
dp_test_finish(void)
{
	int ret = test_run_suites();

	dp_stop();
	dp_fini();
	rte_eal_cleanup();
	return ret;
}

int
dp_test_add_ring(const char *name, const char *bd)
{
	struct port_spec spec = { .name = name, .type = "ring" };

	return dp_port_add(&spec, bd, dp_test_err, sizeof(dp_test_err));
}

struct rte_ring *
dp_test_ring(const char *port, const char *dir)
{
	char name[RTE_RING_NAMESIZE];

	snprintf(name, sizeof(name), "vsw_%s_%s", dir, port);
	return rte_ring_lookup(name);
}

void
dp_test_inject(const char *port, struct rte_mbuf *m)
{
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL_FATAL(rte_ring_enqueue(dp_test_ring(port, "rx"), m), 0);
}

void
dp_test_round(void)
{
	dp_poll_round(dp_main.lcores[0], atomic_load(&dp_main.snapshot));
}

struct rte_mbuf *
dp_test_take(const char *port)
{
	struct rte_ring *r = dp_test_ring(port, "tx");
	struct rte_mbuf *m = NULL;

	/* A port a test has deleted has no ring: nothing to take. */
	if (r == NULL || rte_ring_dequeue(r, (void **)&m) != 0)
		return NULL;
	return m;
}

unsigned int
dp_test_drain(const char *port)
{
	struct rte_mbuf *m;
	unsigned int n = 0;

	while ((m = dp_test_take(port)) != NULL) {
		rte_pktmbuf_free(m);
		n++;
	}
	return n;
}

uint64_t
dp_test_counter(const char *name)
{
	struct dp_counter c[128];
	unsigned int n = dp_counters(c, 128);

	for (unsigned int i = 0; i < n && i < 128; i++)
		if (strcmp(c[i].name, name) == 0)
			return c[i].value;
	CU_FAIL("no such counter");
	return 0;
}

struct where_query {
	uint8_t mac[6];              /**< MAC looked for */
	struct dp_test_found found;  /**< what the walk found */
};

static void
where_entry(const struct dp_fdb_entry *e, void *arg)
{
	struct where_query *q = arg;

	if (memcmp(q->mac, e->mac.addr_bytes, 6) == 0) {
		snprintf(q->found.port, sizeof(q->found.port), "%s", e->port);
		snprintf(q->found.cause, sizeof(q->found.cause), "%s", e->cause);
	}
}

struct dp_test_found
dp_test_where(const char *bd, const char *mac)
{
	struct where_query q = { .found = { .port = "" } };

	test_mac(mac, q.mac);
	dp_fdb_walk(bd, where_entry, &q);
	return q.found;
}
