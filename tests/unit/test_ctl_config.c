/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The saved configuration: created when missing, round trip, atomic
 * replacement, refusal of broken files (with where they are broken), and
 * keeping what a newer version wrote.  No DPDK.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <jansson.h>

#include "ctl_config.h"

static char tmpdir[64];
static char cfg_path[128];

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
}

static char *
read_file(const char *path)
{
	static char buf[8192];
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* @return the number of entries in 'dir' other than . and .. */
static int
count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void
add_named(struct ctl_config *cfg, const char *section, const char *name)
{
	json_t *entry = json_pack("{s:s}", "name", name);

	CU_ASSERT_EQUAL(ctl_config_add(cfg, section, entry), 0);
	json_decref(entry);
}

static int
test_setup(void)
{
	unlink(cfg_path);
	return 0;
}

static void
test_ctl_config_missing_file_is_created_empty(void)
{
	struct ctl_config cfg;
	char err[256] = "";
	char nested[160];

	CU_ASSERT_EQUAL_FATAL(ctl_config_load(&cfg, cfg_path, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(json_array_size(ctl_config_section(&cfg, "bds")), 0);
	CU_ASSERT_EQUAL(json_array_size(ctl_config_section(&cfg, "ports")), 0);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(cfg.root, "version")), 1);
	CU_ASSERT_EQUAL(access(cfg_path, R_OK), 0);
	ctl_config_free(&cfg);

	/* Its directory is created too. */
	snprintf(nested, sizeof(nested), "%s/a/b/config.json", tmpdir);
	CU_ASSERT_EQUAL_FATAL(ctl_config_load(&cfg, nested, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(access(nested, R_OK), 0);
	ctl_config_free(&cfg);
	unlink(nested);
	snprintf(nested, sizeof(nested), "%s/a/b", tmpdir);
	rmdir(nested);
	snprintf(nested, sizeof(nested), "%s/a", tmpdir);
	rmdir(nested);
}

static void
test_ctl_config_round_trip_and_atomic_write(void)
{
	struct ctl_config cfg, again;
	char err[256] = "";
	json_t *port, *found;

	test_setup();
	CU_ASSERT_EQUAL_FATAL(ctl_config_load(&cfg, cfg_path, err, sizeof(err)), 0);
	add_named(&cfg, "bds", "blue");
	port = json_pack("{s:s, s:s, s:s, s:s, s:i, s:b}", "name", "vm1", "type", "kernel", "bd",
			 "blue", "iface", "tap0", "queues", 2, "promisc", 1);
	CU_ASSERT_EQUAL(ctl_config_add(&cfg, "ports", port), 0);
	json_decref(port);
	CU_ASSERT_EQUAL(ctl_config_save(&cfg, err, sizeof(err)), 0);
	/* Only the file itself is left: no temporary next to it. */
	CU_ASSERT_EQUAL(count_entries(tmpdir), 1);

	CU_ASSERT_EQUAL_FATAL(ctl_config_load(&again, cfg_path, err, sizeof(err)), 0);
	CU_ASSERT_TRUE(json_equal(cfg.root, again.root));
	found = ctl_config_find(&again, "ports", "vm1");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(found, "queues")), 2);
	CU_ASSERT_TRUE(json_is_true(json_object_get(found, "promisc")));
	CU_ASSERT_PTR_NULL(ctl_config_find(&again, "ports", "vm2"));

	CU_ASSERT_EQUAL(ctl_config_remove(&again, "ports", "vm1"), 0);
	CU_ASSERT_EQUAL(ctl_config_remove(&again, "ports", "vm1"), -ENOENT);
	CU_ASSERT_EQUAL(ctl_config_save(&again, err, sizeof(err)), 0);
	ctl_config_free(&again);
	CU_ASSERT_EQUAL_FATAL(ctl_config_load(&again, cfg_path, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(json_array_size(ctl_config_section(&again, "ports")), 0);
	CU_ASSERT_EQUAL(json_array_size(ctl_config_section(&again, "bds")), 1);
	ctl_config_free(&again);
	ctl_config_free(&cfg);
	CU_ASSERT_EQUAL(count_entries(tmpdir), 1);
}

/* Load 'text' and expect a refusal whose reason contains 'where'; the file must survive. */
static void
expect_refused(const char *text, const char *where)
{
	struct ctl_config cfg;
	char err[256] = "";
	char *after;

	write_file(cfg_path, text);
	CU_ASSERT_EQUAL(ctl_config_load(&cfg, cfg_path, err, sizeof(err)), -EINVAL);
	if (strstr(err, where) == NULL) {
		fprintf(stderr, "\n  expected '%s' in '%s'\n", where, err);
		CU_FAIL("refusal reason");
	}
	after = read_file(cfg_path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(after);
	CU_ASSERT_STRING_EQUAL(after, text);
	CU_ASSERT_PTR_NULL(cfg.root);
}

static void
test_ctl_config_corrupt_file_refused_with_position(void)
{
	expect_refused("{\"version\": 1,\n  \"bds\": [,]\n}\n", "at line 2:");
	expect_refused("", "at line");
	expect_refused("[1, 2]", "expected an object at the top, got array");
	expect_refused("{\"bds\": []}", "version: expected an integer, got nothing");
	expect_refused("{\"version\": 2}", "version: 2 is not supported");
	expect_refused("{\"version\": 1, \"bds\": {}}", "bds: expected an array, got object");
	expect_refused("{\"version\": 1, \"bds\": [{\"name\": 3}]}",
		       "bds[0].name: expected a string, got integer");
	expect_refused("{\"version\": 1, \"ports\": [{\"name\": \"a\"}]}",
		       "ports[0].type: required string is missing");
	expect_refused(
		"{\"version\": 1, \"ports\": [{\"name\": \"a\", \"type\": \"tap\", \"x\": [1]}]}",
		"ports[0].x: expected a string, integer or boolean, got array");
	expect_refused("{\"version\": 1, \"bds\": [{\"name\": \"a\"}, {\"name\": \"a\"}]}",
		       "bds[1].name: 'a' is already used by bds[0]");
	expect_refused("{\"version\": 1, \"version\": 1}", "duplicate");
	expect_refused("{\"version\": 1, \"bds\": [{\"name\": \"a\", \"aging\": {}}]}",
		       "bds[0].aging: expected a string, integer or boolean, got object");
	expect_refused("{\"version\": 1, \"fdb_static\": {}}",
		       "fdb_static: expected an array, got object");
	expect_refused("{\"version\": 1, \"fdb_static\": [{\"bd\": \"a\", \"mac\": "
		       "\"02:00:00:00:00:01\"}]}",
		       "fdb_static[0].port: expected a string, got nothing");
	expect_refused("{\"version\": 1, \"fdb_static\": [{\"bd\": \"a\", \"mac\": \"02:00\", "
		       "\"port\": \"p\"}]}",
		       "fdb_static[0].mac: '02:00' is not a MAC address");
	expect_refused("{\"version\": 1, \"fdb_static\": ["
		       "{\"bd\": \"a\", \"mac\": \"02:00:00:00:00:0A\", \"port\": \"p\"},"
		       "{\"bd\": \"a\", \"mac\": \"02-00-00-00-00-0a\", \"port\": \"q\"}]}",
		       "fdb_static[1].mac: '02-00-00-00-00-0a' is already used by fdb_static[0]");
	unlink(cfg_path);
}

static void
test_ctl_config_static_entries(void)
{
	struct ctl_config cfg;
	char err[256] = "";
	json_t *entry;

	/* A file from before settings and static entries loads, and gains the section. */
	write_file(cfg_path, "{\"version\": 1, \"bds\": [{\"name\": \"blue\"}], \"ports\": []}");
	CU_ASSERT_EQUAL_FATAL(ctl_config_load(&cfg, cfg_path, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(json_array_size(ctl_config_section(&cfg, "fdb_static")), 0);
	CU_ASSERT_PTR_NOT_NULL(ctl_config_section(&cfg, "fdb_static"));

	entry = json_pack("{s:s, s:s, s:s}", "bd", "blue", "mac", "02:00:00:00:00:0a", "port",
			  "p1");
	CU_ASSERT_EQUAL(ctl_config_add(&cfg, "fdb_static", entry), 0);
	json_decref(entry);
	entry = json_pack("{s:s, s:s, s:s}", "bd", "blue", "mac", "02:00:00:00:00:0b", "port",
			  "p2");
	CU_ASSERT_EQUAL(ctl_config_add(&cfg, "fdb_static", entry), 0);
	json_decref(entry);
	entry = json_pack("{s:s, s:s, s:s}", "bd", "red", "mac", "02:00:00:00:00:0b", "port", "p3");
	CU_ASSERT_EQUAL(ctl_config_add(&cfg, "fdb_static", entry), 0);
	json_decref(entry);

	/* Found by bridge domain and MAC, whatever the MAC's spelling. */
	entry = ctl_config_find_static(&cfg, "blue", "02-00-00-00-00-0A");
	CU_ASSERT_PTR_NOT_NULL_FATAL(entry);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(entry, "port")), "p1");
	CU_ASSERT_PTR_NULL(ctl_config_find_static(&cfg, "red", "02:00:00:00:00:0a"));

	CU_ASSERT_EQUAL(ctl_config_remove_static(&cfg, "bd", "blue", "02:00:00:00:00:0B"), 1);
	CU_ASSERT_EQUAL(ctl_config_remove_static(&cfg, "bd", "blue", "02:00:00:00:00:0B"), 0);
	CU_ASSERT_EQUAL(ctl_config_remove_static(&cfg, "port", "p3", NULL), 1);
	CU_ASSERT_EQUAL(json_array_size(ctl_config_section(&cfg, "fdb_static")), 1);
	CU_ASSERT_EQUAL(ctl_config_save(&cfg, err, sizeof(err)), 0);
	ctl_config_free(&cfg);
	CU_ASSERT_EQUAL_FATAL(ctl_config_load(&cfg, cfg_path, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(json_array_size(ctl_config_section(&cfg, "fdb_static")), 1);
	ctl_config_free(&cfg);
	unlink(cfg_path);
}

static void
test_ctl_config_unknown_top_level_keys_kept(void)
{
	struct ctl_config cfg;
	char err[256] = "";
	json_t *saved;

	write_file(cfg_path, "{\"version\": 1, \"tunnels\": [{\"vni\": 5000}], \"bds\": [],"
			     " \"note\": \"from a newer vswd\"}");
	CU_ASSERT_EQUAL_FATAL(ctl_config_load(&cfg, cfg_path, err, sizeof(err)), 0);
	add_named(&cfg, "bds", "red");
	CU_ASSERT_EQUAL(ctl_config_save(&cfg, err, sizeof(err)), 0);
	ctl_config_free(&cfg);

	saved = json_load_file(cfg_path, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(saved);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(
				json_array_get(json_object_get(saved, "tunnels"), 0), "vni")),
			5000);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(saved, "note")),
			       "from a newer vswd");
	CU_ASSERT_EQUAL(json_array_size(json_object_get(saved, "bds")), 1);
	CU_ASSERT_PTR_NOT_NULL(json_object_get(saved, "ports"));
	json_decref(saved);
	unlink(cfg_path);
}

static void
put(struct ctl_config *cfg, const char *section, const char *json)
{
	json_t *entry = json_loads(json, 0, NULL);

	CU_ASSERT_PTR_NOT_NULL_FATAL(entry);
	CU_ASSERT_EQUAL(ctl_config_put_entry(cfg, section, entry), 0);
	json_decref(entry);
}

static json_t *
probe(const char *json)
{
	static json_t *last;

	json_decref(last);
	last = json_loads(json, 0, NULL);
	return last;
}

static void
test_ctl_config_overlay_sections(void)
{
	struct ctl_config cfg;
	char err[256] = "";
	json_t *e;

	/* An old file gains no overlay members: it is written back as it was. */
	write_file(cfg_path, "{\"version\": 1, \"bds\": [], \"ports\": []}");
	CU_ASSERT_EQUAL_FATAL(ctl_config_load(&cfg, cfg_path, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NULL(ctl_config_section(&cfg, "pas"));
	CU_ASSERT_PTR_NULL(ctl_config_section(&cfg, "uplink"));
	CU_ASSERT_PTR_NULL(ctl_config_find_entry(&cfg, "pas", probe("{\"address\":\"1.2.3.4\"}")));

	/* A PA is the same PA whatever its prefix length. */
	put(&cfg, "pas", "{\"address\":\"198.51.100.1/24\"}");
	put(&cfg, "pas", "{\"address\":\"198.51.100.2/24\"}");
	put(&cfg, "pas", "{\"address\":\"198.51.100.1/25\"}");
	CU_ASSERT_EQUAL(json_array_size(ctl_config_section(&cfg, "pas")), 2);
	e = ctl_config_find_entry(&cfg, "pas", probe("{\"address\":\"198.51.100.1\"}"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(e, "address")), "198.51.100.1/25");
	/* Routes by prefix, neighbours by IP, records by VSID and customer IP. */
	put(&cfg, "routes", "{\"prefix\":\"0.0.0.0/0\",\"via\":\"198.51.100.254\"}");
	put(&cfg, "routes", "{\"prefix\":\"0.0.0.0/0\",\"via\":\"198.51.100.253\"}");
	CU_ASSERT_EQUAL(json_array_size(ctl_config_section(&cfg, "routes")), 1);
	put(&cfg, "neighbours", "{\"ip\":\"198.51.100.254\",\"mac\":\"02:00:00:00:00:fe\"}");
	put(&cfg, "lookups",
	    "{\"vsid\":5001,\"ca_ip\":\"203.0.113.1\",\"ca_mac\":\"02:00:00:01:00:01\","
	    "\"pa\":\"198.51.100.1\"}");
	put(&cfg, "lookups",
	    "{\"vsid\":6001,\"ca_ip\":\"203.0.113.1\",\"ca_mac\":\"02:00:00:02:00:01\","
	    "\"pa\":\"198.51.100.1\"}");
	put(&cfg, "lookups",
	    "{\"vsid\":5001,\"ca_ip\":\"203.0.113.1\",\"ca_mac\":\"02:00:00:01:00:01\","
	    "\"pa\":\"192.0.2.1\"}");
	CU_ASSERT_EQUAL(json_array_size(ctl_config_section(&cfg, "lookups")), 2);
	e = ctl_config_find_entry(&cfg, "lookups",
				  probe("{\"vsid\":5001,\"ca_ip\":\"203.0.113.1\"}"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(e, "pa")), "192.0.2.1");
	CU_ASSERT_EQUAL(ctl_config_remove_entry(&cfg, "lookups",
						probe("{\"vsid\":6001,\"ca_ip\":\"203.0.113.1\"}")),
			0);
	CU_ASSERT_EQUAL(ctl_config_remove_entry(&cfg, "lookups",
						probe("{\"vsid\":6001,\"ca_ip\":\"203.0.113.1\"}")),
			-ENOENT);
	json_object_set_new(cfg.root, "uplink",
			    json_pack("{s:s, s:i}", "port", "up0", "mtu", 9000));
	CU_ASSERT_EQUAL(ctl_config_save(&cfg, err, sizeof(err)), 0);
	ctl_config_free(&cfg);

	/* What was saved loads again. */
	CU_ASSERT_EQUAL_FATAL(ctl_config_load(&cfg, cfg_path, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(json_array_size(ctl_config_section(&cfg, "lookups")), 1);
	CU_ASSERT_EQUAL(
		json_integer_value(json_object_get(ctl_config_section(&cfg, "uplink"), "mtu")),
		9000);
	ctl_config_free(&cfg);
	probe("null");

	/* Broken overlay members are refused with where they are broken. */
	expect_refused("{\"version\": 1, \"pas\": [{\"address\": \"198.51.100.1\"}]}",
		       "pas[0].address: '198.51.100.1' is not an IPv4 or IPv6 address/prefix length");
	expect_refused("{\"version\": 1, \"pas\": [{\"port\": \"up0\"}]}",
		       "pas[0].address: required string is missing");
	expect_refused(
		"{\"version\": 1, \"routes\": [{\"prefix\": \"0.0.0.0/0\", \"via\": \"x\"}]}",
		"routes[0].via: 'x' is not an IPv4 or IPv6 address");
	expect_refused(
		"{\"version\": 1, \"neighbours\": [{\"ip\": \"1.2.3.4\", \"mac\": \"02:00\"}]}",
		"neighbours[0].mac: '02:00' is not a MAC address");
	expect_refused("{\"version\": 1, \"lookups\": [{\"vsid\": \"5001\", \"ca_ip\": \"1.2.3.4\","
		       " \"ca_mac\": \"02:00:00:00:00:01\", \"pa\": \"1.2.3.5\"}]}",
		       "lookups[0].vsid: expected an integer");
	expect_refused(
		"{\"version\": 1, \"lookups\": ["
		"{\"vsid\": 5001, \"ca_ip\": \"1.2.3.4\", \"ca_mac\": \"02:00:00:00:00:01\", \"pa\": \"1.2.3.5\"},"
		"{\"vsid\": 5001, \"ca_ip\": \"1.2.3.4\", \"ca_mac\": \"02:00:00:00:00:02\", \"pa\": \"1.2.3.6\"}]}",
		"lookups[1]: '5001 1.2.3.4' is already configured by lookups[0]");
	expect_refused(
		"{\"version\": 1, \"pas\": [{\"address\": \"1.2.3.4/24\"}, {\"address\": \"1.2.3.4/16\"}]}",
		"pas[1]: '1.2.3.4' is already configured by pas[0]");
	expect_refused("{\"version\": 1, \"uplink\": \"up0\"}",
		       "uplink: expected an object, got string");
	expect_refused("{\"version\": 1, \"uplink\": {\"mtu\": 1500}}",
		       "uplink.port: expected a string");
	expect_refused("{\"version\": 1, \"uplink\": {\"port\": \"up0\", \"mtu\": 70000}}",
		       "uplink.mtu: expected an integer from 0 to 65535");
	unlink(cfg_path);
}

static void
test_ctl_config_save_failure_reported(void)
{
	struct ctl_config cfg;
	char err[256] = "";
	char gone[160];

	CU_ASSERT_EQUAL_FATAL(ctl_config_load(&cfg, cfg_path, err, sizeof(err)), 0);
	/* Point it at a directory that does not exist: the save must fail, loudly. */
	snprintf(gone, sizeof(gone), "%s/missing/config.json", tmpdir);
	free(cfg.path);
	cfg.path = strdup(gone);
	CU_ASSERT_EQUAL(ctl_config_save(&cfg, err, sizeof(err)), -ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "temporary file next to"));
	ctl_config_free(&cfg);
	unlink(cfg_path);
}

int
main(void)
{
	CU_pSuite suite;
	unsigned int nb_failures;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_ctl_config.XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(cfg_path, sizeof(cfg_path), "%s/config.json", tmpdir);
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("ctl_config", NULL, NULL);
	CU_add_test(suite, "missing file is created empty",
		    test_ctl_config_missing_file_is_created_empty);
	CU_add_test(suite, "round trip and atomic write",
		    test_ctl_config_round_trip_and_atomic_write);
	CU_add_test(suite, "corrupt file refused with position",
		    test_ctl_config_corrupt_file_refused_with_position);
	CU_add_test(suite, "static entries", test_ctl_config_static_entries);
	CU_add_test(suite, "unknown top-level keys kept",
		    test_ctl_config_unknown_top_level_keys_kept);
	CU_add_test(suite, "save failure reported", test_ctl_config_save_failure_reported);
	CU_add_test(suite, "overlay sections", test_ctl_config_overlay_sections);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	nb_failures = CU_get_number_of_failures();
	CU_cleanup_registry();
	unlink(cfg_path);
	rmdir(tmpdir);
	return nb_failures == 0 ? 0 : 1;
}
