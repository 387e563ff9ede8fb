/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Harness 6: the configuration loader.  The input is written as the saved
 * configuration file and loaded with ctl_config_load(), as vswd does at
 * start.  Checked: a file that does not load is left byte for byte as it
 * was; one that loads is replayed into the real dataplane (ctl_restore),
 * saved, and loads again to the same JSON; a change made after the replay
 * is saved and loads too.
 *
 * Ports of types that touch the host (tap, kernel, pcap, vhost-user, dpdk)
 * are replayed as "null", so a fuzz input cannot create interfaces or files.
 * The file lives in a directory of its own under /dev/shm, removed at exit.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "ctl_config.h"
#include "ctl_methods.h"
#include "ctl_rpc.h"
#include "fuzz_common.h"

static char dir[64], path[96];

static void
remove_dir(void)
{
	/* A save that failed half-way may leave its temporary file: rmdir then fails, harmlessly. */
	unlink(path);
	rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_dp_start();
	snprintf(dir, sizeof(dir), "/dev/shm/vsw-fuzz-config.XXXXXX");
	if (mkdtemp(dir) == NULL) {
		snprintf(dir, sizeof(dir), "/tmp/vsw-fuzz-config.XXXXXX");
		if (mkdtemp(dir) == NULL)
			fuzz_fail("cannot make a directory for the configuration file");
	}
	snprintf(path, sizeof(path), "%s/config.json", dir);
	atexit(remove_dir);
	return 0;
}

static void
write_file(const char *p, const uint8_t *data, size_t size)
{
	FILE *f = fopen(p, "wb");

	if (f == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		fuzz_fail("cannot write %s", p);
}

/* The file is still exactly 'data'. */
static bool
file_is(const char *p, const uint8_t *data, size_t size)
{
	FILE *f = fopen(p, "rb");
	uint8_t *buf = malloc(size + 1);
	bool same;

	if (f == NULL || buf == NULL)
		fuzz_fail("cannot read %s back", p);
	same = fread(buf, 1, size + 1, f) == size && memcmp(buf, data, size) == 0;
	fclose(f);
	free(buf);
	return same;
}

/* Host-touching port types become "null" (see the top of this file). */
static void
restrict_ports(struct ctl_config *cfg)
{
	json_t *ports = ctl_config_section(cfg, "ports"), *p;
	size_t i;

	json_array_foreach(ports, i, p) {
		const char *type = json_string_value(json_object_get(p, "type"));

		if (type == NULL || (strcmp(type, "ring") != 0 && strcmp(type, "null") != 0))
			json_object_set_new(p, "type", json_string("null"));
	}
}

/* Load the saved file again: it must parse and hold 'root'. */
static void
check_reloads(json_t *root, const char *when)
{
	struct ctl_config again;
	char err[CTL_ERR_LEN];

	if (ctl_config_load(&again, path, err, sizeof(err)) < 0)
		fuzz_fail("the configuration saved %s does not load: %s", when, err);
	if (root != NULL && !json_equal(again.root, root))
		fuzz_fail("the configuration saved %s loads as something else", when);
	ctl_config_free(&again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char change[] =
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"bd.add\",\"params\":{\"name\":\"fuzz-added\"}}";
	struct ctl_config cfg;
	struct ctl_state st = { 0 };
	struct ctl_rpc *rpc;
	struct fuzz_tally t;
	char err[CTL_ERR_LEN];

	write_file(path, data, size);
	if (ctl_config_load(&cfg, path, err, sizeof(err)) < 0) {
		if (!file_is(path, data, size))
			fuzz_fail("a configuration that does not load was overwritten (%s)", err);
		return 0;
	}
	fuzz_begin(&t);
	restrict_ports(&cfg);
	rpc = ctl_rpc_create();
	if (rpc == NULL || ctl_methods_init(rpc, &st, &cfg) < 0)
		fuzz_fail("cannot set up the JSON-RPC methods");
	ctl_restore(rpc, &st);
	if (ctl_config_save(&cfg, err, sizeof(err)) < 0)
		fuzz_fail("cannot save a configuration that loaded: %s", err);
	check_reloads(cfg.root, "after the replay");
	free(ctl_rpc_handle_line(rpc, change, sizeof(change) - 1));
	check_reloads(cfg.root, "after a change");
	ctl_methods_fini(&st);
	ctl_rpc_destroy(rpc);
	ctl_config_free(&cfg);
	fuzz_settle(&t, NULL);
	fuzz_reset_config();
	fuzz_check(&t);
	return 0;
}
