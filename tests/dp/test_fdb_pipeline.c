/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Migration and FDB policy through the real pipeline on ring ports:
 * announcements move MACs (even with learning off), port security stops
 * forged announcements, malformed announcements never move anything, limits
 * refuse and may drop (and hold under a looping flood of new MACs), the
 * workers' events reach the control thread, and a MAC flushed with a downed
 * port that reappears elsewhere is a move.
 */
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dp.h"
#include "dp_harness.h"
#include "dp_ctl.h"
#include "dp_worker.h"
#include "test_common.h"
#include "test_frames.h"

#define VM    "02:00:00:00:00:0a"
#define PEER  "02:00:00:00:00:0b"
#define EVIL  "02:00:00:00:00:0e"
#define BCAST "ff:ff:ff:ff:ff:ff"

static void
inject(const char *port, const char *dst, const char *src)
{
	dp_test_inject(port, test_frame(dp_main.pool, dst, src, RTE_ETHER_TYPE_IPV4, 60));
}

/* port.set allowed-macs: one MAC, or none for any source; @return dp_port_set()'s result. */
static int
allow_only(const char *port, const char *mac)
{
	struct dp_port_settings set = { .fields = DP_PORT_SET_ALLOWED };

	if (mac != NULL) {
		CU_ASSERT_FATAL(rte_ether_unformat_addr(mac, &set.allowed[0]) == 0);
		set.nb_allowed = 1;
	}
	return dp_port_set(port, &set, NULL);
}

static void
drain_all(void)
{
	dp_test_drain("p1");
	dp_test_drain("p2");
	dp_test_drain("p3");
}

/* Where the MAC table has 'mac', in any bridge domain. */
static struct dp_test_found
where(const char *mac)
{
	return dp_test_where(NULL, mac);
}

static int
setup(void)
{
	const char *names[] = { "p1", "p2", "p3" };

	for (unsigned int i = 0; i < 3; i++) {
		if (dp_test_add_ring(names[i], NULL) < 0) {
			fprintf(stderr, "setup: %s\n", dp_test_err);
			return 1;
		}
	}
	dp_bd_reset_conf(0);
	return 0;
}

static int
teardown(void)
{
	dp_port_del("p1", dp_test_err, sizeof(dp_test_err));
	dp_port_del("p2", dp_test_err, sizeof(dp_test_err));
	dp_port_del("p3", dp_test_err, sizeof(dp_test_err));
	return 0;
}

/* VM lives on p1, its peer on p2. */
static void
learn_vm_and_peer(void)
{
	inject("p1", BCAST, VM);
	inject("p2", BCAST, PEER);
	dp_test_round();
	drain_all();
}

static void
check_announcement_moves(struct rte_mbuf *announce, const char *cause, const char *counter_name)
{
	uint64_t before = dp_test_counter(counter_name);

	learn_vm_and_peer();
	dp_test_inject("p3", announce);
	dp_test_round();
	drain_all();
	CU_ASSERT_STRING_EQUAL(where(VM).port, "p3");
	CU_ASSERT_STRING_EQUAL(where(VM).cause, cause);
	CU_ASSERT_EQUAL(dp_test_counter(counter_name), before + 1);
	/* The next frame to the VM goes to its new port only. */
	inject("p2", VM, PEER);
	dp_test_round();
	CU_ASSERT_EQUAL(dp_test_drain("p3"), 1);
	CU_ASSERT_EQUAL(dp_test_drain("p1"), 0);
}

static void
test_garp_request_moves_vm(void)
{
	check_announcement_moves(test_arp_frame(dp_main.pool, VM, 0x0806, 1, VM, 10, 10), "garp",
				 "garp_rx");
}

static void
test_garp_reply_moves_vm(void)
{
	check_announcement_moves(test_arp_frame(dp_main.pool, VM, 0x0806, 2, VM, 10, 10), "garp",
				 "garp_rx");
}

static void
test_rarp_moves_vm(void)
{
	check_announcement_moves(test_arp_frame(dp_main.pool, VM, 0x8035, 3, VM, 0, 0), "rarp",
				 "rarp_rx");
}

static void
test_unsolicited_na_moves_vm(void)
{
	check_announcement_moves(test_una_frame(dp_main.pool, VM), "una", "una_rx");
}

static void
test_announcement_moves_even_with_learning_off(void)
{
	learn_vm_and_peer();
	CU_ASSERT_EQUAL(DP_TEST_BD_SET(DP_DEFAULT_BD, learning, false), 0);
	inject("p3", BCAST, VM); /* ordinary frame: no move while learning is off */
	dp_test_round();
	drain_all();
	CU_ASSERT_STRING_EQUAL(where(VM).port, "p1");
	dp_test_inject("p3", test_arp_frame(dp_main.pool, VM, 0x8035, 3, VM, 0, 0));
	dp_test_round();
	drain_all();
	CU_ASSERT_STRING_EQUAL(where(VM).port, "p3");
}

static void
test_malformed_announcement_never_moves(void)
{
	uint64_t before = dp_test_counter("drop_malformed_arp");
	struct rte_mbuf *m = test_arp_frame(dp_main.pool, VM, 0x0806, 1, VM, 10, 10);

	learn_vm_and_peer();
	CU_ASSERT_FATAL(m != NULL);
	rte_pktmbuf_trim(m, 60 - 14 - 20); /* ARP body cut to 20 bytes */
	dp_test_inject("p3", m);
	dp_test_round();
	CU_ASSERT_EQUAL(dp_test_drain("p1") + dp_test_drain("p2"), 0);
	CU_ASSERT_STRING_EQUAL(where(VM).port, "p1");
	CU_ASSERT_EQUAL(dp_test_counter("drop_malformed_arp"), before + 1);
}

static void
test_port_security_drops_forged_announcements(void)
{
	uint64_t before = dp_test_counter("drop_spoofed_mac");

	learn_vm_and_peer();
	CU_ASSERT_EQUAL(allow_only("p3", EVIL), 0);
	/* A forged GARP with the victim's MAC as source... */
	dp_test_inject("p3", test_arp_frame(dp_main.pool, VM, 0x0806, 1, VM, 10, 10));
	/* ...and one with its own source but the victim in the ARP body. */
	dp_test_inject("p3", test_arp_frame(dp_main.pool, EVIL, 0x0806, 1, VM, 10, 10));
	dp_test_round();
	CU_ASSERT_EQUAL(dp_test_drain("p1") + dp_test_drain("p2"), 0);
	CU_ASSERT_STRING_EQUAL(where(VM).port, "p1");
	CU_ASSERT_STRING_EQUAL(where(EVIL).port, "");
	CU_ASSERT_EQUAL(dp_test_counter("drop_spoofed_mac"), before + 2);
	/* Its own traffic still flows. */
	inject("p3", PEER, EVIL);
	dp_test_round();
	CU_ASSERT_EQUAL(dp_test_drain("p2"), 1);
	CU_ASSERT_EQUAL(allow_only("p3", NULL), 0);
}

static void
test_port_security_rejects_bad_lists(void)
{
	CU_ASSERT_EQUAL(allow_only("p3", BCAST), -EINVAL);
	CU_ASSERT_EQUAL(allow_only("nope", NULL), -ENOENT);
	/* Words are ctl's (test_ctl_methods); the dataplane refuses what breaks its rules. */
	CU_ASSERT_EQUAL(DP_TEST_BD_SET(DP_DEFAULT_BD, vsid, 100), -EINVAL);
	CU_ASSERT_EQUAL(dp_test_why.setting, DP_BD_SET_VSID);
	CU_ASSERT_EQUAL(DP_TEST_BD_SET("nobd", aging_s, 5), -ENOENT);
}

static void
test_restricting_a_port_forgets_its_other_macs(void)
{
	learn_vm_and_peer();
	CU_ASSERT_EQUAL(allow_only("p1", EVIL), 0);
	CU_ASSERT_STRING_EQUAL(where(VM).port, "");
	CU_ASSERT_EQUAL(allow_only("p1", NULL), 0);
}

static void
test_limit_drop_action(void)
{
	uint64_t before = dp_test_counter("drop_learn_limit");

	CU_ASSERT_EQUAL(DP_TEST_BD_SET(DP_DEFAULT_BD, max_macs, 1), 0);
	CU_ASSERT_EQUAL(DP_TEST_BD_SET(DP_DEFAULT_BD, drop_over_limit, true), 0);
	inject("p1", BCAST, VM);
	inject("p2", BCAST, PEER);
	dp_test_round();
	CU_ASSERT_EQUAL(dp_test_drain("p2") + dp_test_drain("p3"), 2); /* VM's broadcast went out */
	CU_ASSERT_EQUAL(dp_test_drain("p1"), 0);                /* PEER's was refused and dropped */
	CU_ASSERT_EQUAL(dp_test_counter("drop_learn_limit"), before + 1);
	CU_ASSERT_EQUAL(DP_TEST_BD_SET(DP_DEFAULT_BD, drop_over_limit, false), 0);
	inject("p2", BCAST, PEER);
	dp_test_round();
	CU_ASSERT_EQUAL(dp_test_drain("p1"), 1);
	CU_ASSERT_STRING_EQUAL(where(PEER).port, "");
	drain_all();
}

struct event_log {
	unsigned int nb;           /**< events seen */
	struct dp_event last;      /**< the last one */
	struct dp_event moved;     /**< the last fdb.moved */
	unsigned int nb_moved;     /**< fdb.moved events */
	unsigned int nb_flap;      /**< fdb.flap events */
	unsigned int nb_lost;      /**< events.lost reports */
	uint64_t lost;             /**< events they say were lost */
};

static void
log_event(const struct dp_event *ev, void *arg)
{
	struct event_log *log = arg;

	log->nb++;
	log->last = *ev;
	log->nb_moved += ev->type == DP_EVENT_MOVED;
	if (ev->type == DP_EVENT_MOVED)
		log->moved = *ev;
	log->nb_flap += ev->type == DP_EVENT_FLAP;
	if (ev->type == DP_EVENT_LOST) {
		log->nb_lost++;
		log->lost += ev->count;
		log->nb--; /* not an FDB event */
	}
}

static void
test_move_event_reaches_control_thread(void)
{
	struct event_log log = { 0 };

	/* Earlier tests moved this MAC too: no flap reports here. */
	CU_ASSERT_EQUAL(DP_TEST_BD_SET(DP_DEFAULT_BD, flap_moves, 0), 0);
	dp_periodic(); /* discard what earlier tests left */
	dp_set_event_handler(log_event, &log);
	learn_vm_and_peer();
	dp_test_inject("p3", test_arp_frame(dp_main.pool, VM, 0x0806, 1, VM, 10, 10));
	dp_test_round();
	drain_all();
	dp_periodic();
	/* PEER learned, VM moved; VM's own learn, still queued, is superseded by the move. */
	CU_ASSERT_EQUAL(log.nb, 2);
	CU_ASSERT_EQUAL(log.nb_moved, 1);
	CU_ASSERT_EQUAL(log.moved.type, DP_EVENT_MOVED);
	CU_ASSERT_STRING_EQUAL(log.moved.from, "p1");
	CU_ASSERT_STRING_EQUAL(log.moved.to, "p3");
	CU_ASSERT_STRING_EQUAL(log.moved.cause, "garp");
	CU_ASSERT_STRING_EQUAL(log.moved.bd, DP_DEFAULT_BD);
	dp_set_event_handler(NULL, NULL);
}

static void
test_flapping_mac_is_reported_and_frozen(void)
{
	struct event_log log = { 0 };

	CU_ASSERT_EQUAL(DP_TEST_BD_SET(DP_DEFAULT_BD, flap_moves, 3), 0);
	CU_ASSERT_EQUAL(DP_TEST_BD_SET(DP_DEFAULT_BD, flap_hold_s, 60), 0);
	dp_periodic();
	dp_set_event_handler(log_event, &log);
	learn_vm_and_peer();
	for (unsigned int i = 0; i < 6; i++) {
		inject(i % 2 ? "p1" : "p3", BCAST, VM);
		dp_test_round();
		drain_all();
		dp_periodic();
	}
	CU_ASSERT_EQUAL(log.nb_flap, 1);
	CU_ASSERT(log.nb_moved >= 4);
	/* Frozen: further frames from elsewhere do not move it. */
	const char *held = where(VM).port[1] == '1' ? "p3" : "p1";
	uint64_t refused = dp_test_counter("fdb_frozen_refused");

	inject(held, BCAST, VM);
	dp_test_round();
	drain_all();
	CU_ASSERT_NOT_EQUAL(strcmp(where(VM).port, held), 0);
	CU_ASSERT_EQUAL(dp_test_counter("fdb_frozen_refused"), refused + 1);
	dp_set_event_handler(NULL, NULL);
	CU_ASSERT_EQUAL(dp_fdb_flush(NULL, NULL) >= 0, 1);
}

/* Learn 'nb' new MACs on p2 without letting the control thread drain events. */
static void
learn_flood(unsigned int first, unsigned int nb)
{
	char src[18];

	for (unsigned int i = 0; i < nb; i++) {
		snprintf(src, sizeof(src), "02:10:00:00:%02x:%02x", (first + i) >> 8 & 0xff,
			 (first + i) & 0xff);
		inject("p2", BCAST, src);
		if (i % 256 == 255 || i == nb - 1)
			while (rte_ring_count(dp_test_ring("p2", "rx")) > 0)
				dp_test_round();
		drain_all();
	}
}

/*
 * A flood of new MACs overflows the learn events, but the move that follows
 * a VM is delivered at the very next tick, and subscribers hear of the loss.
 */
static void
test_move_is_not_lost_behind_a_learn_flood(void)
{
	struct event_log log = { 0 };
	uint64_t lost_before = dp_test_counter("events_lost");
	unsigned int learned = 0;

	CU_ASSERT_EQUAL(DP_TEST_BD_SET(DP_DEFAULT_BD, flap_moves, 0), 0);
	learn_vm_and_peer();
	dp_periodic(); /* VM and PEER learned and reported */
	/* The table holds fewer than a ring's worth: flush between rounds (a flush reports nothing). */
	for (unsigned int round = 0; round < 3; round++) {
		learn_flood(round * 1500, 1500);
		learned += 1500;
		CU_ASSERT_EQUAL(dp_fdb_flush(DP_DEFAULT_BD, "p2") >= 0, 1);
	}
	dp_set_event_handler(log_event, &log);
	dp_test_inject("p3", test_arp_frame(dp_main.pool, VM, 0x0806, 1, VM, 10, 10));
	dp_test_round();
	drain_all();
	dp_periodic();
	CU_ASSERT_EQUAL(log.nb_moved, 1);
	CU_ASSERT_EQUAL(log.nb_lost, 1);
	CU_ASSERT_EQUAL(log.lost, learned - (DP_EVENT_RING_SIZE - 1));
	CU_ASSERT_EQUAL(dp_test_counter("events_lost"), lost_before + log.lost);
	CU_ASSERT_EQUAL(dp_test_counter("events_lost_urgent"), 0);
	while (log.nb < learned) {
		unsigned int nb = log.nb;

		dp_periodic();
		if (log.nb == nb)
			break;
	}
	dp_set_event_handler(NULL, NULL);
}

/*
 * A learn still queued when the same MAC moves is not delivered after the
 * move: a subscriber would otherwise believe the MAC went back.
 */
static void
test_stale_learn_is_not_delivered_after_a_move(void)
{
	struct event_log log = { 0 };

	CU_ASSERT_EQUAL(DP_TEST_BD_SET(DP_DEFAULT_BD, flap_moves, 0), 0);
	dp_periodic();
	dp_set_event_handler(log_event, &log);
	inject("p1", BCAST, VM);
	dp_test_round();
	dp_test_inject("p3", test_arp_frame(dp_main.pool, VM, 0x0806, 1, VM, 10, 10));
	dp_test_round();
	drain_all();
	dp_periodic();
	CU_ASSERT_EQUAL(log.nb, 1);
	CU_ASSERT_EQUAL(log.last.type, DP_EVENT_MOVED);
	CU_ASSERT_STRING_EQUAL(log.last.from, "p1");
	CU_ASSERT_STRING_EQUAL(log.last.to, "p3");
	CU_ASSERT_STRING_EQUAL(where(VM).port, "p3");
	dp_set_event_handler(NULL, NULL);
}

/* Take ring port 'name's link down or up and let the once-a-second link check see it. */
static void
set_link(const char *name, bool up)
{
	int slot = dp_port_find(name);
	uint16_t eth;

	CU_ASSERT_FATAL(slot >= 0);
	eth = dp_main.ports[slot].handle.eth_port;
	CU_ASSERT_EQUAL(up ? rte_eth_dev_set_link_up(eth) : rte_eth_dev_set_link_down(eth), 0);
	rte_delay_ms(1100);
	dp_periodic();
}

static uint8_t
moves_of(const char *mac)
{
	struct rte_ether_addr a;
	struct fdb_entry e;

	CU_ASSERT_FATAL(rte_ether_unformat_addr(mac, &a) == 0);
	return fdb_lookup(dp_main.fdb, fdb_key(0, &a), &e) == 0 ? e.moves : 0;
}

/*
 * Live migration between two ports of this switch: the old port's link goes
 * down first and its MACs are flushed; the VM's announcement on the new port
 * is then a move (event, counter, the entry's moves), not a fresh learn.
 */
static void
test_relearn_after_link_down_is_a_move(void)
{
	struct event_log log = { 0 };
	uint64_t moves;

	CU_ASSERT_EQUAL(DP_TEST_BD_SET(DP_DEFAULT_BD, flap_moves, 0), 0);
	learn_vm_and_peer();
	dp_periodic();
	moves = dp_test_counter("fdb_moves");
	dp_set_event_handler(log_event, &log);
	set_link("p1", false);
	CU_ASSERT_STRING_EQUAL(where(VM).port, "");
	CU_ASSERT_STRING_EQUAL(where(PEER).port, "p2");
	dp_test_inject("p3", test_arp_frame(dp_main.pool, VM, 0x0806, 1, VM, 10, 10));
	dp_test_round();
	drain_all();
	dp_periodic();
	CU_ASSERT_STRING_EQUAL(where(VM).port, "p3");
	CU_ASSERT_EQUAL(dp_test_counter("fdb_moves"), moves + 1);
	CU_ASSERT_EQUAL(moves_of(VM), 1);
	CU_ASSERT_EQUAL(log.nb_moved, 1);
	CU_ASSERT_EQUAL(log.last.type, DP_EVENT_MOVED);
	CU_ASSERT_STRING_EQUAL(log.last.from, "p1");
	CU_ASSERT_STRING_EQUAL(log.last.to, "p3");
	CU_ASSERT_STRING_EQUAL(log.last.cause, "garp");

	/* A link that bounces under a VM that stays: learned again on the same port, no move. */
	inject("p2", BCAST, EVIL);
	dp_test_round();
	drain_all();
	set_link("p2", false);
	set_link("p2", true);
	inject("p2", BCAST, EVIL);
	dp_test_round();
	drain_all();
	dp_periodic();
	CU_ASSERT_STRING_EQUAL(where(EVIL).port, "p2");
	CU_ASSERT_EQUAL(dp_test_counter("fdb_moves"), moves + 1);
	CU_ASSERT_EQUAL(log.nb_moved, 1);
	set_link("p1", true);
	dp_set_event_handler(NULL, NULL);
}

static void
test_static_entry_add_and_del(void)
{
	struct rte_ether_addr mac;
	struct dp_test_found f;

	test_mac(PEER, mac.addr_bytes);
	CU_ASSERT_EQUAL(dp_fdb_add_static(DP_DEFAULT_BD, &mac, "p2"), 0);
	inject("p3", BCAST, PEER); /* learning must not move it */
	dp_test_round();
	drain_all();
	f = where(PEER);
	CU_ASSERT_STRING_EQUAL(f.port, "p2");
	CU_ASSERT_STRING_EQUAL(f.cause, "static");
	CU_ASSERT_EQUAL(dp_fdb_flush(NULL, NULL), 0); /* flush spares static */
	CU_ASSERT_EQUAL(dp_fdb_del(DP_DEFAULT_BD, &mac), 0);
	CU_ASSERT_EQUAL(dp_fdb_del(DP_DEFAULT_BD, &mac), -ENOENT);
	CU_ASSERT_EQUAL(dp_fdb_add_static("nobd", &mac, "p2"), -ENOENT);
	CU_ASSERT_EQUAL(dp_fdb_add_static(DP_DEFAULT_BD, &mac, "nope"), -ENOENT);
	test_mac(BCAST, mac.addr_bytes);
	CU_ASSERT_EQUAL(dp_fdb_add_static(DP_DEFAULT_BD, &mac, "p2"), -EINVAL);
}

/* Frames from VM on 'port', one per round, 'n' rounds. */
static void
vm_talks(const char *port, int n)
{
	for (int i = 0; i < n; i++) {
		inject(port, BCAST, VM);
		dp_test_round();
	}
	drain_all();
}

/* A frame from PEER on p2 to VM leaves by 'port' only, not by 'other'. */
static void
peer_reaches_vm_on(const char *port, const char *other)
{
	inject("p2", VM, PEER);
	dp_test_round();
	CU_ASSERT_EQUAL(dp_test_drain(port), 1);
	CU_ASSERT_EQUAL(dp_test_drain(other), 0);
}

/*
 * The worker's learn cache skips the table for a source it has just found
 * on the port it comes from (three rounds: learned, found, skipped), but
 * never for one whose entry changed since: deleted (learned again at once),
 * made static on another port (a conflict, not a skip), moved by a frame
 * on another port and back; and it answers for a destination only what the
 * table would.
 */
static void
test_learn_cache_never_hides_a_change(void)
{
	struct rte_ether_addr mac;
	uint64_t conflicts;

	test_mac(VM, mac.addr_bytes);
	CU_ASSERT_EQUAL(dp_fdb_flush(NULL, NULL), 0);
	vm_talks("p1", 3);
	CU_ASSERT_STRING_EQUAL(where(VM).port, "p1");

	CU_ASSERT_EQUAL(dp_fdb_del(DP_DEFAULT_BD, &mac), 0);
	CU_ASSERT_STRING_EQUAL(where(VM).port, "");
	vm_talks("p1", 1);
	CU_ASSERT_STRING_EQUAL(where(VM).port, "p1");

	vm_talks("p1", 2);
	conflicts = dp_test_counter("fdb_static_conflict");
	CU_ASSERT_EQUAL(dp_fdb_add_static(DP_DEFAULT_BD, &mac, "p2"), 0);
	vm_talks("p1", 1);
	CU_ASSERT_EQUAL(dp_test_counter("fdb_static_conflict"), conflicts + 1);
	CU_ASSERT_STRING_EQUAL(where(VM).port, "p2");
	CU_ASSERT_EQUAL(dp_fdb_del(DP_DEFAULT_BD, &mac), 0);

	/* As a destination too: the cache answers for a source it found, never after a move. */
	vm_talks("p1", 3);
	peer_reaches_vm_on("p1", "p3");
	vm_talks("p3", 1);
	CU_ASSERT_STRING_EQUAL(where(VM).port, "p3");
	peer_reaches_vm_on("p3", "p1");
	vm_talks("p1", 1);
	CU_ASSERT_STRING_EQUAL(where(VM).port, "p1");
}

/*
 * Issue 12: one port of a domain with max-macs=100 receives a looping replay
 * of frames from ever-new source MACs while the control thread's periodic
 * work (aging walk included) runs between poll rounds.  The domain must hold
 * exactly the first 100 MACs at every moment, and fdb_limit_refused must
 * count every other frame.  With the old end-of-pass recount the walk's tally
 * missed MACs learned behind it, and the domain filled past the limit.
 */
#define FLOOD_MACS  1000 /* distinct sources in the replay */
#define FLOOD_LOOPS 3    /* times it is replayed */
#define FLOOD_LIMIT 100

static void
flood_mac(unsigned int i, char *out, size_t len)
{
	snprintf(out, len, "02:00:5e:00:%02x:%02x", (i >> 8) & 0xff, i & 0xff);
}

static void
test_limit_holds_under_looping_flood(void)
{
	uint64_t learned = dp_test_counter("fdb_learned");
	uint64_t refused = dp_test_counter("fdb_limit_refused");
	uint32_t per_bd[VSW_MAX_BDS], most = 0, most_counted = 0;
	unsigned int nb_out = 0, nb_sent = 0;
	int slot = dp_port_find("p1");
	char mac[18];

	CU_ASSERT_FATAL(slot >= 0);
	CU_ASSERT_FATAL(dp_fdb_flush(DP_DEFAULT_BD, NULL) >= 0);
	dp_fdb_count_per_bd(per_bd);
	CU_ASSERT_EQUAL_FATAL(per_bd[0], 0);
	CU_ASSERT_EQUAL(DP_TEST_BD_SET(DP_DEFAULT_BD, max_macs, 100), 0);
	for (unsigned int loop = 0; loop < FLOOD_LOOPS; loop++) {
		for (unsigned int i = 0; i < FLOOD_MACS; i += VSW_BURST_SIZE) {
			for (unsigned int k = i; k < i + VSW_BURST_SIZE && k < FLOOD_MACS; k++) {
				flood_mac(k, mac, sizeof(mac));
				inject("p1", BCAST, mac);
				nb_sent++;
			}
			dp_test_round();
			nb_out += dp_test_drain("p2") + dp_test_drain("p3");
			dp_periodic(); /* events, and a step of the aging walk */
			dp_fdb_count_per_bd(per_bd);
			most = RTE_MAX(most, per_bd[0]);
			most_counted = RTE_MAX(most_counted, fdb_bd_count(dp_main.fdb, 0));
		}
	}
	printf("\n    %u frames from %u MACs: at most %u MACs in the domain (%u counted)\n",
	       nb_sent, FLOOD_MACS, most, most_counted);
	/* Positive control: the stream got through, so the refusals below are real. */
	CU_ASSERT_EQUAL(nb_sent, FLOOD_LOOPS * FLOOD_MACS);
	CU_ASSERT_EQUAL(nb_out, 2 * nb_sent); /* limit-action forward: every frame flooded */
	CU_ASSERT(most <= FLOOD_LIMIT);
	CU_ASSERT(most_counted <= FLOOD_LIMIT);
	dp_fdb_count_per_bd(per_bd);
	CU_ASSERT_EQUAL(per_bd[0], FLOOD_LIMIT);
	CU_ASSERT_EQUAL(fdb_bd_count(dp_main.fdb, 0), FLOOD_LIMIT);
	CU_ASSERT_EQUAL(fdb_port_count(dp_main.fdb, (uint16_t)slot), FLOOD_LIMIT);
	CU_ASSERT_EQUAL(dp_test_counter("fdb_learned") - learned, FLOOD_LIMIT);
	/* Every frame from a MAC that is not in the table was refused, in every loop. */
	CU_ASSERT_EQUAL(dp_test_counter("fdb_limit_refused") - refused,
			FLOOD_LOOPS * (FLOOD_MACS - FLOOD_LIMIT));
	/* The first 100 of the replay, and none after them. */
	flood_mac(FLOOD_LIMIT - 1, mac, sizeof(mac));
	CU_ASSERT_STRING_EQUAL(where(mac).port, "p1");
	flood_mac(FLOOD_LIMIT, mac, sizeof(mac));
	CU_ASSERT_STRING_EQUAL(where(mac).port, "");
	CU_ASSERT(dp_fdb_flush(DP_DEFAULT_BD, NULL) >= 0);
	CU_ASSERT_EQUAL(fdb_bd_count(dp_main.fdb, 0), 0);
}

/*
 * The worker's seconds (the FDB's last-seen clock) are the whole seconds
 * since dp_init at any TSC, though they are computed only when a second
 * boundary is passed.
 */
static void
test_worker_clock_counts_whole_seconds(void)
{
	struct dp_lcore *lc = dp_main.lcores[0];
	const uint64_t hz = dp_main.tsc_hz, t0 = dp_main.epoch_tsc;
	const uint64_t at[] = { 0, hz / 2, hz - 1, hz, hz + 1, 3 * hz - 1, 3 * hz, 10 * hz + 7, 11 * hz };

	CU_ASSERT_EQUAL_FATAL(hz, rte_get_tsc_hz());
	lc->next_second_tsc = 0;
	for (size_t i = 0; i < RTE_DIM(at); i++) {
		dp_worker_clock(lc, t0 + at[i]);
		CU_ASSERT_EQUAL(lc->now, (uint32_t)(at[i] / hz));
	}
}

int
main(int argc, char **argv)
{
	(void)argc;
	if (dp_test_start(argv[0]) < 0)
		return 1;
	DP_TEST_ALONE(test_garp_request_moves_vm, setup, teardown);
	DP_TEST_ALONE(test_garp_reply_moves_vm, setup, teardown);
	DP_TEST_ALONE(test_rarp_moves_vm, setup, teardown);
	DP_TEST_ALONE(test_unsolicited_na_moves_vm, setup, teardown);
	DP_TEST_ALONE(test_announcement_moves_even_with_learning_off, setup, teardown);
	DP_TEST_ALONE(test_malformed_announcement_never_moves, setup, teardown);
	DP_TEST_ALONE(test_port_security_drops_forged_announcements, setup, teardown);
	DP_TEST_ALONE(test_port_security_rejects_bad_lists, setup, teardown);
	DP_TEST_ALONE(test_restricting_a_port_forgets_its_other_macs, setup, teardown);
	DP_TEST_ALONE(test_limit_drop_action, setup, teardown);
	DP_TEST_ALONE(test_move_event_reaches_control_thread, setup, teardown);
	DP_TEST_ALONE(test_flapping_mac_is_reported_and_frozen, setup, teardown);
	DP_TEST_ALONE(test_move_is_not_lost_behind_a_learn_flood, setup, teardown);
	DP_TEST_ALONE(test_stale_learn_is_not_delivered_after_a_move, setup, teardown);
	DP_TEST_ALONE(test_relearn_after_link_down_is_a_move, setup, teardown);
	DP_TEST_ALONE(test_static_entry_add_and_del, setup, teardown);
	DP_TEST_ALONE(test_learn_cache_never_hides_a_change, setup, teardown);
	DP_TEST_ALONE(test_worker_clock_counts_whole_seconds, setup, teardown);
	DP_TEST_ALONE(test_limit_holds_under_looping_flood, setup, teardown);
	return dp_test_finish();
}
