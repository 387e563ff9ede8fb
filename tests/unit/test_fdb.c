/* SPDX-License-Identifier: BSD-3-Clause */
/* The MAC table: keys, learning, moves, static entries, limits, deletion. */
#include <stdio.h>
#include <stdlib.h>

#include <CUnit/Basic.h>
#include <rte_eal.h>
#include <rte_ether.h>

#include "fdb.h"
#include "test_common.h"

static struct fdb *fdb;
static unsigned int table_seq;

static uint64_t
key_of(uint16_t bd, const char *mac_text)
{
	struct rte_ether_addr mac;

	test_mac(mac_text, mac.addr_bytes);
	return fdb_key(bd, &mac);
}

static int
setup(void)
{
	char name[32];
	struct fdb_params p = { .max_entries = 1024, .socket_id = 0 };

	snprintf(name, sizeof(name), "test_fdb%u", table_seq++);
	p.name = name;
	fdb = fdb_create(&p);
	return fdb == NULL;
}

static int
teardown(void)
{
	fdb_destroy(fdb);
	fdb = NULL;
	return 0;
}

static void
test_fdb_key_packs_bd_and_mac(void)
{
	struct rte_ether_addr mac;
	uint64_t key = key_of(7, "02:00:00:aa:bb:cc");

	CU_ASSERT_EQUAL(key, (7ULL << 48) | 0x020000aabbccULL);
	CU_ASSERT_EQUAL(fdb_key_bd(key), 7);
	fdb_key_mac(key, &mac);
	CU_ASSERT_EQUAL(mac.addr_bytes[0], 0x02);
	CU_ASSERT_EQUAL(mac.addr_bytes[5], 0xcc);
	CU_ASSERT_NOT_EQUAL(key_of(1, "02:00:00:aa:bb:cc"), key_of(2, "02:00:00:aa:bb:cc"));
}

static void
test_fdb_learn_then_lookup(void)
{
	uint64_t keys[2] = { key_of(0, "02:00:00:00:00:01"), key_of(0, "02:00:00:00:00:02") };
	uint16_t ports[2];
	struct fdb_learn_stats st = { 0 };

	fdb_lookup_bulk(fdb, keys, 2, ports);
	CU_ASSERT_EQUAL(ports[0], FDB_PORT_NONE);
	fdb_learn_bulk(fdb, &keys[0], 1, 3, &st);
	CU_ASSERT_EQUAL(st.learned, 1);
	fdb_lookup_bulk(fdb, keys, 2, ports);
	CU_ASSERT_EQUAL(ports[0], 3);
	CU_ASSERT_EQUAL(ports[1], FDB_PORT_NONE);
	CU_ASSERT_EQUAL(fdb_count(fdb), 1);
}

static void
test_fdb_relearn_same_port_writes_nothing(void)
{
	uint64_t key = key_of(0, "02:00:00:00:00:01");
	struct fdb_learn_stats st = { 0 };

	fdb_learn_bulk(fdb, &key, 1, 3, &st);
	fdb_learn_bulk(fdb, &key, 1, 3, &st);
	CU_ASSERT_EQUAL(st.learned, 1);
	CU_ASSERT_EQUAL(st.moved, 0);
}

static void
test_fdb_repeated_key_in_one_call_learns_once(void)
{
	uint64_t keys[3] = { key_of(0, "02:00:00:00:00:05"), key_of(0, "02:00:00:00:00:06"),
			     key_of(0, "02:00:00:00:00:05") };
	struct fdb_learn_stats st = { 0 };

	fdb_learn_bulk(fdb, keys, 3, 1, &st);
	CU_ASSERT_EQUAL(st.learned, 2);
	CU_ASSERT_EQUAL(fdb_count(fdb), 2);
}

static void
test_fdb_move_to_new_port(void)
{
	uint64_t key = key_of(0, "02:00:00:00:00:01");
	struct fdb_learn_stats st = { 0 };
	struct fdb_entry e;

	fdb_learn_bulk(fdb, &key, 1, 3, &st);
	fdb_learn_bulk(fdb, &key, 1, 4, &st);
	CU_ASSERT_EQUAL(st.moved, 1);
	CU_ASSERT_EQUAL_FATAL(fdb_lookup(fdb, key, &e), 0);
	CU_ASSERT_EQUAL(e.port, 4);
	CU_ASSERT_EQUAL(fdb_count(fdb), 1);
}

static void
test_fdb_static_entry_not_moved_by_learning(void)
{
	uint64_t key = key_of(0, "02:00:00:00:00:09");
	struct fdb_learn_stats st = { 0 };
	struct fdb_entry e;

	CU_ASSERT_EQUAL(fdb_add_static(fdb, key, 2), 0);
	fdb_learn_bulk(fdb, &key, 1, 5, &st);
	CU_ASSERT_EQUAL(st.moved, 0);
	CU_ASSERT_EQUAL(st.static_conflict, 1);
	CU_ASSERT_EQUAL_FATAL(fdb_lookup(fdb, key, &e), 0);
	CU_ASSERT_EQUAL(e.port, 2);
	CU_ASSERT(e.flags & FDB_F_STATIC);
}

static void
test_fdb_same_mac_in_two_bds_is_two_entries(void)
{
	uint64_t keys[2] = { key_of(1, "02:00:00:00:00:01"), key_of(2, "02:00:00:00:00:01") };
	uint16_t ports[2];
	struct fdb_learn_stats st = { 0 };

	fdb_learn_bulk(fdb, &keys[0], 1, 1, &st);
	fdb_learn_bulk(fdb, &keys[1], 1, 2, &st);
	fdb_lookup_bulk(fdb, keys, 2, ports);
	CU_ASSERT_EQUAL(ports[0], 1);
	CU_ASSERT_EQUAL(ports[1], 2);
	CU_ASSERT_EQUAL(st.moved, 0);
}

static bool
on_port(const struct fdb_entry *e, const void *arg)
{
	return e->port == *(const uint16_t *)arg;
}

static void
test_fdb_delete_if_removes_only_matches(void)
{
	uint64_t keys[4];
	uint16_t port = 1, ports[4];
	struct fdb_learn_stats st = { 0 };

	for (unsigned int i = 0; i < 4; i++) {
		char mac[18];

		snprintf(mac, sizeof(mac), "02:00:00:00:01:%02x", i);
		keys[i] = key_of(0, mac);
		fdb_learn_bulk(fdb, &keys[i], 1, (uint16_t)(i % 2), &st);
	}
	CU_ASSERT_EQUAL(fdb_delete_if(fdb, on_port, &port), 2);
	fdb_lookup_bulk(fdb, keys, 4, ports);
	CU_ASSERT_EQUAL(ports[0], 0);
	CU_ASSERT_EQUAL(ports[1], FDB_PORT_NONE);
	CU_ASSERT_EQUAL(ports[2], 0);
	CU_ASSERT_EQUAL(ports[3], FDB_PORT_NONE);
	CU_ASSERT_EQUAL(fdb_delete(fdb, keys[0]), 0);
	CU_ASSERT_EQUAL(fdb_delete(fdb, keys[0]), -ENOENT);
	CU_ASSERT_EQUAL(fdb_delete_if(fdb, NULL, NULL), 1);
	CU_ASSERT_EQUAL(fdb_count(fdb), 0);
}

static void
test_fdb_full_table_refuses_and_counts(void)
{
	struct fdb_learn_stats st = { 0 };
	unsigned int tries = 4096;

	for (unsigned int i = 0; i < tries; i++) {
		struct rte_ether_addr mac = { { 0x02, 0, 0, (uint8_t)(i >> 16), (uint8_t)(i >> 8),
						(uint8_t)i } };
		uint64_t key = fdb_key(0, &mac);

		fdb_learn_bulk(fdb, &key, 1, 1, &st);
	}
	CU_ASSERT(st.learned >= 1024 * 9 / 10);
	CU_ASSERT(st.learned < tries);
	CU_ASSERT_EQUAL(st.learned + st.table_full, tries);
	CU_ASSERT_EQUAL(fdb_count(fdb), st.learned);
}

int
main(int argc, char **argv)
{
	CU_pSuite s;

	(void)argc;
	if (test_eal_init(argv[0], 1) < 0)
		return 1;
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("fdb", setup, teardown);
	CU_add_test(s, "key packs bd and mac", test_fdb_key_packs_bd_and_mac);
	s = CU_add_suite("fdb_learn", setup, teardown);
	CU_add_test(s, "learn then lookup", test_fdb_learn_then_lookup);
	s = CU_add_suite("fdb_relearn", setup, teardown);
	CU_add_test(s, "relearn on same port writes nothing", test_fdb_relearn_same_port_writes_nothing);
	s = CU_add_suite("fdb_repeat", setup, teardown);
	CU_add_test(s, "repeated key in one call learns once", test_fdb_repeated_key_in_one_call_learns_once);
	s = CU_add_suite("fdb_move", setup, teardown);
	CU_add_test(s, "move to new port", test_fdb_move_to_new_port);
	s = CU_add_suite("fdb_static", setup, teardown);
	CU_add_test(s, "static entry not moved by learning", test_fdb_static_entry_not_moved_by_learning);
	s = CU_add_suite("fdb_bd", setup, teardown);
	CU_add_test(s, "same mac in two bds", test_fdb_same_mac_in_two_bds_is_two_entries);
	s = CU_add_suite("fdb_delete", setup, teardown);
	CU_add_test(s, "delete_if removes only matches", test_fdb_delete_if_removes_only_matches);
	s = CU_add_suite("fdb_full", setup, teardown);
	CU_add_test(s, "full table refuses and counts", test_fdb_full_table_refuses_and_counts);
	int ret = test_run_suites();

	rte_eal_cleanup();
	return ret;
}
