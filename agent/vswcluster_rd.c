/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vswcluster's routing commands (docs/cluster.md, issue 15): routing domains,
 * a subnet's attachment to one with its gateway, and customer routes, written
 * to etcd in the values the agents parse (agent_rd_state.c), validated with
 * the same parsers before anything is written.
 *
 *   subnet add NAME vsid=N [rd=RD gateway=IP/LEN]
 *   subnet set VSID rd=RD gateway=IP/LEN | subnet set VSID rd=none
 *   rd add NAME [mac=MAC] | rd del NAME | rd list
 *   rd route add RD PREFIX via CA | rd route del RD PREFIX | rd route list [RD]
 *
 * Cross-record rules (the domain exists, subnets of one domain do not
 * overlap, a domain with subnets is not deleted) are checked against what
 * etcd holds, and each write is one kv/txn that commits only if what it was
 * checked against still holds: the domain still exists (attaching a subnet,
 * adding a route), no subnet was created or changed since they were read
 * (attaching, deleting a domain), the subnet's own record is the one read
 * (subnet set).  So two operators at once cannot leave half a domain: a
 * subnet attached to a deleted domain, a route of a deleted domain, or a
 * domain deleted while a subnet was being attached to it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "vswcluster.h"

/* 0 if routing domain 'name' is declared, else EXIT_* (told on stderr). */
static int
rd_read(const char *name, const char *what)
{
	struct etcd_kv kv;
	char key[256];
	int rc;

	snprintf(key, sizeof(key), "%s/rds/%s", prefix, name);
	rc = etcd_get(etcd, key, &kv);
	if (rc == -ENOENT) {
		fprintf(stderr,
			"vswcluster: routing domain '%s' is not declared; run 'vswcluster rd "
			"add %s' first\n",
			name, name);
		return EXIT_REFUSED;
	}
	if (rc < 0)
		return etcd_fail(rc, what);
	etcd_kv_free(&kv);
	return 0;
}

/*
 * Check that subnet 'vsid' may join 'rd' with 'gateway': the domain is
 * declared and no other subnet of it overlaps.  0 with *subnets_rev = the
 * revision the subnets were read at, or EXIT_* (told).
 */
static int
attach_check(uint32_t vsid, const char *rd, const char *gateway, const char *what,
	     int64_t *subnets_rev)
{
	json_t *rows, *r;
	size_t i;
	int rc = rd_read(rd, what);

	if (rc != 0)
		return rc;
	rc = list_rev("subnets/", 0, &rows, subnets_rev);
	if (rc < 0)
		return etcd_fail(rc, what);
	json_array_foreach(rows, i, r) {
		const char *ord = json_string_value(json_object_get(r, "rd"));
		const char *ogw = json_string_value(json_object_get(r, "gateway"));
		json_int_t ovsid = json_integer_value(json_object_get(r, "vsid"));

		if (ovsid == (json_int_t)vsid || ord == NULL || ogw == NULL ||
		    strcmp(ord, rd) != 0 || !agent_prefixes_overlap(ogw, gateway))
			continue;
		fprintf(stderr,
			"vswcluster: %s overlaps subnet %lld (%s, gateway %s) of routing "
			"domain '%s'; subnets of one domain must not overlap\n",
			gateway, (long long)ovsid, str(r, "name"), ogw, rd);
		json_decref(rows);
		return EXIT_REFUSED;
	}
	json_decref(rows);
	return 0;
}

/* Parse "rd=RD" and "gateway=IP/LEN" (either order) into 's'; EXIT_USAGE (told) or 0. */
static int
attach_args(char **argv, int n, struct agent_subnet *s)
{
	const char *rd = NULL, *gw = NULL;
	char why[160];

	for (int i = 0; i < n; i++) {
		if (strncmp(argv[i], "rd=", 3) == 0)
			rd = argv[i] + 3;
		else if (strncmp(argv[i], "gateway=", 8) == 0)
			gw = argv[i] + 8;
		else
			return usage();
	}
	if (rd != NULL && strcmp(rd, "none") == 0 && gw == NULL) {
		s->rd[0] = s->gateway[0] = '\0';
		return 0;
	}
	if (rd == NULL || gw == NULL) {
		fprintf(stderr, "vswcluster: give rd=RD and gateway=IP/LEN together (or rd=none to "
				"detach)\n");
		return EXIT_USAGE;
	}
	if (!agent_rd_name_ok(rd)) {
		fprintf(stderr,
			"vswcluster: routing domain name '%s': 1-31 of A-Z a-z 0-9 _ . -, not "
			"'none'\n",
			rd);
		return EXIT_USAGE;
	}
	if (agent_gateway_parse(gw, s->gateway, why, sizeof(why)) < 0) {
		fprintf(stderr, "vswcluster: %s\n", why);
		return EXIT_USAGE;
	}
	snprintf(s->rd, sizeof(s->rd), "%s", rd);
	return 0;
}

/*
 * Write subnet record 's' at 'key' in one transaction that holds only if the
 * record is still at 'mod_revision' (-1: whatever it is) and, when 's' is
 * attached, its domain still exists and no subnet changed since
 * 'subnets_rev' (the overlap check).  0, or EXIT_* (told).
 */
static int
subnet_write(const char *key, const struct agent_subnet *s, int64_t mod_revision,
	     int64_t subnets_rev, const char *what)
{
	char rd_key[256], subnets[256], *v = agent_subnet_value(s);
	struct etcd_cmp cmps[3];
	struct etcd_op put = { .kind = ETCD_OP_PUT, .key = key, .value = v };
	size_t nb = 0;
	int rc;

	if (v == NULL)
		return etcd_fail(-ENOMEM, what);
	if (mod_revision >= 0)
		cmps[nb++] = (struct etcd_cmp){ .kind = ETCD_CMP_MOD_EQUAL, .key = key,
						.revision = mod_revision };
	if (s->rd[0] != '\0') {
		snprintf(rd_key, sizeof(rd_key), "%s/rds/%s", prefix, s->rd);
		snprintf(subnets, sizeof(subnets), "%s/subnets/", prefix);
		cmps[nb++] = (struct etcd_cmp){ .kind = ETCD_CMP_EXISTS, .key = rd_key };
		cmps[nb++] = (struct etcd_cmp){ .kind = ETCD_CMP_UNCHANGED_SINCE, .key = subnets,
						.prefix = true, .revision = subnets_rev };
	}
	rc = etcd_txn(etcd, cmps, nb, &put, 1, NULL);
	free(v);
	if (rc == -EAGAIN) {
		fprintf(stderr,
			"vswcluster: %s: the subnets%s changed while this command ran; nothing was "
			"written; run it again\n",
			what, s->rd[0] != '\0' ? " or the routing domain" : "");
		return EXIT_REFUSED;
	}
	return rc < 0 ? etcd_fail(rc, what) : 0;
}

int
subnet_add(int argc, char **argv)
{
	struct agent_subnet s = { 0 };
	int64_t subnets_rev = 0;
	char key[256];
	int rc;

	if (argc < 3 || argc > 5 || strncmp(argv[2], "vsid=", 5) != 0)
		return usage();
	if (!parse_vsid(argv[2] + 5, &s.vsid))
		return EXIT_USAGE;
	if (strlen(argv[1]) == 0 || strlen(argv[1]) > 31 || strchr(argv[1], '/')) {
		fprintf(stderr, "vswcluster: subnet name '%s': 1-31 characters, no '/'\n", argv[1]);
		return EXIT_USAGE;
	}
	snprintf(s.name, sizeof(s.name), "%s", argv[1]);
	if (argc > 3 && (rc = attach_args(argv + 3, argc - 3, &s)) != 0)
		return rc;
	if (s.rd[0] != '\0' &&
	    (rc = attach_check(s.vsid, s.rd, s.gateway, "subnet add", &subnets_rev)) != 0)
		return rc;
	snprintf(key, sizeof(key), "%s/subnets/%u", prefix, s.vsid);
	return subnet_write(key, &s, -1, subnets_rev, "subnet add");
}

int
subnet_set(int argc, char **argv)
{
	struct agent_subnet s, want = { 0 };
	struct etcd_kv kv;
	int64_t subnets_rev = 0;
	char key[256], why[160];
	uint32_t vsid;
	int rc;

	if (argc < 3 || argc > 4)
		return usage();
	if (!parse_vsid(argv[1], &vsid))
		return EXIT_USAGE;
	if ((rc = attach_args(argv + 2, argc - 2, &want)) != 0)
		return rc;
	snprintf(key, sizeof(key), "%s/subnets/%u", prefix, vsid);
	rc = etcd_get(etcd, key, &kv);
	if (rc == -ENOENT) {
		fprintf(stderr,
			"vswcluster: no subnet with VSID %u; declare it with 'vswcluster subnet "
			"add NAME vsid=%u' first\n",
			vsid, vsid);
		return EXIT_REFUSED;
	}
	if (rc < 0)
		return etcd_fail(rc, "subnet set");
	if (agent_subnet_parse(kv.value, &s, why, sizeof(why)) < 0) {
		fprintf(stderr,
			"vswcluster: the record of subnet %u is not usable (%s); write it again "
			"with 'vswcluster subnet add'\n",
			vsid, why);
		etcd_kv_free(&kv);
		return EXIT_REFUSED;
	}
	if (want.rd[0] != '\0' &&
	    (rc = attach_check(vsid, want.rd, want.gateway, "subnet set", &subnets_rev)) != 0) {
		etcd_kv_free(&kv);
		return rc;
	}
	memcpy(s.rd, want.rd, sizeof(s.rd));
	memcpy(s.gateway, want.gateway, sizeof(s.gateway));
	rc = subnet_write(key, &s, kv.mod_revision, subnets_rev, "subnet set");
	etcd_kv_free(&kv);
	return rc;
}

static int
rd_add(int argc, char **argv)
{
	struct agent_rd rd = { 0 };
	char key[256], *v;
	int rc;

	if (argc < 2 || argc > 3 || (argc == 3 && strncmp(argv[2], "mac=", 4) != 0))
		return usage();
	if (!agent_rd_name_ok(argv[1])) {
		fprintf(stderr,
			"vswcluster: routing domain name '%s': 1-31 of A-Z a-z 0-9 _ . -, not "
			"'none'\n",
			argv[1]);
		return EXIT_USAGE;
	}
	snprintf(rd.name, sizeof(rd.name), "%s", argv[1]);
	if (argc == 3) {
		char why[128];
		struct agent_rd check;
		json_t *j = json_pack("{s:s, s:s}", "name", rd.name, "mac", argv[2] + 4);

		v = json_dumps(j, JSON_COMPACT);
		json_decref(j);
		/* Validate exactly as the agents will read it. */
		rc = v != NULL ? agent_rd_parse(v, &check, why, sizeof(why)) : -ENOMEM;
		free(v);
		if (rc < 0) {
			fprintf(stderr, "vswcluster: rd add: %s\n", why);
			return EXIT_USAGE;
		}
		memcpy(rd.mac, check.mac, sizeof(rd.mac));
	}
	snprintf(key, sizeof(key), "%s/rds/%s", prefix, rd.name);
	v = agent_rd_value(&rd);
	rc = v != NULL ? etcd_put(etcd, key, v, 0, NULL) : -ENOMEM;
	free(v);
	return rc < 0 ? etcd_fail(rc, "rd add") : 0;
}

/*
 * Whether a subnet is attached to domain 'name' in 'rows' (subnet list):
 * told on stderr with the command that detaches it.
 */
static bool
rd_has_subnet(json_t *rows, const char *name)
{
	json_t *r;
	size_t i;

	json_array_foreach(rows, i, r) {
		const char *rd = json_string_value(json_object_get(r, "rd"));
		json_int_t vsid = json_integer_value(json_object_get(r, "vsid"));

		if (rd == NULL || strcmp(rd, name) != 0)
			continue;
		fprintf(stderr,
			"vswcluster: routing domain '%s' still has subnet %lld (%s) attached; "
			"detach it first: vswcluster subnet set %lld rd=none\n",
			name, (long long)vsid, str(r, "name"), (long long)vsid);
		return true;
	}
	return false;
}

#define RD_DEL_TRIES 3 /* a subnet changed meanwhile: check again, this many times in all */

/*
 * The domain and its routes in one transaction, which holds only if the
 * domain's record is the one read and no subnet was created or changed since
 * the check that none is attached: a subnet attached meanwhile makes it
 * check again (and refuse), a route added meanwhile is deleted with it.
 */
static int
rd_del(const char *name)
{
	char key[256], routes[256], subnets[256];
	struct etcd_kv kv;
	json_t *rows;
	int64_t subnets_rev = 0;
	int rc;

	snprintf(key, sizeof(key), "%s/rds/%s", prefix, name);
	snprintf(routes, sizeof(routes), "%s/rdroutes/%s/", prefix, name);
	snprintf(subnets, sizeof(subnets), "%s/subnets/", prefix);
	for (int attempt = 0; attempt < RD_DEL_TRIES; attempt++) {
		rc = etcd_get(etcd, key, &kv);
		if (rc == -ENOENT) {
			fprintf(stderr, "vswcluster: no routing domain '%s' (see rd list)\n", name);
			return EXIT_REFUSED;
		}
		if (rc < 0)
			return etcd_fail(rc, "rd del");
		if ((rc = list_rev("subnets/", 0, &rows, &subnets_rev)) < 0) {
			etcd_kv_free(&kv);
			return etcd_fail(rc, "rd del");
		}
		if (rd_has_subnet(rows, name)) {
			json_decref(rows);
			etcd_kv_free(&kv);
			return EXIT_REFUSED;
		}
		json_decref(rows);

		const struct etcd_cmp cmps[] = {
			{ .kind = ETCD_CMP_MOD_EQUAL, .key = key, .revision = kv.mod_revision },
			{ .kind = ETCD_CMP_UNCHANGED_SINCE, .key = subnets, .prefix = true,
			  .revision = subnets_rev },
		};
		/* Routes first: a watcher applies the deletions in this order. */
		const struct etcd_op ops[] = {
			{ .kind = ETCD_OP_DELETE, .key = routes, .prefix = true },
			{ .kind = ETCD_OP_DELETE, .key = key },
		};

		rc = etcd_txn(etcd, cmps, 2, ops, 2, NULL);
		etcd_kv_free(&kv);
		if (rc != -EAGAIN)
			return rc < 0 ? etcd_fail(rc, "rd del") : 0;
	}
	fprintf(stderr,
		"vswcluster: routing domain '%s' or the subnets kept changing while this command "
		"ran (%d tries); nothing was deleted; run it again\n",
		name, RD_DEL_TRIES);
	return EXIT_REFUSED;
}

static int
rd_list(void)
{
	json_t *rds, *subnets, *routes, *r, *s;
	size_t i, k;
	int rc;

	if ((rc = list("rds/", 0, &rds)) < 0 || (rc = list("subnets/", 0, &subnets)) < 0)
		return etcd_fail(rc, "rd list");
	if ((rc = list("rdroutes/", 0, &routes)) < 0)
		return etcd_fail(rc, "rd list");
	json_array_foreach(rds, i, r) {
		const char *name = str(r, "name");
		json_t *names = json_array();
		json_int_t nb = 0;

		json_array_foreach(subnets, k, s)
			if (strcmp(str(s, "rd"), name) == 0)
				json_array_append_new(names, json_integer(json_integer_value(
								     json_object_get(s, "vsid"))));
		json_array_foreach(routes, k, s)
			nb += strcmp(str(s, "rd"), name) == 0;
		json_object_set_new(r, "subnets", names);
		json_object_set_new(r, "routes", json_integer(nb));
	}
	if (json_out) {
		print_json(rds);
	} else {
		printf("%-16s %-17s %-32s %-6s %s\n", "NAME", "MAC", "SUBNETS", "ROUTES",
		       "REVISION");
		json_array_foreach(rds, i, r) {
			char vsids[128] = "";

			json_array_foreach(json_object_get(r, "subnets"), k, s)
				snprintf(vsids + strlen(vsids), sizeof(vsids) - strlen(vsids),
					 "%s%lld", k ? "," : "", (long long)json_integer_value(s));
			printf("%-16s %-17s %-32s %-6lld %lld\n", str(r, "name"),
			       json_object_get(r, "mac") ? str(r, "mac") : "(from name)",
			       vsids[0] ? vsids : "-",
			       (long long)json_integer_value(json_object_get(r, "routes")),
			       (long long)json_integer_value(json_object_get(r, "revision")));
		}
	}
	json_decref(rds);
	json_decref(subnets);
	json_decref(routes);
	return 0;
}

/* Whether 'ca' lies in a subnet attached to 'rd' (a route via it is only usable then). */
static bool
via_in_domain(const char *rd, const char *ca)
{
	json_t *rows, *r;
	size_t i;
	bool in = false;
	char host[AGENT_PREFIX_TEXT];

	if (list("subnets/", 0, &rows) < 0)
		return true; /* cannot tell: do not warn */
	snprintf(host, sizeof(host), "%s/32", ca);
	json_array_foreach(rows, i, r)
		if (strcmp(str(r, "rd"), rd) == 0 &&
		    agent_prefixes_overlap(str(r, "gateway"), host))
			in = true;
	json_decref(rows);
	return in;
}

/* Put 'value' at 'key' only while domain 'rd' exists: never a route of a deleted domain. */
static int
put_in_domain(const char *rd, const char *key, const char *value)
{
	char rd_key[256];
	struct etcd_cmp exists = { .kind = ETCD_CMP_EXISTS, .key = rd_key };
	struct etcd_op put = { .kind = ETCD_OP_PUT, .key = key, .value = value };

	snprintf(rd_key, sizeof(rd_key), "%s/rds/%s", prefix, rd);
	return etcd_txn(etcd, &exists, 1, &put, 1, NULL);
}

static int
route_cmd(int argc, char **argv)
{
	struct agent_rd_route rt = { 0 };
	char key[300], why[160], *v;
	json_t *rows, *r;
	size_t i;
	int rc;

	if (argc >= 3 && (strcmp(argv[0], "add") == 0 || strcmp(argv[0], "del") == 0)) {
		bool add = strcmp(argv[0], "add") == 0;

		if (add ? argc != 5 || strcmp(argv[3], "via") != 0 : argc != 3)
			return usage();
		if (!agent_rd_name_ok(argv[1])) {
			fprintf(stderr,
				"vswcluster: routing domain name '%s': 1-31 of A-Z a-z 0-9 _ . -, "
				"not 'none'\n",
				argv[1]);
			return EXIT_USAGE;
		}
		if (agent_route_prefix_parse(argv[2], rt.prefix, why, sizeof(why)) < 0) {
			fprintf(stderr, "vswcluster: %s\n", why);
			return EXIT_USAGE;
		}
		snprintf(rt.rd, sizeof(rt.rd), "%s", argv[1]);
		snprintf(key, sizeof(key), "%s/rdroutes/%s/%s", prefix, rt.rd, rt.prefix);
		if (!add) {
			int64_t n = 0;

			if ((rc = etcd_delete(etcd, key, &n)) < 0)
				return etcd_fail(rc, "rd route del");
			if (n == 0) {
				fprintf(stderr,
					"vswcluster: no route %s in routing domain '%s' (see rd "
					"route list)\n",
					rt.prefix, rt.rd);
				return EXIT_REFUSED;
			}
			return 0;
		}
		snprintf(rt.via, sizeof(rt.via), "%.15s", argv[4]);
		v = agent_route_value(&rt);
		/* Validate exactly as the agents will read it. */
		if (v == NULL || agent_route_parse(v, &rt, why, sizeof(why)) < 0 ||
		    strcmp(rt.via, argv[4]) != 0) {
			fprintf(stderr, "vswcluster: rd route add: %s\n",
				v != NULL && why[0] ? why : "via is not an IPv4 address");
			free(v);
			return EXIT_USAGE;
		}
		if ((rc = rd_read(rt.rd, "rd route add")) != 0) {
			free(v);
			return rc;
		}
		rc = put_in_domain(rt.rd, key, v);
		free(v);
		if (rc == -EAGAIN) {
			fprintf(stderr,
				"vswcluster: routing domain '%s' was deleted while this command ran; "
				"the route was not written\n",
				rt.rd);
			return EXIT_REFUSED;
		}
		if (rc < 0)
			return etcd_fail(rc, "rd route add");
		if (!via_in_domain(rt.rd, rt.via))
			fprintf(stderr,
				"vswcluster: note: %s lies in no subnet of routing domain '%s' "
				"yet; the route drops traffic (drop_rd_no_route) until one is "
				"attached\n",
				rt.via, rt.rd);
		return 0;
	}
	if ((argc == 1 || argc == 2) && strcmp(argv[0], "list") == 0) {
		if (argc == 2)
			snprintf(key, sizeof(key), "rdroutes/%s/", argv[1]);
		else
			snprintf(key, sizeof(key), "rdroutes/");
		if ((rc = list(key, 0, &rows)) < 0)
			return etcd_fail(rc, "rd route list");
		if (json_out) {
			print_json(rows);
		} else {
			printf("%-16s %-19s %-15s %s\n", "RD", "PREFIX", "VIA", "REVISION");
			json_array_foreach(rows, i, r)
				printf("%-16s %-19s %-15s %lld\n", str(r, "rd"), str(r, "prefix"),
				       str(r, "via"),
				       (long long)json_integer_value(
					       json_object_get(r, "revision")));
		}
		json_decref(rows);
		return 0;
	}
	return usage();
}

int
rd_cmd(int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "add") == 0)
		return rd_add(argc, argv);
	if (argc == 2 && strcmp(argv[0], "del") == 0)
		return rd_del(argv[1]);
	if (argc == 1 && strcmp(argv[0], "list") == 0)
		return rd_list();
	if (argc >= 2 && strcmp(argv[0], "route") == 0)
		return route_cmd(argc - 1, argv + 1);
	return usage();
}
