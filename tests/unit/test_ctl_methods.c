/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The method handlers against a fake dataplane (test_ctl_fake_dp.c):
 * result shapes, port options, persistence of accepted changes, and the
 * replay of a saved configuration in which some ports cannot be opened.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <jansson.h>

#include "ctl_config.h"
#include "ctl_methods.h"
#include "ctl_rpc.h"
#include "test_ctl_fake_dp.h"

static char tmpdir[64];
static char cfg_path[128];
static struct ctl_config cfg;
static struct ctl_state state;
static struct ctl_rpc *rpc;

/* Start a "daemon" on the file as it is now. */
static void
start(void)
{
	char err[CTL_ERR_LEN] = "";

	fake_dp_reset();
	CU_ASSERT_EQUAL_FATAL(ctl_config_load(&cfg, cfg_path, err, sizeof(err)), 0);
	rpc = ctl_rpc_create();
	CU_ASSERT_PTR_NOT_NULL_FATAL(rpc);
	CU_ASSERT_EQUAL_FATAL(ctl_methods_init(rpc, &state, &cfg), 0);
}

static void
stop(void)
{
	ctl_methods_fini(&state);
	ctl_rpc_destroy(rpc);
	ctl_config_free(&cfg);
}

/* Call 'method' with JSON 'params'; @return the whole reply. */
static json_t *
call(const char *method, const char *params)
{
	char line[1024];
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
static json_t *
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

static void
fails(const char *method, const char *params, int code, const char *text)
{
	json_t *reply = call(method, params);
	json_t *error = json_object_get(reply, "error");
	const char *msg = json_string_value(json_object_get(error, "message"));

	CU_ASSERT_EQUAL(json_integer_value(json_object_get(error, "code")), code);
	if (msg == NULL || strstr(msg, text) == NULL) {
		fprintf(stderr, "\n  %s %s: expected '%s' in '%s'\n", method, params, text,
			msg != NULL ? msg : "(no error)");
		CU_FAIL("error message");
	}
	json_decref(reply);
}

static json_t *
on_disk(void)
{
	json_t *root = json_load_file(cfg_path, 0, NULL);

	CU_ASSERT_PTR_NOT_NULL(root);
	return root;
}

static void
test_ctl_methods_port_add_passes_options_and_persists(void)
{
	json_t *r, *root, *want;

	unlink(cfg_path);
	start();
	json_decref(ok("bd.add", "{\"name\":\"blue\"}"));
	r = ok("port.add",
	       "{\"name\":\"vm1\",\"type\":\"kernel\",\"bd\":\"blue\",\"iface\":\"tap0\","
	       "\"queues\":4,\"promisc\":true}");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(r, "name")), "vm1");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "id")), 0);
	json_decref(r);
	CU_ASSERT_STRING_EQUAL(fake_dp_last_options(), "iface=tap0,queues=4,promisc=true");

	root = on_disk();
	want = json_loads(
		"{\"version\":1,\"bds\":[{\"name\":\"blue\"}],\"ports\":[{\"name\":\"vm1\","
		"\"type\":\"kernel\",\"bd\":\"blue\",\"iface\":\"tap0\",\"queues\":4,"
		"\"promisc\":true}]}",
		0, NULL);
	CU_ASSERT_TRUE(json_equal(root, want));
	json_decref(root);
	json_decref(want);

	/* The default domain is written out, so a replay does not depend on defaults. */
	json_decref(ok("port.add", "{\"name\":\"n1\",\"type\":\"null\"}"));
	root = on_disk();
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(
				       json_array_get(json_object_get(root, "ports"), 1), "bd")),
			       "default");
	json_decref(root);

	fails("port.add", "{\"name\":\"vm1\",\"type\":\"null\"}", CTL_E_APP,
	      "port 'vm1' already exists");
	fails("port.add", "{\"name\":\"x\",\"type\":\"null\",\"opt\":{}}", CTL_E_INVALID_PARAMS,
	      "params.opt: expected a string, integer or boolean, got object");
	fails("port.add", "{\"name\":\"x\",\"type\":\"null\",\"bd\":\"nope\"}", CTL_E_APP,
	      "bridge domain 'nope' not found");
	fails("port.add", "{\"type\":\"null\"}", CTL_E_INVALID_PARAMS,
	      "params.name: required string is missing");

	r = ok("port.list", "{}");
	CU_ASSERT_EQUAL(json_array_size(r), 2);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(r, 0), "mac")),
			       "aa:bb:cc:00:00:00");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(r, 0), "state")),
			       "up");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(r, 0), "link")),
			       "up");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_array_get(r, 0), "eth_port")), 10);
	json_decref(r);

	json_decref(ok("port.del", "{\"name\":\"vm1\"}"));
	json_decref(ok("port.del", "{\"name\":\"n1\"}"));
	fails("port.del", "{\"name\":\"vm1\"}", CTL_E_APP, "port 'vm1' not found");
	json_decref(ok("bd.del", "{\"name\":\"blue\"}"));
	root = on_disk();
	CU_ASSERT_EQUAL(json_array_size(json_object_get(root, "ports")), 0);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(root, "bds")), 0);
	json_decref(root);
	stop();
}

static void
test_ctl_methods_restore_keeps_ports_that_fail(void)
{
	static const char saved[] =
		"{\"version\":1,\"bds\":[{\"name\":\"blue\"}],\"ports\":["
		"{\"name\":\"good\",\"type\":\"null\",\"bd\":\"blue\"},"
		"{\"name\":\"k1\",\"type\":\"kernel\",\"bd\":\"blue\",\"iface\":\"gone0\"},"
		"{\"name\":\"bad name\",\"type\":\"null\"}],\"later\":{\"x\":1}}";
	json_t *list, *k1 = NULL, *root, *entry;
	FILE *f = fopen(cfg_path, "w");
	size_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(saved, f);
	fclose(f);
	start();
	CU_ASSERT_EQUAL(ctl_restore(rpc, &state), 2);
	/* Replaying is not a change: the file is untouched. */
	root = on_disk();
	CU_ASSERT_TRUE(json_equal(root, cfg.root));
	json_decref(root);

	list = ok("port.list", "{}");
	CU_ASSERT_EQUAL(json_array_size(list), 3);
	json_array_foreach(list, i, entry)
		if (strcmp(json_string_value(json_object_get(entry, "name")), "k1") == 0)
			k1 = entry;
	CU_ASSERT_PTR_NOT_NULL_FATAL(k1);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(k1, "state")),
			       "error: kernel interface 'gone0' does not exist");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(k1, "ifname")), "gone0");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(k1, "bd")), "blue");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(k1, "link")), "down");
	CU_ASSERT_TRUE(json_is_null(json_object_get(k1, "id")));
	json_decref(list);

	fails("port.add", "{\"name\":\"k1\",\"type\":\"null\"}", CTL_E_APP,
	      "port 'k1' already exists (configured, but in error");
	fails("bd.del", "{\"name\":\"blue\"}", CTL_E_APP, "used by port 'k1'");

	/* Deleting a failed port is how it leaves the file; nothing else is lost. */
	json_decref(ok("port.del", "{\"name\":\"k1\"}"));
	root = on_disk();
	CU_ASSERT_EQUAL(json_array_size(json_object_get(root, "ports")), 2);
	CU_ASSERT_PTR_NULL(ctl_config_find(&cfg, "ports", "k1"));
	CU_ASSERT_PTR_NOT_NULL(json_object_get(root, "later"));
	json_decref(root);
	list = ok("port.list", "{}");
	CU_ASSERT_EQUAL(json_array_size(list), 2);
	json_decref(list);
	json_decref(ok("port.del", "{\"name\":\"bad name\"}"));
	stop();
	unlink(cfg_path);
}

static void
test_ctl_methods_stats_and_fdb_shapes(void)
{
	json_t *r, *pmd;

	unlink(cfg_path);
	start();
	json_decref(ok("port.add", "{\"name\":\"vm1\",\"type\":\"null\"}"));
	r = ok("stats.show", "{}");
	CU_ASSERT_EQUAL(json_array_size(json_object_get(r, "ports")), 1);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(
				json_array_get(json_object_get(r, "ports"), 0), "rx_packets")),
			1);
	CU_ASSERT_EQUAL(
		json_integer_value(json_object_get(json_object_get(r, "counters"), "fdb_learned")),
		7);
	CU_ASSERT_PTR_NOT_NULL(json_object_get(json_object_get(r, "counters"), "drop_malformed"));
	json_decref(r);
	r = ok("stats.show", "{\"port\":\"vm1\"}");
	CU_ASSERT_EQUAL(json_array_size(json_object_get(r, "ports")), 1);
	json_decref(r);
	fails("stats.show", "{\"port\":\"nope\"}", CTL_E_APP, "port 'nope' not found");

	r = ok("stats.pmd", "{}");
	pmd = json_array_get(r, 0);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(pmd, "lcore")), 1);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(pmd, "cycles_per_packet")), 100);
	CU_ASSERT_DOUBLE_EQUAL(json_real_value(json_object_get(pmd, "busy_pct")), 25.0, 0.001);
	CU_ASSERT_DOUBLE_EQUAL(json_real_value(json_object_get(pmd, "avg_burst")), 2.5, 0.001);
	json_decref(r);

	r = ok("fdb.show", "{}");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(r, 0), "mac")),
			       "aa:bb:cc:dd:ee:0f");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(r, 0), "type")),
			       "dynamic");
	json_decref(r);
	fails("fdb.show", "{\"bd\":\"zzz\"}", CTL_E_APP, "bridge domain 'zzz' not found");
	r = ok("fdb.flush", "{\"bd\":\"default\",\"port\":\"vm1\"}");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "flushed")), 3);
	json_decref(r);

	r = ok("bd.list", "{}");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(r, 0), "name")),
			       "default");
	json_decref(r);
	stop();
	unlink(cfg_path);
}

int
main(void)
{
	CU_pSuite suite;
	unsigned int nb_failures;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_ctl_methods.XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(cfg_path, sizeof(cfg_path), "%s/config.json", tmpdir);
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("ctl_methods", NULL, NULL);
	CU_add_test(suite, "port.add passes options and persists",
		    test_ctl_methods_port_add_passes_options_and_persists);
	CU_add_test(suite, "restore keeps ports that fail",
		    test_ctl_methods_restore_keeps_ports_that_fail);
	CU_add_test(suite, "stats and fdb shapes", test_ctl_methods_stats_and_fdb_shapes);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	nb_failures = CU_get_number_of_failures();
	CU_cleanup_registry();
	unlink(cfg_path);
	rmdir(tmpdir);
	return nb_failures == 0 ? 0 : 1;
}
