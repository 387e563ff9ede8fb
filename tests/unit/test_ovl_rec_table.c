/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The lookup records' bucket table (overlay/ovl_rec_table.h): set, replace,
 * lookup single and in bulk, reserved keys, collisions in a table of two
 * buckets, the max_entries limit, tombstones reused only after reclaim, the
 * walk, the fill at which the first insert fails, and a two-lcore test (the
 * control thread replacing, deleting and re-adding while a worker looks up
 * in bulk).  Needs 2 lcores (skips with 77 otherwise).
 */
#include <stdio.h>
#include <stdlib.h>

#include <CUnit/Basic.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_pause.h>
#include <rte_random.h>
#include <rte_rcu_qsbr.h>

#include "ovl_rec_table.h"
#include "test_common.h"

/* A record key as the overlay builds it: VSID above, the CA address (host order) below. */
static uint64_t
rkey(uint32_t vsid, uint32_t ip)
{
	return (uint64_t)vsid << 32 | ip;
}

/* Sequential addresses in 10.0.0.0/8 of VSID 5001: what a tenant's subnets look like. */
static uint64_t
seq_key(uint32_t i)
{
	return rkey(5001, 0x0a000001u + i);
}

static void
test_rtab_set_find_replace_delete(void)
{
	struct ovl_rtab t;
	uint64_t keys[3] = { seq_key(1), seq_key(2), seq_key(3) }, vals[3], v, old = 0;
	uint32_t pos;

	CU_ASSERT_EQUAL_FATAL(ovl_rtab_init(&t, 16, SOCKET_ID_ANY), 0);
	CU_ASSERT_EQUAL(ovl_rtab_set(&t, seq_key(1), 11, NULL), 0);
	CU_ASSERT_EQUAL(ovl_rtab_set(&t, seq_key(2), 22, NULL), 0);
	CU_ASSERT_EQUAL(ovl_rtab_count(&t), 2);
	CU_ASSERT_NOT_EQUAL(ovl_rtab_find(&t, seq_key(1), &v), OVL_RTAB_POS_NONE);
	CU_ASSERT_EQUAL(v, 11);
	ovl_rtab_find_bulk(&t, keys, 3, vals, 777);
	CU_ASSERT_EQUAL(vals[0], 11);
	CU_ASSERT_EQUAL(vals[1], 22);
	CU_ASSERT_EQUAL(vals[2], 777);

	/* Replace: same position, new value, old one handed back. */
	pos = ovl_rtab_find(&t, seq_key(2), &v);
	CU_ASSERT_EQUAL(ovl_rtab_set(&t, seq_key(2), 23, &old), 1);
	CU_ASSERT_EQUAL(old, 22);
	CU_ASSERT_EQUAL(ovl_rtab_find(&t, seq_key(2), &v), pos);
	CU_ASSERT_EQUAL(v, 23);
	CU_ASSERT_EQUAL(ovl_rtab_count(&t), 2);

	/* Delete: gone at once for readers, counted out, slot free after reclaim. */
	pos = ovl_rtab_hide(&t, seq_key(1));
	CU_ASSERT_NOT_EQUAL_FATAL(pos, OVL_RTAB_POS_NONE);
	CU_ASSERT_EQUAL(ovl_rtab_hide(&t, seq_key(1)), OVL_RTAB_POS_NONE);
	CU_ASSERT_EQUAL(ovl_rtab_find(&t, seq_key(1), &v), OVL_RTAB_POS_NONE);
	CU_ASSERT_EQUAL(ovl_rtab_count(&t), 1);
	CU_ASSERT_EQUAL(t.nb_entries, 2);
	ovl_rtab_reclaim(&t, pos);
	CU_ASSERT_EQUAL(t.nb_entries, 1);
	ovl_rtab_fini(&t);
	ovl_rtab_fini(&t); /* twice is harmless */
}

static void
test_rtab_reserved_keys_never_match(void)
{
	struct ovl_rtab t;
	uint64_t keys[2] = { OVL_RTAB_EMPTY, OVL_RTAB_TOMB }, vals[2], v;
	uint32_t pos;

	CU_ASSERT_EQUAL_FATAL(ovl_rtab_init(&t, 4, SOCKET_ID_ANY), 0);
	CU_ASSERT_EQUAL(ovl_rtab_set(&t, OVL_RTAB_EMPTY, 1, NULL), -EINVAL);
	CU_ASSERT_EQUAL(ovl_rtab_set(&t, OVL_RTAB_TOMB, 1, NULL), -EINVAL);
	/* An empty table is all free slots, and a hidden key leaves a tombstone: neither matches. */
	CU_ASSERT_EQUAL(ovl_rtab_set(&t, seq_key(1), 5, NULL), 0);
	pos = ovl_rtab_hide(&t, seq_key(1));
	CU_ASSERT_EQUAL(ovl_rtab_find(&t, OVL_RTAB_EMPTY, &v), OVL_RTAB_POS_NONE);
	CU_ASSERT_EQUAL(ovl_rtab_find(&t, OVL_RTAB_TOMB, &v), OVL_RTAB_POS_NONE);
	ovl_rtab_find_bulk(&t, keys, 2, vals, 9);
	CU_ASSERT_EQUAL(vals[0], 9);
	CU_ASSERT_EQUAL(vals[1], 9);
	ovl_rtab_reclaim(&t, pos);
	ovl_rtab_fini(&t);
	CU_ASSERT_EQUAL(ovl_rtab_init(&t, 0, SOCKET_ID_ANY), -EINVAL);
	CU_ASSERT_EQUAL(ovl_rtab_init(&t, OVL_RTAB_MAX + 1, SOCKET_ID_ANY), -EINVAL);
}

/*
 * Two buckets, so every key has both as candidates and all collide: the
 * table holds exactly 8, finds every one with its own value, refuses the 9th
 * (counted), and reuses a deleted slot only once it is reclaimed.
 */
static void
test_rtab_collisions_and_tombstones(void)
{
	const uint32_t nb_slots = 2 * OVL_RTAB_SLOTS;
	uint64_t keys[2 * OVL_RTAB_SLOTS], vals[2 * OVL_RTAB_SLOTS], v, extra = seq_key(100);
	uint32_t pos[2 * OVL_RTAB_SLOTS], victim;
	struct ovl_rtab t;

	CU_ASSERT_EQUAL_FATAL(ovl_rtab_init(&t, 1, SOCKET_ID_ANY), 0);
	CU_ASSERT_EQUAL_FATAL(t.nb_buckets, 2);
	t.max_entries = UINT32_MAX; /* the buckets are the limit here, not the count */
	for (uint32_t i = 0; i < nb_slots; i++) {
		keys[i] = seq_key(i + 1);
		CU_ASSERT_EQUAL_FATAL(ovl_rtab_set(&t, keys[i], 1000 + i, NULL), 0);
		pos[i] = ovl_rtab_find(&t, keys[i], &v);
	}
	CU_ASSERT_EQUAL(ovl_rtab_set(&t, extra, 99, NULL), -ENOSPC);
	CU_ASSERT_EQUAL(t.nb_bucket_full, 1);
	ovl_rtab_find_bulk(&t, keys, nb_slots, vals, 0);
	for (uint32_t i = 0; i < nb_slots; i++)
		CU_ASSERT_EQUAL(vals[i], 1000 + i);

	victim = ovl_rtab_hide(&t, keys[5]);
	CU_ASSERT_EQUAL_FATAL(victim, pos[5]);
	CU_ASSERT_EQUAL(ovl_rtab_set(&t, extra, 99, NULL), -ENOSPC);
	ovl_rtab_reclaim(&t, victim);
	CU_ASSERT_EQUAL(ovl_rtab_set(&t, extra, 99, NULL), 0);
	CU_ASSERT_EQUAL(ovl_rtab_find(&t, extra, &v), victim);
	CU_ASSERT_EQUAL(v, 99);
	/* The others never moved. */
	for (uint32_t i = 0; i < nb_slots; i++)
		if (i != 5)
			CU_ASSERT_EQUAL(ovl_rtab_find(&t, keys[i], &v), pos[i]);
	ovl_rtab_fini(&t);
}

static void
test_rtab_full_at_max_entries(void)
{
	struct ovl_rtab t;
	uint32_t pos;
	uint64_t v;

	CU_ASSERT_EQUAL_FATAL(ovl_rtab_init(&t, 1000, SOCKET_ID_ANY), 0);
	for (uint32_t i = 0; i < 1000; i++)
		CU_ASSERT_EQUAL_FATAL(ovl_rtab_set(&t, seq_key(i), i + 1, NULL), 0);
	CU_ASSERT_EQUAL(ovl_rtab_set(&t, seq_key(1000), 1, NULL), -ENOSPC);
	CU_ASSERT_EQUAL(t.nb_bucket_full, 0);
	/* A full table still replaces values. */
	CU_ASSERT_EQUAL(ovl_rtab_set(&t, seq_key(7), 70, NULL), 1);
	/* A hidden key holds its place until reclaimed. */
	pos = ovl_rtab_hide(&t, seq_key(3));
	CU_ASSERT_EQUAL(ovl_rtab_set(&t, seq_key(1000), 1, NULL), -ENOSPC);
	ovl_rtab_reclaim(&t, pos);
	CU_ASSERT_EQUAL(ovl_rtab_set(&t, seq_key(1000), 1001, NULL), 0);
	for (uint32_t i = 0; i <= 1000; i++) {
		uint32_t p = ovl_rtab_find(&t, seq_key(i), &v);

		if (i == 3) {
			CU_ASSERT_EQUAL(p, OVL_RTAB_POS_NONE);
		} else {
			CU_ASSERT_NOT_EQUAL(p, OVL_RTAB_POS_NONE);
			CU_ASSERT_EQUAL(v, i == 7 ? 70 : i + 1);
		}
	}
	ovl_rtab_fini(&t);
}

static void
test_rtab_walk_sees_present_keys_once(void)
{
	struct ovl_rtab t;
	uint32_t iter = 0, n = 0, pos;
	uint64_t k, v, sum = 0;

	CU_ASSERT_EQUAL_FATAL(ovl_rtab_init(&t, 64, SOCKET_ID_ANY), 0);
	for (uint32_t i = 1; i <= 50; i++)
		CU_ASSERT_EQUAL_FATAL(ovl_rtab_set(&t, seq_key(i), i, NULL), 0);
	pos = ovl_rtab_hide(&t, seq_key(50));
	while (ovl_rtab_next(&t, &iter, &k, &v)) {
		CU_ASSERT_EQUAL(k, seq_key((uint32_t)v));
		sum += v;
		n++;
	}
	CU_ASSERT_EQUAL(n, 49);
	CU_ASSERT_EQUAL(sum, 49 * 50 / 2);
	CU_ASSERT_FALSE(ovl_rtab_next(&t, &iter, &k, &v));
	ovl_rtab_reclaim(&t, pos);
	ovl_rtab_fini(&t);
}

/*
 * Without the max_entries limit, sequential addresses fill the slots well
 * past the quarter that max_entries is sized to before both buckets of a
 * new key are full.
 */
static void
test_rtab_first_failure_beyond_sizing(void)
{
	const uint32_t max = 16384;
	struct ovl_rtab t;
	uint32_t n = 0;

	CU_ASSERT_EQUAL_FATAL(ovl_rtab_init(&t, max, SOCKET_ID_ANY), 0);
	t.max_entries = UINT32_MAX;
	while (ovl_rtab_set(&t, seq_key(n), n + 1, NULL) == 0)
		n++;
	printf("\n    first refusal after %u keys: %.1f %% of %u slots\n", n,
	       100.0 * n / (t.nb_buckets * OVL_RTAB_SLOTS), t.nb_buckets * OVL_RTAB_SLOTS);
	CU_ASSERT(n > max);
	ovl_rtab_fini(&t);
}

/*
 * Two lcores: the worker looks up stable and churn keys in bulk and reports
 * quiescent states; the control thread flips the stable keys between their
 * two values, deletes churn keys (tombstone, grace period, reclaim) and
 * adds them again.  A stable key must never be missed, and no key may ever
 * show a value that is not one of its own (reusing a slot under a reader
 * would show that).
 */
#define NB_STABLE 1024
#define NB_CHURN  2048
#define STRESS_MS 1000

struct stress {
	struct ovl_rtab *t;	   /**< the table */
	struct rte_rcu_qsbr *qsbr; /**< the worker reports here */
	int stop;		   /**< set by the control thread; atomic */
	uint64_t lookups;	   /**< keys looked up by the worker */
	uint64_t missed_stable;	   /**< stable keys not found: must stay 0 */
	uint64_t wrong_value;	   /**< values not of their key: must stay 0 */
	uint64_t churn_found;	   /**< churn keys found (so the worker saw both states) */
};

static uint64_t
stable_key(uint32_t i)
{
	return rkey(7, i + 1);
}

static uint64_t
churn_key(uint32_t i)
{
	return rkey(8, i + 1);
}

/* A key's values: its own key times two, plus 0 or 1. */
static bool
value_of(uint64_t key, uint64_t v)
{
	return v >> 1 == key;
}

static int
stress_worker(void *arg)
{
	struct stress *s = arg;
	uint64_t keys[32], vals[32];
	uint32_t round = 0;

	rte_rcu_qsbr_thread_register(s->qsbr, 0);
	rte_rcu_qsbr_thread_online(s->qsbr, 0);
	while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
		uint32_t base = (round * 32) % NB_STABLE;

		for (uint32_t k = 0; k < 32; k++)
			keys[k] = stable_key(base + k);
		ovl_rtab_find_bulk(s->t, keys, 32, vals, 0);
		for (uint32_t k = 0; k < 32; k++) {
			if (vals[k] == 0)
				s->missed_stable++;
			else if (!value_of(keys[k], vals[k]))
				s->wrong_value++;
		}
		base = (round * 32) % NB_CHURN;
		for (uint32_t k = 0; k < 32; k++)
			keys[k] = churn_key(base + k);
		ovl_rtab_find_bulk(s->t, keys, 32, vals, 0);
		for (uint32_t k = 0; k < 32; k++) {
			if (vals[k] == 0)
				continue;
			s->churn_found++;
			if (!value_of(keys[k], vals[k]))
				s->wrong_value++;
		}
		s->lookups += 64;
		round++;
		rte_rcu_qsbr_quiescent(s->qsbr, 0);
	}
	rte_rcu_qsbr_thread_offline(s->qsbr, 0);
	rte_rcu_qsbr_thread_unregister(s->qsbr, 0);
	return 0;
}

static void
test_rtab_concurrent_reader(void)
{
	size_t size = rte_rcu_qsbr_get_memsize(1);
	struct rte_rcu_qsbr *qsbr = rte_zmalloc("test_qsbr", size, RTE_CACHE_LINE_SIZE);
	unsigned int worker = rte_get_next_lcore(-1, 1, 0);
	struct ovl_rtab t;
	struct stress s = { .t = &t, .qsbr = qsbr };
	uint64_t end, nb_flips = 0, nb_deleted = 0;
	uint32_t round = 0, positions[64];

	CU_ASSERT_PTR_NOT_NULL_FATAL(qsbr);
	CU_ASSERT_EQUAL_FATAL(rte_rcu_qsbr_init(qsbr, 1), 0);
	CU_ASSERT_FATAL(worker < RTE_MAX_LCORE);
	CU_ASSERT_EQUAL_FATAL(ovl_rtab_init(&t, NB_STABLE + NB_CHURN, SOCKET_ID_ANY), 0);
	for (uint32_t i = 0; i < NB_STABLE; i++)
		CU_ASSERT_EQUAL_FATAL(ovl_rtab_set(&t, stable_key(i), stable_key(i) << 1, NULL), 0);
	for (uint32_t i = 0; i < NB_CHURN; i++)
		CU_ASSERT_EQUAL_FATAL(ovl_rtab_set(&t, churn_key(i), churn_key(i) << 1, NULL), 0);

	CU_ASSERT_EQUAL_FATAL(rte_eal_remote_launch(stress_worker, &s, worker), 0);
	end = rte_get_timer_cycles() + rte_get_timer_hz() * STRESS_MS / 1000;
	while (rte_get_timer_cycles() < end) {
		uint32_t nb = 0;

		/* Flip a stretch of stable keys to their other value. */
		for (uint32_t k = 0; k < 64; k++) {
			uint32_t i = (round * 64 + k) % NB_STABLE;
			uint64_t v;

			if (ovl_rtab_find(&t, stable_key(i), &v) != OVL_RTAB_POS_NONE) {
				ovl_rtab_set(&t, stable_key(i), v ^ 1, NULL);
				nb_flips++;
			}
		}
		/* Delete some churn keys, wait for the reader, free the slots, add them back. */
		for (uint32_t k = 0; k < 64; k++) {
			uint32_t p = ovl_rtab_hide(&t, churn_key((uint32_t)(rte_rand() % NB_CHURN)));

			if (p != OVL_RTAB_POS_NONE)
				positions[nb++] = p;
		}
		rte_rcu_qsbr_synchronize(qsbr, RTE_QSBR_THRID_INVALID);
		for (uint32_t k = 0; k < nb; k++)
			ovl_rtab_reclaim(&t, positions[k]);
		nb_deleted += nb;
		for (uint32_t i = 0; i < NB_CHURN; i++)
			ovl_rtab_set(&t, churn_key(i), churn_key(i) << 1 | (round & 1), NULL);
		round++;
	}
	__atomic_store_n(&s.stop, 1, __ATOMIC_RELEASE);
	rte_eal_wait_lcore(worker);

	printf("\n    %u rounds, %lu flips, %lu deletes; worker: %lu lookups, %lu churn hits, "
	       "%lu stable misses, %lu wrong values\n",
	       round, (unsigned long)nb_flips, (unsigned long)nb_deleted, (unsigned long)s.lookups,
	       (unsigned long)s.churn_found, (unsigned long)s.missed_stable,
	       (unsigned long)s.wrong_value);
	CU_ASSERT(round > 10);
	CU_ASSERT(nb_deleted > 0);
	CU_ASSERT(s.lookups > 10000);
	CU_ASSERT(s.churn_found > 0);
	CU_ASSERT_EQUAL(s.missed_stable, 0);
	CU_ASSERT_EQUAL(s.wrong_value, 0);
	CU_ASSERT_EQUAL(ovl_rtab_count(&t), NB_STABLE + NB_CHURN);
	CU_ASSERT_EQUAL(t.nb_hidden, 0);
	ovl_rtab_fini(&t);
	rte_free(qsbr);
}

int
main(int argc, char **argv)
{
	CU_pSuite s;
	int ret;

	(void)argc;
	if (test_eal_init(argv[0], 2) < 0)
		return 1;
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("ovl_rec_table", NULL, NULL);
	CU_add_test(s, "set, find, replace, delete", test_rtab_set_find_replace_delete);
	CU_add_test(s, "reserved keys never match", test_rtab_reserved_keys_never_match);
	CU_add_test(s, "collisions and tombstones", test_rtab_collisions_and_tombstones);
	CU_add_test(s, "full at max_entries", test_rtab_full_at_max_entries);
	CU_add_test(s, "walk sees present keys once", test_rtab_walk_sees_present_keys_once);
	CU_add_test(s, "first failure beyond sizing", test_rtab_first_failure_beyond_sizing);
	CU_add_test(s, "concurrent reader", test_rtab_concurrent_reader);
	ret = test_run_suites();
	rte_eal_cleanup();
	return ret;
}
