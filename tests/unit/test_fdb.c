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
static uint32_t now = 100;

/* Learn 'n' keys on 'port' at time 'now'; @return the verdict of the last one. */
static uint8_t
learn_cause(const uint64_t *keys, unsigned int n, uint16_t port, uint8_t cause,
	    struct fdb_learn_stats *st)
{
	struct fdb_learn_req reqs[FDB_BULK_MAX];
	struct fdb_learn_ctx ctx = { .port = port, .now = now, .stats = st };
	uint8_t verdicts[FDB_BULK_MAX];

	for (unsigned int i = 0; i < n; i++) {
		reqs[i].key = keys[i];
		reqs[i].cause = cause;
	}
	fdb_learn_bulk(fdb, reqs, n, &ctx, verdicts);
	return verdicts[n - 1];
}

static uint8_t
learn(const uint64_t *keys, unsigned int n, uint16_t port, struct fdb_learn_stats *st)
{
	return learn_cause(keys, n, port, FDB_CAUSE_LEARNED, st);
}

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

	/* The header forms give the same keys as the byte-wise one. */
	const uint8_t hdr[14] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55, 0x06, 0x77, 0x88,
				  0x99, 0xaa, 0xbb, 0x08, 0x00 };

	CU_ASSERT_EQUAL(key_of(9, "02:11:22:33:44:55"), (9ULL << 48) | 0x021122334455ULL);
	fdb_key_mac(key_of(9, "02:11:22:33:44:55"), &mac);
	CU_ASSERT_EQUAL(memcmp(mac.addr_bytes, hdr, 6), 0);
	CU_ASSERT_EQUAL(fdb_key_dst(9, hdr), key_of(9, "02:11:22:33:44:55"));
	CU_ASSERT_EQUAL(fdb_key_src(9, hdr), key_of(9, "06:77:88:99:aa:bb"));
}

static void
test_fdb_learn_then_lookup(void)
{
	uint64_t keys[2] = { key_of(0, "02:00:00:00:00:01"), key_of(0, "02:00:00:00:00:02") };
	uint16_t ports[2];
	struct fdb_learn_stats st = { 0 };

	fdb_lookup_bulk(fdb, keys, 2, ports);
	CU_ASSERT_EQUAL(ports[0], FDB_PORT_NONE);
	learn(&keys[0], 1, 3, &st);
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

	learn(&key, 1, 3, &st);
	learn(&key, 1, 3, &st);
	CU_ASSERT_EQUAL(st.learned, 1);
	CU_ASSERT_EQUAL(st.moved, 0);
}

static void
test_fdb_repeated_key_in_one_call_learns_once(void)
{
	uint64_t keys[3] = { key_of(0, "02:00:00:00:00:05"), key_of(0, "02:00:00:00:00:06"),
			     key_of(0, "02:00:00:00:00:05") };
	struct fdb_learn_stats st = { 0 };

	learn(keys, 3, 1, &st);
	CU_ASSERT_EQUAL(st.learned, 2);
	CU_ASSERT_EQUAL(fdb_count(fdb), 2);
}

static void
test_fdb_move_to_new_port(void)
{
	uint64_t key = key_of(0, "02:00:00:00:00:01");
	struct fdb_learn_stats st = { 0 };
	struct fdb_entry e;

	learn(&key, 1, 3, &st);
	learn(&key, 1, 4, &st);
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
	learn(&key, 1, 5, &st);
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

	learn(&keys[0], 1, 1, &st);
	learn(&keys[1], 1, 2, &st);
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
		learn(&keys[i], 1, (uint16_t)(i % 2), &st);
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

		learn(&key, 1, 1, &st);
	}
	CU_ASSERT(st.learned >= 1024 * 9 / 10);
	CU_ASSERT(st.learned < tries);
	CU_ASSERT_EQUAL(st.learned + st.table_full, tries);
	CU_ASSERT_EQUAL(fdb_count(fdb), st.learned);
}

static uint64_t
nth_key(uint16_t bd, unsigned int i)
{
	struct rte_ether_addr mac = { { 0x02, 0x10, 0, (uint8_t)(i >> 16), (uint8_t)(i >> 8),
					(uint8_t)i } };

	return fdb_key(bd, &mac);
}

static void
set_bd(uint16_t bd, uint32_t max_macs, bool learning, bool drop)
{
	struct fdb_bd_conf c;

	fdb_bd_get_conf(fdb, bd, &c);
	c.max_macs = max_macs;
	c.learning = learning;
	c.drop_over_limit = drop;
	fdb_bd_configure(fdb, bd, &c);
}

static void
test_fdb_bd_limit_refuses_new_macs_and_counts(void)
{
	struct fdb_learn_stats st = { 0 };

	set_bd(0, 3, true, false);
	for (unsigned int i = 0; i < 5; i++) {
		uint64_t key = nth_key(0, i);

		CU_ASSERT_EQUAL(learn(&key, 1, 1, &st), FDB_VERDICT_FORWARD);
	}
	CU_ASSERT_EQUAL(st.learned, 3);
	CU_ASSERT_EQUAL(st.limit_refused, 2);
	CU_ASSERT_EQUAL(fdb_bd_count(fdb, 0), 3);
	/* Another domain has its own budget. */
	uint64_t other = nth_key(1, 9);

	learn(&other, 1, 1, &st);
	CU_ASSERT_EQUAL(st.learned, 4);
}

static void
test_fdb_limit_action_drop_says_drop(void)
{
	struct fdb_learn_stats st = { 0 };
	uint64_t a = nth_key(0, 1), b = nth_key(0, 2);

	set_bd(0, 1, true, true);
	CU_ASSERT_EQUAL(learn(&a, 1, 1, &st), FDB_VERDICT_FORWARD);
	CU_ASSERT_EQUAL(learn(&b, 1, 1, &st), FDB_VERDICT_DROP);
	/* Known MACs keep forwarding. */
	CU_ASSERT_EQUAL(learn(&a, 1, 1, &st), FDB_VERDICT_FORWARD);
}

static void
test_fdb_port_limit(void)
{
	struct fdb_learn_stats st = { 0 };

	fdb_port_set_max_macs(fdb, 4, 2);
	for (unsigned int i = 0; i < 4; i++) {
		uint64_t key = nth_key(0, i);

		learn(&key, 1, 4, &st);
	}
	CU_ASSERT_EQUAL(fdb_port_count(fdb, 4), 2);
	CU_ASSERT_EQUAL(st.limit_refused, 2);
	/* Other ports are not limited. */
	uint64_t key = nth_key(0, 7);

	learn(&key, 1, 5, &st);
	CU_ASSERT_EQUAL(fdb_port_count(fdb, 5), 1);
	fdb_port_set_max_macs(fdb, 4, 0);
}

static void
test_fdb_learning_off_still_moves_on_announcement(void)
{
	struct fdb_learn_stats st = { 0 };
	uint64_t vm = nth_key(0, 1), stranger = nth_key(0, 2);
	struct fdb_entry e;

	learn(&vm, 1, 1, &st);
	set_bd(0, 0, false, false);
	learn(&stranger, 1, 1, &st);
	CU_ASSERT_EQUAL(fdb_lookup(fdb, stranger, &e), -ENOENT);
	learn(&vm, 1, 2, &st); /* ordinary frame from elsewhere: frozen domain, no move */
	CU_ASSERT_EQUAL_FATAL(fdb_lookup(fdb, vm, &e), 0);
	CU_ASSERT_EQUAL(e.port, 1);
	CU_ASSERT_EQUAL(st.learning_off, 2);
	learn_cause(&vm, 1, 2, FDB_CAUSE_RARP, &st);
	CU_ASSERT_EQUAL_FATAL(fdb_lookup(fdb, vm, &e), 0);
	CU_ASSERT_EQUAL(e.port, 2);
	CU_ASSERT_EQUAL(e.cause, FDB_CAUSE_RARP);
	CU_ASSERT_EQUAL(e.moves, 1);
	CU_ASSERT_EQUAL(fdb_port_count(fdb, 1), 0);
	CU_ASSERT_EQUAL(fdb_port_count(fdb, 2), 1);
}

static void
test_fdb_announcement_respects_bd_limit_for_new_macs(void)
{
	struct fdb_learn_stats st = { 0 };
	uint64_t a = nth_key(0, 1), b = nth_key(0, 2);

	set_bd(0, 1, true, false);
	learn(&a, 1, 1, &st);
	learn_cause(&b, 1, 1, FDB_CAUSE_GARP, &st);
	CU_ASSERT_EQUAL(st.limit_refused, 1);
	CU_ASSERT_EQUAL(fdb_count(fdb), 1);
	/* ...but a known MAC's announcement still moves it. */
	learn_cause(&a, 1, 3, FDB_CAUSE_GARP, &st);
	CU_ASSERT_EQUAL(st.moved, 1);
}

static void
test_fdb_frozen_entry_does_not_move(void)
{
	struct fdb_learn_stats st = { 0 };
	uint64_t key = nth_key(0, 1);
	struct fdb_entry e;

	learn(&key, 1, 1, &st);
	CU_ASSERT_EQUAL(fdb_set_frozen(fdb, key, true), 0);
	learn_cause(&key, 1, 2, FDB_CAUSE_GARP, &st);
	CU_ASSERT_EQUAL(st.frozen_refused, 1);
	CU_ASSERT_EQUAL_FATAL(fdb_lookup(fdb, key, &e), 0);
	CU_ASSERT_EQUAL(e.port, 1);
	CU_ASSERT_EQUAL(fdb_set_frozen(fdb, key, false), 0);
	learn(&key, 1, 2, &st);
	CU_ASSERT_EQUAL_FATAL(fdb_lookup(fdb, key, &e), 0);
	CU_ASSERT_EQUAL(e.port, 2);
}

static unsigned int nb_events;
static struct fdb_event last_event;

static void
record_event(const struct fdb_event *ev, void *arg)
{
	(void)arg;
	nb_events++;
	last_event = *ev;
}

static void
test_fdb_aging_expires_only_stale_dynamic_entries(void)
{
	struct fdb_learn_stats st = { 0 };
	uint64_t old = nth_key(0, 1), fresh = nth_key(0, 2), fixed = nth_key(0, 3);
	struct fdb_bd_conf c;
	struct fdb_entry e;

	fdb_bd_get_conf(fdb, 0, &c);
	c.aging_s = 30;
	fdb_bd_configure(fdb, 0, &c);
	now = 1000;
	learn(&old, 1, 1, &st);
	CU_ASSERT_EQUAL(fdb_add_static(fdb, fixed, 1), 0);
	now = 1025;
	learn(&fresh, 1, 1, &st);
	nb_events = 0;
	CU_ASSERT_EQUAL(fdb_age_step(fdb, 1031, 1000, record_event, NULL), 1);
	CU_ASSERT_EQUAL(nb_events, 1);
	CU_ASSERT_EQUAL(last_event.type, FDB_EV_AGED);
	CU_ASSERT_EQUAL(last_event.key, old);
	CU_ASSERT_EQUAL(fdb_lookup(fdb, old, &e), -ENOENT);
	CU_ASSERT_EQUAL(fdb_lookup(fdb, fresh, &e), 0);
	CU_ASSERT_EQUAL(fdb_lookup(fdb, fixed, &e), 0);
	/* Traffic refreshes last-seen, so a busy MAC never ages. */
	now = 1050;
	learn(&fresh, 1, 1, &st);
	CU_ASSERT_EQUAL(fdb_age_step(fdb, 1070, 1000, record_event, NULL), 0);
	/* Entries from overlay lookup records do not age either. */
	uint64_t rec = nth_key(0, 4);

	CU_ASSERT_EQUAL(fdb_add_record(fdb, rec, 0x8001), 0);
	CU_ASSERT_EQUAL(fdb_age_step(fdb, 5000, 1000, record_event, NULL), 1); /* only 'fresh' */
	CU_ASSERT_EQUAL(fdb_lookup(fdb, rec, &e), 0);
	CU_ASSERT_EQUAL(fdb_add_record(fdb, fixed, 0x8001), -EEXIST); /* static stays */
	/* aging=0 means never. */
	c.aging_s = 0;
	fdb_bd_configure(fdb, 0, &c);
	CU_ASSERT_EQUAL(fdb_age_step(fdb, 100000, 1000, record_event, NULL), 0);
	CU_ASSERT_EQUAL(fdb_count(fdb), 2);
	now = 100;
}

static void
test_fdb_aging_walk_is_incremental_and_keeps_counts(void)
{
	struct fdb_learn_stats st = { 0 };

	for (unsigned int i = 0; i < 100; i++) {
		uint64_t key = nth_key(0, i);

		learn(&key, 1, 1, &st);
	}
	/* Small budgets: several calls finish one pass, which deletes nothing: counts stay. */
	for (unsigned int i = 0; i < 40; i++)
		fdb_age_step(fdb, now, 16, NULL, NULL);
	CU_ASSERT_EQUAL(fdb_bd_count(fdb, 0), 100);
	CU_ASSERT_EQUAL(fdb_port_count(fdb, 1), 100);
}

static void
test_fdb_flap_reported_and_frozen_then_released(void)
{
	struct fdb_learn_stats st = { 0 };
	uint64_t key = nth_key(0, 1);
	struct fdb_bd_conf c;
	struct fdb_entry e;
	struct fdb_event mv = { .key = key, .from = 1, .to = 2, .type = FDB_EV_MOVED };

	fdb_bd_get_conf(fdb, 0, &c);
	c.flap_moves = 3;
	c.flap_window_s = 10;
	c.flap_hold_s = 60;
	fdb_bd_configure(fdb, 0, &c);
	learn(&key, 1, 1, &st);
	nb_events = 0;
	for (unsigned int i = 0; i < 3; i++)
		fdb_flap_note(fdb, &mv, 200 + i, record_event, NULL);
	CU_ASSERT_EQUAL(nb_events, 0);
	fdb_flap_note(fdb, &mv, 204, record_event, NULL);
	CU_ASSERT_EQUAL(nb_events, 1);
	CU_ASSERT_EQUAL(last_event.type, FDB_EV_FLAP);
	CU_ASSERT_EQUAL(last_event.moves, 4);
	CU_ASSERT_EQUAL(last_event.frozen, 1);
	CU_ASSERT_EQUAL_FATAL(fdb_lookup(fdb, key, &e), 0);
	CU_ASSERT(e.flags & FDB_F_FROZEN);
	fdb_flap_expire(fdb, 263);
	CU_ASSERT_EQUAL_FATAL(fdb_lookup(fdb, key, &e), 0);
	CU_ASSERT(e.flags & FDB_F_FROZEN);
	fdb_flap_expire(fdb, 264);
	CU_ASSERT_EQUAL_FATAL(fdb_lookup(fdb, key, &e), 0);
	CU_ASSERT_FALSE(e.flags & FDB_F_FROZEN);
}

static void
test_fdb_slow_moves_are_not_flaps(void)
{
	uint64_t key = nth_key(0, 1);
	struct fdb_event mv = { .key = key, .from = 1, .to = 2, .type = FDB_EV_MOVED };

	nb_events = 0;
	for (unsigned int i = 0; i < 20; i++)
		fdb_flap_note(fdb, &mv, 300 + i * 11, record_event, NULL);
	CU_ASSERT_EQUAL(nb_events, 0);
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
	s = CU_add_suite("fdb_bd_limit", setup, teardown);
	CU_add_test(s, "bd limit refuses new macs and counts", test_fdb_bd_limit_refuses_new_macs_and_counts);
	s = CU_add_suite("fdb_limit_drop", setup, teardown);
	CU_add_test(s, "limit-action drop says drop", test_fdb_limit_action_drop_says_drop);
	s = CU_add_suite("fdb_port_limit", setup, teardown);
	CU_add_test(s, "port limit", test_fdb_port_limit);
	s = CU_add_suite("fdb_learning_off", setup, teardown);
	CU_add_test(s, "learning off still moves on announcement", test_fdb_learning_off_still_moves_on_announcement);
	s = CU_add_suite("fdb_announce_limit", setup, teardown);
	CU_add_test(s, "announcement respects bd limit for new macs", test_fdb_announcement_respects_bd_limit_for_new_macs);
	s = CU_add_suite("fdb_frozen", setup, teardown);
	CU_add_test(s, "frozen entry does not move", test_fdb_frozen_entry_does_not_move);
	s = CU_add_suite("fdb_aging", setup, teardown);
	CU_add_test(s, "aging expires only stale dynamic entries", test_fdb_aging_expires_only_stale_dynamic_entries);
	s = CU_add_suite("fdb_aging_walk", setup, teardown);
	CU_add_test(s, "aging walk is incremental and keeps counts", test_fdb_aging_walk_is_incremental_and_keeps_counts);
	s = CU_add_suite("fdb_flap", setup, teardown);
	CU_add_test(s, "flap reported and frozen then released", test_fdb_flap_reported_and_frozen_then_released);
	CU_add_test(s, "slow moves are not flaps", test_fdb_slow_moves_are_not_flaps);
	int ret = test_run_suites();

	rte_eal_cleanup();
	return ret;
}
