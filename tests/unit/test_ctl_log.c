/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_log: levels, the stderr sink's line format, and the syslog sink
 * against a datagram socket this test binds on a private path (the way
 * vswd --syslog-socket points at one).  No DPDK, no syslog daemon.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "ctl_log.h"

static char dir[] = "/tmp/vsw-test-log.XXXXXX";
static char sock_path[100];

/* A listener on sock_path; @return its fd (non-blocking), or -1. */
static int
listener_open(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", sock_path);
	unlink(sock_path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		perror("listener");
		return -1;
	}
	return fd;
}

/* The next datagram, "" when none is queued (the sink sends before returning). */
static void
next_datagram(int fd, char *buf, size_t len)
{
	ssize_t n = recv(fd, buf, len - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
}

static void
test_ctl_log_level_names(void)
{
	CU_ASSERT_EQUAL(ctl_log_level_parse("err"), CTL_LOG_ERR);
	CU_ASSERT_EQUAL(ctl_log_level_parse("error"), CTL_LOG_ERR);
	CU_ASSERT_EQUAL(ctl_log_level_parse("warning"), CTL_LOG_WARNING);
	CU_ASSERT_EQUAL(ctl_log_level_parse("warn"), CTL_LOG_WARNING);
	CU_ASSERT_EQUAL(ctl_log_level_parse("notice"), CTL_LOG_NOTICE);
	CU_ASSERT_EQUAL(ctl_log_level_parse("info"), CTL_LOG_INFO);
	CU_ASSERT_EQUAL(ctl_log_level_parse("debug"), CTL_LOG_DEBUG);
	CU_ASSERT_EQUAL(ctl_log_level_parse("crit"), -EINVAL); /* not a level one can set */
	CU_ASSERT_EQUAL(ctl_log_level_parse("INFO"), -EINVAL);
	CU_ASSERT_EQUAL(ctl_log_level_parse(""), -EINVAL);
	CU_ASSERT_EQUAL(ctl_log_level_parse(NULL), -EINVAL);
	CU_ASSERT_STRING_EQUAL(ctl_log_level_name(CTL_LOG_WARNING), "warning");
	CU_ASSERT_STRING_EQUAL(ctl_log_level_name(2), "crit");
	CU_ASSERT_STRING_EQUAL(ctl_log_level_name(99), "debug");
	ctl_log_set_level(99);
	CU_ASSERT_EQUAL(ctl_log_get_level(), CTL_LOG_DEBUG);
	ctl_log_set_level(0);
	CU_ASSERT_EQUAL(ctl_log_get_level(), CTL_LOG_ERR);
	ctl_log_set_level(CTL_LOG_DEFAULT);
}

static void
test_ctl_log_syslog_levels(void)
{
	char err[256] = "", buf[2048];
	int fd = listener_open();

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL_FATAL(ctl_log_open(CTL_LOG_SYSLOG, sock_path, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(ctl_log_sink(), CTL_LOG_SYSLOG);
	CU_ASSERT_STRING_EQUAL(ctl_log_sink_name(), "syslog");
	ctl_log_set_prefix("vswtest");

	/* At notice, err/warning/notice go out and info/debug do not. */
	ctl_log_set_level(CTL_LOG_NOTICE);
	for (int l = CTL_LOG_ERR; l <= CTL_LOG_DEBUG; l++) {
		char want[128];

		ctl_log_at(l, "message at %s", ctl_log_level_name(l));
		next_datagram(fd, buf, sizeof(buf));
		if (l <= CTL_LOG_NOTICE) {
			/* LOG_DAEMON is 3 << 3 = 24. */
			snprintf(want, sizeof(want), "<%d>vswtest[%ld]: message at %s", 24 + l,
				 (long)getpid(), ctl_log_level_name(l));
			CU_ASSERT_STRING_EQUAL(buf, want);
		} else {
			CU_ASSERT_STRING_EQUAL(buf, "");
		}
	}
	/* Raised at run time, debug goes out too. */
	ctl_log_set_level(CTL_LOG_DEBUG);
	ctl_log_debug("now at debug");
	next_datagram(fd, buf, sizeof(buf));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "<31>vswtest["));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "]: now at debug"));
	/* ctl_log() is notice. */
	ctl_log("plain");
	next_datagram(fd, buf, sizeof(buf));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "<29>vswtest["));

	/* Text with several lines (DPDK's) is one datagram per line, empty ones skipped. */
	ctl_log_text(CTL_LOG_WARNING, "first\n\nsecond\n", strlen("first\n\nsecond\n"));
	next_datagram(fd, buf, sizeof(buf));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "]: first"));
	next_datagram(fd, buf, sizeof(buf));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "]: second"));
	next_datagram(fd, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "");

	/* The log daemon goes away: lines are counted as lost, nothing blocks. */
	uint64_t lost = ctl_log_lost();

	close(fd);
	unlink(sock_path);
	ctl_log_at(CTL_LOG_ERR, "nobody hears this");
	CU_ASSERT_EQUAL(ctl_log_lost(), lost + 1);
	ctl_log_close();
	CU_ASSERT_EQUAL(ctl_log_sink(), CTL_LOG_STDERR);
	ctl_log_set_level(CTL_LOG_DEFAULT);
	ctl_log_set_prefix("vswd");
}

static void
test_ctl_log_syslog_absent(void)
{
	char err[256] = "";

	unlink(sock_path);
	/* Explicit syslog with nobody listening is refused, saying what to do. */
	CU_ASSERT(ctl_log_open(CTL_LOG_SYSLOG, sock_path, err, sizeof(err)) < 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, sock_path));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "--log stderr"));
	/* Auto falls back to stderr rather than lose every message. */
	CU_ASSERT_EQUAL(ctl_log_open(CTL_LOG_AUTO, sock_path, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(ctl_log_sink(), CTL_LOG_STDERR);
}

static void
test_ctl_log_auto_prefers_syslog_off_terminal(void)
{
	char err[256] = "", buf[512];
	int fd = listener_open();
	int saved = dup(STDERR_FILENO), devnull = open("/dev/null", O_WRONLY);

	CU_ASSERT_FATAL(fd >= 0 && saved >= 0 && devnull >= 0);
	/* stderr is not a terminal here, whatever runs the test. */
	dup2(devnull, STDERR_FILENO);
	CU_ASSERT_EQUAL(ctl_log_open(CTL_LOG_AUTO, sock_path, err, sizeof(err)), 0);
	dup2(saved, STDERR_FILENO);
	CU_ASSERT_EQUAL(ctl_log_sink(), CTL_LOG_SYSLOG);
	ctl_log_info("auto");
	next_datagram(fd, buf, sizeof(buf));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "]: auto"));
	ctl_log_close();
	close(fd);
	close(saved);
	close(devnull);
}

static void
test_ctl_log_stderr_format(void)
{
	char path[100], buf[512] = "";
	int saved = dup(STDERR_FILENO), fd;
	FILE *f;

	snprintf(path, sizeof(path), "%s/stderr.txt", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CU_ASSERT_FATAL(fd >= 0 && saved >= 0);
	dup2(fd, STDERR_FILENO);
	ctl_log_close();
	ctl_log_set_level(CTL_LOG_WARNING);
	ctl_log_err("an error %d", 1);
	ctl_log("a notice, dropped at warning");
	ctl_log_warning("a warning");
	ctl_log_set_level(CTL_LOG_DEFAULT);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fd);
	f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);

	buf[n] = '\0';
	fclose(f);
	/* The same lines as before levels existed: "<prefix>: message". */
	CU_ASSERT_STRING_EQUAL(buf, "vswd: an error 1\nvswd: a warning\n");
	unlink(path);
}

int
main(void)
{
	CU_pSuite suite;
	unsigned int nb_failures;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(sock_path, sizeof(sock_path), "%s/log.sock", dir);
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("ctl_log", NULL, NULL);
	CU_add_test(suite, "level names", test_ctl_log_level_names);
	CU_add_test(suite, "syslog levels", test_ctl_log_syslog_levels);
	CU_add_test(suite, "syslog absent", test_ctl_log_syslog_absent);
	CU_add_test(suite, "auto prefers syslog off a terminal",
		    test_ctl_log_auto_prefers_syslog_off_terminal);
	CU_add_test(suite, "stderr format", test_ctl_log_stderr_format);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	nb_failures = CU_get_number_of_failures();
	CU_cleanup_registry();
	unlink(sock_path);
	rmdir(dir);
	return nb_failures == 0 ? 0 : 1;
}
