/* SPDX-License-Identifier: BSD-3-Clause */
/* stats.* methods: port and queue counters, switch drop/event counters, worker load. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_methods.h"
#include "dp.h"

#define STATS_COUNTERS_GUESS 128 /* counters fetched in one go before asking for more room */

static json_t *
stats_port_json(const char *name, const struct dp_port_stats *s)
{
	return json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I}", "name", name, "rx_packets",
			 (json_int_t)s->rx_packets, "rx_bytes", (json_int_t)s->rx_bytes,
			 "rx_dropped", (json_int_t)s->rx_dropped, "tx_packets",
			 (json_int_t)s->tx_packets, "tx_bytes", (json_int_t)s->tx_bytes,
			 "tx_dropped", (json_int_t)s->tx_dropped);
}

static json_t *
stats_counters_json(void)
{
	struct dp_counter guess[STATS_COUNTERS_GUESS];
	struct dp_counter *c = guess;
	unsigned int n = dp_counters(guess, STATS_COUNTERS_GUESS);
	json_t *obj;

	if (n > STATS_COUNTERS_GUESS) {
		c = calloc(n, sizeof(*c));
		if (c == NULL)
			return NULL;
		n = dp_counters(c, n);
	}
	obj = json_object();
	for (unsigned int i = 0; obj != NULL && i < n; i++)
		json_object_set_new(obj, c[i].name, json_integer((json_int_t)c[i].value));
	if (c != guess)
		free(c);
	return obj;
}

static int
stats_show(struct ctl_call *call)
{
	const char *only = json_string_value(json_object_get(call->params, "port"));
	struct dp_port_info ports[VSW_MAX_PORTS];
	unsigned int n = dp_port_list(ports, VSW_MAX_PORTS);
	json_t *list, *counters;
	bool found = false;

	if (n > VSW_MAX_PORTS)
		n = VSW_MAX_PORTS;
	list = json_array();
	if (list == NULL)
		return -ENOMEM;
	for (unsigned int i = 0; i < n; i++) {
		struct dp_port_stats s;

		if (only != NULL && strcmp(only, ports[i].name) != 0)
			continue;
		found = true;
		/* A port deleted between list and read is simply left out. */
		if (dp_port_get_stats(ports[i].name, &s) == 0)
			json_array_append_new(list, stats_port_json(ports[i].name, &s));
	}
	if (only != NULL && !found) {
		json_decref(list);
		snprintf(call->err, sizeof(call->err), "port '%s' not found", only);
		return -ENOENT;
	}
	counters = stats_counters_json();
	call->result = json_pack("{s:o, s:o}", "ports", list, "counters", counters);
	return call->result != NULL ? 0 : -ENOMEM;
}

static int
stats_pmd(struct ctl_call *call)
{
	struct dp_pmd_stats pmd[VSW_MAX_WORKERS];
	unsigned int n = dp_pmd_stats(pmd, VSW_MAX_WORKERS);

	if (n > VSW_MAX_WORKERS)
		n = VSW_MAX_WORKERS;
	call->result = json_array();
	if (call->result == NULL)
		return -ENOMEM;
	for (unsigned int i = 0; i < n; i++) {
		const struct dp_pmd_stats *p = &pmd[i];
		uint64_t total = p->busy_cycles + p->idle_cycles;
		double busy_pct = total > 0 ? 100.0 * (double)p->busy_cycles / (double)total : 0.0;
		uint64_t cpp = p->packets > 0 ? p->busy_cycles / p->packets : 0;
		double avg_burst = p->bursts > 0 ? (double)p->packets / (double)p->bursts : 0.0;

		json_array_append_new(
			call->result,
			json_pack("{s:i, s:I, s:I, s:I, s:I, s:f, s:I, s:f, s:i}", "lcore",
				  (int)p->lcore, "packets", (json_int_t)p->packets, "bursts",
				  (json_int_t)p->bursts, "busy_cycles", (json_int_t)p->busy_cycles,
				  "idle_cycles", (json_int_t)p->idle_cycles, "busy_pct", busy_pct,
				  "cycles_per_packet", (json_int_t)cpp, "avg_burst", avg_burst,
				  "rxqs", (int)p->nb_rxq));
	}
	return 0;
}

/* A count, or null where the port has no such queue. */
static json_t *
queue_count(bool present, uint64_t value)
{
	return present ? json_integer((json_int_t)value) : json_null();
}

/* Append one row per queue of port 'name' to 'rows'. */
static int
stats_queues_of(json_t *rows, const char *name)
{
	struct dp_queue_stats q[VSW_MAX_QUEUE_STATS];
	int n = dp_port_queue_stats(name, q, VSW_MAX_QUEUE_STATS);

	if (n < 0)
		return n;
	for (int i = 0; i < n && i < VSW_MAX_QUEUE_STATS; i++) {
		json_t *row = json_pack("{s:s, s:i, s:o, s:o, s:o}", "port", name, "queue",
					(int)q[i].queue, "lcore",
					q[i].lcore >= 0 ? json_integer(q[i].lcore) : json_null(),
					"rx_packets", queue_count(q[i].has_rxq, q[i].rx_packets),
					"tx_packets", queue_count(q[i].has_txq, q[i].tx_packets));

		if (row == NULL || json_array_append_new(rows, row) != 0)
			return -ENOMEM;
	}
	return 0;
}

static int
stats_queues(struct ctl_call *call)
{
	const char *only = json_string_value(json_object_get(call->params, "port"));
	struct dp_port_info ports[VSW_MAX_PORTS];
	unsigned int n = dp_port_list(ports, VSW_MAX_PORTS);
	int rc = 0;

	call->result = json_array();
	if (call->result == NULL)
		return -ENOMEM;
	if (only != NULL) {
		rc = stats_queues_of(call->result, only);
		if (rc == -ENOENT)
			snprintf(call->err, sizeof(call->err),
				 "port '%s' not found; vswctl port list shows the ports", only);
		return rc;
	}
	/* A port deleted between list and read is simply left out. */
	for (unsigned int i = 0; i < n && i < VSW_MAX_PORTS && rc != -ENOMEM; i++)
		rc = stats_queues_of(call->result, ports[i].name);
	return rc == -ENOMEM ? rc : 0;
}

static const struct ctl_param stats_show_params[] = {
	{ "port", CTL_P_NAME, false },
	{ NULL },
};

const struct ctl_method ctl_stats_methods[] = {
	{
		.name = "stats.show",
		.params = stats_show_params,
		.help = "per-port packet counters and the switch's named counters",
		.handler = stats_show,
	},
	{
		.name = "stats.pmd",
		.help = "per-worker load: packets, bursts, busy and idle cycles",
		.handler = stats_pmd,
	},
	{
		.name = "stats.queues",
		.params = stats_show_params,
		.help = "per-queue packets of each port (or one), and the lcore polling each RX queue",
		.handler = stats_queues,
	},
	{ .name = NULL },
};
