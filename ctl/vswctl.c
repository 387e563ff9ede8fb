/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vswctl: the command-line client of vswd's control socket.  It maps a
 * command to one JSON-RPC request (ctl_cli.c), sends it, waits for the
 * reply and prints it.  Scripts can speak the same JSON to the socket.
 *
 * `vswctl monitor` subscribes to events instead and prints the notifications
 * that follow, one line each, until Ctrl-C/SIGTERM, count=N events, -t
 * seconds, or the daemon closing the connection.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "ctl_cli.h"
#include "ctl_rpc.h"
#include "ctl_util.h"

#define VSWCTL_DEFAULT_SOCKET "/run/vsw/vswd.sock"

enum vswctl_exit {
	VSWCTL_OK = 0,	     /* the daemon did it */
	VSWCTL_FAILED = 1,   /* the daemon refused, or did not answer in time */
	VSWCTL_USAGE = 2,    /* the command line is wrong */
	VSWCTL_NO_DAEMON = 3 /* nobody listens on the socket */
};

static void
vswctl_short_usage(void)
{
	fprintf(stderr,
		"usage: vswctl [-s SOCKET] [--json] [-t SECONDS] [-a] COMMAND [ARGS] [key=value ...]\n"
		"(vswctl --help lists the commands)\n");
}

static int
vswctl_connect(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(addr.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

static int
vswctl_send_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static double
vswctl_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Read one reply line within 'timeout' seconds.
 * @return the line (to free), or NULL with a message in 'err'.
 */
static char *
vswctl_read_line(int fd, double timeout, char *err, size_t errlen)
{
	double deadline = vswctl_now() + timeout;
	size_t len = 0, cap = 65536;
	char *buf = malloc(cap);

	while (buf != NULL) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		double left = deadline - vswctl_now();
		char *nl;
		ssize_t n;

		if (left <= 0) {
			snprintf(err, errlen, "no reply from vswd within %g s (raise it with -t)",
				 timeout);
			break;
		}
		if (poll(&pfd, 1, (int)(left * 1000) + 1) <= 0)
			continue;
		if (len + 1 >= cap) {
			char *p = realloc(buf, cap * 2);

			if (p == NULL)
				break;
			buf = p;
			cap *= 2;
		}
		n = recv(fd, buf + len, cap - len - 1, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errlen, "vswd closed the connection without a reply%s%s",
				 n < 0 ? ": " : "", n < 0 ? strerror(errno) : "");
			break;
		}
		len += (size_t)n;
		buf[len] = '\0';
		nl = memchr(buf, '\n', len);
		if (nl != NULL) {
			*nl = '\0';
			return buf;
		}
	}
	if (buf == NULL || err[0] == '\0')
		snprintf(err, errlen, "out of memory reading the reply");
	free(buf);
	return NULL;
}

static volatile sig_atomic_t vswctl_stop; /* set by SIGINT/SIGTERM during monitor */

static void
vswctl_on_signal(int sig)
{
	(void)sig;
	vswctl_stop = 1;
}

/* Lines from the socket, kept across reads: one read may hold several. */
struct vswctl_lines {
	int fd;	    /**< connected socket */
	char *buf;  /**< received bytes */
	size_t len; /**< bytes used in 'buf' */
	size_t cap; /**< allocated size of 'buf' */
	size_t off; /**< start of the next line */
};

/*
 * Next line (NUL-terminated, valid until the next call), waiting until
 * 'deadline' (< 0: forever) or a signal.  @return the line, or NULL with
 * 'why' 0 (timeout or signal), -EPIPE (closed) or another -errno.
 */
static char *
vswctl_next_line(struct vswctl_lines *in, double deadline, int *why)
{
	for (;;) {
		char *start = in->buf + in->off;
		char *nl = memchr(start, '\n', in->len - in->off);
		struct pollfd pfd = { .fd = in->fd, .events = POLLIN };
		int wait = -1;
		ssize_t n;

		if (nl != NULL) {
			*nl = '\0';
			in->off = (size_t)(nl - in->buf) + 1;
			return start;
		}
		/* Keep the partial line at the front, and room behind it. */
		memmove(in->buf, start, in->len - in->off);
		in->len -= in->off;
		in->off = 0;
		if (in->cap - in->len < 4096) {
			char *p = realloc(in->buf, in->cap * 2);

			if (p == NULL) {
				*why = -ENOMEM;
				return NULL;
			}
			in->buf = p;
			in->cap *= 2;
		}
		if (vswctl_stop) {
			*why = 0;
			return NULL;
		}
		if (deadline >= 0) {
			double left = deadline - vswctl_now();

			if (left <= 0) {
				*why = 0;
				return NULL;
			}
			wait = (int)(left * 1000) + 1;
		}
		if (poll(&pfd, 1, wait) <= 0)
			continue;
		n = recv(in->fd, in->buf + in->len, in->cap - in->len - 1, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			*why = n == 0 ? -EPIPE : -errno;
			return NULL;
		}
		in->len += (size_t)n;
	}
}

/*
 * `vswctl monitor`: the subscription's reply, then one line per notification.
 * @return the exit status.
 */
static int
vswctl_monitor(int fd, const struct ctl_cli_request *req, bool json, double timeout,
	       bool timeout_set)
{
	struct vswctl_lines in = { .fd = fd, .cap = 65536 };
	struct sigaction sa = { .sa_handler = vswctl_on_signal };
	double start = vswctl_now();
	double deadline = timeout_set ? start + timeout : -1;
	bool subscribed = false;
	long nb_events = 0;
	int why = 0;
	char *line;

	/* No SA_RESTART: a signal must wake poll(). */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	in.buf = malloc(in.cap);
	if (in.buf == NULL) {
		ctl_log("out of memory");
		return VSWCTL_FAILED;
	}
	while ((line = vswctl_next_line(&in, subscribed ? deadline : start + timeout, &why)) !=
	       NULL) {
		json_t *msg = json_loads(line, 0, NULL);
		json_t *error = json_object_get(msg, "error");
		char text[4096];

		if (msg == NULL) {
			ctl_log("unreadable line from vswd: %.80s", line);
			continue;
		}
		if (!subscribed && (error != NULL || json_object_get(msg, "result") != NULL)) {
			const char *m = json_string_value(json_object_get(error, "message"));

			if (error != NULL) {
				ctl_log("%s", m != NULL ? m : "error without a message");
				json_decref(msg);
				free(in.buf);
				return VSWCTL_FAILED;
			}
			subscribed = true;
			if (isatty(STDERR_FILENO)) {
				char *list =
					json_dumps(json_object_get(json_object_get(msg, "result"),
								   "subscribed"),
						   JSON_COMPACT);

				fprintf(stderr, "vswctl: monitoring %s (Ctrl-C to stop)\n",
					list != NULL ? list : "events");
				free(list);
			}
		} else if (json_object_get(msg, "method") != NULL) {
			if (json) {
				json_dumpf(msg, stdout, JSON_COMPACT);
				fputc('\n', stdout);
			} else {
				struct timespec ts;
				struct tm tm;
				char stamp[16];

				clock_gettime(CLOCK_REALTIME, &ts);
				localtime_r(&ts.tv_sec, &tm);
				strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);
				ctl_cli_format_event(msg, text, sizeof(text));
				printf("%s.%03ld %s\n", stamp, ts.tv_nsec / 1000000, text);
			}
			fflush(stdout);
			nb_events++;
		}
		json_decref(msg);
		if (req->count > 0 && nb_events >= req->count)
			break;
	}
	free(in.buf);
	if (line != NULL || vswctl_stop)
		return VSWCTL_OK;
	if (why < 0) {
		ctl_log("vswd closed the connection%s%s", why == -EPIPE ? "" : ": ",
			why == -EPIPE ? "" : strerror(-why));
		return VSWCTL_FAILED;
	}
	if (!subscribed) {
		ctl_log("no reply from vswd within %g s (raise it with -t)", timeout);
		return VSWCTL_FAILED;
	}
	if (req->count > 0) {
		ctl_log("stopped after %g s with %ld of %ld events", timeout, nb_events,
			req->count);
		return VSWCTL_FAILED;
	}
	return VSWCTL_OK;
}

/* Show the reply; @return the exit status. */
static int
vswctl_show(const char *line, const char *method, bool json, bool all)
{
	json_error_t jerr;
	json_t *reply = json_loads(line, 0, &jerr);
	json_t *error, *result;
	int status = VSWCTL_OK;

	if (reply == NULL) {
		ctl_log("unreadable reply from vswd: %s", jerr.text);
		return VSWCTL_FAILED;
	}
	error = json_object_get(reply, "error");
	result = json_object_get(reply, "result");
	if (error != NULL) {
		const char *msg = json_string_value(json_object_get(error, "message"));

		ctl_log("%s", msg != NULL ? msg : "error without a message");
		/* A command the daemon does not know is a usage error, whichever word was wrong. */
		status = json_integer_value(json_object_get(error, "code")) == CTL_E_NO_METHOD ?
				 VSWCTL_USAGE :
				 VSWCTL_FAILED;
	} else if (result == NULL) {
		ctl_log("reply from vswd has neither result nor error");
		status = VSWCTL_FAILED;
	} else if (json) {
		json_dumpf(result, stdout, JSON_COMPACT | JSON_ENCODE_ANY);
		fputc('\n', stdout);
	} else {
		ctl_cli_print(stdout, method, result, all);
	}
	json_decref(reply);
	return status;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *env = getenv("VSW_SOCKET");
	const char *socket_path = env != NULL && env[0] != '\0' ? env : VSWCTL_DEFAULT_SOCKET;
	struct ctl_cli_request req;
	bool json = false, all = false, timeout_set = false;
	double timeout = 10;
	char err[512] = "";
	char *text, *line;
	json_t *request;
	int opt, fd, status;

	ctl_log_set_prefix("vswctl");
	while ((opt = getopt_long(argc, argv, "s:jt:ah", longopts, NULL)) != -1) {
		char *end;

		switch (opt) {
		case 's':
			socket_path = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 't':
			timeout = strtod(optarg, &end);
			if (*end != '\0' || end == optarg || !(timeout > 0)) {
				ctl_log("-t: expected a number of seconds above 0, got '%s'",
					optarg);
				return VSWCTL_USAGE;
			}
			timeout_set = true;
			break;
		case 'a':
			all = true;
			break;
		case 'h':
			ctl_cli_usage(stdout);
			return VSWCTL_OK;
		case 'V':
			printf("vswctl %s\n", VSW_VERSION);
			return VSWCTL_OK;
		default:
			vswctl_short_usage();
			return VSWCTL_USAGE;
		}
	}
	if (ctl_cli_map(argc - optind, argv + optind, &req, err, sizeof(err)) < 0) {
		ctl_log("%s", err);
		vswctl_short_usage();
		return VSWCTL_USAGE;
	}

	fd = vswctl_connect(socket_path);
	if (fd < 0) {
		ctl_log("cannot connect to vswd at %s: %s; is vswd running? (set -s or VSW_SOCKET)",
			socket_path, strerror(errno));
		ctl_cli_request_free(&req);
		return VSWCTL_NO_DAEMON;
	}
	request = json_pack("{s:s, s:i, s:s, s:O}", "jsonrpc", "2.0", "id", 1, "method", req.method,
			    "params", req.params);
	text = request != NULL ? json_dumps(request, JSON_COMPACT) : NULL;
	json_decref(request);
	if (text == NULL || vswctl_send_all(fd, text, strlen(text)) < 0 ||
	    vswctl_send_all(fd, "\n", 1) < 0) {
		ctl_log("cannot send the request to vswd at %s: %s", socket_path, strerror(errno));
		free(text);
		close(fd);
		ctl_cli_request_free(&req);
		return VSWCTL_NO_DAEMON;
	}
	free(text);
	if (req.monitor) {
		status = vswctl_monitor(fd, &req, json, timeout, timeout_set);
		close(fd);
		ctl_cli_request_free(&req);
		return status;
	}
	line = vswctl_read_line(fd, timeout, err, sizeof(err));
	close(fd);
	if (line == NULL) {
		ctl_log("%s", err);
		status = VSWCTL_FAILED;
	} else {
		status = vswctl_show(line, req.method, json, all);
		free(line);
	}
	ctl_cli_request_free(&req);
	return status;
}
