/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK's log through vswd's own (ctl_log.h), and the log.level method.
 *
 * Once attached, every RTE_LOG message goes to the same sink as vswd's own
 * messages (stderr or syslog), at the syslog priority matching its DPDK
 * level, and is filtered by the same level.  log.level also sets DPDK's
 * global level, so that DPDK does not even format what would be dropped;
 * per-type levels (--eal --log-level=lib.eal:debug) still cap what each
 * library says.
 *
 * Thread-safety: attach and detach on the control thread, around
 * rte_eal_init()/rte_eal_cleanup(); the stream itself may be written from
 * any lcore (one write per line).
 */
#ifndef VSW_CTL_LOG_DPDK_H
#define VSW_CTL_LOG_DPDK_H

#include "ctl_rpc.h"

/** Route DPDK's log to ctl_log's sink.  Call before rte_eal_init().  @return 0 or -errno. */
int ctl_log_dpdk_attach(void);

/** Give DPDK back its default stream.  Call after rte_eal_cleanup(). */
void ctl_log_dpdk_detach(void);

/** Make DPDK's global level match ctl_log's 'level' (a syslog priority). */
void ctl_log_dpdk_set_level(int level);

extern const struct ctl_method ctl_log_methods[]; /* log.level */

#endif /* VSW_CTL_LOG_DPDK_H */
