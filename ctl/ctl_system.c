/* SPDX-License-Identifier: BSD-3-Clause */
/* system.* methods about the daemon itself (system.methods is built into ctl_rpc.c). */
#include <errno.h>

#include <rte_version.h>

#include "ctl_methods.h"

static int
system_version(struct ctl_call *call)
{
	call->result = json_pack("{s:s, s:s}", "version", VSW_VERSION, "dpdk", rte_version());
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
