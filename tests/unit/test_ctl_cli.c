/* SPDX-License-Identifier: BSD-3-Clause */
/* vswctl's command mapping and its tables, without a daemon.  No DPDK. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <jansson.h>

#include "ctl_cli.h"
#include "ctl_util.h"

/* Map a command given as one string of space-separated words. */
static int
map(const char *words, struct ctl_cli_request *req, char *err, size_t errlen)
{
	char buf[512];
	char *argv[32];
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", words);
	for (char *tok = strtok(buf, " "); tok != NULL && argc < 32; tok = strtok(NULL, " "))
		argv[argc++] = tok;
	return ctl_cli_map(argc, argv, req, err, errlen);
}

/* Expect 'words' to map to 'method' with params equal to the JSON 'params'. */
static void
expect_map(const char *words, const char *method, const char *params)
{
	struct ctl_cli_request req;
	char err[256] = "";
	json_t *want = json_loads(params, 0, NULL);

	CU_ASSERT_PTR_NOT_NULL_FATAL(want);
	if (map(words, &req, err, sizeof(err)) != 0) {
		fprintf(stderr, "\n  '%s' refused: %s\n", words, err);
		CU_FAIL("mapping");
		json_decref(want);
		return;
	}
	CU_ASSERT_STRING_EQUAL(req.method, method);
	if (!json_equal(req.params, want)) {
		char *got = json_dumps(req.params, JSON_COMPACT);

		fprintf(stderr, "\n  '%s': params %s, want %s\n", words, got, params);
		free(got);
		CU_FAIL("params");
	}
	json_decref(want);
	ctl_cli_request_free(&req);
}

static void
expect_usage_error(const char *words, const char *text)
{
	struct ctl_cli_request req;
	char err[256] = "";

	CU_ASSERT_EQUAL(map(words, &req, err, sizeof(err)), -EINVAL);
	if (strstr(err, text) == NULL) {
		fprintf(stderr, "\n  '%s': expected '%s' in '%s'\n", words, text, err);
		CU_FAIL("usage message");
	}
	CU_ASSERT_PTR_NULL(req.params);
}

static void
test_ctl_cli_positional_mapping(void)
{
	expect_map("port add vm1 tap", "port.add", "{\"name\":\"vm1\",\"type\":\"tap\"}");
	expect_map("port add vm1 kernel bd=blue iface=tap0", "port.add",
		   "{\"name\":\"vm1\",\"type\":\"kernel\",\"bd\":\"blue\",\"iface\":\"tap0\"}");
	expect_map("port del 123", "port.del", "{\"name\":\"123\"}");
	expect_map("port list", "port.list", "{}");
	expect_map("bd add blue", "bd.add", "{\"name\":\"blue\"}");
	expect_map("bd del blue", "bd.del", "{\"name\":\"blue\"}");
	expect_map("bd list", "bd.list", "{}");
	expect_map("fdb show", "fdb.show", "{}");
	expect_map("fdb show blue", "fdb.show", "{\"bd\":\"blue\"}");
	expect_map("fdb flush blue port=vm1", "fdb.flush", "{\"bd\":\"blue\",\"port\":\"vm1\"}");
	expect_map("fdb flush port=vm1", "fdb.flush", "{\"port\":\"vm1\"}");
	expect_map("stats", "stats.show", "{}");
	expect_map("stats show", "stats.show", "{}");
	expect_map("stats show vm1", "stats.show", "{\"port\":\"vm1\"}");
	expect_map("stats pmd", "stats.pmd", "{}");
	expect_map("stats queues", "stats.queues", "{}");
	expect_map("stats queues vm1", "stats.queues", "{\"port\":\"vm1\"}");
	expect_map("version", "system.version", "{}");
	expect_map("bd set blue aging=60 max-macs=100 learning=off limit-action=drop", "bd.set",
		   "{\"name\":\"blue\",\"aging\":60,\"max-macs\":100,\"learning\":\"off\","
		   "\"limit-action\":\"drop\"}");
	expect_map("bd set blue flap-moves=3 flap-window=5 flap-hold=0 learning=true", "bd.set",
		   "{\"name\":\"blue\",\"flap-moves\":3,\"flap-window\":5,\"flap-hold\":0,"
		   "\"learning\":true}");
	expect_map("bd set blue aging=-1", "bd.set", "{\"name\":\"blue\",\"aging\":-1}");
	expect_map("port set vm1 max-macs=4 allowed-macs=02:00:00:00:00:01,02:00:00:00:00:02",
		   "port.set",
		   "{\"name\":\"vm1\",\"max-macs\":4,"
		   "\"allowed-macs\":\"02:00:00:00:00:01,02:00:00:00:00:02\"}");
	expect_map("port set vm1 allowed-macs=any", "port.set",
		   "{\"name\":\"vm1\",\"allowed-macs\":\"any\"}");
	expect_map("fdb add blue 02:00:00:00:00:01 vm1", "fdb.add",
		   "{\"bd\":\"blue\",\"mac\":\"02:00:00:00:00:01\",\"port\":\"vm1\"}");
	expect_map("fdb del blue 02:00:00:00:00:01", "fdb.del",
		   "{\"bd\":\"blue\",\"mac\":\"02:00:00:00:00:01\"}");
	expect_map("fdb stats", "fdb.stats", "{}");
	expect_map("system version", "system.version", "{}");
	/* Commands vswctl does not know yet go through as noun.verb. */
	expect_map("tunnel add vni=5000 ip=203.0.113.5", "tunnel.add",
		   "{\"vni\":5000,\"ip\":\"203.0.113.5\"}");
}

static void
test_ctl_cli_overlay_mapping(void)
{
	expect_map("bd add t1 vsid=5001", "bd.add", "{\"name\":\"t1\",\"vsid\":5001}");
	expect_map("bd set t1 vsid=6001", "bd.set", "{\"name\":\"t1\",\"vsid\":6001}");
	expect_map("uplink set up0", "uplink.set", "{\"port\":\"up0\"}");
	expect_map("uplink set up0 mtu=9000", "uplink.set", "{\"port\":\"up0\",\"mtu\":9000}");
	expect_map("pa add 198.51.100.1/24", "pa.add", "{\"address\":\"198.51.100.1/24\"}");
	expect_map("pa add 198.51.100.1/24 port=up0", "pa.add",
		   "{\"address\":\"198.51.100.1/24\",\"port\":\"up0\"}");
	expect_map("pa del 198.51.100.1", "pa.del", "{\"address\":\"198.51.100.1\"}");
	expect_map("pa list", "pa.list", "{}");
	/* "via" is a word of the command, not a value. */
	expect_map("route add 0.0.0.0/0 via 198.51.100.254", "route.add",
		   "{\"prefix\":\"0.0.0.0/0\",\"via\":\"198.51.100.254\"}");
	expect_map("route del 0.0.0.0/0", "route.del", "{\"prefix\":\"0.0.0.0/0\"}");
	expect_map("route show", "route.show", "{}");
	expect_map("neigh add 198.51.100.254 02:00:00:00:00:fe", "neigh.add",
		   "{\"ip\":\"198.51.100.254\",\"mac\":\"02:00:00:00:00:fe\"}");
	expect_map("neigh del 198.51.100.254", "neigh.del", "{\"ip\":\"198.51.100.254\"}");
	expect_map("neigh show", "neigh.show", "{}");
	/* A VSID is a number, even when positional. */
	expect_map("lookup add 5001 203.0.113.1 02:00:00:01:00:01 198.51.100.1", "lookup.add",
		   "{\"vsid\":5001,\"ca_ip\":\"203.0.113.1\",\"ca_mac\":\"02:00:00:01:00:01\","
		   "\"pa\":\"198.51.100.1\"}");
	expect_map("lookup del 5001 203.0.113.1", "lookup.del",
		   "{\"vsid\":5001,\"ca_ip\":\"203.0.113.1\"}");
	expect_map("lookup show", "lookup.show", "{}");
	expect_map("lookup show 6001", "lookup.show", "{\"vsid\":6001}");
	/* Not a number: sent as text, and the daemon names the field. */
	expect_map("lookup show blue", "lookup.show", "{\"vsid\":\"blue\"}");
	expect_map("show", "system.show", "{}");

	expect_usage_error(
		"route add 0.0.0.0/0 198.51.100.254",
		"route add: expected 'via', got '198.51.100.254' (usage: route add PREFIX "
		"via GATEWAY)");
	expect_usage_error("route add 0.0.0.0/0 via", "route add: missing via");
	expect_usage_error("route add 0.0.0.0/0", "route add: missing via");
	expect_usage_error("route add 0.0.0.0/0 via 1.2.3.4 extra", "too many arguments");
	expect_usage_error("lookup add 5001 203.0.113.1 02:00:00:01:00:01",
			   "lookup add: missing pa (usage: lookup add VSID CA_IP CA_MAC PA)");
	expect_usage_error("lookup del 5001", "lookup del: missing ca_ip");
	expect_usage_error("neigh add 198.51.100.254", "neigh add: missing mac");
	expect_usage_error("uplink", "missing or unknown verb after 'uplink'");
}

static void
test_ctl_cli_ipv4_text(void)
{
	char canon[CTL_PREFIX_TEXT];
	const char *why = NULL;

	CU_ASSERT_EQUAL(ctl_ipv4_parse("198.51.100.1", canon), 0);
	CU_ASSERT_STRING_EQUAL(canon, "198.51.100.1");
	CU_ASSERT_EQUAL(ctl_ipv4_parse("0.0.0.0", canon), 0);
	CU_ASSERT_EQUAL(ctl_ipv4_parse("198.51.100", canon), -EINVAL);
	CU_ASSERT_EQUAL(ctl_ipv4_parse("198.51.100.256", canon), -EINVAL);
	CU_ASSERT_EQUAL(ctl_ipv4_parse("198.51.100.1 ", canon), -EINVAL);
	CU_ASSERT_EQUAL(ctl_ipv4_parse("198.051.100.1", canon), -EINVAL);
	CU_ASSERT_EQUAL(ctl_ipv4_parse("", canon), -EINVAL);
	CU_ASSERT_EQUAL(ctl_ipv4_parse(NULL, canon), -EINVAL);
	CU_ASSERT_EQUAL(ctl_ipv4_parse("::1", canon), -EINVAL);

	CU_ASSERT_EQUAL(ctl_prefix_parse("198.51.100.1/24", canon, &why), 0);
	CU_ASSERT_STRING_EQUAL(canon, "198.51.100.1/24");
	CU_ASSERT_EQUAL(ctl_prefix_parse("0.0.0.0/0", canon, &why), 0);
	CU_ASSERT_STRING_EQUAL(canon, "0.0.0.0/0");
	CU_ASSERT_EQUAL(ctl_prefix_parse("255.255.255.255/32", canon, &why), 0);
	CU_ASSERT_STRING_EQUAL(canon, "255.255.255.255/32");
	CU_ASSERT_EQUAL(ctl_prefix_parse("198.51.100.1", canon, &why), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "missing /LEN");
	CU_ASSERT_EQUAL(ctl_prefix_parse("198.51.100.1/33", canon, &why), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "prefix length must be 0 to 32");
	CU_ASSERT_EQUAL(ctl_prefix_parse("198.51.100.1/64", canon, &why), -EINVAL);
	CU_ASSERT_EQUAL(ctl_prefix_parse("198.51.100.1/024", canon, &why), -EINVAL);
	CU_ASSERT_EQUAL(ctl_prefix_parse("198.51.100.1/08", canon, &why), -EINVAL);
	CU_ASSERT_EQUAL(ctl_prefix_parse("198.51.100.1/", canon, &why), -EINVAL);
	CU_ASSERT_EQUAL(ctl_prefix_parse("198.51.100.1/-1", canon, &why), -EINVAL);
	CU_ASSERT_EQUAL(ctl_prefix_parse("198.51.100/24", canon, &why), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "not an IPv4 address before /");
	CU_ASSERT_EQUAL(ctl_prefix_parse("1.2.3.4.5.6.7.8.9/24", canon, NULL), -EINVAL);
}

static void
test_ctl_cli_monitor(void)
{
	struct ctl_cli_request req;
	char err[256] = "";

	CU_ASSERT_EQUAL_FATAL(map("monitor", &req, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(req.method, "events.subscribe");
	CU_ASSERT_TRUE(req.monitor);
	CU_ASSERT_EQUAL(req.count, 0);
	CU_ASSERT_EQUAL(json_object_size(req.params), 0);
	ctl_cli_request_free(&req);

	/* count is vswctl's own; events goes to the daemon. */
	CU_ASSERT_EQUAL_FATAL(
		map("monitor count=3 events=fdb.moved,fdb.flap", &req, err, sizeof(err)), 0);
	CU_ASSERT_TRUE(req.monitor);
	CU_ASSERT_EQUAL(req.count, 3);
	CU_ASSERT_PTR_NULL(json_object_get(req.params, "count"));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(req.params, "events")),
			       "fdb.moved,fdb.flap");
	ctl_cli_request_free(&req);

	/* Other commands are not monitors. */
	CU_ASSERT_EQUAL_FATAL(map("fdb show", &req, err, sizeof(err)), 0);
	CU_ASSERT_FALSE(req.monitor);
	ctl_cli_request_free(&req);

	expect_usage_error("monitor count=0", "monitor: count must be a positive integer, got 0");
	expect_usage_error("monitor count=-2", "monitor: count must be a positive integer, got -2");
	expect_usage_error("monitor count=many",
			   "monitor: count must be a positive integer, got \"many\"");
}

static void
expect_event(const char *msg_json, const char *want)
{
	json_t *msg = json_loads(msg_json, 0, NULL);
	char line[512];

	CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
	ctl_cli_format_event(msg, line, sizeof(line));
	if (strcmp(line, want) != 0) {
		fprintf(stderr, "\n  got:  %s\n  want: %s\n", line, want);
		CU_FAIL("event line");
	}
	json_decref(msg);
}

static void
test_ctl_cli_event_lines(void)
{
	expect_event("{\"jsonrpc\":\"2.0\",\"method\":\"fdb.moved\",\"params\":{\"bd\":\"blue\","
		     "\"mac\":\"02:00:00:00:00:01\",\"from\":\"vm1\",\"to\":\"vm2\",\"cause\":"
		     "\"garp\"}}",
		     "fdb.moved bd=blue mac=02:00:00:00:00:01 from=vm1 to=vm2 cause=garp");
	expect_event("{\"jsonrpc\":\"2.0\",\"method\":\"fdb.flap\",\"params\":{\"bd\":\"b\","
		     "\"mac\":\"02:00:00:00:00:01\",\"from\":\"a\",\"to\":\"c\",\"moves\":6,"
		     "\"frozen\":true}}",
		     "fdb.flap bd=b mac=02:00:00:00:00:01 from=a to=c moves=6 frozen=true");
	expect_event("{\"jsonrpc\":\"2.0\",\"method\":\"events.lost\",\"params\":{\"count\":12}}",
		     "events.lost count=12");
	expect_event("{\"jsonrpc\":\"2.0\",\"method\":\"fdb.aged\",\"params\":{\"bd\":\"b\","
		     "\"mac\":\"02:00:00:00:00:01\",\"port\":\"\"}}",
		     "fdb.aged bd=b mac=02:00:00:00:00:01 port=-");
	expect_event("{\"jsonrpc\":\"2.0\",\"method\":\"x.y\"}", "x.y");
}

static void
test_ctl_cli_key_value_typing(void)
{
	expect_map(
		"port add p pcap n=42 neg=-7 on=true off=false f=1.5 s=abc e= z=007", "port.add",
		"{\"name\":\"p\",\"type\":\"pcap\",\"n\":42,\"neg\":-7,\"on\":true,\"off\":false,"
		"\"f\":\"1.5\",\"s\":\"abc\",\"e\":\"\",\"z\":7}");
	expect_map(
		"port add p pcap big=99999999999999999999 path=/a=b", "port.add",
		"{\"name\":\"p\",\"type\":\"pcap\",\"big\":\"99999999999999999999\",\"path\":\"/a=b\"}");
	expect_map("port add true 5", "port.add", "{\"name\":\"true\",\"type\":\"5\"}");
}

static void
test_ctl_cli_call_escape(void)
{
	expect_map("call port.list", "port.list", "{}");
	expect_map("call port.add {\"name\":\"a\",\"type\":\"null\"}", "port.add",
		   "{\"name\":\"a\",\"type\":\"null\"}");
	expect_map("call port.add {\"name\":\"a\"} type=null", "port.add",
		   "{\"name\":\"a\",\"type\":\"null\"}");
	expect_map("call x.y k=1", "x.y", "{\"k\":1}");
	expect_usage_error("call", "call: missing METHOD");
	expect_usage_error("call a.b {bad", "call: params are not valid JSON");
	expect_usage_error("call a.b [1] k=1", "need JSON params that are an object");
}

static void
test_ctl_cli_usage_errors(void)
{
	expect_usage_error("", "missing command");
	expect_usage_error("port add vm1", "port add: missing type");
	expect_usage_error("port del", "port del: missing name");
	expect_usage_error("port del a b", "port del: too many arguments");
	expect_usage_error("port list extra", "too many arguments");
	expect_usage_error("port add a tap bd=x bd=y", "bd is given twice");
	expect_usage_error("port add a tap name=b", "name is given twice");
	expect_usage_error("port add a tap =x", "unexpected argument '=x'");
	expect_usage_error("port ad vm1", "unknown command 'port ad'");
	expect_usage_error("fdb add blue 02:00:00:00:00:01", "fdb add: missing port");
	expect_usage_error("fdb add blue", "fdb add: missing mac (usage: fdb add BD MAC PORT)");
	expect_usage_error("fdb del blue", "fdb del: missing mac");
	expect_usage_error("fdb del a b c", "fdb del: too many arguments");
	expect_usage_error("bd set", "bd set: missing name");
	expect_usage_error("bd set blue aging", "bd set: too many arguments");
	expect_usage_error("port set vm1 max-macs=1 max-macs=2", "max-macs is given twice");
	expect_usage_error("port", "missing or unknown verb after 'port'");
	expect_usage_error("frobnicate", "unknown command 'frobnicate'");
}

/* Print through 'fn' into a string to compare. */
static char *
printed(const char *method, const char *result_json, bool all)
{
	json_t *result = json_loads(result_json, JSON_DECODE_ANY, NULL);
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	ctl_cli_print(out, method, result, all);
	fclose(out);
	json_decref(result);
	return text;
}

static void
expect_printed(const char *method, const char *result_json, bool all, const char *want)
{
	char *got = printed(method, result_json, all);

	if (strcmp(got, want) != 0) {
		fprintf(stderr, "\n  got:\n%s  want:\n%s", got, want);
		CU_FAIL("printed text");
	}
	free(got);
}

static void
test_ctl_cli_tables(void)
{
	/*
	 * bd.list rows come in the settings table's order (VSID twelfth): people
	 * get name, VSID, VLAN, routing domain, gateway, ports and MACs first,
	 * then the rest as it came.
	 */
	expect_printed(
		"bd.list",
		"[{\"name\":\"default\",\"id\":0,\"ports\":2,\"macs\":7,\"aging\":300,"
		"\"learning\":true,\"vsid\":null,\"rd\":null,\"gateway\":null,\"vlan\":null},"
		"{\"name\":\"b\",\"id\":10,\"ports\":0,\"macs\":0,\"aging\":60,"
		"\"learning\":false,\"vsid\":5001,\"rd\":\"red\",\"gateway\":\"203.0.113.126/25\","
		"\"vlan\":10}]",
		false,
		"NAME     VSID  VLAN  RD   GATEWAY           PORTS  MACS  ID  AGING  LEARNING\n"
		"default     -     -  -    -                     2     7   0    300  true\n"
		"b        5001    10  red  203.0.113.126/25      0     0  10     60  false\n");
	expect_printed("bd.set",
		       "{\"name\":\"b\",\"id\":10,\"aging\":60,\"vsid\":5001,\"rd\":null}", false,
		       "name: b\n"
		       "vsid: 5001\n"
		       "rd: -\n"
		       "id: 10\n"
		       "aging: 60\n");
	/* Other methods' tables keep their own order. */
	expect_printed("fdb.stats", "[{\"name\":\"b\",\"id\":10,\"vsid\":5001}]", false,
		       "NAME  ID  VSID\n"
		       "b     10  5001\n");
	/* Missing members and nulls print as '-'; columns follow first appearance. */
	expect_printed(
		"port.list",
		"[{\"name\":\"a\",\"mac\":\"\",\"id\":null},{\"name\":\"long-name\",\"id\":3,"
		"\"state\":\"error: gone\"}]",
		false,
		"NAME       MAC  ID  STATE\n"
		"a          -     -  -\n"
		"long-name  -     3  error: gone\n");
	expect_printed("port.list", "[]", false, "(none)\n");
	expect_printed("system.version", "{\"version\":\"0.1.0\",\"dpdk\":\"DPDK 22.11.11\"}",
		       false,
		       "version: 0.1.0\n"
		       "dpdk: DPDK 22.11.11\n");
	expect_printed("port.del", "{}", false, "");
	expect_printed(
		"x.y",
		"{\"n\":1,\"list\":[{\"a\":1},{\"a\":22}],\"sub\":{\"k\":true},\"tags\":[1,\"x\"]}",
		false,
		"n: 1\n"
		"list:\n"
		"   A\n"
		"   1\n"
		"  22\n"
		"sub:\n"
		"  k: true\n"
		"tags: 1, x\n");
	expect_printed("stats.pmd", "[{\"lcore\":1,\"busy_pct\":12.5}]", false,
		       "LCORE  BUSY_PCT\n"
		       "    1     12.50\n");
	expect_printed("stats.queues",
		       "[{\"port\":\"vm1\",\"queue\":0,\"lcore\":1,\"rx_packets\":5,\"tx_packets\":7},"
		       "{\"port\":\"vm1\",\"queue\":1,\"lcore\":null,\"rx_packets\":3,"
		       "\"tx_packets\":null}]",
		       false,
		       "PORT  QUEUE  LCORE  RX_PACKETS  TX_PACKETS\n"
		       "vm1       0      1           5           7\n"
		       "vm1       1      -           3           -\n");
}

static void
test_ctl_cli_stats_hides_zero_counters(void)
{
	static const char result[] =
		"{\"ports\":[{\"name\":\"vm1\",\"rx_packets\":5}],"
		"\"counters\":{\"drop_malformed\":0,\"fdb_learned\":3,\"drop_no_route\":0}}";

	expect_printed("stats.show", result, false,
		       "NAME  RX_PACKETS\n"
		       "vm1            5\n"
		       "\n"
		       "counters:\n"
		       "  fdb_learned  3\n");
	expect_printed("stats.show", result, true,
		       "NAME  RX_PACKETS\n"
		       "vm1            5\n"
		       "\n"
		       "counters:\n"
		       "  drop_malformed  0\n"
		       "  fdb_learned     3\n"
		       "  drop_no_route   0\n");
	expect_printed("stats.show", "{\"ports\":[],\"counters\":{\"a\":0}}", false,
		       "(none)\n"
		       "\n"
		       "counters:\n"
		       "  (all zero; -a shows them)\n");
}

static void
test_ctl_cli_usage_lists_commands(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	ctl_cli_usage(out);
	fclose(out);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "port add NAME TYPE"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "fdb flush [BD] [port=PORT]"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "fdb add BD MAC PORT"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "fdb del BD MAC"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "fdb stats"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "bd set NAME KEY=VALUE"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "port set NAME [max-macs=N]"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "monitor [count=N]"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "call METHOD [JSON-PARAMS]"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "3 cannot connect"));
	free(text);
}

int
main(void)
{
	CU_pSuite suite;
	unsigned int nb_failures;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("ctl_cli", NULL, NULL);
	CU_add_test(suite, "positional mapping", test_ctl_cli_positional_mapping);
	CU_add_test(suite, "overlay mapping", test_ctl_cli_overlay_mapping);
	CU_add_test(suite, "IPv4 and prefix text", test_ctl_cli_ipv4_text);
	CU_add_test(suite, "key=value typing", test_ctl_cli_key_value_typing);
	CU_add_test(suite, "monitor", test_ctl_cli_monitor);
	CU_add_test(suite, "event lines", test_ctl_cli_event_lines);
	CU_add_test(suite, "call escape", test_ctl_cli_call_escape);
	CU_add_test(suite, "usage errors", test_ctl_cli_usage_errors);
	CU_add_test(suite, "tables", test_ctl_cli_tables);
	CU_add_test(suite, "stats hides zero counters", test_ctl_cli_stats_hides_zero_counters);
	CU_add_test(suite, "usage lists commands", test_ctl_cli_usage_lists_commands);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	nb_failures = CU_get_number_of_failures();
	CU_cleanup_registry();
	return nb_failures == 0 ? 0 : 1;
}
