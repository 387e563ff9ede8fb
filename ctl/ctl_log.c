/* SPDX-License-Identifier: BSD-3-Clause */
#include "ctl_log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#define LOG_LINE_MAX 1024 /* longest message; longer ones are cut */

static const char *log_prefix = "vswd";
static atomic_int log_level = CTL_LOG_DEFAULT;
static enum ctl_log_sink log_sink = CTL_LOG_STDERR;
static int log_fd = -1;		     /* unconnected datagram socket, syslog sink only */
static struct sockaddr_un log_addr; /* where its datagrams go */
static atomic_uint_fast64_t log_nb_lost;

static const char *const log_names[] = {
	[LOG_EMERG] = "emerg", [LOG_ALERT] = "alert",	[LOG_CRIT] = "crit",
	[LOG_ERR] = "err",     [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
	[LOG_INFO] = "info",   [LOG_DEBUG] = "debug",
};

void
ctl_log_set_prefix(const char *prefix)
{
	log_prefix = prefix;
}

/* Whether a datagram socket listens at 'addr': connect() says so without sending anything. */
static int
log_probe(const struct sockaddr_un *addr)
{
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = 0;

	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

int
ctl_log_open(enum ctl_log_sink sink, const char *syslog_path, char *err, size_t errlen)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	const char *path = syslog_path != NULL ? syslog_path : CTL_LOG_SYSLOG_PATH;
	int rc, fd;

	ctl_log_close();
	if (sink == CTL_LOG_STDERR || (sink == CTL_LOG_AUTO && isatty(STDERR_FILENO)))
		return 0;
	if (strlen(path) >= sizeof(addr.sun_path)) {
		snprintf(err, errlen, "syslog socket path '%s' is too long (at most %zu bytes)",
			 path, sizeof(addr.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	memcpy(addr.sun_path, path, strlen(path) + 1);
	rc = log_probe(&addr);
	if (rc < 0) {
		/* Auto: a host without a log daemon still gets the messages, on stderr. */
		if (sink == CTL_LOG_AUTO)
			return 0;
		snprintf(err, errlen,
			 "cannot log to syslog: nothing listens on %s (%s); start the log daemon "
			 "(systemd-journald, rsyslog) or use --log stderr",
			 path, strerror(-rc));
		return rc;
	}
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot log to syslog: socket: %s", strerror(-rc));
		return rc;
	}
	log_addr = addr;
	log_fd = fd;
	log_sink = CTL_LOG_SYSLOG;
	return 0;
}

void
ctl_log_close(void)
{
	log_sink = CTL_LOG_STDERR;
	if (log_fd >= 0)
		close(log_fd);
	log_fd = -1;
}

enum ctl_log_sink
ctl_log_sink(void)
{
	return log_sink;
}

const char *
ctl_log_sink_name(void)
{
	return log_sink == CTL_LOG_SYSLOG ? "syslog" : "stderr";
}

uint64_t
ctl_log_lost(void)
{
	return atomic_load_explicit(&log_nb_lost, memory_order_relaxed);
}

int
ctl_log_level_parse(const char *name)
{
	if (name == NULL)
		return -EINVAL;
	if (strcmp(name, "error") == 0)
		return CTL_LOG_ERR;
	if (strcmp(name, "warn") == 0)
		return CTL_LOG_WARNING;
	for (int l = CTL_LOG_ERR; l <= CTL_LOG_DEBUG; l++)
		if (strcmp(name, log_names[l]) == 0)
			return l;
	return -EINVAL;
}

const char *
ctl_log_level_name(int level)
{
	if (level < LOG_EMERG)
		level = LOG_EMERG;
	if (level > LOG_DEBUG)
		level = LOG_DEBUG;
	return log_names[level];
}

void
ctl_log_set_level(int level)
{
	if (level < CTL_LOG_ERR)
		level = CTL_LOG_ERR;
	if (level > CTL_LOG_DEBUG)
		level = CTL_LOG_DEBUG;
	atomic_store_explicit(&log_level, level, memory_order_relaxed);
}

int
ctl_log_get_level(void)
{
	return atomic_load_explicit(&log_level, memory_order_relaxed);
}

bool
ctl_log_enabled(int level)
{
	return level <= atomic_load_explicit(&log_level, memory_order_relaxed);
}

/* One line (no newline in it) to the sink. */
static void
log_line(int level, const char *msg, size_t len)
{
	char buf[LOG_LINE_MAX + 64];
	int n;

	if (log_sink == CTL_LOG_SYSLOG) {
		/* The receiver stamps the time; a local datagram arrives the moment it is sent. */
		n = snprintf(buf, sizeof(buf), "<%d>%s[%ld]: %.*s", LOG_DAEMON | level, log_prefix,
			     (long)getpid(), (int)len, msg);
		if (n >= (int)sizeof(buf))
			n = (int)sizeof(buf) - 1;
		/* Never wait for the log daemon: a line it cannot take now is counted, not queued. */
		if (sendto(log_fd, buf, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL,
			   (const struct sockaddr *)&log_addr, sizeof(log_addr)) < 0)
			atomic_fetch_add_explicit(&log_nb_lost, 1, memory_order_relaxed);
		return;
	}
	/* Format first so that the line reaches stderr in one write. */
	n = snprintf(buf, sizeof(buf), "%s: %.*s\n", log_prefix, (int)len, msg);
	if (n >= (int)sizeof(buf)) {
		n = (int)sizeof(buf) - 1;
		buf[n - 1] = '\n';
	}
	fwrite(buf, 1, (size_t)n, stderr);
	fflush(stderr);
}

void
ctl_log_text(int level, const char *text, size_t len)
{
	if (!ctl_log_enabled(level))
		return;
	while (len > 0) {
		const char *nl = memchr(text, '\n', len);
		size_t n = nl != NULL ? (size_t)(nl - text) : len;

		if (n > LOG_LINE_MAX)
			n = LOG_LINE_MAX;
		if (n > 0)
			log_line(level, text, n);
		if (nl != NULL && (size_t)(nl - text) == n)
			n++;
		text += n;
		len -= n;
	}
}

static void __attribute__((format(printf, 2, 0)))
log_vformat(int level, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	int n;

	if (!ctl_log_enabled(level))
		return;
	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n < 0)
		return;
	if (n >= (int)sizeof(line))
		n = (int)sizeof(line) - 1;
	ctl_log_text(level, line, (size_t)n);
}

void
ctl_log_at(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vformat(level, fmt, ap);
	va_end(ap);
}

void
ctl_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vformat(CTL_LOG_NOTICE, fmt, ap);
	va_end(ap);
}
