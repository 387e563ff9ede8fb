/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vswd: the switch daemon.  The main lcore runs this file's loop, which
 * serves the control socket; worker lcores run the dataplane.
 *
 * Start-up order: options, saved configuration (a broken file stops us
 * before anything is touched), control socket (a second daemon on the same
 * socket stops here too), EAL, dataplane, replay of the configuration, then
 * requests until SIGINT or SIGTERM.  The socket is bound before the EAL so
 * that these refusals cost nothing; clients that connect meanwhile wait in
 * the listen backlog and are served once the configuration is restored.
 *
 * The loop also runs the dataplane's periodic work (dp_periodic(): aging,
 * flap detection, link watch, event delivery) at least every
 * VSWD_PERIODIC_MS, and the MAC-table events it delivers are streamed to the
 * control clients that subscribed to them (ctl_events_attach()).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_version.h>

#include "ctl_config.h"
#include "ctl_log_dpdk.h"
#include "ctl_methods.h"
#include "ctl_metrics.h"
#include "ctl_rpc.h"
#include "ctl_server.h"
#include "ctl_util.h"
#include "dp.h"

#define VSWD_DEFAULT_SOCKET "/run/vsw/vswd.sock"
#define VSWD_DEFAULT_CONFIG "/var/lib/vsw/config.json"
#define VSWD_PERIODIC_MS    50 /* run dp_periodic() at least this often (dp.h asks for 100) */
/*
 * Moves and announcements reach subscribers within this: a cluster agent
 * claims a migrated VM on them, and at 50 ms (the periodic round) the
 * wait was most of a migration's convergence time (docs/bench.md).
 */
#define VSWD_URGENT_MS	    2
#define VSWD_MAX_EAL_ARGS   64 /* EAL arguments we build or pass on */

struct vswd_options {
	const char *socket;	 /**< control socket path */
	const char *config;	 /**< configuration file */
	unsigned int nb_workers; /**< worker lcores for the default EAL arguments */
	struct dp_options dp;	 /**< options for dp_init() */
	int eal_argc;		 /**< arguments after --eal, or -1 without --eal */
	char **eal_argv;	 /**< the first of them */
	enum ctl_log_sink log_sink; /**< --log */
	int log_level;		    /**< --log-level */
	const char *syslog_path;    /**< --syslog-socket; NULL = /dev/log */
	const char *metrics;	    /**< --metrics address, or NULL: no metrics endpoint */
};

static atomic_int vswd_stop; /* set by the signal handler, read by the loop */

static void
vswd_on_signal(int sig)
{
	(void)sig;
	atomic_store_explicit(&vswd_stop, 1, memory_order_relaxed);
}

static void
vswd_usage(FILE *out)
{
	fprintf(out,
		"usage: vswd [OPTIONS] [--eal EAL-ARGS...]\n"
		"\n"
		"  --socket PATH      control socket (default: $VSW_SOCKET, else " VSWD_DEFAULT_SOCKET
		")\n"
		"  --config FILE      saved configuration (default: " VSWD_DEFAULT_CONFIG ")\n"
		"  --workers N        worker lcores, 1..%d (default 1)\n"
		"  --idle-sleep US    sleep US microseconds after an idle poll round (default 0: busy poll)\n"
		"  --fdb-size N       MAC table capacity (default 65536)\n"
		"  --mbufs N          packet buffers (default 32767)\n"
		"  --log SINK         auto, stderr or syslog (default: $VSW_LOG, else auto: stderr on\n"
		"                     a terminal, else syslog (facility daemon, ident vswd) if it listens)\n"
		"  --log-level LEVEL  err, warning, notice, info or debug (default info)\n"
		"  --syslog-socket PATH  syslog socket (default " CTL_LOG_SYSLOG_PATH ")\n"
		"  --metrics ADDR:PORT  serve Prometheus metrics at http://ADDR:PORT/metrics\n"
		"                     (PORT or :PORT: on 127.0.0.1; default: off)\n"
		"  --help, --version\n"
		"  --eal ARGS...      pass everything after --eal to rte_eal_init() instead of the\n"
		"                     defaults (-l 0-N, --in-memory with hugepages, else --no-huge)\n",
		VSW_MAX_WORKERS);
}

/* Parse a decimal in [min, max]; @return 0 or -EINVAL. */
static int
vswd_number(const char *opt, const char *text, unsigned long min, unsigned long max,
	    unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || text[0] == '-' || *out < min ||
	    *out > max) {
		fprintf(stderr, "vswd: %s: expected an integer from %lu to %lu, got '%s'\n", opt,
			min, max, text);
		return -EINVAL;
	}
	return 0;
}

static int
vswd_log_sink(const char *text, enum ctl_log_sink *sink)
{
	if (strcmp(text, "auto") == 0)
		*sink = CTL_LOG_AUTO;
	else if (strcmp(text, "stderr") == 0)
		*sink = CTL_LOG_STDERR;
	else if (strcmp(text, "syslog") == 0)
		*sink = CTL_LOG_SYSLOG;
	else {
		fprintf(stderr, "vswd: --log: expected auto, stderr or syslog, got '%s'\n", text);
		return -EINVAL;
	}
	return 0;
}

/* @return 0 to run, 1 when --help/--version answered, -EINVAL on a usage error. */
static int
vswd_parse(int argc, char **argv, struct vswd_options *o)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "config", required_argument, NULL, 'c' },
		{ "workers", required_argument, NULL, 'w' },
		{ "idle-sleep", required_argument, NULL, 'i' },
		{ "fdb-size", required_argument, NULL, 'f' },
		{ "mbufs", required_argument, NULL, 'm' },
		{ "log", required_argument, NULL, 'L' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "syslog-socket", required_argument, NULL, 'S' },
		{ "metrics", required_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *env = getenv("VSW_SOCKET");
	unsigned long v;
	int nb_own = argc, opt;

	*o = (struct vswd_options){
		.socket = env != NULL && env[0] != '\0' ? env : VSWD_DEFAULT_SOCKET,
		.config = VSWD_DEFAULT_CONFIG,
		.nb_workers = 1,
		.dp = { .idle_sleep_us = 0, .fdb_size = 65536, .nb_mbufs = 32767 },
		.eal_argc = -1,
		.log_sink = CTL_LOG_AUTO,
		.log_level = CTL_LOG_DEFAULT,
	};
	env = getenv("VSW_LOG");
	if (env != NULL && env[0] != '\0' && vswd_log_sink(env, &o->log_sink) < 0) {
		fprintf(stderr, "vswd: (the value came from $VSW_LOG)\n");
		return -EINVAL;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--eal") == 0) {
			nb_own = i;
			o->eal_argc = argc - i - 1;
			o->eal_argv = &argv[i + 1];
			break;
		}
	}
	while ((opt = getopt_long(nb_own, argv, "+", longopts, NULL)) != -1) {
		int rc = 0;

		switch (opt) {
		case 's':
			o->socket = optarg;
			break;
		case 'c':
			o->config = optarg;
			break;
		case 'w':
			rc = vswd_number("--workers", optarg, 1, VSW_MAX_WORKERS, &v);
			o->nb_workers = (unsigned int)v;
			break;
		case 'i':
			rc = vswd_number("--idle-sleep", optarg, 0, 1000000, &v);
			o->dp.idle_sleep_us = (unsigned int)v;
			break;
		case 'f':
			rc = vswd_number("--fdb-size", optarg, 1, UINT32_MAX, &v);
			o->dp.fdb_size = (uint32_t)v;
			break;
		case 'm':
			rc = vswd_number("--mbufs", optarg, 1, UINT32_MAX, &v);
			o->dp.nb_mbufs = (uint32_t)v;
			break;
		case 'L':
			rc = vswd_log_sink(optarg, &o->log_sink);
			break;
		case 'l':
			o->log_level = ctl_log_level_parse(optarg);
			if (o->log_level < 0) {
				fprintf(stderr,
					"vswd: --log-level: expected err, warning, notice, info or debug, got '%s'\n",
					optarg);
				rc = -EINVAL;
			}
			break;
		case 'S':
			o->syslog_path = optarg;
			break;
		case 'M':
			o->metrics = optarg;
			break;
		case 'h':
			vswd_usage(stdout);
			return 1;
		case 'V':
			printf("vswd %s (%s)\n", VSW_VERSION, rte_version());
			return 1;
		default:
			rc = -EINVAL;
		}
		if (rc < 0)
			return rc;
	}
	if (optind < nb_own) {
		fprintf(stderr, "vswd: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	return 0;
}

/*
 * What the dataplane allocates, roughly, in MB: packet buffers (2 KB of data
 * room plus headers each), the MAC table's buckets, and the rest (overlay
 * LPM and hashes, rings, snapshots) with room to spare.
 */
static long
vswd_memory_mb(const struct vswd_options *o)
{
	return (long)(((uint64_t)o->dp.nb_mbufs * 2560 + (uint64_t)o->dp.fdb_size * 4 * 64) >> 20) +
	       96;
}

/*
 * Hugepages help only if hugetlbfs is mounted to reach them and enough are
 * free for everything vswd allocates: with too few, an allocation fails half
 * way through start-up (another DPDK process took the rest).
 */
static bool
vswd_have_hugepages(const struct vswd_options *o)
{
	char line[256];
	long nb_free = 0, page_kb = 2048, want_mb = vswd_memory_mb(o);
	bool mounted = false;
	FILE *f;

	f = fopen("/proc/meminfo", "r");
	if (f == NULL)
		return false;
	while (fgets(line, sizeof(line), f) != NULL) {
		sscanf(line, "HugePages_Free: %ld", &nb_free);
		sscanf(line, "Hugepagesize: %ld kB", &page_kb);
	}
	fclose(f);
	if (nb_free > 0 && nb_free * page_kb / 1024 < want_mb) {
		ctl_log("only %ld MB of hugepages are free and vswd needs about %ld MB: running "
			"without hugepages (reserve more in /proc/sys/vm/nr_hugepages to use them)",
			nb_free * page_kb / 1024, want_mb);
		return false;
	}
	f = fopen("/proc/mounts", "r");
	if (f == NULL)
		return false;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, " hugetlbfs ") != NULL)
			mounted = true;
	fclose(f);
	return nb_free > 0 && mounted;
}

/* rte_eal_init() takes char **, so every argument lives in writable storage. */
static int
vswd_eal_args(const struct vswd_options *o, char *prog, char **argv)
{
	static char store[10][32];
	const char *defaults[10];
	char lcores[32], memory[16];
	int argc = 0, n = 0;

	argv[argc++] = prog;
	if (o->eal_argc >= 0) {
		for (int i = 0; i < o->eal_argc && argc < VSWD_MAX_EAL_ARGS - 1; i++)
			argv[argc++] = o->eal_argv[i];
		argv[argc] = NULL;
		return argc;
	}
	/* Lcore 0 is the control thread; workers follow it, one CPU each while there are enough. */
	long nb_cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (nb_cpus < 1 || (unsigned long)nb_cpus > o->nb_workers) {
		snprintf(lcores, sizeof(lcores), "0-%u", o->nb_workers);
		defaults[n++] = "-l";
	} else {
		/* More lcores than CPUs: they float over all of them; right, but slower than one each. */
		snprintf(lcores, sizeof(lcores), "(0-%u)@(0-%ld)", o->nb_workers, nb_cpus - 1);
		defaults[n++] = "--lcores";
		ctl_log("%u workers and a control thread on %ld CPUs: lcores %s share them", o->nb_workers,
			nb_cpus, lcores);
	}
	defaults[n++] = lcores;
	if (vswd_have_hugepages(o)) {
		defaults[n++] = "--in-memory";
	} else {
		/* Without hugepages no PCI device can do DMA, so do not probe them either. */
		snprintf(memory, sizeof(memory), "%ld", vswd_memory_mb(o) > 1024 ? vswd_memory_mb(o) : 1024L);
		ctl_log("no usable hugepages (too few free, or hugetlbfs not mounted): falling back to "
			"--no-huge -m %s --no-pci",
			memory);
		defaults[n++] = "--no-huge";
		defaults[n++] = "--no-pci";
		defaults[n++] = "-m";
		defaults[n++] = memory;
		defaults[n++] = "--no-shconf";
	}
	defaults[n++] = "--log-level=lib.eal:notice";
	for (int i = 0; i < n; i++) {
		snprintf(store[i], sizeof(store[i]), "%s", defaults[i]);
		argv[argc++] = store[i];
	}
	argv[argc] = NULL;
	return argc;
}

static uint64_t
vswd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
vswd_serve(struct ctl_server *srv, struct ctl_http *metrics)
{
	uint64_t last = vswd_now_ms();

	while (!atomic_load_explicit(&vswd_stop, memory_order_relaxed)) {
		uint64_t now = vswd_now_ms();
		int wait =
			now - last >= VSWD_PERIODIC_MS ? 0 : (int)(VSWD_PERIODIC_MS - (now - last));
		int rc = ctl_server_poll(srv, wait < VSWD_URGENT_MS ? wait : VSWD_URGENT_MS);

		if (rc < 0) {
			ctl_log_err("control socket: poll: %s", strerror(-rc));
			break;
		}
		/*
		 * Scrapes are served between control-socket rounds without waiting:
		 * the wait above is at most VSWD_URGENT_MS, so a scrape waits no longer.
		 */
		if (metrics != NULL) {
			rc = ctl_http_poll(metrics);
			if (rc < 0)
				ctl_log_warning("metrics: poll: %s", strerror(-rc));
		}
		/* After every batch of requests too: a change may have events to deliver. */
		if (rc > 0 || vswd_now_ms() - last >= VSWD_PERIODIC_MS) {
			dp_periodic();
			last = vswd_now_ms();
		} else {
			dp_events_poll();
		}
	}
}

int
main(int argc, char **argv)
{
	struct ctl_config config = { 0 };
	struct ctl_state state = { 0 };
	char *eal_argv[VSWD_MAX_EAL_ARGS];
	struct ctl_server *srv = NULL;
	struct ctl_http *metrics = NULL;
	struct ctl_metrics_ctx metrics_ctx = { 0 };
	struct ctl_rpc *rpc = NULL;
	struct vswd_options o;
	char err[CTL_ERR_LEN];
	int rc, eal_argc, status = 1;
	struct sigaction sa = { .sa_handler = vswd_on_signal };

	ctl_log_set_prefix("vswd");
	rc = vswd_parse(argc, argv, &o);
	if (rc != 0) {
		if (rc < 0)
			vswd_usage(stderr);
		return rc < 0 ? 2 : 0;
	}
	rc = ctl_log_open(o.log_sink, o.syslog_path, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "vswd: %s\n", err);
		return 1;
	}
	ctl_log_set_level(o.log_level);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* A client that hangs up early must not kill the daemon. */
	signal(SIGPIPE, SIG_IGN);

#ifdef VSW_BENCH_IO_FORWARD
	ctl_log("built with -Dbench_io_forward=true: every frame goes to the other port unswitched; "
		"for bench/run --io-floor only, not a switch");
#endif
	rc = ctl_config_load(&config, o.config, err, sizeof(err));
	if (rc < 0) {
		ctl_log_err("cannot load configuration %s: %s; fix or move it away", o.config, err);
		return 1;
	}
	rpc = ctl_rpc_create();
	if (rpc == NULL || ctl_methods_init(rpc, &state, &config) < 0) {
		ctl_log_err("out of memory");
		goto out_config;
	}
	srv = ctl_server_open(o.socket, rpc, err, sizeof(err));
	if (srv == NULL) {
		ctl_log_err("%s", err);
		goto out_config;
	}
	/* Bound before the EAL too, so that a port in use is refused at no cost. */
	if (o.metrics != NULL) {
		metrics = ctl_http_open(o.metrics, ctl_metrics_handler, &metrics_ctx, err,
					sizeof(err));
		if (metrics == NULL) {
			ctl_log_err("%s", err);
			goto out_server;
		}
		metrics_ctx.srv = srv;
		metrics_ctx.http = metrics;
	}

	/* Before the EAL, so that its first words go where ours do. */
	rc = ctl_log_dpdk_attach();
	if (rc < 0)
		ctl_log_warning("DPDK's log stays on stdout: %s", strerror(-rc));
	eal_argc = vswd_eal_args(&o, argv[0], eal_argv);
	if (rte_eal_init(eal_argc, eal_argv) < 0) {
		ctl_log_err("cannot initialise DPDK (EAL): %s", rte_strerror(rte_errno));
		goto out_server;
	}
	rc = dp_init(&o.dp, err, sizeof(err));
	if (rc < 0) {
		ctl_log_err("cannot initialise the dataplane: %s", err);
		goto out_eal;
	}
	rc = dp_start();
	if (rc < 0) {
		ctl_log_err("cannot start the dataplane workers: %s", strerror(-rc));
		goto out_dp;
	}
	rc = ctl_events_attach(srv);
	if (rc < 0) {
		ctl_log_err("cannot offer events on the control socket: %s", strerror(-rc));
		goto out_stop;
	}
	rc = (int)ctl_restore(rpc, &state);
	ctl_log("vsw %s ready: %u worker(s), control socket %s, configuration %s%s", VSW_VERSION,
		dp_nb_workers(), o.socket, o.config,
		rc > 0 ? " (some entries failed to restore, see above)" : "");

	if (metrics != NULL)
		ctl_log("metrics at http://%s/metrics", ctl_http_address(metrics));
	vswd_serve(srv, metrics);
	ctl_log("shutting down");
	status = 0;
out_stop:
	ctl_events_detach();
	ctl_server_close(srv);
	srv = NULL;
	dp_stop();
out_dp:
	dp_fini();
out_eal:
	rte_eal_cleanup();
out_server:
	ctl_http_close(metrics);
	ctl_server_close(srv);
out_config:
	ctl_methods_fini(&state);
	ctl_rpc_destroy(rpc);
	ctl_config_free(&config);
	/* The last line says the daemon ended on purpose: a log without it ended in a crash. */
	if (status == 0)
		ctl_log("stopped: every port closed, socket removed");
	ctl_log_dpdk_detach();
	ctl_log_close();
	return status;
}
