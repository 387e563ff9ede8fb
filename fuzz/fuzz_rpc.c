/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Harness 5: the JSON-RPC line handler with the real dataplane behind it.
 * The input is split into lines, and each is served by ctl_rpc_handle_line()
 * as the control socket serves it, through the method tables vswd
 * registers.  Checked: every reply is one JSON-RPC 2.0 object that carries
 * a result or an error with a known code; packet buffers and counters are
 * as they were once the switch is reset.
 *
 * Port types that touch the host (tap and kernel interfaces, pcap files,
 * vhost-user sockets, arbitrary DPDK devices) are turned into "null" before
 * the line is served, so a fuzz input cannot create interfaces or files;
 * their option checking is left to the ports' own tests.  Lines that do not
 * parse, or are not a port.add, are served byte for byte.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ctl_methods.h"
#include "ctl_rpc.h"
#include "fuzz_common.h"

static struct ctl_rpc *rpc;
static struct ctl_state st;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_dp_start();
	rpc = ctl_rpc_create();
	if (rpc == NULL || ctl_methods_init(rpc, &st, NULL) < 0)
		fuzz_fail("cannot set up the JSON-RPC methods");
	return 0;
}

/* A port type a fuzz input may open: in-process only. */
static bool
type_is_safe(const char *type)
{
	return type != NULL && (strcmp(type, "ring") == 0 || strcmp(type, "null") == 0);
}

/* @return a rewritten line to free(), or NULL to serve the line as it is. */
static char *
restrict_ports(const char *line, size_t len)
{
	json_t *req = json_loadb(line, len, JSON_DECODE_ANY, NULL), *params, *type;
	char *out = NULL;

	if (!json_is_object(req))
		goto done;
	params = json_object_get(req, "params");
	type = json_object_get(params, "type");
	if (!json_is_object(params) || type == NULL ||
	    (json_is_string(type) && type_is_safe(json_string_value(type))))
		goto done;
	/* Any method: a handler that takes a type might open a device. */
	json_object_set_new(params, "type", json_string("null"));
	out = json_dumps(req, JSON_COMPACT);
done:
	json_decref(req);
	return out;
}

static void
check_reply(const char *reply)
{
	json_t *r = json_loads(reply, 0, NULL), *err, *code;
	size_t len = strlen(reply);

	if (len == 0 || reply[len - 1] != '\n' || memchr(reply, '\n', len - 1) != NULL)
		fuzz_fail("a reply is not one line: %s", reply);
	if (!json_is_object(r) || !json_is_string(json_object_get(r, "jsonrpc")) ||
	    strcmp(json_string_value(json_object_get(r, "jsonrpc")), "2.0") != 0 ||
	    json_object_get(r, "id") == NULL)
		fuzz_fail("a reply is not a JSON-RPC 2.0 response: %s", reply);
	err = json_object_get(r, "error");
	if ((err == NULL) == (json_object_get(r, "result") == NULL))
		fuzz_fail("a reply has both or neither of result and error: %s", reply);
	if (err != NULL) {
		code = json_object_get(err, "code");
		if (!json_is_integer(code) || !json_is_string(json_object_get(err, "message")))
			fuzz_fail("an error reply without code and message: %s", reply);
		switch (json_integer_value(code)) {
		case CTL_E_PARSE:
		case CTL_E_INVALID_REQ:
		case CTL_E_NO_METHOD:
		case CTL_E_INVALID_PARAMS:
		case CTL_E_INTERNAL:
		case CTL_E_APP:
			break;
		default:
			fuzz_fail("an error reply with an unknown code: %s", reply);
		}
	}
	json_decref(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	struct fuzz_tally t;

	fuzz_begin(&t);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)((nl != NULL ? nl : end) - p);
		char *safe = restrict_ports(p, len), *reply;

		reply = safe != NULL ? ctl_rpc_handle_line(rpc, safe, strlen(safe)) :
				       ctl_rpc_handle_line(rpc, p, len);
		if (reply != NULL)
			check_reply(reply);
		free(reply);
		free(safe);
		p += len + 1;
	}
	fuzz_settle(&t, NULL);
	fuzz_reset_config();
	fuzz_check(&t);
	return 0;
}
