/* SPDX-License-Identifier: BSD-3-Clause */
/* vswd control-socket client: see agent_vswd.h. */
#include "agent_vswd.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define VSWD_MAX_LINE (64u << 20) /* larger than any answer vswd sends (CTL_REPLY_MAX) */

void
vswd_init(struct vswd_conn *c, const char *path)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->path, sizeof(c->path), "%s", path);
	c->fd = -1;
	c->next_id = 1;
}

int
vswd_connect(struct vswd_conn *c)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	vswd_disconnect(c);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", c->path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int rc = -errno;

		snprintf(c->err, sizeof(c->err), "cannot connect to vswd at %s: %s; is vswd running?",
			 c->path, strerror(errno));
		close(fd);
		return rc;
	}
	c->fd = fd;
	return 0;
}

void
vswd_disconnect(struct vswd_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->in_len = 0;
}

const char *
vswd_error(const struct vswd_conn *c)
{
	return c->err;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read what is available into 'in'.  @return bytes read, 0 none (EAGAIN), -EPIPE closed. */
static int
fill(struct vswd_conn *c)
{
	char chunk[65536];
	ssize_t n;

	n = read(c->fd, chunk, sizeof(chunk));
	if (n == 0) {
		snprintf(c->err, sizeof(c->err), "vswd at %s closed the connection", c->path);
		return -EPIPE;
	}
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -EPIPE;
	if (c->in_len + (size_t)n + 1 > c->in_cap) {
		size_t cap = c->in_cap ? c->in_cap : 65536;
		char *p;

		while (cap < c->in_len + (size_t)n + 1)
			cap *= 2;
		if (cap > VSWD_MAX_LINE) {
			snprintf(c->err, sizeof(c->err), "vswd sent a line longer than %u bytes",
				 VSWD_MAX_LINE);
			return -EPIPE;
		}
		p = realloc(c->in, cap);
		if (p == NULL)
			return -ENOMEM;
		c->in = p;
		c->in_cap = cap;
	}
	memcpy(c->in + c->in_len, chunk, (size_t)n);
	c->in_len += (size_t)n;
	return (int)n;
}

/* Pop one complete line as JSON; NULL when none is complete (or it is not JSON: *bad set). */
static json_t *
pop_line(struct vswd_conn *c, int *bad)
{
	char *nl = c->in_len > 0 ? memchr(c->in, '\n', c->in_len) : NULL;
	json_error_t jerr;
	json_t *j;
	size_t n;

	*bad = 0;
	if (nl == NULL)
		return NULL;
	n = (size_t)(nl - c->in);
	j = json_loadb(c->in, n, 0, &jerr);
	memmove(c->in, nl + 1, c->in_len - n - 1);
	c->in_len -= n + 1;
	if (j == NULL || !json_is_object(j)) {
		snprintf(c->err, sizeof(c->err), "vswd sent a line that is not a JSON object: %s",
			 j == NULL ? jerr.text : "not an object");
		json_decref(j);
		*bad = 1;
		return NULL;
	}
	return j;
}

static int
write_all(struct vswd_conn *c, const char *p, size_t len, int64_t deadline)
{
	while (len > 0) {
		ssize_t n = write(c->fd, p, len);

		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			snprintf(c->err, sizeof(c->err), "writing to vswd at %s: %s", c->path,
				 strerror(errno));
			return -EPIPE;
		}
		struct pollfd pfd = { .fd = c->fd, .events = POLLOUT };
		int left = (int)(deadline - now_ms());

		if (left <= 0 || poll(&pfd, 1, left) == 0) {
			snprintf(c->err, sizeof(c->err), "vswd at %s does not take requests", c->path);
			return -ETIMEDOUT;
		}
	}
	return 0;
}

int
vswd_call(struct vswd_conn *c, const char *method, json_t *params, json_t **result,
	  int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;
	uint64_t id = c->next_id++;
	json_t *req;
	char *line;
	int rc, bad;

	if (result != NULL)
		*result = NULL;
	c->err_code = 0;
	if (c->fd < 0) {
		json_decref(params);
		snprintf(c->err, sizeof(c->err), "not connected to vswd at %s", c->path);
		return -ENOTCONN;
	}
	req = json_pack("{s:s, s:I, s:s}", "jsonrpc", "2.0", "id", (json_int_t)id, "method", method);
	if (req != NULL && params != NULL)
		json_object_set(req, "params", params);
	json_decref(params);
	line = req != NULL ? json_dumps(req, JSON_COMPACT) : NULL;
	json_decref(req);
	if (line == NULL)
		return -ENOMEM;
	rc = write_all(c, line, strlen(line), deadline);
	if (rc == 0)
		rc = write_all(c, "\n", 1, deadline);
	free(line);
	if (rc < 0)
		return rc;
	for (;;) {
		json_t *msg = pop_line(c, &bad);

		if (bad)
			return -EPROTO;
		if (msg != NULL) {
			json_t *err = json_object_get(msg, "error");

			/* Skip notifications and stale answers of calls that timed out. */
			if ((uint64_t)json_integer_value(json_object_get(msg, "id")) != id) {
				json_decref(msg);
				continue;
			}
			if (err != NULL) {
				const char *m = json_string_value(json_object_get(err, "message"));

				c->err_code = (int)json_integer_value(json_object_get(err, "code"));
				snprintf(c->err, sizeof(c->err), "%s", m != NULL ? m : "refused");
				json_decref(msg);
				return -EREMOTEIO;
			}
			if (result != NULL) {
				*result = json_object_get(msg, "result");
				json_incref(*result);
			}
			json_decref(msg);
			return 0;
		}
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
		int left = (int)(deadline - now_ms());

		if (left <= 0 || poll(&pfd, 1, left) == 0) {
			snprintf(c->err, sizeof(c->err), "vswd at %s did not answer %s within %d ms",
				 c->path, method, timeout_ms);
			return -ETIMEDOUT;
		}
		rc = fill(c);
		if (rc < 0)
			return rc;
	}
}

int
vswd_read_events(struct vswd_conn *c, vswd_event_cb *cb, void *arg)
{
	int rc, bad;

	if (c->fd < 0)
		return -ENOTCONN;
	do {
		json_t *msg;

		rc = fill(c);
		if (rc < 0)
			return rc;
		while ((msg = pop_line(c, &bad)) != NULL || bad) {
			const char *m = json_string_value(json_object_get(msg, "method"));

			if (m != NULL)
				cb(m, json_object_get(msg, "params"), arg);
			json_decref(msg);
		}
	} while (rc > 0);
	return 0;
}
