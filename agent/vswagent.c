/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vswagent: keeps one host's vswd in step with the cluster state in etcd,
 * and claims the VMs that arrive on this host (docs/cluster.md).
 *
 * One thread.  The main loop waits in curl_multi_poll() on the etcd watch
 * stream, vswd's event connection and the status socket together, with a
 * short timeout for the timers (lease keep-alive, periodic resync, watch
 * silence, reconnects).  Unary etcd and vswd calls block, each bounded.
 */
#include "agent.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

static volatile sig_atomic_t stop_requested;
static const char *log_host = "?";

static void __attribute__((format(printf, 1, 0)))
vlog(const char *fmt, va_list ap)
{
	struct timespec ts;
	struct tm tm;
	char t[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(t, sizeof(t), "%H:%M:%S", &tm);
	fprintf(stderr, "%s.%03ld vswagent[%s]: ", t, ts.tv_nsec / 1000000, log_host);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
agent_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void
agent_err(struct agent *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->last_error, sizeof(a->last_error), fmt, ap);
	va_end(ap);
	a->last_error_ms = etcd_now_ms();
	a->n.errors++;
	agent_log("error: %s", a->last_error);
}

static void
on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* --- options --- */

struct options {
	const char *etcd;	   /**< endpoints */
	const char *host;	   /**< host name */
	const char *socket;	   /**< vswd's control socket */
	const char *status;	   /**< our status socket */
	const char *prefix;	   /**< key prefix */
	int ttl;		   /**< host lease TTL, seconds */
	int resync;		   /**< full re-read + reconcile period, seconds */
	int watch_timeout;	   /**< a watch silent this long is restarted, seconds */
};

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: vswagent [--host NAME] [--etcd URL[,URL...]] [--socket VSWD_SOCK] [--pa IP[,IP]]\n"
		"                [--prefix /vsw/v1] [--ttl SECONDS] [--hold SECONDS] [--resync SECONDS]\n"
		"                [--watch-timeout SECONDS] [--status PATH]\n"
		"Keeps this host's vswd in step with the cluster state in etcd (docs/cluster.md).\n"
		"  --etcd        etcd client URLs (default $VSW_ETCD, else http://127.0.0.1:2379)\n"
		"  --host        this host's name in the cluster (default: the hostname)\n"
		"  --socket      vswd's control socket (default $VSW_SOCKET, else /run/vsw/vswd.sock)\n"
		"  --pa          this host's provider addresses; the first is what claims write\n"
		"                (default: vswd's pa.list)\n"
		"  --prefix      the cluster's key prefix in etcd (default /vsw/v1)\n"
		"  --ttl         host lease TTL (default 10; the host is shown gone that long after\n"
		"                the agent stops)\n"
		"  --hold        after losing a claim on a VM, do not claim it again for this long\n"
		"                (default 5)\n"
		"  --resync      re-read the cluster and reconcile this often (default 30)\n"
		"  --watch-timeout  restart a watch that was silent this long (default 30; run etcd\n"
		"                with --experimental-watch-progress-notify-interval well below it)\n"
		"  --status      status socket (default VSWD_SOCK.agent; vswcluster status reads it)\n"
		"  --help        print this, --version the version\n"
		"Exit status: 0 stopped by SIGTERM or SIGINT, 1 cannot start, 2 usage.\n");
}

/* A whole decimal number within [min, INT_MAX]; false (told on stderr) otherwise. */
static bool
parse_seconds(const char *opt, const char *text, int min, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || v < min || v > INT_MAX) {
		fprintf(stderr, "vswagent: --%s %s: expected a whole number of seconds, at least %d\n",
			opt, text, min);
		return false;
	}
	*out = (int)v;
	return true;
}

/* Parse --pa IP[,IP...] into the agent's PAs (a later --pa replaces); false (told) on a bad one. */
static bool
parse_pas(struct agent *a, const char *list)
{
	char buf[256], *tok, *save = NULL;

	a->nb_pas = 0;
	if (snprintf(buf, sizeof(buf), "%s", list) >= (int)sizeof(buf)) {
		fprintf(stderr, "vswagent: --pa %s: too long\n", list);
		return false;
	}
	for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		struct in6_addr ia;

		if (inet_pton(AF_INET, tok, &ia) != 1 && inet_pton(AF_INET6, tok, &ia) != 1) {
			fprintf(stderr, "vswagent: --pa %s: '%s' is not an IPv4 or IPv6 address\n",
				list, tok);
			return false;
		}
		if (a->nb_pas == AGENT_MAX_PAS) {
			fprintf(stderr, "vswagent: --pa %s: at most %d addresses\n", list,
				AGENT_MAX_PAS);
			return false;
		}
		snprintf(a->pas[a->nb_pas++], AGENT_PA_TEXT, "%s", tok);
	}
	if (a->nb_pas == 0) {
		fprintf(stderr, "vswagent: --pa '%s': no address given\n", list);
		return false;
	}
	return true;
}

/* --- status socket: connect, read one JSON line, the agent closes --- */

static int
status_listen(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return -errno;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 8) < 0) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	return fd;
}

struct loop {
	struct agent *a;	 /**< the agent */
	struct options *o;	 /**< options */
	CURLM *multi;		 /**< the watch's multi handle */
	struct etcd_watch *w;	 /**< the watch, NULL while none */
	struct vswd_conn ev;	 /**< vswd event subscription */
	bool loaded;		 /**< the cluster was read at least once */
	bool scan;		 /**< re-read vswd's MAC table for claims */
	int64_t lease;		 /**< host lease, 0 = none */
	int64_t started;	 /**< wall-clock start, seconds */
	int64_t next_keepalive;	 /**< ms */
	int64_t next_watch;	 /**< ms: earliest (re)start of the watch */
	int64_t next_vswd;	 /**< ms: next reconnect attempt */
	int64_t next_load;	 /**< ms: next attempt to read the cluster */
	bool etcd_ok;		 /**< the last etcd call worked */
};

static void
status_serve(struct loop *l, int lfd)
{
	struct agent *a = l->a;
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	int64_t etcd_rev = etcd_seen_revision(a->etcd);
	json_t *pas = json_array(), *st;
	char *line;

	if (fd < 0)
		return;
	for (unsigned int i = 0; i < a->nb_pas; i++)
		json_array_append_new(pas, json_string(a->pas[i]));
	st = json_pack(
		"{s:s, s:o, s:s, s:s, s:b, s:b, s:b, s:I, s:I, s:I, s:I, s:I, s:s, s:I, s:I, s:"
		"{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}}",
		"host", a->host, "pas", pas, "prefix", a->prefix, "etcd", etcd_endpoint(a->etcd),
		"etcd_ok", (int)l->etcd_ok, "watching", (int)(l->w != NULL), "vswd_connected",
		(int)(a->vswd.fd >= 0), "revision", (json_int_t)a->revision, "etcd_revision",
		(json_int_t)etcd_rev, "lag",
		(json_int_t)(etcd_rev > a->revision ? etcd_rev - a->revision : 0), "subnets",
		(json_int_t)a->nb_subnets, "vms", (json_int_t)a->nb_vms, "last_error",
		a->last_error, "last_error_age_s",
		(json_int_t)(a->last_error_ms ? (etcd_now_ms() - a->last_error_ms) / 1000 : -1),
		"lease", (json_int_t)l->lease, "counters", "lookups_added",
		(json_int_t)a->n.lookups_added, "lookups_deleted", (json_int_t)a->n.lookups_deleted,
		"bds_added", (json_int_t)a->n.bds_added, "bds_deleted",
		(json_int_t)a->n.bds_deleted, "claims_won", (json_int_t)a->n.claims_won,
		"claims_lost", (json_int_t)a->n.claims_lost, "claims_held",
		(json_int_t)a->n.claims_held, "resyncs", (json_int_t)a->n.resyncs, "relists",
		(json_int_t)a->n.relists, "watch_restarts", (json_int_t)a->n.watch_restarts,
		"events_lost", (json_int_t)a->n.events_lost, "errors", (json_int_t)a->n.errors,
		"bad_records", (json_int_t)a->n.bad_records);
	if (st != NULL) {
		json_t *c = json_object_get(st, "counters");

		json_object_set_new(st, "rds", json_integer(a->nb_rds));
		json_object_set_new(st, "rd_routes", json_integer(a->nb_routes));
		json_object_set_new(c, "rds_added", json_integer((json_int_t)a->n.rds_added));
		json_object_set_new(c, "rds_deleted", json_integer((json_int_t)a->n.rds_deleted));
		json_object_set_new(c, "attachments_set",
				    json_integer((json_int_t)a->n.attachments_set));
		json_object_set_new(c, "detachments", json_integer((json_int_t)a->n.detachments));
		json_object_set_new(c, "routes_added", json_integer((json_int_t)a->n.routes_added));
		json_object_set_new(c, "routes_deleted",
				    json_integer((json_int_t)a->n.routes_deleted));
	}
	line = st != NULL ? json_dumps(st, JSON_COMPACT) : NULL;
	json_decref(st);
	if (line != NULL) {
		/* A status line is small; a reader that does not read it loses it. */
		if (write(fd, line, strlen(line)) < 0 || write(fd, "\n", 1) < 0)
			agent_log("status socket: a reader went away: %s", strerror(errno));
		free(line);
	}
	close(fd);
}

/* --- host record and lease --- */

static char *
host_value(struct loop *l)
{
	json_t *pas = json_array(), *j;
	char *s;

	for (unsigned int i = 0; i < l->a->nb_pas; i++)
		json_array_append_new(pas, json_string(l->a->pas[i]));
	j = json_pack("{s:s, s:o, s:I, s:i}", "name", l->a->host, "pas", pas, "started",
		      (json_int_t)l->started, "pid", (int)getpid());
	s = j != NULL ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(j);
	return s;
}

/* Grant a lease and write the host keys: durable hosts/NAME, leased alive/NAME. */
static int
host_register(struct loop *l)
{
	struct agent *a = l->a;
	char key[256], *v = host_value(l);
	int rc;

	if (v == NULL)
		return -ENOMEM;
	rc = etcd_lease_grant(a->etcd, l->o->ttl, &l->lease);
	if (rc == 0) {
		snprintf(key, sizeof(key), "%s/hosts/%s", a->prefix, a->host);
		rc = etcd_put(a->etcd, key, v, 0, NULL);
	}
	if (rc == 0) {
		snprintf(key, sizeof(key), "%s/alive/%s", a->prefix, a->host);
		rc = etcd_put(a->etcd, key, v, l->lease, NULL);
	}
	free(v);
	if (rc < 0) {
		l->lease = 0;
		agent_err(a, "registering host %s in etcd: %s", a->host, etcd_error(a->etcd));
		return rc;
	}
	agent_log("registered as host %s (lease %llx, TTL %d s) at %s", a->host,
		  (unsigned long long)l->lease, l->o->ttl, etcd_endpoint(a->etcd));
	return 0;
}

static void
lease_tick(struct loop *l, int64_t now)
{
	int64_t ttl;
	int rc;

	if (now < l->next_keepalive)
		return;
	l->next_keepalive = now + l->o->ttl * 1000 / 3;
	if (l->lease == 0) {
		l->etcd_ok = host_register(l) == 0;
		if (!l->etcd_ok)
			l->next_keepalive = now + 1000;
		return;
	}
	rc = etcd_lease_keepalive(l->a->etcd, l->lease, &ttl);
	if (rc == -ENOENT) {
		/* etcd was away longer than the TTL: the host key is gone, register again. */
		agent_log("host lease expired (%s); registering again", etcd_error(l->a->etcd));
		l->lease = 0;
		l->etcd_ok = host_register(l) == 0;
	} else if (rc < 0) {
		agent_err(l->a, "lease keep-alive: %s", etcd_error(l->a->etcd));
		l->etcd_ok = false;
		l->next_keepalive = now + 1000;
	} else {
		l->etcd_ok = true;
	}
}

/* --- vswd --- */

static void
on_vswd_event(const char *method, json_t *p, void *arg)
{
	struct loop *l = arg;
	const char *port;

	if (strcmp(method, "events.lost") == 0) {
		l->a->n.events_lost++;
		agent_log("vswd dropped %lld event(s); re-reading its MAC table",
			  (long long)json_integer_value(json_object_get(p, "count")));
		l->scan = true;
		return;
	}
	if (strcmp(method, "fdb.learned") == 0)
		port = json_string_value(json_object_get(p, "port"));
	else if (strcmp(method, "fdb.moved") == 0)
		port = json_string_value(json_object_get(p, "to"));
	else
		return;
	agent_claim_mac(l->a, json_string_value(json_object_get(p, "bd")),
			json_string_value(json_object_get(p, "mac")), port,
			json_string_value(json_object_get(p, "cause")));
}

static void
vswd_tick(struct loop *l, int64_t now)
{
	struct agent *a = l->a;
	int rc;

	if ((a->vswd.fd >= 0 && l->ev.fd >= 0) || now < l->next_vswd)
		return;
	l->next_vswd = now + 1000;
	vswd_disconnect(&a->vswd);
	vswd_disconnect(&l->ev);
	if (vswd_connect(&a->vswd) < 0 || vswd_connect(&l->ev) < 0) {
		vswd_disconnect(&a->vswd);
		return;
	}
	rc = vswd_call(&l->ev, "events.subscribe",
		       json_pack("{s:[s, s]}", "events", "fdb.learned", "fdb.moved"), NULL,
		       AGENT_CALL_MS);
	if (rc < 0) {
		agent_err(a, "vswd: events.subscribe: %s", vswd_error(&l->ev));
		vswd_disconnect(&a->vswd);
		vswd_disconnect(&l->ev);
		return;
	}
	agent_log("connected to vswd at %s", a->vswd.path);
	a->vswd_dirty = true;
	l->scan = true;
}

static int
read_pas(struct loop *l)
{
	struct agent *a = l->a;
	json_t *r = NULL, *e;
	size_t i;

	if (a->nb_pas > 0)
		return 0; /* --pa, parsed at start */
	if (vswd_call(&a->vswd, "pa.list", NULL, &r, AGENT_CALL_MS) < 0)
		return -EAGAIN;
	json_array_foreach(r, i, e) {
		const char *ip = json_string_value(json_object_get(e, "address"));
		char *slash;

		if (ip == NULL || a->nb_pas == AGENT_MAX_PAS)
			continue;
		snprintf(a->pas[a->nb_pas], AGENT_PA_TEXT, "%s", ip);
		slash = strchr(a->pas[a->nb_pas], '/');
		if (slash != NULL)
			*slash = '\0';
		a->nb_pas++;
	}
	json_decref(r);
	return a->nb_pas > 0 ? 0 : -ENOENT;
}

/* --- etcd watch --- */

static void
watch_restart(struct loop *l, const char *why, int64_t now)
{
	agent_log("watch on %s ended (%s); resuming from revision %lld on the next endpoint",
		  etcd_endpoint(l->a->etcd), why, (long long)l->a->revision + 1);
	etcd_watch_stop(l->w);
	l->w = NULL;
	l->a->n.watch_restarts++;
	etcd_next_endpoint(l->a->etcd);
	l->next_watch = now + 300;
}

/* Read the whole cluster, then make vswd match it. */
static int
load(struct loop *l, int64_t now)
{
	int rc = agent_relist(l->a);

	l->etcd_ok = rc == 0;
	if (rc < 0) {
		l->next_load = now + 1000;
		return rc;
	}
	l->loaded = true;
	l->a->vswd_dirty = true;
	l->scan = true;
	return 0;
}

static void
watch_drain(struct loop *l, int64_t now)
{
	struct etcd_watch_msg msg;
	int rc;

	while (l->w != NULL && (rc = etcd_watch_next(l->w, &msg)) != 0) {
		int64_t base = l->a->revision;

		if (rc < 0) {
			agent_err(l->a, "etcd %s", etcd_watch_error(l->w));
			continue;
		}
		if (msg.compact_revision > 0) {
			agent_log("revision %lld is compacted (compact revision %lld): re-reading the "
				  "cluster",
				  (long long)base + 1, (long long)msg.compact_revision);
			etcd_watch_msg_free(&msg);
			etcd_watch_stop(l->w);
			l->w = NULL;
			if (load(l, now) == 0)
				l->next_watch = now;
			return;
		}
		if (msg.canceled) {
			etcd_watch_msg_free(&msg);
			watch_restart(l, "cancelled by the server", now);
			return;
		}
		/* Events at or below what was applied (e.g. by a re-list) are old news. */
		for (size_t i = 0; i < msg.nb_events; i++)
			if (msg.events[i].kv.mod_revision > base)
				agent_watch_event(l->a, &msg.events[i]);
		/* A progress notification: every change up to its revision was delivered. */
		if (msg.nb_events == 0 && !msg.created && msg.revision > l->a->revision)
			l->a->revision = msg.revision;
		l->etcd_ok = true;
		etcd_watch_msg_free(&msg);
	}
	if (l->w != NULL && etcd_watch_done(l->w))
		watch_restart(l, etcd_watch_error(l->w), now);
	else if (l->w != NULL &&
		 now - etcd_watch_last_data_ms(l->w) > (int64_t)l->o->watch_timeout * 1000)
		watch_restart(l, "silent for longer than --watch-timeout", now);
}

static void
etcd_tick(struct loop *l, int64_t now)
{
	struct agent *a = l->a;

	if (!l->loaded) {
		if (now >= l->next_load && load(l, now) == 0)
			l->next_watch = now;
		if (!l->loaded)
			return;
	}
	if (now >= a->next_resync_ms) {
		/* The watch keeps running; the re-list only repairs what drifted. */
		a->next_resync_ms = now + (int64_t)l->o->resync * 1000;
		if (load(l, now) == 0)
			l->scan = true;
	}
	if (l->w == NULL && now >= l->next_watch) {
		char prefix[256];

		snprintf(prefix, sizeof(prefix), "%s/", a->prefix);
		l->w = etcd_watch_start(a->etcd, l->multi, prefix, a->revision + 1);
		if (l->w == NULL) {
			agent_err(a, "starting the etcd watch: %s", strerror(errno));
			l->next_watch = now + 1000;
		}
	}
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "etcd", required_argument, NULL, 'e' },
		{ "host", required_argument, NULL, 'H' },
		{ "socket", required_argument, NULL, 's' },
		{ "pa", required_argument, NULL, 'p' },
		{ "prefix", required_argument, NULL, 'P' },
		{ "ttl", required_argument, NULL, 't' },
		{ "hold", required_argument, NULL, 'o' },
		{ "resync", required_argument, NULL, 'r' },
		{ "watch-timeout", required_argument, NULL, 'w' },
		{ "status", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct options o = { .ttl = 10, .resync = 30, .watch_timeout = 30, .prefix = "/vsw/v1" };
	struct agent a = { .hold_s = 5, .claim_age_s = 2 };
	struct loop l = { .a = &a, .o = &o };
	char hostname[AGENT_NAME_MAX], status_path[256];
	int opt, sfd;

	o.etcd = getenv("VSW_ETCD") ? getenv("VSW_ETCD") : "http://127.0.0.1:2379";
	o.socket = getenv("VSW_SOCKET") ? getenv("VSW_SOCKET") : "/run/vsw/vswd.sock";
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'e': o.etcd = optarg; break;
		case 'H': o.host = optarg; break;
		case 's': o.socket = optarg; break;
		case 'p':
			if (!parse_pas(&a, optarg))
				return 2;
			break;
		case 'P': o.prefix = optarg; break;
		case 't':
			if (!parse_seconds("ttl", optarg, 2, &o.ttl))
				return 2;
			break;
		case 'o':
			if (!parse_seconds("hold", optarg, 0, &a.hold_s))
				return 2;
			break;
		case 'r':
			if (!parse_seconds("resync", optarg, 1, &o.resync))
				return 2;
			break;
		case 'w':
			if (!parse_seconds("watch-timeout", optarg, 1, &o.watch_timeout))
				return 2;
			break;
		case 'S': o.status = optarg; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("vswagent %s\n", VSW_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "vswagent: unexpected argument '%s' (vswagent takes options only)\n",
			argv[optind]);
		usage(stderr);
		return 2;
	}
	if (o.prefix[0] != '/' || o.prefix[strlen(o.prefix) - 1] == '/') {
		fprintf(stderr, "vswagent: --prefix %s: it starts with / and does not end with one, "
				"e.g. /vsw/v1\n", o.prefix);
		return 2;
	}
	if (o.host == NULL) {
		if (gethostname(hostname, sizeof(hostname)) < 0)
			snprintf(hostname, sizeof(hostname), "localhost");
		hostname[sizeof(hostname) - 1] = '\0';
		o.host = hostname;
	}
	if (strchr(o.host, '/') != NULL || o.host[0] == '\0') {
		fprintf(stderr, "vswagent: --host %s: a name without '/' is needed\n", o.host);
		return 2;
	}
	if (o.status == NULL) {
		snprintf(status_path, sizeof(status_path), "%s.agent", o.socket);
		o.status = status_path;
	}
	log_host = o.host;
	a.host = o.host;
	a.prefix = o.prefix;
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		fprintf(stderr, "vswagent: libcurl failed to initialise\n");
		return 1;
	}
	a.etcd = etcd_open(o.etcd, 3000);
	if (a.etcd == NULL) {
		fprintf(stderr, "vswagent: --etcd %s: expected URL[,URL...] (at most 8): %s\n", o.etcd,
			strerror(errno));
		return 2;
	}
	vswd_init(&a.vswd, o.socket);
	vswd_init(&l.ev, o.socket);
	sfd = status_listen(o.status);
	if (sfd < 0) {
		fprintf(stderr, "vswagent: cannot listen on the status socket %s: %s (use --status)\n",
			o.status, strerror(-sfd));
		return 1;
	}
	l.multi = curl_multi_init();
	l.started = (int64_t)time(NULL);

	/* The PAs come from vswd unless given: wait for it (bounded only by the operator). */
	for (int64_t warned = 0; !stop_requested;) {
		int64_t now = etcd_now_ms();

		vswd_tick(&l, now);
		if (a.vswd.fd >= 0 && read_pas(&l) == 0)
			break;
		if (now - warned > 10000) {
			agent_log("waiting for vswd at %s to answer pa.list with a provider address "
				  "(or give --pa)",
				  o.socket);
			warned = now;
		}
		usleep(200000);
	}
	agent_log("starting: PAs %s%s%s, etcd %s, prefix %s", a.pas[0], a.nb_pas > 1 ? ", " : "",
		  a.nb_pas > 1 ? a.pas[1] : "", o.etcd, o.prefix);

	int64_t flush_in = -1; /* ms until queued watch news is due at vswd; -1: none */

	while (!stop_requested) {
		int64_t now = etcd_now_ms();
		struct curl_waitfd extra[2];
		unsigned int nb = 0;
		int running;
		CURLMsg *m;

		vswd_tick(&l, now);
		lease_tick(&l, now);
		etcd_tick(&l, now);
		if (l.loaded && a.vswd.fd >= 0 && a.vswd_dirty)
			agent_reconcile(&a);
		else if (l.loaded && a.vswd.fd >= 0 && a.rd_dirty)
			agent_rd_reconcile(&a);
		if (l.loaded && a.vswd.fd >= 0 && l.scan) {
			l.scan = false;
			agent_claim_scan(&a);
		}

		extra[nb++] = (struct curl_waitfd){ .fd = sfd, .events = CURL_WAIT_POLLIN };
		if (l.ev.fd >= 0)
			extra[nb++] = (struct curl_waitfd){ .fd = l.ev.fd, .events = CURL_WAIT_POLLIN };
		curl_multi_poll(l.multi, extra, nb, flush_in >= 0 && flush_in < 200 ? (int)flush_in : 200,
				NULL);
		/*
		 * Sightings before watch news: a claim compares against the revision
		 * read before this wake-up, so hosts that saw a VM at the same time
		 * race in etcd (one wins) instead of the later one overriding.
		 */
		if (nb > 1 && (extra[1].revents & CURL_WAIT_POLLIN) &&
		    vswd_read_events(&l.ev, on_vswd_event, &l) < 0) {
			agent_err(&a, "vswd event connection: %s; reconnecting", vswd_error(&l.ev));
			vswd_disconnect(&l.ev);
			vswd_disconnect(&a.vswd);
		}
		curl_multi_perform(l.multi, &running);
		while ((m = curl_multi_info_read(l.multi, &running)) != NULL)
			etcd_watch_owns(l.w, m);
		now = etcd_now_ms();
		if (l.w != NULL)
			watch_drain(&l, now);
		flush_in = agent_flush(&a);
		if (extra[0].revents & CURL_WAIT_POLLIN)
			status_serve(&l, sfd);
	}

	agent_log("stopping");
	if (l.lease != 0 && etcd_lease_revoke(a.etcd, l.lease) == 0)
		agent_log("host lease revoked: host %s is shown gone now", a.host);
	etcd_watch_stop(l.w);
	curl_multi_cleanup(l.multi);
	close(sfd);
	unlink(o.status);
	vswd_disconnect(&a.vswd);
	vswd_disconnect(&l.ev);
	free(a.vswd.in); /* receive buffers: kept across reconnects, freed once */
	free(l.ev.in);
	etcd_close(a.etcd);
	agent_state_free(&a);
	curl_global_cleanup();
	return 0;
}
