/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vswagent's pure pieces, without etcd or vswd: base64, the watch stream's
 * buffering of chunked pieces into lines and their parsing, the desired
 * state and its hash chains, the reconciliation diff against vswd's
 * lookup.show, and the claim decision.  The integration tests
 * (cluster_*.sh) cover the same code end to end against real etcd.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <jansson.h>

#include "agent.h"
#include "etcd.h"

/* agent_state.c logs through these; vswagent.c has the real ones. */
void
agent_log(const char *fmt, ...)
{
	(void)fmt;
}

void
agent_err(struct agent *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->last_error, sizeof(a->last_error), fmt, ap);
	va_end(ap);
	a->n.errors++;
}

/* ------------------------------------------------------------ base64 */

static void
test_b64_known_vectors(void)
{
	static const char *plain[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
	static const char *coded[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=",
				       "Zm9vYmFy" };

	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		char *e = etcd_b64_encode(plain[i], strlen(plain[i]));
		size_t len = 99;
		char *d = etcd_b64_decode(coded[i], &len);

		CU_ASSERT_PTR_NOT_NULL_FATAL(e);
		CU_ASSERT_STRING_EQUAL(e, coded[i]);
		CU_ASSERT_PTR_NOT_NULL_FATAL(d);
		CU_ASSERT_EQUAL(len, strlen(plain[i]));
		CU_ASSERT_STRING_EQUAL(d, plain[i]);
		free(e);
		free(d);
	}
}

static void
test_b64_round_trip_binary(void)
{
	unsigned char in[256];

	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(255 - i);
	for (size_t n = 0; n <= sizeof(in); n += 17) {
		char *e = etcd_b64_encode(in, n);
		size_t len = 0;
		char *d = etcd_b64_decode(e, &len);

		CU_ASSERT_PTR_NOT_NULL_FATAL(d);
		CU_ASSERT_EQUAL(len, n);
		CU_ASSERT(memcmp(d, in, n) == 0);
		free(e);
		free(d);
	}
}

static void
test_b64_rejects_bad_input(void)
{
	static const char *bad[] = { "Zm9v!", "@@@@", "Z===", "Zm9vY" };
	size_t n = 0;
	char *d = etcd_b64_decode("Zm9", &n); /* unpadded is accepted: the padding carries no data */

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT(memcmp(d, "fo", 2) == 0);
	free(d);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t len;

		errno = 0;
		CU_ASSERT_PTR_NULL(etcd_b64_decode(bad[i], &len));
		CU_ASSERT_EQUAL(errno, EINVAL);
	}
}

/* ------------------------------------------------------------ watch stream */

/* {"result":{...}} with one PUT of /vsw/v1/vms/5001/203.0.113.1 (base64) at revision 'rev'. */
static char *
put_line(int64_t rev, const char *pa)
{
	char value[256], line[1024];
	char *k = etcd_b64_encode("/vsw/v1/vms/5001/203.0.113.1", 28), *v;

	snprintf(value, sizeof(value),
		 "{\"vsid\":5001,\"ca_ip\":\"203.0.113.1\",\"ca_mac\":\"02:00:00:01:00:01\","
		 "\"pa\":\"%s\",\"host\":\"B\"}", pa);
	v = etcd_b64_encode(value, strlen(value));
	snprintf(line, sizeof(line),
		 "{\"result\":{\"header\":{\"revision\":\"%lld\"},\"events\":[{\"kv\":{\"key\":\"%s\","
		 "\"value\":\"%s\",\"mod_revision\":\"%lld\",\"create_revision\":\"2\","
		 "\"version\":\"3\"}}]}}\n",
		 (long long)rev, k, v, (long long)rev);
	free(k);
	free(v);
	return strdup(line);
}

static void
test_watch_line_split_in_pieces(void)
{
	struct etcd_watch *w = etcd_watch_detached();
	char *line = put_line(42, "192.0.2.65");
	size_t n = strlen(line), cut1 = 7, cut2 = n / 2;
	struct etcd_watch_msg msg;

	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	/* Three pieces, cut inside a key and inside the base64: nothing until the newline. */
	CU_ASSERT_EQUAL(etcd_watch_feed(w, line, cut1), 0);
	CU_ASSERT_EQUAL(etcd_watch_next(w, &msg), 0);
	CU_ASSERT_EQUAL(etcd_watch_feed(w, line + cut1, cut2 - cut1), 0);
	CU_ASSERT_EQUAL(etcd_watch_next(w, &msg), 0);
	CU_ASSERT_EQUAL(etcd_watch_feed(w, line + cut2, n - cut2), 0);
	CU_ASSERT_EQUAL_FATAL(etcd_watch_next(w, &msg), 1);
	CU_ASSERT_EQUAL(msg.revision, 42);
	CU_ASSERT_EQUAL_FATAL(msg.nb_events, 1);
	CU_ASSERT_EQUAL(msg.events[0].type, ETCD_PUT);
	CU_ASSERT_STRING_EQUAL(msg.events[0].kv.key, "/vsw/v1/vms/5001/203.0.113.1");
	CU_ASSERT_PTR_NOT_NULL(strstr(msg.events[0].kv.value, "192.0.2.65"));
	CU_ASSERT_EQUAL(msg.events[0].kv.mod_revision, 42);
	CU_ASSERT_EQUAL(msg.events[0].kv.version, 3);
	etcd_watch_msg_free(&msg);
	CU_ASSERT_EQUAL(etcd_watch_next(w, &msg), 0);
	free(line);
	etcd_watch_stop(w);
}

static void
test_watch_two_lines_in_one_piece_and_byte_by_byte(void)
{
	struct etcd_watch *w = etcd_watch_detached();
	char *a = put_line(10, "192.0.2.1"), *b = put_line(11, "192.0.2.65");
	char both[2048];
	struct etcd_watch_msg msg;

	snprintf(both, sizeof(both), "%s%s", a, b);
	CU_ASSERT_EQUAL(etcd_watch_feed(w, both, strlen(both)), 0);
	CU_ASSERT_EQUAL_FATAL(etcd_watch_next(w, &msg), 1);
	CU_ASSERT_EQUAL(msg.revision, 10);
	etcd_watch_msg_free(&msg);
	CU_ASSERT_EQUAL_FATAL(etcd_watch_next(w, &msg), 1);
	CU_ASSERT_EQUAL(msg.revision, 11);
	etcd_watch_msg_free(&msg);
	CU_ASSERT_EQUAL(etcd_watch_next(w, &msg), 0);

	for (size_t i = 0; a[i] != '\0'; i++) {
		CU_ASSERT_EQUAL(etcd_watch_next(w, &msg), 0);
		CU_ASSERT_EQUAL(etcd_watch_feed(w, a + i, 1), 0);
	}
	CU_ASSERT_EQUAL_FATAL(etcd_watch_next(w, &msg), 1);
	CU_ASSERT_EQUAL(msg.events[0].kv.mod_revision, 10);
	etcd_watch_msg_free(&msg);
	free(a);
	free(b);
	etcd_watch_stop(w);
}

static void
test_watch_control_messages(void)
{
	static const char created[] = "{\"result\":{\"header\":{\"revision\":\"7\"},\"created\":true}}\n";
	static const char progress[] = "{\"result\":{\"header\":{\"revision\":\"9\"}}}\n";
	static const char compacted[] = "{\"result\":{\"header\":{\"revision\":\"30\"},"
					"\"canceled\":true,\"compact_revision\":\"25\"}}\n";
	struct etcd_watch *w = etcd_watch_detached();
	struct etcd_watch_msg msg;

	etcd_watch_feed(w, created, strlen(created));
	etcd_watch_feed(w, progress, strlen(progress));
	etcd_watch_feed(w, compacted, strlen(compacted));
	CU_ASSERT_EQUAL_FATAL(etcd_watch_next(w, &msg), 1);
	CU_ASSERT(msg.created);
	CU_ASSERT_EQUAL(msg.nb_events, 0);
	etcd_watch_msg_free(&msg);
	CU_ASSERT_EQUAL_FATAL(etcd_watch_next(w, &msg), 1);
	CU_ASSERT(!msg.created && !msg.canceled);
	CU_ASSERT_EQUAL(msg.revision, 9);
	etcd_watch_msg_free(&msg);
	CU_ASSERT_EQUAL_FATAL(etcd_watch_next(w, &msg), 1);
	CU_ASSERT(msg.canceled);
	CU_ASSERT_EQUAL(msg.compact_revision, 25);
	etcd_watch_msg_free(&msg);
	etcd_watch_stop(w);
}

static void
test_watch_bad_lines_are_skipped(void)
{
	static const char junk[] = "<html>502 Bad Gateway</html>\n";
	static const char err[] = "{\"error\":{\"grpc_code\":14,\"message\":\"etcdserver: no leader\"}}\n";
	struct etcd_watch *w = etcd_watch_detached();
	char *good = put_line(5, "192.0.2.1");
	struct etcd_watch_msg msg;

	etcd_watch_feed(w, junk, strlen(junk));
	etcd_watch_feed(w, err, strlen(err));
	etcd_watch_feed(w, good, strlen(good));
	CU_ASSERT_EQUAL(etcd_watch_next(w, &msg), -EPROTO);
	CU_ASSERT_PTR_NOT_NULL(strstr(etcd_watch_error(w), "not JSON"));
	CU_ASSERT_EQUAL(etcd_watch_next(w, &msg), -EPROTO);
	CU_ASSERT_PTR_NOT_NULL(strstr(etcd_watch_error(w), "no leader"));
	CU_ASSERT_EQUAL_FATAL(etcd_watch_next(w, &msg), 1);
	CU_ASSERT_EQUAL(msg.revision, 5);
	etcd_watch_msg_free(&msg);
	free(good);
	etcd_watch_stop(w);
}

static void
test_watch_last_line_without_newline_after_end(void)
{
	struct etcd_watch *w = etcd_watch_detached();
	char *line = put_line(8, "192.0.2.1");
	struct etcd_watch_msg msg;

	etcd_watch_feed(w, line, strlen(line) - 1); /* no newline */
	CU_ASSERT_EQUAL(etcd_watch_next(w, &msg), 0);
	CU_ASSERT(!etcd_watch_done(w));
	etcd_watch_end(w, "the server ended the stream (HTTP 200)");
	CU_ASSERT(etcd_watch_done(w));
	CU_ASSERT_EQUAL_FATAL(etcd_watch_next(w, &msg), 1);
	CU_ASSERT_EQUAL(msg.revision, 8);
	etcd_watch_msg_free(&msg);
	CU_ASSERT_EQUAL(etcd_watch_next(w, &msg), 0);
	free(line);
	etcd_watch_stop(w);
}

/* ------------------------------------------------------------ desired state */

static struct agent ag;

static void
agent_reset(void)
{
	agent_state_free(&ag);
	memset(&ag, 0, sizeof(ag));
	ag.prefix = "/vsw/v1";
	ag.host = "A";
	ag.hold_s = 5;
	ag.claim_age_s = 2;
	snprintf(ag.pas[0], sizeof(ag.pas[0]), "192.0.2.1");
	ag.nb_pas = 1;
}

static int
put(const char *key, const char *value, int64_t rev)
{
	struct etcd_kv kv = { .key = (char *)(uintptr_t)key, .value = (char *)(uintptr_t)value,
			      .mod_revision = rev };
	struct agent_vm old;

	return agent_state_apply(&ag, true, &kv, &old);
}

static int
del(const char *key)
{
	struct etcd_kv kv = { .key = (char *)(uintptr_t)key, .value = (char *)(uintptr_t)"" };
	struct agent_vm old;

	return agent_state_apply(&ag, false, &kv, &old);
}

static int
put_vm(uint32_t vsid, const char *ca_ip, const char *mac, const char *pa, int64_t rev)
{
	char key[128], value[256];

	snprintf(key, sizeof(key), "/vsw/v1/vms/%u/%s", vsid, ca_ip);
	snprintf(value, sizeof(value),
		 "{\"vsid\":%u,\"ca_ip\":\"%s\",\"ca_mac\":\"%s\",\"pa\":\"%s\",\"host\":\"X\"}",
		 vsid, ca_ip, mac, pa);
	return put(key, value, rev);
}

static void
test_state_subnets_and_bad_values(void)
{
	agent_reset();
	CU_ASSERT_EQUAL(put("/vsw/v1/subnets/5001", "{\"name\":\"t1\",\"vsid\":5001}", 2), 1);
	CU_ASSERT_EQUAL(put("/vsw/v1/subnets/5001", "{\"name\":\"t1\",\"vsid\":5001}", 3), 0);
	CU_ASSERT_EQUAL(put("/vsw/v1/subnets/5001", "{\"name\":\"t9\",\"vsid\":5001}", 4), 1);
	CU_ASSERT_STRING_EQUAL(agent_subnet_find(&ag, 5001)->name, "t9");
	CU_ASSERT_EQUAL(put("/vsw/v1/subnets/5002", "{\"name\":\"t2\",\"vsid\":5003}", 5), -EINVAL);
	CU_ASSERT_EQUAL(put("/vsw/v1/subnets/12", "{\"name\":\"t2\",\"vsid\":12}", 6), -EINVAL);
	CU_ASSERT_EQUAL(put_vm(5001, "203.0.113.1", "02:00:00:01:00:01", "not-an-ip", 7), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(ag.last_error, "pa missing or not an IPv4 or IPv6 address"));
	CU_ASSERT_EQUAL(ag.n.bad_records, 3);
	CU_ASSERT_EQUAL(put("/vsw/v1/hosts/A", "{}", 8), 0); /* not the desired state */
	CU_ASSERT_EQUAL(put("/other/vms/5001/203.0.113.1", "{}", 9), 0);
	CU_ASSERT_EQUAL(del("/vsw/v1/subnets/5001"), 1);
	CU_ASSERT_PTR_NULL(agent_subnet_find(&ag, 5001));
	CU_ASSERT_EQUAL(del("/vsw/v1/subnets/5001"), 0);
}

static void
test_state_vm_update_keeps_hold_down(void)
{
	struct agent_vm *vm;

	agent_reset();
	CU_ASSERT_EQUAL(put_vm(5001, "203.0.113.1", "02:00:00:01:00:AA", "192.0.2.65", 10), 2);
	vm = agent_vm_find(&ag, 5001, "203.0.113.1");
	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	CU_ASSERT_STRING_EQUAL(vm->ca_mac, "02:00:00:01:00:aa"); /* stored lower case */
	vm->lost_ms = 1234;
	CU_ASSERT_EQUAL(put_vm(5001, "203.0.113.1", "02:00:00:01:00:aa", "198.51.100.1", 11), 2);
	vm = agent_vm_find(&ag, 5001, "203.0.113.1");
	CU_ASSERT_STRING_EQUAL(vm->pa, "198.51.100.1");
	CU_ASSERT_EQUAL(vm->mod_revision, 11);
	CU_ASSERT_EQUAL(vm->lost_ms, 1234);
	CU_ASSERT_PTR_NULL(agent_vm_find(&ag, 5002, "203.0.113.1")); /* another tenant, same CA */
}

/* An IPv6 provider address in etcd goes to vswd as written (lookup.add's "pa"). */
static void
test_state_ipv6_pa_passes_through(void)
{
	const char *pa = "2001:db8:ffff:ffff:ffff:ffff:ffff:fffe"; /* a long form */
	struct agent_vm *vm;
	json_t *rec;

	agent_reset();
	CU_ASSERT_EQUAL(put_vm(5001, "203.0.113.1", "02:00:00:01:00:01", pa, 10), 2);
	vm = agent_vm_find(&ag, 5001, "203.0.113.1");
	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	CU_ASSERT_STRING_EQUAL(vm->pa, pa);
	rec = agent_record_json(5001, "203.0.113.1", vm);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(rec, "pa")), pa);
	json_decref(rec);
	CU_ASSERT_EQUAL(put_vm(5001, "203.0.113.2", "02:00:00:01:00:02", "2001:db8::1::2", 11),
			-EINVAL);
}

/* Many inserts and deletes in every order: each record is found, each deleted one is not. */
static void
test_state_hash_chains_survive_deletes(void)
{
	enum { N = 12000 };
	char ip[AGENT_IP_TEXT], mac[AGENT_MAC_TEXT], key[128];

	agent_reset();
	for (unsigned int i = 0; i < N; i++) {
		snprintf(ip, sizeof(ip), "10.%u.%u.%u", i >> 16, (i >> 8) & 255, i & 255);
		snprintf(mac, sizeof(mac), "02:00:00:00:%02x:%02x", (i >> 8) & 255, i & 255);
		CU_ASSERT_EQUAL_FATAL(put_vm(4096 + i % 100, ip, mac, "192.0.2.9", i + 1), 2);
	}
	CU_ASSERT_EQUAL(ag.nb_vms, N);
	for (unsigned int i = 0; i < N; i += 3) {
		snprintf(key, sizeof(key), "/vsw/v1/vms/%u/10.%u.%u.%u", 4096 + i % 100, i >> 16,
			 (i >> 8) & 255, i & 255);
		CU_ASSERT_EQUAL(del(key), 2);
	}
	CU_ASSERT_EQUAL(ag.nb_vms, N - N / 3);
	for (unsigned int i = 0; i < N; i++) {
		struct agent_vm *vm;

		snprintf(ip, sizeof(ip), "10.%u.%u.%u", i >> 16, (i >> 8) & 255, i & 255);
		vm = agent_vm_find(&ag, 4096 + i % 100, ip);
		if (i % 3 == 0) {
			CU_ASSERT_PTR_NULL(vm);
		} else {
			CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
			/* found among the live records, not in a slot a delete left behind */
			CU_ASSERT(vm >= ag.vms && vm < ag.vms + ag.nb_vms);
			CU_ASSERT_EQUAL(vm->mod_revision, i + 1);
		}
	}
	/* New records reuse the freed slots; the old ones must still be found. */
	for (unsigned int i = N; i < N + N / 3; i++) {
		snprintf(ip, sizeof(ip), "10.%u.%u.%u", i >> 16, (i >> 8) & 255, i & 255);
		CU_ASSERT_EQUAL_FATAL(put_vm(4096, ip, "02:00:00:00:00:01", "192.0.2.9", i + 1), 2);
	}
	for (unsigned int i = 1; i < N + N / 3; i += (i % 3 == 2) ? 2 : 1) {
		struct agent_vm *vm;

		snprintf(ip, sizeof(ip), "10.%u.%u.%u", i >> 16, (i >> 8) & 255, i & 255);
		vm = agent_vm_find(&ag, i < N ? 4096 + i % 100 : 4096, ip);
		CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
		CU_ASSERT_EQUAL(vm->mod_revision, i + 1);
	}
	agent_state_clear(&ag);
	CU_ASSERT_PTR_NULL(agent_vm_find(&ag, 4097, "10.0.0.1"));
	CU_ASSERT_EQUAL(put_vm(4097, "10.0.0.1", "02:00:00:00:00:01", "192.0.2.9", 1), 2);
	CU_ASSERT_PTR_NOT_NULL(agent_vm_find(&ag, 4097, "10.0.0.1"));
}

/* ------------------------------------------------------------ reconciliation diff */

static json_t *
rec(uint32_t vsid, const char *ca_ip, const char *mac, const char *pa)
{
	return json_pack("{s:I, s:s, s:s, s:s}", "vsid", (json_int_t)vsid, "ca_ip", ca_ip, "ca_mac",
			 mac, "pa", pa);
}

static void
test_diff_touches_only_what_differs(void)
{
	json_t *recs = json_array();
	struct agent_diff d;
	bool added_moved = false, added_missing = false;

	agent_reset();
	put("/vsw/v1/subnets/5001", "{\"name\":\"t1\",\"vsid\":5001}", 2);
	put("/vsw/v1/subnets/6001", "{\"name\":\"t2\",\"vsid\":6001}", 3);
	put_vm(5001, "203.0.113.1", "02:00:00:01:00:01", "192.0.2.65", 4); /* vswd has it right */
	put_vm(5001, "203.0.113.2", "02:00:00:01:00:02", "192.0.2.65", 5); /* vswd: old PA */
	put_vm(6001, "203.0.113.1", "02:00:00:02:00:01", "198.51.100.1", 6); /* vswd lacks it */
	put_vm(7001, "203.0.113.1", "02:00:00:03:00:01", "198.51.100.1", 7); /* VSID undeclared */
	json_array_append_new(recs, rec(5001, "203.0.113.1", "02:00:00:01:00:01", "192.0.2.65"));
	json_array_append_new(recs, rec(5001, "203.0.113.2", "02:00:00:01:00:02", "192.0.2.1"));
	json_array_append_new(recs, rec(5001, "203.0.113.99", "02:00:00:01:00:99", "192.0.2.1"));
	json_array_append_new(recs, rec(7001, "203.0.113.9", "02:00:00:09:00:09", "192.0.2.1"));
	/* vswd prints MACs in any case: not a difference */
	json_array_append_new(recs, rec(6001, "203.0.113.3", "02:00:00:02:00:03", "192.0.2.1"));
	put_vm(6001, "203.0.113.3", "02:00:00:02:00:03", "192.0.2.1", 8);
	json_array_set_new(recs, 4, rec(6001, "203.0.113.3", "02:00:00:02:00:03", "192.0.2.1"));

	CU_ASSERT_EQUAL_FATAL(agent_lookup_diff(&ag, recs, &d), 0);
	CU_ASSERT_EQUAL_FATAL(d.nb_dels, 1);
	CU_ASSERT_EQUAL(d.dels[0].vsid, 5001);
	CU_ASSERT_STRING_EQUAL(d.dels[0].ca_ip, "203.0.113.99");
	CU_ASSERT_EQUAL_FATAL(d.nb_adds, 2);
	for (unsigned int i = 0; i < d.nb_adds; i++) {
		const struct agent_vm *vm = &ag.vms[d.adds[i]];

		added_moved |= vm->vsid == 5001 && strcmp(vm->ca_ip, "203.0.113.2") == 0;
		added_missing |= vm->vsid == 6001 && strcmp(vm->ca_ip, "203.0.113.1") == 0;
	}
	CU_ASSERT(added_moved);
	CU_ASSERT(added_missing);
	agent_diff_free(&d);
	json_decref(recs);
}

static void
test_diff_in_step_is_empty(void)
{
	json_t *recs = json_array();
	struct agent_diff d;

	agent_reset();
	put("/vsw/v1/subnets/5001", "{\"name\":\"t1\",\"vsid\":5001}", 2);
	put_vm(5001, "203.0.113.1", "02:00:00:01:00:0a", "192.0.2.65", 4);
	json_array_append_new(recs, rec(5001, "203.0.113.1", "02:00:00:01:00:0A", "192.0.2.65"));
	CU_ASSERT_EQUAL_FATAL(agent_lookup_diff(&ag, recs, &d), 0);
	CU_ASSERT_EQUAL(d.nb_dels, 0);
	CU_ASSERT_EQUAL(d.nb_adds, 0);
	agent_diff_free(&d);
	json_decref(recs);
}

/* ------------------------------------------------------------ claims */

static void
test_claim_decision(void)
{
	struct agent_vm *vm;
	const char *mac = "02:00:00:01:00:01";

	agent_reset();
	put_vm(5001, "203.0.113.1", mac, "192.0.2.65", 4);
	vm = agent_vm_find(&ag, 5001, "203.0.113.1");
	CU_ASSERT_EQUAL(agent_claim_decide(&ag, vm, 5001, mac, 100000), AGENT_CLAIM_YES);
	CU_ASSERT_EQUAL(agent_claim_decide(&ag, vm, 6001, mac, 100000), AGENT_CLAIM_NO);
	CU_ASSERT_EQUAL(agent_claim_decide(&ag, vm, 5001, "02:00:00:01:00:02", 100000),
			AGENT_CLAIM_NO);
	/* Lost a claim at t = 100 s: held for hold_s (5 s), then claimable again. */
	vm->lost_ms = 100000;
	CU_ASSERT_EQUAL(agent_claim_decide(&ag, vm, 5001, mac, 100001), AGENT_CLAIM_HELD);
	CU_ASSERT_EQUAL(agent_claim_decide(&ag, vm, 5001, mac, 104999), AGENT_CLAIM_HELD);
	CU_ASSERT_EQUAL(agent_claim_decide(&ag, vm, 5001, mac, 105000), AGENT_CLAIM_YES);
	/* Recorded here already: nothing to claim. */
	snprintf(vm->pa, sizeof(vm->pa), "192.0.2.1");
	CU_ASSERT_EQUAL(agent_claim_decide(&ag, vm, 5001, mac, 200000), AGENT_CLAIM_NO);
	ag.hold_s = 0;
	snprintf(vm->pa, sizeof(vm->pa), "192.0.2.65");
	vm->lost_ms = 200000;
	CU_ASSERT_EQUAL(agent_claim_decide(&ag, vm, 5001, mac, 200000), AGENT_CLAIM_YES);
}

static void
test_claim_only_local_ports_and_recent_entries(void)
{
	json_t *e;

	CU_ASSERT(agent_port_is_local("vm1"));
	CU_ASSERT(!agent_port_is_local("pa:192.0.2.65"));
	CU_ASSERT(!agent_port_is_local("#3"));
	CU_ASSERT(!agent_port_is_local(""));
	CU_ASSERT(!agent_port_is_local(NULL));

	e = json_pack("{s:s, s:i}", "type", "dynamic", "age", 2);
	CU_ASSERT(agent_fdb_entry_recent(e, 2));
	json_object_set_new(e, "age", json_integer(3));
	CU_ASSERT(!agent_fdb_entry_recent(e, 2));
	json_object_set_new(e, "age", json_integer(0));
	json_object_set_new(e, "type", json_string("static"));
	CU_ASSERT(!agent_fdb_entry_recent(e, 2));
	json_object_set_new(e, "type", json_string("dynamic"));
	json_object_del(e, "age");
	CU_ASSERT(!agent_fdb_entry_recent(e, 2));
	json_decref(e);
}

int
main(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{ "b64_known_vectors", test_b64_known_vectors },
		{ "b64_round_trip_binary", test_b64_round_trip_binary },
		{ "b64_rejects_bad_input", test_b64_rejects_bad_input },
		{ "watch_line_split_in_pieces", test_watch_line_split_in_pieces },
		{ "watch_two_lines_in_one_piece_and_byte_by_byte",
		  test_watch_two_lines_in_one_piece_and_byte_by_byte },
		{ "watch_control_messages", test_watch_control_messages },
		{ "watch_bad_lines_are_skipped", test_watch_bad_lines_are_skipped },
		{ "watch_last_line_without_newline_after_end",
		  test_watch_last_line_without_newline_after_end },
		{ "state_subnets_and_bad_values", test_state_subnets_and_bad_values },
		{ "state_vm_update_keeps_hold_down", test_state_vm_update_keeps_hold_down },
		{ "state_ipv6_pa_passes_through", test_state_ipv6_pa_passes_through },
		{ "state_hash_chains_survive_deletes", test_state_hash_chains_survive_deletes },
		{ "diff_touches_only_what_differs", test_diff_touches_only_what_differs },
		{ "diff_in_step_is_empty", test_diff_in_step_is_empty },
		{ "claim_decision", test_claim_decision },
		{ "claim_only_local_ports_and_recent_entries",
		  test_claim_only_local_ports_and_recent_entries },
	};
	CU_pSuite suite;
	unsigned int failures;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("agent", NULL, NULL);
	for (size_t i = 0; suite != NULL && i < sizeof(tests) / sizeof(tests[0]); i++)
		CU_add_test(suite, tests[i].name, tests[i].fn);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures();
	CU_cleanup_registry();
	agent_state_free(&ag);
	return failures == 0 ? 0 : 1;
}
