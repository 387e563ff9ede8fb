/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the method-handler tests share: a "daemon" made of the real method
 * table, the real config file code and the real dataplane (EAL without
 * hugepages, a real MAC table and overlay, ring and null ports opened through
 * port.add as vswd opens them), driven one JSON-RPC line at a time.  Each
 * start() is a fresh dataplane, as a restarted vswd would have; the worker is
 * not launched, so a test that needs frames switched runs the worker's poll
 * rounds itself (dp_test_round() in dp_harness.h) and the events reach the
 * control side through a real dp_periodic().
 */
#ifndef VSW_TEST_CTL_HARNESS_H
#define VSW_TEST_CTL_HARNESS_H

#include <jansson.h>

#include "ctl_config.h"
#include "ctl_methods.h"
#include "ctl_rpc.h"

extern char tmpdir[64];	       /* the test's scratch directory */
extern char cfg_path[128];     /* its config file */
extern struct ctl_config cfg;  /* the loaded configuration */
extern struct ctl_state state; /* the method handlers' state */
extern struct ctl_rpc *rpc;    /* the method table */

/**
 * Start EAL (2 lcores, no hugepages; exits 77 on a 1-core machine), make the
 * scratch directory /tmp/NAME.XXXXXX and the CUnit registry.  @return 0 or -1.
 */
int harness_init(const char *name);
/** Run the registered tests, clean up the scratch directory and EAL. @return the exit status. */
int harness_run(void);

/** Start a "daemon" on the file as it is now: a new dataplane, the config loaded, the methods. */
void start(void);
/** Stop it: methods, config, then the dataplane (its ports closed). */
void stop(void);
/** Call 'method' with JSON 'params'; @return the whole reply. */
json_t *call(const char *method, const char *params);
/** Call and expect success; @return the result (a new reference). */
json_t *ok(const char *method, const char *params);
/** Call, expect success, drop the result. */
void done(const char *method, const char *params);
/** Call and expect error 'code' whose message contains 'text'. */
void fails(const char *method, const char *params, int code, const char *text);
/**
 * json_string_value() that never returns NULL: when a reply lacks a member, a
 * string assertion then fails, where strcmp(NULL) would crash the test program.
 */
static inline const char *
jstr(const json_t *v)
{
	const char *s = json_string_value(v);

	return s != NULL ? s : "(missing)";
}

/** The config file as saved. */
json_t *on_disk(void);
/** Write 'text' as the config file. */
void write_config(const char *text);

#endif /* VSW_TEST_CTL_HARNESS_H */
