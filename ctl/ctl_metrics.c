/* SPDX-License-Identifier: BSD-3-Clause */
#include "ctl_metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_version.h>

#include "ctl_log.h"
#include "ctl_server.h"
#include "dp.h"

#define METRICS_COUNTERS_GUESS 128 /* counters fetched in one go before asking for more room */
#define METRICS_MAX_VSIDS      (VSW_MAX_BDS + 16)

/* Label values and HELP text: backslash, double quote (labels) and newline are escaped. */
static void
metrics_escape(struct ctl_buf *out, const char *text, bool quote)
{
	for (const char *p = text; *p != '\0'; p++) {
		if (*p == '\\')
			ctl_buf_append(out, "\\\\", 2);
		else if (*p == '\n')
			ctl_buf_append(out, "\\n", 2);
		else if (*p == '"' && quote)
			ctl_buf_append(out, "\\\"", 2);
		else
			ctl_buf_append(out, p, 1);
	}
}

static void
metrics_family(struct ctl_buf *out, const char *name, const char *type, const char *help)
{
	ctl_buf_printf(out, "# HELP %s ", name);
	metrics_escape(out, help, false);
	ctl_buf_printf(out, "\n# TYPE %s %s\n", name, type);
}

/* One sample; 'label' NULL for none, else one label named 'label' with value 'value'. */
static void
metrics_sample(struct ctl_buf *out, const char *name, const char *label, const char *value,
	       uint64_t v)
{
	ctl_buf_printf(out, "%s", name);
	if (label != NULL) {
		ctl_buf_printf(out, "{%s=\"", label);
		metrics_escape(out, value, true);
		ctl_buf_append(out, "\"}", 2);
	}
	ctl_buf_printf(out, " %llu\n", (unsigned long long)v);
}

/* ---------------------------------------------------------------- ports */

static const struct {
	const char *name;
	const char *help;
	size_t offset;
} metrics_port_counters[] = {
	{ "vsw_port_rx_packets_total", "frames received by the port",
	  offsetof(struct dp_port_stats, rx_packets) },
	{ "vsw_port_rx_bytes_total", "bytes received by the port",
	  offsetof(struct dp_port_stats, rx_bytes) },
	{ "vsw_port_rx_dropped_total", "frames the device or the switch dropped on ingress",
	  offsetof(struct dp_port_stats, rx_dropped) },
	{ "vsw_port_tx_packets_total", "frames sent by the port",
	  offsetof(struct dp_port_stats, tx_packets) },
	{ "vsw_port_tx_bytes_total", "bytes sent by the port",
	  offsetof(struct dp_port_stats, tx_bytes) },
	{ "vsw_port_tx_dropped_total", "frames that could not be sent (queue full, device error)",
	  offsetof(struct dp_port_stats, tx_dropped) },
};

#define METRICS_NB_PORT_COUNTERS (sizeof(metrics_port_counters) / sizeof(metrics_port_counters[0]))

static void
metrics_ports(struct ctl_buf *out)
{
	static struct dp_port_info ports[VSW_MAX_PORTS]; /* large: kept off the stack */
	struct dp_port_stats stats[VSW_MAX_PORTS];
	bool have[VSW_MAX_PORTS];
	unsigned int n = dp_port_list(ports, VSW_MAX_PORTS);

	if (n > VSW_MAX_PORTS)
		n = VSW_MAX_PORTS;
	/* Read each port once, so that every metric of a scrape comes from the same read. */
	for (unsigned int i = 0; i < n; i++)
		have[i] = dp_port_get_stats(ports[i].name, &stats[i]) == 0;
	for (size_t m = 0; m < METRICS_NB_PORT_COUNTERS; m++) {
		metrics_family(out, metrics_port_counters[m].name, "counter",
			       metrics_port_counters[m].help);
		for (unsigned int i = 0; i < n; i++) {
			const uint64_t *v;

			if (!have[i])
				continue;
			v = (const uint64_t *)((const char *)&stats[i] +
					       metrics_port_counters[m].offset);
			metrics_sample(out, metrics_port_counters[m].name, "port", ports[i].name, *v);
		}
	}
	metrics_family(out, "vsw_port_info", "gauge",
		       "always 1; the port's type, bridge domain (empty for the uplink), kernel interface and driver");
	for (unsigned int i = 0; i < n; i++) {
		ctl_buf_append(out, "vsw_port_info{port=\"", 20);
		metrics_escape(out, ports[i].name, true);
		ctl_buf_printf(out, "\",type=\"%s\",bd=\"", ports[i].type);
		metrics_escape(out, ports[i].bd, true);
		ctl_buf_append(out, "\",ifname=\"", 10);
		metrics_escape(out, ports[i].ifname, true);
		ctl_buf_append(out, "\",driver=\"", 10);
		metrics_escape(out, ports[i].driver, true);
		ctl_buf_printf(out, "\",uplink=\"%s\"} 1\n", ports[i].is_uplink ? "true" : "false");
	}
	metrics_family(out, "vsw_port_link_up", "gauge", "1 if the port's link is up, else 0");
	for (unsigned int i = 0; i < n; i++)
		metrics_sample(out, "vsw_port_link_up", "port", ports[i].name, ports[i].link_up);
	metrics_family(out, "vsw_port_macs", "gauge", "MAC table entries on the port");
	for (unsigned int i = 0; i < n; i++)
		metrics_sample(out, "vsw_port_macs", "port", ports[i].name, ports[i].nb_macs);
}

/* ---------------------------------------------------------------- named counters */

/* Named counters that are levels, not totals (dp_counters() mixes the two). */
static bool
metrics_is_gauge(const char *name)
{
	return strcmp(name, "fdb_entries") == 0;
}

static void
metrics_counters(struct ctl_buf *out)
{
	struct dp_counter guess[METRICS_COUNTERS_GUESS];
	struct dp_counter *c = guess;
	unsigned int n = dp_counters(guess, METRICS_COUNTERS_GUESS);

	if (n > METRICS_COUNTERS_GUESS) {
		c = calloc(n, sizeof(*c));
		if (c == NULL) {
			out->failed = true;
			return;
		}
		n = dp_counters(c, n);
	}
	for (unsigned int i = 0; i < n; i++) {
		bool gauge = metrics_is_gauge(c[i].name);
		char name[128];
		size_t len;

		len = (size_t)snprintf(name, sizeof(name), "vsw_%s%s", c[i].name,
				       gauge ? "" : "_total");
		if (len >= sizeof(name))
			continue;
		/* Names are [a-z0-9_] today; keep the exposition valid whatever comes. */
		for (char *p = name; *p != '\0'; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			      (*p >= '0' && *p <= '9') || *p == '_'))
				*p = '_';
		metrics_family(out, name, gauge ? "gauge" : "counter",
			       c[i].help != NULL ? c[i].help : c[i].name);
		metrics_sample(out, name, NULL, NULL, c[i].value);
	}
	if (c != guess)
		free(c);
}

/* ---------------------------------------------------------------- workers */

static void
metrics_workers(struct ctl_buf *out)
{
	struct dp_pmd_stats pmd[VSW_MAX_WORKERS];
	unsigned int n = dp_pmd_stats(pmd, VSW_MAX_WORKERS);
	char lcore[VSW_MAX_WORKERS][12];

	if (n > VSW_MAX_WORKERS)
		n = VSW_MAX_WORKERS;
	for (unsigned int i = 0; i < n; i++)
		snprintf(lcore[i], sizeof(lcore[i]), "%u", pmd[i].lcore);
#define METRICS_PMD(metric, type, help, expr)                                                     \
	do {                                                                                      \
		metrics_family(out, metric, type, help);                                          \
		for (unsigned int i = 0; i < n; i++) {                                            \
			const struct dp_pmd_stats *p = &pmd[i];                                   \
			metrics_sample(out, metric, "lcore", lcore[i], (expr));                   \
		}                                                                                 \
	} while (0)
	METRICS_PMD("vsw_worker_packets_total", "counter", "frames the worker received",
		    p->packets);
	METRICS_PMD("vsw_worker_bursts_total", "counter", "non-empty RX bursts", p->bursts);
	METRICS_PMD("vsw_worker_busy_cycles_total", "counter",
		    "TSC cycles in poll rounds that received frames (vsw_tsc_hertz per second)",
		    p->busy_cycles);
	METRICS_PMD("vsw_worker_idle_cycles_total", "counter",
		    "TSC cycles in poll rounds that received nothing", p->idle_cycles);
	METRICS_PMD("vsw_worker_cycles_per_packet", "gauge",
		    "busy cycles per frame since start, as stats pmd shows it; for a recent figure "
		    "divide the rates of vsw_worker_busy_cycles_total and vsw_worker_packets_total",
		    p->packets > 0 ? p->busy_cycles / p->packets : 0);
	METRICS_PMD("vsw_worker_rx_queues", "gauge", "RX queues the worker polls", p->nb_rxq);
#undef METRICS_PMD
	metrics_family(out, "vsw_tsc_hertz", "gauge", "TSC cycles per second, to turn cycles into time");
	metrics_sample(out, "vsw_tsc_hertz", NULL, NULL, rte_get_tsc_hz());
}

/* ---------------------------------------------------------------- bridge domains and overlay */

static void
metrics_bds(struct ctl_buf *out)
{
	static struct dp_bd_info bds[VSW_MAX_BDS];
	unsigned int n = dp_bd_list(bds, VSW_MAX_BDS);

	if (n > VSW_MAX_BDS)
		n = VSW_MAX_BDS;
	metrics_family(out, "vsw_bd_macs", "gauge", "MAC table entries in the bridge domain");
	for (unsigned int i = 0; i < n; i++)
		metrics_sample(out, "vsw_bd_macs", "bd", bds[i].name, bds[i].nb_macs);
	metrics_family(out, "vsw_bd_max_macs", "gauge",
		       "learning limit of the bridge domain; 0 = none");
	for (unsigned int i = 0; i < n; i++)
		metrics_sample(out, "vsw_bd_max_macs", "bd", bds[i].name, bds[i].set.max_macs);
	metrics_family(out, "vsw_bd_ports", "gauge", "ports in the bridge domain");
	for (unsigned int i = 0; i < n; i++)
		metrics_sample(out, "vsw_bd_ports", "bd", bds[i].name, bds[i].nb_ports);
	metrics_family(out, "vsw_bd_vsid", "gauge",
		       "NVGRE virtual subnet of the bridge domain; 0 = a local L2 domain");
	for (unsigned int i = 0; i < n; i++)
		metrics_sample(out, "vsw_bd_vsid", "bd", bds[i].name, bds[i].set.vsid);
}

struct metrics_vsid_count {
	unsigned int nb;			    /**< used entries */
	uint32_t vsid[METRICS_MAX_VSIDS];	    /**< virtual subnet */
	uint64_t records[METRICS_MAX_VSIDS];	    /**< its lookup records */
	uint64_t local[METRICS_MAX_VSIDS];	    /**< of which on this host */
};

static void
metrics_count_record(const struct dp_lookup_record *rec, void *arg)
{
	struct metrics_vsid_count *vc = arg;
	unsigned int i;

	for (i = 0; i < vc->nb && vc->vsid[i] != rec->vsid; i++)
		;
	if (i == vc->nb) {
		if (vc->nb == METRICS_MAX_VSIDS)
			return;
		vc->vsid[vc->nb++] = rec->vsid;
	}
	vc->records[i]++;
	vc->local[i] += rec->local;
}

static const char *const metrics_tunnel_states[] = { "resolved", "no_route", "no_neighbour",
						      "unreachable" };
#define METRICS_NB_TUNNEL_STATES \
	(sizeof(metrics_tunnel_states) / sizeof(metrics_tunnel_states[0]))

struct metrics_tunnel_count {
	uint64_t state[METRICS_NB_TUNNEL_STATES + 1]; /**< per state; the last: any other */
	uint64_t drops;				      /**< frames not sent, all tunnels */
};

static void
metrics_count_tunnel(const struct dp_tunnel_info *t, void *arg)
{
	struct metrics_tunnel_count *tc = arg;
	size_t s;

	for (s = 0; s < METRICS_NB_TUNNEL_STATES; s++)
		if (t->state != NULL && strcmp(t->state, metrics_tunnel_states[s]) == 0)
			break;
	tc->state[s]++;
	tc->drops += t->drops;
}

static void
metrics_count_route(const struct dp_route_info *r, void *arg)
{
	(void)r;
	(*(uint64_t *)arg)++;
}

static void
metrics_count_neigh(const struct dp_neigh_info *nb, void *arg)
{
	uint64_t *count = arg;

	count[nb->resolved ? 0 : 1]++;
}

static void
metrics_overlay(struct ctl_buf *out)
{
	static struct metrics_vsid_count vc;
	struct metrics_tunnel_count tc = { 0 };
	struct dp_overlay_info ov;
	uint64_t routes = 0, neigh[2] = { 0, 0 };
	char vsid[12];

	vc.nb = 0;
	memset(vc.records, 0, sizeof(vc.records));
	memset(vc.local, 0, sizeof(vc.local));
	dp_lookup_walk(0, metrics_count_record, &vc);
	metrics_family(out, "vsw_lookup_records", "gauge",
		       "customer->provider lookup records of the virtual subnet");
	for (unsigned int i = 0; i < vc.nb; i++) {
		snprintf(vsid, sizeof(vsid), "%u", vc.vsid[i]);
		metrics_sample(out, "vsw_lookup_records", "vsid", vsid, vc.records[i]);
	}
	metrics_family(out, "vsw_lookup_records_local", "gauge",
		       "lookup records of the virtual subnet whose PA is one of this host's");
	for (unsigned int i = 0; i < vc.nb; i++) {
		snprintf(vsid, sizeof(vsid), "%u", vc.vsid[i]);
		metrics_sample(out, "vsw_lookup_records_local", "vsid", vsid, vc.local[i]);
	}
	dp_tunnel_walk(metrics_count_tunnel, &tc);
	metrics_family(out, "vsw_tunnels", "gauge",
		       "remote PAs that lookup records point at, by resolution state (vswctl tunnel list)");
	for (size_t s = 0; s < METRICS_NB_TUNNEL_STATES; s++)
		metrics_sample(out, "vsw_tunnels", "state", metrics_tunnel_states[s], tc.state[s]);
	if (tc.state[METRICS_NB_TUNNEL_STATES] > 0)
		metrics_sample(out, "vsw_tunnels", "state", "other",
			       tc.state[METRICS_NB_TUNNEL_STATES]);
	metrics_family(out, "vsw_tunnel_dropped_frames", "gauge",
		       "frames the current tunnels could not send (unresolved, too big) since each was made");
	metrics_sample(out, "vsw_tunnel_dropped_frames", NULL, NULL, tc.drops);
	dp_overlay_get(&ov);
	metrics_family(out, "vsw_provider_addresses", "gauge", "this host's provider addresses");
	metrics_sample(out, "vsw_provider_addresses", NULL, NULL, ov.nb_pas);
	dp_route_walk(metrics_count_route, &routes);
	metrics_family(out, "vsw_provider_routes", "gauge", "provider routes, connected and configured");
	metrics_sample(out, "vsw_provider_routes", NULL, NULL, routes);
	dp_neigh_walk(metrics_count_neigh, neigh);
	metrics_family(out, "vsw_neighbours", "gauge", "neighbours on the uplink, by state");
	metrics_sample(out, "vsw_neighbours", "state", "resolved", neigh[0]);
	metrics_sample(out, "vsw_neighbours", "state", "incomplete", neigh[1]);
}

/* ---------------------------------------------------------------- the daemon */

static void
metrics_daemon(struct ctl_buf *out, const struct ctl_metrics_ctx *ctx)
{
	metrics_family(out, "vsw_build_info", "gauge", "always 1; the versions of vsw and DPDK");
	ctl_buf_printf(out, "vsw_build_info{version=\"%s\",dpdk=\"", VSW_VERSION);
	metrics_escape(out, rte_version(), true);
	ctl_buf_append(out, "\"} 1\n", 5);
	metrics_family(out, "vsw_workers", "gauge", "worker lcores");
	metrics_sample(out, "vsw_workers", NULL, NULL, dp_nb_workers());
	metrics_family(out, "vsw_log_lost_lines_total", "counter",
		       "log lines the syslog socket did not take (log daemon away or behind)");
	metrics_sample(out, "vsw_log_lost_lines_total", NULL, NULL, ctl_log_lost());
	if (ctx != NULL && ctx->srv != NULL) {
		metrics_family(out, "vsw_control_clients", "gauge",
			       "clients connected to the control socket");
		metrics_sample(out, "vsw_control_clients", NULL, NULL,
			       ctl_server_nb_clients(ctx->srv));
		metrics_family(out, "vsw_control_events_lost_total", "counter",
			       "events not delivered to control-socket subscribers that fell behind");
		metrics_sample(out, "vsw_control_events_lost_total", NULL, NULL,
			       ctl_server_events_lost(ctx->srv));
	}
	if (ctx != NULL && ctx->http != NULL) {
		static const char *const cls[3] = { "2xx", "4xx", "5xx" };
		uint64_t counts[3];

		ctl_http_counts(ctx->http, counts);
		metrics_family(out, "vsw_metrics_requests_total", "counter",
			       "requests to this endpoint answered, by status class (before this one)");
		for (int i = 0; i < 3; i++)
			metrics_sample(out, "vsw_metrics_requests_total", "code", cls[i], counts[i]);
	}
}

void
ctl_metrics_render(struct ctl_buf *out, const struct ctl_metrics_ctx *ctx)
{
	metrics_daemon(out, ctx);
	metrics_ports(out);
	metrics_counters(out);
	metrics_workers(out);
	metrics_bds(out);
	metrics_overlay(out);
}

int
ctl_metrics_handler(const struct ctl_http_request *req, struct ctl_buf *body,
		    const char **content_type, void *arg)
{
	if (strcmp(req->path, "/metrics") != 0) {
		ctl_buf_printf(body, "no such path: %s; the metrics are at /metrics", req->path);
		return 404;
	}
	ctl_metrics_render(body, arg);
	*content_type = "text/plain; version=0.0.4; charset=utf-8";
	return 200;
}
