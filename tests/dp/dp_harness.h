/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the pipeline tests share: a switch with one (unlaunched) worker whose
 * poll rounds the test thread runs itself, and ring ports the test feeds and
 * drains, so every outcome is deterministic.
 */
#ifndef VSW_DP_HARNESS_H
#define VSW_DP_HARNESS_H

#include <stdint.h>

#include "dp.h"

struct rte_mbuf;
struct rte_ring;

extern char dp_test_err[VSW_ERR_LEN]; /* the last dp_* error text */
extern struct dp_bd_refusal dp_test_why; /* what the last dp_test_bd_apply() refused */

/**
 * The settings of bridge domain 'bd' to edit, then apply with
 * dp_test_bd_apply(bd): dp_test_bd("t1")->vsid = 5001; (a zeroed copy if none).
 */
struct dp_bd_settings *dp_test_bd(const char *bd);
/** dp_bd_apply() of what dp_test_bd() returned.  @return its result. */
int dp_test_bd_apply(const char *bd);
/** Change one setting of 'bd' (a member of struct dp_bd_settings).  @return dp_bd_apply()'s result. */
#define DP_TEST_BD_SET(bd, member, value) (dp_test_bd(bd)->member = (value), dp_test_bd_apply(bd))
/** Attach 'bd' to routing domain 'rd' ("" = none) and/or give it gateway 'ip'/'len' (NULL = keep). */
int dp_test_bd_route(const char *bd, const char *rd, const char *ip, uint8_t len);

/** EAL (2 lcores, no hugepages), dp_init() and the CUnit registry; exits 77 on a 1-core machine. @return 0 or -1. */
int dp_test_start(const char *prog);
/** Run the registered suites, then dp_stop(), dp_fini(), EAL cleanup. @return the exit status. */
int dp_test_finish(void);

/* Register test 'fn' in a suite of its own, so 'setup' and 'teardown' run around it alone. */
#define DP_TEST_ALONE(fn, setup, teardown) \
	CU_add_test(CU_add_suite(#fn, setup, teardown), #fn, fn)

/** Add a ring port to bridge domain 'bd' (NULL = default). @return its slot or -errno. */
int dp_test_add_ring(const char *name, const char *bd);
/** The RX ("rx") or TX ("tx") ring of ring port 'port'. */
struct rte_ring *dp_test_ring(const char *port, const char *dir);
/** Queue 'm' as received on 'port'; a NULL 'm' fails the test. */
void dp_test_inject(const char *port, struct rte_mbuf *m);
/** Run one real poll round of worker 0 (RX every port, pipeline, TX flush). */
void dp_test_round(void);
/** One frame sent to 'port', or NULL; the caller frees it. */
struct rte_mbuf *dp_test_take(const char *port);
/** Free every frame sent to 'port'. @return how many there were. */
unsigned int dp_test_drain(const char *port);
/* Where the MAC table has a MAC: its port ("" if absent) and cause. */
struct dp_test_found {
	char port[PORT_NAME_MAX]; /**< port name, "" if the MAC is not in the table */
	char cause[16];           /**< why it is there: learned, garp, static, record... */
};

/** Look "aa:bb:cc:dd:ee:ff" up in bridge domain 'bd' (NULL: every domain). */
struct dp_test_found dp_test_where(const char *bd, const char *mac);

/** The named switch counter's value; an unknown name fails the test. */
uint64_t dp_test_counter(const char *name);

#endif /* VSW_DP_HARNESS_H */
