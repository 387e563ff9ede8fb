/* SPDX-License-Identifier: BSD-3-Clause */
/* system.* methods about the daemon itself (system.methods is built into ctl_rpc.c). */
#include <errno.h>

#include <rte_version.h>

#include "ctl_methods.h"

static int
system_version(struct ctl_call *call)
{
#ifdef VSW_BENCH_IO_FORWARD
	const bool io_forward = true;
#else
	const bool io_forward = false;
#endif

	/* A benchmark build that does not switch must never pass for a switch. */
	call->result = json_pack("{s:s, s:s, s:b}", "version", VSW_VERSION, "dpdk", rte_version(),
				 "bench_io_forward", io_forward);
	return call->result != NULL ? 0 : -ENOMEM;
}

const struct ctl_method ctl_system_methods[] = {
	{
		.name = "system.version",
		.help = "versions of vsw and of DPDK",
		.handler = system_version,
	},
	{ .name = NULL },
};
