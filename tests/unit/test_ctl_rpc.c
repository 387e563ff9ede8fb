/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * JSON-RPC dispatch and the control socket, against a fake method table:
 * envelope errors, parameter messages, notifications, persistence hooks,
 * line framing (oversize lines), several clients, clients that vanish and
 * clients that do not read.  No DPDK.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <jansson.h>

#include "ctl_rpc.h"
#include "ctl_server.h"

static struct ctl_rpc *rpc;
static int nb_add_calls;   /* fake.add handler runs */
static int nb_persists;	   /* persist callback runs */
static int persist_result; /* what the persist callback returns */

static int
fake_add(struct ctl_call *call)
{
	nb_add_calls++;
	call->result = json_pack("{s:O}", "name", json_object_get(call->params, "name"));
	return 0;
}

static int
fake_fail(struct ctl_call *call)
{
	snprintf(call->err, sizeof(call->err), "port '%s' already exists",
		 json_string_value(json_object_get(call->params, "name")));
	return -EEXIST;
}

static int
fake_bad_option(struct ctl_call *call)
{
	call->code = CTL_E_INVALID_PARAMS;
	snprintf(call->err, sizeof(call->err), "params.speed: unknown option");
	return -EINVAL;
}

static int
fake_echo(struct ctl_call *call)
{
	call->result = json_deep_copy(call->params);
	return 0;
}

static int
fake_persist(void *arg, char *err, size_t errlen)
{
	(void)arg;
	nb_persists++;
	if (persist_result < 0)
		snprintf(err, errlen, "disk full");
	return persist_result;
}

static const struct ctl_param fake_add_params[] = {
	{ "name", CTL_P_NAME, true },
	{ "bd", CTL_P_NAME, false },
	{ "count", CTL_P_UINT, false },
	{ "flag", CTL_P_BOOL, false },
	{ NULL },
};

static const struct ctl_method fake_methods[] = {
	{ .name = "fake.add",
	  .params = fake_add_params,
	  .help = "add",
	  .handler = fake_add,
	  .persist = true },
	{ .name = "fake.fail", .params = fake_add_params, .help = "fail", .handler = fake_fail },
	{ .name = "fake.option", .help = "bad option", .handler = fake_bad_option },
	{ .name = "fake.echo",
	  .params = fake_add_params,
	  .extra_params = true,
	  .help = "echo",
	  .handler = fake_echo },
	{ .name = NULL },
};

static int
suite_init(void)
{
	rpc = ctl_rpc_create();
	if (rpc == NULL || ctl_rpc_register(rpc, fake_methods, NULL) < 0)
		return -1;
	ctl_rpc_set_persist(rpc, fake_persist, NULL);
	return 0;
}

static int
suite_clean(void)
{
	ctl_rpc_destroy(rpc);
	return 0;
}

/* Serve 'line'; @return the parsed reply, or NULL when there was none. */
static json_t *
serve(const char *line)
{
	char *out = ctl_rpc_handle_line(rpc, line, strlen(line));
	json_t *reply;
	size_t len;

	if (out == NULL)
		return NULL;
	len = strlen(out);
	CU_ASSERT(len > 0 && out[len - 1] == '\n');
	CU_ASSERT(memchr(out, '\n', len - 1) == NULL);
	reply = json_loads(out, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL(reply);
	free(out);
	return reply;
}

static int
error_code(json_t *reply)
{
	return (int)json_integer_value(json_object_get(json_object_get(reply, "error"), "code"));
}

static const char *
error_message(json_t *reply)
{
	const char *m =
		json_string_value(json_object_get(json_object_get(reply, "error"), "message"));

	return m != NULL ? m : "";
}

/* Assert that 'line' gets error 'code' whose message contains 'text'. */
static void
expect_error(const char *line, int code, const char *text)
{
	json_t *reply = serve(line);

	CU_ASSERT_PTR_NOT_NULL_FATAL(reply);
	CU_ASSERT_EQUAL(error_code(reply), code);
	if (strstr(error_message(reply), text) == NULL) {
		fprintf(stderr, "\n  for %s\n  expected '%s' in '%s'\n", line, text,
			error_message(reply));
		CU_FAIL("error message");
	}
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(reply, "jsonrpc")), "2.0");
	json_decref(reply);
}

static void
test_ctl_rpc_parse_error_names_column(void)
{
	expect_error("{\"jsonrpc\":\"2.0\",", CTL_E_PARSE, "parse error at column");
	expect_error("{\"a\":1} trailing", CTL_E_PARSE, "column");
	expect_error("{\"a\":1,\"a\":2}", CTL_E_PARSE, "duplicate");
}

static void
test_ctl_rpc_invalid_request_shapes(void)
{
	json_t *reply;

	expect_error("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"fake.add\"}]", CTL_E_INVALID_REQ,
		     "batch requests are not supported");
	expect_error("42", CTL_E_INVALID_REQ, "expected an object, got integer");
	expect_error("{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"fake.add\"}", CTL_E_INVALID_REQ,
		     "\"jsonrpc\" must be \"2.0\"");
	expect_error("{\"id\":1,\"method\":\"fake.add\"}", CTL_E_INVALID_REQ, "jsonrpc");
	expect_error("{\"jsonrpc\":\"2.0\",\"id\":1}", CTL_E_INVALID_REQ,
		     "\"method\" must be a string and is missing");
	expect_error("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":7}", CTL_E_INVALID_REQ,
		     "must be a string, got integer");
	expect_error("{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"fake.add\"}", CTL_E_INVALID_REQ,
		     "id must be");

	/* The id is echoed when it could be read. */
	reply = serve("{\"jsonrpc\":\"1.0\",\"id\":\"abc\",\"method\":\"fake.add\"}");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(reply, "id")), "abc");
	json_decref(reply);
	reply = serve("{\"jsonrpc\":\"2.0\",\"id\":[],\"method\":\"fake.add\"}");
	CU_ASSERT(json_is_null(json_object_get(reply, "id")));
	json_decref(reply);
}

static void
test_ctl_rpc_unknown_method_suggests(void)
{
	expect_error("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"fake.ad\"}", CTL_E_NO_METHOD,
		     "method 'fake.ad' not found; did you mean fake.add");
	expect_error("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"fake.zzz\"}", CTL_E_NO_METHOD,
		     "fake.echo");
	expect_error("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"nothing.like.it\"}",
		     CTL_E_NO_METHOD, "see vswctl --help");
}

static void
test_ctl_rpc_params_messages_name_field(void)
{
	expect_error("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"fake.add\"}", CTL_E_INVALID_PARAMS,
		     "params.name: required string is missing");
	expect_error(
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"fake.add\",\"params\":{\"name\":null}}",
		CTL_E_INVALID_PARAMS, "params.name: required string is missing");
	expect_error(
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"fake.add\",\"params\":{\"name\":\"a\","
		"\"bd\":5}}",
		CTL_E_INVALID_PARAMS, "params.bd: expected a string, got integer");
	expect_error(
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"fake.add\",\"params\":{\"name\":\"a\","
		"\"foo\":1}}",
		CTL_E_INVALID_PARAMS, "params.foo: unknown field for fake.add (accepted: name, bd");
	expect_error(
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"fake.add\",\"params\":{\"name\":\"a b\"}}",
		CTL_E_INVALID_PARAMS, "params.name: invalid name 'a b'");
	expect_error("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"fake.add\",\"params\":{\"name\":"
		     "\"abcdefghijklmnopqrstuvwxyz0123456\"}}",
		     CTL_E_INVALID_PARAMS, "1 to 31 characters");
	expect_error(
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"fake.add\",\"params\":{\"name\":\"a\","
		"\"count\":-1}}",
		CTL_E_INVALID_PARAMS, "params.count: expected a non-negative integer, got -1");
	expect_error(
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"fake.add\",\"params\":{\"name\":\"a\","
		"\"flag\":\"yes\"}}",
		CTL_E_INVALID_PARAMS, "params.flag: expected a boolean, got string");
	expect_error("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"fake.add\",\"params\":[\"a\"]}",
		     CTL_E_INVALID_PARAMS, "params: expected an object, got array");
	expect_error(
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"fake.option\",\"params\":{\"x\":1}}",
		CTL_E_INVALID_PARAMS, "params.x: unknown field for fake.option (it takes none)");
}

static void
test_ctl_rpc_dispatch_result_and_errors(void)
{
	json_t *reply;

	reply = serve("{\"jsonrpc\":\"2.0\",\"id\":\"x1\",\"method\":\"fake.add\",\"params\":"
		      "{\"name\":\"vm1\",\"count\":3,\"flag\":true}}");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(reply, "id")), "x1");
	CU_ASSERT_STRING_EQUAL(
		json_string_value(json_object_get(json_object_get(reply, "result"), "name")),
		"vm1");
	CU_ASSERT_PTR_NULL(json_object_get(reply, "error"));
	json_decref(reply);

	expect_error(
		"{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"fake.fail\",\"params\":{\"name\":\"vm1\"}}",
		CTL_E_APP, "port 'vm1' already exists");
	expect_error("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"fake.option\"}",
		     CTL_E_INVALID_PARAMS, "params.speed: unknown option");

	/* Extra members reach the handler untouched. */
	reply = serve("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"fake.echo\",\"params\":"
		      "{\"name\":\"p\",\"iface\":\"tap0\",\"queues\":2}}");
	CU_ASSERT_EQUAL(
		json_integer_value(json_object_get(json_object_get(reply, "result"), "queues")), 2);
	json_decref(reply);

	/* system.methods is built in and lists the table with help. */
	reply = serve("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"system.methods\"}");
	CU_ASSERT_EQUAL(json_array_size(json_object_get(reply, "result")), 5);
	CU_ASSERT_STRING_EQUAL(
		json_string_value(json_object_get(
			json_array_get(json_object_get(reply, "result"), 1), "params")),
		"name [bd] [count] [flag]");
	json_decref(reply);
}

static void
test_ctl_rpc_notifications_get_no_reply(void)
{
	int before = nb_add_calls;

	CU_ASSERT_PTR_NULL(
		serve("{\"jsonrpc\":\"2.0\",\"method\":\"fake.add\",\"params\":{\"name\":\"n\"}}"));
	CU_ASSERT_EQUAL(nb_add_calls, before + 1);
	CU_ASSERT_PTR_NULL(serve("{\"jsonrpc\":\"2.0\",\"method\":\"no.such\"}"));
	CU_ASSERT_PTR_NULL(serve("{\"jsonrpc\":\"2.0\",\"method\":\"fake.add\"}"));
	CU_ASSERT_PTR_NULL(serve("   "));
	CU_ASSERT_PTR_NULL(serve(""));
}

static void
test_ctl_rpc_persist_after_accepted_change(void)
{
	json_t *result = NULL, *params, *reply;
	char err[CTL_ERR_LEN];
	int before = nb_persists;

	reply = serve(
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"fake.add\",\"params\":{\"name\":\"a\"}}");
	CU_ASSERT_EQUAL(nb_persists, before + 1);
	json_decref(reply);
	/* Refused changes and reads are not saved. */
	json_decref(serve("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"fake.add\"}"));
	json_decref(serve(
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"fake.echo\",\"params\":{\"name\":\"a\"}}"));
	CU_ASSERT_EQUAL(nb_persists, before + 1);
	/* Replaying saved configuration does not write it back. */
	params = json_pack("{s:s}", "name", "r");
	CU_ASSERT_EQUAL(ctl_rpc_call(rpc, "fake.add", params, true, &result, err, sizeof(err)), 0);
	json_decref(params);
	json_decref(result);
	CU_ASSERT_EQUAL(nb_persists, before + 1);
	/* A failed save is reported, not swallowed. */
	persist_result = -ENOSPC;
	expect_error(
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"fake.add\",\"params\":{\"name\":\"a\"}}",
		CTL_E_APP,
		"fake.add was applied but the configuration could not be saved: disk full");
	persist_result = 0;
	/* ctl_rpc_call validates like a request. */
	CU_ASSERT_EQUAL(ctl_rpc_call(rpc, "fake.add", NULL, true, &result, err, sizeof(err)),
			-EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "params.name: required string is missing"));
	CU_ASSERT_EQUAL(ctl_rpc_call(rpc, "nope", NULL, true, &result, err, sizeof(err)), -ENOENT);
}

static void
test_ctl_rpc_name_rules(void)
{
	CU_ASSERT_TRUE(ctl_name_valid("vm-1.eth_0"));
	CU_ASSERT_TRUE(ctl_name_valid("abcdefghijklmnopqrstuvwxyz01234"));
	CU_ASSERT_FALSE(ctl_name_valid("abcdefghijklmnopqrstuvwxyz012345"));
	CU_ASSERT_FALSE(ctl_name_valid(""));
	CU_ASSERT_FALSE(ctl_name_valid("a/b"));
	CU_ASSERT_FALSE(ctl_name_valid("é"));
	CU_ASSERT_FALSE(ctl_name_valid(NULL));
}

/* --- the socket server --- */

static char tmpdir[64];
static char sock_path[96];

static int
connect_client(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", sock_path);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
send_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		CU_ASSERT_FATAL(n > 0);
		buf += n;
		len -= (size_t)n;
	}
}

/* Read one reply line from 'fd', polling the server meanwhile. */
static json_t *
read_reply(struct ctl_server *srv, int fd)
{
	static char buf[1 << 16];
	size_t len = 0;

	for (int round = 0; round < 2000; round++) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		char *nl;
		ssize_t n;

		ctl_server_poll(srv, 1);
		if (poll(&pfd, 1, 0) <= 0)
			continue;
		/* Byte by byte so that a following reply stays in the socket. */
		n = recv(fd, buf + len, 1, 0);
		if (n <= 0)
			return NULL;
		len++;
		nl = memchr(buf, '\n', len);
		if (nl != NULL) {
			*nl = '\0';
			return json_loads(buf, 0, NULL);
		}
		if (len == sizeof(buf) - 1)
			return NULL;
		round--;
	}
	return NULL;
}

static struct ctl_server *
open_server(void)
{
	char err[CTL_ERR_LEN];
	struct ctl_server *srv = ctl_server_open(sock_path, rpc, err, sizeof(err));

	if (srv == NULL)
		fprintf(stderr, "\n  ctl_server_open: %s\n", err);
	return srv;
}

static void
test_ctl_rpc_server_oversize_line_keeps_connection(void)
{
	struct ctl_server *srv = open_server();
	static const char ok[] =
		"{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"fake.add\",\"params\":{\"name\":\"z\"}}";
	char *big;
	json_t *reply;
	int fd;

	CU_ASSERT_PTR_NOT_NULL_FATAL(srv);
	fd = connect_client();
	CU_ASSERT_FATAL(fd >= 0);
	big = malloc(200000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);

	/* A request of exactly the limit is served... */
	memset(big, ' ', CTL_LINE_MAX);
	memcpy(big, ok, sizeof(ok) - 1);
	big[CTL_LINE_MAX] = '\n';
	send_all(fd, big, CTL_LINE_MAX + 1);
	reply = read_reply(srv, fd);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(reply, "id")), 7);
	CU_ASSERT_PTR_NOT_NULL(json_object_get(reply, "result"));
	json_decref(reply);

	/* ...one byte more is refused, the rest of the line skipped, and the next line served. */
	memset(big, 'x', 150000);
	big[150000] = '\n';
	memcpy(big + 150001, ok, sizeof(ok) - 1);
	big[150001 + sizeof(ok) - 1] = '\n';
	send_all(fd, big, 150001 + sizeof(ok));
	reply = read_reply(srv, fd);
	CU_ASSERT_EQUAL(error_code(reply), CTL_E_INVALID_REQ);
	CU_ASSERT_STRING_EQUAL(error_message(reply), "request too large (limit 65536 bytes)");
	json_decref(reply);
	reply = read_reply(srv, fd);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(reply, "id")), 7);
	json_decref(reply);

	/* A request that arrives in pieces is put together. */
	send_all(fd, ok, 10);
	ctl_server_poll(srv, 1);
	send_all(fd, ok + 10, sizeof(ok) - 11);
	send_all(fd, "\n", 1);
	reply = read_reply(srv, fd);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(reply, "id")), 7);
	json_decref(reply);

	free(big);
	close(fd);
	ctl_server_close(srv);
	CU_ASSERT_EQUAL(access(sock_path, F_OK), -1);
}

static void
test_ctl_rpc_server_survives_vanishing_and_slow_clients(void)
{
	static const char req[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"system.methods\"}\n";
	struct ctl_server *srv = open_server();
	int gone, slow, good;
	json_t *reply;
	char *flood;
	size_t nb = 4000;

	CU_ASSERT_PTR_NOT_NULL_FATAL(srv);
	/* A client that asks and hangs up before the reply. */
	gone = connect_client();
	CU_ASSERT_FATAL(gone >= 0);
	send_all(gone, req, sizeof(req) - 1);
	close(gone);
	/* A client that asks a lot and never reads. */
	slow = connect_client();
	CU_ASSERT_FATAL(slow >= 0);
	flood = malloc(nb * (sizeof(req) - 1));
	CU_ASSERT_PTR_NOT_NULL_FATAL(flood);
	for (size_t i = 0; i < nb; i++)
		memcpy(flood + i * (sizeof(req) - 1), req, sizeof(req) - 1);
	/* Non-blocking: the server stops reading it, so the send may stop part way. */
	for (size_t off = 0, rounds = 0; off < nb * (sizeof(req) - 1) && rounds < 200; rounds++) {
		ssize_t n = send(slow, flood + off, nb * (sizeof(req) - 1) - off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n > 0)
			off += (size_t)n;
		ctl_server_poll(srv, 1);
	}
	/* Others are still served promptly. */
	good = connect_client();
	CU_ASSERT_FATAL(good >= 0);
	send_all(good, req, sizeof(req) - 1);
	reply = read_reply(srv, good);
	CU_ASSERT_PTR_NOT_NULL(json_object_get(reply, "result"));
	json_decref(reply);
	CU_ASSERT_EQUAL(ctl_server_nb_clients(srv), 2);

	close(slow);
	close(good);
	for (int i = 0; i < 10; i++)
		ctl_server_poll(srv, 1);
	CU_ASSERT_EQUAL(ctl_server_nb_clients(srv), 0);
	free(flood);
	ctl_server_close(srv);
}

static void
test_ctl_rpc_server_stale_socket_and_second_daemon(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct ctl_server *srv, *second;
	char err[CTL_ERR_LEN];
	int fd;

	/* A socket file nobody listens on is left by a crashed daemon: reuse it. */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", sock_path);
	CU_ASSERT_EQUAL_FATAL(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	close(fd);
	CU_ASSERT_EQUAL(access(sock_path, F_OK), 0);
	srv = open_server();
	CU_ASSERT_PTR_NOT_NULL_FATAL(srv);

	/* A live daemon is never displaced. */
	second = ctl_server_open(sock_path, rpc, err, sizeof(err));
	CU_ASSERT_PTR_NULL(second);
	CU_ASSERT_EQUAL(errno, EADDRINUSE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "another vswd"));
	fd = connect_client();
	CU_ASSERT(fd >= 0);
	close(fd);
	ctl_server_close(srv);
}

static void
cleanup_tmpdir(void)
{
	char lock[128];

	snprintf(lock, sizeof(lock), "%s.lock", sock_path);
	unlink(sock_path);
	unlink(lock);
	rmdir(tmpdir);
}

int
main(void)
{
	CU_pSuite suite;
	unsigned int nb_failures;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_ctl_rpc.XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(sock_path, sizeof(sock_path), "%s/vswd.sock", tmpdir);
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("ctl_rpc", suite_init, suite_clean);
	CU_add_test(suite, "parse error names the column", test_ctl_rpc_parse_error_names_column);
	CU_add_test(suite, "invalid request shapes", test_ctl_rpc_invalid_request_shapes);
	CU_add_test(suite, "unknown method suggests", test_ctl_rpc_unknown_method_suggests);
	CU_add_test(suite, "params messages name the field",
		    test_ctl_rpc_params_messages_name_field);
	CU_add_test(suite, "dispatch result and errors", test_ctl_rpc_dispatch_result_and_errors);
	CU_add_test(suite, "notifications get no reply", test_ctl_rpc_notifications_get_no_reply);
	CU_add_test(suite, "persist after accepted change",
		    test_ctl_rpc_persist_after_accepted_change);
	CU_add_test(suite, "name rules", test_ctl_rpc_name_rules);
	CU_add_test(suite, "server: oversize line keeps connection",
		    test_ctl_rpc_server_oversize_line_keeps_connection);
	CU_add_test(suite, "server: vanishing and slow clients",
		    test_ctl_rpc_server_survives_vanishing_and_slow_clients);
	CU_add_test(suite, "server: stale socket and second daemon",
		    test_ctl_rpc_server_stale_socket_and_second_daemon);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	nb_failures = CU_get_number_of_failures();
	CU_cleanup_registry();
	cleanup_tmpdir();
	return nb_failures == 0 ? 0 : 1;
}
