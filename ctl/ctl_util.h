/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Small helpers shared by the daemon and the CLI: logging with a program
 * prefix, creating the directories a socket or file lives in, and MAC
 * address text.
 *
 * Thread-safety: ctl_log() is safe from any thread (one fprintf per line);
 * ctl_log_set_prefix() is for start-up only.
 */
#ifndef VSW_CTL_UTIL_H
#define VSW_CTL_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CTL_MAC_TEXT 18 /* "aa:bb:cc:dd:ee:ff" and its NUL */

/** Set the prefix of log lines, e.g. "vswd" (the default). */
void ctl_log_set_prefix(const char *prefix);

/** Print "<prefix>: <message>\n" to stderr. */
void ctl_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/**
 * Create every missing directory above the file 'path' with 'mode', like
 * `mkdir -p "$(dirname path)"`.  @return 0 or -errno.
 */
int ctl_mkdir_parents(const char *path, mode_t mode);

/**
 * Parse the first 'len' characters of 'text' as a MAC address: six pairs of
 * hex digits separated by ':' or '-', any case.  @return 0 or -EINVAL.
 */
int ctl_mac_parse(const char *text, size_t len, uint8_t mac[6]);

/** Write 'mac' as "aa:bb:cc:dd:ee:ff" into 'buf' (CTL_MAC_TEXT bytes). @return 'buf'. */
char *ctl_mac_format(const uint8_t mac[6], char *buf);

#endif /* VSW_CTL_UTIL_H */
