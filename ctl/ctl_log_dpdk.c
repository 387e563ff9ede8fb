/* SPDX-License-Identifier: BSD-3-Clause */
#include "ctl_log_dpdk.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_log.h>

#include "ctl_log.h"

static FILE *dpdk_stream; /* our stream while attached */

/* DPDK levels are the syslog priorities plus one (RTE_LOG_ERR 4 = LOG_ERR 3). */
static int
dpdk_to_syslog(int rte_level)
{
	return rte_level >= 1 ? rte_level - 1 : CTL_LOG_ERR;
}

/*
 * fopencookie's write: rte_vlog() formats into the stream and flushes it, so
 * each call carries whole messages, and rte_log_cur_msg_loglevel() still
 * holds the level of the message being written (it is per lcore).
 */
static ssize_t
dpdk_stream_write(void *cookie, const char *buf, size_t size)
{
	(void)cookie;
	ctl_log_text(dpdk_to_syslog(rte_log_cur_msg_loglevel()), buf, size);
	return (ssize_t)size;
}

int
ctl_log_dpdk_attach(void)
{
	static const cookie_io_functions_t io = { .write = dpdk_stream_write };
	FILE *f = fopencookie(NULL, "w", io);

	if (f == NULL)
		return -errno;
	/* Line buffered: a message reaches the sink when its line ends, not when a buffer fills. */
	setvbuf(f, NULL, _IOLBF, 0);
	rte_openlog_stream(f);
	dpdk_stream = f;
	return 0;
}

void
ctl_log_dpdk_detach(void)
{
	if (dpdk_stream == NULL)
		return;
	rte_openlog_stream(NULL);
	fclose(dpdk_stream);
	dpdk_stream = NULL;
}

void
ctl_log_dpdk_set_level(int level)
{
	rte_log_set_global_level((uint32_t)level + 1);
}

static int
log_level(struct ctl_call *call)
{
	const char *name = json_string_value(json_object_get(call->params, "level"));
	int old = ctl_log_get_level(), level;

	if (name != NULL) {
		level = ctl_log_level_parse(name);
		if (level < 0) {
			call->code = CTL_E_INVALID_PARAMS;
			snprintf(call->err, sizeof(call->err),
				 "params.level: '%s' is not a log level; use err, warning, notice, "
				 "info or debug",
				 name);
			return -EINVAL;
		}
		ctl_log_set_level(level);
		ctl_log_dpdk_set_level(level);
		if (level != old)
			/* At the more urgent of the two, so the change shows either way. */
			ctl_log_at(level < old ? level : old, "log level %s (was %s)",
				   ctl_log_level_name(level), ctl_log_level_name(old));
	}
	call->result = json_pack("{s:s, s:s, s:I}", "level",
				 ctl_log_level_name(ctl_log_get_level()), "sink",
				 ctl_log_sink_name(), "lost", (json_int_t)ctl_log_lost());
	return call->result != NULL ? 0 : -ENOMEM;
}

static const struct ctl_param log_level_params[] = {
	{ "level", CTL_P_STRING, false },
	{ NULL },
};

const struct ctl_method ctl_log_methods[] = {
	{
		.name = "log.level",
		.params = log_level_params,
		.help = "show the log level, sink and lost lines; level=err|warning|notice|info|debug sets it",
		.handler = log_level,
	},
	{ .name = NULL },
};
