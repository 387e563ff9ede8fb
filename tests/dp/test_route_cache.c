/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The route cache's own rules (dataplane/dp_route_cache.h), without the
 * pipeline: where an address goes, the hot part's one-word compare, and
 * epochs that end, wrap and never let an old stamp pass.  The pipeline's use
 * of it is test_rd_pipeline.c's.
 */
#include <arpa/inet.h>
#include <stdlib.h>

#include <CUnit/CUnit.h>

#include "dp_route_cache.h"
#include "test_common.h"

static struct dp_route_cache *
cache_new(void)
{
	struct dp_route_cache *c = calloc(1, sizeof(*c));

	CU_ASSERT_FATAL(c != NULL);
	dp_route_cache_begin(c, 1, 1);
	return c;
}

/* Fill entry 'e' for (rd, dst) under the cache's snapshots, its port checked now. */
static void
fill_at(struct dp_route_cache *c, struct dp_route_cache_hot *e, uint8_t rd, rte_be32_t dst,
	uint16_t port)
{
	e->dst = dst;
	e->rd = rd;
	e->fdb_key = 0x1234;
	dp_route_cache_cold_of(c, e)->gens = c->gens;
	dp_route_cache_set_port(c, e, port);
}

/* Fill (rd, dst)'s own entry. */
static struct dp_route_cache_hot *
fill(struct dp_route_cache *c, uint8_t rd, rte_be32_t dst, uint16_t port)
{
	struct dp_route_cache_hot *e = &c->hot[dp_route_cache_index(rd, dst)];

	fill_at(c, e, rd, dst, port);
	return e;
}

/* Another address of 10.0.0.0/8 whose entry in domain 'rd' is the same as 'dst''s. */
static rte_be32_t
colliding(uint8_t rd, rte_be32_t dst, uint32_t from)
{
	uint32_t i = dp_route_cache_index(rd, dst);

	for (uint32_t a = from; a < 0x0b000000; a++)
		if (htonl(a) != dst && dp_route_cache_index(rd, htonl(a)) == i)
			return htonl(a);
	CU_FAIL_FATAL("no colliding address");
	return 0;
}

static void
test_two_destinations_with_one_home_both_stay(void)
{
	struct dp_route_cache *c = cache_new();
	const rte_be32_t x = htonl(0x0a800001);
	const rte_be32_t y = colliding(0, x, 0x0a000000);
	const rte_be32_t z = colliding(0, x, ntohl(y) + 1);
	const uint64_t tag = dp_route_cache_tag(c, 0);
	struct dp_route_cache_hot *home = &c->hot[dp_route_cache_index(0, x)];
	struct dp_route_cache_hot *buddy = dp_route_cache_buddy(c, home);

	CU_ASSERT_EQUAL((uintptr_t)home / 32, (uintptr_t)buddy / 32); /* one half line */
	CU_ASSERT_PTR_EQUAL(dp_route_cache_victim(c, home), home);
	fill_at(c, home, 0, x, 1);
	/* Y's entry is taken by X, known in this epoch: Y goes to the buddy. */
	CU_ASSERT_PTR_EQUAL(dp_route_cache_victim(c, home), buddy);
	fill_at(c, buddy, 0, y, 2);
	CU_ASSERT_PTR_EQUAL(dp_route_cache_known_entry(c, home, tag, x), home);
	CU_ASSERT_PTR_EQUAL(dp_route_cache_known_entry(c, home, tag, y), buddy);
	CU_ASSERT_PTR_NULL(dp_route_cache_known_entry(c, home, tag, z));
	/* After a change both are found again to be checked, each where it is. */
	dp_route_cache_begin(c, 1, 2);
	CU_ASSERT_PTR_NULL(dp_route_cache_known_entry(c, home, dp_route_cache_tag(c, 0), y));
	CU_ASSERT_PTR_EQUAL(dp_route_cache_stale_entry(c, home, 0, x, 1), home);
	CU_ASSERT_PTR_EQUAL(dp_route_cache_stale_entry(c, home, 0, y, 1), buddy);
	CU_ASSERT_PTR_NULL(dp_route_cache_stale_entry(c, home, 0, y, 2)); /* other snapshots */
	/* A third with both known replaces the home. */
	dp_route_cache_set_port(c, home, 1);
	dp_route_cache_set_port(c, buddy, 2);
	CU_ASSERT_PTR_EQUAL(dp_route_cache_victim(c, home), home);
	free(c);
}

static bool
known(const struct dp_route_cache *c, uint8_t rd, rte_be32_t dst)
{
	uint32_t i = dp_route_cache_index(rd, dst);

	return dp_route_cache_known(&c->hot[i], dp_route_cache_tag(c, rd), dst);
}

static void
test_word_is_the_fields(void)
{
	struct dp_route_cache_hot e = { .fdb_key = 0 };

	e.dst = htonl(0xc6336401);
	e.rd = 7;
	e.stamp = 200;
	e.port = 0xabcd;
	CU_ASSERT_EQUAL(e.word, dp_route_cache_word(htonl(0xc6336401), 7, 200, 0xabcd));
}

static void
test_an_aligned_block_never_collides(void)
{
	static uint8_t used[DP_ROUTE_CACHE_ENTRIES];
	const uint32_t bases[] = { 0x0a000000, 0xc0000200 & ~(DP_ROUTE_CACHE_ENTRIES - 1),
				   0xfe000000 };

	for (unsigned int b = 0; b < RTE_DIM(bases); b++) {
		unsigned int distinct = 0;

		memset(used, 0, sizeof(used));
		for (uint32_t a = 0; a < DP_ROUTE_CACHE_ENTRIES; a++) {
			uint32_t i = dp_route_cache_index(3, htonl(bases[b] + a));

			distinct += used[i] == 0;
			used[i] = 1;
		}
		CU_ASSERT_EQUAL(distinct, DP_ROUTE_CACHE_ENTRIES);
	}
}

static void
test_same_host_numbers_of_other_subnets_and_domains_apart(void)
{
	/* 10.1.0.5 / 10.2.0.5 (subnets a /16 apart), 10.0.0.5 in domains 0 and 1. */
	CU_ASSERT_NOT_EQUAL(dp_route_cache_index(0, htonl(0x0a010005)),
			    dp_route_cache_index(0, htonl(0x0a020005)));
	CU_ASSERT_NOT_EQUAL(dp_route_cache_index(0, htonl(0x0a000005)),
			    dp_route_cache_index(1, htonl(0x0a000005)));
}

static void
test_known_only_for_its_address_domain_and_epoch(void)
{
	struct dp_route_cache *c = cache_new();
	const rte_be32_t dst = htonl(0x0a800001);

	fill(c, 2, dst, 5);
	CU_ASSERT_TRUE(known(c, 2, dst));
	CU_ASSERT_FALSE(known(c, 3, dst));
	CU_ASSERT_FALSE(known(c, 2, htonl(0x0a800002)));
	/* The same snapshots and change counts: the same epoch. */
	dp_route_cache_begin(c, 1, 1);
	CU_ASSERT_TRUE(known(c, 2, dst));
	/* A table changed: the port must be checked again. */
	dp_route_cache_begin(c, 1, 2);
	CU_ASSERT_FALSE(known(c, 2, dst));
	fill(c, 2, dst, 5);
	CU_ASSERT_TRUE(known(c, 2, dst));
	/* A snapshot published. */
	dp_route_cache_begin(c, 2, 2);
	CU_ASSERT_FALSE(known(c, 2, dst));
	/* A port still unknown is never stamped. */
	fill(c, 2, dst, FDB_PORT_NONE);
	CU_ASSERT_FALSE(known(c, 2, dst));
	free(c);
}

static void
test_an_old_stamp_never_passes_after_the_wrap(void)
{
	struct dp_route_cache *c = cache_new();
	const rte_be32_t dst = htonl(0x0a800001);
	uint8_t stamped;

	fill(c, 0, dst, 1);
	stamped = c->epoch;
	/* 255 epochs later the byte is back where it was. */
	for (unsigned int n = 1; n <= 2 * UINT8_MAX; n++) {
		dp_route_cache_begin(c, 1, 1 + n);
		CU_ASSERT_NOT_EQUAL(c->epoch, 0);
		if (c->epoch == stamped)
			CU_ASSERT_FALSE(known(c, 0, dst));
	}
	free(c);
}

static void
test_a_zeroed_cache_knows_nothing(void)
{
	struct dp_route_cache *c = calloc(1, sizeof(*c));

	CU_ASSERT_FATAL(c != NULL);
	/* gens and changes as the zeroed cache holds them: the first burst still begins an epoch. */
	dp_route_cache_begin(c, 0, 0);
	CU_ASSERT_FALSE(known(c, 0, 0));
	free(c);
}

int
main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("route_cache", NULL, NULL);
	CU_add_test(s, "word is the fields", test_word_is_the_fields);
	CU_add_test(s, "an aligned block never collides", test_an_aligned_block_never_collides);
	CU_add_test(s, "same host numbers of other subnets and domains apart",
		    test_same_host_numbers_of_other_subnets_and_domains_apart);
	CU_add_test(s, "known only for its address, domain and epoch",
		    test_known_only_for_its_address_domain_and_epoch);
	CU_add_test(s, "an old stamp never passes after the wrap",
		    test_an_old_stamp_never_passes_after_the_wrap);
	CU_add_test(s, "a zeroed cache knows nothing", test_a_zeroed_cache_knows_nothing);
	CU_add_test(s, "two destinations with one home both stay",
		    test_two_destinations_with_one_home_both_stay);
	return test_run_suites();
}
