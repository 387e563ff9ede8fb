/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fan-out of MAC table events to control-socket subscribers, against the
 * fake dataplane (test_ctl_fake_dp.c): every subscriber gets every event,
 * and one too slow to read loses events and is told how many.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <jansson.h>

#include "ctl_config.h"
#include "ctl_methods.h"
#include "ctl_rpc.h"
#include "ctl_server.h"
#include "dp.h"
#include "test_ctl_fake_dp.h"
#include "test_ctl_harness.h"

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

/* Read one line from 'fd' while serving 'srv'; @return it parsed, or NULL after 'rounds' idle polls. */
static json_t *
read_line(struct ctl_server *srv, int fd, int rounds)
{
	char buf[4096];
	size_t len = 0;

	while (rounds > 0) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		ctl_server_poll(srv, 0);
		if (poll(&pfd, 1, 1) <= 0) {
			rounds--;
			continue;
		}
		if (recv(fd, buf + len, 1, 0) != 1)
			return NULL;
		if (buf[len] == '\n') {
			buf[len] = '\0';
			return json_loads(buf, 0, NULL);
		}
		if (++len == sizeof(buf))
			return NULL;
	}
	return NULL;
}

static json_t *
request(struct ctl_server *srv, int fd, const char *method, const char *params)
{
	char line[512];
	int len = snprintf(line, sizeof(line),
			   "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"%s\",\"params\":%s}\n",
			   method, params);

	CU_ASSERT_EQUAL_FATAL(send(fd, line, (size_t)len, MSG_NOSIGNAL), len);
	return read_line(srv, fd, 500);
}

static struct dp_event
moved_event(unsigned int i)
{
	struct dp_event ev = { .type = DP_EVENT_MOVED,
			       .name = "fdb.moved",
			       .mac = { 0x02, 0, 0, 0, (uint8_t)(i >> 8), (uint8_t)i },
			       .cause = "garp" };

	snprintf(ev.bd, sizeof(ev.bd), "blue");
	snprintf(ev.from, sizeof(ev.from), "vm1");
	snprintf(ev.to, sizeof(ev.to), "vm2");
	return ev;
}

static void
test_ctl_methods_events_fan_out_to_subscribers(void)
{
	struct dp_event learned = { .type = DP_EVENT_LEARNED,
				    .name = "fdb.learned",
				    .mac = { 0x02, 0, 0, 0, 0, 1 },
				    .cause = "learned" };
	struct dp_event moved = moved_event(1);
	struct ctl_server *srv;
	char err[CTL_ERR_LEN];
	json_t *r, *want;
	int all, only_moved, none;

	unlink(cfg_path);
	start();
	snprintf(learned.bd, sizeof(learned.bd), "blue");
	snprintf(learned.to, sizeof(learned.to), "vm1");
	srv = ctl_server_open(sock_path, rpc, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(srv);
	CU_ASSERT_EQUAL_FATAL(ctl_events_attach(srv), 0);
	all = connect_client();
	only_moved = connect_client();
	none = connect_client();
	CU_ASSERT_FATAL(all >= 0 && only_moved >= 0 && none >= 0);

	r = request(srv, all, "events.subscribe", "{}");
	want = json_loads("[\"fdb.learned\",\"fdb.moved\",\"fdb.aged\",\"fdb.flap\"]", 0, NULL);
	CU_ASSERT_TRUE(
		json_equal(json_object_get(json_object_get(r, "result"), "subscribed"), want));
	json_decref(want);
	json_decref(r);
	r = request(srv, only_moved, "events.subscribe", "{\"events\":[\"fdb.moved\"]}");
	CU_ASSERT_EQUAL(
		json_array_size(json_object_get(json_object_get(r, "result"), "subscribed")), 1);
	json_decref(r);
	r = request(srv, none, "events.subscribe", "{\"events\":[\"fdb.moved\",\"fdb.nope\"]}");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(r, "error"), "code")),
			CTL_E_INVALID_PARAMS);
	CU_ASSERT_PTR_NOT_NULL(
		strstr(json_string_value(json_object_get(json_object_get(r, "error"), "message")),
		       "params.events[1]: unknown event 'fdb.nope' (known: fdb.learned, "
		       "fdb.moved, fdb.aged, fdb.flap)"));
	json_decref(r);
	r = request(srv, none, "events.subscribe", "{\"events\":5}");
	CU_ASSERT_PTR_NOT_NULL(json_object_get(r, "error"));
	json_decref(r);

	fake_dp_emit(&learned);
	fake_dp_emit(&moved);
	r = read_line(srv, all, 500);
	want = json_loads("{\"jsonrpc\":\"2.0\",\"method\":\"fdb.learned\",\"params\":{\"bd\":"
			  "\"blue\",\"mac\":\"02:00:00:00:00:01\",\"port\":\"vm1\",\"cause\":"
			  "\"learned\"}}",
			  0, NULL);
	CU_ASSERT_TRUE(json_equal(r, want));
	json_decref(want);
	json_decref(r);
	want = json_loads("{\"jsonrpc\":\"2.0\",\"method\":\"fdb.moved\",\"params\":{\"bd\":"
			  "\"blue\",\"mac\":\"02:00:00:00:00:01\",\"from\":\"vm1\",\"to\":\"vm2\","
			  "\"cause\":\"garp\"}}",
			  0, NULL);
	r = read_line(srv, all, 500);
	CU_ASSERT_TRUE(json_equal(r, want));
	json_decref(r);
	r = read_line(srv, only_moved, 500);
	CU_ASSERT_TRUE(json_equal(r, want));
	json_decref(r);
	json_decref(want);
	/* Not subscribed: nothing arrives. */
	CU_ASSERT_PTR_NULL(read_line(srv, none, 20));

	/* Unsubscribing stops them; a reply says what is left. */
	r = request(srv, only_moved, "events.unsubscribe", "{\"events\":\"fdb.moved\"}");
	CU_ASSERT_EQUAL(
		json_array_size(json_object_get(json_object_get(r, "result"), "subscribed")), 0);
	json_decref(r);
	fake_dp_emit(&moved);
	CU_ASSERT_PTR_NULL(read_line(srv, only_moved, 20));
	r = read_line(srv, all, 500);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(r, "method")), "fdb.moved");
	json_decref(r);

	/* Outside a connection there is nobody to stream to. */
	fails("events.subscribe", "{}", CTL_E_APP, "works only on a control-socket connection");

	close(all);
	close(only_moved);
	close(none);
	ctl_events_detach();
	ctl_server_close(srv);
	stop();
	unlink(cfg_path);
}

static void
test_ctl_methods_events_slow_subscriber_loses_and_is_told(void)
{
	enum { NB_EVENTS = 40000 };
	struct ctl_server *srv;
	char err[CTL_ERR_LEN];
	unsigned int received = 0;
	json_int_t lost = -1;
	int slow, quick;
	json_t *r;

	unlink(cfg_path);
	start();
	srv = ctl_server_open(sock_path, rpc, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(srv);
	CU_ASSERT_EQUAL_FATAL(ctl_events_attach(srv), 0);
	slow = connect_client();
	quick = connect_client();
	CU_ASSERT_FATAL(slow >= 0 && quick >= 0);
	json_decref(request(srv, slow, "events.subscribe", "{\"events\":[\"fdb.moved\"]}"));

	/* The slow one reads nothing while far more than its socket and queue hold arrive. */
	for (unsigned int i = 0; i < NB_EVENTS; i++) {
		struct dp_event ev = moved_event(i);

		fake_dp_emit(&ev);
		if (i % 512 == 0)
			ctl_server_poll(srv, 0);
	}
	CU_ASSERT(ctl_server_events_lost(srv) > 0);
	/* Meanwhile the server serves everyone else. */
	r = request(srv, quick, "bd.list", "{}");
	CU_ASSERT_PTR_NOT_NULL(json_object_get(r, "result"));
	json_decref(r);

	/* Catching up: the events that fit, then how many were lost; together, all of them. */
	while ((r = read_line(srv, slow, 200)) != NULL) {
		const char *method = json_string_value(json_object_get(r, "method"));

		if (strcmp(method, "events.lost") == 0) {
			lost = json_integer_value(
				json_object_get(json_object_get(r, "params"), "count"));
			json_decref(r);
			break;
		}
		CU_ASSERT_STRING_EQUAL(method, "fdb.moved");
		received++;
		json_decref(r);
	}
	CU_ASSERT(received > 0);
	CU_ASSERT(lost > 0);
	CU_ASSERT_EQUAL((json_int_t)received + lost, NB_EVENTS);
	CU_ASSERT_EQUAL((uint64_t)lost, ctl_server_events_lost(srv));
	/* And events flow again. */
	{
		struct dp_event ev = moved_event(7);

		fake_dp_emit(&ev);
	}
	r = read_line(srv, slow, 500);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(r, "method")), "fdb.moved");
	json_decref(r);

	close(slow);
	close(quick);
	ctl_events_detach();
	ctl_server_close(srv);
	stop();
	unlink(cfg_path);
}

/* Events the dataplane could not queue reach every subscriber as events.lost, and nobody else. */
static void
test_ctl_methods_events_dataplane_loss_reaches_every_subscriber(void)
{
	struct dp_event lost = { .type = DP_EVENT_LOST, .name = "events.lost", .count = 905 };
	struct dp_event moved = moved_event(3);
	json_t *want = json_loads("{\"jsonrpc\":\"2.0\",\"method\":\"events.lost\","
				  "\"params\":{\"count\":905}}",
				  0, NULL);
	struct ctl_server *srv;
	char err[CTL_ERR_LEN];
	int a, b, none;
	json_t *r;

	unlink(cfg_path);
	start();
	srv = ctl_server_open(sock_path, rpc, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(srv);
	CU_ASSERT_EQUAL_FATAL(ctl_events_attach(srv), 0);
	a = connect_client();
	b = connect_client();
	none = connect_client();
	CU_ASSERT_FATAL(a >= 0 && b >= 0 && none >= 0);
	json_decref(request(srv, a, "events.subscribe", "{}"));
	json_decref(request(srv, b, "events.subscribe", "{\"events\":[\"fdb.moved\"]}"));
	json_decref(request(srv, none, "bd.list", "{}"));

	fake_dp_emit(&lost);
	fake_dp_emit(&moved);
	r = read_line(srv, a, 500);
	CU_ASSERT_TRUE(json_equal(r, want));
	json_decref(r);
	r = read_line(srv, b, 500);
	CU_ASSERT_TRUE(json_equal(r, want));
	json_decref(r);
	/* Then events flow on. */
	r = read_line(srv, b, 500);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(r, "method")), "fdb.moved");
	json_decref(r);
	CU_ASSERT_PTR_NULL(read_line(srv, none, 20));
	/* Loss before the server is not counted as a slow subscriber's loss. */
	CU_ASSERT_EQUAL(ctl_server_events_lost(srv), 0);

	json_decref(want);
	close(a);
	close(b);
	close(none);
	ctl_events_detach();
	ctl_server_close(srv);
	stop();
	unlink(cfg_path);
}

int
main(void)
{
	CU_pSuite suite;
	char lock[160];
	int rc;

	if (harness_init("test_ctl_events") < 0)
		return 1;
	snprintf(sock_path, sizeof(sock_path), "%s/vswd.sock", tmpdir);
	suite = CU_add_suite("ctl_events", NULL, NULL);
	CU_add_test(suite, "events fan out to subscribers",
		    test_ctl_methods_events_fan_out_to_subscribers);
	CU_add_test(suite, "events: slow subscriber loses and is told",
		    test_ctl_methods_events_slow_subscriber_loses_and_is_told);
	CU_add_test(suite, "events: dataplane loss reaches every subscriber",
		    test_ctl_methods_events_dataplane_loss_reaches_every_subscriber);
	rc = harness_run();
	snprintf(lock, sizeof(lock), "%s.lock", sock_path);
	unlink(lock);
	unlink(sock_path);
	rmdir(tmpdir); /* harness_run() could not while the socket was there */
	return rc;
}
