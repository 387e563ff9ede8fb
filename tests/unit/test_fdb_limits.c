/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * MAC limits under load (issue 12, defect 2): per-domain and per-port limits
 * hold at every moment while several learner threads flood a domain with new
 * source MACs and move MACs between ports, and the control thread ages,
 * flushes, deletes ports' MACs and single MACs at the same time; and the
 * counts equal what a walk of the table finds once everyone stops.  Also the
 * single-threaded rules: a move counts on its new port (announcements too),
 * and configuration that replaces an entry moves its count.
 *
 * The learners are plain threads (the table needs no lcore), so the test
 * runs on one EAL lcore; they report quiescent states as workers do, so the
 * control thread's deletions wait for them.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>

#include <CUnit/Basic.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "fdb.h"
#include "test_common.h"

#define BD          1   /* the flooded domain */
#define BD_MAX      100 /* its max-macs */
#define PORT_A      1   /* two learners flood new MACs here */
#define PORT_B      2   /* the third floods here too, and moves A's MACs here */
#define PORT_MAX    60  /* max-macs of each of A and B: with both full the domain limit binds */
#define NB_LEARNERS 3
#define BURST       32
#define RECENT      64   /* MACs learned on A that the mover takes from */
#define RUN_ITERS   600   /* control-thread rounds: a fixed amount of work, ~2 s idle ... */
#define RUN_MS      30000 /* ... but never longer than this on a crowded machine */
#define AGING_S     2    /* virtual seconds; the clock ticks every TICK_ITERS rounds */
#define TICK_ITERS  4
#define AGE_BUDGET  256 /* entries (or buckets) per aging call: a pass spans many bursts */

static unsigned int table_seq;

static struct fdb *
new_table(uint32_t max_entries, struct rte_rcu_qsbr *qsbr)
{
	char name[32];
	struct fdb_params p = { .name = name, .max_entries = max_entries, .qsbr = qsbr };

	snprintf(name, sizeof(name), "test_fdb_limits%u", table_seq++);
	return fdb_create(&p);
}

static void
set_limits(struct fdb *fdb, uint16_t bd, uint32_t bd_max, uint32_t aging_s)
{
	struct fdb_bd_conf c;

	fdb_bd_get_conf(fdb, bd, &c);
	c.max_macs = bd_max;
	c.aging_s = aging_s;
	c.drop_over_limit = true; /* so a learner's verdict says whether its new MAC was taken */
	fdb_bd_configure(fdb, bd, &c);
}

/* Learner 'id's n-th new MAC: never seen before, never seen again. */
static uint64_t
new_key(unsigned int id, uint32_t n)
{
	return (uint64_t)BD << 48 | 0x020000000000ULL | (uint64_t)id << 32 | n;
}

struct run {
	struct fdb *fdb;             /**< the table */
	struct rte_rcu_qsbr *qsbr;   /**< learners report here */
	uint32_t now;                /**< virtual seconds, ticked by the control thread; atomic */
	int stop;                    /**< set by the control thread; atomic */
	uint64_t recent[RECENT];     /**< MACs lately learned on A; atomic */
	uint32_t recent_next;        /**< where the next one goes; atomic */
};

struct learner {
	struct run *run;             /**< shared state */
	pthread_t thread;            /**< its thread */
	unsigned int id;             /**< 0..NB_LEARNERS-1, also its qsbr thread id */
	uint16_t port;               /**< where its frames come in */
	bool mover;                  /**< half of each burst: A's MACs, to move them here */
	uint32_t next;               /**< its next new MAC */
	uint64_t bursts;             /**< bulk learns done */
	struct fdb_learn_stats st;   /**< its counters */
};

/*
 * Offer a MAC just learned on A to the mover.  A new MAC's verdict is
 * forward only if it was learned, since the domain's limit-action is drop.
 */
static void
publish_recent(struct run *r, uint64_t key)
{
	uint32_t at = __atomic_fetch_add(&r->recent_next, 1, __ATOMIC_RELAXED) % RECENT;

	__atomic_store_n(&r->recent[at], key, __ATOMIC_RELAXED);
}

static void *
learner_main(void *arg)
{
	struct learner *l = arg;
	struct run *r = l->run;
	struct fdb_learn_req reqs[BURST];
	struct fdb_learn_ctx ctx = { .port = l->port, .stats = &l->st };
	uint8_t verdicts[BURST];
	uint32_t take = 0;

	rte_rcu_qsbr_thread_register(r->qsbr, l->id);
	rte_rcu_qsbr_thread_online(r->qsbr, l->id);
	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		unsigned int n = 0;

		ctx.now = __atomic_load_n(&r->now, __ATOMIC_RELAXED);
		for (; l->mover && n < BURST / 2; n++) {
			uint64_t key = __atomic_load_n(&r->recent[take++ % RECENT],
						       __ATOMIC_RELAXED);

			reqs[n].key = key != 0 ? key : new_key(l->id, l->next++);
			reqs[n].cause = FDB_CAUSE_LEARNED;
		}
		for (; n < BURST; n++) {
			reqs[n].key = new_key(l->id, l->next++);
			reqs[n].cause = FDB_CAUSE_LEARNED;
		}
		fdb_learn_bulk(r->fdb, reqs, n, &ctx, verdicts);
		for (unsigned int i = 0; !l->mover && i < n; i++)
			if (verdicts[i] == FDB_VERDICT_FORWARD)
				publish_recent(r, reqs[i].key);
		l->bursts++;
		rte_rcu_qsbr_quiescent(r->qsbr, l->id);
		/*
		 * More threads than cores: let the others run after each burst, so
		 * that a grace period does not wait a whole time slice for each.
		 */
		sched_yield();
	}
	rte_rcu_qsbr_thread_offline(r->qsbr, l->id);
	rte_rcu_qsbr_thread_unregister(r->qsbr, l->id);
	return NULL;
}

/* What a walk finds in the flooded domain. */
struct census {
	uint32_t bd;                 /**< entries in BD */
	uint32_t a;                  /**< of them, on A */
	uint32_t b;                  /**< on B */
	uint32_t all;                /**< entries in the table */
};

static void
count_entry(const struct fdb_entry *e, void *arg)
{
	struct census *c = arg;

	c->all++;
	if (fdb_key_bd(e->key) != BD)
		return;
	c->bd++;
	c->a += e->port == PORT_A;
	c->b += e->port == PORT_B;
}

/* What the samples saw; every field but the maxima must stay 0. */
struct findings {
	unsigned int samples;        /**< moments sampled */
	uint32_t max_walk_bd;        /**< most entries a walk found in BD */
	uint32_t max_walk_b;         /**< most on B */
	unsigned int count_over;     /**< samples with a count above its limit */
	unsigned int walk_over;      /**< samples with a walk above a limit */
	unsigned int walk_uncounted; /**< samples where the walk found more than the count says */
};

/*
 * One moment: the counts, a walk, the counts again.  Entries leave the
 * domain and port B only by this thread's deletions (MACs move A -> B
 * only), so a walk can only find fewer than there are at its end: it must
 * stay within the limits and within the counts read after it.  Port A's walk
 * is not checked: a MAC seen on A early in the walk may move to B, and its
 * place on A be retaken by one found later in the same walk.
 */
static void
sample(struct fdb *fdb, struct findings *f)
{
	struct census c = { 0 };
	uint32_t bd, a, b;

	bd = fdb_bd_count(fdb, BD);
	a = fdb_port_count(fdb, PORT_A);
	b = fdb_port_count(fdb, PORT_B);
	f->count_over += bd > BD_MAX || a > PORT_MAX || b > PORT_MAX;
	fdb_walk(fdb, count_entry, &c);
	bd = fdb_bd_count(fdb, BD);
	a = fdb_port_count(fdb, PORT_A);
	b = fdb_port_count(fdb, PORT_B);
	f->count_over += bd > BD_MAX || a > PORT_MAX || b > PORT_MAX;
	f->walk_over += c.bd > BD_MAX || c.b > PORT_MAX;
	f->walk_uncounted += c.bd > bd || c.b > b;
	f->max_walk_bd = RTE_MAX(f->max_walk_bd, c.bd);
	f->max_walk_b = RTE_MAX(f->max_walk_b, c.b);
	f->samples++;
}

static bool
on_port(const struct fdb_entry *e, const void *arg)
{
	return e->port == *(const uint16_t *)arg;
}

static bool
in_bd(const struct fdb_entry *e, const void *arg)
{
	return fdb_key_bd(e->key) == *(const uint16_t *)arg;
}

static struct rte_rcu_qsbr *
new_qsbr(unsigned int nb_threads)
{
	size_t size = rte_rcu_qsbr_get_memsize(nb_threads);
	struct rte_rcu_qsbr *q = rte_zmalloc("test_qsbr", size, RTE_CACHE_LINE_SIZE);

	if (q != NULL && rte_rcu_qsbr_init(q, nb_threads) != 0) {
		rte_free(q);
		q = NULL;
	}
	return q;
}

static void
test_fdb_limits_hold_under_concurrent_learning_and_deletion(void)
{
	struct rte_rcu_qsbr *qsbr = new_qsbr(NB_LEARNERS);
	struct run r = { .qsbr = qsbr, .now = 1000 };
	struct learner ls[NB_LEARNERS];
	struct findings f = { 0 };
	struct fdb_learn_stats sum = { 0 };
	uint64_t end, nb_aged = 0, nb_flushed = 0, nb_bursts = 0;
	uint16_t port_a = PORT_A, port_b = PORT_B, bd = BD;
	struct census c = { 0 };
	unsigned int iter;

	CU_ASSERT_PTR_NOT_NULL_FATAL(qsbr);
	r.fdb = new_table(4096, qsbr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r.fdb);
	set_limits(r.fdb, BD, BD_MAX, AGING_S);
	fdb_port_set_max_macs(r.fdb, PORT_A, PORT_MAX);
	fdb_port_set_max_macs(r.fdb, PORT_B, PORT_MAX);
	for (unsigned int i = 0; i < NB_LEARNERS; i++) {
		ls[i] = (struct learner){ .run = &r, .id = i, .port = i < 2 ? PORT_A : PORT_B,
					  .mover = i == 2, .next = 1 };
		CU_ASSERT_EQUAL_FATAL(pthread_create(&ls[i].thread, NULL, learner_main, &ls[i]), 0);
	}

	end = rte_get_timer_cycles() + rte_get_timer_hz() * RUN_MS / 1000;
	for (iter = 0; iter < RUN_ITERS && rte_get_timer_cycles() < end; iter++) {
		uint32_t now = __atomic_load_n(&r.now, __ATOMIC_RELAXED);
		uint64_t victim;

		if (iter % TICK_ITERS == TICK_ITERS - 1)
			__atomic_store_n(&r.now, ++now, __ATOMIC_RELAXED);
		nb_aged += fdb_age_step(r.fdb, now, AGE_BUDGET, NULL, NULL);
		/* Between them, aging has time to find MACs unseen for AGING_S. */
		switch (iter % 64) {
		case 7: /* fdb flush of a port */
			nb_flushed += fdb_delete_if(r.fdb, on_port, &port_a);
			break;
		case 15:
		case 47: /* one MAC */
			victim = __atomic_load_n(&r.recent[iter % RECENT], __ATOMIC_RELAXED);
			nb_flushed += victim != 0 && fdb_delete(r.fdb, victim) == 0;
			break;
		case 39: /* what port deletion does once the port is unpublished */
			nb_flushed += fdb_delete_if(r.fdb, on_port, &port_b);
			break;
		case 63: /* fdb flush of the domain, every fourth time */
			if (iter % 256 == 255)
				nb_flushed += fdb_delete_if(r.fdb, in_bd, &bd);
			break;
		default:
			break;
		}
		sample(r.fdb, &f);
	}
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELEASE);
	for (unsigned int i = 0; i < NB_LEARNERS; i++) {
		CU_ASSERT_EQUAL(pthread_join(ls[i].thread, NULL), 0);
		sum.learned += ls[i].st.learned;
		sum.moved += ls[i].st.moved;
		sum.limit_refused += ls[i].st.limit_refused;
		sum.table_full += ls[i].st.table_full;
		nb_bursts += ls[i].bursts;
	}

	printf("\n    %u rounds, %u samples, %lu bursts: %lu learned, %lu moved, %lu refused, "
	       "%lu table full; %lu aged, %lu flushed; walks found at most %u in the domain "
	       "(limit %u), %u on B (limit %u)\n",
	       iter, f.samples, (unsigned long)nb_bursts, (unsigned long)sum.learned,
	       (unsigned long)sum.moved, (unsigned long)sum.limit_refused,
	       (unsigned long)sum.table_full, (unsigned long)nb_aged, (unsigned long)nb_flushed,
	       f.max_walk_bd, BD_MAX, f.max_walk_b, PORT_MAX);
	/* The run did what it is for: refills, refusals, moves, aging and flushes all happened. */
	CU_ASSERT(f.samples >= 50);
	CU_ASSERT(sum.learned > 10 * BD_MAX);
	CU_ASSERT(sum.limit_refused > 0);
	CU_ASSERT(sum.moved > 0);
	CU_ASSERT(nb_aged > 0);
	CU_ASSERT(nb_flushed > 0);
	CU_ASSERT_EQUAL(sum.table_full, 0);
	/* The limits held at every sampled moment. */
	CU_ASSERT_EQUAL(f.count_over, 0);
	CU_ASSERT_EQUAL(f.walk_over, 0);
	CU_ASSERT_EQUAL(f.walk_uncounted, 0);
	CU_ASSERT(f.max_walk_bd <= BD_MAX);

	/* Quiescent: the counts are what the table holds, exactly. */
	fdb_walk(r.fdb, count_entry, &c);
	CU_ASSERT_EQUAL(fdb_bd_count(r.fdb, BD), c.bd);
	CU_ASSERT_EQUAL(fdb_port_count(r.fdb, PORT_A), c.a);
	CU_ASSERT_EQUAL(fdb_port_count(r.fdb, PORT_B), c.b);
	CU_ASSERT_EQUAL(c.a + c.b, c.bd);
	CU_ASSERT_EQUAL(fdb_count(r.fdb), c.all);
	/* And they come back to zero with the entries. */
	fdb_delete_if(r.fdb, NULL, NULL);
	CU_ASSERT_EQUAL(fdb_bd_count(r.fdb, BD), 0);
	CU_ASSERT_EQUAL(fdb_port_count(r.fdb, PORT_A), 0);
	CU_ASSERT_EQUAL(fdb_port_count(r.fdb, PORT_B), 0);
	fdb_destroy(r.fdb);
	rte_free(qsbr);
}

static uint8_t
learn1(struct fdb *fdb, uint64_t key, uint16_t port, uint8_t cause, struct fdb_learn_stats *st)
{
	struct fdb_learn_req req = { .key = key, .cause = cause };
	struct fdb_learn_ctx ctx = { .port = port, .now = 1, .stats = st };
	uint8_t verdict;

	fdb_learn_bulk(fdb, &req, 1, &ctx, &verdict);
	return verdict;
}

/* A MAC that moves is one more on its new port: a full port refuses it, announcement or not. */
static void
test_fdb_limits_move_counts_on_the_new_port(void)
{
	struct fdb *fdb = new_table(64, NULL);
	struct fdb_learn_stats st = { 0 };
	uint64_t vm = new_key(0, 1), other = new_key(0, 2);
	struct fdb_entry e;

	CU_ASSERT_PTR_NOT_NULL_FATAL(fdb);
	fdb_port_set_max_macs(fdb, PORT_B, 1);
	learn1(fdb, vm, PORT_A, FDB_CAUSE_LEARNED, &st);
	learn1(fdb, other, PORT_B, FDB_CAUSE_LEARNED, &st);
	CU_ASSERT_EQUAL(fdb_port_count(fdb, PORT_B), 1);
	learn1(fdb, vm, PORT_B, FDB_CAUSE_LEARNED, &st);
	learn1(fdb, vm, PORT_B, FDB_CAUSE_GARP, &st);
	CU_ASSERT_EQUAL(st.moved, 0);
	CU_ASSERT_EQUAL(st.limit_refused, 2);
	CU_ASSERT_EQUAL_FATAL(fdb_lookup(fdb, vm, &e), 0);
	CU_ASSERT_EQUAL(e.port, PORT_A);
	CU_ASSERT_EQUAL(fdb_port_count(fdb, PORT_B), 1);
	/* Room on B: the move takes it, and gives A's place back. */
	CU_ASSERT_EQUAL(fdb_delete(fdb, other), 0);
	learn1(fdb, vm, PORT_B, FDB_CAUSE_RARP, &st);
	CU_ASSERT_EQUAL(st.moved, 1);
	CU_ASSERT_EQUAL(fdb_port_count(fdb, PORT_A), 0);
	CU_ASSERT_EQUAL(fdb_port_count(fdb, PORT_B), 1);
	CU_ASSERT_EQUAL(fdb_bd_count(fdb, BD), 1);
	fdb_destroy(fdb);
}

/* Configuration replacing an entry moves its count; deleting it gives the count back. */
static void
test_fdb_limits_static_and_record_replacements_keep_counts(void)
{
	struct fdb *fdb = new_table(64, NULL);
	struct fdb_learn_stats st = { 0 };
	uint64_t mac = new_key(0, 1), rec = new_key(0, 2);

	CU_ASSERT_PTR_NOT_NULL_FATAL(fdb);
	learn1(fdb, mac, PORT_A, FDB_CAUSE_LEARNED, &st);
	CU_ASSERT_EQUAL(fdb_add_static(fdb, mac, PORT_B), 0);
	CU_ASSERT_EQUAL(fdb_port_count(fdb, PORT_A), 0);
	CU_ASSERT_EQUAL(fdb_port_count(fdb, PORT_B), 1);
	CU_ASSERT_EQUAL(fdb_bd_count(fdb, BD), 1);
	CU_ASSERT_EQUAL(fdb_add_static(fdb, mac, PORT_B), 0); /* the same again */
	CU_ASSERT_EQUAL(fdb_port_count(fdb, PORT_B), 1);
	CU_ASSERT_EQUAL(fdb_add_record(fdb, mac, PORT_A), -EEXIST); /* static stays */
	CU_ASSERT_EQUAL(fdb_port_count(fdb, PORT_A), 0);
	CU_ASSERT_EQUAL(fdb_add_record(fdb, rec, 0x8001), 0);
	CU_ASSERT_EQUAL(fdb_add_record(fdb, rec, 0x8002), 0); /* both remote: one shared count */
	CU_ASSERT_EQUAL(fdb_port_count(fdb, 0x8001), 1);
	CU_ASSERT_EQUAL(fdb_add_static(fdb, rec, PORT_A), 0);
	CU_ASSERT_EQUAL(fdb_port_count(fdb, 0x8001), 0);
	CU_ASSERT_EQUAL(fdb_port_count(fdb, PORT_A), 1);
	CU_ASSERT_EQUAL(fdb_bd_count(fdb, BD), 2);
	CU_ASSERT_EQUAL(fdb_add_static(fdb, 0, PORT_A), -EINVAL); /* refused: counts untouched */
	CU_ASSERT_EQUAL(fdb_bd_count(fdb, 0), 0);
	CU_ASSERT_EQUAL(fdb_port_count(fdb, PORT_A), 1);
	CU_ASSERT_EQUAL(fdb_delete(fdb, mac), 0);
	CU_ASSERT_EQUAL(fdb_delete(fdb, rec), 0);
	CU_ASSERT_EQUAL(fdb_bd_count(fdb, BD), 0);
	CU_ASSERT_EQUAL(fdb_port_count(fdb, PORT_A), 0);
	CU_ASSERT_EQUAL(fdb_port_count(fdb, PORT_B), 0);
	fdb_destroy(fdb);
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
	s = CU_add_suite("fdb_limits", NULL, NULL);
	CU_add_test(s, "move counts on the new port", test_fdb_limits_move_counts_on_the_new_port);
	CU_add_test(s, "static and record replacements keep counts",
		    test_fdb_limits_static_and_record_replacements_keep_counts);
	CU_add_test(s, "limits hold under concurrent learning and deletion",
		    test_fdb_limits_hold_under_concurrent_learning_and_deletion);
	int ret = test_run_suites();

	rte_eal_cleanup();
	return ret;
}
