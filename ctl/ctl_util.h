/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Small helpers shared by the daemon and the CLI: logging with a program
 * prefix and creating the directories a socket or file lives in.
 *
 * Thread-safety: ctl_log() is safe from any thread (one fprintf per line);
 * ctl_log_set_prefix() is for start-up only.
 */
#ifndef VSW_CTL_UTIL_H
#define VSW_CTL_UTIL_H

#include <sys/types.h>

/** Set the prefix of log lines, e.g. "vswd" (the default). */
void ctl_log_set_prefix(const char *prefix);

/** Print "<prefix>: <message>\n" to stderr. */
void ctl_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/**
 * Create every missing directory above the file 'path' with 'mode', like
 * `mkdir -p "$(dirname path)"`.  @return 0 or -errno.
 */
int ctl_mkdir_parents(const char *path, mode_t mode);

#endif /* VSW_CTL_UTIL_H */
