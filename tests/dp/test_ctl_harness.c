/* SPDX-License-Identifier: BSD-3-Clause */
#include "test_ctl_harness.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>
#include <rte_eal.h>

#include "dp.h"
#include "test_common.h"

char tmpdir[64];
char cfg_path[128];
struct ctl_config cfg;
struct ctl_state state;
struct ctl_rpc *rpc;

/*
 * Small enough to start in milliseconds, large enough for the tests: the
 * same dataplane vswd runs, with fewer buffers and MAC table entries.
 */
static const struct dp_options harness_dp_opts = { .fdb_size = 4096, .nb_mbufs = 4095 };

/* A dataplane is up: a test that stopped at a fatal assertion left it for the next start(). */
static bool running;

void
start(void)
{
	char err[CTL_ERR_LEN] = "";
	char dp_err[VSW_ERR_LEN] = "";

	if (running)
		stop();
	if (dp_init(&harness_dp_opts, dp_err, sizeof(dp_err)) < 0)
		fprintf(stderr, "\n  dp_init: %s\n", dp_err);
	CU_ASSERT_STRING_EQUAL_FATAL(dp_err, "");
	running = true;
	CU_ASSERT_EQUAL_FATAL(ctl_config_load(&cfg, cfg_path, err, sizeof(err)), 0);
	rpc = ctl_rpc_create();
	CU_ASSERT_PTR_NOT_NULL_FATAL(rpc);
	CU_ASSERT_EQUAL_FATAL(ctl_methods_init(rpc, &state, &cfg), 0);
}

void
stop(void)
{
	if (!running)
		return;
	ctl_methods_fini(&state);
	ctl_rpc_destroy(rpc);
	ctl_config_free(&cfg);
	memset(&state, 0, sizeof(state));
	memset(&cfg, 0, sizeof(cfg));
	rpc = NULL;
	dp_stop();
	dp_fini();
	running = false;
}

/* Call 'method' with JSON 'params'; @return the whole reply. */
json_t *
call(const char *method, const char *params)
{
	char line[2048];
	char *out;
	json_t *reply;

	snprintf(line, sizeof(line),
		 "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"%s\",\"params\":%s}", method, params);
	out = ctl_rpc_handle_line(rpc, line, strlen(line));
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	reply = json_loads(out, 0, NULL);
	free(out);
	return reply;
}

/* Call and expect success; @return the result (a new reference). */
json_t *
ok(const char *method, const char *params)
{
	json_t *reply = call(method, params);
	json_t *result = json_incref(json_object_get(reply, "result"));

	if (result == NULL) {
		char *text = json_dumps(reply, 0);

		fprintf(stderr, "\n  %s %s: %s\n", method, params, text);
		free(text);
		CU_FAIL("call failed");
	}
	json_decref(reply);
	return result;
}

void
done(const char *method, const char *params)
{
	json_decref(ok(method, params));
}

void
fails(const char *method, const char *params, int code, const char *text)
{
	json_t *reply = call(method, params);
	json_t *error = json_object_get(reply, "error");
	const char *msg = json_string_value(json_object_get(error, "message"));

	if (json_integer_value(json_object_get(error, "code")) != code) {
		fprintf(stderr, "\n  %s %s: expected code %d, got %d\n", method, params, code,
			(int)json_integer_value(json_object_get(error, "code")));
		CU_FAIL("error code");
	}
	if (msg == NULL || strstr(msg, text) == NULL) {
		fprintf(stderr, "\n  %s %s: expected '%s' in '%s'\n", method, params, text,
			msg != NULL ? msg : "(no error)");
		CU_FAIL("error message");
	}
	json_decref(reply);
}

json_t *
on_disk(void)
{
	json_t *root = json_load_file(cfg_path, 0, NULL);

	CU_ASSERT_PTR_NOT_NULL(root);
	return root;
}

void
write_config(const char *text)
{
	FILE *f = fopen(cfg_path, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
}

int
harness_init(const char *name)
{
	if (test_eal_init(name, 2) < 0) {
		fprintf(stderr, "%s: cannot start EAL\n", name);
		return -1;
	}
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/%s.XXXXXX", name);
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return -1;
	}
	snprintf(cfg_path, sizeof(cfg_path), "%s/config.json", tmpdir);
	return CU_initialize_registry() == CUE_SUCCESS ? 0 : -1;
}

int
harness_run(void)
{
	unsigned int nb_failures;

	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	stop();
	nb_failures = CU_get_number_of_failures();
	CU_cleanup_registry();
	unlink(cfg_path);
	rmdir(tmpdir);
	rte_eal_cleanup();
	return nb_failures == 0 ? 0 : 1;
}
