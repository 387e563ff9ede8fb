/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vswcluster: the operator's view of the cluster state in etcd
 * (docs/cluster.md), in the spirit of vswctl.
 *
 *   subnet add NAME vsid=N [rd=RD gateway=IP/LEN] | subnet set VSID rd=RD gateway=IP/LEN
 *   subnet set VSID rd=none | subnet del VSID | subnet list
 *   rd add NAME [mac=MAC] | rd del NAME | rd list           (vswcluster_rd.c)
 *   rd route add RD PREFIX via CA | rd route del RD PREFIX | rd route list [RD]
 *   vm add VSID CA_IP CA_MAC host=H|pa=IP | vm del VSID CA_IP | vm list [VSID]
 *   host list
 *   status            (this host's agent, through its status socket)
 *
 * Exit status: 0 success, 1 refused (the message says why), 2 usage,
 * 3 cannot reach etcd (or the agent).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "vswcluster.h"

const char *prefix = "/vsw/v1";
bool json_out;
struct etcd_client *etcd;

/* Needed by agent_state.c, which this tool shares with the agent. */
void
agent_log(const char *fmt, ...)
{
	(void)fmt;
}

void
agent_err(struct agent *a, const char *fmt, ...)
{
	(void)a;
	(void)fmt;
}

/* The commands and options, on 'f' (stdout for --help, stderr after a mistake). */
static void
print_usage(FILE *f)
{
	fprintf(f,
		"usage: vswcluster [--etcd URL[,URL...]] [--prefix /vsw/v1] [--json] [-s VSWD_SOCK]\n"
		"                  COMMAND\n"
		"  subnet add NAME vsid=N [rd=RD gateway=IP/LEN]\n"
		"                                  declare a virtual subnet (bridge domain NAME on every host)\n"
		"  subnet set VSID rd=RD gateway=IP/LEN | rd=none\n"
		"                                  attach it to a routing domain with its gateway, or detach\n"
		"  subnet del VSID                 remove it (the agents remove its records)\n"
		"  subnet list\n"
		"  vm add VSID CA_IP CA_MAC host=H|pa=IP   record where a VM runs\n"
		"  vm del VSID CA_IP\n"
		"  vm list [VSID]                  records with PA, host and revision\n"
		"  rd add NAME [mac=MAC]           declare a routing domain (router MAC derived from NAME)\n"
		"  rd del NAME                     remove it and its routes (no subnet may be attached)\n"
		"  rd list\n"
		"  rd route add RD PREFIX via CA   a customer route, e.g. 0.0.0.0/0 via a gateway VM\n"
		"  rd route del RD PREFIX\n"
		"  rd route list [RD]\n"
		"  host list                       hosts with liveness (from their leases)\n"
		"  status                          this host's agent: revision applied, lag, errors\n"
		"--etcd defaults to $VSW_ETCD, else http://127.0.0.1:2379; -s to $VSW_SOCKET, else\n"
		"/run/vsw/vswd.sock (the agent's status socket is that path + .agent).\n"
		"--help prints this, --version the version.\n"
		"Exit status: 0 success, 1 refused (the message says why), 2 usage, 3 cannot reach\n"
		"etcd (or the agent).\n");
}

int
usage(void)
{
	print_usage(stderr);
	return EXIT_USAGE;
}

int
etcd_fail(int rc, const char *what)
{
	fprintf(stderr, "vswcluster: %s: %s%s\n", what, etcd_error(etcd),
		rc == -ECONNREFUSED ? "; is etcd running? (set --etcd or VSW_ETCD)" : "");
	return rc == -ECONNREFUSED ? EXIT_CONNECT : EXIT_REFUSED;
}

bool
parse_vsid(const char *s, uint32_t *vsid)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < 4096 || v > 16777214) {
		fprintf(stderr, "vswcluster: VSID '%s': expected a number 4096-16777214\n", s);
		return false;
	}
	*vsid = (uint32_t)v;
	return true;
}

void
print_json(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);

	if (s != NULL)
		puts(s);
	free(s);
}

/* --- listing --- */

struct listing {
	json_t *rows;	 /**< collected rows */
	const char *sub; /**< "subnets/", "vms/", "hosts/", "alive/" */
	uint32_t vsid;	 /**< vm list filter, 0 = all */
};

static int
collect(const struct etcd_kv *kv, void *arg)
{
	struct listing *li = arg;
	json_t *v = json_loads(kv->value, 0, NULL);

	if (!json_is_object(v)) {
		json_decref(v);
		v = json_pack("{s:s}", "bad_value", kv->value);
	}
	if (li->vsid != 0 && json_integer_value(json_object_get(v, "vsid")) != li->vsid) {
		json_decref(v);
		return 0;
	}
	json_object_set_new(v, "key", json_string(kv->key));
	json_object_set_new(v, "revision", json_integer(kv->mod_revision));
	if (kv->lease != 0)
		json_object_set_new(v, "lease", json_integer(kv->lease));
	json_array_append_new(li->rows, v);
	return 0;
}

int
list(const char *sub, uint32_t vsid, json_t **rows)
{
	return list_rev(sub, vsid, rows, NULL);
}

int
list_rev(const char *sub, uint32_t vsid, json_t **rows, int64_t *revision)
{
	struct listing li = { .rows = json_array(), .sub = sub, .vsid = vsid };
	char p[256];
	int rc;

	snprintf(p, sizeof(p), "%s/%s", prefix, sub);
	rc = etcd_range_prefix(etcd, p, collect, &li, revision);
	if (rc < 0) {
		json_decref(li.rows);
		return rc;
	}
	*rows = li.rows;
	return 0;
}

const char *
str(json_t *row, const char *k)
{
	const char *s = json_string_value(json_object_get(row, k));

	return s != NULL ? s : "-";
}

/* --- commands --- */

static int
subnet_cmd(int argc, char **argv)
{
	char key[256];
	uint32_t vsid;
	json_t *rows, *r;
	size_t i;
	int rc;

	if (argc >= 1 && strcmp(argv[0], "add") == 0)
		return subnet_add(argc, argv);
	if (argc >= 1 && strcmp(argv[0], "set") == 0)
		return subnet_set(argc, argv);
	if (argc == 2 && strcmp(argv[0], "del") == 0) {
		int64_t n = 0;

		if (!parse_vsid(argv[1], &vsid))
			return EXIT_USAGE;
		snprintf(key, sizeof(key), "%s/subnets/%u", prefix, vsid);
		rc = etcd_delete(etcd, key, &n);
		if (rc < 0)
			return etcd_fail(rc, "subnet del");
		if (n == 0) {
			fprintf(stderr, "vswcluster: no subnet with VSID %u (see subnet list)\n", vsid);
			return EXIT_REFUSED;
		}
		return 0;
	}
	if (argc == 1 && strcmp(argv[0], "list") == 0) {
		rc = list("subnets/", 0, &rows);
		if (rc < 0)
			return etcd_fail(rc, "subnet list");
		if (json_out) {
			print_json(rows);
		} else {
			printf("%-10s %-32s %-16s %-19s %s\n", "VSID", "NAME", "RD", "GATEWAY",
			       "REVISION");
			json_array_foreach(rows, i, r)
				printf("%-10lld %-32s %-16s %-19s %lld\n",
				       (long long)json_integer_value(json_object_get(r, "vsid")),
				       str(r, "name"), str(r, "rd"), str(r, "gateway"),
				       (long long)json_integer_value(json_object_get(r, "revision")));
		}
		json_decref(rows);
		return 0;
	}
	return usage();
}

/* Write 'vm''s record, only while its subnet is still declared. */
static int
vm_put(const struct agent *a, const struct agent_vm *vm)
{
	char key[256], subnet[256], *v = agent_vm_value(vm);
	struct etcd_cmp declared = { .kind = ETCD_CMP_EXISTS, .key = subnet };
	struct etcd_op put = { .kind = ETCD_OP_PUT, .key = key, .value = v };
	int rc;

	if (v == NULL)
		return etcd_fail(-ENOMEM, "vm add");
	agent_vm_key(a, vm->vsid, vm->ca_ip, key, sizeof(key));
	snprintf(subnet, sizeof(subnet), "%s/subnets/%u", prefix, vm->vsid);
	rc = etcd_txn(etcd, &declared, 1, &put, 1, NULL);
	free(v);
	if (rc == -EAGAIN) {
		fprintf(stderr, "vswcluster: vm add: subnet VSID %u was deleted while this command "
				"ran; nothing was written\n", vm->vsid);
		return EXIT_REFUSED;
	}
	return rc < 0 ? etcd_fail(rc, "vm add") : 0;
}

static int
vm_add(int argc, char **argv)
{
	struct agent_vm vm = { 0 };
	struct agent a = { .prefix = prefix };
	struct etcd_kv kv;
	struct in_addr ia;
	char key[256], why[128], *v;
	const char *host = NULL, *pa = NULL;
	int rc;

	if (argc != 5 || !parse_vsid(argv[1], &vm.vsid))
		return usage();
	if (inet_pton(AF_INET, argv[2], &ia) != 1) {
		fprintf(stderr, "vswcluster: CA_IP '%s' is not an IPv4 address\n", argv[2]);
		return EXIT_USAGE;
	}
	if (strncmp(argv[4], "host=", 5) == 0)
		host = argv[4] + 5;
	else if (strncmp(argv[4], "pa=", 3) == 0)
		pa = argv[4] + 3;
	else
		return usage();
	snprintf(key, sizeof(key), "%s/subnets/%u", prefix, vm.vsid);
	rc = etcd_get(etcd, key, &kv);
	if (rc == -ENOENT) {
		fprintf(stderr, "vswcluster: VSID %u is not a declared subnet; run 'vswcluster subnet "
				"add NAME vsid=%u' first\n", vm.vsid, vm.vsid);
		return EXIT_REFUSED;
	}
	if (rc < 0)
		return etcd_fail(rc, "vm add");
	etcd_kv_free(&kv);
	if (host != NULL) {
		json_t *h;

		snprintf(key, sizeof(key), "%s/hosts/%s", prefix, host);
		rc = etcd_get(etcd, key, &kv);
		if (rc == -ENOENT) {
			fprintf(stderr, "vswcluster: no host '%s' has registered (see host list); "
					"start its vswagent or give pa=IP\n", host);
			return EXIT_REFUSED;
		}
		if (rc < 0)
			return etcd_fail(rc, "vm add");
		h = json_loads(kv.value, 0, NULL);
		pa = json_string_value(json_array_get(json_object_get(h, "pas"), 0));
		snprintf(vm.pa, sizeof(vm.pa), "%s", pa != NULL ? pa : "");
		snprintf(vm.host, sizeof(vm.host), "%s", host);
		json_decref(h);
		etcd_kv_free(&kv);
		if (vm.pa[0] == '\0') {
			fprintf(stderr, "vswcluster: host '%s' has no provider address; give pa=IP\n",
				host);
			return EXIT_REFUSED;
		}
	} else {
		snprintf(vm.pa, sizeof(vm.pa), "%.15s", pa);
	}
	snprintf(vm.ca_ip, sizeof(vm.ca_ip), "%s", argv[2]);
	snprintf(vm.ca_mac, sizeof(vm.ca_mac), "%.17s", argv[3]);
	v = agent_vm_value(&vm);
	/* Validate exactly as the agents will read it. */
	if (v == NULL || agent_vm_parse(v, &vm, why, sizeof(why)) < 0) {
		fprintf(stderr, "vswcluster: vm add: %s\n", why);
		free(v);
		return EXIT_USAGE;
	}
	free(v);
	return vm_put(&a, &vm);
}

static int
vm_cmd(int argc, char **argv)
{
	struct agent a = { .prefix = prefix };
	uint32_t vsid = 0;
	char key[256];
	json_t *rows, *r;
	size_t i;
	int rc;

	if (argc >= 1 && strcmp(argv[0], "add") == 0)
		return vm_add(argc, argv);
	if (argc == 3 && strcmp(argv[0], "del") == 0) {
		int64_t n = 0;

		if (!parse_vsid(argv[1], &vsid))
			return EXIT_USAGE;
		agent_vm_key(&a, vsid, argv[2], key, sizeof(key));
		rc = etcd_delete(etcd, key, &n);
		if (rc < 0)
			return etcd_fail(rc, "vm del");
		if (n == 0) {
			fprintf(stderr, "vswcluster: no VM record %u %s (see vm list)\n", vsid, argv[2]);
			return EXIT_REFUSED;
		}
		return 0;
	}
	if ((argc == 1 || argc == 2) && strcmp(argv[0], "list") == 0) {
		if (argc == 2 && !parse_vsid(argv[1], &vsid))
			return EXIT_USAGE;
		rc = list("vms/", vsid, &rows);
		if (rc < 0)
			return etcd_fail(rc, "vm list");
		if (json_out) {
			print_json(rows);
		} else {
			printf("%-9s %-15s %-17s %-15s %-16s %s\n", "VSID", "CA_IP", "CA_MAC", "PA",
			       "HOST", "REVISION");
			json_array_foreach(rows, i, r)
				printf("%-9lld %-15s %-17s %-15s %-16s %lld\n",
				       (long long)json_integer_value(json_object_get(r, "vsid")),
				       str(r, "ca_ip"), str(r, "ca_mac"), str(r, "pa"), str(r, "host"),
				       (long long)json_integer_value(json_object_get(r, "revision")));
		}
		json_decref(rows);
		return 0;
	}
	return usage();
}

static int
host_cmd(int argc, char **argv)
{
	json_t *hosts, *alive, *h, *al;
	size_t i, k;
	int rc;

	if (argc != 1 || strcmp(argv[0], "list") != 0)
		return usage();
	rc = list("hosts/", 0, &hosts);
	if (rc == 0)
		rc = list("alive/", 0, &alive);
	if (rc < 0)
		return etcd_fail(rc, "host list");
	json_array_foreach(hosts, i, h) {
		const char *name = str(h, "name");
		int64_t ttl = -1;

		json_object_set_new(h, "state", json_string("gone"));
		json_array_foreach(alive, k, al) {
			if (strcmp(str(al, "name"), name) != 0)
				continue;
			if (etcd_lease_ttl(etcd, json_integer_value(json_object_get(al, "lease")),
					   &ttl) < 0)
				ttl = -1;
			json_object_set_new(h, "state", json_string("alive"));
			json_object_set(h, "started", json_object_get(al, "started"));
			json_object_set(h, "pas", json_object_get(al, "pas"));
		}
		json_object_set_new(h, "ttl", json_integer(ttl));
		json_object_del(h, "key");
		json_object_del(h, "revision");
	}
	if (json_out) {
		print_json(hosts);
	} else {
		printf("%-16s %-6s %-32s %-20s %s\n", "NAME", "STATE", "PAS", "STARTED", "TTL");
		json_array_foreach(hosts, i, h) {
			char pas[64] = "", t[32] = "-";
			time_t started = (time_t)json_integer_value(json_object_get(h, "started"));
			json_t *p;
			struct tm tm;

			json_array_foreach(json_object_get(h, "pas"), k, p)
				snprintf(pas + strlen(pas), sizeof(pas) - strlen(pas), "%s%s",
					 k ? "," : "", json_string_value(p));
			if (started > 0 && localtime_r(&started, &tm) != NULL)
				strftime(t, sizeof(t), "%Y-%m-%d %H:%M:%S", &tm);
			printf("%-16s %-6s %-32s %-20s %lld\n", str(h, "name"), str(h, "state"), pas,
			       t, (long long)json_integer_value(json_object_get(h, "ttl")));
		}
	}
	json_decref(hosts);
	json_decref(alive);
	return 0;
}

static int
status_cmd(const char *sock)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char path[sizeof(sa.sun_path)], buf[8192];
	size_t len = 0;
	ssize_t n;
	json_t *st, *c;
	const char *k;
	int fd;

	if (snprintf(path, sizeof(path), "%s.agent", sock) >= (int)sizeof(path)) {
		fprintf(stderr, "vswcluster: socket path %s is too long\n", sock);
		return EXIT_USAGE;
	}
	memcpy(sa.sun_path, path, sizeof(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "vswcluster: cannot connect to vswagent at %s: %s; is vswagent "
				"running? (set -s to vswd's socket)\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return EXIT_CONNECT;
	}
	while (len < sizeof(buf) - 1 && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	st = json_loads(buf, JSON_DISABLE_EOF_CHECK, NULL);
	if (!json_is_object(st)) {
		fprintf(stderr, "vswcluster: vswagent at %s answered something that is not its "
				"status: '%.80s'\n", path, buf);
		json_decref(st);
		return EXIT_REFUSED;
	}
	if (json_out) {
		print_json(st);
	} else {
		json_t *v;

		json_object_foreach(st, k, v) {
			char *s;

			if (strcmp(k, "counters") == 0)
				continue;
			s = json_is_string(v) ? strdup(json_string_value(v)) :
						json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
			printf("%-16s %s\n", k, s != NULL ? s : "");
			free(s);
		}
		printf("counters:\n");
		c = json_object_get(st, "counters");
		json_object_foreach(c, k, v)
			printf("  %-16s %lld\n", k, (long long)json_integer_value(v));
	}
	json_decref(st);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "etcd", required_argument, NULL, 'e' }, { "prefix", required_argument, NULL, 'P' },
		{ "json", no_argument, NULL, 'j' },	  { "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },	  { "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *endpoints = getenv("VSW_ETCD") ? getenv("VSW_ETCD") : "http://127.0.0.1:2379";
	const char *sock = getenv("VSW_SOCKET") ? getenv("VSW_SOCKET") : "/run/vsw/vswd.sock";
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "+s:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'e': endpoints = optarg; break;
		case 'P': prefix = optarg; break;
		case 'j': json_out = true; break;
		case 's': sock = optarg; break;
		case 'h': print_usage(stdout); return 0;
		case 'V': printf("vswcluster %s\n", VSW_VERSION); return 0;
		default: return usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		return usage();
	if (strcmp(argv[0], "status") == 0)
		return argc == 1 ? status_cmd(sock) : usage();
	if (argc < 2)
		return usage();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	etcd = etcd_open(endpoints, 3000);
	if (etcd == NULL) {
		fprintf(stderr, "vswcluster: --etcd %s: expected URL[,URL...]\n", endpoints);
		return EXIT_USAGE;
	}
	if (strcmp(argv[0], "subnet") == 0)
		rc = subnet_cmd(argc - 1, argv + 1);
	else if (strcmp(argv[0], "vm") == 0)
		rc = vm_cmd(argc - 1, argv + 1);
	else if (strcmp(argv[0], "rd") == 0)
		rc = rd_cmd(argc - 1, argv + 1);
	else if (strcmp(argv[0], "host") == 0)
		rc = host_cmd(argc - 1, argv + 1);
	else
		rc = usage();
	etcd_close(etcd);
	curl_global_cleanup();
	return rc;
}
