/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The method handlers against the real dataplane (test_ctl_harness.c): port
 * options reaching the driver, persistence of accepted changes, the replay
 * of a saved configuration in which some ports cannot be opened, what stats
 * and fdb.show report after frames were switched on ring ports, MAC table
 * settings and static entries (validation, effect on forwarding, saving,
 * replay).  The fan-out of events to subscribers is in test_ctl_events.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <jansson.h>

#include "ctl_config.h"
#include "ctl_methods.h"
#include "ctl_rpc.h"
#include "ctl_server.h"
#include "dp.h"
#include "dp_harness.h"
#include "dp_priv.h"
#include "test_common.h"
#include "test_ctl_harness.h"

static void
test_port_add_passes_options_to_the_driver_and_persists(void)
{
	char params[512], text[512], tx_pcap[160];
	json_t *r, *root, *want;

	unlink(cfg_path);
	start();
	json_decref(ok("bd.add", "{\"name\":\"blue\"}"));
	/* The option reaches the driver: net_pcap creates the file it writes to. */
	snprintf(tx_pcap, sizeof(tx_pcap), "%s/vm1.pcap", tmpdir);
	snprintf(params, sizeof(params),
		 "{\"name\":\"vm1\",\"type\":\"pcap\",\"bd\":\"blue\",\"tx_pcap\":\"%s\"}",
		 tx_pcap);
	r = ok("port.add", params);
	CU_ASSERT_STRING_EQUAL(jstr(json_object_get(r, "name")), "vm1");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "id")), 0);
	json_decref(r);
	CU_ASSERT_EQUAL(access(tx_pcap, F_OK), 0);

	root = on_disk();
	snprintf(text, sizeof(text),
		 "{\"version\":1,\"bds\":[{\"name\":\"blue\"}],\"ports\":[{\"name\":\"vm1\","
		 "\"type\":\"pcap\",\"bd\":\"blue\",\"tx_pcap\":\"%s\"}],\"fdb_static\":[]}",
		 tx_pcap);
	want = json_loads(text, 0, NULL);
	CU_ASSERT_TRUE(json_equal(root, want));
	json_decref(root);
	json_decref(want);

	/* The default domain is written out, so a replay does not depend on defaults. */
	json_decref(ok("port.add", "{\"name\":\"n1\",\"type\":\"null\"}"));
	root = on_disk();
	CU_ASSERT_STRING_EQUAL(
		jstr(json_object_get(json_array_get(json_object_get(root, "ports"), 1), "bd")),
		"default");
	json_decref(root);

	fails("port.add", "{\"name\":\"vm1\",\"type\":\"null\"}", CTL_E_APP,
	      "port 'vm1' already exists");
	/*
	 * Options a type does not take are refused by name, as invalid params.
	 * Values are checked when the type builds its device: still -32000.
	 */
	fails("port.add",
	      "{\"name\":\"v\",\"type\":\"vhost-user\",\"path\":\"/nonexistent/v.sock\","
	      "\"queues\":99}",
	      CTL_E_APP, "queues must be 1 to 16, not '99'");
	fails("port.add", "{\"name\":\"x\",\"type\":\"null\",\"promisc\":true}", CTL_E_INVALID_PARAMS,
	      "unknown option 'promisc' for a null port; options: none");
	fails("port.add", "{\"name\":\"x\",\"type\":\"null\",\"opt\":{}}", CTL_E_INVALID_PARAMS,
	      "params.opt: expected a string, integer or boolean, got object");
	fails("port.add", "{\"name\":\"x\",\"type\":\"null\",\"bd\":\"nope\"}", CTL_E_APP,
	      "bridge domain 'nope' does not exist; create it with 'vswctl bd add nope'");
	fails("port.add", "{\"type\":\"null\"}", CTL_E_INVALID_PARAMS,
	      "params.name: required string is missing");

	r = ok("port.list", "{}");
	CU_ASSERT_EQUAL(json_array_size(r), 2);
	CU_ASSERT_STRING_EQUAL(jstr(json_object_get(json_array_get(r, 0), "type")), "pcap");
	CU_ASSERT_EQUAL(strlen(jstr(json_object_get(json_array_get(r, 0), "mac"))), 17);
	CU_ASSERT_STRING_EQUAL(jstr(json_object_get(json_array_get(r, 0), "state")), "up");
	CU_ASSERT_STRING_EQUAL(jstr(json_object_get(json_array_get(r, 0), "link")), "up");
	CU_ASSERT_TRUE(json_is_integer(json_object_get(json_array_get(r, 0), "eth_port")));
	json_decref(r);

	json_decref(ok("port.del", "{\"name\":\"vm1\"}"));
	json_decref(ok("port.del", "{\"name\":\"n1\"}"));
	fails("port.del", "{\"name\":\"vm1\"}", CTL_E_APP, "port 'vm1' does not exist");
	json_decref(ok("bd.del", "{\"name\":\"blue\"}"));
	root = on_disk();
	CU_ASSERT_EQUAL(json_array_size(json_object_get(root, "ports")), 0);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(root, "bds")), 0);
	json_decref(root);
	stop();
}

static void
test_restore_keeps_ports_that_fail_listed_with_their_error(void)
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
	entry = json_loads(saved, 0, NULL);
	CU_ASSERT_TRUE(json_equal(root, entry));
	json_decref(entry);
	json_decref(root);

	list = ok("port.list", "{}");
	CU_ASSERT_EQUAL(json_array_size(list), 3);
	json_array_foreach(list, i, entry)
		if (strcmp(jstr(json_object_get(entry, "name")), "k1") == 0)
			k1 = entry;
	CU_ASSERT_PTR_NOT_NULL_FATAL(k1);
	CU_ASSERT_STRING_EQUAL(jstr(json_object_get(k1, "state")),
			       "error: kernel interface 'gone0' does not exist; create it first "
			       "(ip link add ...) or use type tap");
	CU_ASSERT_STRING_EQUAL(jstr(json_object_get(k1, "ifname")), "gone0");
	CU_ASSERT_STRING_EQUAL(jstr(json_object_get(k1, "bd")), "blue");
	CU_ASSERT_STRING_EQUAL(jstr(json_object_get(k1, "link")), "down");
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

#define MAC_A "02:00:00:00:00:0a"
#define MAC_B "02:00:00:00:00:0b"

/* Switch frames for real: A sends 3 broadcasts on vm1, B answers A once from vm2. */
static void
switch_a_and_b(void)
{
	for (int i = 0; i < 3; i++)
		dp_test_inject("vm1", test_frame(dp_main.pool, "ff:ff:ff:ff:ff:ff", MAC_A,
						 RTE_ETHER_TYPE_IPV4, 60));
	dp_test_inject("vm2", test_frame(dp_main.pool, MAC_A, MAC_B, RTE_ETHER_TYPE_IPV4, 60));
	dp_test_round();
	CU_ASSERT_EQUAL(dp_test_drain("vm2"), 3);
	CU_ASSERT_EQUAL(dp_test_drain("vm1"), 1);
}

static json_t *
port_stats(json_t *stats, const char *name)
{
	json_t *p;
	size_t i;

	json_array_foreach(json_object_get(stats, "ports"), i, p)
		if (strcmp(jstr(json_object_get(p, "name")), name) == 0)
			return p;
	CU_FAIL("port not in stats.show");
	return NULL;
}

static void
test_stats_and_fdb_show_what_the_switch_did(void)
{
	json_t *r, *pmd, *q;

	unlink(cfg_path);
	start();
	json_decref(ok("port.add", "{\"name\":\"vm1\",\"type\":\"ring\"}"));
	json_decref(ok("port.add", "{\"name\":\"vm2\",\"type\":\"ring\"}"));
	switch_a_and_b();

	r = ok("stats.show", "{}");
	CU_ASSERT_EQUAL(json_array_size(json_object_get(r, "ports")), 2);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(port_stats(r, "vm1"), "rx_packets")), 3);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(port_stats(r, "vm1"), "tx_packets")), 1);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(port_stats(r, "vm2"), "tx_packets")), 3);
	CU_ASSERT_EQUAL(
		json_integer_value(json_object_get(json_object_get(r, "counters"), "fdb_learned")),
		2);
	CU_ASSERT_EQUAL(json_integer_value(
				json_object_get(json_object_get(r, "counters"), "flood_multicast")),
			3);
	CU_ASSERT_EQUAL(json_integer_value(
				json_object_get(json_object_get(r, "counters"), "forward_unicast")),
			1);
	CU_ASSERT_PTR_NOT_NULL(json_object_get(json_object_get(r, "counters"), "drop_malformed"));
	json_decref(r);
	r = ok("stats.show", "{\"port\":\"vm1\"}");
	CU_ASSERT_EQUAL(json_array_size(json_object_get(r, "ports")), 1);
	json_decref(r);
	fails("stats.show", "{\"port\":\"nope\"}", CTL_E_APP, "port 'nope' not found");

	/* One queue each, polled by the one worker. */
	r = ok("stats.queues", "{\"port\":\"vm1\"}");
	CU_ASSERT_EQUAL(json_array_size(r), 1);
	q = json_array_get(r, 0);
	CU_ASSERT_STRING_EQUAL(jstr(json_object_get(q, "port")), "vm1");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(q, "queue")), 0);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(q, "lcore")),
			(json_int_t)dp_main.lcores[0]->lcore_id);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(q, "rx_packets")), 3);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(q, "tx_packets")), 1);
	json_decref(r);
	r = ok("stats.queues", "{}");
	CU_ASSERT_EQUAL(json_array_size(r), 2);
	json_decref(r);
	fails("stats.queues", "{\"port\":\"nope\"}", CTL_E_APP,
	      "port 'nope' not found; vswctl port list shows the ports");

	/*
	 * The worker's loop, not the poll round the test runs, counts packets and
	 * cycles; the round counts bursts.
	 */
	r = ok("stats.pmd", "{}");
	CU_ASSERT_EQUAL(json_array_size(r), 1);
	pmd = json_array_get(r, 0);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(pmd, "lcore")),
			(json_int_t)dp_main.lcores[0]->lcore_id);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(pmd, "rxqs")), 2);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(pmd, "bursts")), 2);
	json_decref(r);

	r = ok("fdb.show", "{}");
	CU_ASSERT_EQUAL(json_array_size(r), 2);
	for (size_t i = 0; i < json_array_size(r); i++) {
		json_t *row = json_array_get(r, i);
		const char *mac = jstr(json_object_get(row, "mac"));

		CU_ASSERT_STRING_EQUAL(jstr(json_object_get(row, "port")),
				       strcmp(mac, MAC_A) == 0 ? "vm1" : "vm2");
		CU_ASSERT_STRING_EQUAL(jstr(json_object_get(row, "type")), "dynamic");
		CU_ASSERT_STRING_EQUAL(jstr(json_object_get(row, "cause")), "learned");
		CU_ASSERT_EQUAL(json_integer_value(json_object_get(row, "age")), 0);
	}
	json_decref(r);
	fails("fdb.show", "{\"bd\":\"zzz\"}", CTL_E_APP, "bridge domain 'zzz' not found");
	r = ok("fdb.flush", "{\"bd\":\"default\",\"port\":\"vm1\"}");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "flushed")), 1);
	json_decref(r);
	CU_ASSERT_STRING_EQUAL(dp_test_where(NULL, MAC_A).port, "");
	CU_ASSERT_STRING_EQUAL(dp_test_where(NULL, MAC_B).port, "vm2");

	r = ok("bd.list", "{}");
	CU_ASSERT_STRING_EQUAL(jstr(json_object_get(json_array_get(r, 0), "name")), "default");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_array_get(r, 0), "macs")), 1);
	json_decref(r);
	stop();
	unlink(cfg_path);
}

/* Member 'key' of the first object in 'section' on disk whose member 'match' is 'value'. */
static json_t *
disk_entry(json_t *root, const char *section, const char *match, const char *value)
{
	json_t *entry;
	size_t i;

	json_array_foreach(json_object_get(root, section), i, entry) {
		const char *v = jstr(json_object_get(entry, match));

		if (v != NULL && strcmp(v, value) == 0)
			return entry;
	}
	return NULL;
}

static json_t *
bd_row(const char *name)
{
	json_t *list = ok("bd.list", "{}");
	json_t *row = NULL, *entry;
	size_t i;

	json_array_foreach(list, i, entry)
		if (strcmp(jstr(json_object_get(entry, "name")), name) == 0)
			row = json_incref(entry);
	json_decref(list);
	CU_ASSERT_PTR_NOT_NULL(row);
	return row;
}

static void
test_bd_set_is_all_or_nothing_applied_and_persisted(void)
{
	json_t *r, *root, *want;

	unlink(cfg_path);
	start();
	json_decref(ok("bd.add", "{\"name\":\"blue\"}"));
	r = ok("bd.set", "{\"name\":\"blue\",\"aging\":60,\"learning\":\"off\","
			 "\"limit-action\":\"drop\",\"flap-hold\":30}");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "aging")), 60);
	CU_ASSERT_TRUE(json_is_false(json_object_get(r, "learning")));
	CU_ASSERT_STRING_EQUAL(jstr(json_object_get(r, "limit_action")), "drop");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "flap_hold")), 30);
	json_decref(r);
	/* The switch applies it: with learning off, a frame teaches nothing. */
	json_decref(ok("port.add", "{\"name\":\"b1\",\"type\":\"ring\",\"bd\":\"blue\"}"));
	dp_test_inject("b1", test_frame(dp_main.pool, "ff:ff:ff:ff:ff:ff", MAC_A,
					RTE_ETHER_TYPE_IPV4, 60));
	dp_test_round();
	CU_ASSERT_STRING_EQUAL(dp_test_where("blue", MAC_A).port, "");
	CU_ASSERT_EQUAL(dp_test_counter("fdb_learning_off"), 1);
	root = on_disk();
	want = json_loads("{\"name\":\"blue\",\"aging\":60,\"learning\":false,"
			  "\"limit-action\":\"drop\",\"flap-hold\":30}",
			  0, NULL);
	CU_ASSERT_TRUE(json_equal(json_array_get(json_object_get(root, "bds"), 0), want));
	json_decref(want);
	json_decref(root);

	/* Booleans as JSON too; later calls update the same entry. */
	json_decref(ok("bd.set", "{\"name\":\"blue\",\"learning\":true,\"max-macs\":100}"));
	r = bd_row("blue");
	CU_ASSERT_TRUE(json_is_true(json_object_get(r, "learning")));
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "max_macs")), 100);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "flap_moves")), 5);
	json_decref(r);
	root = on_disk();
	CU_ASSERT_EQUAL(json_array_size(json_object_get(root, "bds")), 1);
	CU_ASSERT_TRUE(
		json_is_true(json_object_get(disk_entry(root, "bds", "name", "blue"), "learning")));
	json_decref(root);

	fails("bd.set", "{\"name\":\"blue\",\"aging\":-1}", CTL_E_INVALID_PARAMS,
	      "params.aging: expected a non-negative integer, got -1");
	fails("bd.set", "{\"name\":\"blue\",\"flap-moves\":-5}", CTL_E_INVALID_PARAMS,
	      "params.flap-moves: expected a non-negative integer, got -5");
	fails("bd.set", "{\"name\":\"blue\",\"max-macs\":4294967296}", CTL_E_INVALID_PARAMS,
	      "params.max-macs: expected an integer from 0 to 4294967295");
	fails("bd.set", "{\"name\":\"blue\",\"aging\":\"60\"}", CTL_E_INVALID_PARAMS,
	      "params.aging: expected a non-negative integer, got string");
	fails("bd.set", "{\"name\":\"blue\",\"learning\":\"maybe\"}", CTL_E_INVALID_PARAMS,
	      "params.learning: expected true/false or \"on\"/\"off\", got 'maybe'");
	fails("bd.set", "{\"name\":\"blue\",\"learning\":1}", CTL_E_INVALID_PARAMS,
	      "params.learning: expected true/false or \"on\"/\"off\", got integer");
	/* Keys the dataplane does not know are refused in its words. */
	fails("bd.set", "{\"name\":\"blue\",\"agin\":5}", CTL_E_INVALID_PARAMS,
	      "unknown bridge-domain setting 'agin'; settings: aging, max-macs, learning, "
	      "limit-action, flap-moves, flap-window, flap-hold, vsid");
	fails("bd.set", "{\"name\":\"blue\",\"x\":[1]}", CTL_E_INVALID_PARAMS,
	      "params.x: expected a string, integer or boolean, got array");
	fails("bd.set", "{\"name\":\"blue\"}", CTL_E_INVALID_PARAMS, "bd.set: nothing to set");
	fails("bd.set", "{\"name\":\"nope\",\"aging\":5}", CTL_E_APP,
	      "bridge domain 'nope' not found");
	fails("bd.set", "{\"aging\":5}", CTL_E_INVALID_PARAMS,
	      "params.name: required string is missing");

	/* All or nothing: a refused key undoes the keys before it, and nothing is saved. */
	fails("bd.set",
	      "{\"name\":\"blue\",\"aging\":7,\"max-macs\":9,\"limit-action\":\"sideways\"}",
	      CTL_E_INVALID_PARAMS, "limit-action must be drop or forward, not 'sideways'");
	r = bd_row("blue");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "aging")), 60);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "max_macs")), 100);
	json_decref(r);
	root = on_disk();
	CU_ASSERT_EQUAL(json_integer_value(
				json_object_get(disk_entry(root, "bds", "name", "blue"), "aging")),
			60);
	json_decref(root);

	/* The default domain is not in the file until it has settings. */
	json_decref(ok("bd.set", "{\"name\":\"default\",\"aging\":0}"));
	root = on_disk();
	want = json_loads("{\"name\":\"default\",\"aging\":0}", 0, NULL);
	CU_ASSERT_TRUE(json_equal(disk_entry(root, "bds", "name", "default"), want));
	json_decref(want);
	json_decref(root);
	r = ok("bd.list", "{}");
	CU_ASSERT_EQUAL(json_array_size(r), 2);
	json_decref(r);
	stop();
	unlink(cfg_path);
}

static void
test_port_set_validates_and_persists(void)
{
	json_t *r, *root, *entry;

	unlink(cfg_path);
	start();
	json_decref(ok("port.add", "{\"name\":\"vm1\",\"type\":\"null\"}"));
	r = ok("port.set", "{\"name\":\"vm1\",\"max-macs\":4,"
			   "\"allowed-macs\":\"02:00:00:00:00:01, 02-00-00-00-00-0A\"}");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "max_macs")), 4);
	CU_ASSERT_STRING_EQUAL(jstr(json_object_get(r, "allowed_macs")),
			       "02:00:00:00:00:01,02:00:00:00:00:0a");
	json_decref(r);
	root = on_disk();
	entry = disk_entry(root, "ports", "name", "vm1");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(entry, "max-macs")), 4);
	CU_ASSERT_STRING_EQUAL(jstr(json_object_get(entry, "allowed-macs")),
			       "02:00:00:00:00:01,02:00:00:00:00:0a");
	json_decref(root);

	r = ok("port.set", "{\"name\":\"vm1\",\"allowed-macs\":[\"02:00:00:00:00:0B\"]}");
	CU_ASSERT_STRING_EQUAL(jstr(json_object_get(r, "allowed_macs")), "02:00:00:00:00:0b");
	json_decref(r);
	r = ok("port.set", "{\"name\":\"vm1\",\"allowed-macs\":\"any\"}");
	CU_ASSERT_STRING_EQUAL(jstr(json_object_get(r, "allowed_macs")), "");
	json_decref(r);

	fails("port.set", "{\"name\":\"vm1\",\"allowed-macs\":[\"02:00:00:00:00:01\",\"zz\"]}",
	      CTL_E_INVALID_PARAMS, "params.allowed-macs[1]: invalid MAC address 'zz'");
	fails("port.set",
	      "{\"name\":\"vm1\",\"allowed-macs\":\"02:00:00:00:00:01,02:00:00:00:00\"}",
	      CTL_E_INVALID_PARAMS, "params.allowed-macs: invalid MAC address '02:00:00:00:00'");
	fails("port.set", "{\"name\":\"vm1\",\"allowed-macs\":[3]}", CTL_E_INVALID_PARAMS,
	      "params.allowed-macs[0]: expected a string, got integer");
	fails("port.set", "{\"name\":\"vm1\",\"allowed-macs\":7}", CTL_E_INVALID_PARAMS,
	      "params.allowed-macs: expected \"MAC,MAC,...\" or an array of MACs, got integer");
	fails("port.set", "{\"name\":\"vm1\",\"max-macs\":-3}", CTL_E_INVALID_PARAMS,
	      "params.max-macs: expected a non-negative integer, got -3");
	fails("port.set", "{\"name\":\"vm1\",\"speed\":3}", CTL_E_INVALID_PARAMS,
	      "params.speed: unknown field for port.set");
	fails("port.set", "{\"name\":\"vm1\"}", CTL_E_INVALID_PARAMS, "port.set: nothing to set");
	fails("port.set", "{\"name\":\"nope\",\"max-macs\":1}", CTL_E_APP, "port 'nope' not found");
	r = ok("port.list", "{}");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_array_get(r, 0), "max_macs")), 4);
	CU_ASSERT_PTR_NOT_NULL(json_object_get(json_array_get(r, 0), "link_changes"));
	CU_ASSERT_PTR_NOT_NULL(json_object_get(json_array_get(r, 0), "macs"));
	json_decref(r);
	stop();
	unlink(cfg_path);
}

/* A frame from "src" to the static MAC 02:00:00:00:00:aa; @return how many 'port' sent. */
static unsigned int
send_to_static(const char *port)
{
	dp_test_inject("src", test_frame(dp_main.pool, "02:00:00:00:00:aa", "02:00:00:00:00:5c",
					 RTE_ETHER_TYPE_IPV4, 60));
	dp_test_round();
	return dp_test_drain(port);
}

static void
test_static_entries_forward_move_and_leave_with_their_port(void)
{
	json_t *r, *root, *want, *row;
	size_t i;
	bool seen = false;

	unlink(cfg_path);
	start();
	json_decref(ok("bd.add", "{\"name\":\"blue\"}"));
	json_decref(ok("port.add", "{\"name\":\"vm1\",\"type\":\"ring\",\"bd\":\"blue\"}"));
	json_decref(ok("port.add", "{\"name\":\"vm2\",\"type\":\"ring\",\"bd\":\"blue\"}"));
	json_decref(ok("port.add", "{\"name\":\"src\",\"type\":\"ring\",\"bd\":\"blue\"}"));
	json_decref(ok("port.add", "{\"name\":\"r1\",\"type\":\"ring\"}"));
	json_decref(ok("port.add", "{\"name\":\"r2\",\"type\":\"ring\"}"));
	r = ok("fdb.add", "{\"bd\":\"blue\",\"mac\":\"02:00:00:00:00:AA\",\"port\":\"vm1\"}");
	CU_ASSERT_STRING_EQUAL(jstr(json_object_get(r, "mac")), "02:00:00:00:00:aa");
	json_decref(r);
	root = on_disk();
	want = json_loads("[{\"bd\":\"blue\",\"mac\":\"02:00:00:00:00:aa\",\"port\":\"vm1\"}]", 0,
			  NULL);
	CU_ASSERT_TRUE(json_equal(json_object_get(root, "fdb_static"), want));
	json_decref(want);
	json_decref(root);

	r = ok("fdb.show", "{\"bd\":\"blue\"}");
	CU_ASSERT_EQUAL(json_array_size(r), 1);
	row = json_array_get(r, 0);
	CU_ASSERT_STRING_EQUAL(jstr(json_object_get(row, "type")), "static");
	CU_ASSERT_TRUE(json_is_null(json_object_get(row, "age")));
	CU_ASSERT_STRING_EQUAL(jstr(json_object_get(row, "cause")), "static");
	CU_ASSERT_TRUE(json_is_false(json_object_get(row, "frozen")));
	json_decref(r);
	/* Frames to it go to its port only. */
	CU_ASSERT_EQUAL(send_to_static("vm1"), 1);
	CU_ASSERT_EQUAL(dp_test_drain("vm2"), 0);
	/* A learned MAC that moved, next to it in another domain. */
	dp_test_inject("r1", test_frame(dp_main.pool, "ff:ff:ff:ff:ff:ff", MAC_A,
					RTE_ETHER_TYPE_IPV4, 60));
	dp_test_round();
	dp_test_inject("r2", test_frame(dp_main.pool, "ff:ff:ff:ff:ff:ff", MAC_A,
					RTE_ETHER_TYPE_IPV4, 60));
	dp_test_round();
	dp_test_drain("r1");
	dp_test_drain("r2");
	r = ok("fdb.show", "{\"bd\":\"default\"}");
	CU_ASSERT_EQUAL(json_array_size(r), 1);
	row = json_array_get(r, 0);
	CU_ASSERT_STRING_EQUAL(jstr(json_object_get(row, "port")), "r2");
	CU_ASSERT_STRING_EQUAL(jstr(json_object_get(row, "type")), "dynamic");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(row, "age")), 0);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(row, "moves")), 1);
	json_decref(r);

	/* Adding the same MAC again moves it: one entry, on the new port. */
	json_decref(
		ok("fdb.add", "{\"bd\":\"blue\",\"mac\":\"02-00-00-00-00-aa\",\"port\":\"vm2\"}"));
	CU_ASSERT_EQUAL(send_to_static("vm2"), 1);
	CU_ASSERT_EQUAL(dp_test_drain("vm1"), 0);
	root = on_disk();
	CU_ASSERT_EQUAL(json_array_size(json_object_get(root, "fdb_static")), 1);
	CU_ASSERT_STRING_EQUAL(
		jstr(json_object_get(json_array_get(json_object_get(root, "fdb_static"), 0),
				     "port")),
		"vm2");
	json_decref(root);

	fails("fdb.add", "{\"bd\":\"blue\",\"mac\":\"02:00:00:00:00\",\"port\":\"vm1\"}",
	      CTL_E_INVALID_PARAMS, "params.mac: invalid MAC address '02:00:00:00:00'");
	fails("fdb.add", "{\"bd\":\"blue\",\"mac\":\"02:00:00:00:00:zz\",\"port\":\"vm1\"}",
	      CTL_E_INVALID_PARAMS, "params.mac: invalid MAC address");
	fails("fdb.add", "{\"bd\":\"blue\",\"mac\":\"02:00-00:00:00:01\",\"port\":\"vm1\"}",
	      CTL_E_INVALID_PARAMS, "params.mac: invalid MAC address");
	fails("fdb.add", "{\"bd\":\"blue\",\"mac\":2,\"port\":\"vm1\"}", CTL_E_INVALID_PARAMS,
	      "params.mac: expected a string, got integer");
	fails("fdb.add", "{\"mac\":\"02:00:00:00:00:01\",\"port\":\"vm1\"}", CTL_E_INVALID_PARAMS,
	      "params.bd: required string is missing");
	fails("fdb.add", "{\"bd\":\"blue\",\"mac\":\"02:00:00:00:00:01\"}", CTL_E_INVALID_PARAMS,
	      "params.port: required string is missing");
	fails("fdb.add", "{\"bd\":\"blue\",\"mac\":\"01:00:5e:00:00:01\",\"port\":\"vm1\"}",
	      CTL_E_INVALID_PARAMS, "a MAC table entry needs a unicast, non-zero MAC");
	fails("fdb.add", "{\"bd\":\"red\",\"mac\":\"02:00:00:00:00:01\",\"port\":\"vm1\"}",
	      CTL_E_APP, "bridge domain 'red' does not exist");
	fails("fdb.del", "{\"bd\":\"blue\",\"mac\":\"nope\"}", CTL_E_INVALID_PARAMS,
	      "params.mac: invalid MAC address 'nope'");
	fails("fdb.del", "{\"bd\":\"blue\",\"mac\":\"02:00:00:00:00:01\"}", CTL_E_APP,
	      "no entry for that MAC in bridge domain 'blue'");

	json_decref(ok("fdb.del", "{\"bd\":\"blue\",\"mac\":\"02:00:00:00:00:AA\"}"));
	root = on_disk();
	CU_ASSERT_EQUAL(json_array_size(json_object_get(root, "fdb_static")), 0);
	json_decref(root);

	/* A port takes its static MACs with it, in the file as in the dataplane. */
	json_decref(
		ok("fdb.add", "{\"bd\":\"blue\",\"mac\":\"02:00:00:00:00:01\",\"port\":\"vm1\"}"));
	json_decref(
		ok("fdb.add", "{\"bd\":\"blue\",\"mac\":\"02:00:00:00:00:02\",\"port\":\"vm2\"}"));
	json_decref(ok("port.del", "{\"name\":\"vm1\"}"));
	root = on_disk();
	CU_ASSERT_EQUAL(json_array_size(json_object_get(root, "fdb_static")), 1);
	CU_ASSERT_PTR_NOT_NULL(disk_entry(root, "fdb_static", "port", "vm2"));
	json_decref(root);

	r = ok("fdb.stats", "{}");
	json_array_foreach(json_object_get(r, "bds"), i, row) {
		if (strcmp(jstr(json_object_get(row, "bd")), "blue") != 0)
			continue;
		seen = true;
		CU_ASSERT_EQUAL(json_integer_value(json_object_get(row, "static")), 1);
		CU_ASSERT_EQUAL(json_integer_value(json_object_get(row, "aging")), 300);
		CU_ASSERT_STRING_EQUAL(jstr(json_object_get(row, "limit_action")), "forward");
	}
	CU_ASSERT_TRUE(seen);
	/* Only the MAC table's counters: MAC_A and the sender learned, MAC_A moved once. */
	CU_ASSERT_EQUAL(
		json_integer_value(json_object_get(json_object_get(r, "counters"), "fdb_learned")),
		2);
	CU_ASSERT_EQUAL(
		json_integer_value(json_object_get(json_object_get(r, "counters"), "fdb_moves")),
		1);
	CU_ASSERT_PTR_NULL(json_object_get(json_object_get(r, "counters"), "drop_malformed"));
	json_decref(r);
	stop();
	unlink(cfg_path);
}

static void
test_restore_brings_back_settings_and_static_entries(void)
{
	/*
	 * Sections and members in an awkward order: the replay order must not
	 * depend on it.  Each part needs the one before (the port its domain,
	 * its settings the port, a static MAC the port), and a ring port takes
	 * no options, so settings passed as options would fail it too.
	 */
	static const char saved[] =
		"{\"fdb_static\":[{\"bd\":\"blue\",\"mac\":\"02:00:00:00:00:AA\",\"port\":\"vm1\"},"
		"{\"bd\":\"blue\",\"mac\":\"02:00:00:00:00:bb\",\"port\":\"gone\"}],"
		"\"ports\":[{\"allowed-macs\":\"02:00:00:00:00:01\",\"name\":\"vm1\","
		"\"type\":\"ring\",\"max-macs\":4,\"bd\":\"blue\"}],"
		"\"version\":1,"
		"\"bds\":[{\"name\":\"default\",\"learning\":false},"
		"{\"name\":\"blue\",\"aging\":60},"
		"{\"name\":\"red\",\"aging\":\"soon\"}]}";
	json_t *root, *r;
	FILE *f = fopen(cfg_path, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(saved, f);
	fclose(f);
	start();
	/* red's setting and the static MAC on a port that does not exist fail; nothing else. */
	CU_ASSERT_EQUAL(ctl_restore(rpc, &state), 2);
	r = bd_row("default");
	CU_ASSERT_TRUE(json_is_false(json_object_get(r, "learning")));
	json_decref(r);
	r = bd_row("blue");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "aging")), 60);
	json_decref(r);
	r = ok("port.list", "{}");
	CU_ASSERT_EQUAL(json_array_size(r), 1);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_array_get(r, 0), "max_macs")), 4);
	CU_ASSERT_STRING_EQUAL(jstr(json_object_get(json_array_get(r, 0), "allowed_macs")),
			       "02:00:00:00:00:01");
	CU_ASSERT_STRING_EQUAL(jstr(json_object_get(json_array_get(r, 0), "state")), "up");
	json_decref(r);
	CU_ASSERT_STRING_EQUAL(dp_test_where("blue", "02:00:00:00:00:aa").port, "vm1");
	CU_ASSERT_STRING_EQUAL(dp_test_where("blue", "02:00:00:00:00:aa").cause, "static");
	/* A domain whose setting failed still exists, and the file is untouched. */
	r = bd_row("red");
	json_decref(r);
	root = on_disk();
	r = json_loads(saved, 0, NULL);
	CU_ASSERT_TRUE(json_equal(root, r));
	json_decref(r);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(root, "fdb_static")), 2);
	json_decref(root);
	/* A saved static entry that could not be restored can still be deleted. */
	json_decref(ok("fdb.del", "{\"bd\":\"blue\",\"mac\":\"02:00:00:00:00:bb\"}"));
	CU_ASSERT_EQUAL(json_array_size(ctl_config_section(&cfg, "fdb_static")), 1);
	stop();
	unlink(cfg_path);
}

static void
test_config_without_static_entries_still_loads(void)
{
	static const char saved[] = "{\"version\":1,\"bds\":[{\"name\":\"blue\"}],\"ports\":["
				    "{\"name\":\"vm1\",\"type\":\"null\",\"bd\":\"blue\"}]}";
	json_t *root;
	FILE *f = fopen(cfg_path, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(saved, f);
	fclose(f);
	start();
	CU_ASSERT_EQUAL(ctl_restore(rpc, &state), 0);
	CU_ASSERT_EQUAL(dp_port_find("vm1"), 0);
	CU_ASSERT(dp_bd_find("blue") > 0);
	json_decref(
		ok("fdb.add", "{\"bd\":\"blue\",\"mac\":\"02:00:00:00:00:01\",\"port\":\"vm1\"}"));
	root = on_disk();
	CU_ASSERT_EQUAL(json_array_size(json_object_get(root, "fdb_static")), 1);
	json_decref(root);
	stop();
	unlink(cfg_path);
}

int
main(void)
{
	CU_pSuite suite;

	if (harness_init("test_ctl_methods") < 0)
		return 1;
	suite = CU_add_suite("ctl_methods", NULL, NULL);
	CU_add_test(suite, "port.add passes options to the driver and persists",
		    test_port_add_passes_options_to_the_driver_and_persists);
	CU_add_test(suite, "restore keeps ports that fail, listed with their error",
		    test_restore_keeps_ports_that_fail_listed_with_their_error);
	CU_add_test(suite, "stats and fdb.show report what the switch did",
		    test_stats_and_fdb_show_what_the_switch_did);
	CU_add_test(suite, "bd.set is all or nothing, applied and persisted",
		    test_bd_set_is_all_or_nothing_applied_and_persisted);
	CU_add_test(suite, "port.set validates and persists", test_port_set_validates_and_persists);
	CU_add_test(suite, "static entries forward, move and leave with their port",
		    test_static_entries_forward_move_and_leave_with_their_port);
	CU_add_test(suite, "restore brings back settings and static entries",
		    test_restore_brings_back_settings_and_static_entries);
	CU_add_test(suite, "a config without static entries still loads",
		    test_config_without_static_entries_still_loads);
	return harness_run();
}
