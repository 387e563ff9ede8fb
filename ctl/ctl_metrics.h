/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The switch's state in the Prometheus text exposition format (0.0.4), as
 * vswd --metrics serves it at /metrics.  docs/vswctl.md lists the metrics.
 *
 * Naming follows the Prometheus conventions: a vsw_ prefix, base units,
 * counters end in _total, and a label only where summing over it means
 * something (ports, workers, bridge domains, VSIDs, tunnel states).  The
 * switch's named counters (dp_counters(), what `vswctl stats` prints) are
 * one metric each, vsw_<name>_total with the counter's own help, rather
 * than one vsw_counter_total{name=...}: they count different things (frames
 * dropped, MACs learned, events lost), and a sum over such a label would be
 * meaningless.
 *
 * Thread-safety: control thread only (it reads the dataplane through dp.h).
 */
#ifndef VSW_CTL_METRICS_H
#define VSW_CTL_METRICS_H

#include "ctl_http.h"

struct ctl_server;

/* What the handler reports besides the dataplane; members may be NULL. */
struct ctl_metrics_ctx {
	const struct ctl_server *srv; /**< control socket: clients, events lost */
	const struct ctl_http *http;  /**< the metrics server itself: scrapes */
};

/** Append every metric to 'out'. */
void ctl_metrics_render(struct ctl_buf *out, const struct ctl_metrics_ctx *ctx);

/** ctl_http_handler serving /metrics (404 elsewhere); 'arg' is a struct ctl_metrics_ctx. */
int ctl_metrics_handler(const struct ctl_http_request *req, struct ctl_buf *body,
			const char **content_type, void *arg);

#endif /* VSW_CTL_METRICS_H */
