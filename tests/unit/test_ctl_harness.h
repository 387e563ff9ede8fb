/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the method-handler tests share: a "daemon" made of the real method
 * table, the real config file code and the fake dataplane, driven one
 * JSON-RPC line at a time.
 */
#ifndef VSW_TEST_CTL_HARNESS_H
#define VSW_TEST_CTL_HARNESS_H

#include <jansson.h>

#include "ctl_config.h"
#include "ctl_methods.h"
#include "ctl_rpc.h"

extern char tmpdir[64];          /* the test's scratch directory */
extern char cfg_path[128];       /* its config file */
extern struct ctl_config cfg;    /* the loaded configuration */
extern struct ctl_state state;   /* the method handlers' state */
extern struct ctl_rpc *rpc;      /* the method table */

/** Make the scratch directory /tmp/NAME.XXXXXX and the CUnit registry. @return 0 or -1. */
int harness_init(const char *name);
/** Run the registered tests, clean up the scratch directory. @return the exit status. */
int harness_run(void);

/** Start a "daemon" on the file as it is now (fake dataplane reset). */
void start(void);
void stop(void);
/** Call 'method' with JSON 'params'; @return the whole reply. */
json_t *call(const char *method, const char *params);
/** Call and expect success; @return the result (a new reference). */
json_t *ok(const char *method, const char *params);
/** Call, expect success, drop the result. */
void done(const char *method, const char *params);
/** Call and expect error 'code' whose message contains 'text'. */
void fails(const char *method, const char *params, int code, const char *text);
/** The config file as saved. */
json_t *on_disk(void);

#endif /* VSW_TEST_CTL_HARNESS_H */
