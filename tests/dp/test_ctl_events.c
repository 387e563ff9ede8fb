/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fan-out of MAC table events to control-socket subscribers.  The events
 * are real: frames switched on ring ports by the worker's poll round
 * (dp_test_round()), handed to the control thread by a real dp_periodic(),
 * as in vswd.  Every subscriber gets the events it asked for, one too slow
 * to read loses events and is told how many, and events the workers could
 * not queue reach every subscriber as events.lost.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <jansson.h>

#include "ctl_config.h"
#include "ctl_methods.h"
#include "ctl_rpc.h"
#include "ctl_server.h"
#include "dp.h"
#include "dp_harness.h"
#include "dp_priv.h"
#include "test_common.h"
#include "test_frames.h"
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

#define BCAST "ff:ff:ff:ff:ff:ff"

/* The method of notification 'r', "(missing)" if none arrived. */
static const char *
method_of(const json_t *r)
{
	return jstr(json_object_get(r, "method"));
}

/* The n-th test MAC, 02:10:00:00:HH:LL. */
static const char *
nth_mac(unsigned int n)
{
	static char text[18];

	snprintf(text, sizeof(text), "02:10:00:00:%02x:%02x", n >> 8 & 0xff, n & 0xff);
	return text;
}

/* Run poll rounds until 'port' has nothing left to receive; drop what was sent. */
static void
switch_all(const char *port)
{
	while (rte_ring_count(dp_test_ring(port, "rx")) > 0)
		dp_test_round();
	dp_test_drain("vm1");
	dp_test_drain("vm2");
}

/* MACs first..first+nb-1 send an ordinary frame on 'port' (learned there). */
static void
send_from(const char *port, unsigned int first, unsigned int nb)
{
	for (unsigned int i = 0; i < nb; i++) {
		dp_test_inject(port, test_frame(dp_main.pool, BCAST, nth_mac(first + i),
						RTE_ETHER_TYPE_IPV4, 60));
		if (i % 256 == 255 || i == nb - 1)
			switch_all(port);
	}
}

/* MACs first..first+nb-1 announce themselves on 'port' with a gratuitous ARP (moved there). */
static void
announce_on(const char *port, unsigned int first, unsigned int nb)
{
	for (unsigned int i = 0; i < nb; i++) {
		const char *mac = nth_mac(first + i);

		dp_test_inject(port, test_arp_frame(dp_main.pool, mac, 0x0806, 1, mac, 10, 10));
		if (i % 256 == 255 || i == nb - 1)
			switch_all(port);
	}
}

/* Two ring ports in the default domain; flap detection off, so moves are only moves. */
static void
add_ports(void)
{
	done("port.add", "{\"name\":\"vm1\",\"type\":\"ring\"}");
	done("port.add", "{\"name\":\"vm2\",\"type\":\"ring\"}");
	done("bd.set", "{\"name\":\"default\",\"flap-moves\":0}");
}

static void
test_switched_frames_reach_subscribers_as_events(void)
{
	struct ctl_server *srv;
	char err[CTL_ERR_LEN];
	json_t *r, *want;
	int all, only_moved, none;

	unlink(cfg_path);
	start();
	add_ports();
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
		strstr(jstr(json_object_get(json_object_get(r, "error"), "message")),
		       "params.events[1]: unknown event 'fdb.nope' (known: fdb.learned, "
		       "fdb.moved, fdb.aged, fdb.flap)"));
	json_decref(r);
	r = request(srv, none, "events.subscribe", "{\"events\":5}");
	CU_ASSERT_PTR_NOT_NULL(json_object_get(r, "error"));
	json_decref(r);

	/* A MAC appears on vm1, then announces itself on vm2. */
	send_from("vm1", 1, 1);
	dp_periodic();
	announce_on("vm2", 1, 1);
	dp_periodic();
	r = read_line(srv, all, 500);
	want = json_loads("{\"jsonrpc\":\"2.0\",\"method\":\"fdb.learned\",\"params\":{\"bd\":"
			  "\"default\",\"mac\":\"02:10:00:00:00:01\",\"port\":\"vm1\",\"cause\":"
			  "\"learned\"}}",
			  0, NULL);
	CU_ASSERT_TRUE(json_equal(r, want));
	json_decref(want);
	json_decref(r);
	want = json_loads(
		"{\"jsonrpc\":\"2.0\",\"method\":\"fdb.moved\",\"params\":{\"bd\":"
		"\"default\",\"mac\":\"02:10:00:00:00:01\",\"from\":\"vm1\",\"to\":\"vm2\","
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
	announce_on("vm1", 1, 1); /* and back */
	dp_periodic();
	CU_ASSERT_PTR_NULL(read_line(srv, only_moved, 20));
	r = read_line(srv, all, 500);
	CU_ASSERT_STRING_EQUAL(method_of(r), "fdb.moved");
	CU_ASSERT_STRING_EQUAL(jstr(json_object_get(json_object_get(r, "params"), "to")), "vm1");
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
test_slow_subscriber_loses_events_and_is_told_how_many(void)
{
	enum { NB_MACS = 1000, NB_ROUNDS = 40, NB_EVENTS = NB_MACS * NB_ROUNDS };
	struct ctl_server *srv;
	char err[CTL_ERR_LEN];
	unsigned int received = 0;
	json_int_t lost = -1;
	int slow, quick;
	json_t *r;

	unlink(cfg_path);
	start();
	add_ports();
	send_from("vm1", 0, NB_MACS);
	dp_periodic();
	srv = ctl_server_open(sock_path, rpc, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(srv);
	CU_ASSERT_EQUAL_FATAL(ctl_events_attach(srv), 0);
	slow = connect_client();
	quick = connect_client();
	CU_ASSERT_FATAL(slow >= 0 && quick >= 0);
	json_decref(request(srv, slow, "events.subscribe", "{\"events\":[\"fdb.moved\"]}"));

	/*
	 * The slow one reads nothing while far more than its socket and queue
	 * hold arrive: every MAC moves to the other port, forty times over.
	 */
	for (unsigned int round = 0; round < NB_ROUNDS; round++) {
		announce_on(round % 2 == 0 ? "vm2" : "vm1", 0, NB_MACS);
		dp_periodic();
		ctl_server_poll(srv, 0);
	}
	/* The dataplane lost none of them: whatever is lost, the server lost. */
	CU_ASSERT_EQUAL(dp_test_counter("fdb_moves"), NB_EVENTS);
	CU_ASSERT_EQUAL(dp_test_counter("events_lost") + dp_test_counter("events_lost_urgent"), 0);
	CU_ASSERT(ctl_server_events_lost(srv) > 0);
	/* Meanwhile the server serves everyone else. */
	r = request(srv, quick, "bd.list", "{}");
	CU_ASSERT_PTR_NOT_NULL(json_object_get(r, "result"));
	json_decref(r);

	/* Catching up: the events that fit, then how many were lost; together, all of them. */
	while ((r = read_line(srv, slow, 200)) != NULL) {
		const char *method = method_of(r);

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
	announce_on("vm2", 7, 1);
	dp_periodic();
	r = read_line(srv, slow, 500);
	CU_ASSERT_STRING_EQUAL(method_of(r), "fdb.moved");
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
test_dataplane_loss_reaches_every_subscriber(void)
{
	/* Learned between two ticks; the MAC table holds fewer, so flushed on the way. */
	enum { NB_FLOOD = 1500, NB_ROUNDS = 3 };
	const unsigned int nb_lost = NB_FLOOD * NB_ROUNDS - (DP_EVENT_RING_SIZE - 1);
	char text[128];
	json_t *want;
	struct ctl_server *srv;
	char err[CTL_ERR_LEN];
	int a, b, none;
	json_t *r;

	unlink(cfg_path);
	start();
	add_ports();
	srv = ctl_server_open(sock_path, rpc, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(srv);
	CU_ASSERT_EQUAL_FATAL(ctl_events_attach(srv), 0);
	a = connect_client();
	b = connect_client();
	none = connect_client();
	CU_ASSERT_FATAL(a >= 0 && b >= 0 && none >= 0);
	/* Neither asked for fdb.learned: events.lost reaches them anyway. */
	json_decref(request(srv, a, "events.subscribe", "{\"events\":[\"fdb.aged\"]}"));
	json_decref(request(srv, b, "events.subscribe", "{\"events\":[\"fdb.moved\"]}"));
	json_decref(request(srv, none, "bd.list", "{}"));

	send_from("vm1", 5000, 1);
	dp_periodic();
	/* More new MACs between two ticks than a worker's event ring holds. */
	for (unsigned int round = 0; round < NB_ROUNDS; round++) {
		send_from("vm2", round * NB_FLOOD, NB_FLOOD);
		done("fdb.flush", "{\"port\":\"vm2\"}");
	}
	dp_periodic();
	CU_ASSERT_EQUAL(dp_test_counter("events_lost"), nb_lost);
	snprintf(text, sizeof(text),
		 "{\"jsonrpc\":\"2.0\",\"method\":\"events.lost\",\"params\":{\"count\":%u}}",
		 nb_lost);
	want = json_loads(text, 0, NULL);
	r = read_line(srv, a, 500);
	CU_ASSERT_TRUE(json_equal(r, want));
	json_decref(r);
	r = read_line(srv, b, 500);
	CU_ASSERT_TRUE(json_equal(r, want));
	json_decref(r);
	/* Then events flow on. */
	announce_on("vm2", 5000, 1);
	dp_periodic();
	r = read_line(srv, b, 500);
	CU_ASSERT_STRING_EQUAL(method_of(r), "fdb.moved");
	json_decref(r);
	CU_ASSERT_PTR_NULL(read_line(srv, none, 20));
	CU_ASSERT_PTR_NULL(read_line(srv, a, 20));
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
	CU_add_test(suite, "switched frames reach subscribers as events",
		    test_switched_frames_reach_subscribers_as_events);
	CU_add_test(suite, "a slow subscriber loses events and is told how many",
		    test_slow_subscriber_loses_events_and_is_told_how_many);
	CU_add_test(suite, "dataplane loss reaches every subscriber",
		    test_dataplane_loss_reaches_every_subscriber);
	rc = harness_run();
	snprintf(lock, sizeof(lock), "%s.lock", sock_path);
	unlink(lock);
	unlink(sock_path);
	rmdir(tmpdir); /* harness_run() could not while the socket was there */
	return rc;
}
