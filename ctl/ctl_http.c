/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_http.h without sockets: text buffers, request parsing, replies, listen addresses. */
#include "ctl_http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* ---------------------------------------------------------------- buffer */

static bool
buf_reserve(struct ctl_buf *b, size_t more)
{
	size_t cap = b->cap > 0 ? b->cap : 4096;
	char *p;

	if (b->failed)
		return false;
	while (cap < b->len + more + 1)
		cap *= 2;
	if (cap == b->cap)
		return true;
	p = realloc(b->data, cap);
	if (p == NULL) {
		b->failed = true;
		return false;
	}
	b->data = p;
	b->cap = cap;
	return true;
}

void
ctl_buf_append(struct ctl_buf *b, const char *data, size_t len)
{
	if (!buf_reserve(b, len))
		return;
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void
ctl_buf_printf(struct ctl_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !buf_reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
ctl_buf_free(struct ctl_buf *b)
{
	free(b->data);
	*b = (struct ctl_buf){ 0 };
}

/* ---------------------------------------------------------------- parsing */

/* RFC 9110 tchar: what a method or a header name may contain. */
static bool
http_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int
http_fail(const char **why, const char *text, int rc)
{
	if (why != NULL)
		*why = text;
	return rc;
}

static int
http_request_line(const char *line, size_t len, struct ctl_http_request *req, const char **why)
{
	const char *sp1 = memchr(line, ' ', len), *sp2, *target, *end;
	size_t n;

	if (sp1 == NULL)
		return http_fail(why, "request line is not METHOD TARGET HTTP/1.x", -EINVAL);
	n = (size_t)(sp1 - line);
	if (n == 0 || n >= sizeof(req->method))
		return http_fail(why, "missing or overlong method", -EINVAL);
	for (size_t i = 0; i < n; i++)
		if (!http_tchar(line[i]))
			return http_fail(why, "invalid character in the method", -EINVAL);
	memcpy(req->method, line, n);
	req->method[n] = '\0';
	target = sp1 + 1;
	sp2 = memchr(target, ' ', len - (size_t)(target - line));
	if (sp2 == NULL || sp2 == target)
		return http_fail(why, "request line is not METHOD TARGET HTTP/1.x", -EINVAL);
	/* Version: exactly HTTP/D.D at the end of the line. */
	end = line + len;
	if (end - (sp2 + 1) != 8 || memcmp(sp2 + 1, "HTTP/", 5) != 0 || sp2[6] < '0' ||
	    sp2[6] > '9' || sp2[7] != '.' || sp2[8] < '0' || sp2[8] > '9')
		return http_fail(why, "the version is not HTTP/1.0 or HTTP/1.1", -EINVAL);
	if (sp2[6] != '1')
		return http_fail(why, "only HTTP/1.x is served", -EPROTONOSUPPORT);
	req->minor = (unsigned int)(sp2[8] - '0');
	/* Absolute form (what a proxy sends): keep the path after the authority. */
	if ((size_t)(sp2 - target) > 7 && memcmp(target, "http://", 7) == 0) {
		const char *slash = memchr(target + 7, '/', (size_t)(sp2 - target - 7));

		target = slash != NULL ? slash : sp2;
	}
	if (target == sp2 || target[0] != '/')
		return http_fail(why, "the target must be a path such as /metrics", -EINVAL);
	for (const char *p = target; p < sp2; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return http_fail(why, "invalid character in the target", -EINVAL);
	/* The query string selects nothing here. */
	end = memchr(target, '?', (size_t)(sp2 - target));
	n = (size_t)((end != NULL ? end : sp2) - target);
	if (n >= sizeof(req->path))
		return http_fail(why, "the target is too long", -ENAMETOOLONG);
	memcpy(req->path, target, n);
	req->path[n] = '\0';
	return 0;
}

static int
http_header_line(const char *line, size_t len, const char **why)
{
	const char *colon = memchr(line, ':', len);

	/* A leading space or tab is obsolete line folding (RFC 9112 5.2): refused. */
	if (colon == NULL || colon == line)
		return http_fail(why, "header line without a NAME: value form", -EINVAL);
	for (const char *p = line; p < colon; p++)
		if (!http_tchar(*p))
			return http_fail(why, "invalid character in a header name", -EINVAL);
	for (const char *p = colon + 1; p < line + len; p++)
		if (((unsigned char)*p < ' ' && *p != '\t') || *p == 0x7f)
			return http_fail(why, "control character in a header value", -EINVAL);
	return 0;
}

int
ctl_http_parse(const char *buf, size_t len, struct ctl_http_request *req, const char **why)
{
	size_t limit = len < CTL_HTTP_HEAD_MAX ? len : CTL_HTTP_HEAD_MAX;
	size_t pos = 0;
	bool first = true;
	int rc;

	*req = (struct ctl_http_request){ 0 };
	for (;;) {
		const char *nl = memchr(buf + pos, '\n', limit - pos);
		size_t end, n;

		if (nl == NULL) {
			if (len >= CTL_HTTP_HEAD_MAX)
				return http_fail(why, "the request head is too long", -E2BIG);
			/* Refuse garbage at once rather than wait for a newline that may never come. */
			if (memchr(buf + pos, '\0', limit - pos) != NULL)
				return http_fail(why, "NUL byte in the request head", -EINVAL);
			return 0;
		}
		end = (size_t)(nl - buf);
		n = end - pos;
		if (n > 0 && buf[end - 1] == '\r')
			n--;
		/* NUL first, as for an unfinished line above, so that the reason never depends on the cut. */
		if (memchr(buf + pos, '\0', n) != NULL)
			return http_fail(why, "NUL byte in the request head", -EINVAL);
		if (memchr(buf + pos, '\r', n) != NULL)
			return http_fail(why, "stray CR in the request head", -EINVAL);
		if (first) {
			/* RFC 9112 2.2: ignore empty lines before the request line. */
			if (n > 0) {
				rc = http_request_line(buf + pos, n, req, why);
				if (rc < 0)
					return rc;
				first = false;
			}
		} else if (n == 0) {
			return (int)(end + 1);
		} else {
			rc = http_header_line(buf + pos, n, why);
			if (rc < 0)
				return rc;
		}
		pos = end + 1;
	}
}

/* ---------------------------------------------------------------- replies */

static const char *
http_reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 400:
		return "Bad Request";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 414:
		return "URI Too Long";
	case 431:
		return "Request Header Fields Too Large";
	case 503:
		return "Service Unavailable";
	case 505:
		return "HTTP Version Not Supported";
	default:
		return "Internal Server Error";
	}
}

static void
http_reply(struct ctl_buf *out, int status, const char *type, const char *extra,
	   const struct ctl_buf *body, bool head_only)
{
	ctl_buf_printf(out,
		       "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		       "Connection: close\r\n%s\r\n",
		       status, http_reason(status), type, body->len, extra);
	if (!head_only && body->len > 0)
		ctl_buf_append(out, body->data, body->len);
}

static int
http_error(struct ctl_buf *out, int status, const char *extra, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int
http_error(struct ctl_buf *out, int status, const char *extra, const char *fmt, ...)
{
	struct ctl_buf body = { 0 };
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	ctl_buf_printf(&body, "%d %s: %s\n", status, http_reason(status), text);
	http_reply(out, status, "text/plain; charset=utf-8", extra, &body, false);
	ctl_buf_free(&body);
	return out->failed ? -ENOMEM : 1;
}

int
ctl_http_respond(const char *buf, size_t len, ctl_http_handler *handler, void *arg,
		 struct ctl_buf *out)
{
	struct ctl_http_request req;
	struct ctl_buf body = { 0 };
	const char *why = "", *type = "text/plain; charset=utf-8";
	bool head;
	int rc = ctl_http_parse(buf, len, &req, &why), status;

	switch (rc) {
	case 0:
		return 0;
	case -E2BIG:
		return http_error(out, 431, "", "%s (at most %d bytes)", why, CTL_HTTP_HEAD_MAX);
	case -ENAMETOOLONG:
		return http_error(out, 414, "", "%s (at most %d bytes)", why,
				  CTL_HTTP_PATH_MAX - 1);
	case -EPROTONOSUPPORT:
		return http_error(out, 505, "", "%s", why);
	default:
		if (rc < 0)
			return http_error(out, 400, "", "%s; send GET /metrics HTTP/1.1", why);
	}
	head = strcmp(req.method, "HEAD") == 0;
	if (!head && strcmp(req.method, "GET") != 0)
		return http_error(out, 405, "Allow: GET, HEAD\r\n",
				  "method %s is not served; use GET", req.method);
	status = handler(&req, &body, &type, arg);
	if (body.failed) {
		ctl_buf_free(&body);
		return -ENOMEM;
	}
	if (status == 200)
		http_reply(out, 200, type, "", &body, head);
	else
		http_error(out, status, "", "%s", body.data != NULL ? body.data : "");
	ctl_buf_free(&body);
	return out->failed ? -ENOMEM : 1;
}

/* ---------------------------------------------------------------- addresses */

int
ctl_http_parse_address(const char *text, struct sockaddr_storage *addr, socklen_t *addrlen,
		       char *err, size_t errlen)
{
	const char *colon = strrchr(text, ':'), *port_text = colon != NULL ? colon + 1 : text;
	char host[CTL_HTTP_ADDR_TEXT] = "";
	unsigned long port;
	size_t n = colon != NULL ? (size_t)(colon - text) : 0;
	char *end;

	memset(addr, 0, sizeof(*addr));
	errno = 0;
	port = strtoul(port_text, &end, 10);
	if (port_text[0] < '0' || port_text[0] > '9' || *end != '\0' || errno != 0 ||
	    port > 65535) {
		snprintf(err, errlen,
			 "'%s': expected PORT, :PORT, ADDR:PORT or [ADDR6]:PORT with a port from 0 to 65535",
			 text);
		return -EINVAL;
	}
	if (n >= sizeof(host)) {
		snprintf(err, errlen, "'%s': the address is too long", text);
		return -EINVAL;
	}
	memcpy(host, text, n);
	host[n] = '\0';
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)addr;

		host[n - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &a6->sin6_addr) != 1)
			goto bad_host;
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		*addrlen = sizeof(*a6);
		return 0;
	}
	struct sockaddr_in *a4 = (struct sockaddr_in *)addr;

	/* Loopback unless told otherwise: the counters say a lot about the host's tenants. */
	if (inet_pton(AF_INET, n == 0 ? "127.0.0.1" : host, &a4->sin_addr) != 1)
		goto bad_host;
	a4->sin_family = AF_INET;
	a4->sin_port = htons((uint16_t)port);
	*addrlen = sizeof(*a4);
	return 0;
bad_host:
	snprintf(err, errlen,
		 "'%s': the address must be an IPv4 address (0.0.0.0 for all) or an IPv6 one "
		 "in brackets ([::1]), not a host name",
		 text);
	return -EINVAL;
}
