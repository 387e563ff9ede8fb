/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Logging with levels, for the daemon and the CLI.
 *
 * A message has a level, the syslog priority of the same name (err,
 * warning, notice, info, debug; DPDK's more urgent ones pass as they are).
 * Messages above the current level (less urgent) are dropped.  They go to
 * one sink, chosen once at start-up:
 *  - stderr: "<prefix>: <message>" per line, exactly as before levels existed,
 *    so a daemon on a terminal and vswctl look the same;
 *  - syslog: one datagram per line, "<PRI>ident[pid]: message", facility
 *    LOG_DAEMON, sent to /dev/log (or the path given) without blocking.  We
 *    speak the protocol ourselves rather than call syslog(3) for two reasons:
 *    glibc's syslog() blocks when the log daemon falls behind, and the control
 *    thread must not; and it only knows /dev/log, so a test could not listen.
 *    A line the socket does not take at once is counted as lost.
 *
 * Thread-safety: ctl_log*() and the level functions are safe from any
 * thread (an atomic level, one write or sendto per line); ctl_log_open(),
 * ctl_log_close() and ctl_log_set_prefix() are for start-up and shutdown.
 */
#ifndef VSW_CTL_LOG_H
#define VSW_CTL_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Levels: the syslog priorities (LOG_ERR ... LOG_DEBUG). */
#define CTL_LOG_ERR	3
#define CTL_LOG_WARNING 4
#define CTL_LOG_NOTICE	5
#define CTL_LOG_INFO	6
#define CTL_LOG_DEBUG	7
#define CTL_LOG_DEFAULT CTL_LOG_INFO

#define CTL_LOG_SYSLOG_PATH "/dev/log"

enum ctl_log_sink {
	CTL_LOG_AUTO,	/* stderr on a terminal, else syslog if it listens, else stderr */
	CTL_LOG_STDERR, /* "<prefix>: message" lines on stderr */
	CTL_LOG_SYSLOG, /* datagrams to the syslog socket */
};

/** Set the prefix of stderr lines and the syslog ident, e.g. "vswd" (the default). */
void ctl_log_set_prefix(const char *prefix);

/**
 * Choose the sink.  'syslog_path' NULL means /dev/log.  CTL_LOG_SYSLOG
 * fails with -ENOENT/-ECONNREFUSED (and a sentence in 'err') when nothing
 * listens there; CTL_LOG_AUTO then falls back to stderr, so no message is
 * lost to a missing log daemon.  @return 0 or -errno.
 */
int ctl_log_open(enum ctl_log_sink sink, const char *syslog_path, char *err, size_t errlen);

/** Go back to stderr and close the syslog socket. */
void ctl_log_close(void);

/** @return the sink in use: CTL_LOG_STDERR or CTL_LOG_SYSLOG. */
enum ctl_log_sink ctl_log_sink(void);

/** @return "stderr" or "syslog". */
const char *ctl_log_sink_name(void);

/** @return lines the syslog socket did not take (log daemon away or behind). */
uint64_t ctl_log_lost(void);

/** @return the level for 'name' (err, warning, notice, info, debug; also "error", "warn"), or -EINVAL. */
int ctl_log_level_parse(const char *name);

/** @return the name of 'level' ("err" ... "debug"; more urgent ones are "crit"). */
const char *ctl_log_level_name(int level);

void ctl_log_set_level(int level);
int ctl_log_get_level(void);

/** @return whether a message at 'level' would go out now. */
bool ctl_log_enabled(int level);

/** Log at 'level'. */
void ctl_log_at(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/**
 * Log 'len' bytes of 'text' at 'level', one message per line (a missing
 * final newline is fine); for text formatted elsewhere, e.g. DPDK's log.
 */
void ctl_log_text(int level, const char *text, size_t len);

/** Log at notice: what the daemon says by default (start, stop, configuration changes). */
void ctl_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define ctl_log_err(...)     ctl_log_at(CTL_LOG_ERR, __VA_ARGS__)
#define ctl_log_warning(...) ctl_log_at(CTL_LOG_WARNING, __VA_ARGS__)
#define ctl_log_info(...)    ctl_log_at(CTL_LOG_INFO, __VA_ARGS__)
#define ctl_log_debug(...)   ctl_log_at(CTL_LOG_DEBUG, __VA_ARGS__)

#endif /* VSW_CTL_LOG_H */
